"""Two languages: chosen per user, else from the browser; locale-aware formats."""

from datetime import date
from decimal import Decimal

from flask_babel import force_locale

from webapp.i18n import money, number


def test_does_a_danish_browser_get_danish(client):
    page = client.get("/login", headers={"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert "Log ind" in text
    assert 'lang="da"' in text


def test_does_an_english_browser_get_english(client):
    text = client.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Sign in to Kanel" in text


def test_does_the_users_choice_beat_the_browser(login_as):
    danish_user = login_as("employee", language="da")
    text = danish_user.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hjem" in text
    english_user = login_as("employee", language="en")
    text = english_user.get("/", headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert "Home" in text


def test_can_an_anonymous_visitor_switch_language(client):
    client.post("/language", data={"language": "da", "next": "/login"})
    assert "Log ind" in client.get("/login").get_data(as_text=True)


def test_are_amounts_formatted_by_locale(app):
    with app.test_request_context(), force_locale("da"):
        assert money(Decimal("1234.5")) == "1.234,50\xa0kr."
        assert number(1234567) == "1.234.567"
    with app.test_request_context(), force_locale("en"):
        assert money(Decimal("1234.5")) == "DKK\xa01,234.50"
        assert number(1234567) == "1,234,567"


def test_are_dates_formatted_by_locale(app):
    with app.test_request_context(), force_locale("da"):
        rendered = app.jinja_env.from_string("{{ d|date('long') }}").render(d=date(2026, 3, 5))
        assert rendered == "5. marts 2026"
