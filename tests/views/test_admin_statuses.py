"""Administration of customer statuses."""

import pytest
from sqlalchemy import select

from tests.factories import make_company, status
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Status
from webapp.services.statuses import ordered_statuses


def status_named(name):
    return db.session.scalar(select(Status).where(Status.name == name))


def changes(entity_id, field=None):
    query = select(Change).where(Change.entity == "status", Change.entity_id == entity_id)
    if field:
        query = query.where(Change.field == field)
    return db.session.scalars(query.order_by(Change.id)).all()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/statuses"),
        ("post", "/admin/statuses/new"),
        ("get", "/admin/statuses/1"),
        ("post", "/admin/statuses/1/move"),
        ("post", "/admin/statuses/1/active"),
        ("post", "/admin/statuses/1/delete"),
    ],
)
def test_are_statuses_for_admins_only(method, url, employee_client, manager_client, client):
    assert getattr(employee_client, method)(url).status_code == 403
    assert getattr(manager_client, method)(url).status_code == 403
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_does_the_list_show_each_status_in_order_with_kind_colour_and_use(admin_client):
    make_company(status_key="customer")
    make_company(status_key="customer")
    page = admin_client.get("/admin/statuses").get_data(as_text=True)
    assert page.index("Suspect") < page.index("Prospect") < page.index("Inactive – no need")
    assert "background: #15803d" in page  # the Customer swatch
    assert "Former customer" in page
    row = page[page.index('id="status-' + str(status("customer").id)) :]
    assert '<td data-label="Companies" class="num">2</td>' in row[: row.index("</tr>")]


def test_does_the_list_answer_htmx_with_a_page(admin_client, hx):
    response = admin_client.get("/admin/statuses", headers=hx)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "New status" in response.get_data(as_text=True)


def test_can_an_admin_create_a_status_at_the_end(admin_client):
    response = admin_client.post(
        "/admin/statuses/new",
        data={"name": "  Partner  ", "kind": "customer", "colour": "#0EA5E9"},
    )
    assert response.status_code == 303
    created = status_named("Partner")
    assert (created.kind, created.colour, created.active) == ("customer", "#0ea5e9", True)
    assert ordered_statuses()[-1] == created
    assert [(c.field, c.new) for c in changes(created.id)] == [("created", "Partner")]
    assert changes(created.id)[0].user_id == admin_client.user.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "prospect", "colour": "#000000"}, "Enter a name for the status."),
        ({"name": "customer", "kind": "prospect", "colour": "#000000"}, "already exists"),
        ({"name": "X", "kind": "nonsense", "colour": "#000000"}, "Not a valid choice"),
        ({"name": "X", "kind": "prospect", "colour": "red"}, "Choose a colour like #2563eb."),
    ],
)
def test_are_bad_statuses_refused_with_a_message(admin_client, data, message):
    before = len(ordered_statuses())
    response = admin_client.post("/admin/statuses/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(ordered_statuses()) == before


def test_can_an_admin_rename_recolour_and_change_the_kind(admin_client):
    lead = status("lead")
    response = admin_client.post(
        f"/admin/statuses/{lead.id}",
        data={"name": "Hot lead", "kind": "prospect", "colour": "#ff0000"},
    )
    assert response.status_code == 303
    assert (lead.name, lead.colour) == ("Hot lead", "#ff0000")
    assert {(c.field, c.old, c.new) for c in changes(lead.id)} == {
        ("name", "Lead", "Hot lead"),
        ("colour", "#7c3aed", "#ff0000"),
    }


def test_is_renaming_to_a_taken_name_refused(admin_client):
    lead = status("lead")
    response = admin_client.post(
        f"/admin/statuses/{lead.id}",
        data={"name": "PROSPECT", "kind": "prospect", "colour": "#7c3aed"},
    )
    assert response.status_code == 422
    assert "A status called PROSPECT already exists." in response.get_data(as_text=True)
    assert lead.name == "Lead"


def test_does_the_edit_page_show_the_form_filled_in(admin_client, hx):
    response = admin_client.get(f"/admin/statuses/{status('lead').id}", headers=hx)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Lead"' in page
    assert 'type="color"' in page


def test_do_the_up_and_down_buttons_reorder(admin_client):
    lead, prospect = status("lead"), status("prospect")
    response = admin_client.post(f"/admin/statuses/{lead.id}/move", data={"direction": "up"})
    assert response.status_code == 303
    names = [s.key for s in ordered_statuses()]
    assert names[:4] == ["suspect", "lead", "prospect", "customer"]
    admin_client.post(f"/admin/statuses/{prospect.id}/move", data={"direction": "up"})
    admin_client.post(f"/admin/statuses/{prospect.id}/move", data={"direction": "up"})
    assert [s.key for s in ordered_statuses()][:3] == ["prospect", "suspect", "lead"]
    assert changes(prospect.id, "position")


def test_does_moving_the_first_status_up_change_nothing(admin_client):
    first = ordered_statuses()[0]
    admin_client.post(f"/admin/statuses/{first.id}/move", data={"direction": "up"})
    assert ordered_statuses()[0] == first
    assert (
        admin_client.post(
            f"/admin/statuses/{first.id}/move", data={"direction": "sideways"}
        ).status_code
        == 400
    )


def test_is_a_status_in_use_retired_not_deleted(admin_client):
    company = make_company(status_key="too_small")
    too_small = status("too_small")
    response = admin_client.post(f"/admin/statuses/{too_small.id}/delete")
    assert response.status_code == 303
    assert db.session.get(Status, too_small.id) is not None
    flashed = admin_client.get("/admin/statuses").get_data(as_text=True)
    assert "Retire it instead" in flashed
    admin_client.post(f"/admin/statuses/{too_small.id}/active")
    assert too_small.active is False
    assert company.status == too_small  # the company keeps it
    assert [(c.old, c.new) for c in changes(too_small.id, "active")] == [("yes", "no")]
    page = admin_client.get("/admin/statuses").get_data(as_text=True)
    assert "Reactivate" in page
    admin_client.post(f"/admin/statuses/{too_small.id}/active")
    assert too_small.active is True


def test_can_an_unused_status_be_deleted(admin_client):
    no_need = status("no_need")
    page = admin_client.get("/admin/statuses").get_data(as_text=True)
    assert f"/admin/statuses/{no_need.id}/delete" in page
    response = admin_client.post(f"/admin/statuses/{no_need.id}/delete")
    assert response.status_code == 303
    assert status("no_need") is None
    assert [(c.field, c.old) for c in changes(no_need.id)] == [("deleted", "Inactive – no need")]


def test_is_a_status_post_without_csrf_token_refused(admin_client, csrf):
    lead = status("lead")
    response = admin_client.post(
        f"/admin/statuses/{lead.id}", data={"name": "Hot", "kind": "prospect", "colour": "#000000"}
    )
    assert response.status_code == 400
    assert lead.name == "Lead"
