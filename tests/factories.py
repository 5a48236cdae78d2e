"""Test-data builders: make_user(...), make_company(...) and friends. They flush only."""

import itertools
from datetime import timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Company, Contact, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.user import User, utcnow

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(role="employee", name=None, email=None, password=PASSWORD, **fields):
    n = next(_counter)
    user = User(
        name=name or f"User {n}",
        email=email or f"user{n}@example.com",
        role=role,
        active=fields.pop("active", True),
        **fields,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def status(key: str) -> Status:
    """A default status by its key: suspect, prospect, lead, customer, lost_to_competitor, ..."""
    return db.session.scalar(select(Status).where(Status.key == key))


def group(key: str) -> Group:
    """A default group by its key: lead_source, competitor, accounting_system, satisfaction, ..."""
    return db.session.scalar(select(Group).where(Group.key == key))


def option(group_key: str, label: str) -> GroupOption:
    return db.session.scalar(
        select(GroupOption).join(Group).where(Group.key == group_key, GroupOption.label == label)
    )


def make_company(name=None, status_key="prospect", owner=None, **fields):
    n = next(_counter)
    name = name or f"Company {n} ApS"
    company = Company(
        name=name,
        name_key=fields.pop("name_key", name.lower()),
        status=fields.pop("status", None) or status(status_key),
        owner=owner,
        country=fields.pop("country", "DK"),
        **fields,
    )
    db.session.add(company)
    db.session.flush()
    return company


def make_contact(company, first_name="Jens", last_name=None, **fields):
    n = next(_counter)
    last_name = last_name if last_name is not None else f"Hansen{n}"
    email = fields.pop("email", f"contact{n}@example.com")
    contact = Contact(
        company=company,
        first_name=first_name,
        last_name=last_name,
        email=email,
        search_key=f"{first_name} {last_name} {email or ''}".lower(),
        **fields,
    )
    db.session.add(contact)
    db.session.flush()
    return contact


def make_activity(company, kind="note", author=None, subject="", days_ago=0, **fields):
    activity = Activity(
        company=company,
        kind=kind,
        subject=subject or kind.title(),
        author=author,
        occurred_at=fields.pop("occurred_at", utcnow() - timedelta(days=days_ago)),
        **fields,
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def set_option(company, group_key, label, user=None):
    chosen = option(group_key, label)
    value = GroupValue(
        company_id=company.id, group_id=chosen.group_id, option_id=chosen.id, set_by=user
    )
    db.session.add(value)
    db.session.flush()
    return value


def stage(key: str):
    """A default pipeline stage by key: suspect, prospect, lead, qualified, proposal."""
    from webapp.models.pipeline import Stage

    return db.session.scalar(select(Stage).where(Stage.key == key))


def make_deal(company, stage_key="suspect", owner=None, value=10000, **fields):
    """A deal placed directly in a stage (no rule check), with its first StageChange."""
    from decimal import Decimal

    from webapp.models.pipeline import Deal, StageChange

    n = next(_counter)
    deal = Deal(
        company=company,
        title=fields.pop("title", f"Deal {n}"),
        value=Decimal(str(value)),
        stage=stage(stage_key),
        owner=owner,
        created_at=fields.pop("created_at", utcnow() - timedelta(days=1)),
        **fields,
    )
    db.session.add(deal)
    db.session.flush()
    db.session.add(StageChange(deal_id=deal.id, to_stage_id=deal.stage_id, via="test"))
    db.session.flush()
    return deal
