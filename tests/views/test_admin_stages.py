"""Administration of the pipeline stages and their entry rules."""

import pytest
from sqlalchemy import select

from tests.factories import make_company, make_deal, stage
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.pipeline import Stage


def changes(entity_id, field=None):
    query = select(Change).where(Change.entity == "stage", Change.entity_id == entity_id)
    if field:
        query = query.where(Change.field == field)
    return db.session.scalars(query.order_by(Change.id)).all()


def stage_named(name):
    return db.session.scalar(select(Stage).where(Stage.name == name))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/stages"),
        ("post", "/admin/stages/new"),
        ("get", "/admin/stages/1"),
        ("post", "/admin/stages/1"),
        ("post", "/admin/stages/1/move"),
        ("post", "/admin/stages/1/active"),
        ("post", "/admin/stages/1/rules"),
        ("post", "/admin/stages/1/rules/1/delete"),
    ],
)
def test_are_stages_for_admins_only(method, url, employee_client, manager_client, client):
    assert getattr(employee_client, method)(url).status_code == 403
    assert getattr(manager_client, method)(url).status_code == 403
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_does_the_list_show_stages_in_order_with_rules_in_words(admin_client):
    make_deal(make_company(), "lead")
    page = admin_client.get("/admin/stages").get_data(as_text=True)
    names = ["Suspect", "Prospect", "Lead", "Qualified", "Proposal"]
    assert [page.index(f">{n}</a>") for n in names] == sorted(
        page.index(f">{n}</a>") for n in names
    )
    assert "Lead needs a call or an e-mail with a contact" in page
    assert "Qualified needs a meeting, held and with minutes written" in page
    assert "Proposal needs a proposal" in page
    assert "60 %" in page
    assert "21 days" in page
    row = page[page.index(f'id="stage-{stage("lead").id}"') :]
    assert '<td data-label="Open deals" class="num">1</td>' in row[: row.index("</tr>")]
    assert "Pipeline stages" in page


def test_can_the_admin_create_a_stage_at_the_end(admin_client):
    response = admin_client.post(
        "/admin/stages/new",
        data={"name": "Negotiation", "probability": "80", "colour": "#123ABC", "rot_days": "14"},
    )
    assert response.status_code == 303
    created = stage_named("Negotiation")
    assert (created.probability, created.colour, created.rot_days) == (80, "#123abc", 14)
    assert created.position > stage("proposal").position
    assert created.active
    assert [c.field for c in changes(created.id)] == ["created"]
    board = admin_client.get("/pipeline/").get_data(as_text=True)
    assert "Negotiation" in board


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "probability": "10"}, "Enter a name for the stage."),
        ({"name": "Lead", "probability": "10"}, "A stage called Lead already exists."),
        ({"name": "X", "probability": "101"}, "Enter a probability from 0 to 100."),
        ({"name": "X", "probability": ""}, "Enter a probability from 0 to 100."),
        ({"name": "X", "probability": "5", "rot_days": "0"}, "from 1 to 3650"),
        ({"name": "X", "probability": "5", "colour": "red"}, "Choose a colour like #2563eb."),
    ],
)
def test_is_a_bad_stage_refused_beside_its_field(admin_client, data, message):
    data.setdefault("colour", "#6b7280")
    response = admin_client.post("/admin/stages/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_can_the_admin_rename_and_reweigh_a_stage_with_history(admin_client):
    lead = stage("lead")
    response = admin_client.post(
        f"/admin/stages/{lead.id}",
        data={"name": "Hot lead", "probability": "25", "colour": "#7c3aed", "rot_days": ""},
    )
    assert response.status_code == 303
    db.session.refresh(lead)
    assert (lead.name, lead.probability, lead.rot_days) == ("Hot lead", 25, None)
    fields = {c.field: (c.old, c.new) for c in changes(lead.id)}
    assert fields["name"] == ("Lead", "Hot lead")
    assert fields["probability"] == ("20", "25")
    assert fields["rot_days"] == ("30", None)
    assert all(c.user_id == admin_client.user.id for c in changes(lead.id))


def test_does_a_new_probability_change_the_weighted_sum_on_the_board(admin_client):
    make_deal(make_company(), "lead", value=1000)
    lead = stage("lead")
    admin_client.post(
        f"/admin/stages/{lead.id}",
        data={"name": "Lead", "probability": "50", "colour": "#7c3aed", "rot_days": "30"},
    )
    board = admin_client.get("/pipeline/").get_data(as_text=True)
    head = board[board.index(f'id="stage-head-{lead.id}"') :]
    assert "<dd data-weighted>DKK\xa0500.00</dd>" in head[: head.index("</header>")]


def test_can_the_admin_reorder_stages(admin_client):
    lead, qualified = stage("lead"), stage("qualified")
    response = admin_client.post(f"/admin/stages/{qualified.id}/move", data={"direction": "up"})
    assert response.status_code == 303
    assert qualified.position < lead.position
    assert [c.field for c in changes(qualified.id)] == ["position"]
    page = admin_client.get("/admin/stages").get_data(as_text=True)
    assert page.index(">Qualified</a>") < page.index(">Lead</a>")


def test_is_a_stage_with_open_deals_not_retired_until_they_move(admin_client):
    deal = make_deal(make_company(), "qualified")
    qualified = stage("qualified")
    response = admin_client.post(f"/admin/stages/{qualified.id}/active")
    assert response.status_code == 303
    assert qualified.active
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Qualified still has open deals (1). Move them to another stage first" in page
    edit = admin_client.get(f"/admin/stages/{qualified.id}").get_data(as_text=True)
    assert "cannot be retired until they move" in edit

    deal.outcome = "lost"
    db.session.flush()
    admin_client.post(f"/admin/stages/{qualified.id}/active")
    assert not qualified.active
    assert f'id="stage-head-{qualified.id}"' not in admin_client.get("/pipeline/").get_data(
        as_text=True
    )
    admin_client.post(f"/admin/stages/{qualified.id}/active")
    assert qualified.active
    assert [c.new for c in changes(qualified.id, "active")] == ["no", "yes"]


def test_can_the_admin_add_and_remove_an_entry_rule_that_the_board_then_obeys(admin_client, hx):
    prospect = stage("prospect")
    response = admin_client.post(
        f"/admin/stages/{prospect.id}/rules",
        data={"kinds": ["meeting", "call"], "with_contact": "y"},
    )
    assert response.status_code == 303
    (rule,) = prospect.requirements
    assert rule.kinds == "call,meeting"
    assert (rule.with_contact, rule.with_minutes) == (True, False)
    text = "Prospect needs a call or a meeting with a contact"
    assert text in admin_client.get(f"/admin/stages/{prospect.id}").get_data(as_text=True)
    assert changes(prospect.id, "requirement")[-1].new == text

    deal = make_deal(make_company(), "suspect")
    refused = admin_client.post(
        f"/pipeline/deals/{deal.id}/move",
        data={"stage_id": prospect.id, "version": deal.version, "via": "board"},
        headers=hx,
    )
    assert refused.status_code == 422
    assert text in refused.get_data(as_text=True)

    removed = admin_client.post(f"/admin/stages/{prospect.id}/rules/{rule.id}/delete")
    assert removed.status_code == 303
    db.session.expire_all()
    assert stage("prospect").requirements == []
    assert changes(prospect.id, "requirement")[-1].old == text
    allowed = admin_client.post(
        f"/pipeline/deals/{deal.id}/move",
        data={"stage_id": prospect.id, "version": deal.version, "via": "board"},
        headers=hx,
    )
    assert allowed.status_code == 200


def test_is_a_rule_without_a_kind_refused(admin_client):
    prospect = stage("prospect")
    response = admin_client.post(f"/admin/stages/{prospect.id}/rules", data={"with_minutes": "y"})
    assert response.status_code == 422
    assert "Tick at least one kind of activity." in response.get_data(as_text=True)
    assert prospect.requirements == []


def test_is_a_rule_of_another_stage_not_found(admin_client):
    (rule,) = stage("lead").requirements
    url = f"/admin/stages/{stage('proposal').id}/rules/{rule.id}/delete"
    assert admin_client.post(url).status_code == 404


def test_are_stage_changes_refused_without_a_csrf_token(admin_client, csrf):
    lead = stage("lead")
    response = admin_client.post(
        f"/admin/stages/{lead.id}", data={"name": "X", "probability": "1", "colour": "#000000"}
    )
    assert response.status_code in (400, 422)
    assert stage("lead").name == "Lead"
