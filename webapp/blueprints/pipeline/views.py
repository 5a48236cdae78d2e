"""The board, its column pages, and the move endpoint every drag and "Move to" posts to."""

import re
from decimal import Decimal

from babel.numbers import format_currency, get_decimal_symbol, get_group_symbol
from flask import abort, flash, redirect, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, InputRequired, Optional

from webapp.blueprints.pipeline import bp
from webapp.blueprints.pipeline import queries as q
from webapp.extensions import db
from webapp.htmx import render, render_message, wants_fragment
from webapp.models.audit import Change
from webapp.models.pipeline import Deal, Stage, StageChange
from webapp.models.user import utcnow
from webapp.permissions import role_required
from webapp.services.pipeline import (
    KIND_WITH_ARTICLE,
    DealStateError,
    StageRuleError,
    missing_requirements,
    move_deal,
)

MONEY_SPACING = re.compile(r"^([A-Z]{3})(?=[-\d])")  # as webapp.i18n.money
REFUSAL_KEY = "board_refusal"  # a refused no-JavaScript move, shown once on the next board


class MoveForm(FlaskForm):
    """Move a deal to another stage: the drag (via=board) and the "Move to" control."""

    stage_id = IntegerField(validators=[InputRequired()])
    version = IntegerField(validators=[Optional()])
    via = HiddenField(default="keyboard", validators=[AnyOf(["board", "keyboard"])])


class CardText:
    """What every card on a page says and links to, worked out once per page.

    A board with 2,000 open deals shows 125 cards: translating, building URLs and formatting
    money per card would be most of the page's time.
    """

    TOKEN = 987654321

    def __init__(self):
        self.locale = get_locale()
        self.move = _("Move")
        self.move_to = _("Move to")
        self.no_owner = _("No owner")
        self._card = self._pattern("customers.card", "company_id")
        self._deal = self._pattern("deals.detail", "deal_id")
        self._move = self._pattern("pipeline.move", "deal_id")
        self._days: dict[int, str] = {}
        self._rot: dict[int, str] = {}
        self._layouts: dict[str, tuple | None] = {}

    def _pattern(self, endpoint: str, key: str) -> tuple[str, str]:
        # Build the URL once with a token and splice ids in: url_for per card is slow.
        url = url_for(endpoint, **{key: self.TOKEN})
        before, _sep, after = url.partition(str(self.TOKEN))
        return before, after

    @staticmethod
    def _url(pattern, ident) -> str:
        return f"{pattern[0]}{ident}{pattern[1]}"

    def card_url(self, deal) -> str:
        return self._url(self._card, deal.company_id)

    def deal_url(self, deal) -> str:
        return self._url(self._deal, deal.id)

    def move_url(self, deal) -> str:
        return self._url(self._move, deal.id)

    def days(self, n: int) -> str:
        if n not in self._days:
            self._days[n] = ngettext("%(num)s day in stage", "%(num)s days in stage", n)
        return self._days[n]

    def rotting(self, n: int) -> str:
        if n not in self._rot:
            self._rot[n] = _("Rotting: %(n)s days", n=n)
        return self._rot[n]

    def money(self, amount, currency="DKK") -> str:
        """As the money filter, without Babel's pattern engine for every card.

        The locale's layout is read once per currency from a formatted sample; non-negative
        amounts with two decimals are then laid out with plain string work.
        """
        amount = Decimal(amount)
        layout = self._layouts.get(currency)
        if layout is None:
            layout = self._layouts[currency] = self._layout(currency)
        if not layout or amount < 0:
            return self._babel_money(amount, currency)
        before, group, decimal, after = layout
        whole, cents = divmod(int(amount.quantize(Decimal("0.01")) * 100), 100)
        number = f"{whole:,}" if group == "," else f"{whole:,}".replace(",", group)
        return f"{before}{number}{decimal}{cents:02d}{after}"

    def _babel_money(self, amount, currency) -> str:
        text = format_currency(amount, currency, locale=self.locale)
        return MONEY_SPACING.sub("\\1\xa0", text)

    def _layout(self, currency):
        group, decimal = get_group_symbol(self.locale), get_decimal_symbol(self.locale)
        sample = self._babel_money(Decimal("1234567.89"), currency)
        number = f"1{group}234{group}567{decimal}89"
        if sample.count(number) != 1:
            return None
        before, after = sample.split(number)
        return before, group, decimal, after


def log_link(deal, missing) -> str:
    """The company card's log form with the missing kind chosen and the deal named."""
    return url_for(
        "customers.card",
        company_id=deal.company_id,
        log_kind=missing.first_kind,
        deal=deal.id,
        _anchor="log-form",
    )


def refusal_context(deal, stage, missing) -> dict:
    return {
        "deal": deal,
        "target": stage,
        "missing": [
            (
                m.describe(),
                log_link(deal, m),
                str(KIND_WITH_ARTICLE.get(m.first_kind, m.first_kind)),
            )
            for m in missing
        ],
    }


def _pop_refusal() -> dict | None:
    """The refusal of a move made without JavaScript, checked again against the rules."""
    saved = session.pop(REFUSAL_KEY, None)
    if not isinstance(saved, dict):
        return None
    deal = db.session.get(Deal, saved.get("deal") or 0)
    stage = db.session.get(Stage, saved.get("stage") or 0)
    if deal is None or stage is None or deal.outcome != "open":
        return None
    missing = missing_requirements(deal, stage)
    return refusal_context(deal, stage, missing) if missing else None


def card_context(filters, stages, now) -> dict:
    """What pipeline/_card.html needs beside the deal."""
    return {
        "filters": filters,
        "filter_args": filters.to_args(),
        "stages": stages,
        "now": now,
        "text": CardText(),
    }


@bp.get("/")
@role_required("employee")
def board():
    """Show a column per active stage with its totals and first cards, filtered by the URL."""
    filters = q.BoardFilters.from_args(request.args)
    now = utcnow()
    stages = q.board_stages()
    owners, campaigns = q.filter_choices()
    response = render(
        "pipeline/board.html",
        block="board",
        totals=q.column_totals(filters, current_user, stages, now),
        cards=q.first_cards(filters, current_user, stages, now),
        owners=owners,
        owner_names={str(u.id): u.name for u in owners},
        campaigns=campaigns,
        campaign_names={c.id: c.name for c in campaigns},
        categories=q.CATEGORIES,
        refusal=_pop_refusal(),
        new_deal_url=url_for("deals.new"),
        page_size=q.PAGE_SIZE,
        **card_context(filters, stages, now),
    )
    if wants_fragment():
        response.headers["HX-Push-Url"] = url_for("pipeline.board", **filters.to_args())
    return response


@bp.get("/stages/<int:stage_id>/cards")
@role_required("employee")
def column(stage_id):
    """One page of a column's cards: appended by "show more", or a page of its own."""
    stage = db.session.get(Stage, stage_id)
    if stage is None or not stage.active:
        abort(404)
    filters = q.BoardFilters.from_args(request.args)
    page = max(1, min(q._positive_int(request.args.get("page")) or 1, 100_000))
    now = utcnow()
    stages = q.board_stages()
    deals, more = q.column_page(stage, filters, current_user, stages, page, now)
    template = "pipeline/_more.html" if wants_fragment() else "pipeline/column.html"
    return render(
        template,
        stage=stage,
        deals=deals,
        page=page,
        more=more,
        totals=q.column_totals(filters, current_user, [stage], now).get(stage.id, q.ColumnTotals()),
        **card_context(filters, stages, now),
    )


def _last_change_text(deal) -> str:
    """Who changed the deal last and how, from its moves and its history rows."""
    moved = db.session.scalar(
        select(StageChange)
        .where(StageChange.deal_id == deal.id)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        .limit(1)
    )
    edited = db.session.scalar(
        select(Change)
        .where(Change.entity == "deal", Change.entity_id == deal.id)
        .order_by(Change.changed_at.desc(), Change.id.desc())
        .limit(1)
    )
    if edited is not None and (moved is None or edited.changed_at > moved.changed_at):
        who = edited.user.name if edited.user else _("Someone")
        return _("%(who)s changed the deal (%(field)s) meanwhile.", who=who, field=edited.field)
    if moved is not None and moved.to_stage is not None:
        who = moved.user.name if moved.user else _("Someone")
        return _("%(who)s moved it to %(stage)s meanwhile.", who=who, stage=moved.to_stage.name)
    return _("Someone changed the deal meanwhile.")


@bp.post("/deals/<int:deal_id>/move")
@role_required("employee")
def move(deal_id):
    """Move a deal to another stage through the one gate; refuse with what is missing."""
    deal = q.get_deal_for_move(deal_id)
    if deal is None:
        abort(404)
    form = MoveForm()
    filters = q.BoardFilters.from_args(request.form)
    back = url_for("pipeline.board", **filters.to_args(), _anchor=f"deal-{deal.id}")
    if not form.validate_on_submit():
        return _refuse(_("Choose the stage to move the deal to."), 422, back)
    stage = db.session.get(Stage, form.stage_id.data)
    if stage is None:
        return _refuse(_("Choose the stage to move the deal to."), 422, back)
    title = deal.title
    if form.version.data is not None and form.version.data != deal.version:
        message = _("Not moved: “%(title)s” was changed by someone else.", title=title)
        message += " " + _last_change_text(deal)
        return _refuse(message, 409, back, reload=True)
    via = form.via.data or "keyboard"
    from_stage = deal.stage
    try:
        move_deal(deal, stage, current_user, via=via)
    except StageRuleError as error:
        # The gate refuses before it changes anything: nothing to roll back.
        context = refusal_context(deal, stage, error.missing)
        if wants_fragment():
            return render_message("pipeline/_refusal.html", 422, **context)
        session[REFUSAL_KEY] = {"deal": deal.id, "stage": stage.id}
        return redirect(back, 303)
    except DealStateError as error:
        return _refuse(str(error), 422, back)
    db.session.commit()
    message = _("Moved “%(title)s” to %(stage)s.", title=title, stage=stage.name)
    if not wants_fragment():
        flash(message, "success")
        return redirect(back, 303)
    now = utcnow()
    stages = q.board_stages()
    return render(
        "pipeline/_moved.html",
        deal=deal,
        via=via,
        changed=[s for s in stages if s.id in (from_stage.id, stage.id)],
        totals=q.column_totals(filters, current_user, stages, now),
        message=message,
        **card_context(filters, stages, now),
    )


def _refuse(message: str, status: int, back: str, reload: bool = False):
    if wants_fragment():
        return render_message("pipeline/_message.html", status, message=message, reload=reload)
    flash(message, "error")
    return redirect(back, 303)
