"""Deal pages: create, edit, the deal page with its log, won, lost, reopen, deal groups."""

from decimal import Decimal

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.blueprints.activities.sections import new_log_form
from webapp.blueprints.activities.views import data_from
from webapp.blueprints.deals import bp, queries
from webapp.blueprints.deals.forms import ConfirmForm, DealForm, LoseForm, WinForm
from webapp.extensions import db
from webapp.htmx import hx_redirect, render, wants_fragment
from webapp.models.customer import Company
from webapp.models.pipeline import OUTCOMES
from webapp.permissions import role_required
from webapp.services import activities as activity_service
from webapp.services import deals as service
from webapp.services.activities import local_today
from webapp.services.pipeline import (
    DealStateError,
    MissingRequirement,
    StageRuleError,
    missing_requirements,
    ordered_stages,
)

VIA_LABELS = {
    "form": _l("deal form"),
    "board": _l("board"),
    "keyboard": _l("move menu"),
    "import": _l("import"),
    "api": _l("API"),
    "reopen": _l("reopened"),
    "demo": _l("deal form"),
}
FIELD_LABELS = {
    "created": _l("Created"),
    "title": _l("Title"),
    "value": _l("Value"),
    "owner": _l("Owner"),
    "expected_close": _l("Expected close"),
    "probability_override": _l("Probability set by hand"),
    "campaign": _l("Campaign"),
    "stage": _l("Stage"),
    "outcome": _l("Outcome"),
    "lost_reason": _l("Lost because"),
    "competitor": _l("Competitor"),
}


def to_deal(deal, anchor=None):
    """Go to the deal page after a change: a whole new page (its htmx fragments are parts)."""
    return hx_redirect(url_for("deals.detail", deal_id=deal.id, _anchor=anchor), full_reload=True)


def get_deal_or_404(deal_id: int):
    deal = queries.get_deal(deal_id)
    if deal is None:
        abort(404)
    return deal


def requested_company() -> Company | None:
    """The company named by ?company= (or the posted company field), if any."""
    raw = request.values.get("company", "")
    if not raw:
        return None
    if not raw.isdigit():
        abort(404)
    return db.get_or_404(Company, int(raw))


def field_label(name: str, groups=None) -> str:
    if name.startswith("group:"):
        ident = name.split(":", 1)[1]
        return (groups or {}).get(int(ident), _("Group")) if ident.isdigit() else name
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))


def shown_value(name: str, value) -> str:
    if value is None:
        return "—"
    if name == "outcome":
        return str(OUTCOMES.get(value, value))
    return str(value)


# --- The deal form ------------------------------------------------------------------------------


def _deal_form(deal=None, formdata=None, new=False) -> DealForm:
    stages = ordered_stages()
    if deal is not None and deal.stage not in stages:
        stages = [*stages, deal.stage]  # a retired stage the deal still sits in
    offered = service.starting_stages() if new else stages
    return DealForm(
        formdata=formdata,
        owners=queries.active_users(deal.owner_id if deal else None),
        stages=stages,
        offered_stages=offered,
        campaigns=service.campaign_choices(),
    )


def _read_groups(groups) -> tuple[dict, str | None]:
    """Chosen option ids per deal group from the posted form; an error text if malformed."""
    options = {}
    for group in groups:
        ids = []
        for value in request.form.getlist(f"group-{group.id}"):
            value = value.strip()
            if not value:
                continue
            if not value.isdigit():
                return {}, _("Choose one of the options.")
            ids.append(int(value))
        options[group.id] = ids
    return options, None


def _deal_data(form: DealForm, options: dict) -> service.DealData:
    return service.DealData(
        title=" ".join(form.title.data.split()),
        value=form.value.amount,
        owner=form.owner,
        stage=form.stage,
        expected_close=form.expected_close.data,
        probability_override=form.probability_override.data,
        campaign_id=form.campaign,
        options=options,
    )


def _render_form(company, deal, form, groups, chosen, status=200, **extra):
    return render(
        "deals/form.html",
        block="deal_form",
        status=status,
        company=company,
        deal=deal,
        form=form,
        groups=groups,
        chosen=chosen,
        stage_rules=_later_rules() if deal is None else [],
        amount_example=_amount_text(Decimal("12500.50")),
        field_label=lambda name: field_label(name, {g.id: g.name for g in groups}),
        shown_value=shown_value,
        **extra,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("employee")
def new():
    """Open a deal on a company (chosen first, when coming from the board)."""
    company = requested_company()
    if company is None:
        text = " ".join(request.args.get("q", "").split())[:100]
        return render(
            "deals/pick_company.html",
            block="company_choices",
            q=text,
            companies=queries.company_matches(text) if text else [],
        )
    groups = service.deal_groups()
    if request.method == "GET":
        form = _deal_form(new=True, formdata=None)
        form.owner_id.data = str(current_user.id) if str(current_user.id) in form.owners else ""
        starting = service.starting_stages()
        if starting:
            form.stage_id.data = str(starting[0].id)
        return _render_form(company, None, form, groups, {})
    form = _deal_form(new=True, formdata=request.form)
    options, groups_error = _read_groups(groups)
    chosen = {gid: set(ids) for gid, ids in options.items()}
    if form.validate() and groups_error is None:
        try:
            deal = service.create_deal(company, _deal_data(form, options), current_user)
        except StageRuleError as refused:
            form.stage_id.errors = [m.describe() for m in refused.missing]
            return _render_form(company, None, form, groups, chosen, 422, refused=refused)
        except service.DealGroupError as error:
            groups_error = str(error)
        else:
            db.session.commit()
            flash(_("Opened the deal %(title)s.", title=deal.title), "success")
            return to_deal(deal)
    return _render_form(company, None, form, groups, chosen, 422, groups_error=groups_error)


@bp.route("/<int:deal_id>/edit", methods=["GET", "POST"])
@role_required("employee")
def edit(deal_id):
    """Change a deal; a new stage must pass the stage's entry rules; stale saves are refused."""
    deal = get_deal_or_404(deal_id)
    groups = service.deal_groups()
    if request.method == "GET":
        form = _deal_form(deal)
        form.title.data = deal.title
        form.value.data = _amount_text(deal.value)
        form.owner_id.data = str(deal.owner_id or "")
        form.expected_close.data = deal.expected_close
        form.stage_id.data = str(deal.stage_id)
        form.probability_override.data = deal.probability_override
        if "campaign_id" in form:
            form.campaign_id.data = str(deal.campaign_id or "")
        form.version.data = str(deal.version)
        return _render_form(deal.company, deal, form, groups, service.deal_group_values(deal.id))
    form = _deal_form(deal, formdata=request.form)
    options, groups_error = _read_groups(groups)
    chosen = {gid: set(ids) for gid, ids in options.items()}
    if not form.validate() or groups_error is not None:
        return _render_form(
            deal.company, deal, form, groups, chosen, 422, groups_error=groups_error
        )
    try:
        changed = service.update_deal(
            deal, _deal_data(form, options), current_user, form.version.data
        )
    except service.StaleDeal as stale:
        form.version.data = str(deal.version)
        return _render_form(deal.company, deal, form, groups, chosen, 409, stale=stale.changes)
    except StageRuleError as refused:
        form.stage_id.errors = [m.describe() for m in refused.missing]
        return _render_form(deal.company, deal, form, groups, chosen, 422, refused=refused)
    except DealStateError as error:
        form.stage_id.errors = [str(error)]
        return _render_form(deal.company, deal, form, groups, chosen, 422)
    except service.DealGroupError as error:
        return _render_form(deal.company, deal, form, groups, chosen, 422, groups_error=str(error))
    db.session.commit()
    if changed:
        flash(_("Saved %(title)s.", title=deal.title), "success")
    else:
        flash(_("Nothing changed."), "info")
    return to_deal(deal)


def _later_rules() -> list[str]:
    """What the stages after the starting ones need, for the new-deal form's help."""
    starting = {s.id for s in service.starting_stages()}
    return [
        MissingRequirement(stage, requirement).describe()
        for stage in ordered_stages()
        if stage.id not in starting
        for requirement in stage.requirements
    ]


def _amount_text(value) -> str:
    from webapp.i18n import number

    return number(value, 2) if value is not None else ""


# --- The deal page --------------------------------------------------------------------------


def detail_context(deal, log_form=None, **extra) -> dict:
    stages = ordered_stages()
    next_stage = None
    if deal.outcome == "open":
        next_stage = next((s for s in stages if s.position > deal.stage.position), None)
    missing = missing_requirements(deal, next_stage) if next_stage is not None else []
    groups = service.deal_groups()
    confirm = ConfirmForm()
    confirm.version.data = str(deal.version)
    context = {
        "deal": deal,
        "company": deal.company,
        "stages": stages,
        "next_stage": next_stage,
        "missing": missing,
        "deal_log": queries.deal_activities(deal.id),
        "deal_log_size": queries.DEAL_LOG_SIZE,
        "log_form": log_form or new_log_form(deal.company, deal=deal),
        "history": queries.stage_history(deal.id),
        "groups": groups,
        "chosen": service.deal_group_values(deal.id),
        "via_labels": VIA_LABELS,
        "outcomes": OUTCOMES,
        "confirm_form": confirm,
        "fragment": wants_fragment(),
    }
    if deal.outcome == "open":
        context["win_form"] = _win_form(deal)
        context["lose_form"] = _lose_form(deal)
    context.update(extra)
    return context


@bp.get("/<int:deal_id>")
@role_required("employee")
def detail(deal_id):
    """Show a deal: its stage path and what the next stage needs, its log and its history."""
    deal = get_deal_or_404(deal_id)
    return render("deals/detail.html", block="deal_body", **detail_context(deal))


@bp.post("/<int:deal_id>/activities")
@role_required("employee")
def log(deal_id):
    """Log an activity on the deal (it also shows on the company's timeline)."""
    deal = get_deal_or_404(deal_id)
    form = new_log_form(deal.company, formdata=request.form, deal=deal)
    if form.validate():
        activity = activity_service.log_activity(deal.company, current_user, data_from(form))
        db.session.commit()
        if not wants_fragment():
            flash(_("Logged: %(what)s.", what=activity.kind_label), "success")
            return to_deal(deal, "deal-log")
        return render(
            "deals/detail.html",
            block="deal_progress",
            **detail_context(get_deal_or_404(deal_id), just_logged=activity.id),
        )
    return render(
        "deals/detail.html",
        block="deal_progress",
        status=422,
        **detail_context(deal, log_form=form),
    )


@bp.post("/<int:deal_id>/groups")
@role_required("employee")
def save_groups(deal_id):
    """Save the deal's group choices (the deal page's groups section)."""
    deal = get_deal_or_404(deal_id)
    groups = service.deal_groups()
    options, error = _read_groups(groups)
    shown = {}
    for group in groups:
        raw = request.form.get(f"shown-{group.id}")
        if raw is not None:
            shown[group.id] = {int(i) for i in raw.split(",") if i.strip().isdigit()}
    status = 200
    saved = False
    if error is None:
        try:
            saved = bool(service.save_deal_groups(deal, options, current_user, shown))
            db.session.commit()
        except service.StaleDeal:
            error = _(
                "A colleague changed the groups of this deal after you opened the page. "
                "Nothing was saved: check the current choice and choose again."
            )
            status = 409
        except service.DealGroupError as problem:
            error = str(problem)
            status = 422
    else:
        status = 422
    deal = get_deal_or_404(deal_id)
    if not wants_fragment() and status == 200:
        if saved:
            flash(_("Saved the deal's groups."), "success")
        return to_deal(deal, "deal-groups")
    return render(
        "deals/detail.html",
        block="deal_groups",
        status=status,
        **detail_context(deal, groups_error=error, groups_saved=saved),
    )


# --- Won, lost, reopened --------------------------------------------------------------------


def _win_form(deal, formdata=None) -> WinForm:
    form = WinForm(formdata=formdata, prefix="win")
    if formdata is None:
        form.value.data = _amount_text(deal.value)
        form.closed_on.data = local_today()
        form.version.data = str(deal.version)
    return form


def _lose_form(deal, formdata=None) -> LoseForm:
    reasons = queries.lost_reasons()
    competitor_reason = next((s for s in reasons if s.key == "lost_to_competitor"), None)
    form = LoseForm(
        formdata=formdata,
        prefix="lose",
        reasons=reasons,
        competitors=queries.competitors(),
        competitor_reason_id=competitor_reason.id if competitor_reason else None,
    )
    if formdata is None:
        form.version.data = str(deal.version)
    return form


def _require_open(deal):
    if deal.outcome != "open":
        flash(_("This deal is already closed."), "info")
        return to_deal(deal)
    return None


def _closing_page(deal, which, form, status=200, stale=None):
    return render(
        "deals/close.html",
        block="close_form",
        status=status,
        deal=deal,
        company=deal.company,
        which=which,
        form=form,
        stale=stale,
        field_label=field_label,
        shown_value=shown_value,
    )


@bp.route("/<int:deal_id>/win", methods=["GET", "POST"])
@role_required("employee")
def win(deal_id):
    """Close the deal as won: final value and date; the company becomes a customer."""
    deal = get_deal_or_404(deal_id)
    closed = _require_open(deal)
    if closed is not None:
        return closed
    if request.method == "GET":
        return _closing_page(deal, "win", _win_form(deal))
    form = _win_form(deal, formdata=request.form)
    if form.validate_on_submit() and form.closed_on.data > local_today():
        form.closed_on.errors = [
            _("A deal cannot be won in the future. Give today or an earlier date.")
        ]
    if form.errors:
        return _closing_page(deal, "win", form, 422)
    was_customer = deal.company.status.kind == "customer"
    try:
        service.win(deal, form.value.amount, form.closed_on.data, current_user, form.version.data)
    except service.StaleDeal as stale:
        form.version.data = str(deal.version)
        return _closing_page(deal, "win", form, 409, stale=stale.changes)
    db.session.commit()
    flash(_("Won: %(title)s.", title=deal.title), "success")
    if not was_customer and deal.company.status.kind == "customer":
        flash(
            _(
                "%(company)s is now a customer, and a first service call is planned as a task.",
                company=deal.company.name,
            ),
            "info",
        )
    return to_deal(deal)


@bp.route("/<int:deal_id>/lose", methods=["GET", "POST"])
@role_required("employee")
def lose(deal_id):
    """Close the deal as lost, with the reason and (when lost to a competitor) which one."""
    deal = get_deal_or_404(deal_id)
    closed = _require_open(deal)
    if closed is not None:
        return closed
    if request.method == "GET":
        return _closing_page(deal, "lose", _lose_form(deal))
    form = _lose_form(deal, formdata=request.form)
    if not form.validate_on_submit():
        return _closing_page(deal, "lose", form, 422)
    old_status = deal.company.status
    try:
        service.lose(deal, form.reason, form.competitor, current_user, form.version.data)
    except service.StaleDeal as stale:
        form.version.data = str(deal.version)
        return _closing_page(deal, "lose", form, 409, stale=stale.changes)
    db.session.commit()
    flash(_("Lost: %(title)s (%(reason)s).", title=deal.title, reason=form.reason.name), "success")
    if deal.company.status_id != old_status.id:
        flash(
            _(
                "%(company)s now has the status %(status)s.",
                company=deal.company.name,
                status=deal.company.status.name,
            ),
            "info",
        )
    return to_deal(deal)


@bp.route("/<int:deal_id>/reopen", methods=["GET", "POST"])
@role_required("manager")
def reopen(deal_id):
    """Reopen a won or lost deal in the stage it closed from (managers and admins)."""
    deal = get_deal_or_404(deal_id)
    if deal.outcome == "open":
        flash(_("This deal is already open."), "info")
        return to_deal(deal)
    form = ConfirmForm()
    if request.method == "GET":
        form.version.data = str(deal.version)
        return _closing_page(deal, "reopen", form)
    if not form.validate_on_submit():
        abort(400)
    try:
        service.check_version(deal, form.version.data)
    except service.StaleDeal as stale:
        form.version.data = str(deal.version)
        return _closing_page(deal, "reopen", form, 409, stale=stale.changes)
    service.reopen(deal, current_user)
    db.session.commit()
    flash(_("Reopened %(title)s in %(stage)s.", title=deal.title, stage=deal.stage.name), "success")
    return to_deal(deal)


# --- The card's deals section as a page and a fragment -------------------------------------------


@bp.get("/company/<int:company_id>")
@role_required("employee")
def company_deals(company_id):
    """Show a company's deals (the card's deals section, a page of its own without htmx)."""
    from webapp.blueprints.deals.section import deals_section

    company = db.get_or_404(Company, company_id)
    return render(
        "deals/company.html", block="deals_section", company=company, **deals_section(company)
    )
