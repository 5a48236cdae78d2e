"""The segment list, the builder with its live count, saving, sharing and the company list."""

import json

import pytest
from sqlalchemy import event, select

from tests.factories import make_company, make_contact, make_user, status
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.marketing import Campaign, Segment
from webapp.services.segments import create_segment, version_of


def segment_for(owner, name="Leads in Aarhus", shared=True, **definition):
    segment = create_segment(name, "For the spring campaign", shared, definition, owner)
    db.session.flush()
    return segment


def leads_and_customers():
    lead_a = make_company("Aarhus Lead ApS", status_key="lead", city="Aarhus")
    lead_b = make_company("Odense Lead ApS", status_key="lead", city="Odense")
    customer = make_company("Aarhus Kunde A/S", status_key="customer", city="Aarhus")
    make_contact(lead_a, "Anne")
    make_contact(lead_a, "Arne")
    make_contact(lead_b, "Bent")
    make_contact(customer, "Karen")
    return lead_a, lead_b, customer


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


# The list ------------------------------------------------------------------------------


def test_is_an_anonymous_visitor_sent_to_sign_in(client):
    response = client.get("/segments/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("fixture", ["employee_client", "manager_client", "admin_client"])
def test_may_every_role_see_the_segments(request, fixture):
    user_client = request.getfixturevalue(fixture)
    segment_for(make_user(), name="Everyone's segment")
    response = user_client.get("/segments/")
    assert response.status_code == 200
    assert "Everyone&#39;s segment" in response.text
    assert 'href="/segments/"' in response.text  # the main navigation has the entry


def test_does_an_empty_list_explain_segments_and_offer_the_first(employee_client):
    response = employee_client.get("/segments/")
    assert "No segments yet" in response.text
    assert 'href="/segments/new"' in response.text


def test_does_the_list_count_each_segment_after_it_is_shown(employee_client, hx):
    leads_and_customers()
    segment = segment_for(employee_client.user, status=[status("lead").id])
    page = employee_client.get("/segments/")
    assert f'hx-get="/segments/{segment.id}/count"' in page.text
    assert 'hx-trigger="load"' in page.text
    fragment = employee_client.get(f"/segments/{segment.id}/count", headers=hx)
    assert fragment.text.startswith('<span class="segment-count">')
    assert "2 companies</strong> · 3 contacts" in fragment.text
    whole = employee_client.get(f"/segments/{segment.id}/count")
    assert "<html" in whole.text
    assert "2 companies" in whole.text


def test_does_the_list_run_the_same_queries_for_one_or_many_segments(employee_client):
    segment_for(employee_client.user, name="One")
    employee_client.get("/segments/")
    with QueryCounter() as one:
        employee_client.get("/segments/")
    for n in range(6):
        segment_for(make_user(), name=f"Many {n}", category=["A"])
    with QueryCounter() as many:
        employee_client.get("/segments/")
    assert many.count == one.count


# The builder and its live count ------------------------------------------------------------


def test_does_the_builder_offer_every_filter(employee_client):
    response = employee_client.get("/segments/new")
    assert response.status_code == 200
    for name in (
        "status",
        "kind",
        "category",
        "industry",
        "employees_min",
        "employees_max",
        "owner",
        "country",
        "city",
        "options",
        "options_mode",
        "satisfaction",
        "activity_after",
        "activity_before",
        "open_deal",
        "consent",
    ):
        assert f'name="{name}"' in response.text, name
    assert 'hx-trigger="change, input delay:300ms"' in response.text
    assert 'aria-live="polite"' in response.text
    assert 'hx-get="/segments/count"' in response.text


def test_does_the_live_count_answer_with_companies_and_contacts(employee_client, hx):
    leads_and_customers()
    response = employee_client.get(f"/segments/count?status={status('lead').id}", headers=hx)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["Vary"]
    assert "<strong>2 companies</strong> · 3 contacts" in response.text
    response = employee_client.get(
        f"/segments/count?status={status('lead').id}&city=aarhus", headers=hx
    )
    assert "<strong>1 company</strong> · 2 contacts" in response.text


def test_does_the_live_count_format_big_numbers_for_the_reader(employee_client, hx):
    from sqlalchemy import insert

    from webapp.models.customer import Company

    lead = status("lead").id
    db.session.execute(
        insert(Company),
        [{"name": f"Bulk {n}", "name_key": f"bulk {n}", "status_id": lead} for n in range(1234)],
    )
    response = employee_client.get(f"/segments/count?status={lead}", headers=hx)
    assert "1,234 companies" in response.text


def test_does_the_live_count_without_htmx_show_the_builder_with_those_filters(employee_client):
    leads_and_customers()
    lead = status("lead").id
    response = employee_client.get(f"/segments/count?status={lead}&employees_min=5")
    assert "<html" in response.text
    assert f'name="status" value="{lead}" checked' in response.text
    assert 'name="employees_min" value="5"' in response.text


def test_does_a_wrong_filter_say_so_instead_of_counting(employee_client, hx):
    response = employee_client.get("/segments/count?employees_min=50&employees_max=10", headers=hx)
    assert response.status_code == 200
    assert "Correct the marked filters" in response.text
    assert "The largest headcount is below the smallest." in response.text


# Saving, sharing and visibility ----------------------------------------------------------


def test_does_saving_store_the_filters_as_json_with_owner_and_sharing(employee_client):
    lead = status("lead").id
    response = employee_client.post(
        "/segments/new",
        data={
            "name": "Leads in Aarhus",
            "description": "Spring mailing",
            "shared": "y",
            "status": [str(lead)],
            "city": "Aarhus",
            "consent": "yes",
        },
    )
    assert response.status_code == 303
    segment = db.session.scalar(select(Segment).where(Segment.name == "Leads in Aarhus"))
    assert response.headers["Location"].endswith(f"/segments/{segment.id}")
    assert json.loads(segment.definition) == {
        "status": [lead],
        "city": ["Aarhus"],
        "consent": "yes",
    }
    assert segment.owner_id == employee_client.user.id
    assert segment.shared is True
    assert segment.description == "Spring mailing"
    page = employee_client.get(f"/segments/{segment.id}")
    assert "Status: Lead" in page.text
    assert "City: Aarhus" in page.text
    assert "Has a contact with marketing consent" in page.text


def test_is_a_segment_without_a_name_refused_beside_the_field(employee_client):
    response = employee_client.post(
        "/segments/new", data={"name": "", "employees_min": "10", "employees_max": "x"}
    )
    assert response.status_code == 422
    assert "Give the segment a name." in response.text
    assert "Enter a whole number." in response.text
    assert 'name="employees_min" value="10"' in response.text  # the input is kept
    assert db.session.scalar(select(Segment)) is None


def test_is_a_private_segment_hidden_from_colleagues(employee_client, login_as, hx):
    segment = segment_for(employee_client.user, name="My own list", shared=False)
    colleague = login_as("employee")
    assert "My own list" not in colleague.get("/segments/").text
    for url in (
        f"/segments/{segment.id}",
        f"/segments/{segment.id}/count",
        f"/segments/{segment.id}/edit",
        f"/segments/{segment.id}/export?rows=companies&format=csv&col=name",
    ):
        assert colleague.get(url).status_code == 404, url
    assert colleague.post(f"/segments/{segment.id}/duplicate").status_code == 404
    assert colleague.post(f"/segments/{segment.id}/delete").status_code == 404
    # The owner sees it, marked private.
    own = employee_client.get("/segments/")
    assert "My own list" in own.text
    assert "Private" in own.text


def test_is_a_private_segment_ignored_by_a_colleagues_company_list(employee_client, login_as):
    leads_and_customers()
    segment = segment_for(employee_client.user, shared=False, status=[status("lead").id])
    response = login_as("employee").get(f"/customers/?segment={segment.id}")
    assert "Segment:" not in response.text
    assert "Aarhus Kunde A/S" in response.text


def test_may_a_colleague_use_but_not_change_a_shared_segment(employee_client, login_as):
    segment = segment_for(employee_client.user, name="Shared leads")
    colleague = login_as("employee")
    page = colleague.get(f"/segments/{segment.id}")
    assert page.status_code == 200
    assert f'href="/segments/{segment.id}/edit"' not in page.text
    assert colleague.get(f"/segments/{segment.id}/edit").status_code == 403
    assert colleague.post(f"/segments/{segment.id}/edit", data={"name": "Mine"}).status_code == 403
    assert colleague.post(f"/segments/{segment.id}/delete").status_code == 403
    assert db.session.get(Segment, segment.id).name == "Shared leads"


def test_may_an_admin_change_and_delete_a_shared_segment(employee_client, admin_client):
    segment = segment_for(employee_client.user, name="Shared leads")
    response = admin_client.post(
        f"/segments/{segment.id}/edit",
        data={"name": "Leads (tidied)", "shared": "y", "version": version_of(segment)},
    )
    assert response.status_code == 303
    assert db.session.get(Segment, segment.id).name == "Leads (tidied)"
    assert admin_client.post(f"/segments/{segment.id}/delete").status_code == 303
    assert db.session.get(Segment, segment.id) is None


def test_does_editing_change_the_filters_and_record_who_did(employee_client):
    segment = segment_for(employee_client.user, category=["A"])
    form = employee_client.get(f"/segments/{segment.id}/edit")
    assert 'name="category" value="A" checked' in form.text
    response = employee_client.post(
        f"/segments/{segment.id}/edit",
        data={
            "name": "A and B",
            "description": "",
            "shared": "y",
            "category": ["A", "B"],
            "version": version_of(segment),
        },
    )
    assert response.status_code == 303
    saved = db.session.get(Segment, segment.id)
    assert json.loads(saved.definition) == {"category": ["A", "B"]}
    fields = set(
        db.session.scalars(
            select(Change.field).where(Change.entity == "segment", Change.entity_id == segment.id)
        )
    )
    assert {"name", "definition", "description"} <= fields


def test_is_a_save_over_a_newer_version_refused(employee_client, admin_client):
    segment = segment_for(employee_client.user, name="Leads")
    opened = version_of(segment)
    admin_client.post(
        f"/segments/{segment.id}/edit",
        data={"name": "Leads by admin", "shared": "y", "version": opened},
    )
    response = employee_client.post(
        f"/segments/{segment.id}/edit",
        data={"name": "Leads by me", "shared": "y", "category": ["C"], "version": opened},
    )
    assert response.status_code == 409
    assert "someone saved this segment after you opened it" in response.text
    assert "Ada Admin changed name" in response.text
    assert 'name="category" value="C" checked' in response.text
    assert db.session.get(Segment, segment.id).name == "Leads by admin"


def test_does_duplicating_make_a_private_copy_of_ones_own(employee_client, login_as):
    segment = segment_for(employee_client.user, name="Shared leads", category=["A"])
    colleague = login_as("employee")
    response = colleague.post(f"/segments/{segment.id}/duplicate")
    assert response.status_code == 303
    copy = db.session.scalar(select(Segment).where(Segment.name == "Copy of Shared leads"))
    assert response.headers["Location"].endswith(f"/segments/{copy.id}/edit")
    assert copy.owner_id == colleague.user.id
    assert copy.shared is False
    assert json.loads(copy.definition) == {"category": ["A"]}


def test_does_deleting_keep_campaigns_made_from_the_segment(employee_client):
    segment = segment_for(employee_client.user)
    campaign = Campaign(name="Spring", segment_id=segment.id)
    db.session.add(campaign)
    db.session.flush()
    response = employee_client.post(f"/segments/{segment.id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/segments/")
    assert db.session.get(Segment, segment.id) is None
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).segment_id is None


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/segments/new"),
        ("post", "/segments/{id}/edit"),
        ("post", "/segments/{id}/duplicate"),
        ("post", "/segments/{id}/delete"),
    ],
)
def test_is_every_change_refused_without_a_csrf_token(csrf, employee_client, method, url):
    segment = segment_for(employee_client.user, name="Kept")
    before = db.session.scalar(select(db.func.count(Segment.id)))
    response = getattr(employee_client, method)(
        url.format(id=segment.id), data={"name": "Changed", "shared": "y"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count(Segment.id))) == before
    assert db.session.get(Segment, segment.id).name == "Kept"


def test_is_saving_with_the_csrf_token_accepted(csrf, employee_client):
    page = employee_client.get("/segments/new")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = employee_client.post(
        "/segments/new", data={"name": "With token", "csrf_token": token}
    )
    assert response.status_code == 303


# The company list accepts a segment ---------------------------------------------------------


def test_does_the_company_list_show_a_segments_companies_with_a_removable_chip(employee_client):
    leads_and_customers()
    segment = segment_for(
        employee_client.user, name="Aarhus leads", status=[status("lead").id], city=["Aarhus"]
    )
    page = employee_client.get(f"/segments/{segment.id}")
    assert f'href="/customers/?segment={segment.id}"' in page.text
    response = employee_client.get(f"/customers/?segment={segment.id}")
    assert "Aarhus Lead ApS" in response.text
    assert "Odense Lead ApS" not in response.text
    assert "Aarhus Kunde A/S" not in response.text
    assert "1 company" in response.text
    assert "Segment: Aarhus leads" in response.text
    assert f'name="segment" value="{segment.id}"' in response.text
    # The chip's link leads to the list without the segment.
    assert 'aria-label="Remove filter Segment: Aarhus leads"' in response.text


def test_does_a_segment_combine_with_the_lists_own_filters(employee_client):
    leads_and_customers()
    segment = segment_for(employee_client.user, city=["Aarhus"])
    response = employee_client.get(f"/customers/?segment={segment.id}&kind=customer")
    assert "Aarhus Kunde A/S" in response.text
    assert "Aarhus Lead ApS" not in response.text
