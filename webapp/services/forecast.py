"""Forecast against budget: won, weighted open pipeline and budget per month and salesperson.

Every figure comes from a handful of aggregate queries grouped by month bucket and owner; the
month buckets are CASE conditions over boundaries computed here, so SQLite and PostgreSQL run
the same SQL without date functions.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select

from webapp.extensions import db
from webapp.models.customer import Company
from webapp.models.pipeline import Budget, Deal, Stage
from webapp.models.user import User

MONTHS = 6
CATEGORIES = ("A", "B", "C")
CENT = Decimal("0.01")
ZERO = Decimal("0")
# Bucket numbers beside the month indexes 0..MONTHS-1.
NO_DATE = -1  # an open deal without an expected close date
OVERDUE = -2  # an open deal whose expected close date has passed: counts in the current month


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or before) `month`."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_range(first: date, count: int) -> list[date]:
    return [add_months(first, n) for n in range(count)]


def cents(amount) -> Decimal:
    return Decimal(str(amount or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _positive_int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


@dataclass(frozen=True)
class ForecastFilters:
    """What the forecast covers, as kept in the URL: owner ("mine" or a user id), category."""

    owner: str | None = None
    category: str | None = None

    @classmethod
    def from_args(cls, args) -> "ForecastFilters":
        owner = (args.get("owner") or "").strip()
        if owner != "mine":
            owner = str(_positive_int(owner)) if _positive_int(owner) else None
        category = (args.get("category") or "").strip().upper()
        return cls(owner=owner, category=category if category in CATEGORIES else None)

    def owner_id(self, user) -> int | None:
        if self.owner == "mine":
            return user.id if user is not None else None
        return int(self.owner) if self.owner else None

    def to_args(self, **changes) -> dict:
        """The filters as URL arguments (empty ones left out); changes override (None removes)."""
        filters = replace(self, **changes)
        args = {"owner": filters.owner, "category": filters.category}
        return {k: v for k, v in args.items() if v}

    @property
    def narrowed(self) -> bool:
        return bool(self.owner or self.category)


@dataclass
class Figures:
    """Won, weighted open pipeline and budget for one month (or a sum of months)."""

    won: Decimal = ZERO
    weighted: Decimal = ZERO
    budget: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return self.won + self.weighted

    @property
    def deviation(self) -> Decimal | None:
        return None if self.budget is None else self.total - self.budget

    @property
    def deviation_percent(self) -> int | None:
        """The deviation as a whole percentage of the budget (None without a positive budget)."""
        if self.budget is None or self.budget <= 0:
            return None
        percent = self.deviation * 100 / self.budget
        return int(percent.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def trend(self) -> str | None:
        """ "behind", "ahead" or "on" budget; None when there is no budget."""
        if self.budget is None:
            return None
        deviation = self.won + self.weighted - self.budget
        if deviation < 0:
            return "behind"
        return "ahead" if deviation > 0 else "on"

    def add(self, other: "Figures") -> None:
        self.won += other.won
        self.weighted += other.weighted
        if other.budget is not None:
            self.budget = (self.budget or ZERO) + other.budget


@dataclass
class OpenExtra:
    """Open deals outside the month buckets, shown as their own figures."""

    count: int = 0
    value: Decimal = ZERO
    weighted: Decimal = ZERO


@dataclass
class PersonRow:
    user_id: int | None
    name: str | None
    active: bool = True
    months: list[Figures] = field(default_factory=list)
    no_date: OpenExtra = field(default_factory=OpenExtra)

    @property
    def total(self) -> Figures:
        return _summed(self.months)


@dataclass
class Forecast:
    months: list[date]
    figures: list[Figures]  # one per month: the filtered deals against the matching budget
    overdue: OpenExtra  # included in the current month
    no_date: OpenExtra  # not in any month
    people: list[PersonRow]
    people_totals: list[Figures]  # per month: the sum of the rows above (personal budgets)
    budget_owner_id: int | None  # whose budget the first table compares with (None: company)

    @property
    def total(self) -> Figures:
        return _summed(self.figures)

    @property
    def people_total(self) -> Figures:
        return _summed(self.people_totals)


def _summed(rows) -> Figures:
    total = Figures()
    for row in rows:
        total.add(row)
    return total


def _month_bucket(column, months: list[date], today: date | None = None):
    """CASE: the index of the month `column` falls in (or OVERDUE / NO_DATE for open deals)."""
    whens = []
    if today is not None:
        whens += [(column.is_(None), NO_DATE), (column < today, OVERDUE)]
    whens += [(column < add_months(month, 1), n) for n, month in enumerate(months)]
    return case(*whens, else_=None)


def _deal_conditions(filters: ForecastFilters, user) -> list:
    conditions = []
    owner_id = filters.owner_id(user)
    if owner_id is not None:
        conditions.append(Deal.owner_id == owner_id)
    if filters.category is not None:
        conditions.append(Company.category == filters.category)
    return conditions


def _with_company(stmt, filters: ForecastFilters):
    return stmt.join(Company, Company.id == Deal.company_id) if filters.category else stmt


def won_by_month(filters, user, months: list[date]):
    """(bucket, owner id, owner name, sum of value) of won deals closed in the months."""
    start, end = months[0], add_months(months[-1], 1)
    inner = _with_company(
        select(
            _month_bucket(Deal.closed_at, months).label("bucket"),
            Deal.owner_id.label("owner_id"),
            Deal.value.label("value"),
        ).where(
            Deal.outcome == "won",
            Deal.closed_at >= start,
            Deal.closed_at < end,
            *_deal_conditions(filters, user),
        ),
        filters,
    ).subquery()
    stmt = (
        select(inner.c.bucket, inner.c.owner_id, User.name, User.active, func.sum(inner.c.value))
        .outerjoin(User, User.id == inner.c.owner_id)
        .group_by(inner.c.bucket, inner.c.owner_id, User.name, User.active)
    )
    return db.session.execute(stmt).all()


def open_by_month(filters, user, months: list[date], today: date):
    """(bucket, owner id, name, active, count, sum of value, sum of value × probability).

    Open deals expected to close in the months, overdue ones, and those without a date.
    """
    end = add_months(months[-1], 1)
    probability = func.coalesce(Deal.probability_override, Stage.probability)
    inner = _with_company(
        select(
            _month_bucket(Deal.expected_close, months, today).label("bucket"),
            Deal.owner_id.label("owner_id"),
            Deal.value.label("value"),
            (Deal.value * probability).label("value_x_probability"),
        )
        .join(Stage, Stage.id == Deal.stage_id)
        .where(
            Deal.outcome == "open",
            (Deal.expected_close.is_(None)) | (Deal.expected_close < end),
            *_deal_conditions(filters, user),
        ),
        filters,
    ).subquery()
    stmt = (
        select(
            inner.c.bucket,
            inner.c.owner_id,
            User.name,
            User.active,
            func.count(),
            func.sum(inner.c.value),
            func.sum(inner.c.value_x_probability),
        )
        .outerjoin(User, User.id == inner.c.owner_id)
        .group_by(inner.c.bucket, inner.c.owner_id, User.name, User.active)
    )
    return db.session.execute(stmt).all()


def budgets_in(months: list[date]):
    """(month, user id, name, active, amount) of every budget row in the months."""
    stmt = (
        select(Budget.month, Budget.user_id, User.name, User.active, Budget.amount)
        .outerjoin(User, User.id == Budget.user_id)
        .where(Budget.month >= months[0], Budget.month <= months[-1])
    )
    return db.session.execute(stmt).all()


def forecast(filters: ForecastFilters, user, today: date, count: int = MONTHS) -> Forecast:
    """The forecast for `count` months from today's month: three aggregate queries."""
    months = month_range(month_start(today), count)
    index = {month: n for n, month in enumerate(months)}
    owner_id = filters.owner_id(user)
    people: dict[int | None, PersonRow] = {}

    def person(user_id, name, active) -> PersonRow:
        if user_id not in people:
            people[user_id] = PersonRow(
                user_id, name, bool(active) if user_id else True, [Figures() for _ in months]
            )
        return people[user_id]

    # Raw sums per owner first; rounding happens once per shown figure.
    won = [ZERO] * count
    weighted_x100 = [ZERO] * count
    person_weighted_x100: dict[int | None, list[Decimal]] = {}
    overdue, no_date = OpenExtra(), OpenExtra()
    overdue_x100 = no_date_x100 = ZERO

    for bucket, user_id, name, active, amount in won_by_month(filters, user, months):
        if bucket is None:
            continue
        value = Decimal(str(amount or 0))
        won[bucket] += value
        person(user_id, name, active).months[bucket].won += value

    for bucket, user_id, name, active, n, amount, x100 in open_by_month(
        filters, user, months, today
    ):
        if bucket is None:
            continue
        value, x100 = Decimal(str(amount or 0)), Decimal(str(x100 or 0))
        row = person(user_id, name, active)
        if bucket == NO_DATE:
            no_date.count += n
            no_date.value += value
            no_date_x100 += x100
            row.no_date.count += n
            row.no_date.value += value
            row.no_date.weighted += x100  # divided by 100 below
            continue
        if bucket == OVERDUE:
            overdue.count += n
            overdue.value += value
            overdue_x100 += x100
            bucket = 0
        weighted_x100[bucket] += x100
        person_weighted_x100.setdefault(user_id, [ZERO] * count)[bucket] += x100

    company_budget: dict[date, Decimal] = {}
    for month, user_id, name, active, amount in budgets_in(months):
        if user_id is None:
            company_budget[month] = Decimal(str(amount))
            continue
        if owner_id is not None and user_id != owner_id:
            continue
        person(user_id, name, active).months[index[month]].budget = Decimal(str(amount))

    for user_id, sums in person_weighted_x100.items():
        for n, x100 in enumerate(sums):
            people[user_id].months[n].weighted = cents(x100 / 100)
    for row in people.values():
        for cell in row.months:
            cell.won = cents(cell.won)
        row.no_date.value = cents(row.no_date.value)
        row.no_date.weighted = cents(row.no_date.weighted / 100)

    if owner_id is None:
        budgets = [company_budget.get(month) for month in months]
    else:
        mine = people.get(owner_id)
        budgets = [cell.budget for cell in mine.months] if mine else [None] * count
    figures = [
        Figures(won=cents(won[n]), weighted=cents(weighted_x100[n] / 100), budget=budgets[n])
        for n in range(count)
    ]
    overdue.weighted, no_date.weighted = cents(overdue_x100 / 100), cents(no_date_x100 / 100)
    overdue.value, no_date.value = cents(overdue.value), cents(no_date.value)

    rows = sorted(
        people.values(),
        key=lambda r: (r.user_id is None, (r.name or "").casefold(), r.user_id or 0),
    )
    totals = [Figures() for _ in months]
    for row in rows:
        for n, cell in enumerate(row.months):
            totals[n].add(cell)
    return Forecast(
        months=months,
        figures=figures,
        overdue=overdue,
        no_date=no_date,
        people=rows,
        people_totals=totals,
        budget_owner_id=owner_id,
    )
