"""Campaigns: their companies and deals, and the figures that say whether they paid off.

Figures (all aggregate SQL, for one campaign or the whole list at once):
    leads      companies attached to the campaign
    meetings   meeting activities on those companies, held (in the past) and with minutes,
               occurred from the campaign's start (its creation day when it has none) until now
    proposals  proposal activities on those companies in the same window
    won        deals tied to the campaign (Deal.campaign_id) with outcome won
    revenue    the sum of those deals' values
    ROI        (revenue - cost) / cost; none when the campaign cost nothing
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from sqlalchemy import (
    DateTime,
    Integer,
    and_,
    case,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from webapp.extensions import db
from webapp.indexed import along_index
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.customer import CATEGORIES, Company, Status
from webapp.models.group import Group, GroupOption
from webapp.models.marketing import Campaign, CampaignCompany, Segment
from webapp.models.pipeline import Deal
from webapp.models.user import utcnow
from webapp.services.audit import record_change

ENTITY = "campaign"
MAX_COST = Decimal("999999999999.99")
FIELDS = ("name", "channel_option_id", "cost", "starts_on", "ends_on", "description")


class CampaignError(ValueError):
    """A campaign change Kanel cannot make; the message says why."""


class InvalidAmount(CampaignError):
    """An amount Kanel cannot read; the message says how to write it."""


class StaleCampaign(Exception):
    """Someone saved the campaign after the form was opened; nothing was changed."""

    def __init__(self, changes: list[Change], current_version: str):
        super().__init__("stale campaign")
        self.changes = changes
        self.current_version = current_version


@dataclass
class CampaignData:
    name: str
    channel_option_id: int | None = None
    cost: Decimal = Decimal("0")
    starts_on: date | None = None
    ends_on: date | None = None
    description: str | None = None
    segment_id: int | None = None


def parse_cost(text: str | None, locale=None) -> Decimal:
    """Read an amount as the user types it in their locale: 12.500,50 (da) or 12,500.50 (en)."""
    raw = re.sub(r"(?i)\b(dkk|kr)\b\.?", "", (text or "").strip())
    raw = re.sub(r"[\s\u00a0\u202f]", "", raw)
    if not raw:
        return Decimal("0")
    locale = locale or get_locale() or "en"
    if raw.startswith("-"):
        raise InvalidAmount(_("Enter the cost as 0 or more."))
    try:
        value = parse_decimal(raw, locale=locale, strict=True)
    except NumberFormatError as error:
        example = f"12{get_group_symbol(locale)}500{get_decimal_symbol(locale)}50"
        raise InvalidAmount(
            _("Write the amount like %(example)s (in kroner).", example=example)
        ) from error
    if value > MAX_COST:
        raise InvalidAmount(_("Enter an amount below 1.000.000.000.000."))
    return value.quantize(Decimal("0.01"))


def format_cost(value) -> str:
    """An amount as the user would type it: 12.500,5 in Danish, 12,500.5 in English."""
    return format_decimal(Decimal(value or 0), format="#,##0.##")


def lead_source_options(current_id: int | None = None) -> list[GroupOption]:
    """The channels a campaign can have: active options of the lead-source group (+ its own)."""
    stmt = (
        select(GroupOption)
        .join(Group, Group.id == GroupOption.group_id)
        .where(Group.key == "lead_source")
        .order_by(GroupOption.position, GroupOption.id)
    )
    return [o for o in db.session.scalars(stmt) if o.active or o.id == current_id]


def _check_channel(option_id: int | None) -> None:
    if option_id is None:
        return
    if option_id not in {o.id for o in lead_source_options(option_id)}:
        raise CampaignError(_("Choose one of the lead sources."))


# --- Versions and history -----------------------------------------------------------------


def version_of(campaign: Campaign) -> str:
    """The token a form carries: the newest history row of the campaign."""
    newest = db.session.scalar(
        select(func.max(Change.id)).where(Change.entity == ENTITY, Change.entity_id == campaign.id)
    )
    return str(newest or 0)


def changes_since(campaign: Campaign, version: str) -> list[Change]:
    seen = int(version) if str(version).isdigit() else 0
    return list(
        db.session.scalars(
            select(Change)
            .where(Change.entity == ENTITY, Change.entity_id == campaign.id, Change.id > seen)
            .order_by(Change.id)
        )
    )


# --- Writes ----------------------------------------------------------------------------------


def create_campaign(data: CampaignData, user) -> Campaign:
    _check_channel(data.channel_option_id)
    campaign = Campaign(
        name=data.name.strip(),
        channel_option_id=data.channel_option_id,
        cost=data.cost or Decimal("0"),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        description=(data.description or "").strip() or None,
        segment_id=data.segment_id,
        created_by_id=user.id if user is not None else None,
        created_at=utcnow(),
    )
    db.session.add(campaign)
    db.session.flush()
    record_change(ENTITY, campaign.id, "created", None, campaign.name, user)
    db.session.flush()
    return campaign


def update_campaign(campaign: Campaign, data: CampaignData, user, version=None) -> list[Change]:
    """Change a campaign's facts; StaleCampaign when someone saved it after `version`."""
    if version is not None and version != version_of(campaign):
        raise StaleCampaign(changes_since(campaign, version), version_of(campaign))
    _check_channel(data.channel_option_id)
    new = {
        "name": data.name.strip(),
        "channel_option_id": data.channel_option_id,
        "cost": data.cost or Decimal("0"),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "description": (data.description or "").strip() or None,
    }
    rows = []
    for field, value in new.items():
        old = getattr(campaign, field)
        if field == "channel_option_id":
            row = record_change(ENTITY, campaign.id, "channel", _label(old), _label(value), user)
        elif field == "cost":
            row = record_change(ENTITY, campaign.id, field, Decimal(old or 0), value, user)
        else:
            row = record_change(ENTITY, campaign.id, field, old, value, user)
        if row is not None:
            rows.append(row)
        setattr(campaign, field, value)
    db.session.flush()
    return rows


def _label(option_id):
    if option_id is None:
        return None
    option = db.session.get(GroupOption, option_id)
    return option.label if option is not None else option_id


def _attached_already(campaign_id: int):
    # An alias, so the check reads the table itself, not the INSERT's target row.
    link = aliased(CampaignCompany)
    return (
        select(link.company_id)
        .where(link.campaign_id == campaign_id, link.company_id == Company.id)
        .correlate(Company)
        .exists()
    )


def lead_count(campaign_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(CampaignCompany)
        .where(CampaignCompany.campaign_id == campaign_id)
    )


def add_segment_companies(campaign: Campaign, segment, user) -> int:
    """Attach the segment's companies in one INSERT ... SELECT; return how many were new."""
    from webapp.services.segments import segment_conditions

    rows = select(
        literal(campaign.id, Integer),
        Company.id,
        literal(utcnow(), DateTime),
        literal(user.id if user is not None else None, Integer),
    ).where(*segment_conditions(segment), ~_attached_already(campaign.id))
    # Not every driver reports the rows an INSERT ... SELECT wrote: count them instead.
    before = lead_count(campaign.id)
    db.session.execute(
        insert(CampaignCompany.__table__).from_select(
            ["campaign_id", "company_id", "added_at", "added_by_id"], rows
        )
    )
    added = lead_count(campaign.id) - before
    if added:
        name = segment.name if isinstance(segment, Segment) else ""
        record_change(ENTITY, campaign.id, "companies_added", None, f"{added} {name}".strip(), user)
    db.session.flush()
    return added


def add_company(campaign: Campaign, company: Company, user) -> bool:
    """Attach one company; False when it was attached already."""
    if db.session.get(CampaignCompany, (campaign.id, company.id)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                CampaignCompany(
                    campaign_id=campaign.id,
                    company_id=company.id,
                    added_at=utcnow(),
                    added_by_id=user.id if user is not None else None,
                )
            )
    except IntegrityError:  # a colleague attached it at the same moment
        return False
    record_change(ENTITY, campaign.id, "company_added", None, company.name, user, company.id)
    db.session.flush()
    return True


def remove_company(campaign: Campaign, company: Company, user) -> bool:
    link = db.session.get(CampaignCompany, (campaign.id, company.id))
    if link is None:
        return False
    db.session.delete(link)
    record_change(ENTITY, campaign.id, "company_removed", company.name, None, user, company.id)
    db.session.flush()
    return True


def _set_deal_campaign(deal: Deal, campaign_id: int | None, user) -> bool:
    if deal.campaign_id == campaign_id:
        return False
    old = db.session.get(Campaign, deal.campaign_id) if deal.campaign_id else None
    new = db.session.get(Campaign, campaign_id) if campaign_id else None
    record_change(
        "deal",
        deal.id,
        "campaign_id",
        old.name if old else None,
        new.name if new else None,
        user,
        deal.company_id,
    )
    deal.campaign_id = campaign_id
    deal.version += 1
    deal.updated_at = utcnow()
    db.session.flush()
    return True


def attach_deal(campaign: Campaign, deal: Deal, user) -> bool:
    """Tie a deal to the campaign (its revenue then counts here)."""
    return _set_deal_campaign(deal, campaign.id, user)


def detach_deal(campaign: Campaign, deal: Deal, user) -> bool:
    if deal.campaign_id != campaign.id:
        return False
    return _set_deal_campaign(deal, None, user)


def may_delete(campaign: Campaign, user) -> bool:
    """Whoever made a campaign, managers and admins may delete it."""
    return campaign.created_by_id == user.id or user.has_role("manager")


def delete_campaign(campaign: Campaign, user) -> None:
    """Delete a campaign: its companies are let go, its deals no longer point to it."""
    db.session.execute(
        CampaignCompany.__table__.delete().where(CampaignCompany.campaign_id == campaign.id)
    )
    for deal in db.session.scalars(select(Deal).where(Deal.campaign_id == campaign.id)):
        _set_deal_campaign(deal, None, user)
    record_change(ENTITY, campaign.id, "deleted", campaign.name, None, user)
    db.session.delete(campaign)
    db.session.flush()


def start_status_campaign(status: Status, user, today: date | None = None):
    """A segment of every company with this status and a campaign to it, in one go.

    Reuses a segment with exactly that definition when the user can see one.
    Returns (campaign, segment, companies added).
    """
    from webapp.services.segments import SegmentDefinition, create_segment, visible_to

    definition = SegmentDefinition(status=[status.id]).to_json()
    segment = db.session.scalar(
        select(Segment)
        .where(Segment.definition == definition, visible_to(user))
        .order_by(Segment.id)
        .limit(1)
    )
    if segment is None:
        segment = create_segment(
            status.name[:120],
            _("Every company with the status %(status)s.", status=status.name),
            True,
            definition,
            user,
        )
    today = today or date.today()
    campaign = create_campaign(
        CampaignData(
            name=_("Campaign to %(status)s, %(date)s", status=status.name, date=today.isoformat())[
                :160
            ],
            starts_on=today,
            segment_id=segment.id,
        ),
        user,
    )
    added = add_segment_companies(campaign, segment, user)
    return campaign, segment, added


# --- Figures ---------------------------------------------------------------------------------


@dataclass
class CampaignFigures:
    leads: int = 0
    meetings: int = 0
    proposals: int = 0
    won: int = 0
    revenue: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")

    @property
    def roi(self) -> Decimal | None:
        """(revenue - cost) / cost as a fraction; None when the campaign cost nothing."""
        if not self.cost:
            return None
        return (self.revenue - self.cost) / self.cost

    @property
    def roi_percent(self) -> Decimal | None:
        roi = self.roi
        return None if roi is None else (roi * 100).quantize(Decimal("0.1"))


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def window_start():
    """The day a campaign's figures count from: its start, else the day it was made."""
    return func.coalesce(Campaign.starts_on, func.date(Campaign.created_at))


MEETING = literal_column("'meeting'")
PROPOSAL = literal_column("'proposal'")
BLANK = literal_column("''")


def counted_activities() -> tuple:
    """The activities the figures count: proposals, and meetings with minutes (a body of more
    than spaces), not deleted. Written term for term as PostgreSQL's predicate of
    ix_activity_campaign_figures (literals, not parameters), so the index can be read alone."""
    return (
        Activity.deleted == false(),
        or_(
            Activity.kind == PROPOSAL,
            and_(Activity.kind == MEETING, func.trim(Activity.body) != BLANK),
        ),
    )


def meetings_without_minutes(a=Activity) -> tuple:
    """Meetings without minutes (no body, or only spaces), not deleted: exactly the meetings
    counted_activities() leaves out, written term for term as SQLite's predicate of
    ix_activity_campaign_figures. `a`: Activity, or the columns of an alias of its table."""
    return (
        a.kind == MEETING,
        a.deleted == false(),
        or_(a.body.is_(None), func.trim(a.body) == BLANK),
    )


# The meetings without minutes, read along ix_activity_campaign_figures on SQLite: its
# statistics favour the (kind, company_id, deleted, occurred_at) index, which reads every
# meeting's row for its body (figures statement ~130 against ~80 ms at full scale).
Uncounted = along_index(Activity.__table__, "uncounted", "ix_activity_campaign_figures")


def in_window(now, a=Activity) -> tuple:
    """An attached company's activities from the campaign's start until now."""
    return (
        a.company_id == CampaignCompany.company_id,
        a.occurred_at >= window_start(),
        a.occurred_at <= now,
    )


def _counts_from_the_index(where, now):
    """PostgreSQL: one probe per attached company counts its meetings with minutes and its
    proposals from ix_activity_campaign_figures alone (a LATERAL aggregate; a correlated
    subquery per count costs twice the probes, and a join lets the planner hash every
    activity of the period: full scale ~60 ms against ~120 and ~110)."""
    counted = (
        select(
            func.count().filter(Activity.kind == MEETING).label("meetings"),
            func.count().filter(Activity.kind == PROPOSAL).label("proposals"),
        )
        .where(*counted_activities(), *in_window(now))
        .lateral("counted")
    )
    return (
        select(
            CampaignCompany.campaign_id.label("cid"),
            func.sum(counted.c.meetings).label("meetings"),
            func.sum(counted.c.proposals).label("proposals"),
        )
        .join(Campaign, Campaign.id == CampaignCompany.campaign_id)
        .join(counted, true())
        .where(*where)
        .group_by(CampaignCompany.campaign_id)
        .subquery()
    )


def _counts_by_subtraction(where, now):
    """SQLite: per attached company, all its meetings and its proposals counted from the
    (kind, company_id, deleted, occurred_at) index alone, less its meetings without minutes
    found in the small ix_activity_campaign_figures, so no meeting's row is read for its body
    (full scale ~105 → ~85 ms). SQLite has no LATERAL: a correlated subquery per count."""

    def count(table, *conditions):
        return (
            select(func.count())
            .select_from(table)
            .where(*conditions)
            .correlate(CampaignCompany, Campaign)
            .scalar_subquery()
        )

    not_deleted = Activity.deleted == false()
    window = in_window(now)
    meetings = count(Activity, Activity.kind == "meeting", not_deleted, *window)
    without_minutes = count(
        Uncounted,
        *meetings_without_minutes(Uncounted.c),
        *in_window(now, Uncounted.c),
    )
    proposals = count(Activity, Activity.kind == "proposal", not_deleted, *window)
    return (
        select(
            CampaignCompany.campaign_id.label("cid"),
            (func.sum(meetings) - func.sum(without_minutes)).label("meetings"),
            func.sum(proposals).label("proposals"),
        )
        .join(Campaign, Campaign.id == CampaignCompany.campaign_id)
        .where(*where)
        .group_by(CampaignCompany.campaign_id)
        .subquery()
    )


def _activity_counts(campaign_ids, now):
    """Meetings held with minutes and proposals per campaign, each attached company's own
    activities in the window counted from the company's side (one statement)."""
    where = [] if campaign_ids is None else [CampaignCompany.campaign_id.in_(campaign_ids)]
    if _postgresql():
        return _counts_from_the_index(where, now)
    return _counts_by_subtraction(where, now)


def figures_statement(campaign_ids=None, now=None):
    """select(Campaign, leads, meetings, proposals, won, revenue) for these campaigns (or all)."""
    now = now or utcnow()
    lead_where = [] if campaign_ids is None else [CampaignCompany.campaign_id.in_(campaign_ids)]
    leads = (
        select(CampaignCompany.campaign_id.label("cid"), func.count().label("n"))
        .where(*lead_where)
        .group_by(CampaignCompany.campaign_id)
        .subquery()
    )
    activities = _activity_counts(campaign_ids, now)
    deal_where = [Deal.outcome == "won", Deal.campaign_id.is_not(None)]
    if campaign_ids is not None:
        deal_where.append(Deal.campaign_id.in_(campaign_ids))
    won = (
        select(
            Deal.campaign_id.label("cid"),
            func.count(Deal.id).label("n"),
            func.sum(Deal.value).label("revenue"),
        )
        .where(*deal_where)
        .group_by(Deal.campaign_id)
        .subquery()
    )
    stmt = (
        select(
            Campaign,
            func.coalesce(leads.c.n, 0),
            func.coalesce(activities.c.meetings, 0),
            func.coalesce(activities.c.proposals, 0),
            func.coalesce(won.c.n, 0),
            func.coalesce(won.c.revenue, 0),
        )
        .outerjoin(leads, leads.c.cid == Campaign.id)
        .outerjoin(activities, activities.c.cid == Campaign.id)
        .outerjoin(won, won.c.cid == Campaign.id)
    )
    if campaign_ids is not None:
        stmt = stmt.where(Campaign.id.in_(campaign_ids))
    return stmt


def _figures(row) -> CampaignFigures:
    campaign, leads, meetings, proposals, won, revenue = row
    return CampaignFigures(
        leads=int(leads),
        meetings=int(meetings),
        proposals=int(proposals),
        won=int(won),
        revenue=Decimal(revenue or 0).quantize(Decimal("0.01")),
        cost=Decimal(campaign.cost or 0),
    )


def campaign_figures(campaign: Campaign, now=None) -> CampaignFigures:
    """One campaign's figures (one statement)."""
    row = db.session.execute(figures_statement([campaign.id], now)).one()
    return _figures(row)


def campaigns_with_figures(now=None) -> list[tuple[Campaign, CampaignFigures]]:
    """Every campaign with its figures, newest first (one statement)."""
    stmt = (
        figures_statement(None, now)
        .options(joinedload(Campaign.channel))
        .order_by(
            func.coalesce(Campaign.starts_on, func.date(Campaign.created_at)).desc(),
            Campaign.id.desc(),
        )
    )
    return [(row[0], _figures(row)) for row in db.session.execute(stmt)]


@dataclass
class MixRow:
    category: str | None  # None: no category
    count: int
    percent: Decimal


def lead_category_counts(campaign_ids) -> dict[int, dict[str | None, int]]:
    """How many leads each campaign has in each category (A, B, C; None for none), as on
    their cards today (one statement; a category without leads is left out)."""
    counts: dict[int, dict[str | None, int]] = {cid: {} for cid in campaign_ids}
    if not counts:
        return counts
    in_campaigns = CampaignCompany.campaign_id.in_(list(counts))
    if _postgresql():
        # Each lead's category looked up lead by lead, from a covering index of company. As a
        # join, PostgreSQL hashes every company's row (it rates 35,000 index probes dearer
        # than reading the 120 MB table): full scale ~85 → ~55 ms, one campaign ~70 → ~28.
        category = (
            select(Company.category)
            .where(Company.id == CampaignCompany.company_id)
            .correlate(CampaignCompany)
            .scalar_subquery()
        )
        stmt = (
            select(CampaignCompany.campaign_id, category, func.count())
            .where(in_campaigns)
            .group_by(CampaignCompany.campaign_id, category)
        )
        for cid, category_, n in db.session.execute(stmt):
            counts[cid][category_] = int(n)
        return counts
    # SQLite: a count per category side by side, grouped by campaign only: the leads come
    # campaign by campaign along the (campaign, company) key, so nothing is sorted, and each
    # lead's category is read from a covering index of company.
    keys = (*CATEGORIES, None)
    columns = [
        func.count(case((Company.category.is_(None) if c is None else Company.category == c, 1)))
        for c in keys
    ]
    stmt = (
        select(CampaignCompany.campaign_id, *columns)
        .join(Company, Company.id == CampaignCompany.company_id)
        .where(in_campaigns)
        .group_by(CampaignCompany.campaign_id)
    )
    for cid, *numbers in db.session.execute(stmt):
        counts[cid] = {c: int(n) for c, n in zip(keys, numbers, strict=True) if n}
    return counts


def category_mix(campaign: Campaign) -> list[MixRow]:
    """How the campaign's leads split over A, B, C and none (one statement)."""
    counts = lead_category_counts([campaign.id])[campaign.id]
    total = sum(counts.values())
    rows = []
    for category in (*CATEGORIES, None):
        n = int(counts.get(category, 0))
        percent = (Decimal(n) * 100 / total).quantize(Decimal("0.1")) if total else Decimal("0")
        rows.append(MixRow(category, n, percent))
    return rows
