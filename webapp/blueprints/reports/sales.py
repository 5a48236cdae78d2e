"""Sales: meetings → customers, deals lost to competitors, won revenue by lead source,
customers won through referrals, the funnel (contact → meeting → proposal → contract) and
the reasons deals are lost.

The words, as every sales report uses them:

- A deal is a lead: one sales opportunity with one company, opened on the board or the
  company's card. Its owner is the salesperson of the deal figures; the company's owner is
  the salesperson of the company figures (meetings, new customers, inactive companies).
- Closed in the period: won or lost with a close date (``Deal.closed_at``, the day the
  salesperson gave when closing it) from the period's first to its last day.
- Revenue: the sum of the values of the deals won with a close date in the period, in DKK,
  as recorded on the deal when it was won.
- A held meeting: a meeting activity that is not deleted and whose time has come
  (``occurred_at`` not after now) — with or without minutes: a meeting without minutes was
  still held; its missing minutes are the holder's minutes debt (My day, data quality).
- Became a customer: the company had a deal won (closed) on or after the day in question.

Every figure is aggregate SQL (GROUP BY with conditional counts and sums) in a fixed, small
number of statements; Python only arranges the grouped rows. A drill key reads
``measure`` or ``measure:dimension=value`` (``won:owner=4``, ``lost:reason=none``); the drill
function rebuilds the same statement as the build and keeps the ids behind that number
(meetings → customers counts in three aggregates and drills into its one-row-per-company
statement, under the same definitions).
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased, selectinload

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
    narrows_companies,
    on_postgresql,
    ratio,
    register,
)
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Company, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.pipeline import Deal, Stage
from webapp.models.user import User, utcnow

ZERO = Decimal("0")
CENT = Decimal("0.01")
CATEGORY_ORDER = ("A", "B", "C", "none")
NONE = "none"
# Lead-source options that mean "a customer recommended us" (compared case-insensitively,
# as a part of the option's label, so "Referral (customer)" and "Kundeanbefaling" count).
REFERRAL_WORDS = ("referral", "referred", "recommend", "anbefal", "henvis")
# A period longer than this is shown year by year instead of month by month.
MAX_MONTHS = 24


# =======================================================================================
# Shared helpers


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _n(count) -> str:
    """A count written with the locale's digit grouping (1,234 · 1.234)."""
    return format_decimal(count or 0, format="#,##0")


def _average(total: Decimal, count: int) -> Decimal | None:
    return (total / count).quantize(CENT) if count else None


def _parse_key(key: str) -> tuple[str, str | None, str | None]:
    """ "won:owner=4" → ("won", "owner", "4"); "won" → ("won", None, None)."""
    measure, _sep, rest = str(key or "").partition(":")
    if not rest:
        return measure, None, None
    dimension, _sep, value = rest.partition("=")
    return measure, dimension or None, value or None


def _id_or_none(value: str | None) -> int | str | None:
    """An id from a drill key, NONE for "none", or None when the text is neither."""
    if value == NONE:
        return NONE
    if value and value.isdigit() and 0 < int(value) < 2**31:
        return int(value)
    return None


def _key(measure: str, dimension: str | None = None, value=None) -> str:
    if dimension is None:
        return measure
    return f"{measure}:{dimension}={NONE if value is None else value}"


def _people(user_ids) -> dict[int, str]:
    """Names of the users by id (one query); someone who has left is marked so."""
    ids = [i for i in set(user_ids) if i is not None]
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.active).where(User.id.in_(ids)))
    return {
        uid: name if active else _("%(name)s (inactive)", name=name) for uid, name, active in rows
    }


def _person_label(names: dict, user_id) -> str:
    if user_id is None:
        return _("No salesperson")
    return names.get(user_id, str(user_id))


def _sorted_people(user_ids, names: dict) -> list:
    """Salespeople by name; deals or companies without one last."""
    return sorted(
        set(user_ids),
        key=lambda uid: (uid is None, (names.get(uid) or "").casefold(), uid or 0),
    )


def _category_label(category: str | None) -> str:
    return _("No category") if category in (None, NONE) else _("Category %(c)s", c=category)


def _owner_condition(column, value):
    value = _id_or_none(value)
    if value is None:
        return None
    return column.is_(None) if value == NONE else column == value


def _category_condition(column, value):
    if value == NONE:
        return column.is_(None)
    if value in ("A", "B", "C"):
        return column == value
    return None


def _dimension_condition(dimension, value, owner_column, category_column):
    """The condition for an "owner=4" or "category=A" part of a drill key (False: bad key)."""
    if dimension is None:
        return true()
    if dimension == "owner":
        return _owner_condition(owner_column, value)
    if dimension == "category":
        return _category_condition(category_column, value)
    return None


def _titled(title: str, dimension: str | None, value: str | None) -> str:
    """A drill title with the salesperson or category it is narrowed to."""
    if dimension == "owner":
        owner = _id_or_none(value)
        who = _person_label(
            _people([owner] if isinstance(owner, int) else []), None if owner == NONE else owner
        )
    elif dimension == "category":
        who = _category_label(value)
    else:
        return title
    return _("%(title)s: %(who)s", title=title, who=who)


def _closed_in_period(filters: ReportFilters):
    return filters.in_period(Deal.closed_at, is_datetime=False)


def _deal_select(filters: ReportFilters, *columns, join_company: bool = False):
    """select(columns) from Deal, joined to Company when a filter (or the caller) needs it."""
    stmt = select(*columns).select_from(Deal)
    if join_company or narrows_companies(filters):
        stmt = stmt.join(Company, Company.id == Deal.company_id)
    return stmt.where(*deal_conditions(filters))


def _drill(kind: str, title: str, ids) -> Drill:
    return Drill(kind=kind, title=title, ids=ids)


# =======================================================================================
# 10 · Meetings → customers

MEETINGS_DEFINITION = _l(
    "A company counts as met when a meeting was held with it in the period: a meeting "
    "activity dated in the period, not in the future and not deleted, with or without "
    "minutes. It became a customer when one of its deals was won with a close date on or "
    "after the day of its first meeting in the period (up to today). Companies that already "
    "had a won deal before that meeting were customers already: they are shown apart and "
    "left out of the conversion, which is became customers ÷ companies met that were not "
    "customers yet. The salesperson is the company's owner."
)


def _held_in_period(filters: ReportFilters, occurred, now):
    """Conditions on a meeting's time: in the period and not in the future (``now``).

    One upper bound, the earlier of the two, so the index range ends there instead of every
    entry of the range being tested against the other bound as well.
    """
    if now < filters.end_before:
        return [occurred >= filters.start_at, occurred <= now]
    return [occurred >= filters.start_at, occurred < filters.end_before]


def _held_meetings(filters: ReportFilters, now, *, by_company: bool = False) -> list:
    """The meetings held in the period: not deleted, dated in it, not after ``now`` (one
    moment for every part of a statement, so they all count the same meetings).

    ``by_company``: the time wrapped in coalesce() so SQLite reads the meetings company by
    company (the (kind, company_id, deleted, occurred_at) index) instead of the period's
    meetings by time, which it would then have to sort by company.
    """
    occurred = Activity.occurred_at
    if by_company:
        occurred = func.coalesce(Activity.occurred_at, Activity.occurred_at)
    return [
        Activity.kind == "meeting",
        Activity.deleted.is_(False),
        *_held_in_period(filters, occurred, now),
    ]


def _met_rows(filters: ReportFilters):
    """One row per company met in the period: owner, category, meetings, and its state.

    state: 0 = a customer already (won deal closed before its first meeting in the period),
    1 = became a customer (first won deal on or after that day), None = not won.
    The drills read it; the report counts the same things in three aggregates (_met_figures).
    """
    met = (
        select(
            Activity.company_id.label("company_id"),
            func.min(Activity.occurred_at).label("first_at"),
            func.count().label("meetings"),
        )
        .where(*_held_meetings(filters, utcnow(), by_company=True))
        .group_by(Activity.company_id)
        .subquery("met")
    )
    state = (
        select(func.min(case((Deal.closed_at < func.date(met.c.first_at), 0), else_=1)))
        .where(Deal.company_id == met.c.company_id, Deal.outcome == "won")
        .correlate(met)
        .scalar_subquery()
    )
    return (
        select(
            met.c.company_id.label("company_id"),
            Company.owner_id.label("owner_id"),
            Company.category.label("category"),
            met.c.meetings.label("meetings"),
            state.label("state"),
        )
        .select_from(met)
        .join(Company, Company.id == met.c.company_id)
        .where(*company_conditions(filters))
        .subquery("met_rows")
    )


def _met_figures(filters: ReportFilters):
    """One statement, three aggregates of the companies met (the company filters applied):

    - ("met", owner, category, None, n): companies with a meeting held in the period. The
      companies are read along ix_company_owner_category, already grouped, each looked up
      in the list of companies met (``id + 0``: a lookup in the list, not of each company
      in the list), so nothing is sorted.
    - ("state", owner, category, state, n): of those, the ones with a won deal; state 0 when
      one was closed before the day of the first meeting in the period (a customer already),
      1 otherwise (became a customer). Read from the won deals, company by company, each
      joined to its meetings held in the period.
    - ("meetings", None, None, None, n): the meetings held with those companies.
    """
    now = utcnow()
    met_ids = select(Activity.company_id).where(*_held_meetings(filters, now, by_company=True))
    conditions = company_conditions(filters)
    met = (
        select(
            literal("met"),
            Company.owner_id,
            Company.category,
            cast(null(), Integer),
            func.count(),
        )
        .where((Company.id + literal_column("0")).in_(met_ids), *conditions)
        .group_by(Company.owner_id, Company.category)
    )
    # min() over the company's won deals × its meetings: the earliest close date and the
    # first meeting, whatever the number of rows the join makes.
    first_won = func.min(Deal.closed_at)
    first_met = func.date(func.min(Activity.occurred_at))
    won = (
        select(
            Deal.company_id.label("company_id"),
            case((first_won < first_met, 0), else_=1).label("state"),
        )
        .join(Activity, Activity.company_id == Deal.company_id)
        .where(Deal.outcome == "won", *_held_meetings(filters, now))
        .group_by(Deal.company_id)
        .subquery("won")
    )
    states = (
        select(literal("state"), Company.owner_id, Company.category, won.c.state, func.count())
        .select_from(won)
        .join(Company, Company.id == won.c.company_id)
        .where(*conditions)
        .group_by(Company.owner_id, Company.category, won.c.state)
    )
    held = _held_meetings(filters, now)
    if conditions:
        held.append(Activity.company_id.in_(select(Company.id).where(*conditions)))
    meetings = (
        select(
            literal("meetings"),
            cast(null(), Integer),
            cast(null(), String),
            cast(null(), Integer),
            func.count(),
        )
        .select_from(Activity)
        .where(*held)
    )
    return union_all(met, states, meetings)


def _met_counts(cells) -> dict:
    met = sum(c["met"] for c in cells)
    already = sum(c["already"] for c in cells)
    won = sum(c["won"] for c in cells)
    return {
        "met": met,
        "already": already,
        "prospects": met - already,
        "won": won,
        "conversion": ratio(won, met - already),
    }


def _met_row(label: str, counts: dict, dimension=None, value=None) -> Row:
    def key(measure):
        return _key(measure, dimension, value)

    return Row(
        label=label,
        values={k: counts[k] for k in ("met", "already", "prospects", "won", "conversion")},
        drill={
            "label": key("met"),
            "met": key("met"),
            "already": key("already"),
            "prospects": key("prospects"),
            "won": key("won"),
            "conversion": key("prospects"),
        },
    )


def _met_columns(first: str) -> list[Column]:
    return [
        Column("label", first),
        Column("met", _("Companies met"), "count"),
        Column("already", _("Customers already"), "count"),
        Column("prospects", _("Met as prospects"), "count"),
        Column("won", _("Became customers"), "count"),
        Column("conversion", _("Conversion"), "percent"),
    ]


def _met_figures_postgresql(filters: ReportFilters):
    """The rows of _met_figures, for PostgreSQL: one pass over the period's meetings.

    PostgreSQL cannot use the index range on a coalesce()d time (SQLite's way of reading
    the meetings company by company) and reads every meeting ever held three times over.
    Here the period's meetings are grouped per company along the (kind, company_id,
    deleted, occurred_at) index, and merged in company order with the companies and with
    each company's first won deal: ~210 → ~110 ms at full scale. (SQLite would take ~240
    ms for this statement, against ~150 for _met_figures.)
    """
    met = (
        select(
            Activity.company_id.label("company_id"),
            func.min(Activity.occurred_at).label("first_at"),
            func.count().label("meetings"),
        )
        .where(*_held_meetings(filters, utcnow()))
        .group_by(Activity.company_id)
        .subquery("met")
    )
    won = (
        select(Deal.company_id.label("company_id"), func.min(Deal.closed_at).label("first_won"))
        .where(Deal.outcome == "won")
        .group_by(Deal.company_id)
        .subquery("won")
    )
    # As in _met_figures: 0 when the first won deal closed before the day of the first
    # meeting in the period, 1 otherwise (also when no won deal has a close date).
    state = case(
        (won.c.company_id.is_(None), null()),
        (won.c.first_won < func.date(met.c.first_at), 0),
        else_=1,
    ).label("state")
    per_company = (
        select(Company.owner_id, Company.category, state, met.c.meetings)
        .select_from(met)
        .join(Company, Company.id == met.c.company_id)
        .outerjoin(won, won.c.company_id == met.c.company_id)
        .where(*company_conditions(filters))
        # In company order (OFFSET 0 keeps it): the three are merged as they come, where
        # PostgreSQL would hash the companies met and read every company's row (~200 →
        # ~110 ms).
        .order_by(met.c.company_id)
        .offset(0)
        .subquery("per_company")
    )
    columns = [per_company.c.owner_id, per_company.c.category, per_company.c.state]
    rows = db.session.execute(
        select(*columns, func.count(), func.sum(per_company.c.meetings)).group_by(*columns)
    )
    meetings = 0
    for owner_id, category, state, companies, held in rows:
        meetings += int(held)
        yield "met", owner_id, category, None, companies
        if state is not None:
            yield "state", owner_id, category, state, companies
    yield "meetings", None, None, None, meetings


def build_meetings(filters: ReportFilters) -> Report:
    cells: dict[tuple, dict] = {}
    meetings = 0
    figures = (
        _met_figures_postgresql(filters)
        if on_postgresql()
        else db.session.execute(_met_figures(filters))
    )
    for kind, owner_id, category, state, count in figures:
        if kind == "meetings":
            meetings = int(count)
            continue
        cell = cells.setdefault((owner_id, category), {"met": 0, "already": 0, "won": 0})
        if kind == "met":
            cell["met"] += int(count)
        else:
            cell["already" if state == 0 else "won"] += int(count)
    by_owner, by_category = defaultdict(list), defaultdict(list)
    for (owner_id, category), cell in cells.items():
        by_owner[owner_id].append(cell)
        by_category[category or NONE].append(cell)
    total = _met_counts(list(cells.values()))
    total["meetings"] = meetings
    names = _people(by_owner)
    owner_rows = [
        _met_row(_person_label(names, uid), _met_counts(by_owner[uid]), "owner", uid)
        for uid in _sorted_people(by_owner, names)
    ]
    category_rows = [
        _met_row(_category_label(c), _met_counts(by_category[c]), "category", c)
        for c in CATEGORY_ORDER
        if c in by_category
    ]
    empty = _("No meetings were held in this period.")
    report = Report(
        key_figures=[
            KeyFigure(
                _("Conversion"),
                total["conversion"],
                "percent",
                drill="prospects",
                note=ngettext(
                    "of %(count)s company met as a prospect",
                    "of %(count)s companies met as prospects",
                    total["prospects"],
                    count=_n(total["prospects"]),
                ),
            ),
            KeyFigure(
                _("Companies met"),
                total["met"],
                drill="met",
                note=ngettext(
                    "%(count)s meeting held",
                    "%(count)s meetings held",
                    total["meetings"],
                    count=_n(total["meetings"]),
                ),
            ),
            KeyFigure(_("Became customers"), total["won"], drill="won"),
            KeyFigure(_("Customers already"), total["already"], drill="already"),
        ],
        tables=[
            Table(
                _met_columns(_("Salesperson")),
                owner_rows,
                total=_met_row(_("All salespeople"), total) if owner_rows else None,
                title=_("By salesperson (the company's owner)"),
                empty=empty,
            ),
            Table(
                _met_columns(_("Category")),
                category_rows,
                total=_met_row(_("All categories"), total) if category_rows else None,
                title=_("By category"),
                empty=empty,
            ),
        ],
    )
    if owner_rows:
        people = owner_rows
        report.charts.append(
            Chart(
                "bar",
                [r.label for r in people],
                [
                    Series(_("Met as prospects"), [r.values["prospects"] for r in people]),
                    Series(_("Became customers"), [r.values["won"] for r in people]),
                ],
                title=_("Companies met as prospects and those that became customers"),
            )
        )
        if (date.today() - filters.end).days < 90:
            report.notes.append(
                _(
                    "Companies met late in the period have had little time to become "
                    "customers yet: their conversion can still grow."
                )
            )
    return report


def drill_meetings(filters: ReportFilters, key: str) -> Drill | None:
    measure, dimension, value = _parse_key(key)
    rows = _met_rows(filters)
    states = {
        "met": True,
        "already": rows.c.state == 0,
        "prospects": or_(rows.c.state.is_(None), rows.c.state == 1),
        "won": rows.c.state == 1,
    }
    if measure not in states:
        return None
    where = _dimension_condition(dimension, value, rows.c.owner_id, rows.c.category)
    if where is None:
        return None
    titles = {
        "met": _("Companies met in the period"),
        "already": _("Companies met that were customers already"),
        "prospects": _("Companies met as prospects"),
        "won": _("Companies met that became customers"),
    }
    return _drill(
        "companies",
        _titled(titles[measure], dimension, value),
        select(rows.c.company_id).where(states[measure], where),
    )


# =======================================================================================
# 20 · Lost to competitors

COMPETITORS_DEFINITION = _l(
    "Counted over the deals closed (won or lost) in the period, by their close date. A deal "
    "is lost to a competitor when it was lost with a competitor recorded, or for the reason "
    "“lost to competitor” (the inactive status with that meaning) without one, shown as "
    "“Competitor not recorded”. The share is of all deals closed in the period, and of "
    "those lost. Value is the deals' values when they were lost. The salesperson is the "
    "deal's owner."
)


def _lost_to_competitor_status():
    return select(Status.id).where(Status.key == "lost_to_competitor").scalar_subquery()


def _to_competitor():
    return and_(
        Deal.outcome == "lost",
        or_(
            Deal.competitor_option_id.is_not(None),
            Deal.lost_reason_id == _lost_to_competitor_status(),
        ),
    )


def build_competitors(filters: ReportFilters) -> Report:
    inner = (
        _deal_select(
            filters,
            Deal.outcome.label("outcome"),
            case((_to_competitor(), 1), else_=0).label("to_competitor"),
            Deal.competitor_option_id.label("competitor"),
            Deal.value.label("value"),
        )
        .where(Deal.outcome.in_(("won", "lost")), _closed_in_period(filters))
        .subquery()
    )
    grouped = db.session.execute(
        select(
            inner.c.outcome,
            inner.c.to_competitor,
            inner.c.competitor,
            func.count(),
            func.sum(inner.c.value),
        ).group_by(inner.c.outcome, inner.c.to_competitor, inner.c.competitor)
    ).all()
    closed = lost = 0
    competitors: dict = defaultdict(lambda: [0, ZERO])
    for outcome, to_competitor, competitor, count, value in grouped:
        closed += count
        if outcome == "lost":
            lost += count
        if to_competitor:
            competitors[competitor][0] += count
            competitors[competitor][1] += _money(value)
    to_competitors = sum(c[0] for c in competitors.values())
    value_lost = sum((c[1] for c in competitors.values()), ZERO)
    labels = dict(
        db.session.execute(
            select(GroupOption.id, GroupOption.label).where(
                GroupOption.id.in_([c for c in competitors if c is not None])
            )
        ).all()
    )

    def label(option_id):
        if option_id is None:
            return _("Competitor not recorded")
        return labels.get(option_id, str(option_id))

    order = sorted(
        competitors,
        key=lambda c: (c is None, -competitors[c][0], -competitors[c][1], label(c).casefold()),
    )
    rows = []
    for option_id in order:
        count, value = competitors[option_id]
        key = _key("competitor", "option", option_id)
        rows.append(
            Row(
                label(option_id),
                {
                    "label": label(option_id),
                    "lost": count,
                    "share": ratio(count, to_competitors),
                    "of_closed": ratio(count, closed),
                    "value": value,
                },
                {
                    "label": key,
                    "lost": key,
                    "share": "competitor",
                    "of_closed": "closed",
                    "value": key,
                },
            )
        )
    total = Row(
        _("All competitors"),
        {
            "lost": to_competitors,
            "share": ratio(to_competitors, to_competitors),
            "of_closed": ratio(to_competitors, closed),
            "value": value_lost,
        },
        {"lost": "competitor", "share": "competitor", "of_closed": "closed", "value": "competitor"},
    )
    report = Report(
        key_figures=[
            KeyFigure(_("Lost to competitors"), to_competitors, drill="competitor"),
            KeyFigure(
                _("Share of closed deals"),
                ratio(to_competitors, closed),
                "percent",
                drill="closed",
                note=ngettext(
                    "of %(count)s deal closed",
                    "of %(count)s deals closed",
                    closed,
                    count=_n(closed),
                ),
            ),
            KeyFigure(
                _("Share of lost deals"),
                ratio(to_competitors, lost),
                "percent",
                drill="lost",
                note=ngettext(
                    "of %(count)s deal lost", "of %(count)s deals lost", lost, count=_n(lost)
                ),
            ),
            KeyFigure(_("Value lost to competitors"), value_lost, "money", drill="competitor"),
        ],
        tables=[
            Table(
                [
                    Column("label", _("Competitor")),
                    Column("lost", _("Deals lost"), "count"),
                    Column("share", _("Share of deals lost to competitors"), "percent"),
                    Column("of_closed", _("Share of deals closed"), "percent"),
                    Column("value", _("Value lost"), "money"),
                ],
                rows,
                total=total if rows else None,
                title=_("Deals lost to competitors, by competitor"),
                empty=_("No deals were lost to a competitor in this period."),
            )
        ],
    )
    if rows:
        report.charts.append(
            Chart(
                "hbar",
                [r.label for r in rows],
                [Series(_("Deals lost"), [r.values["lost"] for r in rows])],
                title=_("Deals lost, by competitor"),
            )
        )
    if None in competitors:
        report.notes.append(
            ngettext(
                "%(count)s deal was lost to a competitor without saying which: choose the "
                "competitor when closing a deal as lost.",
                "%(count)s deals were lost to a competitor without saying which: choose the "
                "competitor when closing a deal as lost.",
                competitors[None][0],
                count=_n(competitors[None][0]),
            )
        )
    return report


def drill_competitors(filters: ReportFilters, key: str) -> Drill | None:
    measure, dimension, value = _parse_key(key)
    base = _deal_select(filters, Deal.id).where(_closed_in_period(filters))
    if measure == "closed" and dimension is None:
        return _drill(
            "deals", _("Deals closed in the period"), base.where(Deal.outcome.in_(("won", "lost")))
        )
    if measure == "lost" and dimension is None:
        return _drill("deals", _("Deals lost in the period"), base.where(Deal.outcome == "lost"))
    if measure != "competitor":
        return None
    stmt = base.where(_to_competitor())
    if dimension is None:
        return _drill("deals", _("Deals lost to competitors"), stmt)
    option = _id_or_none(value)
    if dimension != "option" or option is None:
        return None
    if option == NONE:
        return _drill(
            "deals",
            _("Deals lost to a competitor not recorded"),
            stmt.where(Deal.competitor_option_id.is_(None)),
        )
    label = db.session.scalar(select(GroupOption.label).where(GroupOption.id == option))
    return _drill(
        "deals",
        _("Deals lost to %(competitor)s", competitor=label or option),
        stmt.where(Deal.competitor_option_id == option),
    )


# =======================================================================================
# 30 · Won revenue by lead source

SOURCES_DEFINITION = _l(
    "Revenue is the sum of the values of the deals won with a close date in the period, "
    "as recorded when they were won (DKK). A deal's lead source is the one chosen on its "
    "company's card (if a company has several, the first in the group's order). Closed "
    "deals are those won or lost in the period; the win rate is won ÷ closed. The "
    "salesperson is the deal's owner."
)


def lead_source_options() -> list:
    """(id, label) of the lead-source options in the group's order (one query)."""
    return db.session.execute(
        select(GroupOption.id, GroupOption.label)
        .join(Group, Group.id == GroupOption.group_id)
        .where(Group.key == "lead_source")
        .order_by(GroupOption.position, GroupOption.id)
    ).all()


def _source_rank(option_ids: list[int]):
    """The company's lead source as its place in option_ids (1, 2, …), None without one.

    A company with several (a group that allows more) counts under the first in the order.
    The option is wrapped in coalesce() so SQLite probes the company's own values (the
    unique (company_id, option_id) index, which covers the query) instead of each option's.
    """
    if not option_ids:
        return literal(None)
    option = func.coalesce(GroupValue.option_id, GroupValue.option_id)
    rank = case({oid: n for n, oid in enumerate(option_ids, start=1)}, value=option)
    return (
        select(func.min(rank))
        .where(GroupValue.company_id == Deal.company_id, option.in_(option_ids))
        .correlate(Deal)
        .scalar_subquery()
    )


# A company's lead-source values joined to its deals on PostgreSQL (see _source_rows); an
# alias, so the lead-source filter's own EXISTS over group values still correlates to the
# company.
SourceValue = aliased(GroupValue, name="source_value")


def _source_rows(filters: ReportFilters, option_ids: list[int]):
    if option_ids and on_postgresql() and not (filters.owner_id or narrows_companies(filters)):
        # All the period's deals on PostgreSQL: it hashes them and reads the lead-source
        # values once along the (option, company) index, keeping each deal's first source,
        # where it would otherwise run the subquery once a deal (~150 → ~110 ms at full
        # scale). For the fewer deals of an owner, category … and on SQLite, the probes
        # along the unique (company, option) index are the faster.
        rank = case(
            {oid: n for n, oid in enumerate(option_ids, start=1)}, value=SourceValue.option_id
        )
        return (
            _deal_select(
                filters,
                Deal.id.label("deal_id"),
                Deal.outcome.label("outcome"),
                func.min(rank).label("rank"),
                Deal.value.label("value"),
            )
            .outerjoin(
                SourceValue,
                and_(
                    SourceValue.company_id == Deal.company_id,
                    SourceValue.option_id.in_(option_ids),
                ),
            )
            .where(Deal.outcome.in_(("won", "lost")), _closed_in_period(filters))
            .group_by(Deal.id, Deal.outcome, Deal.value)
            .subquery("source_rows")
        )
    return (
        _deal_select(
            filters,
            Deal.id.label("deal_id"),
            Deal.outcome.label("outcome"),
            _source_rank(option_ids).label("rank"),
            Deal.value.label("value"),
        )
        .where(Deal.outcome.in_(("won", "lost")), _closed_in_period(filters))
        .subquery("source_rows")
    )


def build_sources(filters: ReportFilters) -> Report:
    options = lead_source_options()
    option_ids = [o.id for o in options]
    inner = _source_rows(filters, option_ids)
    grouped = db.session.execute(
        select(inner.c.rank, inner.c.outcome, func.count(), func.sum(inner.c.value)).group_by(
            inner.c.rank, inner.c.outcome
        )
    ).all()
    figures: dict = defaultdict(lambda: {"won": 0, "closed": 0, "revenue": ZERO})
    for rank, outcome, count, value in grouped:
        source = option_ids[rank - 1] if rank else None
        cell = figures[source]
        cell["closed"] += count
        if outcome == "won":
            cell["won"] += count
            cell["revenue"] += _money(value)
    labels = {o.id: o.label for o in options}
    position = {oid: n for n, oid in enumerate(option_ids)}
    revenue = sum((c["revenue"] for c in figures.values()), ZERO)
    won = sum(c["won"] for c in figures.values())
    closed = sum(c["closed"] for c in figures.values())

    def values(cell) -> dict:
        return {
            "won": cell["won"],
            "revenue": cell["revenue"],
            "share": ratio(cell["revenue"], revenue),
            "average": _average(cell["revenue"], cell["won"]),
            "closed": cell["closed"],
            "win_rate": ratio(cell["won"], cell["closed"]),
        }

    def drills(source, whole=False) -> dict:
        won_key = "won" if whole else _key("won", "source", source)
        closed_key = "closed" if whole else _key("closed", "source", source)
        return {
            "label": won_key,
            "won": won_key,
            "revenue": won_key,
            "share": "won",
            "average": won_key,
            "closed": closed_key,
            "win_rate": closed_key,
        }

    order = sorted(
        figures,
        key=lambda s: (
            s is None,
            -figures[s]["revenue"],
            -figures[s]["won"],
            position.get(s, 0),
        ),
    )
    rows = [
        Row(
            labels.get(s, str(s)) if s is not None else _("No lead source"),
            values(figures[s]),
            drills(s),
        )
        for s in order
    ]
    total_cell = {"won": won, "closed": closed, "revenue": revenue}
    report = Report(
        key_figures=[
            KeyFigure(_("Won revenue"), revenue, "money", drill="won"),
            KeyFigure(_("Won deals"), won, drill="won"),
            KeyFigure(_("Average won deal"), _average(revenue, won), "money", drill="won"),
            KeyFigure(
                _("Win rate"),
                ratio(won, closed),
                "percent",
                drill="closed",
                note=ngettext(
                    "of %(count)s deal closed",
                    "of %(count)s deals closed",
                    closed,
                    count=_n(closed),
                ),
            ),
        ],
        tables=[
            Table(
                [
                    Column("label", _("Lead source")),
                    Column("won", _("Won deals"), "count"),
                    Column("revenue", _("Revenue"), "money"),
                    Column("share", _("Share of revenue"), "percent"),
                    Column("average", _("Average won deal"), "money"),
                    Column("closed", _("Closed deals"), "count"),
                    Column("win_rate", _("Win rate"), "percent"),
                ],
                rows,
                total=Row(_("All lead sources"), values(total_cell), drills(None, whole=True))
                if rows
                else None,
                title=_("By lead source"),
                empty=_("No deals were closed in this period."),
            )
        ],
    )
    with_revenue = [r for r in rows if r.values["revenue"]]
    if with_revenue:
        report.charts.append(
            Chart(
                "hbar",
                [r.label for r in with_revenue],
                [Series(_("Revenue"), [float(r.values["revenue"]) for r in with_revenue])],
                value_kind="money",
                title=_("Won revenue by lead source"),
            )
        )
    missing = figures.get(None)
    if missing and missing["won"]:
        report.notes.append(
            ngettext(
                "%(count)s won deal has no lead source on its company card: choose one "
                "on the card so its revenue counts for its channel.",
                "%(count)s won deals have no lead source on their company card: choose one "
                "on the card so their revenue counts for its channel.",
                missing["won"],
                count=_n(missing["won"]),
            )
        )
    return report


def drill_sources(filters: ReportFilters, key: str) -> Drill | None:
    measure, dimension, value = _parse_key(key)
    if measure not in ("won", "closed"):
        return None
    options = lead_source_options()
    option_ids = [o.id for o in options]
    inner = _source_rows(filters, option_ids)
    stmt = select(inner.c.deal_id)
    if measure == "won":
        stmt = stmt.where(inner.c.outcome == "won")
    if dimension is None:
        title = (
            _("Deals won in the period") if measure == "won" else _("Deals closed in the period")
        )
        return _drill("deals", title, stmt)
    source = _id_or_none(value)
    if dimension != "source" or source is None:
        return None
    if source == NONE:
        label = _("No lead source")
        stmt = stmt.where(inner.c.rank.is_(None))
    elif source in option_ids:
        label = dict(options)[source]
        stmt = stmt.where(inner.c.rank == option_ids.index(source) + 1)
    else:
        return None
    if measure == "won":
        title = _("Deals won in the period: %(source)s", source=label)
    else:
        title = _("Deals closed in the period: %(source)s", source=label)
    return _drill("deals", title, stmt)


# =======================================================================================
# 50 · Customers won through referrals

REFERRALS_DEFINITION = _l(
    "A new customer is a company whose first won deal ever has a close date in the "
    "period. It came through a referral when its lead source is a referral: a lead-source "
    "option whose name says so (Referral, Kundeanbefaling, Anbefaling…). Revenue is the "
    "value of the new customers' deals won in the period. Months (years, for periods "
    "longer than two years) are those of the first won deal. The salesperson is the "
    "company's owner."
)


def referral_option_ids() -> list[int]:
    """The lead-source options that mean a referral (one query; matched on their labels)."""
    rows = db.session.execute(
        select(GroupOption.id, GroupOption.label)
        .join(Group, Group.id == GroupOption.group_id)
        .where(Group.key == "lead_source")
    ).all()
    return [oid for oid, label in rows if any(w in label.casefold() for w in REFERRAL_WORDS)]


def _buckets(filters: ReportFilters) -> tuple[str, list[date]]:
    """("month" or "year", the first day of each bucket in the period)."""
    first = filters.start.replace(day=1)
    months = (filters.end.year - first.year) * 12 + filters.end.month - first.month + 1
    if months > MAX_MONTHS:
        return "year", [date(y, 1, 1) for y in range(filters.start.year, filters.end.year + 1)]
    return "month", [_add_months(first, n) for n in range(months)]


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _bucket_end(kind: str, start: date) -> date:
    return date(start.year + 1, 1, 1) if kind == "year" else _add_months(start, 1)


def _bucket_label(kind: str, start: date) -> str:
    return str(start.year) if kind == "year" else format_date(start, "MMM y")


def _new_customer_rows(filters: ReportFilters, referrals: list[int]):
    kind, starts = _buckets(filters)
    first_won = func.min(Deal.closed_at)
    first = (
        select(
            Deal.company_id.label("company_id"),
            first_won.label("first_won"),
            func.sum(case((_closed_in_period(filters), Deal.value), else_=0)).label("revenue"),
        )
        .where(Deal.outcome == "won")
        .group_by(Deal.company_id)
        .having(and_(first_won >= filters.start, first_won <= filters.end))
        .subquery("first_won")
    )
    bucket = case(
        *[(first.c.first_won < _bucket_end(kind, s), n) for n, s in enumerate(starts)],
        else_=None,
    )
    if referrals:
        referral = case(
            (
                exists().where(
                    GroupValue.company_id == first.c.company_id,
                    GroupValue.option_id.in_(referrals),
                ),
                1,
            ),
            else_=0,
        )
    else:
        referral = literal(0)
    rows = select(
        first.c.company_id.label("company_id"),
        bucket.label("bucket"),
        referral.label("referral"),
        first.c.revenue.label("revenue"),
    ).select_from(first)
    conditions = company_conditions(filters)
    if conditions:
        # Only a filter needs the company: every deal has one (a foreign key, not null), so
        # without a filter the ~19,000 look-ups of the new customers are left out.
        rows = rows.join(Company, Company.id == first.c.company_id).where(*conditions)
    return rows.subquery("new_customers"), kind, starts


def build_referrals(filters: ReportFilters) -> Report:
    referrals = referral_option_ids()
    rows, kind, starts = _new_customer_rows(filters, referrals)
    grouped = db.session.execute(
        select(rows.c.bucket, rows.c.referral, func.count(), func.sum(rows.c.revenue)).group_by(
            rows.c.bucket, rows.c.referral
        )
    ).all()
    new = [0] * len(starts)
    referred = [0] * len(starts)
    revenue = [ZERO] * len(starts)
    for bucket, referral, count, value in grouped:
        if bucket is None:
            continue
        new[bucket] += count
        if referral:
            referred[bucket] += count
            revenue[bucket] += _money(value)
    total_new, total_referred = sum(new), sum(referred)
    total_revenue = sum(revenue, ZERO)
    table_rows = []
    if total_new:
        for n, start in enumerate(starts):
            dim = start.isoformat()[: 4 if kind == "year" else 7]
            table_rows.append(
                Row(
                    _bucket_label(kind, start),
                    {
                        "new": new[n],
                        "referral": referred[n],
                        "share": ratio(referred[n], new[n]),
                        "revenue": revenue[n],
                    },
                    {
                        "label": _key("new", kind, dim),
                        "new": _key("new", kind, dim),
                        "referral": _key("referral", kind, dim),
                        "share": _key("new", kind, dim),
                        "revenue": _key("referral", kind, dim),
                    },
                )
            )
    when = _("Month") if kind == "month" else _("Year")
    report = Report(
        key_figures=[
            KeyFigure(_("New customers through referrals"), total_referred, drill="referral"),
            KeyFigure(
                _("Share of new customers"),
                ratio(total_referred, total_new),
                "percent",
                drill="new",
                note=ngettext(
                    "of %(count)s new customer",
                    "of %(count)s new customers",
                    total_new,
                    count=_n(total_new),
                ),
            ),
            KeyFigure(
                _("Revenue from referred customers"), total_revenue, "money", drill="referral"
            ),
        ],
        tables=[
            Table(
                [
                    Column("label", when),
                    Column("new", _("New customers"), "count"),
                    Column("referral", _("Through referrals"), "count"),
                    Column("share", _("Share through referrals"), "percent"),
                    Column("revenue", _("Revenue from referred customers"), "money"),
                ],
                table_rows,
                total=Row(
                    _("Whole period"),
                    {
                        "new": total_new,
                        "referral": total_referred,
                        "share": ratio(total_referred, total_new),
                        "revenue": total_revenue,
                    },
                    {"new": "new", "referral": "referral", "share": "new", "revenue": "referral"},
                )
                if table_rows
                else None,
                title=_("New customers by the month of their first won deal")
                if kind == "month"
                else _("New customers by the year of their first won deal"),
                empty=_("No new customers were won in this period."),
            )
        ],
    )
    if table_rows:
        report.charts.append(
            Chart(
                "stacked",
                [r.label for r in table_rows],
                [
                    Series(
                        _("Through referrals"), [float(r.values["referral"]) for r in table_rows]
                    ),
                    Series(
                        _("Other new customers"),
                        [float(r.values["new"] - r.values["referral"]) for r in table_rows],
                    ),
                ],
                title=_("New customers, through referrals and otherwise"),
            )
        )
    if not referrals:
        report.notes.append(
            _(
                "No lead source is named as a referral: give the lead-source option for "
                "customer recommendations a name such as “Referral” (Administration → Groups)."
            )
        )
    return report


def drill_referrals(filters: ReportFilters, key: str) -> Drill | None:
    measure, dimension, value = _parse_key(key)
    if measure not in ("new", "referral"):
        return None
    rows, kind, starts = _new_customer_rows(filters, referral_option_ids())
    stmt = select(rows.c.company_id)
    if measure == "referral":
        stmt = stmt.where(rows.c.referral == 1)
    if dimension is None:
        title = _("New customers") if measure == "new" else _("New customers through referrals")
        return _drill("companies", title, stmt)
    if dimension != kind or not value:
        return None
    for n, start in enumerate(starts):
        if start.isoformat().startswith(value) and len(value) == (4 if kind == "year" else 7):
            label = _bucket_label(kind, start)
            if measure == "new":
                title = _("New customers, %(when)s", when=label)
            else:
                title = _("New customers through referrals, %(when)s", when=label)
            return _drill("companies", title, stmt.where(rows.c.bucket == n))
    return None


# =======================================================================================
# 100 · The funnel

FUNNEL_DEFINITION = _l(
    "The deals opened in the period, by the day they were opened, and how far each has "
    "come by today. Contact: every deal opened — a lead we are in contact with. Meeting: "
    "the deal has reached the first stage whose entry rule asks for a meeting (by default "
    "Qualified: a held meeting with minutes), or was won. Proposal: it has reached the "
    "first stage whose rule asks for a proposal (by default Proposal), or was won. "
    "Contract: it was won. A closed deal counts at the stage it closed from; each rate is "
    "a step ÷ the step before. The salesperson is the deal's owner."
)

STEPS = ("contact", "meeting", "proposal", "contract")


def step_stages() -> dict:
    """The stage a deal must reach for the meeting and proposal steps (two small queries).

    The first active stage (in the board's order) with an entry rule naming that activity
    kind; the default stage with that key when no rule names it. Beside each, under
    "<step>_ids", the ids of that stage and every stage after it (retired ones too).
    """
    stages = db.session.scalars(
        select(Stage).options(selectinload(Stage.requirements)).order_by(Stage.position, Stage.id)
    ).all()
    found = {}
    for step, key in (("meeting", "qualified"), ("proposal", "proposal")):
        ruled = [s for s in stages if s.active and any(step in r.kind_list for r in s.requirements)]
        keyed = [s for s in stages if s.key == key]
        chosen = (ruled or keyed or [None])[0]
        found[step] = chosen
        found[f"{step}_ids"] = (
            [s.id for s in stages if s.position >= chosen.position] if chosen else []
        )
    return found


def _step_expression(stages: dict):
    """CASE: how far the deal came — 3 contract, 2 proposal, 1 meeting, 0 contact.

    The stages are ids in a list rather than a join to Stage: one lookup less per deal.
    """
    whens = [(Deal.outcome == "won", 3)]
    if stages["proposal_ids"]:
        whens.append((Deal.stage_id.in_(stages["proposal_ids"]), 2))
    if stages["meeting_ids"]:
        whens.append((Deal.stage_id.in_(stages["meeting_ids"]), 1))
    return case(*whens, else_=0)


def _funnel_rows(filters: ReportFilters, stages: dict):
    return (
        _deal_select(
            filters,
            Deal.id.label("deal_id"),
            # coalesce(x, x): grouped by the owner, SQLite would otherwise walk the owner
            # index and read every deal out of order (4× slower than reading the table
            # through and sorting the deals of the period).
            func.coalesce(Deal.owner_id, Deal.owner_id).label("owner_id"),
            Company.category.label("category"),
            _step_expression(stages).label("step"),
            case((Deal.outcome == "open", 1), else_=0).label("open"),
            join_company=True,
        )
        .where(filters.in_period(Deal.created_at))
        .subquery("funnel_rows")
    )


def _funnel_counts(cells) -> dict:
    """Deals that reached at least each step, and each step's rate."""
    reached = dict.fromkeys(STEPS, 0)
    for step_index, count in cells:
        for n in range(step_index + 1):
            reached[STEPS[n]] += count
    counts = dict(reached)
    counts["meeting_rate"] = ratio(reached["meeting"], reached["contact"])
    counts["proposal_rate"] = ratio(reached["proposal"], reached["meeting"])
    counts["closing_rate"] = ratio(reached["contract"], reached["proposal"])
    counts["overall"] = ratio(reached["contract"], reached["contact"])
    return counts


def _funnel_columns(first: str) -> list[Column]:
    return [
        Column("label", first),
        Column("contact", _("Contacts"), "count"),
        Column("meeting", _("Meetings"), "count"),
        Column("proposal", _("Proposals"), "count"),
        Column("contract", _("Contracts"), "count"),
        Column("meeting_rate", _("Contact → meeting"), "percent"),
        Column("proposal_rate", _("Meeting → proposal"), "percent"),
        Column("closing_rate", _("Proposal → contract"), "percent"),
        Column("overall", _("Contact → contract"), "percent"),
    ]


def _funnel_row(label: str, counts: dict, dimension=None, value=None) -> Row:
    def key(step):
        return _key(step, dimension, value)

    return Row(
        label,
        {
            k: counts[k]
            for k in (*STEPS, "meeting_rate", "proposal_rate", "closing_rate", "overall")
        },
        {
            "label": key("contact"),
            **{step: key(step) for step in STEPS},
            "meeting_rate": key("contact"),
            "proposal_rate": key("meeting"),
            "closing_rate": key("proposal"),
            "overall": key("contact"),
        },
    )


def build_funnel(filters: ReportFilters) -> Report:
    stages = step_stages()
    rows = _funnel_rows(filters, stages)
    grouped = db.session.execute(
        select(rows.c.owner_id, rows.c.category, rows.c.step, rows.c.open, func.count()).group_by(
            rows.c.owner_id, rows.c.category, rows.c.step, rows.c.open
        )
    ).all()
    cells, by_owner, by_category = [], defaultdict(list), defaultdict(list)
    still_open = 0
    for owner_id, category, step, is_open, count in grouped:
        cell = (int(step), count)
        cells.append(cell)
        by_owner[owner_id].append(cell)
        by_category[category or NONE].append(cell)
        if is_open:
            still_open += count
    total = _funnel_counts(cells)
    names = _people(by_owner)
    step_labels = {
        "contact": _("Contact"),
        "meeting": _("Meeting"),
        "proposal": _("Proposal"),
        "contract": _("Contract"),
    }
    previous = {"meeting": "contact", "proposal": "meeting", "contract": "proposal"}
    overall_rows = []
    if total["contact"]:
        for step in STEPS:
            overall_rows.append(
                Row(
                    step_labels[step],
                    {
                        "deals": total[step],
                        "of_previous": ratio(total[step], total[previous[step]])
                        if step in previous
                        else None,
                        "of_contacts": ratio(total[step], total["contact"]),
                    },
                    {
                        "label": step,
                        "deals": step,
                        "of_previous": previous.get(step, step),
                        "of_contacts": "contact",
                    },
                )
            )
    owner_rows = [
        _funnel_row(_person_label(names, uid), _funnel_counts(by_owner[uid]), "owner", uid)
        for uid in _sorted_people(by_owner, names)
    ]
    category_rows = [
        _funnel_row(_category_label(c), _funnel_counts(by_category[c]), "category", c)
        for c in CATEGORY_ORDER
        if c in by_category
    ]
    empty = _("No deals were opened in this period.")
    report = Report(
        key_figures=[
            KeyFigure(_("Contacts"), total["contact"], drill="contact", note=_("deals opened")),
            KeyFigure(_("Contact → meeting"), total["meeting_rate"], "percent", drill="contact"),
            KeyFigure(_("Meeting → proposal"), total["proposal_rate"], "percent", drill="meeting"),
            KeyFigure(_("Proposal → contract"), total["closing_rate"], "percent", drill="proposal"),
            KeyFigure(
                _("Contact → contract"),
                total["overall"],
                "percent",
                drill="contact",
                note=ngettext(
                    "%(count)s contract",
                    "%(count)s contracts",
                    total["contract"],
                    count=_n(total["contract"]),
                ),
            ),
        ],
        tables=[
            Table(
                [
                    Column("label", _("Step")),
                    Column("deals", _("Deals"), "count"),
                    Column("of_previous", _("Of the step before"), "percent"),
                    Column("of_contacts", _("Of contacts"), "percent"),
                ],
                overall_rows,
                title=_("Deals at each step"),
                empty=empty,
            ),
            Table(
                _funnel_columns(_("Salesperson")),
                owner_rows,
                total=_funnel_row(_("All salespeople"), total) if owner_rows else None,
                title=_("By salesperson (the deal's owner)"),
                empty=empty,
            ),
            Table(
                _funnel_columns(_("Category")),
                category_rows,
                total=_funnel_row(_("All categories"), total) if category_rows else None,
                title=_("By category"),
                empty=empty,
            ),
        ],
    )
    if overall_rows:
        report.charts.append(
            Chart(
                "funnel",
                [r.label for r in overall_rows],
                [Series(_("Deals"), [r.values["deals"] for r in overall_rows])],
                title=_("The funnel"),
            )
        )
        rate_keys = ("meeting_rate", "proposal_rate", "closing_rate")
        report.charts.append(
            Chart(
                "bar",
                [r.label for r in owner_rows],
                [
                    Series(str(c.label), [r.values[c.key] for r in owner_rows])
                    for c in _funnel_columns("")
                    if c.key in rate_keys
                ],
                value_kind="percent",
                title=_("Each step's rate, by salesperson"),
            )
        )
        names_of = {
            step: stages[step].name if stages[step] is not None else None
            for step in ("meeting", "proposal")
        }
        if names_of["meeting"] and names_of["proposal"]:
            report.notes.append(
                _(
                    "Meeting means the deal reached %(meeting)s; proposal means it reached "
                    "%(proposal)s.",
                    meeting=names_of["meeting"],
                    proposal=names_of["proposal"],
                )
            )
        if names_of["meeting"] is None:
            report.notes.append(
                _("No stage asks for a meeting, so the meeting step counts only won deals.")
            )
        if names_of["proposal"] is None:
            report.notes.append(
                _("No stage asks for a proposal, so the proposal step counts only won deals.")
            )
        if still_open:
            report.notes.append(
                ngettext(
                    "%(count)s of these deals is still open: the later steps can still grow.",
                    "%(count)s of these deals are still open: the later steps can still grow.",
                    still_open,
                    count=_n(still_open),
                )
            )
    return report


def drill_funnel(filters: ReportFilters, key: str) -> Drill | None:
    measure, dimension, value = _parse_key(key)
    if measure not in STEPS:
        return None
    rows = _funnel_rows(filters, step_stages())
    where = _dimension_condition(dimension, value, rows.c.owner_id, rows.c.category)
    if where is None:
        return None
    titles = {
        "contact": _("Deals opened in the period"),
        "meeting": _("Deals opened in the period that reached the meeting step"),
        "proposal": _("Deals opened in the period that reached the proposal step"),
        "contract": _("Deals opened in the period that were won"),
    }
    stmt = select(rows.c.deal_id).where(rows.c.step >= STEPS.index(measure), where)
    return _drill("deals", _titled(titles[measure], dimension, value), stmt)


# =======================================================================================
# 120 · Inactive reasons

REASONS_DEFINITION = _l(
    "Why deals were lost: the deals lost with a close date in the period, by the reason "
    "chosen when closing them (an inactive status), with their values; the salesperson is "
    "the deal's owner. Beside them, the companies whose status is inactive today (not "
    "archived), by status — whatever the period — the ones a campaign could revive; "
    "there the salesperson is the company's owner."
)


def build_reasons(filters: ReportFilters) -> Report:
    lost_inner = (
        _deal_select(filters, Deal.lost_reason_id.label("reason"), Deal.value.label("value"))
        .where(Deal.outcome == "lost", _closed_in_period(filters))
        .subquery()
    )
    lost = db.session.execute(
        select(lost_inner.c.reason, func.count(), func.sum(lost_inner.c.value)).group_by(
            lost_inner.c.reason
        )
    ).all()
    inactive = db.session.execute(
        select(Company.status_id, func.count())
        .join(Status, Status.id == Company.status_id)
        .where(Status.kind == "inactive", Company.archived.is_(False), *company_conditions(filters))
        .group_by(Company.status_id)
    ).all()
    statuses = {
        s.id: s
        for s in db.session.scalars(
            select(Status).where(
                Status.id.in_({r for r, _c, _v in lost if r} | {s for s, _c in inactive})
            )
        )
    }

    def name(status_id):
        if status_id is None:
            return _("No reason recorded")
        status = statuses.get(status_id)
        return status.name if status else str(status_id)

    lost_total = sum(c for _r, c, _v in lost)
    lost_value = sum((_money(v) for _r, _c, v in lost), ZERO)
    lost_rows = []
    for reason, count, value in sorted(
        lost, key=lambda r: (r[0] is None, -r[1], name(r[0]).casefold())
    ):
        key = _key("lost", "reason", reason)
        lost_rows.append(
            Row(
                name(reason),
                {"lost": count, "share": ratio(count, lost_total), "value": _money(value)},
                {"label": key, "lost": key, "share": "lost", "value": key},
            )
        )
    inactive_total = sum(c for _s, c in inactive)
    inactive_rows = []
    for status_id, count in sorted(
        inactive, key=lambda r: (-r[1], statuses[r[0]].position if r[0] in statuses else 0)
    ):
        key = _key("inactive", "status", status_id)
        inactive_rows.append(
            Row(
                name(status_id),
                {"companies": count, "share": ratio(count, inactive_total)},
                {"label": key, "companies": key, "share": "inactive"},
            )
        )
    top = lost_rows[0] if lost_rows and lost_rows[0].label != _("No reason recorded") else None
    report = Report(
        key_figures=[
            KeyFigure(_("Deals lost"), lost_total, drill="lost"),
            KeyFigure(_("Value lost"), lost_value, "money", drill="lost"),
            KeyFigure(
                _("Most common reason"),
                top.label if top else None,
                "text",
                drill=top.drill["lost"] if top else None,
                note=ngettext(
                    "%(count)s deal",
                    "%(count)s deals",
                    top.values["lost"],
                    count=_n(top.values["lost"]),
                )
                if top
                else None,
            ),
            KeyFigure(
                _("Inactive companies today"),
                inactive_total,
                drill="inactive",
            ),
        ],
        tables=[
            Table(
                [
                    Column("label", _("Reason")),
                    Column("lost", _("Deals lost"), "count"),
                    Column("share", _("Share of deals lost"), "percent"),
                    Column("value", _("Value lost"), "money"),
                ],
                lost_rows,
                total=Row(
                    _("All reasons"),
                    {
                        "lost": lost_total,
                        "share": ratio(lost_total, lost_total),
                        "value": lost_value,
                    },
                    {"lost": "lost", "share": "lost", "value": "lost"},
                )
                if lost_rows
                else None,
                title=_("Deals lost in the period, by reason"),
                empty=_("No deals were lost in this period."),
            ),
            Table(
                [
                    Column("label", _("Status")),
                    Column("companies", _("Companies"), "count"),
                    Column("share", _("Share of inactive companies"), "percent"),
                ],
                inactive_rows,
                total=Row(
                    _("All inactive statuses"),
                    {"companies": inactive_total, "share": ratio(inactive_total, inactive_total)},
                    {"companies": "inactive", "share": "inactive"},
                )
                if inactive_rows
                else None,
                title=_("Inactive companies today, by status"),
                empty=_("No company has an inactive status."),
            ),
        ],
    )
    if lost_rows:
        report.charts.append(
            Chart(
                "hbar",
                [r.label for r in lost_rows],
                [Series(_("Deals lost"), [r.values["lost"] for r in lost_rows])],
                title=_("Deals lost, by reason"),
            )
        )
    return report


def drill_reasons(filters: ReportFilters, key: str) -> Drill | None:
    measure, dimension, value = _parse_key(key)
    if measure == "lost":
        stmt = _deal_select(filters, Deal.id).where(
            Deal.outcome == "lost", _closed_in_period(filters)
        )
        if dimension is None:
            return _drill("deals", _("Deals lost in the period"), stmt)
        reason = _id_or_none(value)
        if dimension != "reason" or reason is None:
            return None
        if reason == NONE:
            return _drill(
                "deals",
                _("Deals lost in the period without a reason"),
                stmt.where(Deal.lost_reason_id.is_(None)),
            )
        name = db.session.scalar(select(Status.name).where(Status.id == reason))
        return _drill(
            "deals",
            _("Deals lost in the period: %(reason)s", reason=name or reason),
            stmt.where(Deal.lost_reason_id == reason),
        )
    if measure != "inactive":
        return None
    stmt = (
        select(Company.id)
        .join(Status, Status.id == Company.status_id)
        .where(Status.kind == "inactive", Company.archived.is_(False), *company_conditions(filters))
    )
    if dimension is None:
        return _drill("companies", _("Inactive companies today"), stmt)
    status_id = _id_or_none(value)
    if dimension != "status" or not isinstance(status_id, int):
        return None
    name = db.session.scalar(select(Status.name).where(Status.id == status_id))
    return _drill(
        "companies",
        _("Companies with the status %(status)s", status=name or status_id),
        stmt.where(Company.status_id == status_id),
    )


# =======================================================================================
# Registration

register(
    ReportSpec(
        slug="meetings-to-customers",
        title=_l("Meetings → customers"),
        question=_l("What share of the companies we meet become customers?"),
        definition=MEETINGS_DEFINITION,
        build=build_meetings,
        drill=drill_meetings,
        order=10,
    )
)
register(
    ReportSpec(
        slug="lost-to-competitors",
        title=_l("Lost to competitors"),
        question=_l("What share of our deals do we lose to competitors — and to which ones?"),
        definition=COMPETITORS_DEFINITION,
        build=build_competitors,
        drill=drill_competitors,
        order=20,
    )
)
register(
    ReportSpec(
        slug="revenue-by-lead-source",
        title=_l("Won revenue by lead source"),
        question=_l("How much revenue does each sales channel bring?"),
        definition=SOURCES_DEFINITION,
        build=build_sources,
        drill=drill_sources,
        order=30,
        filters=("period", "owner", "category", "industry"),
    )
)
register(
    ReportSpec(
        slug="referrals",
        title=_l("Customers won through referrals"),
        question=_l("How many new customers do we get through referrals?"),
        definition=REFERRALS_DEFINITION,
        build=build_referrals,
        drill=drill_referrals,
        order=50,
        filters=("period", "owner", "category", "industry"),
    )
)
register(
    ReportSpec(
        slug="funnel",
        title=_l("The sales funnel"),
        question=_l(
            "Where do our deals stop: contact → meeting → proposal → contract, overall, "
            "per salesperson and per category?"
        ),
        definition=FUNNEL_DEFINITION,
        build=build_funnel,
        drill=drill_funnel,
        order=100,
    )
)
register(
    ReportSpec(
        slug="inactive-reasons",
        title=_l("Inactive reasons"),
        question=_l("Why do deals end without a customer, and who could we revive?"),
        definition=REASONS_DEFINITION,
        build=build_reasons,
        drill=drill_reasons,
        order=120,
    )
)
