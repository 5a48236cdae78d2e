"""Read-only queries of deals: a fixed number of queries whatever the number of deals."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.blueprints.activities.queries import _with_people
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Company, Status
from webapp.models.group import Group, GroupOption
from webapp.models.pipeline import Deal, StageChange
from webapp.models.user import User

DEAL_LOG_SIZE = 50


def get_deal(deal_id: int) -> Deal | None:
    return db.session.scalars(
        select(Deal)
        .options(
            joinedload(Deal.company),
            joinedload(Deal.stage),
            joinedload(Deal.owner),
            joinedload(Deal.lost_reason),
            joinedload(Deal.competitor),
        )
        .where(Deal.id == deal_id)
    ).first()


def company_deals(company_id: int) -> list[Deal]:
    """A company's deals, open ones first by expected close, then closed ones newest first."""
    deals = list(
        db.session.scalars(
            select(Deal)
            .options(joinedload(Deal.stage), joinedload(Deal.lost_reason))
            .where(Deal.company_id == company_id)
            .order_by(Deal.id)
        )
    )
    open_deals = sorted(
        (d for d in deals if d.outcome == "open"),
        key=lambda d: (d.expected_close is None, d.expected_close, d.id),
    )
    closed = sorted(
        (d for d in deals if d.outcome != "open"),
        key=lambda d: (d.closed_at is not None, d.closed_at, d.id),
        reverse=True,
    )
    return open_deals, closed


def deal_activities(deal_id: int, size: int = DEAL_LOG_SIZE) -> list[Activity]:
    """The activities tied to a deal, newest first."""
    stmt = _with_people(
        select(Activity)
        .where(Activity.deal_id == deal_id, Activity.deleted.is_(False))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(size)
    )
    return list(db.session.scalars(stmt).unique())


def stage_history(deal_id: int) -> list[StageChange]:
    """Every move of the deal, newest first."""
    return list(
        db.session.scalars(
            select(StageChange)
            .options(
                joinedload(StageChange.from_stage),
                joinedload(StageChange.to_stage),
                joinedload(StageChange.user),
            )
            .where(StageChange.deal_id == deal_id)
            .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        )
    )


def active_users(keep_id: int | None = None) -> list[User]:
    """Who can own a deal: active users, plus the current owner if no longer active."""
    users = list(db.session.scalars(select(User).where(User.active).order_by(User.name)))
    if keep_id and keep_id not in {u.id for u in users}:
        kept = db.session.get(User, keep_id)
        if kept is not None:
            users.append(kept)
    return users


def lost_reasons() -> list[Status]:
    """The active inactive-kind statuses: why a deal was lost."""
    return list(
        db.session.scalars(
            select(Status)
            .where(Status.kind == "inactive", Status.active)
            .order_by(Status.position, Status.id)
        )
    )


def competitors() -> list[GroupOption]:
    """The active options of the competitor group."""
    return list(
        db.session.scalars(
            select(GroupOption)
            .join(Group)
            .where(Group.key == "competitor", GroupOption.active)
            .order_by(GroupOption.position, GroupOption.id)
        )
    )


def company_matches(text: str, limit: int = 10) -> list[Company]:
    """Companies whose name, a word of the name, CVR number or city starts with text (the
    company picker), as the header search finds them."""
    from webapp.blueprints.customers.queries import company_hits

    return company_hits(text, limit)
