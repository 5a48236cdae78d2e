"""The forecast page and the budget grid."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal, get_group_symbol, parse_pattern
from flask import flash, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.blueprints.forecast import bp
from webapp.blueprints.forecast.chart import bar_chart
from webapp.extensions import db
from webapp.htmx import hx_redirect, render, wants_fragment
from webapp.models.user import User
from webapp.permissions import role_required
from webapp.services import budgets as budget_service
from webapp.services.forecast import CATEGORIES, ForecastFilters, forecast


def today() -> date:
    return date.today()


@lru_cache(maxsize=8)
def _money_format(locale_name: str) -> tuple[str, str, str]:
    """The locale's DKK prefix and suffix (around a whole number) and its group separator."""
    locale = Locale.parse(locale_name)
    currency = parse_pattern(locale.currency_formats["standard"].pattern.replace(".00", ""))
    zero = currency.apply(Decimal("0"), locale, currency="DKK", currency_digits=False)
    prefix, _zero, suffix = zero.partition("0")
    # CLDR's English pattern glues the code to the number; a space reads better.
    if prefix and not prefix.endswith(("\xa0", " ")):
        prefix += "\xa0"
    return prefix, suffix, get_group_symbol(locale)


class ForecastFormat:
    """The forecast's amounts and deviation words in the user's locale.

    A page shows hundreds of figures: the patterns are parsed and the labels translated
    once per page, not once per cell.
    """

    def __init__(self):
        self.prefix, self.suffix, self.group = _money_format(str(get_locale() or "en"))
        self.no_budget = _("no budget")
        self.budget_of = _("budget %(amount)s")
        self.words = {
            "behind": ("▼ ", _("%(p)s %% behind"), _("behind")),
            "ahead": ("▲ ", _("%(p)s %% ahead"), _("ahead")),
            "on": ("● ", None, _("on budget")),
        }

    def kroner(self, amount, signed: bool = False) -> str:
        """Money in whole kroner: DKK 125,000 (English) or 125.000 kr. (Danish)."""
        if amount is None:
            return ""
        whole = int(Decimal(amount).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
        text = self.prefix + self.number(abs(whole)) + self.suffix
        if whole < 0:
            return "-" + text
        return "+" + text if signed and whole > 0 else text

    def number(self, whole: int) -> str:
        return f"{whole:,}".replace(",", self.group)

    def deviation(self, figures) -> str:
        """▼ 23 % behind, ▲ 5 % ahead or ● on budget ("" without a budget)."""
        if figures.trend is None:
            return ""
        arrow, with_percent, bare = self.words[figures.trend]
        percent = figures.deviation_percent
        if with_percent is None or percent is None:
            return arrow + bare
        return arrow + with_percent % {"p": self.number(abs(percent))}

    def budget(self, figures) -> str:
        if figures.budget is None:
            return self.no_budget
        return self.budget_of % {"amount": self.kroner(figures.budget)}


def amount_text(amount) -> str:
    """A budget as typed back into its cell: 125.000 or 125.000,50 (Danish)."""
    if amount is None:
        return ""
    whole = amount == amount.to_integral_value()
    return format_decimal(amount, format="#,##0" if whole else "#,##0.00", locale=get_locale())


def owner_choices() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name)))


@bp.get("/")
@role_required("employee")
def index():
    """Show won, weighted pipeline and budget for six months, for the company and per person."""
    filters = ForecastFilters.from_args(request.args)
    result = forecast(filters, current_user, today())
    fmt = ForecastFormat()
    owners = owner_choices()
    names = {str(u.id): u.name for u in owners}
    names.update({str(p.user_id): p.name for p in result.people if p.user_id})
    if filters.owner == "mine":
        budget_holder = current_user.name
    else:
        budget_holder = names.get(filters.owner) if filters.owner else None
    response = render(
        "forecast/index.html",
        block="forecast_figures",
        filters=filters,
        result=result,
        owners=owners,
        owner_names=names,
        budget_holder=budget_holder,
        categories=CATEGORIES,
        chart=bar_chart(result.months, result.figures, fmt.kroner),
        fmt=fmt,
        kroner=fmt.kroner,
        month_names=[format_date(m, "MMMM yyyy") for m in result.months],
        month_short=[format_date(m, "MMM yyyy") for m in result.months],
        may_budget=current_user.has_role("manager"),
    )
    if wants_fragment():
        response.headers["HX-Push-Url"] = url_for("forecast.index", **filters.to_args())
    return response


def _grid_page(grid, past, typed, errors=None, stale=None, token=None, seen=None, status=200):
    names = {u.id: u.name for u in grid.users}
    kroner = ForecastFormat().kroner
    stale_rows = []
    for change in stale or []:
        month, who = budget_service.describe_field(change.field, names)
        stale_rows.append(
            {
                "who": change.user.name if change.user else _("Someone"),
                "month": format_date(month, "MMMM yyyy") if month else change.field,
                "whose": who or _("the whole company"),
                "old": kroner(Decimal(change.old)) if change.old else None,
                "new": kroner(Decimal(change.new)) if change.new else None,
                "when": change.changed_at,
            }
        )
    return render(
        "forecast/budgets.html",
        grid=grid,
        past=past,
        typed=typed,
        errors=errors or {},
        stale=stale,
        stale_rows=stale_rows,
        token=token if token is not None else grid.token,
        seen=seen if seen is not None else budget_service.last_change_id(),
        cell_key=budget_service.cell_key,
        example=amount_text(Decimal("125000.50")),
        example_whole=amount_text(Decimal("125000")),
        current_month=today().replace(day=1),
        status=status,
    )


@bp.route("/budgets", methods=["GET", "POST"])
@role_required("manager")
def budgets():
    """Enter monthly budgets for the company and each salesperson; refuse stale saves."""
    past = request.values.get("period") == "past"
    grid = budget_service.load_grid(budget_service.grid_months(today(), past))
    if request.method == "GET":
        typed = {
            budget_service.cell_key(user_id, month): amount_text(amount)
            for (user_id, month), amount in grid.amounts.items()
        }
        return _grid_page(grid, past, typed)

    typed = {key: request.form.get(key, "") for key in request.form if key.startswith("b-")}
    values, errors = budget_service.read_cells(grid, request.form)
    if errors:
        return _grid_page(
            grid,
            past,
            typed,
            errors=errors,
            token=request.form.get("token", ""),
            seen=_int(request.form.get("seen")),
            status=422,
        )
    try:
        changed = budget_service.save_grid(
            grid,
            values,
            request.form.get("token", ""),
            _int(request.form.get("seen")),
            current_user,
        )
    except budget_service.StaleGrid as stale:
        return _grid_page(
            grid,
            past,
            typed,
            stale=stale.changes,
            token=stale.token,
            seen=stale.seen,
            status=409,
        )
    db.session.commit()
    if changed:
        flash(
            ngettext("Saved %(num)s budget change.", "Saved %(num)s budget changes.", changed),
            "success",
        )
    else:
        flash(_("Nothing changed."), "info")
    return hx_redirect(url_for("forecast.budgets", period="past" if past else None))


def _int(value) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0
