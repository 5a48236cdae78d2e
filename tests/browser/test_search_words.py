"""The header search in a real browser: a word inside a company's name, deals, the keyboard."""

import re

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in as sign_in_form


def sign_in(page, email):
    sign_in_form(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def test_does_typing_byg_show_a_company_by_a_word_of_its_name_and_a_deal(
    page, live_user, live_company, live_deal
):
    company_id = live_company(name="Aabybro Byg ApS", city="Aabybro")
    deal_id = live_deal(company_id, "qualified", title="Nyt byggestyringssystem", value=250000)
    sign_in(page, live_user(name="Sara Søger"))
    box = page.get_by_role("searchbox", name="Search customers")

    box.press_sequentially("byg", delay=30)

    results = page.locator("#search-results")
    company = results.locator(f'a[href="/customers/{company_id}"]')
    expect(company).to_be_visible()
    expect(company).to_contain_text("Aabybro Byg ApS")
    deal = results.locator(f'a[href="/deals/{deal_id}"]')
    expect(deal).to_be_visible()
    expect(deal).to_contain_text("Nyt byggestyringssystem")
    expect(deal).to_contain_text("Aabybro Byg ApS")
    expect(deal).to_contain_text("Qualified")
    expect(deal).to_contain_text("250,000.00")

    # Arrow down through the results to the deal, then Enter opens it.
    links = results.locator("a[href]")
    target = next(
        n for n in range(links.count()) if links.nth(n).get_attribute("href") == f"/deals/{deal_id}"
    )
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    expect(deal).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(links.nth(target - 1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/deals/{deal_id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nyt byggestyringssystem")


def test_does_enter_open_the_company_found_by_a_word_of_its_name(page, live_user, live_company):
    company_id = live_company(name="Østerby Zinkværk ApS")
    sign_in(page, live_user(name="Enzo Enter"))
    box = page.get_by_role("searchbox", name="Search customers")
    box.press_sequentially("zinkv", delay=30)
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name=re.compile("Østerby Zinkværk ApS"))).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()

    box.press("Enter")

    expect(page).to_have_url(re.compile(rf"/customers/{company_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Østerby Zinkværk ApS")
