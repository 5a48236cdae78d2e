"""The customer card, its History tab, and what viewing it records."""

from sqlalchemy import event, select

from tests.factories import make_company, make_contact, make_user, set_option, status
from webapp.extensions import db
from webapp.models.customer import CardView
from webapp.services.companies import update_company


def count_queries(client, url):
    statements = []

    def listener(*args, **kwargs):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements)


def test_does_the_card_show_the_header_and_contacts(employee_client):
    owner = make_user(name="Sanne Sælger")
    company = make_company(
        "Nordisk Byg ApS",
        status_key="customer",
        owner=owner,
        cvr="13585628",
        city="Vejle",
        website="https://nordisk-byg.dk",
        website_domain="nordisk-byg.dk",
        phone="+45 75 12 34 56",
        employees=12,
        category="B",
        category_manual=True,
    )
    make_contact(company, first_name="Kirsten", last_name="Lund")
    response = employee_client.get(f"/customers/{company.id}")
    assert response.status_code == 200
    text = response.text
    assert "<title>Nordisk Byg ApS — Kanel</title>" in text
    assert "Customer</span>" in text
    assert "Category B · set by hand" in text
    assert "Owner: Sanne Sælger" in text
    assert "13585628" in text
    assert 'href="https://nordisk-byg.dk"' in text
    assert "+45 75 12 34 56" in text
    assert "Kirsten Lund" in text
    assert "missing: Accounting system" in text


def test_does_a_filled_required_group_stop_being_flagged(employee_client):
    company = make_company("Nordisk Byg ApS", status_key="customer")
    set_option(company, "accounting_system", "e-conomic")
    text = employee_client.get(f"/customers/{company.id}").text
    assert "missing: Accounting system" not in text


def test_does_the_card_answer_htmx_with_its_body(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    response = employee_client.get(f"/customers/{company.id}", headers=hx)
    assert response.text.lstrip().startswith('<div id="card-body">')
    assert "<html" not in response.text


def test_does_viewing_the_card_remember_when_i_looked(employee_client):
    company = make_company("Nordisk Byg ApS")
    employee_client.get(f"/customers/{company.id}")
    seen = db.session.get(CardView, (employee_client.user.id, company.id))
    first = seen.seen_at
    employee_client.get(f"/customers/{company.id}")
    db.session.refresh(seen)
    assert seen.seen_at >= first
    views = db.session.scalars(select(CardView).where(CardView.company_id == company.id)).all()
    assert len(views) == 1


def test_does_the_card_run_the_same_number_of_queries_for_3_and_30_contacts(employee_client):
    small = make_company("Lille ApS", status_key="customer")
    big = make_company("Stor ApS", status_key="customer")
    for _ in range(3):
        make_contact(small)
    for _ in range(30):
        make_contact(big)
    employee_client.get(f"/customers/{small.id}")  # first view inserts, later ones update
    employee_client.get(f"/customers/{big.id}")
    assert count_queries(employee_client, f"/customers/{small.id}") == count_queries(
        employee_client, f"/customers/{big.id}"
    )


def test_does_the_history_tab_list_who_changed_what(employee_client, hx):
    colleague = make_user(name="Karen Kollega")
    company = make_company("Nordisk Byg ApS", city="Vejle")
    update_company(
        company,
        {"city": "Kolding", "status_id": status("lead").id, "category_manual": True},
        colleague,
        company.version,
    )
    page = employee_client.get(f"/customers/{company.id}/history")
    assert page.status_code == 200
    assert "<title>History · Nordisk Byg ApS — Kanel</title>" in page.text
    assert "Karen Kollega" in page.text
    assert "City" in page.text
    assert '>Vejle</span> → <span class="new">Kolding<' in page.text
    assert '>Prospect</span> → <span class="new">Lead<' in page.text
    assert "Category set by hand" in page.text
    fragment = employee_client.get(f"/customers/{company.id}/history", headers=hx)
    assert fragment.text.lstrip().startswith('<div id="card-body">')
    assert "Karen Kollega" in fragment.text


def test_does_the_history_show_a_group_value_by_the_group_name(employee_client):
    from tests.factories import group
    from webapp.services.audit import record_change

    company = make_company("Nordisk Byg ApS")
    satisfaction = group("satisfaction")
    record_change(
        "group",
        None,
        f"group:{satisfaction.id}",
        None,
        "5 Very happy",
        employee_client.user,
        company.id,
    )
    text = employee_client.get(f"/customers/{company.id}/history").text
    assert "Satisfaction" in text
    assert "5 Very happy" in text


def test_does_an_empty_history_say_what_it_will_show(employee_client):
    company = make_company("Nordisk Byg ApS")
    assert "No changes recorded yet" in employee_client.get(f"/customers/{company.id}/history").text
