"""The one gate: stage entry rules, won and lost, reopening."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import (
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
    option,
    stage,
    status,
)
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.pipeline import StageChange
from webapp.services.pipeline import (
    DealStateError,
    StageRuleError,
    lose_deal,
    missing_requirements,
    move_deal,
    open_deal,
    reopen_deal,
    win_deal,
)


@pytest.fixture
def seller():
    return make_user(name="Sara Sælger", department="sales")


def test_can_a_deal_move_freely_between_stages_without_rules(seller):
    deal = make_deal(make_company(), "suspect", owner=seller)
    change = move_deal(deal, stage("prospect"), seller, via="board")
    assert deal.stage.key == "prospect"
    assert (change.from_stage.key, change.to_stage.key, change.via) == (
        "suspect",
        "prospect",
        "board",
    )


def test_is_lead_refused_without_a_call_or_email_with_a_contact(seller):
    deal = make_deal(make_company(), "prospect", owner=seller)
    with pytest.raises(StageRuleError) as refused:
        move_deal(deal, stage("lead"), seller)
    assert str(refused.value) == "Lead needs a call or an e-mail with a contact"
    assert deal.stage.key == "prospect"


def test_does_a_call_without_a_contact_not_count_for_lead(seller):
    company = make_company()
    deal = make_deal(company, "prospect", owner=seller)
    make_activity(company, "call", author=seller, deal_id=deal.id)
    assert missing_requirements(deal, stage("lead"))


def test_does_an_email_with_a_contact_on_the_deal_open_lead(seller):
    company = make_company()
    contact = make_contact(company)
    deal = make_deal(company, "prospect", owner=seller)
    make_activity(company, "email", author=seller, deal_id=deal.id, contact_id=contact.id)
    move_deal(deal, stage("lead"), seller)
    assert deal.stage.key == "lead"


def test_does_a_company_activity_count_only_since_the_deal_opened(seller):
    company = make_company()
    contact = make_contact(company)
    deal = make_deal(company, "prospect", owner=seller)
    make_activity(company, "call", author=seller, contact_id=contact.id, days_ago=30)
    assert missing_requirements(deal, stage("lead"))  # before the deal: does not count
    make_activity(company, "call", author=seller, contact_id=contact.id, days_ago=0)
    assert not missing_requirements(deal, stage("lead"))


def test_does_qualified_need_a_held_meeting_with_minutes(seller):
    company = make_company()
    deal = make_deal(company, "lead", owner=seller)
    meeting = make_activity(company, "meeting", author=seller, deal_id=deal.id, body="")
    assert missing_requirements(deal, stage("qualified"))  # no minutes
    meeting.body = "Went through their process; they want a proposal."
    meeting.occurred_at = meeting.occurred_at + timedelta(days=3)
    db.session.flush()
    assert missing_requirements(deal, stage("qualified"))  # not held yet
    meeting.occurred_at = meeting.occurred_at - timedelta(days=4)
    db.session.flush()
    assert not missing_requirements(deal, stage("qualified"))


def test_does_skipping_a_stage_not_skip_its_rules(seller):
    company = make_company()
    deal = make_deal(company, "prospect", owner=seller)
    make_activity(company, "proposal", author=seller, deal_id=deal.id)
    with pytest.raises(StageRuleError) as refused:
        move_deal(deal, stage("proposal"), seller)
    assert [m.stage.key for m in refused.value.missing] == ["lead", "qualified"]


def test_can_a_deal_move_back_without_rules(seller):
    deal = make_deal(make_company(), "proposal", owner=seller)
    move_deal(deal, stage("suspect"), seller)
    assert deal.stage.key == "suspect"


def test_does_a_deleted_activity_not_count(seller):
    company = make_company()
    deal = make_deal(company, "qualified", owner=seller)
    make_activity(company, "proposal", author=seller, deal_id=deal.id, deleted=True)
    assert missing_requirements(deal, stage("proposal"))


def test_is_a_refused_move_not_recorded(seller):
    deal = make_deal(make_company(), "prospect", owner=seller)
    before = db.session.scalar(select(db.func.count()).select_from(StageChange))
    with pytest.raises(StageRuleError):
        move_deal(deal, stage("lead"), seller)
    assert db.session.scalar(select(db.func.count()).select_from(StageChange)) == before


def test_can_an_import_set_a_stage_without_rules(seller):
    deal = make_deal(make_company(), "suspect", owner=seller)
    move_deal(deal, stage("proposal"), seller, via="import", enforce_rules=False)
    assert deal.stage.key == "proposal"


def test_can_a_new_deal_start_only_where_no_rules_apply(seller):
    company = make_company()
    deal = open_deal(company, "Licences", Decimal("50000"), stage("prospect"), seller, seller)
    assert deal.id
    assert deal.stage.key == "prospect"
    with pytest.raises(StageRuleError):
        open_deal(company, "Skip ahead", Decimal("1"), stage("qualified"), seller, seller)


def test_does_winning_make_the_company_a_customer_with_a_service_task(seller):
    service = make_user(name="Sam Service", department="service")
    company = make_company(status_key="lead")
    deal = make_deal(company, "proposal", owner=seller)
    win_deal(deal, Decimal("120000"), date(2026, 11, 2), seller)
    assert (deal.outcome, deal.value, deal.closed_at) == (
        "won",
        Decimal("120000"),
        date(2026, 11, 2),
    )
    assert company.status.kind == "customer"
    task = db.session.scalar(select(Activity).where(Activity.company_id == company.id))
    assert task.kind == "task"
    assert task.assignee_id == service.id


def test_does_losing_set_the_reason_as_status_when_no_other_deal_is_open(seller):
    company = make_company(status_key="lead")
    first = make_deal(company, "lead", owner=seller)
    second = make_deal(company, "prospect", owner=seller)
    competitor = option("competitor", "HubSpot")
    lose_deal(first, status("lost_to_competitor"), seller, competitor=competitor)
    assert company.status.key == "lead"  # another deal is still open
    lose_deal(second, status("no_budget"), seller)
    assert company.status.key == "no_budget"
    assert first.competitor.label == "HubSpot"


def test_does_losing_leave_a_customer_a_customer(seller):
    company = make_company(status_key="customer")
    deal = make_deal(company, "lead", owner=seller)
    lose_deal(deal, status("no_need"), seller)
    assert company.status.key == "customer"


def test_must_a_lost_reason_be_an_inactive_status(seller):
    deal = make_deal(make_company(), "lead", owner=seller)
    with pytest.raises(DealStateError):
        lose_deal(deal, status("customer"), seller)
    assert deal.outcome == "open"


def test_can_a_closed_deal_be_reopened_and_is_it_recorded(seller):
    deal = make_deal(make_company(), "proposal", owner=seller)
    lose_deal(deal, status("bad_timing"), seller)
    with pytest.raises(DealStateError):
        move_deal(deal, stage("lead"), seller)
    change = reopen_deal(deal, seller)
    assert deal.outcome == "open"
    assert deal.lost_reason is None
    assert (change.outcome, change.via) == ("open", "reopen")
