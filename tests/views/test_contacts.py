"""Contacts inline on the customer card: add, edit, archive, restore, stale saves."""

from sqlalchemy import select

from tests.factories import make_company, make_contact, make_user
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Contact
from webapp.services.contacts import update_contact


def contact_form(**fields):
    data = {
        "first_name": "Kirsten",
        "last_name": "Lund",
        "title": "CFO",
        "email": "Kirsten.Lund@Nordisk-Byg.dk",
        "phone": "20 30 40 50",
        "consent_source": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_does_the_add_form_show_as_a_page_and_as_the_section(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    page = employee_client.get(f"/customers/{company.id}/contacts/new")
    assert page.status_code == 200
    assert "<html" in page.text
    assert 'name="first_name"' in page.text
    fragment = employee_client.get(f"/customers/{company.id}/contacts/new", headers=hx)
    assert fragment.text.lstrip().startswith('<section id="contacts"')
    assert 'name="first_name"' in fragment.text


def test_does_adding_a_contact_without_javascript_return_to_the_card(employee_client):
    company = make_company("Nordisk Byg ApS")
    response = employee_client.post(f"/customers/{company.id}/contacts/new", data=contact_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/customers/{company.id}#contacts")
    contact = db.session.scalar(select(Contact).where(Contact.company_id == company.id))
    assert contact.name == "Kirsten Lund"
    assert contact.phone == "+45 20 30 40 50"
    assert contact.search_key.startswith("kirsten lund kirsten.lund@")
    assert contact.marketing_consent is False
    assert contact.consent_at is None
    card = employee_client.get(f"/customers/{company.id}").text
    assert "Kirsten Lund" in card


def test_does_adding_a_contact_with_htmx_swap_only_the_section(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    response = employee_client.post(
        f"/customers/{company.id}/contacts/new", data=contact_form(), headers=hx
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="contacts"')
    assert "Kirsten Lund" in response.text
    assert 'hx-swap-oob="beforeend"' in response.text
    assert "Added Kirsten Lund." in response.text


def test_does_a_new_contact_leave_a_history_row_on_the_card(employee_client):
    company = make_company("Nordisk Byg ApS")
    employee_client.post(f"/customers/{company.id}/contacts/new", data=contact_form())
    row = db.session.scalar(select(Change).where(Change.company_id == company.id))
    assert (row.entity, row.field, row.new) == ("contact", "created", "Kirsten Lund")


def test_are_invalid_contact_fields_refused_beside_the_field(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    for field, value, message in [
        ("first_name", "", "Enter the person's first name."),
        ("email", "kirsten@", "not a valid e-mail address"),
        ("phone", "123", "not a valid phone number"),
    ]:
        response = employee_client.post(
            f"/customers/{company.id}/contacts/new",
            data=contact_form(**{field: value}),
            headers=hx,
        )
        assert response.status_code == 422
        assert message in response.text
        assert 'value="CFO"' in response.text  # the typed input stays
    assert db.session.scalar(select(Contact).where(Contact.company_id == company.id)) is None


def test_does_switching_consent_on_set_its_date_and_off_clear_it(employee_client):
    company = make_company("Nordisk Byg ApS")
    contact = make_contact(company, first_name="Kirsten", last_name="Lund")
    url = f"/customers/{company.id}/contacts/{contact.id}/edit"
    employee_client.post(
        url,
        data=contact_form(
            marketing_consent="y", consent_source="Trade fair", version=str(contact.version)
        ),
    )
    assert contact.marketing_consent is True
    assert contact.consent_at is not None
    assert contact.consent_source == "Trade fair"
    assert "Marketing: yes" in employee_client.get(f"/customers/{company.id}").text
    employee_client.post(url, data=contact_form(version=str(contact.version)))
    assert contact.marketing_consent is False
    assert contact.consent_at is None
    fields = db.session.scalars(
        select(Change.field).where(Change.entity_id == contact.id, Change.entity == "contact")
    ).all()
    assert "marketing_consent" in fields
    assert "consent_at" in fields


def test_does_the_edit_form_show_inline_as_page_and_fragment(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    contact = make_contact(company, first_name="Kirsten", last_name="Lund", title="CFO")
    url = f"/customers/{company.id}/contacts/{contact.id}/edit"
    page = employee_client.get(url)
    assert "<html" in page.text
    assert 'value="Kirsten"' in page.text
    fragment = employee_client.get(url, headers=hx)
    assert fragment.text.lstrip().startswith('<section id="contacts"')
    assert f'name="version" type="hidden" value="{contact.version}"' in fragment.text


def test_does_editing_a_contact_record_history_and_bump_the_version(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    contact = make_contact(company, first_name="Kirsten", last_name="Lund", title="CFO")
    response = employee_client.post(
        f"/customers/{company.id}/contacts/{contact.id}/edit",
        data=contact_form(title="CEO", version=str(contact.version)),
        headers=hx,
    )
    assert response.status_code == 200
    assert "CEO" in response.text
    assert contact.version == 2
    row = db.session.scalar(
        select(Change).where(Change.entity == "contact", Change.field == "title")
    )
    assert (row.old, row.new, row.company_id) == ("CFO", "CEO", company.id)


def test_is_a_stale_contact_save_refused_with_what_changed(employee_client, hx):
    colleague = make_user(name="Karen Kollega")
    company = make_company("Nordisk Byg ApS")
    contact = make_contact(company, first_name="Kirsten", last_name="Lund", title="CFO")
    opened = contact_form(title="Director", version=str(contact.version))
    update_contact(contact, {"title": "CEO"}, colleague, contact.version)
    response = employee_client.post(
        f"/customers/{company.id}/contacts/{contact.id}/edit", data=opened, headers=hx
    )
    assert response.status_code == 409
    assert "a colleague changed this contact" in response.text
    assert "Karen Kollega set Title to “CEO”" in response.text
    assert 'value="Director"' in response.text
    assert contact.title == "CEO"


def test_can_a_contact_be_archived_and_restored(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    contact = make_contact(company, first_name="Kirsten", last_name="Lund")
    card = employee_client.get(f"/customers/{company.id}").text
    assert 'hx-confirm="Archive Kirsten Lund?' in card
    response = employee_client.post(
        f"/customers/{company.id}/contacts/{contact.id}/archive", headers=hx
    )
    assert response.status_code == 200
    assert contact.archived is True
    assert "1 archived contact" in response.text
    response = employee_client.post(f"/customers/{company.id}/contacts/{contact.id}/restore")
    assert response.status_code == 303
    assert contact.archived is False


def test_is_a_contact_of_another_company_a_404(employee_client):
    company = make_company("Nordisk Byg ApS")
    other = make_contact(make_company("Fyns Tømrer A/S"))
    assert (
        employee_client.get(f"/customers/{company.id}/contacts/{other.id}/edit").status_code == 404
    )


def test_are_contact_posts_without_csrf_token_refused(employee_client, csrf):
    company = make_company("Nordisk Byg ApS")
    contact = make_contact(company)
    assert (
        employee_client.post(f"/customers/{company.id}/contacts/new", data=contact_form())
    ).status_code == 400
    assert (
        employee_client.post(f"/customers/{company.id}/contacts/{contact.id}/archive")
    ).status_code == 400
    assert contact.archived is False


def test_is_an_anonymous_visitor_kept_out_of_contacts(client):
    company = make_company("Nordisk Byg ApS")
    response = client.post(f"/customers/{company.id}/contacts/new", data=contact_form())
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_is_the_contacts_section_also_a_page(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    make_contact(company, first_name="Kirsten", last_name="Lund")
    page = employee_client.get(f"/customers/{company.id}/contacts")
    assert "<html" in page.text
    assert "Kirsten Lund" in page.text
    fragment = employee_client.get(f"/customers/{company.id}/contacts", headers=hx)
    assert fragment.text.lstrip().startswith('<section id="contacts"')


def test_may_a_manager_and_an_admin_add_contacts_too(login_as):
    company = make_company("Nordisk Byg ApS")
    for role in ("manager", "admin"):
        client = login_as(role)
        response = client.post(
            f"/customers/{company.id}/contacts/new", data=contact_form(last_name=role)
        )
        assert response.status_code == 303
    names = db.session.scalars(select(Contact.last_name).where(Contact.company_id == company.id))
    assert sorted(names) == ["admin", "manager"]
