"""Administration of groups and their options."""

import pytest
from sqlalchemy import select

from tests.factories import group, make_company, option, set_option
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.group import Group, GroupOption
from webapp.services.groups import group_options, ordered_groups


def group_named(name):
    return db.session.scalar(select(Group).where(Group.name == name))


def changes(entity, entity_id, field=None):
    query = select(Change).where(Change.entity == entity, Change.entity_id == entity_id)
    if field:
        query = query.where(Change.field == field)
    return db.session.scalars(query.order_by(Change.id)).all()


def group_data(**fields):
    data = {
        "name": "Industry focus",
        "help_text": "What the company mostly does.",
        "multiple": "0",
        "applies_to": "company",
        "required_from": "",
        "key": "",
        "active": "y",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/groups"),
        ("get", "/admin/groups/new"),
        ("post", "/admin/groups/new"),
        ("get", "/admin/groups/1"),
        ("post", "/admin/groups/1"),
        ("post", "/admin/groups/1/move"),
        ("post", "/admin/groups/1/options"),
        ("post", "/admin/groups/1/options/1"),
        ("post", "/admin/groups/1/options/1/move"),
        ("post", "/admin/groups/1/options/1/active"),
    ],
)
def test_are_groups_for_admins_only(method, url, employee_client, manager_client, client):
    assert getattr(employee_client, method)(url).status_code == 403
    assert getattr(manager_client, method)(url).status_code == 403
    assert "/login" in getattr(client, method)(url).headers["Location"]


def test_does_the_list_show_the_default_groups_and_their_rules(admin_client):
    page = admin_client.get("/admin/groups").get_data(as_text=True)
    assert page.index("Lead source") < page.index("Competitor") < page.index("Satisfaction")
    assert "<code>accounting_system</code>" in page
    assert "Multiple choice" in page
    row = page[page.index(f'id="group-{group("accounting_system").id}"') :]
    assert '<td data-label="Required from">Customer</td>' in row[: row.index("</tr>")]


def test_does_the_group_page_answer_htmx_with_a_page(admin_client, hx):
    response = admin_client.get(f"/admin/groups/{group('lead_source').id}", headers=hx)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert 'value="Trade fair"' in page


def test_can_an_admin_create_a_group(admin_client):
    response = admin_client.post(
        "/admin/groups/new",
        data=group_data(multiple="1", required_from="customer", key="industry_focus"),
    )
    assert response.status_code == 303
    created = group_named("Industry focus")
    assert response.headers["Location"].endswith(f"/admin/groups/{created.id}#options")
    assert (created.multiple, created.required_from, created.key, created.active) == (
        True,
        "customer",
        "industry_focus",
        True,
    )
    assert created.help_text == "What the company mostly does."
    assert ordered_groups()[-1] == created
    assert [c.field for c in changes("group", created.id)] == ["created"]


def test_can_a_group_apply_to_deals_and_have_no_key(admin_client):
    admin_client.post("/admin/groups/new", data=group_data(applies_to="deal"))
    created = group_named("Industry focus")
    assert (created.applies_to, created.key) == ("deal", None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a name for the group."),
        ({"name": "lead SOURCE"}, "A group called lead SOURCE already exists."),
        ({"key": "has space"}, "Use only letters, digits and underscores in the key."),
        ({"key": "satisfaction"}, "Another group already has the key satisfaction."),
        ({"required_from": "someday"}, "Not a valid choice"),
    ],
)
def test_are_bad_groups_refused_with_a_message(admin_client, fields, message):
    before = len(ordered_groups())
    response = admin_client.post("/admin/groups/new", data=group_data(**fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(ordered_groups()) == before


def test_can_an_admin_change_a_group_with_history(admin_client):
    competitor = group("competitor")
    response = admin_client.post(
        f"/admin/groups/{competitor.id}",
        data=group_data(
            name="Main competitor",
            help_text="",
            required_from="inactive",
            key="competitor",
            active="",
        ),
    )
    assert response.status_code == 303
    assert (competitor.name, competitor.help_text, competitor.required_from) == (
        "Main competitor",
        None,
        "inactive",
    )
    assert competitor.active is False
    fields = {(c.field, c.old, c.new) for c in changes("group", competitor.id)}
    assert ("name", "Competitor", "Main competitor") in fields
    assert ("active", "yes", "no") in fields
    assert ("required_from", None, "inactive") in fields


def test_is_single_choice_refused_while_companies_have_several_options(admin_client):
    company = make_company()
    set_option(company, "accounting_system", "Dinero")
    set_option(company, "accounting_system", "Billy")
    accounting = group("accounting_system")
    response = admin_client.post(
        f"/admin/groups/{accounting.id}",
        data=group_data(name="Accounting system", multiple="0", key="accounting_system"),
    )
    assert response.status_code == 422
    assert "Companies with several options chosen: 1." in response.get_data(as_text=True)
    assert accounting.multiple is True


def test_do_the_up_and_down_buttons_reorder_groups(admin_client):
    competitor = group("competitor")
    admin_client.post(f"/admin/groups/{competitor.id}/move", data={"direction": "up"})
    assert [g.key for g in ordered_groups()][:2] == ["competitor", "lead_source"]


def test_can_an_admin_add_an_option_at_the_end(admin_client):
    lead_source = group("lead_source")
    response = admin_client.post(
        f"/admin/groups/{lead_source.id}/options", data={"label": " Podcast "}
    )
    assert response.status_code == 303
    labels = [o.label for o in group_options(lead_source)]
    assert labels[-1] == "Podcast"
    added = option("lead_source", "Podcast")
    assert [(c.field, c.new) for c in changes("group_option", added.id)] == [("created", "Podcast")]


@pytest.mark.parametrize(
    ("label", "message"),
    [("", "Enter the option's label."), ("seo", "Lead source already has an option called seo.")],
)
def test_are_bad_options_refused_with_a_message(admin_client, label, message):
    lead_source = group("lead_source")
    before = len(group_options(lead_source))
    response = admin_client.post(f"/admin/groups/{lead_source.id}/options", data={"label": label})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(group_options(lead_source)) == before


def test_does_renaming_an_option_keep_the_companies_choice(admin_client):
    company = make_company()
    set_option(company, "lead_source", "Canvas")
    canvas = option("lead_source", "Canvas")
    lead_source = group("lead_source")
    response = admin_client.post(
        f"/admin/groups/{lead_source.id}/options/{canvas.id}",
        data={f"option-{canvas.id}-label": "Canvassing"},
    )
    assert response.status_code == 303
    assert canvas.label == "Canvassing"
    assert [(c.old, c.new) for c in changes("group_option", canvas.id, "label")] == [
        ("Canvas", "Canvassing")
    ]


def test_is_renaming_an_option_to_a_sibling_refused_beside_it(admin_client):
    canvas = option("lead_source", "Canvas")
    lead_source = group("lead_source")
    response = admin_client.post(
        f"/admin/groups/{lead_source.id}/options/{canvas.id}",
        data={f"option-{canvas.id}-label": "SEO"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="option-{canvas.id}-label-error"' in page
    assert canvas.label == "Canvas"


def test_do_the_up_and_down_buttons_reorder_options(admin_client):
    seo = option("lead_source", "SEO")
    lead_source = group("lead_source")
    admin_client.post(
        f"/admin/groups/{lead_source.id}/options/{seo.id}/move", data={"direction": "up"}
    )
    assert [o.label for o in group_options(lead_source)][:3] == ["SEO", "Referral", "AdWords"]
    admin_client.post(
        f"/admin/groups/{lead_source.id}/options/{seo.id}/move", data={"direction": "down"}
    )
    assert [o.label for o in group_options(lead_source)][:3] == ["Referral", "SEO", "AdWords"]


def test_is_an_option_of_another_group_not_found(admin_client):
    seo = option("lead_source", "SEO")
    response = admin_client.post(f"/admin/groups/{group('competitor').id}/options/{seo.id}/active")
    assert response.status_code == 404
    assert seo.active is True


def test_does_a_retired_option_keep_its_history_and_show_marked(admin_client):
    company = make_company()
    set_option(company, "lead_source", "AdWords")
    adwords = option("lead_source", "AdWords")
    lead_source = group("lead_source")
    response = admin_client.post(f"/admin/groups/{lead_source.id}/options/{adwords.id}/active")
    assert response.status_code == 303
    assert adwords.active is False
    assert db.session.get(GroupOption, adwords.id) is not None
    page = admin_client.get(f"/admin/groups/{lead_source.id}").get_data(as_text=True)
    item = page[page.index(f'id="option-{adwords.id}"') :]
    assert "Retired" in item[: item.index("</li>")]
    assert "Reactivate" in item[: item.index("</li>")]
    admin_client.post(f"/admin/groups/{lead_source.id}/options/{adwords.id}/active")
    assert adwords.active is True
    assert [(c.old, c.new) for c in changes("group_option", adwords.id, "active")] == [
        ("yes", "no"),
        ("no", "yes"),
    ]


def test_is_a_group_post_without_csrf_token_refused(admin_client, csrf):
    lead_source = group("lead_source")
    response = admin_client.post(f"/admin/groups/{lead_source.id}/options", data={"label": "X"})
    assert response.status_code == 400
    assert option("lead_source", "X") is None
