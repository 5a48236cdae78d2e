"""The company list, the header search, and creating, editing and archiving companies."""

import pytest
from sqlalchemy import event, select

from tests.factories import make_company, make_contact, make_user, option, set_option, status
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.customer import Company


def company_form(**fields):
    data = {
        "name": "Nordisk Byg ApS",
        "cvr": "",
        "street": "",
        "postcode": "",
        "city": "",
        "country": "DK",
        "website": "",
        "phone": "",
        "email": "",
        "employees": "",
        "category": "",
        "status_id": str(status("prospect").id),
        "owner_id": "",
        "notes": "",
    }
    data.update(fields)
    return data


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


# The list -----------------------------------------------------------------------------


def test_is_an_anonymous_visitor_sent_to_sign_in(client):
    response = client.get("/customers/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("fixture", ["employee_client", "manager_client", "admin_client"])
def test_may_every_role_see_the_list(request, fixture):
    make_company("Nordisk Byg ApS")
    response = request.getfixturevalue(fixture).get("/customers/")
    assert response.status_code == 200
    assert "Nordisk Byg ApS" in response.text


def test_does_an_empty_list_explain_itself_and_offer_a_new_company(employee_client):
    db.session.execute(db.update(Company).values(archived=True))
    response = employee_client.get("/customers/")
    assert "No customers yet" in response.text
    assert 'href="/customers/new"' in response.text


def test_does_an_htmx_request_get_only_the_rows(employee_client, hx):
    make_company("Nordisk Byg ApS")
    response = employee_client.get("/customers/?q=nordisk&status=&owner=", headers=hx)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="customer-rows">')
    assert "<html" not in response.text
    assert "Nordisk Byg ApS" in response.text
    assert "HX-Request" in response.headers["Vary"]
    # The address bar keeps the search, without the form's empty fields.
    assert response.headers["HX-Push-Url"] == "/customers/?q=nordisk"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("nordisk", {}),
        ("NORDISK B", {}),
        ("1358", {"cvr": "13585628"}),
        ("vejle", {"city": "Vejle"}),
        ("kirsten", "contact-name"),
        ("lund", "contact-name"),
        ("kirsten lund", "contact-name"),
        ("kirsten@nordisk", "contact-email"),
    ],
)
def test_does_search_find_a_company_by_each_field(employee_client, query, field):
    target = make_company("Nordisk Byg ApS", **(field if isinstance(field, dict) else {}))
    if isinstance(field, str):
        make_contact(target, first_name="Kirsten", last_name="Lund", email="kirsten@nordisk.dk")
    make_company("Fyns Tømrer A/S", city="Odense")
    response = employee_client.get("/customers/", query_string={"q": query})
    assert "Nordisk Byg ApS" in response.text
    assert "Fyns Tømrer A/S" not in response.text


def test_does_a_search_page_in_order_and_count_every_match(employee_client):
    for n in range(53):
        make_company(f"Vest {n:02d} ApS")
    make_company("Øst A ApS", city="Vesthimmerland")
    text = employee_client.get("/customers/?q=vest&page=2").text
    assert "54 companies" in text
    assert "Vest 49 ApS" not in text
    positions = [text.index(f"Vest {n} ApS</strong>") for n in (50, 51, 52)]
    assert positions == sorted(positions)
    assert "Øst A ApS" in text  # its city matches; "Ø" sorts after "V"


def test_does_a_one_or_two_letter_search_look_at_names_only(employee_client):
    nordisk = make_company("Nordisk Byg ApS")
    make_contact(make_company("Fyns Tømrer A/S"), first_name="Nora", last_name="Dahl")
    text = employee_client.get("/customers/?q=no").text
    assert nordisk.name in text
    assert "Fyns Tømrer A/S" not in text
    assert "Fyns Tømrer A/S" in employee_client.get("/customers/?q=nora").text


def test_does_search_ignore_archived_contacts(employee_client):
    target = make_company("Nordisk Byg ApS")
    make_contact(target, first_name="Kirsten", last_name="Lund", archived=True)
    response = employee_client.get("/customers/?q=kirsten")
    assert "Nordisk Byg ApS" not in response.text


def test_are_archived_companies_hidden_unless_asked_for(employee_client):
    make_company("Handelshuset Gammel ApS", archived=True)
    make_company("Handelshuset Ny ApS")
    assert "Handelshuset Gammel" not in employee_client.get("/customers/?q=handelshuset").text
    archived = employee_client.get("/customers/?q=handelshuset&archived=1").text
    assert "Handelshuset Gammel" in archived
    assert "Handelshuset Ny" not in archived


def test_do_filters_narrow_the_list_and_show_as_removable_chips(employee_client):
    owner = make_user(name="Sanne Sælger")
    make_company("Alfa ApS", status_key="customer", owner=owner, category="A")
    make_company("Beta ApS", status_key="customer", category="B")
    make_company("Gamma ApS", status_key="lost_to_competitor", owner=owner, category="A")
    customer = status("customer")

    text = employee_client.get(f"/customers/?status={customer.id}").text
    assert "Alfa ApS" in text
    assert "Beta ApS" in text
    assert "Gamma ApS" not in text
    assert f"Status: {customer.name}" in text

    text = employee_client.get("/customers/?kind=inactive").text
    assert "Gamma ApS" in text
    assert "Alfa ApS" not in text

    text = employee_client.get(f"/customers/?category=A&owner={owner.id}&kind=customer").text
    assert "Alfa ApS" in text
    assert "Beta ApS" not in text
    assert "Gamma ApS" not in text
    assert "Owner: Sanne Sælger" in text
    # Removing the category chip keeps the other filters.
    assert f'href="/customers/?kind=customer&amp;owner={owner.id}"' in text


def test_does_a_group_option_filter_find_companies_with_that_option(employee_client):
    alfa = make_company("Alfa ApS")
    beta = make_company("Beta ApS")
    set_option(alfa, "lead_source", "Referral")
    set_option(beta, "lead_source", "SEO")
    referral = option("lead_source", "Referral")
    text = employee_client.get(f"/customers/?option={referral.id}").text
    assert "Alfa ApS" in text
    assert "Beta ApS" not in text
    assert "Lead source: Referral" in text


def test_do_two_group_options_both_have_to_match(employee_client):
    alfa = make_company("Alfa ApS")
    beta = make_company("Beta ApS")
    set_option(alfa, "lead_source", "Referral")
    set_option(beta, "lead_source", "Referral")
    set_option(alfa, "reference_customer", "Yes")
    referral = option("lead_source", "Referral")
    yes = option("reference_customer", "Yes")
    text = employee_client.get(f"/customers/?option={referral.id}&option={yes.id}").text
    assert "Alfa ApS" in text
    assert "Beta ApS" not in text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alfa", "Beta", "Gamma"]),
        ("name&dir=desc", ["Gamma", "Beta", "Alfa"]),
        ("city", ["Beta", "Gamma", "Alfa"]),
        ("owner", ["Alfa", "Beta", "Gamma"]),
        ("status", ["Beta", "Alfa", "Gamma"]),
        ("updated&dir=desc", ["Beta", "Alfa", "Gamma"]),
    ],
)
def test_does_sorting_order_the_rows(employee_client, sort, expected):
    from datetime import datetime

    anne, bo, carl = (make_user(name=n) for n in ("Bo", "Carl", "Anne"))
    make_company(
        "Sort Alfa ApS",
        city="Vejle",
        owner=anne,
        status_key="lead",
        updated_at=datetime(2026, 2, 1),
    )
    make_company(
        "Sort Beta ApS",
        city="Aarhus",
        owner=bo,
        status_key="suspect",
        updated_at=datetime(2026, 3, 1),
    )
    make_company(
        "Sort Gamma ApS",
        city="Odense",
        owner=carl,
        status_key="customer",
        updated_at=datetime(2026, 1, 1),
    )
    text = employee_client.get(f"/customers/?q=sort&sort={sort}").text
    positions = [text.index(f"Sort {name} ApS</strong>") for name in expected]
    assert positions == sorted(positions)


def test_does_paging_keep_the_filters(employee_client):
    for n in range(55):
        make_company(f"Side {n:02d} ApS", city="Vejle")
    text = employee_client.get("/customers/?q=side").text
    assert "55 companies" in text
    assert "Side 49 ApS" in text
    assert "Side 50 ApS" not in text
    assert 'href="/customers/?q=side&amp;page=2"' in text
    second = employee_client.get("/customers/?q=side&page=2").text
    assert "Side 50 ApS" in second
    assert "Side 49 ApS" not in second
    assert "Page 2 of 2" in second


def test_does_each_row_flag_required_groups_that_are_empty(employee_client):
    make_company("Kunde Uden System ApS", status_key="customer")
    text = employee_client.get("/customers/?q=kunde").text
    assert "missing: Accounting system" in text


def test_does_the_list_run_the_same_number_of_queries_for_3_and_30_companies(app, employee_client):
    owners = [make_user() for _ in range(3)]

    def count_for(n, prefix):
        for i in range(n):
            company = make_company(f"{prefix} {i} ApS", owner=owners[i % 3], status_key="customer")
            set_option(company, "lead_source", "Referral")
        with QueryCounter() as counter:
            response = employee_client.get(f"/customers/?q={prefix}")
        assert response.status_code == 200
        return counter.count

    assert count_for(3, "Tre") == count_for(30, "Tredive")


# The header search -------------------------------------------------------------------


def test_does_the_header_search_show_companies_and_contacts(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    make_contact(make_company("Fyns Tømrer A/S"), first_name="Nora", last_name="Dahl")
    response = employee_client.get("/customers/search?q=nor", headers=hx)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="search-results"' in response.text
    assert f'href="/customers/{company.id}" data-top-hit' in response.text
    assert "Nora Dahl" in response.text
    assert "Fyns Tømrer A/S" in response.text


def test_is_the_search_also_a_page(employee_client):
    make_company("Nordisk Byg ApS")
    response = employee_client.get("/customers/search?q=nordisk")
    assert "<html" in response.text
    assert "Nordisk Byg ApS" in response.text


def test_does_the_search_say_when_nothing_matches(employee_client, hx):
    response = employee_client.get("/customers/search?q=zzzqqq", headers=hx)
    assert "Nothing found" in response.text


def test_does_every_page_have_the_header_search_box(employee_client):
    text = employee_client.get("/").text
    assert "data-search-shortcut" in text
    assert 'hx-get="/customers/search"' in text


# Creating -----------------------------------------------------------------------------


def test_does_creating_a_company_clean_its_fields_and_open_its_card(employee_client):
    response = employee_client.post(
        "/customers/new",
        data=company_form(
            name="  Nordisk   Byg ApS ",
            cvr="DK 1358 5628",
            website="WWW.Nordisk-Byg.DK/",
            phone="75 12 34 56",
            email="Info@Nordisk-Byg.dk",
            employees="12",
            owner_id=str(employee_client.user.id),
        ),
    )
    assert response.status_code == 303
    company = db.session.scalar(select(Company).where(Company.name == "Nordisk Byg ApS"))
    assert response.headers["Location"].endswith(f"/customers/{company.id}")
    assert company.name_key == "nordisk byg aps"
    assert company.cvr == "13585628"
    assert company.website == "https://www.nordisk-byg.dk"
    assert company.website_domain == "nordisk-byg.dk"
    assert company.phone == "+45 75 12 34 56"
    assert company.email.endswith("@nordisk-byg.dk")
    assert company.employees == 12
    assert company.owner_id == employee_client.user.id
    assert company.created_by_id == employee_client.user.id
    created = db.session.scalar(select(Change).where(Change.company_id == company.id))
    assert created.field == "created"


def test_does_the_new_form_show_as_a_page(employee_client):
    response = employee_client.get("/customers/new")
    assert response.status_code == 200
    assert "New company" in response.text
    assert 'name="cvr"' in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the company's name."),
        ("cvr", "12345678", "not a valid CVR number"),
        ("email", "info@", "not a valid e-mail address"),
        ("phone", "12", "not a valid phone number"),
        ("phone", "call me", "not a phone number"),
        ("website", "not a site", "not a web address"),
        ("employees", "many", "Enter a whole number."),
        ("employees", "-3", "Enter a number of 0 or more."),
        ("country", "Danmark", "two-letter country code"),
        ("status_id", "", "Choose a status"),
    ],
)
def test_is_each_invalid_field_refused_with_a_message(employee_client, hx, field, value, message):
    response = employee_client.post("/customers/new", data=company_form(**{field: value}))
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(Company).where(Company.name == "Nordisk Byg ApS")) is None


@pytest.mark.parametrize(
    ("existing", "typed", "reason"),
    [
        ({"name": "Helt Andet A/S", "cvr": "13585628"}, {"cvr": "13585628"}, "same CVR number"),
        (
            {"name": "Helt Andet A/S", "website_domain": "nordisk-byg.dk"},
            {"website": "https://www.nordisk-byg.dk"},
            "same website",
        ),
        ({"name": "Nordisk Byg A/S"}, {}, "similar name"),
        ({"name": "Nordisk  Bygg IVS"}, {}, "similar name"),
    ],
)
def test_is_a_likely_duplicate_warned_about_with_a_link(employee_client, existing, typed, reason):
    other = make_company(**existing)
    response = employee_client.post("/customers/new", data=company_form(**typed))
    assert response.status_code == 422
    assert reason in response.text
    assert f'href="/customers/{other.id}"' in response.text
    assert "Create anyway" in response.text
    assert db.session.scalar(select(Company).where(Company.name == "Nordisk Byg ApS")) is None


def test_can_the_user_create_anyway_after_the_duplicate_warning(employee_client):
    make_company("Nordisk Byg A/S")
    response = employee_client.post("/customers/new", data=company_form(create_anyway="1"))
    assert response.status_code == 303
    assert db.session.scalar(select(Company).where(Company.name == "Nordisk Byg ApS"))


def test_is_an_unrelated_name_not_called_a_duplicate(employee_client):
    make_company("Nordlys Revision ApS")
    response = employee_client.post("/customers/new", data=company_form())
    assert response.status_code == 303


def test_does_creating_a_customer_create_the_first_service_call_task(employee_client):
    employee_client.post("/customers/new", data=company_form(status_id=str(status("customer").id)))
    company = db.session.scalar(select(Company).where(Company.name == "Nordisk Byg ApS"))
    task = db.session.scalar(select(Activity).where(Activity.company_id == company.id))
    assert task.automation == "first_service_call"


def test_does_a_new_company_post_without_csrf_token_fail(employee_client, csrf):
    response = employee_client.post("/customers/new", data=company_form())
    assert response.status_code == 400
    assert db.session.scalar(select(Company).where(Company.name == "Nordisk Byg ApS")) is None


# Editing ------------------------------------------------------------------------------


def edit_data(company, **fields):
    data = company_form(
        name=company.name,
        cvr=company.cvr or "",
        city=company.city or "",
        status_id=str(company.status_id),
        owner_id=str(company.owner_id or ""),
        version=str(company.version),
    )
    data.update(fields)
    return data


def test_does_the_edit_form_show_the_company(employee_client):
    company = make_company("Nordisk Byg ApS", city="Vejle")
    response = employee_client.get(f"/customers/{company.id}/edit")
    assert response.status_code == 200
    assert 'value="Vejle"' in response.text
    assert f'name="version" type="hidden" value="{company.version}"' in response.text


def test_does_an_edit_record_history_for_each_changed_field(employee_client):
    company = make_company("Nordisk Byg ApS", city="Vejle")
    response = employee_client.post(
        f"/customers/{company.id}/edit",
        data=edit_data(company, city="Kolding", status_id=str(status("lead").id)),
    )
    assert response.status_code == 303
    assert company.city == "Kolding"
    assert company.version == 2
    rows = db.session.scalars(
        select(Change).where(Change.company_id == company.id).order_by(Change.field)
    ).all()
    assert [(r.entity, r.field, r.old, r.new) for r in rows] == [
        ("company", "city", "Vejle", "Kolding"),
        ("company", "status", "Prospect", "Lead"),
    ]
    assert {r.user_id for r in rows} == {employee_client.user.id}


def test_does_becoming_a_customer_create_the_first_service_call_task(employee_client):
    make_user(name="Service Susanne", department="service")
    company = make_company("Nordisk Byg ApS", status_key="lead")
    employee_client.post(
        f"/customers/{company.id}/edit",
        data=edit_data(company, status_id=str(status("customer").id)),
    )
    task = db.session.scalar(select(Activity).where(Activity.company_id == company.id))
    assert task is not None
    assert task.kind == "task"
    assert task.automation == "first_service_call"


def test_is_a_stale_save_refused_with_what_the_colleague_changed(employee_client):
    colleague = make_user(name="Karen Kollega")
    company = make_company("Nordisk Byg ApS", city="Vejle")
    opened = edit_data(company, phone="75 12 34 56")
    from webapp.services.companies import update_company

    update_company(
        company, {"city": "Horsens", "status_id": company.status_id}, colleague, company.version
    )
    response = employee_client.post(f"/customers/{company.id}/edit", data=opened)
    assert response.status_code == 409
    assert "a colleague changed this company" in response.text
    assert "Karen Kollega set City to “Horsens”" in response.text
    assert 'value="+45 75 12 34 56"' in response.text  # the user's input is kept
    assert company.city == "Horsens"
    assert company.phone is None
    # Saving again, knowingly, replaces their values.
    again = employee_client.post(
        f"/customers/{company.id}/edit",
        data={**opened, "version": str(company.version)},
    )
    assert again.status_code == 303
    assert company.city == "Vejle"


def test_does_the_edit_form_answer_htmx_with_the_errors(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    response = employee_client.post(
        f"/customers/{company.id}/edit", data=edit_data(company, cvr="123"), headers=hx
    )
    assert response.status_code == 422
    assert "not a valid CVR number" in response.text


def test_does_an_htmx_save_answer_with_a_location(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    response = employee_client.post(
        f"/customers/{company.id}/edit", data=edit_data(company, city="Vejle"), headers=hx
    )
    assert response.status_code == 200
    assert f"/customers/{company.id}" in response.headers["HX-Location"]


# Archive and restore ------------------------------------------------------------------


def test_can_a_company_be_archived_and_restored(employee_client):
    company = make_company("Nordisk Byg ApS")
    card = employee_client.get(f"/customers/{company.id}").text
    assert 'hx-confirm="Archive Nordisk Byg ApS? It disappears from lists and search' in card
    response = employee_client.post(f"/customers/{company.id}/archive")
    assert response.status_code == 303
    assert company.archived is True
    assert "This company is archived" in employee_client.get(f"/customers/{company.id}").text
    employee_client.post(f"/customers/{company.id}/restore")
    assert company.archived is False
    fields = db.session.scalars(
        select(Change.new).where(Change.company_id == company.id, Change.field == "archived")
    ).all()
    assert sorted(fields) == ["no", "yes"]


def test_is_archiving_without_csrf_token_refused(employee_client, csrf):
    company = make_company("Nordisk Byg ApS")
    response = employee_client.post(f"/customers/{company.id}/archive")
    assert response.status_code == 400
    assert company.archived is False


def test_is_an_unknown_company_a_404(employee_client):
    assert employee_client.get("/customers/999999").status_code == 404
    assert employee_client.get("/customers/999999/edit").status_code == 404


def test_does_archiving_with_htmx_answer_with_a_location(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    response = employee_client.post(f"/customers/{company.id}/archive", headers=hx)
    assert response.status_code == 200
    assert f"/customers/{company.id}" in response.headers["HX-Location"]
    assert company.archived is True


def test_may_a_manager_edit_a_company(login_as):
    company = make_company("Nordisk Byg ApS")
    response = login_as("manager").post(
        f"/customers/{company.id}/edit", data=edit_data(company, city="Vejle")
    )
    assert response.status_code == 303
    assert company.city == "Vejle"


def test_is_an_anonymous_post_sent_to_sign_in(client):
    response = client.post("/customers/new", data=company_form())
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert db.session.scalar(select(Company).where(Company.name == "Nordisk Byg ApS")) is None


def test_do_the_swapped_rows_carry_the_state_the_filters_do_not_show(employee_client, hx):
    referral = option("lead_source", "Referral")
    response = employee_client.get(
        f"/customers/?option={referral.id}&sort=city&dir=desc&archived=1", headers=hx
    )
    # The next search from the box sends these along, so the list keeps its state.
    assert f'<input type="hidden" name="option" value="{referral.id}">' in response.text
    assert '<input type="hidden" name="sort" value="city">' in response.text
    assert '<input type="hidden" name="dir" value="desc">' in response.text
    assert '<input type="hidden" name="archived" value="1">' in response.text
