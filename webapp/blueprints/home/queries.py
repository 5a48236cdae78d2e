"""My day: a user's due tasks, minutes debt and changed cards, each in one aggregate query."""

from sqlalchemy import and_, false, func, literal_column, or_, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.customer import CardView, Company
from webapp.models.user import User, utcnow

LIST_LIMIT = 100


def due_tasks_for(user, today, limit: int = LIST_LIMIT) -> list[Activity]:
    """The user's open tasks due today or earlier, most overdue first."""
    return list(
        db.session.scalars(
            select(Activity)
            .options(joinedload(Activity.company, innerjoin=True))
            .where(
                Activity.assignee_id == user.id,
                Activity.done_at.is_(None),
                Activity.due_date <= today,
                Activity.kind == "task",
                Activity.deleted.is_(False),
            )
            .order_by(Activity.due_date, Activity.id)
            .limit(limit)
        )
    )


def _minutes_debt_where(user):
    """A held meeting without minutes, with its terms written as the partial index
    ix_activity_minutes_debt states them (literals, "deleted = false"), so the planner may
    read the author's meetings from that small index."""
    return (
        Activity.author_id == user.id,
        Activity.kind == literal_column("'meeting'"),
        Activity.deleted == false(),
        or_(Activity.body.is_(None), Activity.body == literal_column("''")),
        Activity.occurred_at < utcnow(),
    )


def minutes_debt_for(user, limit: int = LIST_LIMIT) -> list[Activity]:
    """The user's held meetings without minutes, newest first."""
    return list(
        db.session.scalars(
            select(Activity)
            .options(joinedload(Activity.company, innerjoin=True))
            .where(*_minutes_debt_where(user))
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(limit)
        )
    )


def minutes_debt_count(user) -> int:
    return db.session.scalar(select(func.count(Activity.id)).where(*_minutes_debt_where(user)))


def changed_cards_for(user, limit: int = LIST_LIMIT) -> list[dict]:
    """Cards the user owns that others changed since the user last looked at them.

    Two queries: the cards with their number of changes and the newest change, then who made them.
    """
    newer_than_seen = or_(CardView.seen_at.is_(None), Change.changed_at > CardView.seen_at)
    by_others = or_(Change.user_id.is_(None), Change.user_id != user.id)
    rows = db.session.execute(
        select(
            Company.id,
            Company.name,
            func.count(Change.id).label("changes"),
            func.max(Change.changed_at).label("last_changed_at"),
        )
        .join(Change, Change.company_id == Company.id)
        .outerjoin(CardView, and_(CardView.company_id == Company.id, CardView.user_id == user.id))
        .where(Company.owner_id == user.id, Company.archived.is_(False), by_others, newer_than_seen)
        .group_by(Company.id, Company.name)
        .order_by(func.max(Change.changed_at).desc(), Company.id)
        .limit(limit)
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    people: dict[int, list[str]] = {company_id: [] for company_id in ids}
    for company_id, name in db.session.execute(
        select(Change.company_id, User.name)
        .join(User, User.id == Change.user_id)
        .outerjoin(
            CardView, and_(CardView.company_id == Change.company_id, CardView.user_id == user.id)
        )
        .where(Change.company_id.in_(ids), Change.user_id != user.id, newer_than_seen)
        .group_by(Change.company_id, User.name)
        .order_by(User.name)
    ):
        people[company_id].append(name)
    return [
        {
            "id": row.id,
            "name": row.name,
            "changes": row.changes,
            "last_changed_at": row.last_changed_at,
            "by": people[row.id],
        }
        for row in rows
    ]
