"""The benchmark's data generator, at a tiny scale inside the test's transaction."""

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import func, select
from stdnum.dk import cvr

from webapp.extensions import db
from webapp.models.activity import Activity, activity_attendee
from webapp.models.customer import Company, Contact
from webapp.models.group import GroupOption, GroupValue
from webapp.models.user import User

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("kanel_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def count(model_or_table, *where):
    return db.session.scalar(select(func.count()).select_from(model_or_table).where(*where))


@pytest.fixture
def tiny(bench, monkeypatch):
    # Small chunks, so rows are inserted in several rounds as at full scale.
    monkeypatch.setattr(bench, "CHUNK", 97)
    scale = bench.Scale(
        companies=200, contacts=400, activities=2_000, deals=100, users=10, big_card=150
    )
    before = {m: count(m) for m in (User, Company, Contact, Activity)}
    generated = bench.generate(db.session, scale, log=lambda line: None)
    return scale, generated, before


def test_does_the_generator_make_the_asked_row_counts(tiny):
    scale, generated, before = tiny
    assert count(User) - before[User] == scale.users
    assert count(Company) - before[Company] == scale.companies
    assert count(Contact) - before[Contact] == scale.contacts
    assert count(Activity) - before[Activity] == scale.activities
    assert count(Activity, Activity.company_id == generated.big_card_id) == scale.big_card
    assert generated.counts.get("deals") == scale.deals


def test_do_generated_rows_point_at_rows_that_exist(tiny):
    _scale, generated, _before = tiny
    ids = set(generated.company_ids)
    assert set(db.session.scalars(select(Contact.company_id))) <= ids
    assert set(db.session.scalars(select(Activity.company_id))) <= ids
    assert set(db.session.scalars(select(GroupValue.company_id))) <= ids
    # A contact on an activity belongs to the activity's company.
    wrong = db.session.scalar(
        select(func.count())
        .select_from(Activity)
        .join(Contact, Contact.id == Activity.contact_id)
        .where(Contact.company_id != Activity.company_id)
    )
    assert wrong == 0
    mismatched_group = db.session.scalar(
        select(func.count())
        .select_from(GroupValue)
        .join(GroupOption, GroupOption.id == GroupValue.option_id)
        .where(GroupOption.group_id != GroupValue.group_id)
    )
    assert mismatched_group == 0
    assert count(activity_attendee) > 0
    users = set(db.session.scalars(select(User.id)))
    owners = set(db.session.scalars(select(Company.owner_id).where(Company.owner_id.is_not(None))))
    assert owners <= users


def test_are_generated_companies_and_contacts_searchable(tiny):
    company = db.session.scalars(select(Company).limit(5)).all()
    assert all(c.name_key == c.name.lower() and cvr.is_valid(c.cvr) for c in company)
    contact = db.session.scalars(select(Contact).limit(5)).all()
    assert all(c.search_key == f"{c.first_name} {c.last_name} {c.email}".lower() for c in contact)
    every_company_has_a_contact = count(
        Company, ~select(Contact.id).where(Contact.company_id == Company.id).exists()
    )
    assert every_company_has_a_contact == 0


def test_does_the_full_scale_match_design_md(bench):
    full = bench.SCALES["full"]
    small = bench.SCALES["small"]
    assert (full.companies, full.contacts, full.activities, full.deals) == (
        200_000,
        400_000,
        2_000_000,
        100_000,
    )
    assert small.companies * 100 == full.companies
    assert small.activities * 100 == full.activities
