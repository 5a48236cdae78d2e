"""Signing in, in a real browser."""

from playwright.sync_api import expect

from tests.factories import PASSWORD


def sign_in(page, email, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_does_a_danish_user_see_the_home_page_in_danish(page, live_user):
    email = live_user(name="Karen Sørensen", language="da")
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Godt at se dig, Karen Sørensen")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_contain_text("Hjem")
    expect(page.get_by_role("status")).to_contain_text("Velkommen, Karen Sørensen.")
    assert page.url.endswith("/")


def test_does_a_wrong_password_show_the_error_in_place(page, live_user):
    email = live_user(name="Per Holm")
    sign_in(page, email, "wrong password")
    expect(page.locator(".error")).to_have_text("Wrong e-mail or password.")
    expect(page.get_by_label("E-mail")).to_have_value(email)
    assert "/login" in page.url


def test_does_signing_out_return_to_sign_in(page, live_user):
    email = live_user(name="Per Holm")
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Per Holm")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Kanel")
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
