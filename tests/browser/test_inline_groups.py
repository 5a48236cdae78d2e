"""Choosing group options inline on the customer card, in a real browser."""

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in


def open_card(page, live_user, live_company, **company_fields):
    email = live_user(name="Sara Service", department="service")
    company_id = live_company(**company_fields)
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sara Service")
    page.goto(f"/customers/{company_id}")
    return page.locator("#groups")


def test_does_choosing_an_option_save_at_once_and_persist(page, live_user, live_company):
    groups = open_card(page, live_user, live_company, name="Nordisk Byg ApS", status_key="lead")
    expect(groups).to_contain_text("Missing: Lead source")
    groups.get_by_label("Lead source").select_option(label="Trade fair")
    row = groups.locator(".group-row", has_text="Lead source")
    expect(row.get_by_role("status")).to_have_text("Saved")
    expect(row).to_contain_text("Set by Sara Service")
    expect(groups.locator("#groups-missing")).to_be_hidden()
    page.reload()
    chosen = page.locator("#groups").get_by_label("Lead source").locator("option:checked")
    expect(chosen).to_have_text("Trade fair")


def test_is_satisfaction_set_with_one_click(page, live_user, live_company):
    groups = open_card(page, live_user, live_company, name="Fynsk El A/S", status_key="customer")
    groups.get_by_role("button", name="4 Happy").click()
    happy = groups.get_by_role("button", name="4 Happy")
    expect(happy).to_have_attribute("aria-pressed", "true")
    expect(happy).to_be_focused()  # the swap keeps the keyboard where it was
    expect(groups.get_by_role("button", name="5 Very happy")).to_have_attribute(
        "aria-pressed", "false"
    )
    page.reload()
    expect(page.locator("#groups").get_by_role("button", name="4 Happy")).to_have_attribute(
        "aria-pressed", "true"
    )
