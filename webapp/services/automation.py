"""Automatic follow-ups: what happens by itself when a card changes."""

from datetime import timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.user import User, utcnow
from webapp.services.settings import get_setting

FIRST_SERVICE_CALL = "first_service_call"


def first_service_call_assignee(config) -> User | None:
    """The admin's chosen assignee if active, else the first active user in service."""
    if config.get("assignee_id"):
        user = db.session.get(User, config["assignee_id"])
        if user is not None and user.active:
            return user
    return db.session.scalar(
        select(User).where(User.active, User.department == "service").order_by(User.id).limit(1)
    )


def on_status_changed(company, old_status, user) -> Activity | None:
    """Create the first-service-call task when a company enters a customer-kind status."""
    entered_customer = company.status.kind == "customer" and (
        old_status is None or old_status.kind != "customer"
    )
    if not entered_customer:
        return None
    config = get_setting(FIRST_SERVICE_CALL)
    if not config.get("enabled", True):
        return None
    now = utcnow()
    task = Activity(
        company_id=company.id,
        kind="task",
        subject=config.get("subject") or "First service call",
        body=None,
        author_id=user.id if user is not None else None,
        occurred_at=now,
        assignee=first_service_call_assignee(config),
        due_date=(now + timedelta(days=int(config.get("delay_days", 30)))).date(),
        automation=FIRST_SERVICE_CALL,
    )
    db.session.add(task)
    db.session.flush()
    return task
