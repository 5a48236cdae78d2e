"""Signing in and out."""

import pytest

from tests.factories import PASSWORD, make_user


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_does_the_sign_in_page_show_a_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="email"' in response.data
    assert b'name="password"' in response.data


def test_can_a_user_sign_in_and_reach_home(client):
    make_user(email="kim@example.com", name="Kim Hansen")
    response = sign_in(client, "kim@example.com")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Kim Hansen" in home.get_data(as_text=True)


def test_is_the_email_matched_without_regard_to_case(client):
    make_user(email="kim@example.com")
    assert sign_in(client, "  KIM@Example.COM ").status_code == 303


def test_does_a_wrong_password_get_a_clear_message(client):
    make_user(email="kim@example.com")
    response = sign_in(client, "kim@example.com", "wrong password")
    assert response.status_code == 422
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_does_an_unknown_email_get_the_same_message(client):
    response = sign_in(client, "nobody@example.com")
    assert response.status_code == 422
    assert "Wrong e-mail or password." in response.get_data(as_text=True)


def test_are_empty_fields_explained(client):
    response = client.post("/login", data={"email": "", "password": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your e-mail address." in text
    assert "Enter your password." in text


def test_is_an_inactive_user_refused(client):
    make_user(email="gone@example.com", active=False)
    response = sign_in(client, "gone@example.com")
    assert response.status_code == 422
    assert "This account is deactivated" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_does_sign_in_follow_a_safe_next(client):
    make_user(email="kim@example.com")
    response = sign_in(client, "kim@example.com", next="/account?tab=1")
    assert response.headers["Location"] == "/account?tab=1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "account",
    ],
)
def test_is_an_unsafe_next_ignored(client, target):
    make_user(email="kim@example.com")
    response = sign_in(client, "kim@example.com", next=target)
    assert response.headers["Location"] == "/"


def test_does_an_anonymous_visit_lead_to_sign_in_with_next(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_does_remember_me_set_a_lasting_cookie(client):
    make_user(email="kim@example.com")
    response = sign_in(client, "kim@example.com", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)


def test_does_signing_out_end_the_session(client):
    make_user(email="kim@example.com")
    sign_in(client, "kim@example.com")
    response = client.post("/logout")
    assert response.status_code == 303
    assert client.get("/").status_code == 302


def test_does_an_htmx_sign_in_answer_with_hx_location(client, hx):
    make_user(email="kim@example.com")
    response = client.post(
        "/login", data={"email": "kim@example.com", "password": PASSWORD}, headers=hx
    )
    assert response.headers["HX-Redirect"] == "/"  # a whole new page: user and language change


def test_does_an_htmx_wrong_password_return_only_the_form(client, hx):
    response = client.post(
        "/login", data={"email": "x@example.com", "password": "nope"}, headers=hx
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert text.lstrip().startswith("<form")
    assert "<html" not in text


def test_are_repeated_failures_for_one_account_rate_limited(app, client):
    make_user(email="kim@example.com")
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit):
        assert sign_in(client, "kim@example.com", "wrong").status_code == 422
    blocked = sign_in(client, "kim@example.com")  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    other = make_user(email="other@example.com")
    assert sign_in(client, other.email).status_code == 303  # other accounts still work


def test_are_many_failures_from_one_address_rate_limited(app, client):
    limit = int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split()[0])
    for n in range(limit):
        assert sign_in(client, f"guess{n}@example.com", "wrong").status_code == 422
    assert sign_in(client, "guess-last@example.com", "wrong").status_code == 429


def test_do_successful_sign_ins_not_count_against_the_limit(app, client):
    make_user(email="kim@example.com")
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit + 2):
        assert sign_in(client, "kim@example.com").status_code == 303
        client.post("/logout")
