"""Log, filter, page, edit, delete and tick off the entries of a company's activity log."""

import json

from flask import abort, flash, request, url_for
from flask_babel import format_datetime, to_utc
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints.activities import bp, queries
from webapp.blueprints.activities.forms import ActivityForm, ConfirmForm, DoneForm, MinutesForm
from webapp.blueprints.activities.sections import (
    card_url,
    chosen_kind,
    new_log_form,
    open_tasks_context,
    timeline_context,
)
from webapp.extensions import db
from webapp.htmx import hx_redirect, render, wants_fragment
from webapp.models.customer import Company
from webapp.permissions import role_required
from webapp.services import activities as service
from webapp.services.activities import ActivityData, StaleActivity

OPEN_TASKS_CHANGED = "open-tasks-changed"


def get_activity_or_404(activity_id: int, deleted_ok: bool = False):
    activity = queries.get_activity(activity_id)
    if activity is None or (activity.deleted and not deleted_ok):
        abort(404)
    return activity


def require_change_right(activity) -> None:
    if not service.can_change(activity, current_user):
        abort(403)


def with_trigger(response, *events: str):
    """Tell other parts of the page (open tasks, a task's entry) to refresh themselves."""
    if events and wants_fragment():
        response.headers["HX-Trigger"] = json.dumps(dict.fromkeys(events, True))
    return response


def entry_event(activity) -> str:
    return f"activity-changed-{activity.id}"


def form_for(company, activity=None, formdata=None, prefix="log") -> ActivityForm:
    """A log or edit form whose choices include the entry's current (maybe archived) people."""
    contacts = queries.company_contacts(company.id)
    users = queries.active_users()
    if activity is not None:
        known = {c.id for c in contacts}
        extra = [c for c in [activity.contact, *activity.attendees] if c and c.id not in known]
        contacts = contacts + list({c.id: c for c in extra}.values())
        if activity.assignee is not None and activity.assignee not in users:
            users = [*users, activity.assignee]
    if activity is None and prefix == "log":
        return new_log_form(company, contacts, users, formdata=formdata)
    return ActivityForm(formdata=formdata, prefix=prefix, contacts=contacts, users=users)


def data_from(form: ActivityForm) -> ActivityData:
    """What the user typed, as the service wants it (meeting time converted to UTC)."""
    kind = form.kind.data
    occurred_at = form.occurred_at.data
    return ActivityData(
        kind=kind,
        subject=form.subject.data or "",
        body=form.body.data or "",
        contact=form.contacts.get(form.contact_id.data or ""),
        occurred_at=to_utc(occurred_at) if occurred_at else None,
        attendees=tuple(form.contacts[key] for key in form.attendees.data or [] if key),
        assignee=form.users.get(form.assignee_id.data or "") if kind == "task" else None,
        due_date=form.due_date.data if kind == "task" else None,
        done=bool(form.done.data) if kind == "task" else False,
        deal=form.deal,
    )


def edit_prefix(activity) -> str:
    return f"a{activity.id}"


def render_entry(activity, mode="view", status=200, **context):
    """An entry alone: a page, or for htmx the list item that replaces the one on the card."""
    block = {
        "view": "entry",
        "edit": "entry_form",
        "delete": "entry_delete",
        "deleted": "entry_deleted",
    }[mode]
    return render(
        "activities/entry.html",
        block=block,
        status=status,
        activity=activity,
        company=activity.company,
        mode=mode,
        card_url=card_url(activity.company_id, activity.id),
        **context,
    )


@bp.get("/customers/<int:company_id>/activities")
@role_required("employee")
def timeline(company_id):
    """Show a company's activity log, newest first, optionally of one kind."""
    company = db.get_or_404(Company, company_id)
    kind = chosen_kind(request.args.get("kind"))
    return render(
        "activities/timeline.html",
        block="timeline",
        company=company,
        card_url=card_url(company.id),
        **timeline_context(company, kind),
        **open_tasks_context(company),
    )


@bp.get("/customers/<int:company_id>/activities/more")
@role_required("employee")
def more(company_id):
    """Show the entries after a cursor: the "show more" rows of a long log."""
    company = db.get_or_404(Company, company_id)
    kind = chosen_kind(request.args.get("kind"))
    try:
        after = queries.decode_cursor(request.args.get("after"))
    except ValueError:
        abort(400)
    rows, next_cursor = queries.timeline_page(company.id, kind, after)
    return render(
        "activities/more.html",
        block="more_rows",
        company=company,
        card_url=card_url(company.id),
        timeline=rows,
        timeline_next=next_cursor,
        timeline_kind=kind,
    )


@bp.post("/customers/<int:company_id>/activities")
@role_required("employee")
def log(company_id):
    """Log a note, call, e-mail, meeting, proposal or task at the top of the timeline."""
    company = db.get_or_404(Company, company_id)
    form = form_for(company, formdata=request.form)
    if form.validate():
        activity = service.log_activity(company, current_user, data_from(form))
        db.session.commit()
        if not wants_fragment():
            flash(_("Logged: %(what)s.", what=activity.kind_label), "success")
            return hx_redirect(card_url(company.id, activity.id))
        response = render(
            "activities/timeline.html",
            block="timeline",
            company=company,
            card_url=card_url(company.id),
            just_logged=activity.id,
            focus_log=True,
            **timeline_context(company),
        )
        return with_trigger(response, *([OPEN_TASKS_CHANGED] if activity.kind == "task" else []))
    if wants_fragment():
        # Only the form is swapped, so nothing else on the card moves while the user fixes it.
        response = render(
            "activities/timeline.html",
            block="log_form",
            status=422,
            company=company,
            log_form=form,
            focus_log=False,
        )
        response.headers["HX-Retarget"] = "#log-form"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return render(
        "activities/timeline.html",
        block="timeline",
        status=422,
        company=company,
        card_url=card_url(company.id),
        **timeline_context(company, form=form),
        **open_tasks_context(company),
    )


@bp.get("/customers/<int:company_id>/open-tasks")
@role_required("employee")
def open_tasks(company_id):
    """Show a company's open tasks."""
    company = db.get_or_404(Company, company_id)
    return render(
        "activities/timeline.html",
        block="open_tasks",
        company=company,
        card_url=card_url(company.id),
        **timeline_context(company),
        **open_tasks_context(company),
    )


@bp.get("/activities/<int:activity_id>")
@role_required("employee")
def entry(activity_id):
    """Show one entry of the log."""
    return render_entry(get_activity_or_404(activity_id))


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@role_required("employee")
def edit(activity_id):
    """Edit an entry in place (your own; administrators any), refusing stale saves."""
    activity = get_activity_or_404(activity_id)
    require_change_right(activity)
    company = activity.company
    was_task = activity.kind == "task"
    if request.method == "GET":
        form = form_for(company, activity, prefix=edit_prefix(activity))
        form.fill_from(activity)
        return render_entry(activity, "edit", form=form)
    form = form_for(company, activity, formdata=request.form, prefix=edit_prefix(activity))
    if not form.validate():
        return render_entry(activity, "edit", status=422, form=form)
    try:
        service.update_activity(activity, current_user, data_from(form), form.version.data)
    except StaleActivity as stale:
        # Nothing was changed; let the next save go through now that the user has been told.
        form.version.data = str(activity.version)
        return render_entry(
            activity, "edit", status=409, form=form, stale_message=stale_message(stale.change)
        )
    db.session.commit()
    if not wants_fragment():
        flash(_("Saved."), "success")
        return hx_redirect(card_url(company.id, activity.id))
    response = render_entry(get_activity_or_404(activity_id), "view")
    changed_tasks = was_task or activity.kind == "task"
    return with_trigger(response, *([OPEN_TASKS_CHANGED] if changed_tasks else []))


@bp.route("/activities/<int:activity_id>/delete", methods=["GET", "POST"])
@role_required("employee")
def delete(activity_id):
    """Ask, then hide an entry from the timeline (history keeps it; it can be restored)."""
    activity = get_activity_or_404(activity_id)
    require_change_right(activity)
    form = ConfirmForm()
    if request.method == "GET":
        return render_entry(activity, "delete", form=form)
    if not form.validate_on_submit():
        abort(400)
    service.delete_activity(activity, current_user)
    db.session.commit()
    if not wants_fragment():
        flash(_("Deleted the entry. It no longer shows on the timeline."), "success")
        return hx_redirect(card_url(activity.company_id))
    response = render_entry(activity, "deleted", form=ConfirmForm())
    return with_trigger(response, *([OPEN_TASKS_CHANGED] if activity.kind == "task" else []))


@bp.post("/activities/<int:activity_id>/restore")
@role_required("employee")
def restore(activity_id):
    """Bring a deleted entry back to the timeline."""
    activity = get_activity_or_404(activity_id, deleted_ok=True)
    require_change_right(activity)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.restore_activity(activity, current_user)
    db.session.commit()
    if not wants_fragment():
        flash(_("Restored the entry."), "success")
        return hx_redirect(card_url(activity.company_id, activity.id))
    response = render_entry(activity, "view")
    return with_trigger(response, *([OPEN_TASKS_CHANGED] if activity.kind == "task" else []))


def may_tick(activity) -> bool:
    return service.can_change(activity, current_user) or activity.assignee_id == current_user.id


@bp.post("/activities/<int:activity_id>/done")
@role_required("employee")
def done(activity_id):
    """Tick a task done, or open it again (undo)."""
    activity = get_activity_or_404(activity_id)
    if activity.kind != "task":
        abort(404)
    if not may_tick(activity):
        abort(403)
    form = DoneForm()
    if not form.validate_on_submit():
        abort(400)
    service.set_task_done(activity, current_user, form.done.data == "1")
    db.session.commit()
    view = form.view.data
    if not wants_fragment():
        if activity.done_at:
            flash(_("Done: %(subject)s.", subject=activity.subject), "success")
        if view == "home":
            return hx_redirect(url_for("home.index"))
        return hx_redirect(card_url(activity.company_id, activity.id))
    if view == "home":
        from webapp.blueprints.home.views import render_my_tasks

        return render_my_tasks(just_done=activity if activity.done_at else None)
    if view == "open_tasks":
        company = activity.company
        response = render(
            "activities/timeline.html",
            block="open_tasks",
            company=company,
            card_url=card_url(company.id),
            **timeline_context(company),
            **open_tasks_context(company, just_done=activity if activity.done_at else None),
        )
        return with_trigger(response, entry_event(activity))
    return with_trigger(render_entry(activity, "view"), OPEN_TASKS_CHANGED)


@bp.route("/activities/<int:activity_id>/minutes", methods=["GET", "POST"])
@role_required("employee")
def minutes(activity_id):
    """Write a meeting's minutes (from My day): an edit of the meeting's text."""
    activity = get_activity_or_404(activity_id)
    require_change_right(activity)
    if activity.kind != "meeting":
        abort(404)
    if request.method == "GET":
        form = MinutesForm(prefix=f"m{activity.id}", version=str(activity.version))
        form.body.data = activity.body or ""
        return render_minutes(activity, form)
    form = MinutesForm(prefix=f"m{activity.id}")
    if not form.validate_on_submit():
        return render_minutes(activity, form, status=422)
    try:
        service.write_minutes(activity, current_user, form.body.data, form.version.data)
    except StaleActivity as stale:
        # Nothing was changed; let the next save go through now that the user has been told.
        form.version.data = str(activity.version)
        return render_minutes(activity, form, status=409, stale_message=stale_message(stale.change))
    db.session.commit()
    if not wants_fragment():
        flash(_("Minutes saved for %(subject)s.", subject=activity.subject), "success")
        return hx_redirect(url_for("home.index"))
    from webapp.blueprints.home.queries import minutes_debt_count

    return render(
        "activities/minutes.html",
        block="minutes_saved",
        activity=activity,
        company=activity.company,
        card_url=card_url(activity.company_id, activity.id),
        debt_count=minutes_debt_count(current_user),
    )


def stale_message(change) -> str:
    """Say who saved the entry after the form was opened."""
    if change is not None and change.user is not None:
        return _(
            "%(name)s changed this entry at %(when)s, after you opened the form.",
            name=change.user.name,
            when=format_datetime(change.changed_at, "short"),
        )
    return _("Someone changed this entry after you opened the form.")


def render_minutes(activity, form, status=200, stale_message=None):
    return render(
        "activities/minutes.html",
        block="minutes_form",
        status=status,
        activity=activity,
        company=activity.company,
        card_url=card_url(activity.company_id, activity.id),
        form=form,
        stale_message=stale_message,
    )
