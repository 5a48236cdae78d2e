"""The segment builder counts again as filters change, without reloading the page."""

import re

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in as sign_in_form


def test_does_ticking_a_status_change_the_live_count_without_a_reload(
    page, live_user, live_company
):
    live_company(name="Tælle Lead ApS", status_key="lead")
    live_company(name="Tælle Kunde ApS", status_key="customer")
    live_company(name="Tælle Prospekt ApS", status_key="prospect")
    sign_in_form(page, live_user(name="Sara Segment"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    page.goto("/segments/new")
    count = page.locator("#live-count")
    expect(count).to_have_attribute("aria-live", "polite")
    before = count.inner_text()
    total = int(re.search(r"([\d,]+) compan", before).group(1).replace(",", ""))
    assert total >= 3
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_role("checkbox", name="Lead", exact=True).check()

    expect(count).not_to_have_text(before)
    leads = int(re.search(r"([\d,]+) compan", count.inner_text()).group(1).replace(",", ""))
    assert 1 <= leads < total

    # Other browser tests share the live database, so count relative to what is there.
    page.get_by_role("checkbox", name="Customer", exact=True).first.check()
    expect(count).not_to_contain_text(f"{leads:,} companies")
    both = int(re.search(r"([\d,]+) compan", count.inner_text()).group(1).replace(",", ""))
    assert leads < both <= total

    page.get_by_label("Employees from").fill("100000000")
    expect(count).to_contain_text("Enter a number of 0 or more.")
    page.get_by_label("Employees from").fill("")
    expect(count).to_contain_text(f"{both:,} companies")
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page).to_have_url(re.compile(r"/segments/new$"))
