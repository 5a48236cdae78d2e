"""Keeps ``company.last_activity_at`` = the latest ``occurred_at`` of the company's activities
that are not deleted (planned ones included), None when it has none.

Every ORM write of an Activity (logging, editing its date, deleting, restoring, moving it to
another company, the automation's tasks, demo data, test factories) is seen after the flush
that wrote it: a new or restored activity raises its company's date when it is later
(``UPDATE ... WHERE last_activity_at IS NULL OR last_activity_at < :at``, which stays right
when two people log on the same card at once); a deleted or moved activity, or a date moved
earlier, makes the company's date be worked out again from its activities (one probe of
ix_activity_company_deleted_occurred per company).

Writes that bypass the ORM (bulk INSERT/UPDATE/DELETE of activities: imports and their
revert, the benchmark's generator) call ``refresh_last_activity(company_ids)`` themselves, or
``refresh_last_activity()`` for every company, set-based in one statement.
"""

from datetime import datetime

from sqlalchemy import bindparam, event, false, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from webapp.models.activity import Activity
from webapp.models.customer import Company

_EXPIRE_KEY = "last_activity_companies"
# Bound parameters of refresh_last_activity's IN list are sent in slices of this size.
_SLICE = 500


def latest_activity(company_id_column=Company.id):
    """Scalar subquery: the latest occurred_at of the company's activities not deleted."""
    return (
        select(func.max(Activity.occurred_at))
        .where(Activity.company_id == company_id_column, Activity.deleted == false())
        .scalar_subquery()
    )


def refresh_last_activity(company_ids=None, *, session=None) -> None:
    """Work out last_activity_at again from the activities, set-based.

    ``company_ids``: an iterable of ids, a ``select()`` of ids, or None for every company.
    Call it after writing activities without the ORM (bulk INSERT/UPDATE/DELETE).
    """
    from webapp.extensions import db

    session = session or db.session
    table = Company.__table__
    stmt = update(table).values(last_activity_at=latest_activity(table.c.id))
    if company_ids is None:
        session.execute(stmt)
        _expire(session, None)
        return
    if hasattr(company_ids, "subquery"):  # a select() of ids
        session.execute(stmt.where(table.c.id.in_(company_ids)))
        _expire(session, None)
        return
    ids = sorted({int(i) for i in company_ids if i is not None})
    for start in range(0, len(ids), _SLICE):
        session.execute(stmt.where(table.c.id.in_(ids[start : start + _SLICE])))
    _expire(session, ids)


def _expire(session, ids) -> None:
    """Forget the loaded companies' stale last_activity_at (all loaded ones when ids is None)."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Company) and (ids is None or obj.id in ids):
            session.expire(obj, ["last_activity_at"])


def _changed(state, key: str) -> bool:
    return state.attrs[key].history.has_changes()


def _before(state, key: str):
    """The value an attribute had before this flush (its current value if unchanged)."""
    history = state.attrs[key].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


@event.listens_for(Session, "after_flush")
def _after_flush(session, _flush_context) -> None:
    raise_to: dict[int, datetime] = {}
    recount: set[int] = set()

    def later(company_id, at) -> None:
        if company_id is None:
            return
        if at is None:
            recount.add(company_id)
        elif company_id not in raise_to or raise_to[company_id] < at:
            raise_to[company_id] = at

    for obj in session.new:
        if isinstance(obj, Activity) and not obj.deleted:
            later(obj.company_id, obj.occurred_at)
    for obj in session.dirty:
        if not isinstance(obj, Activity):
            continue
        state = inspect(obj)
        moved = _changed(state, "company_id") or _changed(state, "company")
        dated = _changed(state, "occurred_at")
        toggled = _changed(state, "deleted")
        if not (moved or dated or toggled):
            continue
        was_deleted = bool(_before(state, "deleted"))
        if moved:
            old_company = _before(state, "company_id")
            if old_company is not None and old_company != obj.company_id:
                recount.add(old_company)
        if obj.deleted:
            if not was_deleted:  # deleted now: the company may have lost its latest one
                recount.add(obj.company_id)
        elif dated and not was_deleted:
            earlier = _before(state, "occurred_at")
            if earlier is not None and obj.occurred_at is not None and obj.occurred_at < earlier:
                recount.add(obj.company_id)
            else:
                later(obj.company_id, obj.occurred_at)
        else:  # restored, moved here, or a later date
            later(obj.company_id, obj.occurred_at)
    for obj in session.deleted:
        if isinstance(obj, Activity):
            recount.add(obj.company_id)

    raise_to = {k: v for k, v in raise_to.items() if k not in recount}
    if not (raise_to or recount):
        return
    connection = session.connection()
    table = Company.__table__
    if raise_to:
        connection.execute(
            update(table)
            .where(
                table.c.id == bindparam("company_id"),
                or_(
                    table.c.last_activity_at.is_(None),
                    table.c.last_activity_at < bindparam("at"),
                ),
            )
            .values(last_activity_at=bindparam("at")),
            [{"company_id": k, "at": v} for k, v in raise_to.items()],
        )
    if recount:
        ids = sorted(i for i in recount if i is not None)
        for start in range(0, len(ids), _SLICE):
            connection.execute(
                update(table)
                .where(table.c.id.in_(ids[start : start + _SLICE]))
                .values(last_activity_at=latest_activity(table.c.id))
            )
    session.info.setdefault(_EXPIRE_KEY, set()).update(raise_to, recount)


@event.listens_for(Session, "after_flush_postexec")
def _after_flush_postexec(session, _flush_context) -> None:
    ids = session.info.pop(_EXPIRE_KEY, None)
    if ids:
        _expire(session, ids)
