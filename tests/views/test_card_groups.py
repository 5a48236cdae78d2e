"""Choosing group options inline on the customer card."""

import pytest
from sqlalchemy import event, select

from tests.factories import group, make_company, make_user, option, set_option
from webapp.blueprints.groups.section import groups_section
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Company
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.services.groups import set_group_options


def chosen(company, group_key):
    return sorted(
        db.session.scalars(
            select(GroupOption.label)
            .join(GroupValue, GroupValue.option_id == GroupOption.id)
            .where(GroupValue.company_id == company.id, GroupValue.group_id == group(group_key).id)
        )
    )


def history(company, group_key):
    return [
        (c.old, c.new, c.user_id)
        for c in db.session.scalars(
            select(Change)
            .where(Change.company_id == company.id, Change.field == f"group:{group(group_key).id}")
            .order_by(Change.id)
        )
    ]


def save_url(company, group_key):
    return f"/customers/{company.id}/groups/{group(group_key).id}"


def test_does_the_section_show_each_group_with_its_help_and_choice(employee_client):
    colleague = make_user(name="Sara Service")
    company = make_company(status_key="customer")
    set_option(company, "satisfaction", "4 Happy", user=colleague)
    response = employee_client.get(f"/customers/{company.id}/groups")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "How we came into contact with the company." in page
    assert "Set by Sara Service" in page
    happy = option("satisfaction", "4 Happy")
    assert f'name="option" value="{happy.id}" aria-pressed="true"' in page  # chosen, as text
    assert "4 Happy" in page
    assert 'type="checkbox" id="group-' in page  # accounting system: multiple choice


def test_are_empty_required_groups_flagged_for_the_status_kind(employee_client):
    customer = make_company(status_key="customer")
    page = employee_client.get(f"/customers/{customer.id}/groups").get_data(as_text=True)
    assert "Missing: Lead source, Accounting system" in page
    suspect = make_company(status_key="suspect")
    set_option(suspect, "lead_source", "SEO")
    page = employee_client.get(f"/customers/{suspect.id}/groups").get_data(as_text=True)
    assert "Missing:" not in page
    lost = make_company(status_key="lost_to_competitor")
    page = employee_client.get(f"/customers/{lost.id}/groups").get_data(as_text=True)
    assert "Missing:" not in page  # inactive companies need neither


def test_does_a_plain_post_save_and_go_back_to_the_card(employee_client):
    company = make_company()
    seo = option("lead_source", "SEO")
    response = employee_client.post(save_url(company, "lead_source"), data={"option": seo.id})
    assert response.status_code == 303
    assert f"/customers/{company.id}" in response.headers["Location"]
    assert chosen(company, "lead_source") == ["SEO"]
    assert history(company, "lead_source") == [(None, "SEO", employee_client.user.id)]
    value = db.session.scalar(select(GroupValue).where(GroupValue.company_id == company.id))
    assert value.set_by_id == employee_client.user.id


def test_does_an_htmx_save_answer_with_only_that_group(employee_client, hx):
    company = make_company(status_key="customer")
    set_option(company, "lead_source", "SEO")
    referral = option("lead_source", "Referral")
    lead_source = group("lead_source")
    response = employee_client.post(
        save_url(company, "lead_source"),
        data={"option": referral.id, "shown": str(option("lead_source", "SEO").id)},
        headers=hx,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page
    assert page.count('class="group-row') == 1
    assert f'id="group-{lead_source.id}"' in page
    assert "Saved" in page
    assert f'<option value="{referral.id}" selected>Referral</option>' in page
    assert 'id="groups-missing"' in page
    assert 'hx-swap-oob="true"' in page
    assert "Missing: Accounting system" in page  # the card's note, updated out of band
    assert response.headers["HX-Trigger"] == "groupsChanged"
    assert history(company, "lead_source") == [("SEO", "Referral", employee_client.user.id)]


def test_does_the_row_url_serve_a_page_and_a_fragment(employee_client, hx):
    company = make_company()
    url = save_url(company, "satisfaction")
    page = employee_client.get(url).get_data(as_text=True)
    assert "<html" in page
    assert "Satisfaction" in page
    fragment = employee_client.get(url, headers=hx)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_is_satisfaction_one_click_and_can_be_changed(employee_client, hx):
    company = make_company(status_key="customer")
    url = save_url(company, "satisfaction")
    employee_client.post(url, data={"option": option("satisfaction", "4 Happy").id}, headers=hx)
    employee_client.post(url, data={"option": option("satisfaction", "2 Unhappy").id}, headers=hx)
    assert chosen(company, "satisfaction") == ["2 Unhappy"]
    assert [h[:2] for h in history(company, "satisfaction")] == [
        (None, "4 Happy"),
        ("4 Happy", "2 Unhappy"),
    ]


def test_can_a_single_choice_be_cleared(employee_client):
    company = make_company()
    set_option(company, "previous_system", "Paper")
    employee_client.post(save_url(company, "previous_system"), data={"option": ""})
    assert chosen(company, "previous_system") == []
    assert [h[:2] for h in history(company, "previous_system")] == [("Paper", None)]


def test_does_a_multiple_choice_save_every_ticked_option(employee_client):
    company = make_company()
    set_option(company, "accounting_system", "Dinero")
    ids = [option("accounting_system", label).id for label in ("Billy", "e-conomic")]
    employee_client.post(save_url(company, "accounting_system"), data={"option": ids})
    assert chosen(company, "accounting_system") == ["Billy", "e-conomic"]
    assert [h[:2] for h in history(company, "accounting_system")] == [
        ("Dinero", "e-conomic, Billy")  # labels in the group's order
    ]


def test_is_saving_the_same_choice_not_recorded_twice(employee_client):
    company = make_company()
    seo = option("lead_source", "SEO")
    employee_client.post(save_url(company, "lead_source"), data={"option": seo.id})
    employee_client.post(save_url(company, "lead_source"), data={"option": seo.id})
    assert len(history(company, "lead_source")) == 1


def test_is_a_colleagues_change_in_between_refused_not_overwritten(employee_client, hx):
    company = make_company()
    colleague = make_user(name="Sara Service")
    set_group_options(
        company, group("lead_source"), [option("lead_source", "Partner").id], colleague
    )
    response = employee_client.post(
        save_url(company, "lead_source"),
        data={"option": option("lead_source", "SEO").id, "shown": ""},  # saw it empty
        headers=hx,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Sara Service changed Lead source to “Partner”" in page
    assert "Nothing was saved" in page
    assert chosen(company, "lead_source") == ["Partner"]
    assert len(history(company, "lead_source")) == 1


def test_is_a_stale_plain_post_refused_with_a_page(employee_client):
    company = make_company()
    set_option(company, "competitor", "HubSpot")
    response = employee_client.post(
        save_url(company, "competitor"),
        data={"option": option("competitor", "Salesforce").id, "shown": ""},
    )
    assert response.status_code == 409
    assert "<html" in response.get_data(as_text=True)
    assert chosen(company, "competitor") == ["HubSpot"]


@pytest.mark.parametrize(
    ("group_key", "values", "message"),
    [
        ("lead_source", lambda: [option("competitor", "Other").id], "does not belong"),
        (
            "lead_source",
            lambda: [option("lead_source", "SEO").id, option("lead_source", "Canvas").id],
            "Choose only one option",
        ),
        ("lead_source", lambda: ["abc"], "Choose one of the options."),
    ],
)
def test_are_impossible_choices_refused(employee_client, hx, group_key, values, message):
    company = make_company()
    response = employee_client.post(
        save_url(company, group_key), data={"option": values()}, headers=hx
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert chosen(company, group_key) == []


def test_does_a_retired_option_stay_chosen_but_not_offered_to_others(employee_client):
    chosen_company, other = make_company(), make_company()
    set_option(chosen_company, "payroll_system", "Lessor")
    lessor = option("payroll_system", "Lessor")
    lessor.active = False
    db.session.flush()
    page = employee_client.get(f"/customers/{chosen_company.id}/groups").get_data(as_text=True)
    assert f'value="{lessor.id}" checked>' in page
    assert "retired" in page[page.index(f'name="option" value="{lessor.id}"') :][:300]
    page = employee_client.get(f"/customers/{other.id}/groups").get_data(as_text=True)
    assert f'value="{lessor.id}"' not in page
    # Ticking another option keeps the retired one; choosing it anew is refused.
    zenegy = option("payroll_system", "Zenegy")
    url = save_url(chosen_company, "payroll_system")
    assert employee_client.post(url, data={"option": [lessor.id, zenegy.id]}).status_code == 303
    assert chosen(chosen_company, "payroll_system") == ["Lessor", "Zenegy"]
    response = employee_client.post(save_url(other, "payroll_system"), data={"option": lessor.id})
    assert response.status_code == 422
    assert "Lessor is retired" in response.get_data(as_text=True)


def test_is_an_inactive_group_not_shown_nor_saved(employee_client):
    company = make_company()
    competitor = group("competitor")
    competitor.active = False
    db.session.flush()
    page = employee_client.get(f"/customers/{company.id}/groups").get_data(as_text=True)
    assert "The competitor we were up against" not in page
    response = employee_client.post(
        save_url(company, "competitor"), data={"option": option("competitor", "Other").id}
    )
    assert response.status_code == 404
    assert chosen(company, "competitor") == []


def test_must_one_sign_in_to_see_or_save_groups(client):
    company = make_company()
    assert "/login" in client.post(save_url(company, "lead_source")).headers["Location"]
    assert "/login" in client.get(f"/customers/{company.id}/groups").headers["Location"]


def test_is_a_group_save_without_csrf_token_refused(employee_client, csrf):
    company = make_company()
    seo = option("lead_source", "SEO")
    response = employee_client.post(save_url(company, "lead_source"), data={"option": seo.id})
    assert response.status_code == 400
    assert chosen(company, "lead_source") == []


def test_is_an_unknown_company_or_group_not_found(employee_client):
    company = make_company()
    assert employee_client.post("/customers/999999/groups/1").status_code == 404
    assert employee_client.post(f"/customers/{company.id}/groups/999999").status_code == 404
    assert employee_client.get(f"/customers/{company.id}/groups/999999").status_code == 404


def _section_queries(app, company):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    company = db.session.get(Company, company.id)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        context = groups_section(company)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements), context


def _add_groups(n, company, start):
    for i in range(start, start + n):
        g = Group(key=f"extra_{i}", name=f"Extra {i}", position=100 + i, multiple=i % 2 == 0)
        db.session.add(g)
        db.session.flush()
        options = [GroupOption(group_id=g.id, label=f"Option {j}", position=j) for j in range(4)]
        db.session.add_all(options)
        db.session.flush()
        db.session.add(GroupValue(company_id=company.id, group_id=g.id, option_id=options[0].id))
    db.session.flush()


def test_does_the_section_run_the_same_queries_for_2_and_10_groups(app):
    for existing in db.session.scalars(select(Group)):
        existing.active = False
    company = make_company(status_key="customer")
    _add_groups(2, company, 0)
    few, context = _section_queries(app, company)
    assert len(context["group_rows"]) == 2
    _add_groups(8, company, 2)
    many, context = _section_queries(app, company)
    assert len(context["group_rows"]) == 10
    assert [row.chosen[0].label for row in context["group_rows"]] == ["Option 0"] * 10
    assert few == many


def test_does_the_card_include_the_groups_section(app, employee_client):
    if "customers.card" not in app.view_functions:
        pytest.skip("the card page is not in this build")
    company = make_company(status_key="customer")
    page = employee_client.get(f"/customers/{company.id}").get_data(as_text=True)
    assert 'id="groups"' in page
    assert "Missing: Lead source, Accounting system" in page


def test_are_my_own_quick_successive_ticks_not_a_conflict(employee_client, hx):
    company = make_company()
    billy, dinero = (option("accounting_system", label).id for label in ("Billy", "Dinero"))
    url = save_url(company, "accounting_system")
    first = employee_client.post(url, data={"option": [billy], "shown": ""}, headers=hx)
    # The second tick came from the same, not yet refreshed, form.
    second = employee_client.post(url, data={"option": [billy, dinero], "shown": ""}, headers=hx)
    assert (first.status_code, second.status_code) == (200, 200)
    assert chosen(company, "accounting_system") == ["Billy", "Dinero"]


def test_is_a_save_at_the_same_moment_refused_not_a_server_error(employee_client, hx, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from webapp.blueprints.groups import views

    def collide(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("unique"))

    monkeypatch.setattr(views, "set_group_options", collide)
    company = make_company()
    response = employee_client.post(
        save_url(company, "lead_source"),
        data={"option": option("lead_source", "SEO").id},
        headers=hx,
    )
    assert response.status_code == 409
    assert "at the same moment" in response.get_data(as_text=True)
    assert chosen(company, "lead_source") == []


def test_does_the_card_header_drop_the_missing_flag_once_the_group_is_set(employee_client, hx):
    from tests.factories import make_company, option

    company = make_company(status_key="customer")
    header_url = f"/customers/{company.id}/header"
    assert "missing: Accounting system" in employee_client.get(header_url, headers=hx).text
    chosen = option("accounting_system", "Dinero")
    saved = employee_client.post(
        f"/customers/{company.id}/groups/{chosen.group_id}",
        data={"option": str(chosen.id), "shown": ""},
        headers=hx,
    )
    assert saved.headers["HX-Trigger"] == "groupsChanged"  # the header listens for this
    header = employee_client.get(header_url, headers=hx).text
    assert "missing: Accounting system" not in header
    assert 'id="card-header"' in header
    assert "<html" not in header


def test_does_the_header_url_without_htmx_lead_to_the_card(employee_client):
    from tests.factories import make_company

    company = make_company()
    response = employee_client.get(f"/customers/{company.id}/header")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/customers/{company.id}")
