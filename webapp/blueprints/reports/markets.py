"""Markets: campaign results, customers and revenue by industry, industries worth exploring,
integration priorities, and the forecast against budget month by month.

Every figure is aggregate SQL (GROUP BY with conditional counts and sums) over a fixed,
small number of statements; Python only arranges the grouped rows into tables. The
campaign and forecast reports call the same services as the campaign and forecast pages,
so the report and the page always show the same numbers.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from statistics import median

from flask import has_request_context, request
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import joinedload

from webapp.blueprints.reports.base import (
    Chart,
    Column,
    Drill,
    KeyFigure,
    Report,
    ReportFilters,
    ReportSpec,
    Row,
    Series,
    Table,
    company_conditions,
    deal_conditions,
    ratio,
    register,
)
from webapp.blueprints.reports.values import ValueFormat
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Company, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.marketing import Campaign, CampaignCompany, Industry
from webapp.models.pipeline import Deal
from webapp.models.user import utcnow
from webapp.services import campaigns as campaign_service
from webapp.services import forecast as forecast_service
from webapp.services.industries import label_of

ZERO = Decimal("0")
CENT = Decimal("0.01")
MIX = ("A", "B", "C", "none")
# An industry needs this many closed deals before its win rate can mark it worth exploring.
MIN_CLOSED = 5
# A chart of industries shows at most this many bars; the table has every row.
MAX_BARS = 12
INTEGRATION_GROUPS = ("accounting_system", "payroll_system", "previous_system")
# Industry code lengths by level below the section: division 62, group 62.0, class 62.01,
# subclass 62.01.00. A section is grouped by its letter (Industry.section).
CODE_LENGTHS = (2, 4, 5, 8)
ALL = "*"
INDUSTRY_CODE = re.compile(r"[A-Z0-9.]{1,12}")
NO_INDUSTRY = "-"


def today() -> date:
    """The day the forecast counts from (a function, so tests can move it)."""
    return date.today()


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _customer_status_ids():
    return select(Status.id).where(Status.kind == "customer")


def _is_customer():
    return and_(Company.archived.is_(False), Company.status_id.in_(_customer_status_ids()))


def _split_key(key: str, parts: int = 2) -> list[str] | None:
    pieces = str(key or "").split(":", parts - 1)
    return pieces if len(pieces) == parts and all(pieces) else None


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


# =======================================================================================
# 40 · Campaign results


CAMPAIGN_DEFINITION = _l(
    "A campaign is shown when it runs in the period: it starts (or, without a start date, "
    "was created) on or before the period's last day, and has no end date or ends on or "
    "after its first day. Its figures are those of the campaign page, counted to date. "
    "Leads are the companies attached to the campaign. Meetings are meeting activities on "
    "those companies that have taken place, with minutes written, from the campaign's start "
    "until now; proposals are proposal activities on them in the same window. Won and "
    "revenue are the deals tied to the campaign that were won, and the sum of their values. "
    "ROI is (revenue − cost) ÷ cost, left out when the campaign cost nothing. The A/B/C mix "
    "is the share of its leads in each category, as on their cards today."
)


def _campaigns_in_period(filters: ReportFilters) -> list:
    start = campaign_service.window_start()
    return [
        start <= filters.end,
        or_(Campaign.ends_on.is_(None), Campaign.ends_on >= filters.start),
    ]


def _campaign_ids_in_period(filters: ReportFilters):
    # Never correlated: the statements it goes into select from Campaign themselves.
    return select(Campaign.id).where(*_campaigns_in_period(filters)).correlate(None)


def _mix_label(category: str) -> str:
    return _("No category") if category == "none" else category


def build_campaigns(filters: ReportFilters) -> Report:
    """Four statements: the campaigns in the period, their figures (the campaign page's
    own statement), the A/B/C mix of their leads, and the companies reached."""
    # A list, as the campaign page passes: the planner then walks each company's activities.
    ids = db.session.scalars(_campaign_ids_in_period(filters)).all()
    stmt = (
        campaign_service.figures_statement(ids)
        .options(joinedload(Campaign.channel))
        .order_by(campaign_service.window_start().desc(), Campaign.id.desc())
    )
    rows = db.session.execute(stmt).all() if ids else []
    activity = Table(
        title=_("Leads and what came of them"),
        columns=[
            Column("label", _("Campaign")),
            Column("channel", _("Channel")),
            Column("leads", _("Leads"), "count"),
            Column("meetings", _("Meetings held"), "count"),
            Column("proposals", _("Proposals"), "count"),
            Column("won", _("Deals won"), "count"),
        ],
        rows=[],
        empty=_("No campaign runs in this period."),
    )
    results = Table(
        title=_("Revenue and return on investment"),
        columns=[
            Column("label", _("Campaign")),
            Column("won", _("Deals won"), "count"),
            Column("revenue", _("Revenue"), "money"),
            Column("cost", _("Cost"), "money"),
            Column("roi", _("ROI"), "percent"),
        ],
        rows=[],
        empty=_("No campaign runs in this period."),
    )
    mix_table = Table(
        title=_("A/B/C mix of the leads"),
        columns=[
            Column("label", _("Campaign")),
            Column("leads", _("Leads"), "count"),
            *[Column(c, _mix_label(c), "percent") for c in MIX],
        ],
        rows=[],
        empty=_("No campaign runs in this period."),
    )
    if not rows:
        return Report(tables=[activity, results, mix_table])

    campaign_ids = [row[0].id for row in rows]
    mix = {
        cid: {("none" if c is None else c): n for c, n in counts.items()}
        for cid, counts in campaign_service.lead_category_counts(campaign_ids).items()
    }
    reached = db.session.scalar(
        select(func.count(func.distinct(CampaignCompany.company_id))).where(
            CampaignCompany.campaign_id.in_(campaign_ids)
        )
    )

    won_total, revenue_total, cost_total = 0, ZERO, ZERO
    for row in rows:
        campaign, figures = row[0], _campaign_figures(row)
        cid = campaign.id
        activity.rows.append(
            Row(
                campaign.name,
                {
                    "channel": campaign.channel.label if campaign.channel else "",
                    "leads": figures.leads,
                    "meetings": figures.meetings,
                    "proposals": figures.proposals,
                    "won": figures.won,
                },
                {
                    "label": f"leads:{cid}",
                    "leads": f"leads:{cid}",
                    "meetings": f"meetings:{cid}",
                    "proposals": f"proposals:{cid}",
                    "won": f"won:{cid}",
                },
            )
        )
        results.rows.append(
            Row(
                campaign.name,
                {
                    "won": figures.won,
                    "revenue": figures.revenue,
                    "cost": figures.cost,
                    "roi": None if figures.roi is None else float(figures.roi),
                },
                {
                    "label": f"won:{cid}",
                    "won": f"won:{cid}",
                    "revenue": f"won:{cid}",
                    "roi": f"won:{cid}",
                },
            )
        )
        counts = mix[cid]
        mix_table.rows.append(
            Row(
                campaign.name,
                {
                    "leads": figures.leads,
                    **{c: ratio(counts.get(c, 0), figures.leads) for c in MIX},
                },
                {
                    "label": f"leads:{cid}",
                    "leads": f"leads:{cid}",
                    **{c: f"mix:{cid}:{c}" for c in MIX},
                },
            )
        )
        won_total += figures.won
        revenue_total += figures.revenue
        cost_total += figures.cost

    roi_total = float((revenue_total - cost_total) / cost_total) if cost_total else None
    results.total = Row(
        _("All these campaigns"),
        {
            "won": won_total,
            "revenue": revenue_total,
            "cost": cost_total,
            "roi": roi_total,
        },
        {"won": "won", "revenue": "won", "roi": "won"},
    )
    labels = [row[0].name for row in rows]
    return Report(
        key_figures=[
            KeyFigure(_("Companies reached"), int(reached or 0), "count", "leads"),
            KeyFigure(_("Deals won"), won_total, "count", "won"),
            KeyFigure(_("Revenue"), revenue_total, "money", "won"),
            KeyFigure(_("Cost"), cost_total, "money"),
            KeyFigure(_("ROI"), roi_total, "percent", "won"),
        ],
        tables=[activity, results, mix_table],
        charts=[
            Chart(
                "bar",
                labels,
                [
                    Series(_("Revenue"), [float(r.values["revenue"]) for r in results.rows]),
                    Series(_("Cost"), [float(r.values["cost"]) for r in results.rows]),
                ],
                "money",
                _("Revenue against cost"),
            ),
            Chart(
                "stacked",
                labels,
                [Series(_mix_label(c), [mix[cid].get(c, 0) for cid in campaign_ids]) for c in MIX],
                "count",
                _("Leads by category"),
            ),
        ],
        notes=[
            _(
                "Figures are counted to date, as on each campaign's page; the period only "
                "chooses which campaigns are shown."
            )
        ],
    )


def _campaign_figures(row) -> campaign_service.CampaignFigures:
    campaign, leads, meetings, proposals, won, revenue = row
    return campaign_service.CampaignFigures(
        leads=int(leads),
        meetings=int(meetings),
        proposals=int(proposals),
        won=int(won),
        revenue=_money(revenue),
        cost=Decimal(campaign.cost or 0),
    )


def _campaign_activity(kind: str):
    """The lead has a meeting held with minutes (or a proposal) in its campaign's window, on
    the figures' own terms: for meetings PostgreSQL then reads ix_activity_campaign_figures
    alone instead of each meeting's row for its body."""
    if kind == "meeting":
        conditions = [
            Activity.kind == campaign_service.MEETING,
            *campaign_service.counted_activities(),
        ]
    else:
        conditions = [Activity.kind == kind, Activity.deleted.is_(False)]
    return exists().where(*conditions, *campaign_service.in_window(utcnow()))


def drill_campaigns(filters: ReportFilters, key: str) -> Drill | None:
    if key == "leads":
        return Drill(
            "companies",
            _("Companies reached by the campaigns in the period"),
            # The leads looked up by id (an EXISTS per company read every company: ~300 → ~60
            # ms for the count and the first page on SQLite at full scale).
            select(Company.id).where(
                Company.id.in_(
                    select(CampaignCompany.company_id).where(
                        CampaignCompany.campaign_id.in_(_campaign_ids_in_period(filters))
                    )
                )
            ),
        )
    if key == "won":
        return Drill(
            "deals",
            _("Deals won through the campaigns in the period"),
            select(Deal.id).where(
                Deal.outcome == "won",
                Deal.campaign_id.in_(_campaign_ids_in_period(filters)),
            ),
        )
    parts = str(key or "").split(":")
    if len(parts) not in (2, 3) or _int(parts[1]) is None:
        return None
    what, cid = parts[0], _int(parts[1])
    campaign = db.session.get(Campaign, cid)
    if campaign is None:
        return None
    name = campaign.name
    # The campaign's leads as its own rows (a company is attached once): the company table
    # is joined only where its category is asked for.
    leads = (
        select(CampaignCompany.company_id)
        .join(Campaign, Campaign.id == CampaignCompany.campaign_id)
        .where(CampaignCompany.campaign_id == cid)
    )
    if what == "leads" and len(parts) == 2:
        return Drill("companies", _("Leads of %(campaign)s", campaign=name), leads)
    if what == "meetings" and len(parts) == 2:
        return Drill(
            "companies",
            _("Leads of %(campaign)s with a meeting held since its start", campaign=name),
            leads.where(_campaign_activity("meeting")),
        )
    if what == "proposals" and len(parts) == 2:
        return Drill(
            "companies",
            _("Leads of %(campaign)s with a proposal since its start", campaign=name),
            leads.where(_campaign_activity("proposal")),
        )
    if what == "won" and len(parts) == 2:
        return Drill(
            "deals",
            _("Deals won through %(campaign)s", campaign=name),
            select(Deal.id).where(Deal.outcome == "won", Deal.campaign_id == cid),
        )
    if what == "mix" and len(parts) == 3 and parts[2] in MIX:
        category = parts[2]
        condition = (
            Company.category.is_(None) if category == "none" else Company.category == category
        )
        return Drill(
            "companies",
            _(
                "Leads of %(campaign)s: %(category)s",
                campaign=name,
                category=_mix_label(category),
            ),
            leads.join(Company, Company.id == CampaignCompany.company_id).where(condition),
        )
    return None


# =======================================================================================
# Industries: the grouping shared by 60 and 70


@dataclass
class Grouping:
    """How companies are grouped into industry rows: sections, or the level below a filter."""

    length: int  # 1: sections; else the length of the code prefix

    @classmethod
    def of(cls, filters: ReportFilters) -> "Grouping":
        code = filters.industry
        if not code:
            return cls(1)
        if len(code) == 1 and code.isalpha():
            return cls(2)
        return cls(next((n for n in CODE_LENGTHS if n > len(code)), CODE_LENGTHS[-1]))

    @property
    def bucket(self):
        """The row an industry belongs to: its section, or its code cut to the level."""
        if self.length == 1:
            return Industry.section
        return func.substr(Industry.code, 1, self.length)

    def bucket_of(self, code: str, section: str) -> str:
        """The same row as :attr:`bucket`, for an industry already read."""
        return section if self.length == 1 else code[: self.length]

    def condition(self, token: str):
        """Companies (joined to their industry) in the row a drill key names."""
        if token == ALL:
            return None
        if token == NO_INDUSTRY:
            return Company.industry_id.is_(None)
        return self.bucket == token

    def labels(self, codes) -> dict[str, str]:
        """ "J Information and communication" per bucket code; one statement."""
        codes = [c for c in codes if c]
        found = {
            industry.code: industry
            for industry in db.session.scalars(select(Industry).where(Industry.code.in_(codes)))
        }
        labels = {}
        for code in codes:
            label = label_of(found[code]) if code in found else code
            if self.length > 1 and len(code) < self.length:
                label = _("%(industry)s (no finer code)", industry=label)
            labels[code] = label
        return labels


def _token(code: str | None) -> str:
    return code if code else NO_INDUSTRY


def _valid_token(token: str) -> bool:
    """An industry row in a drill key: a code such as J, 62 or 62.01, "*" or "-"."""
    return token in (ALL, NO_INDUSTRY) or bool(INDUSTRY_CODE.fullmatch(token))


def _memo(name: str, filters: ReportFilters, compute):
    """Compute once per request: the management PDF builds 60 and 70 from the same sums."""
    if not has_request_context():
        return compute()
    memo = request.environ.setdefault("kanel.reports.markets", {})
    if (name, filters) not in memo:
        memo[(name, filters)] = compute()
    return memo[(name, filters)]


def _company_counts(filters: ReportFilters) -> dict[int | None, tuple[int, int]]:
    """{industry id: (companies, customers)}, not archived; one pass over the companies."""

    def compute():
        # Counted per industry and status, read from the (industry_id, archived, status_id,
        # owner_id, category) index alone in its order, whatever the owner and category
        # filters; the customers summed from those few rows rather than tested card by card
        # (~85 → ~25 ms on PostgreSQL, ~30 → ~19 ms on SQLite at full scale).
        live = select(
            Company.industry_id.label("industry_id"), Company.status_id.label("status_id")
        )
        live = live.where(Company.archived.is_(False), *company_conditions(filters))
        if _dialect() == "postgresql" and not filters.owner_id:
            # Stated in the index's order (OFFSET 0 keeps it), so PostgreSQL counts along
            # the index as it comes instead of reading every card's row into a hash table
            # (~70 → ~25 ms at full scale); SQLite would sort the cards for it instead. An
            # owner's few cards are found along the owner's index, better left unordered.
            live = live.order_by(Company.industry_id, Company.status_id).offset(0)
        live = live.subquery("live")
        per_status = (
            select(live.c.industry_id, live.c.status_id, func.count().label("companies"))
            .group_by(live.c.industry_id, live.c.status_id)
            .subquery("per_status")
        )
        customer = per_status.c.status_id.in_(_customer_status_ids())
        stmt = select(
            per_status.c.industry_id,
            func.sum(per_status.c.companies),
            func.sum(case((customer, per_status.c.companies), else_=0)),
        ).group_by(per_status.c.industry_id)
        return {iid: (int(n), int(c)) for iid, n, c in db.session.execute(stmt) if n}

    return _memo("companies", filters, compute)


def _cycle_days():
    """Whole days from a deal's creation to its close date."""
    if _dialect() == "postgresql":
        return Deal.closed_at - cast(Deal.created_at, Date)
    return func.julianday(Deal.closed_at) - func.julianday(func.date(Deal.created_at))


@dataclass
class Closed:
    won: int = 0
    lost: int = 0
    revenue: Decimal = ZERO
    cycle_days: float = 0.0

    @property
    def closed(self) -> int:
        return self.won + self.lost

    def add(self, other: "Closed") -> None:
        self.won += other.won
        self.lost += other.lost
        self.revenue += other.revenue
        self.cycle_days += other.cycle_days


def _closed_deals(filters: ReportFilters) -> dict[int | None, Closed]:
    """{industry id: deals won and lost with a close date in the period}; one statement."""

    def compute():
        won = Deal.outcome == "won"
        stmt = (
            select(
                Company.industry_id,
                func.count(case((won, Deal.id))),
                func.count(case((Deal.outcome == "lost", Deal.id))),
                func.sum(case((won, Deal.value))),
                func.sum(case((won, _cycle_days()))),
            )
            .select_from(Deal)
            .join(Company, Company.id == Deal.company_id)
            .where(
                Deal.outcome.in_(("won", "lost")),
                filters.in_period(Deal.closed_at, is_datetime=False),
                *deal_conditions(filters),
            )
            .group_by(Company.industry_id)
        )
        return {
            iid: Closed(int(w), int(lost), _money(revenue), float(days or 0))
            for iid, w, lost, revenue, days in db.session.execute(stmt)
        }

    return _memo("closed", filters, compute)


def _buckets(grouping: "Grouping", industry_ids) -> dict[int | None, str | None]:
    """{industry id: its row's code} for these industries; None stays None (no code)."""
    ids = [i for i in industry_ids if i is not None]
    rows = db.session.execute(
        select(Industry.id, Industry.code, Industry.section).where(Industry.id.in_(ids))
    ).all()
    found = {iid: grouping.bucket_of(code, section) for iid, code, section in rows}
    return {iid: found.get(iid) if iid is not None else None for iid in industry_ids}


@dataclass
class IndustryRow:
    code: str | None
    companies: int = 0
    customers: int = 0
    deals: Closed = field(default_factory=Closed)

    @property
    def win_rate(self) -> float | None:
        return ratio(self.deals.won, self.deals.closed)

    @property
    def average_deal(self) -> Decimal | None:
        return _money(self.deals.revenue / self.deals.won) if self.deals.won else None

    @property
    def cycle(self) -> float | None:
        return self.deals.cycle_days / self.deals.won if self.deals.won else None


def _industry_rows(filters: ReportFilters) -> tuple[dict, dict]:
    """({row code: IndustryRow}, {row code: label}) — four statements, the first two shared
    by both industry reports within a request. None is the row of companies without a code."""
    grouping = Grouping.of(filters)
    companies = _company_counts(filters)
    closed = _closed_deals(filters)
    bucket = _buckets(grouping, set(companies) | set(closed))
    rows: dict[str | None, IndustryRow] = {}
    for iid, (n, customers) in companies.items():
        row = rows.setdefault(bucket[iid], IndustryRow(bucket[iid]))
        row.companies += n
        row.customers += customers
    for iid, deals in closed.items():
        rows.setdefault(bucket[iid], IndustryRow(bucket[iid])).deals.add(deals)
    return rows, grouping.labels(rows)


def _industry_drill(filters: ReportFilters, key: str, titles: dict) -> Drill | None:
    parts = _split_key(key)
    if parts is None or parts[0] not in titles or not _valid_token(parts[1]):
        return None
    what, token = parts
    grouping = Grouping.of(filters)
    condition = grouping.condition(token)
    extra = [] if condition is None else [condition]
    if token == ALL:
        where = _("all industries")
    elif token == NO_INDUSTRY:
        where = _("no industry code")
    else:
        where = grouping.labels([token])[token]
    title = titles[what] % {"industry": where}
    if what in ("companies", "customers"):
        conditions = [Company.archived.is_(False), *company_conditions(filters), *extra]
        if what == "customers":
            conditions.append(Company.status_id.in_(_customer_status_ids()))
        ids = (
            select(Company.id)
            .outerjoin(Industry, Industry.id == Company.industry_id)
            .where(*conditions)
        )
        return Drill("companies", title, ids)
    outcomes = ("won",) if what == "won" else ("won", "lost")
    ids = (
        select(Deal.id)
        .join(Company, Company.id == Deal.company_id)
        .outerjoin(Industry, Industry.id == Company.industry_id)
        .where(
            Deal.outcome.in_(outcomes),
            filters.in_period(Deal.closed_at, is_datetime=False),
            *deal_conditions(filters),
            *extra,
        )
    )
    return Drill("deals", title, ids)


def _level_note(filters: ReportFilters) -> list[str]:
    if not filters.industry:
        return []
    return [
        _(
            "Rows are the industries one level below %(industry)s; choose no industry to "
            "see the sections.",
            industry=filters.industry,
        )
    ]


# =======================================================================================
# 60 · Customers and revenue by industry


INDUSTRY_DEFINITION = _l(
    "A customer is a company that is not archived and whose status is of the kind "
    "Customer; it counts under the industry code on its card today. Revenue is the sum of "
    "the values of deals won with a close date in the period, under the industry of the "
    "deal's company. The rows are NACE sections; with an industry chosen in the filters, "
    "the level below it (a section's divisions, a division's groups …), and companies "
    "whose code is less precise than that level get a row of their own. The owner filter "
    "means the company's owner for customers and the deal's owner for revenue."
)


def build_industries(filters: ReportFilters) -> Report:
    """Four statements (see _industry_rows)."""
    rows, labels = _industry_rows(filters)
    customers = {code: row.customers for code, row in rows.items()}
    closed = {code: row.deals for code, row in rows.items()}
    codes = {code for code, row in rows.items() if row.customers or row.deals.won}
    total_customers = sum(customers.values())
    total_won = sum(c.won for c in closed.values())
    total_revenue = sum((c.revenue for c in closed.values()), ZERO)

    table = Table(
        title=_("Customers and revenue by industry"),
        columns=[
            Column("label", _("Industry")),
            Column("customers", _("Customers"), "count"),
            Column("customer_share", _("Share of customers"), "percent"),
            Column("won", _("Deals won"), "count"),
            Column("revenue", _("Revenue"), "money"),
            Column("revenue_share", _("Share of revenue"), "percent"),
        ],
        rows=[],
        empty=_("No customers and no deals won in this period."),
    )
    for code in sorted(
        codes,
        key=lambda c: (
            c is None,
            -customers.get(c, 0),
            -closed.get(c, Closed()).revenue,
            c or "",
        ),
    ):
        deals = closed.get(code, Closed())
        token = _token(code)
        label = labels[code] if code else _("No industry code")
        table.rows.append(
            Row(
                label,
                {
                    "customers": customers.get(code, 0),
                    "customer_share": ratio(customers.get(code, 0), total_customers),
                    "won": deals.won,
                    "revenue": deals.revenue,
                    "revenue_share": ratio(deals.revenue, total_revenue),
                },
                {
                    "label": f"customers:{token}",
                    "customers": f"customers:{token}",
                    "customer_share": f"customers:{token}",
                    "won": f"won:{token}",
                    "revenue": f"won:{token}",
                    "revenue_share": f"won:{token}",
                },
            )
        )
    if table.rows:
        table.total = Row(
            _("Total"),
            {
                "customers": total_customers,
                "customer_share": 1.0 if total_customers else None,
                "won": total_won,
                "revenue": total_revenue,
                "revenue_share": 1.0 if total_revenue else None,
            },
            {
                "customers": f"customers:{ALL}",
                "customer_share": f"customers:{ALL}",
                "won": f"won:{ALL}",
                "revenue": f"won:{ALL}",
                "revenue_share": f"won:{ALL}",
            },
        )
    by_customers = sorted(table.rows, key=lambda r: -r.values["customers"])[:MAX_BARS]
    by_revenue = sorted(table.rows, key=lambda r: -r.values["revenue"])[:MAX_BARS]
    notes = _level_note(filters)
    if len(table.rows) > MAX_BARS:
        notes.append(_bars_note())
    return Report(
        key_figures=[
            KeyFigure(_("Customers"), total_customers, "count", f"customers:{ALL}"),
            KeyFigure(_("Revenue"), total_revenue, "money", f"won:{ALL}"),
            KeyFigure(_("Deals won"), total_won, "count", f"won:{ALL}"),
        ],
        tables=[table],
        charts=[
            Chart(
                "hbar",
                [r.label for r in by_customers],
                [Series(_("Customers"), [r.values["customers"] for r in by_customers])],
                "count",
                _("Customers by industry"),
            ),
            Chart(
                "hbar",
                [r.label for r in by_revenue],
                [Series(_("Revenue"), [float(r.values["revenue"]) for r in by_revenue])],
                "money",
                _("Revenue by industry"),
            ),
        ]
        if table.rows
        else [],
        notes=notes,
    )


def drill_industries(filters: ReportFilters, key: str) -> Drill | None:
    return _industry_drill(
        filters,
        key,
        {
            "customers": _("Customers in %(industry)s"),
            "won": _("Deals won in the period in %(industry)s"),
        },
    )


# =======================================================================================
# 70 · Industries worth exploring


EXPLORE_DEFINITION = _l(
    "Per industry, grouped as in Customers and revenue by industry. Companies are the cards "
    "we have there that are not archived, whatever their status; customers are those of "
    "them whose status is of the kind Customer. Deals closed are deals won or lost with a "
    "close date in the period; the win rate is won ÷ closed; the average deal size is the "
    "average value of the deals won; the cycle time is the average number of days from a "
    "won deal's creation to its close date. An industry is worth exploring when at least "
    "%(min)s deals closed there, its win rate and average deal size are at least the "
    "overall ones, and it has fewer customers than the median industry. The owner filter "
    "means the company's owner for companies and customers, the deal's owner for deals.",
    min=MIN_CLOSED,
)


def worth_exploring(rows: list[IndustryRow], overall: IndustryRow) -> list[IndustryRow]:
    """Industries that win often and big, where we still have few customers."""
    coded = [r for r in rows if r.code]
    if not coded or overall.win_rate is None or overall.average_deal is None:
        return []
    fewer_than = median(r.customers for r in coded)
    return [
        r
        for r in coded
        if r.deals.closed >= MIN_CLOSED
        and r.win_rate >= overall.win_rate
        and r.average_deal >= overall.average_deal
        and r.customers < fewer_than
    ]


def build_explore(filters: ReportFilters) -> Report:
    """Four statements (see _industry_rows), shared with Customers and revenue by industry."""
    rows, labels = _industry_rows(filters)
    overall = IndustryRow(None)
    for row in rows.values():
        overall.companies += row.companies
        overall.customers += row.customers
        overall.deals.add(row.deals)
    # A row of companies coded less precisely than the rows is no industry to explore.
    length = Grouping.of(filters).length
    industries = [r for r in rows.values() if r.code and (length == 1 or len(r.code) >= length)]
    picked = worth_exploring(industries, overall)
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            r.code is None,
            r.win_rate is None,
            -(r.win_rate or 0),
            -(r.average_deal or 0),
            -r.companies,
            r.code or "",
        ),
    )

    def values(row: IndustryRow) -> dict:
        return {
            "companies": row.companies,
            "customers": row.customers,
            "closed": row.deals.closed,
            "win_rate": row.win_rate,
            "average_deal": row.average_deal,
            "cycle": row.cycle,
        }

    def drills(token: str) -> dict:
        return {
            "label": f"companies:{token}",
            "companies": f"companies:{token}",
            "customers": f"customers:{token}",
            "closed": f"closed:{token}",
            "win_rate": f"closed:{token}",
            "average_deal": f"won:{token}",
            "cycle": f"won:{token}",
        }

    table = Table(
        title=_("Industries by win rate"),
        columns=[
            Column("label", _("Industry")),
            Column("companies", _("Companies"), "count"),
            Column("customers", _("Customers"), "count"),
            Column("closed", _("Deals closed"), "count"),
            Column("win_rate", _("Win rate"), "percent"),
            Column("average_deal", _("Average deal size"), "money"),
            Column("cycle", _("Cycle time"), "days"),
        ],
        rows=[],
        empty=_("No companies in these industries yet."),
    )
    for row in ordered:
        label = labels[row.code] if row.code else _("No industry code")
        table.rows.append(Row(label, values(row), drills(_token(row.code))))
    if table.rows:
        table.total = Row(_("All industries"), values(overall), drills(ALL))
        del table.total.drill["label"]

    notes = []
    if picked:
        notes.append(
            _(
                "Worth exploring: %(industries)s — at least %(min)s deals closed, win rate "
                "and deal size at least the overall ones, fewer customers than the median "
                "industry (%(median)s).",
                industries="; ".join(labels[r.code] for r in picked),
                min=MIN_CLOSED,
                median=_number(median(r.customers for r in industries)),
            )
        )
    elif table.rows:
        notes.append(
            _(
                "No industry stands out yet: none has at least %(min)s deals closed with a "
                "win rate and deal size at least the overall ones and fewer customers than "
                "the median industry.",
                min=MIN_CLOSED,
            )
        )
    notes += _level_note(filters)
    with_deals = [r for r in ordered if r.deals.closed]
    if len(with_deals) > MAX_BARS:
        busiest = sorted(with_deals, key=lambda r: -r.deals.closed)[:MAX_BARS]
        with_deals = [r for r in with_deals if r in busiest]
        notes.append(
            _(
                "The charts show the %(num)s industries with the most deals closed; the table "
                "has them all.",
                num=MAX_BARS,
            )
        )
    label_of_row = {row.code: table.rows[n].label for n, row in enumerate(ordered)}
    return Report(
        key_figures=[
            KeyFigure(_("Win rate"), overall.win_rate, "percent", f"closed:{ALL}"),
            KeyFigure(_("Average deal size"), overall.average_deal, "money", f"won:{ALL}"),
            KeyFigure(_("Cycle time"), overall.cycle, "days", f"won:{ALL}"),
            KeyFigure(_("Deals closed"), overall.deals.closed, "count", f"closed:{ALL}"),
        ],
        tables=[table],
        charts=[
            Chart(
                "hbar",
                [label_of_row[r.code] for r in with_deals],
                [Series(_("Win rate"), [r.win_rate for r in with_deals])],
                "percent",
                _("Win rate by industry"),
            ),
            Chart(
                "hbar",
                [label_of_row[r.code] for r in with_deals],
                [Series(_("Companies"), [r.companies for r in with_deals])],
                "count",
                _("Companies we have there"),
            ),
        ]
        if with_deals
        else [],
        notes=notes,
    )


def _bars_note() -> str:
    return _(
        "The charts show the %(num)s largest industries; the table has them all.", num=MAX_BARS
    )


def _number(value) -> str:
    value = float(value)
    return f"{value:g}"


def drill_explore(filters: ReportFilters, key: str) -> Drill | None:
    return _industry_drill(
        filters,
        key,
        {
            "companies": _("Companies in %(industry)s"),
            "customers": _("Customers in %(industry)s"),
            "closed": _("Deals closed in the period in %(industry)s"),
            "won": _("Deals won in the period in %(industry)s"),
        },
    )


# =======================================================================================
# 90 · Integration priorities


INTEGRATION_DEFINITION = _l(
    "Customers are companies that are not archived and whose status is of the kind "
    "Customer. For each option of the groups Accounting system, Payroll system and Previous "
    "system, the report counts the customers that have it chosen on their card and weighs "
    "them by revenue: the sum of the values of their deals won with a close date in the "
    "period, whoever owned the deal. A customer with two systems in a group counts for "
    "both, so a group's rows can add up to more than all customers. Not recorded counts the "
    "customers with nothing chosen in the group. The owner filter means the company's owner."
)


def _customer_conditions(filters: ReportFilters) -> list:
    return [_is_customer(), *company_conditions(filters)]


def _integration_statement(filters: ReportFilters, group_ids: list[int], option_ids: list[int]):
    """One statement, four parts, each (kind, target, customers, revenue):

    - ("r", option, None, revenue): the revenue of the customers with the option, read from
      the customers' revenue (the won deals of the period, a CTE) and each one's options.
      First, so SQLite plans it while it materialises the CTE (it then reads the options
      along their index instead of sifting through them with a Bloom filter).
    - ("t", 0, customers, revenue): every customer (counted along the company indexes) and
      all their revenue.
    - ("o", option, customers, None): the customers with the option, the option's values
      read along ix_group_value_option_company, each company looked up in the list of
      customers (``company_id + 0``: a lookup in the list, not of each customer in the
      values).
    - ("d", group, repeats, revenue): a customer with k options in a group is counted k
      times in the options' rows; these are the k − 1 repeats per group (and k − 1 times
      its revenue), found among the group's values company by company, to subtract. A
      group's customers with anything recorded are then its options' customers minus its
      repeats, without reading the group's 100,000-odd values once more per customer.
    """
    revenue = (
        select(Deal.company_id.label("company_id"), func.sum(Deal.value).label("revenue"))
        .join(Company, Company.id == Deal.company_id)
        .where(
            Deal.outcome == "won",
            filters.in_period(Deal.closed_at, is_datetime=False),
            *_customer_conditions(filters),
        )
        .group_by(Deal.company_id)
        .cte("revenue")
    )
    option_revenue = (
        select(
            literal("r"), GroupValue.option_id, literal(None, Integer), func.sum(revenue.c.revenue)
        )
        .select_from(revenue)
        .join(GroupValue, GroupValue.company_id == revenue.c.company_id)
        # + 0: the company's values read along (company_id, option_id) and sifted, not
        # looked up option by option.
        .where((GroupValue.option_id + literal_column("0")).in_(option_ids))
        .group_by(GroupValue.option_id)
    )
    customers = select(func.count()).select_from(Company).where(*_customer_conditions(filters))
    total = select(
        literal("t"), literal(0), customers.scalar_subquery(), func.sum(revenue.c.revenue)
    ).select_from(revenue)
    customer_ids = select(Company.id).where(*_customer_conditions(filters))
    per_option = (
        select(literal("o"), GroupValue.option_id, func.count(), literal(None, Numeric))
        .where(
            GroupValue.option_id.in_(option_ids),
            (GroupValue.company_id + literal_column("0")).in_(customer_ids),
        )
        .group_by(GroupValue.option_id)
    )
    pairs = (
        select(GroupValue.group_id, GroupValue.company_id, func.count().label("n"))
        .where(GroupValue.group_id.in_(group_ids))
        .group_by(GroupValue.group_id, GroupValue.company_id)
        .having(func.count() > 1)
        .subquery("pairs")
    )
    repeats = (
        select(
            literal("d"),
            pairs.c.group_id,
            func.sum(pairs.c.n - 1),
            func.sum((pairs.c.n - 1) * revenue.c.revenue),
        )
        .select_from(pairs)
        .join(Company, Company.id == pairs.c.company_id)
        .outerjoin(revenue, revenue.c.company_id == pairs.c.company_id)
        .where(*_customer_conditions(filters))
        .group_by(pairs.c.group_id)
    )
    return union_all(option_revenue, total, per_option, repeats)


def build_integrations(filters: ReportFilters) -> Report:
    """Two statements: the groups and their options, then every figure at once (a group's
    customers with anything recorded worked out from its options' figures and repeats)."""
    groups: dict[int, tuple[str, str]] = {}
    options: dict[int, list[tuple[int, str, bool]]] = {}
    for gid, key, name, oid, label, active in db.session.execute(
        select(
            Group.id, Group.key, Group.name, GroupOption.id, GroupOption.label, GroupOption.active
        )
        .outerjoin(GroupOption, GroupOption.group_id == Group.id)
        .where(Group.key.in_(INTEGRATION_GROUPS))
        .order_by(GroupOption.position, GroupOption.id)
    ):
        groups[gid] = (key, name)
        options.setdefault(gid, [])
        if oid is not None:
            options[gid].append((oid, label, active))
    counts: dict[int, int] = {}
    revenues: dict[int, Decimal] = {}
    repeats: dict[int, tuple[int, Decimal]] = {}
    customers_total, revenue_total = 0, ZERO
    for kind, target, n, amount in db.session.execute(
        _integration_statement(filters, list(groups), [o[0] for os in options.values() for o in os])
    ):
        if kind == "t":
            customers_total, revenue_total = int(n), _money(amount)
        elif kind == "o":
            counts[target] = int(n)
        elif kind == "r":
            revenues[target] = _money(amount)
        else:
            repeats[target] = (int(n), _money(amount))
    # An option is listed when a customer has it (as the grouped rows of one option say).
    per_option = {oid: (n, revenues.get(oid, ZERO)) for oid, n in counts.items()}
    per_group: dict[int, tuple[int, Decimal]] = {}
    for gid, group_options in options.items():
        n = sum(per_option.get(o[0], (0, ZERO))[0] for o in group_options)
        amount = sum((per_option.get(o[0], (0, ZERO))[1] for o in group_options), ZERO)
        extra_n, extra_amount = repeats.get(gid, (0, ZERO))
        per_group[gid] = (n - extra_n, amount - extra_amount)

    tables, charts = [], []
    ordered_groups = sorted(groups, key=lambda gid: INTEGRATION_GROUPS.index(groups[gid][0]))
    for gid in ordered_groups:
        name = groups[gid][1]
        table = Table(
            title=name,
            columns=[
                Column("label", _("System")),
                Column("customers", _("Customers"), "count"),
                Column("customer_share", _("Share of customers"), "percent"),
                Column("revenue", _("Revenue"), "money"),
                Column("revenue_share", _("Share of revenue"), "percent"),
            ],
            rows=[],
            empty=_("No customers yet."),
        )
        if not customers_total:
            tables.append(table)
            continue
        shown = [
            (oid, label, *per_option.get(oid, (0, ZERO)))
            for oid, label, active in options[gid]
            if active or oid in per_option
        ]
        shown.sort(key=lambda o: (-o[3], -o[2]))
        for oid, label, n, amount in shown:
            table.rows.append(
                _integration_row(
                    label, n, amount, f"o{oid}", filters, totals=(customers_total, revenue_total)
                )
            )
        recorded_n, recorded_revenue = per_group.get(gid, (0, ZERO))
        table.rows.append(
            _integration_row(
                _("Not recorded"),
                customers_total - recorded_n,
                revenue_total - recorded_revenue,
                f"g{gid}",
                filters,
                totals=(customers_total, revenue_total),
            )
        )
        table.total = _integration_row(
            _("All customers"),
            customers_total,
            revenue_total,
            ALL,
            filters,
            totals=(customers_total, revenue_total),
        )
        del table.total.drill["label"]
        tables.append(table)
        systems = table.rows[:-1]
        if not any(r.values["revenue"] for r in systems):
            continue
        charts.append(
            Chart(
                "hbar",
                [r.label for r in systems],
                [Series(_("Revenue"), [float(r.values["revenue"]) for r in systems])],
                "money",
                _("%(group)s: customers' revenue", group=name),
            )
        )
    notes = []
    if customers_total:
        notes.append(
            _(
                "A customer with several systems in a group counts for each of them, so the "
                "rows can add up to more than all customers."
            )
        )
    return Report(
        key_figures=[
            KeyFigure(_("Customers"), customers_total, "count", f"customers:{ALL}"),
            KeyFigure(_("Customers' revenue"), revenue_total, "money", f"revenue:{ALL}"),
        ],
        tables=tables,
        charts=charts,
        notes=notes,
    )


def _integration_row(label, customers, revenue, token, filters, totals) -> Row:
    customers_total, revenue_total = totals
    return Row(
        label,
        {
            "customers": customers,
            "customer_share": ratio(customers, customers_total),
            "revenue": revenue,
            "revenue_share": ratio(revenue, revenue_total),
        },
        {
            "label": f"customers:{token}",
            "customers": f"customers:{token}",
            "customer_share": f"customers:{token}",
            "revenue": f"revenue:{token}",
            "revenue_share": f"revenue:{token}",
        },
    )


def drill_integrations(filters: ReportFilters, key: str) -> Drill | None:
    parts = _split_key(key)
    if parts is None or parts[0] not in ("customers", "revenue"):
        return None
    what, token = parts
    conditions = _customer_conditions(filters)
    if token == ALL:
        where = _("all customers")
    elif token[:1] in ("o", "g") and _int(token[1:]):
        target = _int(token[1:])
        if token[0] == "o":
            option = db.session.get(GroupOption, target)
            if option is None:
                return None
            where = option.label
            conditions.append(
                exists().where(GroupValue.company_id == Company.id, GroupValue.option_id == target)
            )
        else:
            group = db.session.get(Group, target)
            if group is None:
                return None
            where = _("no %(group)s recorded", group=group.name.lower())
            conditions.append(
                ~exists().where(GroupValue.company_id == Company.id, GroupValue.group_id == target)
            )
    else:
        return None
    if what == "customers":
        return Drill(
            "companies",
            _("Customers: %(which)s", which=where),
            select(Company.id).where(*conditions),
        )
    return Drill(
        "deals",
        _("Deals won in the period by customers: %(which)s", which=where),
        select(Deal.id)
        .join(Company, Company.id == Deal.company_id)
        .where(
            Deal.outcome == "won",
            filters.in_period(Deal.closed_at, is_datetime=False),
            *conditions,
        ),
    )


# =======================================================================================
# 110 · Forecast against budget


FORECAST_DEFINITION = _l(
    "Won is the sum of the values of deals won with a close date in the month. The weighted "
    "pipeline is each open deal's value × its probability (the deal's own, else its "
    "stage's), in the month of its expected close date; open deals whose expected close "
    "date has passed count in the current month, those without a date in none. Forecast "
    "is won + weighted pipeline; months before the current one show what was won. Budget "
    "is the whole company's budget for the month, or the chosen salesperson's own; budgets "
    "are not split by category. The months run from the period's first month to five "
    "months after the current one (or the period's last month, if later), computed as on "
    "the forecast page."
)


def _forecast_months(filters: ReportFilters, now: date) -> tuple[list[date], list[date]]:
    """(past months of the period, the current month and those after it)."""
    current = forecast_service.month_start(now)
    first = forecast_service.month_start(filters.start)
    last = forecast_service.month_start(filters.end)
    past = []
    month = first
    while month < current:
        past.append(month)
        month = forecast_service.add_months(month, 1)
    count = forecast_service.MONTHS
    while forecast_service.add_months(current, count - 1) < last:
        count += 1
    return past, forecast_service.month_range(current, count)


def _forecast_filters(filters: ReportFilters):
    return forecast_service.ForecastFilters(
        owner=str(filters.owner_id) if filters.owner_id else None, category=filters.category
    )


def _month_label(month: date) -> str:
    return format_date(month, "MMM yyyy")


PAST, COMING = "past", "coming"


def _forecast_table(past: bool, rows: list[Row]) -> Table:
    keys = ("won", "budget", "deviation", "deviation_share") if past else FORECAST_KEYS
    return Table(
        title=_("Earlier months of the period") if past else _("This month and the coming months"),
        columns=[Column("label", _("Month")), *[_forecast_column(key) for key in keys]],
        rows=rows,
        empty=_("No deals won, no open deals and no budgets in these months."),
    )


# Five amounts side by side are as many as an A4 page holds; the earlier months, without a
# weighted pipeline, have room for the deviation as a share of the budget too.
FORECAST_KEYS = ("won", "weighted", "forecast", "budget", "deviation")


def _forecast_column(key: str) -> Column:
    labels = {
        "won": _("Won"),
        "weighted": _("Weighted pipeline"),
        "forecast": _("Forecast"),
        "budget": _("Budget"),
        "deviation": _("Deviation"),
        "deviation_share": _("Deviation %"),
    }
    return Column(key, labels[key], "percent" if key == "deviation_share" else "money")


def _forecast_row(label: str, figures, token: str, past: bool) -> Row:
    budget = figures.budget
    values = {
        "won": figures.won,
        "budget": budget,
        "deviation": figures.deviation,
        "deviation_share": ratio(figures.deviation, budget) if budget and budget > 0 else None,
    }
    drills = {"won": f"won:{token}"}
    everything = f"won:{token}" if past else f"forecast:{token}"
    if not past:
        values |= {"weighted": figures.weighted, "forecast": figures.total}
        drills |= {"weighted": f"open:{token}", "forecast": everything}
    drills |= {"label": everything, "deviation": everything, "deviation_share": everything}
    return Row(label, values, drills)


def _forecast_part(months, figures, past: bool) -> Table:
    rows = [
        _forecast_row(_month_label(month), cell, month.strftime("%Y-%m"), past)
        for month, cell in zip(months, figures, strict=True)
    ]
    table = _forecast_table(past, rows)
    total = forecast_service.Figures()
    for cell in figures:
        total.add(cell)
    table.total = _forecast_row(_("Total"), total, PAST if past else COMING, past)
    del table.total.drill["label"]
    return table


def build_forecast(filters: ReportFilters) -> Report:
    """The forecast page's own computation for the current and coming months (three
    statements), plus won and budget per month for the period's earlier months (two)."""
    if filters.category == "none":
        return Report(
            tables=[_forecast_table(False, [])],
            notes=[
                _(
                    "The forecast is kept per category A, B and C and for all companies; "
                    "choose one of those."
                )
            ],
        )
    now = today()
    past, coming = _forecast_months(filters, now)
    ff = _forecast_filters(filters)
    result = forecast_service.forecast(ff, None, now, len(coming))
    past_figures = [forecast_service.Figures() for _m in past]
    if past:
        index = {month: n for n, month in enumerate(past)}
        for bucket, _uid, _name, _active, amount in forecast_service.won_by_month(ff, None, past):
            if bucket is not None:
                past_figures[bucket].won += Decimal(str(amount or 0))
        for month, user_id, _name, _active, amount in forecast_service.budgets_in(past):
            if user_id == filters.owner_id:  # None: the company's budget
                past_figures[index[month]].budget = Decimal(str(amount))
        for figures in past_figures:
            figures.won = forecast_service.cents(figures.won)

    has_data = any(f.won or f.weighted or f.budget is not None for f in past_figures) or any(
        f.won or f.weighted or f.budget is not None for f in result.figures
    )
    if not has_data:
        return Report(tables=[_forecast_table(False, [])])
    # The coming months first: they answer "is the budget safe?"; the PDF never cuts them.
    tables = [_forecast_part(coming, result.figures, False)]
    if past:
        tables.append(_forecast_part(past, past_figures, True))
    ahead = tables[0].total.values
    notes = []
    if result.overdue.count:
        notes.append(
            ngettext(
                "%(month)s includes %(num)s open deal whose expected close date has passed.",
                "%(month)s includes %(num)s open deals whose expected close date has passed.",
                result.overdue.count,
                month=_month_label(coming[0]),
            )
        )
    if filters.category:
        notes.append(
            _(
                "Budgets are not split by category: the budget is the whole company's or "
                "the salesperson's."
            )
        )
    no_date = result.no_date
    months = [*past, *coming]
    cells = [*past_figures, *result.figures]
    return Report(
        key_figures=[
            KeyFigure(
                _("Forecast, this and coming months"),
                ahead["forecast"],
                "money",
                f"forecast:{COMING}",
            ),
            KeyFigure(_("Budget, this and coming months"), ahead["budget"], "money"),
            KeyFigure(_("Deviation"), ahead["deviation"], "money", f"forecast:{COMING}"),
            KeyFigure(
                _("Won in the earlier months"),
                tables[1].total.values["won"] if past else None,
                "money",
                f"won:{PAST}" if past else None,
            ),
            KeyFigure(
                _("Open deals without a close date"),
                no_date.count,
                "count",
                "nodate",
                _("worth %(value)s, in no month", value=ValueFormat()(no_date.value, "money"))
                if no_date.count
                else None,
            ),
        ],
        tables=tables,
        charts=[
            Chart(
                "bar",
                [_month_label(month) for month in months],
                [
                    Series(_("Forecast"), [float(cell.total) for cell in cells]),
                    Series(
                        _("Budget"),
                        [None if cell.budget is None else float(cell.budget) for cell in cells],
                    ),
                ],
                "money",
                _("Forecast against budget"),
            )
        ],
        notes=notes,
    )


def _forecast_deals(filters: ReportFilters):
    stmt = select(Deal.id).join(Company, Company.id == Deal.company_id)
    if filters.owner_id:
        stmt = stmt.where(Deal.owner_id == filters.owner_id)
    if filters.category:
        stmt = stmt.where(Company.category == filters.category)
    return stmt


def drill_forecast(filters: ReportFilters, key: str) -> Drill | None:
    if filters.category == "none":
        return None
    now = today()
    past, coming = _forecast_months(filters, now)
    months = [*past, *coming]
    if key == "nodate":
        return Drill(
            "deals",
            _("Open deals without an expected close date"),
            _forecast_deals(filters).where(Deal.outcome == "open", Deal.expected_close.is_(None)),
        )
    parts = _split_key(key)
    if parts is None or parts[0] not in ("won", "open", "forecast"):
        return None
    what, token = parts
    if token in (PAST, COMING):
        span = past if token == PAST else coming
        if not span:
            return None
        first, after = span[0], forecast_service.add_months(span[-1], 1)
        where = _("the earlier months") if token == PAST else _("this and the coming months")
        open_first = first
    else:
        try:
            month = date.fromisoformat(f"{token}-01")
        except ValueError:
            return None
        if month not in months:
            return None
        first, after, where = month, forecast_service.add_months(month, 1), _month_label(month)
        open_first = month
    won = and_(Deal.outcome == "won", Deal.closed_at >= first, Deal.closed_at < after)
    if open_first < coming[0]:  # a past month holds no open deals
        expected = false()
    else:
        # The current month also holds the open deals whose expected close has passed.
        expected = and_(
            Deal.outcome == "open",
            Deal.expected_close.is_not(None),
            Deal.expected_close < after,
            *([] if open_first == coming[0] else [Deal.expected_close >= open_first]),
        )
    deals = _forecast_deals(filters)
    if what == "won":
        return Drill("deals", _("Deals won in %(month)s", month=where), deals.where(won))
    if what == "open":
        return Drill(
            "deals", _("Open deals expected in %(month)s", month=where), deals.where(expected)
        )
    return Drill(
        "deals",
        _("Deals won or expected in %(month)s", month=where),
        deals.where(or_(won, expected)),
    )


# =======================================================================================

register(
    ReportSpec(
        slug="campaign-results",
        title=_l("Campaign results"),
        question=_l("What did each marketing campaign bring in?"),
        definition=CAMPAIGN_DEFINITION,
        build=build_campaigns,
        drill=drill_campaigns,
        order=40,
        filters=("period",),
    )
)
register(
    ReportSpec(
        slug="customers-by-industry",
        title=_l("Customers and revenue by industry"),
        question=_l("Which industries are we best represented in?"),
        definition=INDUSTRY_DEFINITION,
        build=build_industries,
        drill=drill_industries,
        order=60,
    )
)
register(
    ReportSpec(
        slug="industries-to-explore",
        title=_l("Industries worth exploring"),
        question=_l("Which industry could be worth exploring further?"),
        definition=EXPLORE_DEFINITION,
        build=build_explore,
        drill=drill_explore,
        order=70,
    )
)
register(
    ReportSpec(
        slug="integration-priorities",
        title=_l("Integration priorities"),
        question=_l("Which integrations should we build first, based on our customers' systems?"),
        definition=INTEGRATION_DEFINITION,
        build=build_integrations,
        drill=drill_integrations,
        order=90,
    )
)
register(
    ReportSpec(
        slug="forecast-vs-budget",
        title=_l("Forecast vs budget"),
        question=_l("Is the budget safe, month by month?"),
        definition=FORECAST_DEFINITION,
        build=build_forecast,
        drill=drill_forecast,
        order=110,
        filters=("period", "owner", "category"),
    )
)
