"""Moving deals on the board: the drag and the "Move to" control go through the one gate."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_activity, make_company, make_contact, make_deal, stage
from webapp.extensions import db
from webapp.models.pipeline import StageChange
from webapp.models.user import utcnow


def moves_of(deal):
    return db.session.scalars(
        select(StageChange).where(StageChange.deal_id == deal.id).order_by(StageChange.id)
    ).all()


def post_move(client, deal, stage_key, via="board", headers=None, **extra):
    data = {"stage_id": stage(stage_key).id, "version": deal.version, "via": via, **extra}
    return client.post(f"/pipeline/deals/{deal.id}/move", data=data, headers=headers or {})


@pytest.fixture
def deal(employee_client):
    company = make_company(name="Nordisk Byg ApS")
    return make_deal(
        company,
        "prospect",
        owner=employee_client.user,
        value=5000,
        title="Payroll system",
        stage_entered_at=utcnow() - timedelta(days=10),
    )


def test_does_a_drag_to_an_allowed_stage_persist_and_update_both_columns(employee_client, deal, hx):
    make_deal(deal.company, "suspect", value=700)
    response = post_move(employee_client, deal, "suspect", headers=hx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    db.session.refresh(deal)
    assert deal.stage == stage("suspect")
    assert deal.version == 2
    assert (utcnow() - deal.stage_entered_at).total_seconds() < 60
    change = moves_of(deal)[-1]
    assert (change.from_stage, change.to_stage, change.via) == (
        stage("prospect"),
        stage("suspect"),
        "board",
    )
    assert change.user_id == employee_client.user.id
    # The card, with its days in stage reset, and both headers out of band.
    assert body.lstrip().startswith(f'<article class="deal-card" id="deal-{deal.id}"')
    assert "0 days in stage" in body
    assert 'name="version" value="2"' in body
    suspect_head = body[body.index(f'id="stage-head-{stage("suspect").id}"') :]
    assert 'hx-swap-oob="true"' in suspect_head[:80]
    assert re.search(r'<span class="count"[^>]*>2</span>', suspect_head)
    assert "DKK\xa05,700.00" in suspect_head
    prospect_head = body[body.index(f'id="stage-head-{stage("prospect").id}"') :]
    assert re.search(r'<span class="count"[^>]*>0</span>', prospect_head)
    assert "Moved “Payroll system” to Suspect." in body


def test_does_the_keyboard_move_put_the_card_in_its_new_column(employee_client, deal, hx):
    response = post_move(employee_client, deal, "suspect", via="keyboard", headers=hx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'hx-swap-oob="afterbegin:#stage-cards-{stage("suspect").id}"' in body
    assert "data-just-moved" in body
    assert moves_of(deal)[-1].via == "keyboard"


def test_does_a_move_without_javascript_go_back_to_the_filtered_board(employee_client, deal):
    response = post_move(employee_client, deal, "suspect", via="keyboard", category="B")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/pipeline/?category=B#deal-{deal.id}"
    assert db.session.get(type(deal), deal.id).stage == stage("suspect")
    page = employee_client.get("/pipeline/").get_data(as_text=True)
    assert "Moved “Payroll system” to Suspect." in page


def refusal_texts(html: str) -> list[str]:
    return re.findall(r"<li>(.*?)\. <a ", html)


def test_is_a_drag_past_the_rules_refused_with_what_is_missing(employee_client, deal, hx):
    before = len(moves_of(deal))
    response = post_move(employee_client, deal, "qualified", headers=hx)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#messages"
    assert "“Payroll system” cannot move to Qualified yet." in body
    assert refusal_texts(body) == [
        "Lead needs a call or an e-mail with a contact",
        "Qualified needs a meeting, held and with minutes written",
    ]
    log = f"/customers/{deal.company_id}?log_kind=call&amp;deal={deal.id}#log-form"
    assert f'href="{log}">Log a call on Nordisk Byg ApS</a>' in body
    assert "log_kind=meeting" in body
    db.session.expire_all()
    assert deal.stage == stage("prospect")
    assert deal.version == 1
    assert len(moves_of(deal)) == before


def test_do_the_drag_the_keyboard_and_the_no_javascript_paths_refuse_alike(
    employee_client, deal, hx
):
    drag = post_move(employee_client, deal, "proposal", via="board", headers=hx)
    keyboard = post_move(employee_client, deal, "proposal", via="keyboard", headers=hx)
    assert drag.status_code == keyboard.status_code == 422
    assert drag.get_data(as_text=True) == keyboard.get_data(as_text=True)
    no_js = post_move(employee_client, deal, "proposal", via="keyboard")
    assert no_js.status_code == 303
    page = employee_client.get(no_js.headers["Location"]).get_data(as_text=True)
    assert refusal_texts(page) == refusal_texts(drag.get_data(as_text=True))
    assert len(refusal_texts(page)) == 3
    # Shown once: the next visit is a plain board again.
    assert "cannot move" not in employee_client.get("/pipeline/").get_data(as_text=True)
    assert len(moves_of(deal)) == 1
    # The same sentences as the service's own refusal.
    from webapp.services.pipeline import StageRuleError, move_deal

    with pytest.raises(StageRuleError) as refused:
        move_deal(deal, stage("proposal"), employee_client.user, via="form")
    assert [m.describe() for m in refused.value.missing] == refusal_texts(page)


def test_does_a_move_succeed_once_the_missing_activity_is_logged(employee_client, deal, hx):
    contact = make_contact(deal.company)
    make_activity(deal.company, "call", contact=contact, deal_id=deal.id)
    response = post_move(employee_client, deal, "lead", headers=hx)
    assert response.status_code == 200
    db.session.refresh(deal)
    assert deal.stage == stage("lead")
    assert [m.to_stage.key for m in moves_of(deal)] == ["prospect", "lead"]


def test_is_a_stale_card_refused_with_409_and_nothing_changed(employee_client, deal, hx):
    from tests.factories import make_user
    from webapp.services.pipeline import move_deal

    colleague = make_user(name="Karl Kollega")
    move_deal(deal, stage("suspect"), colleague, via="form")  # version 1 → 2
    data = {"stage_id": stage("prospect").id, "version": 1, "via": "board"}
    response = employee_client.post(f"/pipeline/deals/{deal.id}/move", data=data, headers=hx)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Not moved: “Payroll system” was changed by someone else." in body
    assert "Karl Kollega moved it to Suspect meanwhile." in body
    db.session.refresh(deal)
    assert deal.stage == stage("suspect")
    no_js = employee_client.post(f"/pipeline/deals/{deal.id}/move", data=data)
    assert no_js.status_code == 303


def test_is_a_closed_deal_not_moved(employee_client, hx):
    closed = make_deal(make_company(), "lead", outcome="won", closed_at=utcnow().date())
    response = post_move(employee_client, closed, "suspect", headers=hx)
    assert response.status_code == 422
    assert "Only open deals can move." in response.get_data(as_text=True)
    assert len(moves_of(closed)) == 1


def test_is_a_move_to_a_retired_stage_refused(employee_client, deal, hx):
    stage("suspect").active = False
    db.session.flush()
    response = post_move(employee_client, deal, "suspect", headers=hx)
    assert response.status_code == 422
    assert "The stage Suspect is retired." in response.get_data(as_text=True)


@pytest.mark.parametrize("data", [{}, {"stage_id": "999999"}, {"stage_id": "x"}])
def test_is_a_move_without_a_stage_refused_plainly(employee_client, deal, hx, data):
    response = employee_client.post(f"/pipeline/deals/{deal.id}/move", data=data, headers=hx)
    assert response.status_code == 422
    assert "Choose the stage to move the deal to." in response.get_data(as_text=True)


def test_is_a_move_without_a_csrf_token_refused(employee_client, deal, csrf):
    response = post_move(employee_client, deal, "suspect")
    assert response.status_code in (400, 403)
    db.session.refresh(deal)
    assert deal.stage == stage("prospect")


@pytest.mark.parametrize("role", ["employee", "manager", "admin"])
def test_may_every_signed_in_role_move_deals(login_as, role):
    client = login_as(role)
    deal = make_deal(make_company(), "prospect")
    assert post_move(client, deal, "suspect").status_code == 303
    db.session.refresh(deal)
    assert deal.stage == stage("suspect")


def test_must_one_sign_in_to_move(client, deal):
    response = post_move(client, deal, "suspect")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    count = db.session.scalar(select(func.count()).where(StageChange.deal_id == deal.id))
    assert count == 1


def test_is_an_unknown_deal_not_found(employee_client):
    response = employee_client.post(
        "/pipeline/deals/999999/move", data={"stage_id": stage("suspect").id}
    )
    assert response.status_code == 404
