"""The shared activity log: log, edit, delete and tick off entries, with history."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import to_user_timezone
from sqlalchemy import select

from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.customer import Company, Contact
from webapp.models.user import User, utcnow
from webapp.services.audit import record_change

ENTITY = "activity"
# Fields whose old → new values go into the history when an entry is edited.
EDITABLE_FIELDS = ("kind", "subject", "body", "occurred_at", "due_date")


class StaleActivity(Exception):
    """The entry was changed by someone else after the form was opened."""

    def __init__(self, activity: Activity, change: Change | None):
        super().__init__("stale activity")
        self.activity = activity
        self.change = change


@dataclass
class ActivityData:
    """What a user typed for an entry, already validated by the form."""

    kind: str
    subject: str = ""
    body: str | None = None
    contact: Contact | None = None
    occurred_at: datetime | None = None
    attendees: tuple[Contact, ...] = ()
    assignee: User | None = None
    due_date: date | None = None
    done: bool = False
    # The deal the entry is logged on (only when logging; an edit keeps the entry's deal).
    deal: object | None = None


def local_today() -> date:
    """Today's date where the user is (due dates are local dates)."""
    return to_user_timezone(utcnow()).date()


def can_change(activity: Activity, user: User) -> bool:
    """Authors change their own entries; administrators change any."""
    return user.is_admin or (activity.author_id is not None and activity.author_id == user.id)


def _names(contacts) -> str | None:
    names = sorted(c.name for c in contacts)
    return ", ".join(names) if names else None


def _name(person) -> str | None:
    return person.name if person is not None else None


def _apply_task_fields(activity: Activity, data: ActivityData) -> None:
    if data.kind == "task":
        activity.assignee = data.assignee
        activity.due_date = data.due_date
        if data.done and activity.done_at is None:
            activity.done_at = utcnow()
        elif not data.done:
            activity.done_at = None
    else:
        activity.assignee = None
        activity.due_date = None
        activity.done_at = None


def log_activity(company: Company, user: User, data: ActivityData) -> Activity:
    """Add an entry at the top of a company's timeline."""
    now = utcnow()
    activity = Activity(
        company_id=company.id,
        kind=data.kind,
        subject=(data.subject or "").strip(),
        body=(data.body or "").strip() or None,
        author=user,
        contact=data.contact,
        deal_id=data.deal.id if data.deal is not None else None,
        occurred_at=data.occurred_at if data.kind == "meeting" and data.occurred_at else now,
        attendees=list(data.attendees) if data.kind == "meeting" else [],
        created_at=now,
        updated_at=now,
        version=1,
    )
    _apply_task_fields(activity, data)
    db.session.add(activity)
    db.session.flush()
    # A "created" row lets the card's owner see on My day that a colleague logged something.
    record_change(
        ENTITY,
        activity.id,
        "created",
        None,
        f"{activity.kind}: {activity.subject}".rstrip(": "),
        user,
        company_id=company.id,
    )
    db.session.flush()
    return activity


def last_change(activity: Activity) -> Change | None:
    """The newest history row of an entry: who changed it last, and when."""
    return db.session.scalar(
        select(Change)
        .where(Change.entity == ENTITY, Change.entity_id == activity.id)
        .order_by(Change.changed_at.desc(), Change.id.desc())
        .limit(1)
    )


def check_version(activity: Activity, version) -> None:
    """Refuse a save made from a form older than the stored entry."""
    try:
        typed = int(version)
    except (TypeError, ValueError):
        typed = None
    if typed != activity.version:
        raise StaleActivity(activity, last_change(activity))


def _touch(activity: Activity) -> None:
    activity.version = (activity.version or 0) + 1
    activity.updated_at = utcnow()


def update_activity(activity: Activity, user: User, data: ActivityData, version) -> list[Change]:
    """Save an edited entry, refusing a stale form; record every changed field."""
    check_version(activity, version)
    before = {field: getattr(activity, field) for field in EDITABLE_FIELDS}
    before_contact = _name(activity.contact)
    before_attendees = _names(activity.attendees)
    before_assignee = _name(activity.assignee)
    before_done = activity.done_at

    activity.kind = data.kind
    activity.subject = (data.subject or "").strip()
    activity.body = (data.body or "").strip() or None
    activity.contact = data.contact
    if data.kind == "meeting" and data.occurred_at:
        activity.occurred_at = data.occurred_at
    activity.attendees = list(data.attendees) if data.kind == "meeting" else []
    _apply_task_fields(activity, data)

    company_id = activity.company_id
    rows = []
    for field, old in before.items():
        rows.append(
            record_change(
                ENTITY, activity.id, field, old, getattr(activity, field), user, company_id
            )
        )
    rows.append(
        record_change(
            ENTITY,
            activity.id,
            "contact",
            before_contact,
            _name(activity.contact),
            user,
            company_id,
        )
    )
    rows.append(
        record_change(
            ENTITY,
            activity.id,
            "attendees",
            before_attendees,
            _names(activity.attendees),
            user,
            company_id,
        )
    )
    rows.append(
        record_change(
            ENTITY,
            activity.id,
            "assignee",
            before_assignee,
            _name(activity.assignee),
            user,
            company_id,
        )
    )
    rows.append(
        record_change(
            ENTITY, activity.id, "done_at", before_done, activity.done_at, user, company_id
        )
    )
    rows = [row for row in rows if row is not None]
    if rows:
        _touch(activity)
    db.session.flush()
    return rows


def write_minutes(activity: Activity, user: User, body: str, version) -> Change | None:
    """Save a meeting's minutes (an edit of its body), refusing a stale form."""
    check_version(activity, version)
    old = activity.body
    activity.body = (body or "").strip() or None
    row = record_change(ENTITY, activity.id, "body", old, activity.body, user, activity.company_id)
    if row is not None:
        _touch(activity)
    db.session.flush()
    return row


def delete_activity(activity: Activity, user: User) -> Change | None:
    """Hide an entry from the timeline; the history keeps it and it can be restored."""
    return _set_deleted(activity, user, True)


def restore_activity(activity: Activity, user: User) -> Change | None:
    """Bring a deleted entry back to the timeline."""
    return _set_deleted(activity, user, False)


def _set_deleted(activity: Activity, user: User, deleted: bool) -> Change | None:
    if activity.deleted == deleted:
        return None
    row = record_change(
        ENTITY, activity.id, "deleted", activity.deleted, deleted, user, activity.company_id
    )
    activity.deleted = deleted
    _touch(activity)
    db.session.flush()
    return row


def set_task_done(activity: Activity, user: User, done: bool) -> Change | None:
    """Tick a task done (recording when) or open it again."""
    old = activity.done_at
    if done and old is None:
        activity.done_at = utcnow()
    elif not done:
        activity.done_at = None
    row = record_change(
        ENTITY, activity.id, "done_at", old, activity.done_at, user, activity.company_id
    )
    if row is not None:
        _touch(activity)
    db.session.flush()
    return row
