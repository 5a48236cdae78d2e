"""CSRF, roles, headers and cookies."""

import json

import pytest

from tests.factories import PASSWORD, make_user


def test_is_a_post_without_csrf_token_refused(csrf, client):
    make_user(email="kim@example.com")
    response = client.post("/login", data={"email": "kim@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in


def test_does_an_htmx_post_without_token_ask_for_a_refresh(csrf, client, hx):
    response = client.post("/login", data={"email": "a@example.com"}, headers=hx)
    assert response.headers.get("HX-Refresh") == "true"


def test_is_a_post_with_the_csrf_token_accepted(csrf, client):
    make_user(email="kim@example.com")
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"email": "kim@example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303


def test_is_the_csrf_token_sent_as_an_htmx_header(csrf, employee_client):
    page = employee_client.get("/").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_does_the_htmx_header_token_satisfy_csrf(csrf, admin_client):
    page = admin_client.get("/").get_data(as_text=True)
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    user = make_user(email="someone@example.com")
    response = admin_client.post(
        f"/admin/users/{user.id}/active",
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    location = json.loads(response.headers["HX-Location"])
    assert location["path"] == "/admin/users"
    # htmx fetches the target as a boosted request, so it gets the whole page, not a block
    assert location["headers"] == {"HX-Boosted": "true"}
    assert user.active is False


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/new"])
@pytest.mark.parametrize("role", ["employee", "manager"])
def test_are_admin_pages_refused_to_other_roles(login_as, url, role):
    response = login_as(role).get(url)
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_is_an_admin_post_refused_to_an_employee(login_as):
    target = make_user(email="t@example.com")
    response = login_as("employee").post(f"/admin/users/{target.id}/active")
    assert response.status_code == 403
    assert target.active is True


def test_does_a_refusal_for_htmx_come_as_a_message(login_as, hx):
    response = login_as("employee").get("/admin/users", headers=hx)
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in response.get_data(as_text=True)


def test_does_every_page_send_a_strict_content_security_policy(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    script = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script
    assert "unsafe-inline" not in script
    assert "unsafe-eval" not in script
    assert "frame-ancestors 'none'" in csp


def test_does_the_page_have_no_inline_scripts(admin_client):
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "<script>" not in page
    assert " onclick=" not in page


def test_is_the_session_cookie_httponly_and_lax(client):
    make_user(email="kim@example.com")
    response = client.post("/login", data={"email": "kim@example.com", "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here


def test_are_cookies_secure_over_https(client):
    make_user(email="kim@example.com")
    response = client.post(
        "/login",
        data={"email": "kim@example.com", "password": PASSWORD},
        base_url="https://localhost",
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_are_passwords_stored_hashed():
    user = make_user(password="a very secret phrase")
    assert "a very secret phrase" not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "argon2", "pbkdf2:"))
    assert user.check_password("a very secret phrase")
    assert not user.check_password("a very secret phrasE")
