"""Read-only queries of the activity log: a fixed number of queries whatever the log's length."""

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Contact
from webapp.models.user import User

PAGE_SIZE = 25


def _with_people(stmt):
    """Load authors, contacts, assignees and attendees with the entries (no per-row queries)."""
    return stmt.options(
        joinedload(Activity.author),
        joinedload(Activity.assignee),
        joinedload(Activity.contact),
        selectinload(Activity.attendees),
    )


def _kind_is(kind: str):
    """Activity.kind == kind, written so SQLite walks the company's entries instead.

    Without statistics SQLite may prefer the kind index and scan every task or meeting of
    every company; `kind || ''` cannot use that index. PostgreSQL plans well either way.
    """
    return (Activity.kind + "") == kind


def encode_cursor(activity: Activity) -> str:
    """The keyset position after an entry: its time and id."""
    return f"{activity.occurred_at.isoformat()}_{activity.id}"


def decode_cursor(text: str | None) -> tuple[datetime, int] | None:
    """Read a cursor made by encode_cursor; None when missing, ValueError when malformed."""
    if not text:
        return None
    at, _, ident = text.rpartition("_")
    return datetime.fromisoformat(at), int(ident)


def timeline_page(company_id: int, kind: str | None = None, after=None, size: int = PAGE_SIZE):
    """One page of a company's log, newest first, and the cursor of the next page (or None)."""
    stmt = select(Activity).where(Activity.company_id == company_id, Activity.deleted.is_(False))
    if kind:
        stmt = stmt.where(_kind_is(kind))
    if after is not None:
        at, ident = after
        stmt = stmt.where(
            or_(Activity.occurred_at < at, and_(Activity.occurred_at == at, Activity.id < ident))
        )
    stmt = _with_people(stmt.order_by(Activity.occurred_at.desc(), Activity.id.desc()))
    rows = list(db.session.scalars(stmt.limit(size + 1)).unique())
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else None
    return rows[:size], next_cursor


OPEN_TASKS_SHOWN = 10


def _open_tasks_where(company_id: int):
    return (
        Activity.company_id == company_id,
        _kind_is("task"),
        Activity.done_at.is_(None),
        Activity.deleted.is_(False),
    )


def open_tasks(company_id: int, limit: int = OPEN_TASKS_SHOWN) -> list[Activity]:
    """A company's open tasks, soonest due first (tasks without a due date last)."""
    stmt = (
        select(Activity)
        .options(joinedload(Activity.assignee))
        .where(*_open_tasks_where(company_id))
        .order_by(Activity.due_date.is_(None), Activity.due_date, Activity.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def open_task_count(company_id: int) -> int:
    stmt = select(func.count(Activity.id)).where(*_open_tasks_where(company_id))
    return db.session.scalar(stmt)


def company_contacts(company_id: int) -> list[Contact]:
    """The contacts an entry can name: the company's contacts that are not archived."""
    return list(
        db.session.scalars(
            select(Contact)
            .where(Contact.company_id == company_id, Contact.archived.is_(False))
            .order_by(Contact.first_name, Contact.last_name, Contact.id)
        )
    )


def active_users() -> list[User]:
    """Who a task can be given to."""
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name)))


def get_activity(activity_id: int) -> Activity | None:
    stmt = _with_people(select(Activity).where(Activity.id == activity_id))
    return db.session.scalars(stmt).unique().first()
