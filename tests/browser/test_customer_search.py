"""Search-as-you-type on the company list and in the header, in a real browser."""

import re

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in as sign_in_form


def sign_in(page, email):
    sign_in_form(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def test_does_typing_in_the_list_search_narrow_the_rows_without_a_page_load(
    page, live_user, live_company
):
    live_company(name="Qvist Kaffebrænderi ApS", city="Vejle")
    live_company(name="Qvist Tagdækning A/S", city="Odense")
    sign_in(page, live_user(name="Søren Søger"))
    page.goto("/customers/?q=qvist")
    rows = page.locator("#customer-rows tbody tr")
    expect(rows).to_have_count(2)
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Search", exact=True).fill("qvist kaffe")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Qvist Kaffebrænderi ApS")
    expect(page.locator(".result-count")).to_have_text("1 company")
    expect(page).to_have_url(re.compile(r"/customers/\?q=qvist(\+|%20)kaffe$"))
    assert page.evaluate("window.stillTheSamePage") is True


def test_does_the_header_search_show_a_company_as_you_type(page, live_user, live_company):
    company_id = live_company(name="Xylofonhuset Aarhus ApS", city="Aarhus")
    sign_in(page, live_user(name="Henrik Header"))
    box = page.get_by_role("searchbox", name="Search customers")
    box.press_sequentially("xylofon", delay=30)
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name=re.compile("Xylofonhuset Aarhus ApS"))).to_be_visible()

    box.press("Enter")

    expect(page).to_have_url(re.compile(rf"/customers/{company_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xylofonhuset Aarhus ApS")
    expect(page).to_have_title("Xylofonhuset Aarhus ApS — Kanel")


def test_does_choosing_a_filter_narrow_the_rows_and_show_a_chip(page, live_user, live_company):
    live_company(name="Ravn Kunde ApS", status_key="customer")
    live_company(name="Ravn Emne ApS", status_key="prospect")
    sign_in(page, live_user(name="Frida Filter"))
    page.goto("/customers/?q=ravn")
    rows = page.locator("#customer-rows tbody tr")
    expect(rows).to_have_count(2)
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Status kind").select_option(label="Customer")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ravn Kunde ApS")
    expect(page.locator(".chips")).to_contain_text("Kind: Customer")
    expect(page).to_have_url(re.compile(r"/customers/\?q=ravn&kind=customer$"))
    assert page.evaluate("window.stillTheSamePage") is True
