"""Won, lost and reopened deals: their dialogs, their consequences, who may reopen."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import make_company, make_deal, make_user, option, stage, status
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.pipeline import Deal, StageChange


def outcome_changes(deal):
    return db.session.scalars(
        select(StageChange)
        .where(StageChange.deal_id == deal.id, StageChange.outcome.is_not(None))
        .order_by(StageChange.id)
    ).all()


def service_call_tasks(company):
    return db.session.scalars(
        select(Activity).where(
            Activity.company_id == company.id, Activity.automation == "first_service_call"
        )
    ).all()


@pytest.fixture
def service_person():
    return make_user(name="Jonas Berg", department="service")


# --- Won --------------------------------------------------------------------------------------


def test_does_the_win_dialog_prefill_the_value_and_today(employee_client):
    deal = make_deal(make_company(), "proposal", value=48000)
    text = employee_client.get(f"/deals/{deal.id}").text
    assert '<dialog id="win-dialog"' in text
    assert 'name="win-value" type="text" value="48,000.00"' in text
    assert f'name="win-closed_on" required type="date" value="{date.today().isoformat()}"' in text
    page = employee_client.get(f"/deals/{deal.id}/win")
    assert page.status_code == 200
    assert "Mark " in page.text
    assert "as won" in page.text


def test_does_winning_make_the_company_a_customer_with_a_service_call(
    employee_client, service_person
):
    company = make_company("Nordisk Byg ApS", status_key="lead")
    deal = make_deal(company, "proposal", owner=employee_client.user, value=48000)
    won_on = date.today() - timedelta(days=2)
    response = employee_client.post(
        f"/deals/{deal.id}/win",
        data={
            "win-value": "52,500.00",
            "win-closed_on": won_on.isoformat(),
            "win-version": str(deal.version),
        },
    )
    assert response.status_code == 303
    assert (deal.outcome, deal.value, deal.closed_at) == ("won", Decimal("52500.00"), won_on)
    assert company.status.key == "customer"
    [task] = service_call_tasks(company)
    assert task.assignee_id == service_person.id
    [change] = outcome_changes(deal)
    assert (change.outcome, change.from_stage.key, change.user_id) == (
        "won",
        "proposal",
        employee_client.user.id,
    )
    history = {
        row.field: (row.old, row.new)
        for row in db.session.scalars(
            select(Change).where(Change.entity == "deal", Change.entity_id == deal.id)
        )
    }
    assert history == {"outcome": ("open", "won"), "value": ("48000.00", "52500.00")}
    page = employee_client.get(response.headers["Location"]).text
    assert "Won: " in page
    assert (
        "Nordisk Byg ApS is now a customer, and a first service call is planned as a task." in page
    )


def test_does_winning_for_a_customer_not_plan_another_service_call(employee_client):
    company = make_company(status_key="customer")
    deal = make_deal(company, "proposal")
    response = employee_client.post(
        f"/deals/{deal.id}/win",
        data={"win-value": "1000", "win-closed_on": date.today().isoformat(), "win-version": "1"},
    )
    assert response.status_code == 303
    assert service_call_tasks(company) == []
    assert "is now a customer" not in employee_client.get(response.headers["Location"]).text


@pytest.mark.parametrize(
    ("value", "closed_on", "message"),
    [
        ("", "today", "Enter the final value."),
        ("lots", "today", "Write the amount like 12,500.50 (in kroner)."),
        ("1000", "", "Give the date the deal was won."),
        ("1000", "tomorrow", "A deal cannot be won in the future."),
    ],
)
def test_is_a_bad_win_refused_and_nothing_changed(employee_client, hx, value, closed_on, message):
    company = make_company(status_key="lead")
    deal = make_deal(company, "proposal", value=48000)
    day = {"today": date.today(), "tomorrow": date.today() + timedelta(days=1)}.get(closed_on)
    response = employee_client.post(
        f"/deals/{deal.id}/win",
        data={
            "win-value": value,
            "win-closed_on": day.isoformat() if day else "",
            "win-version": "1",
        },
        headers=hx,
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form")
    assert message in response.text
    assert (deal.outcome, deal.value, company.status.key) == ("open", Decimal("48000"), "lead")
    assert outcome_changes(deal) == []


def test_is_a_stale_win_refused(employee_client):
    deal = make_deal(make_company(), "proposal")
    deal.version = 3
    db.session.flush()
    response = employee_client.post(
        f"/deals/{deal.id}/win",
        data={"win-value": "1000", "win-closed_on": date.today().isoformat(), "win-version": "1"},
    )
    assert response.status_code == 409
    assert "Not saved: a colleague changed this deal" in response.text
    assert deal.outcome == "open"


def test_is_a_closed_deal_not_won_again(employee_client):
    deal = make_deal(make_company(), "proposal", outcome="lost", closed_at=date.today())
    response = employee_client.post(
        f"/deals/{deal.id}/win",
        data={"win-value": "1000", "win-closed_on": date.today().isoformat(), "win-version": "1"},
    )
    assert response.status_code == 303
    assert deal.outcome == "lost"
    assert outcome_changes(deal) == []


# --- Lost -------------------------------------------------------------------------------------


def lose_data(deal, reason_key, competitor=None):
    return {
        "lose-reason_id": str(status(reason_key).id) if reason_key else "",
        "lose-competitor_id": str(option("competitor", competitor).id) if competitor else "",
        "lose-version": str(deal.version),
    }


def test_does_the_lose_dialog_list_the_inactive_statuses_and_competitors(employee_client):
    deal = make_deal(make_company(), "lead")
    text = employee_client.get(f"/deals/{deal.id}/lose").text
    for name in ("Inactive – lost to competitor", "Inactive – no budget", "Inactive – too small"):
        assert name in text
    assert "Prospect</label>" not in text
    assert ">HubSpot</option>" in text or "HubSpot" in text
    assert "data-competitor-reason" in text


def test_is_a_reason_required_to_lose(employee_client, hx):
    company = make_company(status_key="lead")
    deal = make_deal(company, "lead")
    response = employee_client.post(
        f"/deals/{deal.id}/lose", data=lose_data(deal, None), headers=hx
    )
    assert response.status_code == 422
    assert "Choose why the deal was lost." in response.text
    assert (deal.outcome, company.status.key) == ("open", "lead")


def test_is_a_competitor_required_when_lost_to_a_competitor(employee_client, hx):
    company = make_company(status_key="lead")
    deal = make_deal(company, "lead")
    response = employee_client.post(
        f"/deals/{deal.id}/lose", data=lose_data(deal, "lost_to_competitor"), headers=hx
    )
    assert response.status_code == 422
    assert "Choose the competitor that won the deal." in response.text
    assert (deal.outcome, company.status.key) == ("open", "lead")
    assert outcome_changes(deal) == []


def test_is_a_status_that_is_not_inactive_refused_as_reason(employee_client):
    deal = make_deal(make_company(status_key="lead"), "lead")
    response = employee_client.post(f"/deals/{deal.id}/lose", data=lose_data(deal, "prospect"))
    assert response.status_code == 422
    assert deal.outcome == "open"


def test_does_losing_to_a_competitor_record_it_and_move_the_company(employee_client):
    company = make_company("Vestjysk VVS A/S", status_key="lead")
    deal = make_deal(company, "qualified", owner=employee_client.user)
    response = employee_client.post(
        f"/deals/{deal.id}/lose", data=lose_data(deal, "lost_to_competitor", "HubSpot")
    )
    assert response.status_code == 303
    assert (deal.outcome, deal.lost_reason.key, deal.competitor.label) == (
        "lost",
        "lost_to_competitor",
        "HubSpot",
    )
    assert deal.closed_at == date.today()
    assert company.status.key == "lost_to_competitor"
    [change] = outcome_changes(deal)
    assert (change.outcome, change.from_stage.key) == ("lost", "qualified")
    page = employee_client.get(f"/deals/{deal.id}").text
    assert "Inactive – lost to competitor · HubSpot" in page
    assert "Vestjysk VVS A/S now has the status Inactive – lost to competitor." in page


def test_does_the_company_keep_its_status_while_another_deal_is_open(employee_client):
    company = make_company(status_key="lead")
    deal = make_deal(company, "lead")
    make_deal(company, "prospect")
    employee_client.post(f"/deals/{deal.id}/lose", data=lose_data(deal, "no_budget"))
    assert deal.outcome == "lost"
    assert company.status.key == "lead"


def test_does_a_customer_stay_a_customer_when_a_deal_is_lost(employee_client):
    company = make_company(status_key="customer")
    deal = make_deal(company, "proposal")
    employee_client.post(f"/deals/{deal.id}/lose", data=lose_data(deal, "too_small"))
    assert deal.outcome == "lost"
    assert company.status.key == "customer"


# --- Reopen -----------------------------------------------------------------------------------


def test_can_a_manager_reopen_a_lost_deal_and_is_it_recorded(manager_client):
    company = make_company(status_key="no_budget")
    deal = make_deal(
        company,
        "qualified",
        outcome="lost",
        closed_at=date.today(),
        lost_reason=status("no_budget"),
    )
    page = manager_client.get(f"/deals/{deal.id}").text
    assert '<dialog id="reopen-dialog"' in page
    response = manager_client.post(f"/deals/{deal.id}/reopen", data={"version": str(deal.version)})
    assert response.status_code == 303
    assert (deal.outcome, deal.closed_at, deal.lost_reason, deal.stage.key) == (
        "open",
        None,
        None,
        "qualified",
    )
    [change] = outcome_changes(deal)
    assert (change.outcome, change.via, change.to_stage.key, change.user_id) == (
        "open",
        "reopen",
        "qualified",
        manager_client.user.id,
    )
    row = db.session.scalar(
        select(Change).where(Change.entity == "deal", Change.field == "outcome")
    )
    assert (row.old, row.new, row.user_id) == ("lost", "open", manager_client.user.id)
    assert "Reopened in Qualified" in manager_client.get(f"/deals/{deal.id}").text


def test_may_an_employee_not_reopen(employee_client):
    deal = make_deal(make_company(), "proposal", outcome="won", closed_at=date.today())
    assert employee_client.get(f"/deals/{deal.id}/reopen").status_code == 403
    response = employee_client.post(f"/deals/{deal.id}/reopen", data={"version": "1"})
    assert response.status_code == 403
    assert deal.outcome == "won"
    assert "reopen-dialog" not in employee_client.get(f"/deals/{deal.id}").text


def test_does_the_reopen_page_ask_first(admin_client):
    deal = make_deal(make_company(), "proposal", outcome="won", closed_at=date.today())
    page = admin_client.get(f"/deals/{deal.id}/reopen")
    assert page.status_code == 200
    assert "The deal goes back to Proposal as an open deal." in page.text
    assert deal.outcome == "won"


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("csrf")
@pytest.mark.parametrize("action", ["win", "lose"])
def test_is_closing_without_a_csrf_token_refused(employee_client, action):
    deal = make_deal(make_company(status_key="lead"), "proposal")
    data = {
        "win-value": "1000",
        "win-closed_on": date.today().isoformat(),
        "win-version": "1",
        **lose_data(deal, "no_budget"),
    }
    response = employee_client.post(f"/deals/{deal.id}/{action}", data=data)
    assert response.status_code in (400, 422)
    assert deal.outcome == "open"
    assert db.session.scalar(select(func.count()).select_from(StageChange)) == 1


@pytest.mark.usefixtures("csrf")
def test_is_reopening_without_a_csrf_token_refused(manager_client):
    deal = make_deal(make_company(), "proposal", outcome="won", closed_at=date.today())
    response = manager_client.post(f"/deals/{deal.id}/reopen", data={"version": "1"})
    assert response.status_code == 400
    assert db.session.get(Deal, deal.id).outcome == "won"


def test_does_a_closed_deal_keep_its_stage_when_edited(employee_client):
    deal = make_deal(make_company(), "proposal", outcome="won", closed_at=date.today(), value=1000)
    response = employee_client.post(
        f"/deals/{deal.id}/edit",
        data={
            "title": deal.title,
            "value": "1000",
            "owner_id": "",
            "expected_close": "",
            "stage_id": str(stage("qualified").id),
            "probability_override": "",
            "version": str(deal.version),
        },
    )
    assert response.status_code == 422
    assert "Only open deals can move. Reopen the deal first." in response.text
    assert deal.stage.key == "proposal"
