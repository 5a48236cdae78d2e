"""The card sections this blueprint provides: the timeline and the open tasks."""

from flask import has_request_context, request, url_for
from flask_babel import lazy_gettext as _l

from webapp.blueprints.activities import bp, queries
from webapp.blueprints.activities.forms import ActivityForm, local_now
from webapp.card import card_section
from webapp.models.activity import ACTIVITY_KINDS
from webapp.models.user import utcnow
from webapp.services.activities import local_today


def card_url(company_id: int, activity_id: int | None = None) -> str:
    """The customer card, at the given entry of its timeline."""
    anchor = f"activity-{activity_id}" if activity_id else None
    return url_for("customers.card", company_id=company_id, _anchor=anchor)


def requested_deal(company, formdata=None):
    """The deal an entry is to be logged on: the posted deal_id, or ?deal= on a fresh form."""
    from webapp.extensions import db
    from webapp.models.pipeline import Deal

    if formdata is not None:
        raw = formdata.get("log-deal_id", "")
    else:
        raw = request.args.get("deal", "") if has_request_context() else ""
    if not raw.isdigit():
        return None
    deal = db.session.get(Deal, int(raw))
    return deal if deal is not None and deal.company_id == company.id else None


def new_log_form(company, contacts=None, users=None, formdata=None, deal=None) -> ActivityForm:
    """The compact "log an activity" form at the top of the timeline.

    ?log_kind= preselects the kind and ?deal= ties the entry to one of the company's deals
    (the pipeline links here to "log what is missing").
    """
    from flask_login import current_user

    if deal is None:
        deal = requested_deal(company, formdata)
    form = ActivityForm(
        formdata=formdata,
        prefix="log",
        contacts=queries.company_contacts(company.id) if contacts is None else contacts,
        users=queries.active_users() if users is None else users,
        deal=deal,
    )
    if formdata is None:
        form.occurred_at.data = local_now()
        if current_user.is_authenticated:
            form.assignee_id.data = str(current_user.id)
        if deal is not None:
            form.deal_id.data = str(deal.id)
        kind = chosen_kind(request.args.get("log_kind")) if has_request_context() else None
        if kind:
            form.kind.data = kind
    return form


def chosen_kind(value) -> str | None:
    return value if value in ACTIVITY_KINDS else None


def timeline_context(company, kind=None, form=None) -> dict:
    """What activities/_timeline.html needs: the newest page of entries and the log form."""
    rows, next_cursor = queries.timeline_page(company.id, kind)
    return {
        "timeline": rows,
        "timeline_next": next_cursor,
        "timeline_kind": kind,
        "activity_kinds": ACTIVITY_KINDS,
        "log_form": form or new_log_form(company),
    }


def open_tasks_context(company, just_done=None) -> dict:
    """What activities/_open_tasks.html needs."""
    return {
        "open_tasks": queries.open_tasks(company.id),
        "open_task_count": queries.open_task_count(company.id),
        "just_done": just_done,
        "local_today": local_today(),
    }


@card_section("timeline")
def timeline_section(company) -> dict:
    # The card's own URL may carry ?kind=meeting too, so a filtered card can be shared.
    kind = chosen_kind(request.args.get("kind")) if has_request_context() else None
    context = timeline_context(company, kind)
    if has_request_context() and chosen_kind(request.args.get("log_kind")):
        context["focus_log"] = True  # came to log something: the cursor goes to the form
    return context


@card_section("open_tasks")
def open_tasks_section(company) -> dict:
    return open_tasks_context(company)


# Shown beside the kind's name (never instead of it).
KIND_ICONS = {
    "note": "✎",
    "call": "☎",
    "email": "✉",
    "meeting": "◷",
    "proposal": "❖",
    "task": "☑",
}


def _task_state(activity, today) -> str:
    """done, overdue, today for tasks; minutes_missing for a held meeting without minutes."""
    if activity.kind == "task":
        if activity.done_at is not None:
            return "done"
        if activity.due_date is not None and activity.due_date < today:
            return "overdue"
        if activity.due_date == today:
            return "today"
    elif activity.kind == "meeting" and not activity.body and activity.occurred_at < utcnow():
        return "minutes_missing"
    return ""


# Words repeated on every entry: translated once per page instead of once per entry.
ENTRY_LABELS = {
    "automatic": _l("Kanel (automatic)"),
    "with": _l("with %(name)s"),
    "attendees": _l("Attendees:"),
    "assigned": _l("Assigned to %(name)s"),
    "not_assigned": _l("Not assigned"),
    "due": _l("due %(date)s"),
    "done": _l("Done %(date)s"),
    "overdue": _l("Overdue"),
    "due_today": _l("Due today"),
    "open_again": _l("Open again"),
    "mark_done": _l("Mark done"),
    "mark_subject_done": _l("Mark “%(subject)s” done"),
    "no_minutes": _l("No minutes yet."),
    "edit": _l("Edit"),
    "write_minutes": _l("Write minutes"),
    "delete": _l("Delete"),
}


class _Labels(dict):
    """ENTRY_LABELS translated on first use within one template render."""

    def __missing__(self, key):
        value = self[key] = str(ENTRY_LABELS[key])
        return value


@bp.app_context_processor
def _activity_helpers():
    today = []

    def task_state(activity) -> str:
        if not today:
            today.append(local_today())
        return _task_state(activity, today[0])

    return {
        "task_state": task_state,
        "kind_icons": KIND_ICONS,
        "card_url_for": card_url,
        "labels": _Labels(),
    }
