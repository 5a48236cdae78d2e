"""Page or fragment, error pages, and the navigation."""

from webapp.extensions import db
from webapp.htmx import render


def test_does_home_greet_the_user(employee_client):
    page = employee_client.get("/").get_data(as_text=True)
    assert "Good to see you, Erik Employee" in page
    assert "<title>My day — Kanel</title>" in page


def test_does_the_navigation_link_only_to_pages_that_exist(app, employee_client, admin_client):
    page = employee_client.get("/").get_data(as_text=True)
    assert 'href="/admin/"' not in page
    admin_page = admin_client.get("/").get_data(as_text=True)
    assert 'href="/admin/"' in admin_page
    import re

    for href in re.findall(r'<nav class="mainnav".*?</nav>', admin_page, re.S):
        for link in re.findall(r'href="([^"]+)"', href):
            assert admin_client.get(link, follow_redirects=True).status_code == 200, link


def test_does_a_missing_page_answer_404_as_a_page(employee_client):
    response = employee_client.get("/no/such/page")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "<html" in text
    assert "Page not found" in text


def test_does_a_missing_page_answer_404_as_a_message_for_htmx(employee_client, hx):
    response = employee_client.get("/no/such/page", headers=hx)
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "<html" not in text
    assert "Page not found" in text
    assert response.headers["HX-Retarget"] == "#messages"


def test_does_a_server_error_get_a_friendly_page(app, monkeypatch, employee_client, hx):
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "home.index", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = employee_client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    fragment = employee_client.get("/", headers=hx)
    assert fragment.status_code == 500
    assert "<html" not in fragment.get_data(as_text=True)


class TestRender:
    """webapp.htmx.render chooses page or block from the request headers."""

    TEMPLATE = "auth/login.html"

    def _render(self, app, headers):
        from webapp.blueprints.auth.forms import LanguageForm, LoginForm

        with app.test_request_context("/login", headers=headers):
            db.session.execute(db.select(1))
            return render(
                self.TEMPLATE, block="login_form", form=LoginForm(), language_form=LanguageForm()
            )

    def test_is_a_plain_request_given_the_whole_page(self, app):
        response = self._render(app, {})
        assert "<html" in response.get_data(as_text=True)
        assert "HX-Request" in response.headers["Vary"]

    def test_is_an_htmx_request_given_the_block(self, app):
        response = self._render(app, {"HX-Request": "true"})
        text = response.get_data(as_text=True)
        assert "<html" not in text
        assert 'id="login-form"' in text
        assert "HX-Request" in response.headers["Vary"]

    def test_is_a_boosted_request_given_the_whole_page(self, app):
        response = self._render(app, {"HX-Request": "true", "HX-Boosted": "true"})
        assert "<html" in response.get_data(as_text=True)

    def test_is_a_history_restore_given_the_whole_page(self, app):
        response = self._render(app, {"HX-Request": "true", "HX-History-Restore-Request": "true"})
        assert "<html" in response.get_data(as_text=True)


def test_does_the_menu_mark_the_section_of_the_page(employee_client):
    page = employee_client.get("/forecast/").get_data(as_text=True)
    assert '<a href="/pipeline/" aria-current="page">' in page
    page = employee_client.get("/").get_data(as_text=True)
    assert '<a href="/" aria-current="page">' in page
    assert '<a href="/pipeline/" aria-current="page">' not in page
