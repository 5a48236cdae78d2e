"""Mail merge pages: admins write letters, everyone previews them and prints a segment's letters."""

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import make_company, make_contact, make_user
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.marketing import LetterTemplate, Segment

BODY = "Kære {{ contact.first_name }} {{ contact.last_name }}\n\nVi skriver til {{ company.name }}."


def make_template(name="Invitation", body=BODY, letterhead="Kanel A/S\nHavnegade 1"):
    template = LetterTemplate(name=name, body=body, letterhead=letterhead)
    db.session.add(template)
    db.session.flush()
    return template


def make_segment(definition, name="Aarhus leads", shared=True, owner=None):
    segment = Segment(
        name=name,
        definition=json.dumps(definition),
        shared=shared,
        owner_id=owner.id if owner else None,
    )
    db.session.add(segment)
    db.session.flush()
    return segment


def letter_form(**fields):
    data = {"name": "Invitation", "letterhead": "Kanel A/S", "body": BODY, "version": ""}
    data.update(fields)
    return data


# Writing templates -------------------------------------------------------------------------


def test_does_the_form_list_the_placeholders(admin_client):
    page = admin_client.get("/letters/new").get_data(as_text=True)
    assert "{{ contact.first_name }}" in page
    assert "{{ company.postcode }}" in page
    assert "{{ today }}" in page


def test_can_an_admin_write_a_letter(admin_client):
    response = admin_client.post("/letters/new", data=letter_form())
    assert response.status_code == 303
    template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.name == "Invitation"))
    assert template.body == BODY
    assert template.updated_by_id == admin_client.user.id
    assert response.headers["Location"].endswith(f"/letters/{template.id}")


def test_is_a_misspelt_placeholder_refused_with_its_line(admin_client):
    body = "Kære {{ contact.first_name }}\n\nHej\n{{ contact.fist_name }}"
    response = admin_client.post("/letters/new", data=letter_form(body=body))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown placeholder contact.fist_name on line 4" in page
    assert "contact.fist_name" in page  # the typed text is kept
    assert db.session.scalar(select(LetterTemplate)) is None


def test_is_a_syntax_error_refused_not_a_crash(admin_client):
    response = admin_client.post("/letters/new", data=letter_form(letterhead="{% if x %}"))
    assert response.status_code == 422
    assert "The placeholders cannot be read" in response.get_data(as_text=True)


def test_is_the_sandbox_escape_refused(admin_client):
    response = admin_client.post(
        "/letters/new", data=letter_form(body="{{ ''.__class__.__mro__ }}")
    )
    assert response.status_code == 422
    assert "is not allowed in a letter on line 1" in response.get_data(as_text=True)


def test_are_two_letters_with_one_name_refused(admin_client):
    make_template("Invitation")
    response = admin_client.post("/letters/new", data=letter_form())
    assert response.status_code == 422
    assert "Another letter already has this name." in response.get_data(as_text=True)


def test_can_an_admin_change_a_letter_and_is_history_kept(admin_client):
    template = make_template()
    page = admin_client.get(f"/letters/{template.id}/edit").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    response = admin_client.post(
        f"/letters/{template.id}/edit",
        data=letter_form(body="Hej {{ contact.first_name }}", version=version),
    )
    assert response.status_code == 303
    assert template.body == "Hej {{ contact.first_name }}"
    fields = db.session.scalars(
        select(Change.field).where(Change.entity == "letter", Change.entity_id == template.id)
    ).all()
    assert "body" in fields


def test_is_a_stale_save_refused(admin_client):
    template = make_template()
    old_version = "2000-01-01T00:00:00.000000"
    response = admin_client.post(
        f"/letters/{template.id}/edit",
        data=letter_form(body="Mine {{ contact.first_name }}", version=old_version),
    )
    assert response.status_code == 409
    assert "after you opened the form" in response.get_data(as_text=True)
    assert template.body == BODY


def test_can_an_admin_delete_a_letter(admin_client):
    template = make_template()
    response = admin_client.post(f"/letters/{template.id}/delete")
    assert response.status_code == 303
    assert db.session.get(LetterTemplate, template.id) is None


@pytest.mark.parametrize("path", ["/letters/new", "/letters/{id}/edit"])
def test_may_an_employee_not_write_letters(employee_client, manager_client, path):
    template = make_template()
    url = path.format(id=template.id)
    for client in (employee_client, manager_client):
        assert client.get(url).status_code == 403
        assert client.post(url, data=letter_form(name="Other")).status_code == 403
    assert employee_client.post(f"/letters/{template.id}/delete").status_code == 403
    assert db.session.get(LetterTemplate, template.id).name == "Invitation"


def test_must_a_visitor_sign_in(client):
    template = make_template()
    for url in ("/letters/", f"/letters/{template.id}", f"/letters/{template.id}/pdf"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_is_writing_a_letter_without_csrf_token_refused(admin_client, csrf):
    response = admin_client.post("/letters/new", data=letter_form())
    assert response.status_code == 400
    assert db.session.scalar(select(LetterTemplate)) is None
    template = make_template("Kept")
    assert admin_client.post(f"/letters/{template.id}/delete").status_code == 400
    assert db.session.get(LetterTemplate, template.id) is not None


# Index and preview ------------------------------------------------------------------------------


def test_does_the_list_show_letters_to_an_employee(employee_client):
    make_template("Christmas card")
    page = employee_client.get("/letters/").get_data(as_text=True)
    assert "Christmas card" in page
    assert "New letter" not in page  # only admins write letters


def test_is_the_letter_previewed_on_a_chosen_contact(employee_client):
    template = make_template()
    company = make_company(
        "Nordisk Byg ApS", street="Havnegade 4", postcode="8000", city="Aarhus C"
    )
    contact = make_contact(company, first_name="Mette", last_name="Kjær")
    response = employee_client.get(f"/letters/{template.id}?contact={contact.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kære Mette Kjær" in page
    assert "Vi skriver til Nordisk Byg ApS." in page
    assert "8000 Aarhus C" in page  # the address block
    assert "Kanel A/S<br>Havnegade 1" in page  # the letterhead


def test_is_the_preview_a_fragment_for_htmx(employee_client, hx):
    template = make_template()
    company = make_company("Nordisk Byg ApS")
    make_contact(company, first_name="Mette", last_name="Kjær")
    segment = make_segment({"city": []}, name="All")
    response = employee_client.get(f"/letters/{template.id}?segment={segment.id}", headers=hx)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="letter-preview"')
    assert "<html" not in page
    assert "Kære Mette Kjær" in page


def test_does_a_search_offer_contacts_to_preview_on(employee_client):
    template = make_template()
    company = make_company("Nordisk Byg ApS")
    make_contact(company, first_name="Mette", last_name="Kjær")
    make_contact(company, first_name="Ole", last_name="Bjerg")
    page = employee_client.get(f"/letters/{template.id}?q=mette").get_data(as_text=True)
    assert "Kære Mette Kjær" in page
    assert "Ole Bjerg" not in page


def test_does_a_private_segment_of_someone_else_stay_private(employee_client):
    template = make_template()
    other = make_user()
    company = make_company("Secret ApS")
    make_contact(company, first_name="Hidden")
    segment = make_segment({}, name="Private", shared=False, owner=other)
    page = employee_client.get(f"/letters/{template.id}?segment={segment.id}").get_data(
        as_text=True
    )
    assert "Private" not in page
    assert "Hidden" not in page
    response = employee_client.get(f"/letters/{template.id}/pdf?pdf_segment={segment.id}")
    assert response.status_code == 422


# The PDF ---------------------------------------------------------------------------------------


def pdf_pages(response):
    data = response.get_data()
    response.close()  # as a server does: closes the temporary file the PDF was written to
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def aarhus(app):
    """A segment of two Aarhus companies with four contacts, one archived, two with consent."""
    north = make_company("Nordisk Byg ApS", city="Aarhus", street="Havnegade 4", postcode="8000")
    south = make_company("Syd El A/S", city="Aarhus", street="Banegårdsgade 2", postcode="8000")
    make_company("Odense Træ ApS", city="Odense")  # not in the segment
    people = {
        "Mette Kjær": make_contact(north, "Mette", "Kjær", marketing_consent=True),
        "Ole Bjerg": make_contact(north, "Ole", "Bjerg"),
        "Anna Lund": make_contact(south, "Anna", "Lund", marketing_consent=True),
    }
    make_contact(south, "Gone", "Away", archived=True, marketing_consent=True)
    return make_segment({"city": ["Aarhus"]}), people


def test_is_a_segment_printed_one_letter_per_page(employee_client, aarhus):
    segment, people = aarhus
    template = make_template()
    response = employee_client.get(f"/letters/{template.id}/pdf?pdf_segment={segment.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pages = pdf_pages(response)
    assert len(pages) == len(people) == 3
    for name in people:
        assert sum(f"Kære {name}" in text for text in pages) == 1
    assert not any("Gone" in text for text in pages)  # archived contacts get no letter
    assert not any("Odense" in text for text in pages)
    assert all("Kanel A/S" in text for text in pages)  # the letterhead on every page


def test_does_the_consent_option_leave_out_those_without_consent(employee_client, aarhus):
    segment, people = aarhus
    template = make_template()
    response = employee_client.get(
        f"/letters/{template.id}/pdf?pdf_segment={segment.id}&pdf_consent=1"
    )
    pages = pdf_pages(response)
    assert len(pages) == 2
    text = "\n".join(pages)
    assert "Mette Kjær" in text
    assert "Anna Lund" in text
    assert "Ole Bjerg" not in text


def test_is_a_pdf_without_a_segment_explained(employee_client):
    template = make_template()
    response = employee_client.get(f"/letters/{template.id}/pdf")
    assert response.status_code == 422
    assert "Choose the segment to write to." in response.get_data(as_text=True)


def test_is_an_empty_segment_explained(employee_client):
    template = make_template()
    segment = make_segment({"city": ["Nowhere"]}, name="Nowhere")
    response = employee_client.get(f"/letters/{template.id}/pdf?pdf_segment={segment.id}")
    assert response.status_code == 422
    assert "Nowhere has no contacts to write to." in response.get_data(as_text=True)


def test_is_a_segment_too_big_for_one_pdf_refused_with_advice(employee_client, aarhus, monkeypatch):
    from webapp.services import mailmerge

    segment, _people = aarhus
    template = make_template()
    monkeypatch.setattr(mailmerge, "MAX_LETTERS", 2)
    response = employee_client.get(f"/letters/{template.id}/pdf?pdf_segment={segment.id}")
    assert response.status_code == 422
    assert "Aarhus leads would give 3 letters; one PDF holds at most 2." in response.get_data(
        as_text=True
    )
