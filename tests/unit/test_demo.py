"""The demo data: a believable Danish CRM that is added once."""

from datetime import date

from sqlalchemy import func, select
from stdnum.dk import cvr

from webapp.demo import DEMO_USERS, cvr_check_digit, random_cvr, seed_demo
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.customer import Company, Contact
from webapp.models.group import Group, GroupValue
from webapp.models.user import User, utcnow


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_are_generated_cvr_numbers_valid():
    import random

    rng = random.Random(1)  # noqa: S311 - reproducible test data, not security
    numbers = [random_cvr(rng) for _ in range(500)]
    assert all(cvr.is_valid(number) for number in numbers)
    assert cvr_check_digit("1015081") == 7  # 10150817 is a real CVR number


def test_does_seed_demo_create_about_300_companies_with_valid_unique_cvrs():
    users = seed_demo()
    assert [u.email for u in users] == [email for email, *_ in DEMO_USERS]
    numbers = db.session.scalars(select(Company.cvr)).all()
    assert 250 <= len(numbers) <= 350
    assert len(set(numbers)) == len(numbers)
    assert all(cvr.is_valid(number) for number in numbers)


def test_does_every_demo_company_have_a_status_and_a_contact():
    seed_demo()
    without_contact = db.session.scalar(
        select(func.count())
        .select_from(Company)
        .where(~select(Contact.id).where(Contact.company_id == Company.id).exists())
    )
    assert without_contact == 0
    assert db.session.scalar(select(func.count()).where(Company.status_id.is_(None))) == 0
    statuses = db.session.scalar(select(func.count(func.distinct(Company.status_id))))
    assert statuses == 10


def test_does_every_demo_user_have_open_tasks_and_some_have_overdue_ones_and_minutes_debt():
    users = seed_demo()
    today = date.today()
    for user in users:
        open_tasks = db.session.scalar(
            select(func.count()).where(
                Activity.kind == "task", Activity.assignee_id == user.id, Activity.done_at.is_(None)
            )
        )
        overdue = db.session.scalar(
            select(func.count()).where(
                Activity.kind == "task",
                Activity.assignee_id == user.id,
                Activity.done_at.is_(None),
                Activity.due_date < today,
            )
        )
        assert open_tasks > 0, user.email
        assert overdue > 0, user.email
    seller = next(u for u in users if u.email == "soeren@kanel.example")
    minutes_debt = db.session.scalar(
        select(func.count()).where(
            Activity.kind == "meeting",
            Activity.author_id == seller.id,
            Activity.occurred_at < utcnow(),
            Activity.body.is_(None),
        )
    )
    assert minutes_debt > 0


def test_do_demo_customers_have_groups_and_history():
    seed_demo()
    satisfaction = db.session.scalar(select(Group).where(Group.key == "satisfaction"))
    lead_source = db.session.scalar(select(Group).where(Group.key == "lead_source"))
    rated = db.session.scalar(select(func.count()).where(GroupValue.group_id == satisfaction.id))
    with_source = db.session.scalar(
        select(func.count()).where(GroupValue.group_id == lead_source.id)
    )
    assert rated > 30
    assert with_source > 250
    assert (
        db.session.scalar(select(func.count()).where(Change.field == f"group:{satisfaction.id}"))
        >= rated
    )


def test_does_a_second_seed_add_nothing():
    seed_demo()
    before = [count(m) for m in (User, Company, Contact, Activity, GroupValue, Change)]
    seed_demo()
    after = [count(m) for m in (User, Company, Contact, Activity, GroupValue, Change)]
    assert after == before


def test_do_a_few_demo_customers_miss_their_accounting_system():
    seed_demo()
    from webapp.services.groups import missing_required_groups

    ids = db.session.scalars(select(Company.id)).all()
    missing = missing_required_groups(ids)
    keys = {g.key for groups in missing.values() for g in groups}
    assert "accounting_system" in keys
    assert 0 < len(missing) < len(ids) / 4
