"""Mail merge: placeholders filled from plain values, errors named with their line, a sandbox."""

from datetime import date

import pytest

from tests.factories import make_company, make_contact, make_user
from webapp.models.marketing import LetterTemplate
from webapp.services import mailmerge


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def letter(body, letterhead="", **company_fields):
    company = make_company(
        company_fields.pop("name", "Nordisk Byg ApS"),
        street="Havnegade 4",
        postcode="8000",
        city="Aarhus C",
        **company_fields,
    )
    contact = make_contact(company, first_name="Mette", last_name="Kjær", title="CFO")
    template = LetterTemplate(name="Test", body=body, letterhead=letterhead)
    return mailmerge.render_letter(
        template, contact, make_user(name="Sara Sælger"), today=date(2026, 11, 27)
    )


def test_are_the_placeholders_filled_in(request_context):
    result = letter(
        "Dear {{ contact.first_name }} {{ contact.last_name }}, {{ contact.title }}\n"
        "{{ company.name }}, {{ company.street }}, {{ company.postcode }} {{ company.city }}\n\n"
        "{{ today }} — {{ sender.name }}",
        letterhead="Kanel A/S\nCVR 12345678",
    )
    assert str(result.body) == (
        "<p>Dear Mette Kjær, CFO<br>Nordisk Byg ApS, Havnegade 4, 8000 Aarhus C</p>"
        "<p>November 27, 2026 — Sara Sælger</p>"
    )
    assert str(result.letterhead) == "<p>Kanel A/S<br>CVR 12345678</p>"
    assert result.contact["name"] == "Mette Kjær"
    assert result.company["city"] == "Aarhus C"


def test_is_everything_escaped_values_and_the_admins_own_words(request_context):
    result = letter("<b>Hi</b> {{ company.name }}", letterhead="<script>x</script>", name="A&B <i>")
    assert str(result.body) == "<p>&lt;b&gt;Hi&lt;/b&gt; A&amp;B &lt;i&gt;</p>"
    assert "<script>" not in str(result.letterhead)


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("Dear\n\n{{ contact.fist_name }}", "Unknown placeholder contact.fist_name on line 3", 3),
        ("{{ customer.name }}", "Unknown placeholder customer on line 1", 1),
        ("a\n{% if contact.title %}", "The placeholders cannot be read", 2),
        ("{{ company.name }", "The placeholders cannot be read", 1),
        ("{{ contact['fist_name'] }}", "Unknown placeholder contact['fist_name'] on line 1", 1),
    ],
)
def test_does_a_wrong_placeholder_say_what_and_where(request_context, body, message, line):
    with pytest.raises(mailmerge.LetterError) as caught:
        mailmerge.check_template(body, "")
    assert message in str(caught.value)
    assert caught.value.line == line
    if line:
        assert f"line {line}" in str(caught.value)


def test_is_a_letterhead_error_named_as_such(request_context):
    with pytest.raises(mailmerge.LetterError) as caught:
        mailmerge.check_template("Fine", "{{ company.nam }}")
    assert caught.value.part == "letterhead"


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ contact.__class__ }}",
        "{{ ''|attr('__class__') }}",
        "{{ company['__class__'] }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum }}",
        "{{ contact.items() }}",
        "{{ config }}",
    ],
)
def test_does_the_sandbox_refuse_to_reach_into_python(request_context, body):
    with pytest.raises(mailmerge.LetterError):
        mailmerge.check_template(body, "")


def test_may_a_letter_use_conditions_and_filters(request_context):
    result = letter(
        "{% if contact.title %}Att. {{ contact.title|upper }}{% endif %}"
        "{% for part in [company.city] %} {{ part }}{% endfor %}"
    )
    assert str(result.body) == "<p>Att. CFO Aarhus C</p>"


def test_does_the_placeholder_list_name_every_allowed_field():
    codes = [code for code, _label in mailmerge.placeholders()]
    for code in (
        "{{ contact.first_name }}",
        "{{ contact.last_name }}",
        "{{ contact.title }}",
        "{{ company.name }}",
        "{{ company.street }}",
        "{{ company.postcode }}",
        "{{ company.city }}",
        "{{ today }}",
    ):
        assert code in codes
