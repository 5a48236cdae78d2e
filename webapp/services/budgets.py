"""Budgets: the monthly sales targets of the company and of each salesperson, entered in a grid."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, text

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.pipeline import Budget
from webapp.models.user import User
from webapp.services.audit import record_change
from webapp.services.forecast import add_months, month_range, month_start

GRID_MONTHS = 12
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
CENT = Decimal("0.01")
COMPANY = "all"  # the cell key of the whole company's row
# PostgreSQL: one transaction at a time checks and saves the grid (any fixed number will do).
SAVE_LOCK = 4_711_001


class InvalidAmount(ValueError):
    """A budget amount Kanel cannot read; the message says how to write it."""


class StaleGrid(Exception):
    """Someone saved budgets in the grid's months after it was opened; nothing was saved."""

    def __init__(self, changes: list[Change], token: str, seen: int):
        super().__init__("stale budget grid")
        self.changes = changes
        self.token = token
        self.seen = seen


def parse_amount(text: str | None, locale=None) -> Decimal | None:
    """Read an amount typed in the user's locale (125.000,50 in Danish, 125,000.50 in English)."""
    raw = (text or "").strip()
    if not raw:
        return None
    locale = str(locale or get_locale() or "en")
    cleaned = re.sub(r"(?i)(dkk|kr\.?)", "", raw)
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", cleaned)
    example = f"125{get_group_symbol(locale)}000{get_decimal_symbol(locale)}50"
    if cleaned.startswith("-"):
        raise InvalidAmount(_("A budget cannot be negative."))
    try:
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError as error:
        raise InvalidAmount(_("Write the amount like %(example)s.", example=example)) from error
    if not value.is_finite() or value < 0:
        raise InvalidAmount(_("Write the amount like %(example)s.", example=example))
    if value != value.quantize(Decimal("0.01")):
        raise InvalidAmount(_("At most two decimals (øre)."))
    if value > MAX_AMOUNT:
        raise InvalidAmount(_("That amount is too large."))
    return value.quantize(Decimal("0.01"))


def cell_key(user_id: int | None, month: date) -> str:
    """The form field name of one cell: b-all-2026-11 or b-17-2026-11."""
    return f"b-{user_id or COMPANY}-{month:%Y-%m}"


def grid_months(today: date, past: bool = False) -> list[date]:
    """The next 12 months from today's, or the 12 before it."""
    first = month_start(today)
    return month_range(add_months(first, -GRID_MONTHS) if past else first, GRID_MONTHS)


@dataclass
class Grid:
    """What the budget form shows: its months, rows and the stored amounts."""

    months: list[date]
    users: list[User]  # the salespeople's rows, after the whole company's
    amounts: dict[tuple[int | None, date], Decimal] = field(default_factory=dict)

    @property
    def token(self) -> str:
        return grid_token(self.amounts)


def grid_token(amounts: dict) -> str:
    """A fingerprint of the stored budgets of a grid, to notice a colleague's save."""
    text = ";".join(
        f"{month.isoformat()}:{user_id or 0}:{amount}"
        for (user_id, month), amount in sorted(
            amounts.items(), key=lambda item: (item[0][1], item[0][0] or 0)
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def stored_amounts(months: list[date]) -> dict[tuple[int | None, date], Decimal]:
    rows = db.session.execute(
        select(Budget.user_id, Budget.month, Budget.amount).where(
            Budget.month >= months[0], Budget.month <= months[-1]
        )
    )
    return {(user_id, month): Decimal(str(amount)) for user_id, month, amount in rows}


def load_grid(months: list[date]) -> Grid:
    """Active salespeople (and anyone else holding a budget in the months) and the amounts."""
    amounts = stored_amounts(months)
    holders = {user_id for user_id, _month in amounts if user_id is not None}
    users = list(
        db.session.scalars(
            select(User)
            .where(
                or_(
                    User.active.is_(True) & (User.department == "sales"),
                    User.id.in_(holders),
                )
            )
            .order_by(User.active.desc(), func.lower(User.name), User.id)
        )
    )
    return Grid(months=months, users=users, amounts=amounts)


def last_change_id() -> int:
    """The newest budget history row, so a refused save can say what happened since."""
    return db.session.scalar(select(func.max(Change.id)).where(Change.entity == "budget")) or 0


def changes_since(seen: int, months: list[date]) -> list[Change]:
    """Budget history rows written after `seen` for the grid's months (newest first)."""
    prefixes = {f"{month:%Y-%m}" for month in months}
    rows = db.session.scalars(
        select(Change)
        .where(Change.entity == "budget", Change.id > seen)
        .order_by(Change.id.desc())
        .limit(200)
    )
    return [row for row in rows if row.field.split("/", 1)[0] in prefixes][:20]


def read_cells(grid: Grid, form) -> tuple[dict, dict]:
    """The typed amounts of every cell in the form, and an error message per bad cell."""
    values, errors = {}, {}
    rows = [None] + [u.id for u in grid.users]
    for user_id in rows:
        for month in grid.months:
            key = cell_key(user_id, month)
            if key not in form:
                continue  # a row that was not in the form the user saw stays as it is
            try:
                values[(user_id, month)] = parse_amount(form.get(key))
            except InvalidAmount as error:
                errors[key] = str(error)
    return values, errors


def save_grid(grid: Grid, values: dict, token: str, seen: int, user) -> int:
    """Upsert the typed budgets and delete emptied ones; return how many changed.

    Refuses (StaleGrid, nothing changed) when the stored budgets differ from those the
    form was opened with, so no colleague's save is overwritten unseen.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        # Two saves at once must not both pass the check below (and the company's rows,
        # user_id NULL, are not covered by the unique constraint).
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SAVE_LOCK})
    current = stored_amounts(grid.months)
    if grid_token(current) != token:
        raise StaleGrid(changes_since(seen, grid.months), grid_token(current), last_change_id())
    existing = {
        (b.user_id, b.month): b
        for b in db.session.scalars(
            select(Budget).where(Budget.month >= grid.months[0], Budget.month <= grid.months[-1])
        )
    }
    changed = 0
    for (user_id, month), amount in values.items():
        budget = existing.get((user_id, month))
        old = Decimal(str(budget.amount)).quantize(CENT) if budget is not None else None
        if old is not None and amount is not None and old == amount:
            continue
        if old is None and amount is None:
            continue
        label = f"{month:%Y-%m}/{user_id or COMPANY}"
        if amount is None:
            record_change("budget", budget.id, label, old, None, user)
            db.session.delete(budget)
        elif budget is None:
            budget = Budget(month=month, user_id=user_id, amount=amount)
            db.session.add(budget)
            db.session.flush()
            record_change("budget", budget.id, label, None, amount, user)
        else:
            budget.amount = amount
            record_change("budget", budget.id, label, old, amount, user)
        changed += 1
    db.session.flush()
    return changed


def describe_field(field_name: str, names: dict[int, str]) -> tuple[date | None, str | None]:
    """The month and whose budget a history row's field names ("2026-11/17", "2026-11/all")."""
    month_text, _sep, who = field_name.partition("/")
    try:
        month = date.fromisoformat(month_text + "-01")
    except ValueError:
        return None, None
    if who == COMPANY:
        return month, None
    return month, names.get(int(who)) if who.isdigit() else who
