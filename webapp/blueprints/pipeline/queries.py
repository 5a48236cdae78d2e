"""Read-only queries of the board: column totals over all matching open deals, pages of cards."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload, load_only

from webapp.extensions import db
from webapp.models.customer import Company
from webapp.models.marketing import Campaign
from webapp.models.pipeline import Deal, Stage
from webapp.models.user import User, utcnow

PAGE_SIZE = 25
CATEGORIES = ("A", "B", "C")


def _positive_int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows, as kept in the URL: owner ("mine" or an id), category, campaign."""

    owner: str | None = None
    category: str | None = None
    campaign: int | None = None
    rotting: bool = False

    @classmethod
    def from_args(cls, args) -> "BoardFilters":
        owner = (args.get("owner") or "").strip()
        if owner != "mine":
            owner = str(_positive_int(owner)) if _positive_int(owner) else None
        category = (args.get("category") or "").strip().upper()
        return cls(
            owner=owner,
            category=category if category in CATEGORIES else None,
            campaign=_positive_int(args.get("campaign")),
            rotting=(args.get("rotting") or "") in ("1", "on", "true", "yes"),
        )

    def owner_id(self, user) -> int | None:
        if self.owner == "mine":
            return user.id if user is not None else None
        return int(self.owner) if self.owner else None

    def to_args(self, **changes) -> dict:
        """The filters as URL arguments (empty ones left out); changes override (None removes)."""
        filters = replace(
            self, **{k: v for k, v in changes.items() if k in self.__dataclass_fields__}
        )
        args = {
            "owner": filters.owner,
            "category": filters.category,
            "campaign": filters.campaign,
            "rotting": "1" if filters.rotting else None,
        }
        args.update({k: v for k, v in changes.items() if k not in self.__dataclass_fields__})
        return {k: v for k, v in args.items() if v not in (None, "", False)}

    @property
    def narrowed(self) -> bool:
        return bool(self.owner or self.category or self.campaign or self.rotting)


@dataclass(frozen=True)
class ColumnTotals:
    count: int = 0
    total: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")


def board_stages() -> list[Stage]:
    """The board's columns: the active stages in their order."""
    return list(
        db.session.scalars(select(Stage).where(Stage.active).order_by(Stage.position, Stage.id))
    )


def rot_cutoffs(stages, now: datetime) -> dict[int, datetime]:
    """For each stage with a rot limit, the entry time before which its deals are rotting."""
    return {s.id: now - timedelta(days=s.rot_days) for s in stages if s.rot_days is not None}


def _conditions(filters: BoardFilters, user, stages, now) -> list:
    """WHERE conditions for open deals matching filters (Company is joined for the category)."""
    conditions = [Deal.outcome == "open"]
    owner_id = filters.owner_id(user)
    if owner_id is not None:
        conditions.append(Deal.owner_id == owner_id)
    if filters.campaign is not None:
        conditions.append(Deal.campaign_id == filters.campaign)
    if filters.category is not None:
        conditions.append(Company.category == filters.category)
    if filters.rotting:
        # A stage's limit is a fixed time per stage: compare each stage with its own cutoff.
        cutoffs = rot_cutoffs(stages, now)
        if not cutoffs:
            conditions.append(Deal.id.is_(None))
        else:
            conditions.append(
                or_(
                    *(
                        and_(Deal.stage_id == stage_id, Deal.stage_entered_at < cutoff)
                        for stage_id, cutoff in cutoffs.items()
                    )
                )
            )
    return conditions


def _with_company(stmt, filters: BoardFilters):
    return stmt.join(Company, Company.id == Deal.company_id) if filters.category else stmt


def column_totals(filters: BoardFilters, user, stages, now=None) -> dict[int, ColumnTotals]:
    """Count, sum and weighted sum per stage of all open deals matching filters: one query."""
    now = now or utcnow()
    probability = func.coalesce(Deal.probability_override, Stage.probability)
    stmt = (
        select(
            Deal.stage_id,
            func.count(Deal.id),
            func.coalesce(func.sum(Deal.value), 0),
            func.coalesce(func.sum(Deal.value * probability), 0),
        )
        .join(Stage, Stage.id == Deal.stage_id)
        .where(*_conditions(filters, user, stages, now))
        .group_by(Deal.stage_id)
    )
    totals = {}
    for stage_id, count, total, weighted in db.session.execute(_with_company(stmt, filters)):
        totals[stage_id] = ColumnTotals(
            count=count,
            total=Decimal(str(total)).quantize(Decimal("0.01")),
            weighted=(Decimal(str(weighted)) / 100).quantize(Decimal("0.01")),
        )
    return totals


def _ordered(stmt):
    # Longest in the stage first: the deals that need attention lead each column.
    return stmt.order_by(Deal.stage_entered_at, Deal.id)


def _card_options():
    # Only what a card shows. The company's own eager status join would make SQLite build
    # company ⋈ status for every company before joining the 125 cards.
    return (
        joinedload(Deal.company, innerjoin=True).options(
            load_only(Company.id, Company.name), lazyload("*")
        ),
        joinedload(Deal.owner).load_only(User.id, User.name),
    )


def first_cards(filters: BoardFilters, user, stages, now=None, size=PAGE_SIZE) -> dict[int, list]:
    """The first `size` cards of every column: one query with a window function."""
    now = now or utcnow()
    row_number = (
        func.row_number()
        .over(partition_by=Deal.stage_id, order_by=(Deal.stage_entered_at, Deal.id))
        .label("row_number")
    )
    ranked = _with_company(
        select(Deal.id.label("deal_id"), row_number).where(
            *_conditions(filters, user, stages, now)
        ),
        filters,
    ).subquery()
    stmt = _ordered(
        select(Deal)
        .join(ranked, ranked.c.deal_id == Deal.id)
        .where(ranked.c.row_number <= size)
        .options(*_card_options())
    )
    cards: dict[int, list] = {s.id: [] for s in stages}
    for deal in db.session.scalars(stmt):
        cards.setdefault(deal.stage_id, []).append(deal)
    return cards


def column_page(stage, filters: BoardFilters, user, stages, page=1, now=None, size=PAGE_SIZE):
    """Page `page` of one column's cards, and whether another page follows."""
    now = now or utcnow()
    stmt = _ordered(
        _with_company(
            select(Deal)
            .where(Deal.stage_id == stage.id, *_conditions(filters, user, stages, now))
            .options(*_card_options()),
            filters,
        )
    )
    rows = list(db.session.scalars(stmt.offset((page - 1) * size).limit(size + 1)))
    return rows[:size], len(rows) > size


def filter_choices():
    """The owners (active users) and campaigns offered as filters."""
    owners = list(db.session.scalars(select(User).where(User.active).order_by(User.name)))
    campaigns = list(
        db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.name))
    )
    return owners, campaigns


def get_deal_for_move(deal_id: int) -> Deal | None:
    return db.session.scalar(
        select(Deal)
        .where(Deal.id == deal_id)
        .options(contains_eager(Deal.stage))
        .join(Stage, Stage.id == Deal.stage_id)
    )
