"""What every report shares: the filters kept in the URL, the shape of a report, the registry.

A report is a plain function of the filters that returns a :class:`Report` — key figures,
tables and charts made of numbers, never of HTML — plus a drill function that turns a
drill key (written into a table cell) back into the companies or deals behind that number.
The page, the CSV/XLSX export and the management PDF all render the same :class:`Report`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models.customer import Company
from webapp.models.group import Group, GroupValue
from webapp.models.pipeline import Deal
from webapp.services.segments import industry_ids_below

CATEGORIES = ("A", "B", "C", "none")
FILTER_NAMES = ("period", "owner", "category", "industry", "lead_source")

# How a value is printed: count 1,234 · money DKK 1,234 · percent 25 % (a fraction 0.25) ·
# number 1,234.5 · days 42 d · rating 3.7 · text as it is. None always prints as "–".
VALUE_KINDS = ("text", "count", "money", "percent", "number", "days", "rating")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: from the first of the month eleven months back, to today."""
    month = today.month - 11
    year = today.year
    if month < 1:
        month += 12
        year -= 1
    return date(year, month, 1), today


def _date(text) -> date | None:
    try:
        return date.fromisoformat(str(text or "").strip())
    except ValueError:
        return None


def _positive_int(text) -> int | None:
    text = str(text or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


@dataclass(frozen=True)
class ReportFilters:
    """What a report covers. Kept in the URL as from, to, owner, category, industry, source.

    - ``start``/``end``: the period, both days included. Each report says which date falls in
      it (a deal's close date for won/lost, its creation for new deals, an activity's date…).
    - ``owner_id``: a salesperson — the deal's owner for deal figures, the company's owner
      for company figures.
    - ``category``: the company's A/B/C category, or "none" for companies without one.
    - ``industry``: an industry code; a section letter ("J") or any code prefix ("62") takes
      in everything below it.
    - ``lead_source_id``: an option of the lead_source group set on the company.
    """

    start: date
    end: date
    owner_id: int | None = None
    category: str | None = None
    industry: str | None = None
    lead_source_id: int | None = None

    @classmethod
    def from_args(cls, args, today: date) -> "ReportFilters":
        """Lenient: a value that makes no sense is left out rather than refused."""
        default_start, default_end = default_period(today)
        start = _date(args.get("from")) or default_start
        end = _date(args.get("to")) or default_end
        if end < start:
            start, end = end, start
        category = str(args.get("category") or "").strip()
        category = category.upper() if category.upper() in CATEGORIES else category.lower()
        industry = str(args.get("industry") or "").strip().upper()
        return cls(
            start=start,
            end=end,
            owner_id=_positive_int(args.get("owner")),
            category=category if category in CATEGORIES else None,
            industry=industry if industry and len(industry) <= 12 else None,
            lead_source_id=_positive_int(args.get("source")),
        )

    def to_args(self, **changes) -> dict:
        """The filters as URL arguments (empty ones left out); changes override, None removes."""
        f = replace(self, **changes)
        args = {
            "from": f.start.isoformat(),
            "to": f.end.isoformat(),
            "owner": f.owner_id,
            "category": f.category,
            "industry": f.industry,
            "source": f.lead_source_id,
        }
        return {k: v for k, v in args.items() if v}

    @property
    def start_at(self) -> datetime:
        """The period's first moment, for datetime columns."""
        return datetime.combine(self.start, time.min)

    @property
    def end_before(self) -> datetime:
        """The moment after the period, for datetime columns: ``column < end_before``."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def in_period(self, column, *, is_datetime: bool = True):
        """A condition: the column's date falls in the period (both days included)."""
        if is_datetime:
            return and_(column >= self.start_at, column < self.end_before)
        return and_(column >= self.start, column <= self.end)


def lead_source_group_id() -> Select:
    return select(Group.id).where(Group.key == "lead_source").scalar_subquery()


def company_conditions(filters: ReportFilters, *, owner: bool = True, joined: bool = False) -> list:
    """Conditions on Company for category, industry and lead source (and its owner if asked).

    Use them in any statement that has Company in its FROM clause (join it from Deal or
    Activity first). ``owner=False`` when the owner filter applies to the deal instead.
    ``joined=True`` when each company is looked up from a deal or an activity: on SQLite the
    industry filter is then the list of the industry's companies, which it reads first and
    goes from to their deals or activities. Written on the industry, SQLite probed the
    (industry, id) index once per code in the list for every deal — a section's 74 codes
    made the deal reports filtered by a section take ~1 s at full scale (now ~30 ms).
    PostgreSQL hashes the codes either way and is ~30% slower with the list of companies.
    """
    conditions = []
    if owner and filters.owner_id:
        conditions.append(Company.owner_id == filters.owner_id)
    if filters.category == "none":
        conditions.append(Company.category.is_(None))
    elif filters.category:
        conditions.append(Company.category == filters.category)
    if filters.industry:
        codes = industry_ids_below([filters.industry])
        if joined and not on_postgresql():
            listed = aliased(Company, name="industry_company")
            conditions.append(
                Company.id.in_(select(listed.id).where(listed.industry_id.in_(codes)))
            )
        else:
            conditions.append(Company.industry_id.in_(codes))
    if filters.lead_source_id:
        conditions.append(
            exists().where(
                GroupValue.company_id == Company.id,
                GroupValue.option_id == filters.lead_source_id,
            )
        )
    return conditions


def deal_conditions(filters: ReportFilters) -> list:
    """Conditions for deal figures: the deal's owner, and the company filters.

    The statement must join Company (``.join(Company, Company.id == Deal.company_id)``)
    whenever ``filters.narrows_companies`` is true; joining it always is fine too.
    """
    conditions = company_conditions(filters, owner=False, joined=True)
    if filters.owner_id:
        conditions.append(Deal.owner_id == filters.owner_id)
    return conditions


def on_postgresql() -> bool:
    """Whether the session's database is PostgreSQL: a few statements are written for each
    database's planner where the two read the same SQL very differently (each such branch
    says what it saved)."""
    return db.session.get_bind().dialect.name == "postgresql"


def narrows_companies(filters: ReportFilters) -> bool:
    """Whether any filter needs the Company row (so a deal-only query can skip the join)."""
    return bool(filters.category or filters.industry or filters.lead_source_id)


def ratio(part, whole) -> float | None:
    """part / whole as a fraction, or None when there is nothing to divide by."""
    if not whole:
        return None
    return float(part or 0) / float(whole)


# ---------------------------------------------------------------------------------------
# The shape of a report


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # one of VALUE_KINDS


@dataclass
class Row:
    """One table row: its label, its values by column key, and drill keys by column key.

    ``drill[column_key]`` is a string the report's drill function understands (e.g.
    "won:source=12"); the page links that cell to the list of companies or deals behind it.
    ``drill["label"]`` links the row's label.
    """

    label: str
    values: dict[str, Any]
    drill: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    title: str | None = None
    # What the table shows when it has no rows: "No deals were won in this period."
    empty: str | None = None


@dataclass
class Series:
    label: str
    values: list[float | None]


@dataclass
class Chart:
    """Numbers for a server-side SVG chart (drawn by the reports' chart templates).

    kind: "bar" (vertical bars, one group per label, one bar per series), "hbar"
    (horizontal bars — for long labels such as industries or competitors), "stacked"
    (vertical bars, series stacked), "line" (a trend over time, one line per series),
    "funnel" (one series, widest first; the step-to-step % is printed).
    """

    kind: str
    labels: list[str]
    series: list[Series]
    value_kind: str = "count"
    title: str = ""


@dataclass
class KeyFigure:
    label: str
    value: Any
    kind: str = "count"
    drill: str | None = None
    # A short line under the figure: "of 412 deals closed".
    note: str | None = None


@dataclass
class Report:
    key_figures: list[KeyFigure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    # Remarks a manager should read with the numbers ("37 won deals have no lead source").
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(table.rows for table in self.tables)


@dataclass
class Drill:
    """The records behind a number: ``ids`` selects Company.id or Deal.id (by ``kind``)."""

    kind: str  # "companies" or "deals"
    title: str
    ids: Select


@dataclass
class ReportSpec:
    slug: str
    title: Any  # lazy strings: translated when shown
    question: Any  # the one question the page answers, in a line
    definition: Any  # exactly what is counted: shown on the page, in the PDF and docs
    build: Callable[[ReportFilters], Report]
    drill: Callable[[ReportFilters, str], Drill | None]
    order: int
    filters: tuple[str, ...] = FILTER_NAMES  # the filters that change this report


REPORTS: dict[str, ReportSpec] = {}


def register(spec: ReportSpec) -> ReportSpec:
    if spec.slug in REPORTS:
        raise ValueError(f"report {spec.slug!r} is registered twice")
    REPORTS[spec.slug] = spec
    return spec


def ordered_reports() -> list[ReportSpec]:
    return sorted(REPORTS.values(), key=lambda spec: spec.order)
