"""Read-only queries of the report pages: filter choices and the records behind a number."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from webapp.blueprints.reports.base import Drill, ReportFilters
from webapp.extensions import db
from webapp.models.customer import Company
from webapp.models.group import GroupOption
from webapp.models.marketing import Industry
from webapp.models.pipeline import Deal
from webapp.models.user import User
from webapp.services.campaigns import lead_source_options
from webapp.services.industries import title_of

PAGE_SIZE = 50


def owner_choices(current_id: int | None = None) -> list[User]:
    """Active users by name, and the chosen one even when no longer active."""
    condition = User.active if current_id is None else or_(User.active, User.id == current_id)
    return list(db.session.scalars(select(User).where(condition).order_by(User.name)))


def industry_choices() -> list[tuple[str, str]]:
    """(code, "J · Information and communication") for the sections and divisions."""
    rows = db.session.scalars(
        select(Industry)
        .where(Industry.level <= 1, Industry.active)
        .order_by(Industry.section, Industry.level, Industry.code)
    ).all()
    return [(i.code, f"{i.code} · {title_of(i)}") for i in rows]


def industry_name(code: str | None) -> str | None:
    if not code:
        return None
    industry = db.session.scalar(select(Industry).where(Industry.code == code))
    return f"{code} · {title_of(industry)}" if industry else code


def lead_source_choices(current_id: int | None = None) -> list[GroupOption]:
    return lead_source_options(current_id)


def filter_names(filters: ReportFilters) -> dict:
    """The chosen owner's, industry's and lead source's names for the chips and the cover."""
    names = {}
    if filters.owner_id:
        user = db.session.get(User, filters.owner_id)
        names["owner"] = user.name if user else str(filters.owner_id)
    if filters.industry:
        names["industry"] = industry_name(filters.industry)
    if filters.lead_source_id:
        option = db.session.get(GroupOption, filters.lead_source_id)
        names["source"] = option.label if option else str(filters.lead_source_id)
    return names


def drill_count(drill: Drill) -> int:
    return db.session.scalar(select(func.count()).select_from(drill.ids.subquery())) or 0


def drill_rows(drill: Drill, page: int, size: int | None = None) -> list:
    """One page of the companies or deals behind a number, with what the list shows."""
    size = size or PAGE_SIZE
    start = (page - 1) * size
    if drill.kind == "deals":
        stmt = (
            select(Deal)
            .where(Deal.id.in_(drill.ids))
            .options(
                joinedload(Deal.company).load_only(Company.id, Company.name, Company.category),
                joinedload(Deal.stage),
                joinedload(Deal.owner).load_only(User.id, User.name),
            )
            .order_by(Deal.value.desc(), Deal.id)
        )
    else:
        stmt = (
            select(Company)
            .where(Company.id.in_(drill.ids))
            .options(joinedload(Company.owner).load_only(User.id, User.name))
            .order_by(Company.name_key, Company.id)
        )
    return list(db.session.scalars(stmt.offset(start).limit(size)).unique())
