"""Choosing group options inline on the customer card, in a real browser."""

from playwright.sync_api import expect
from sqlalchemy import select

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
    expect(page.locator("#card-header")).to_contain_text("missing: Lead source")
    groups.get_by_label("Lead source").select_option(label="Trade fair")
    row = groups.locator(".group-row", has_text="Lead source")
    expect(row.get_by_role("status")).to_have_text("Saved")
    expect(row).to_contain_text("Set by Sara Service")
    expect(groups.locator("#groups-missing")).to_be_hidden()
    # the card's header hears about it too, without a reload
    expect(page.locator("#card-header")).not_to_contain_text("missing: Lead source")
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


def test_is_a_colleagues_change_in_between_shown_not_overwritten(
    page, live_app, live_user, live_company
):
    groups = open_card(page, live_user, live_company, name="Vestjysk Træ ApS")
    with live_app.app_context():  # a colleague picks a competitor meanwhile
        from tests.factories import group, make_user, option
        from webapp.extensions import db
        from webapp.models.customer import Company
        from webapp.services.groups import set_group_options

        company = db.session.scalar(select(Company).where(Company.name == "Vestjysk Træ ApS"))
        colleague = make_user(name="Karl Kollega")
        set_group_options(
            company, group("competitor"), [option("competitor", "HubSpot").id], colleague
        )
        db.session.commit()
    groups.get_by_role("button", name="Salesforce").click()
    row = groups.locator(".group-row", has_text="Competitor")
    expect(row.get_by_role("alert")).to_contain_text("Karl Kollega changed Competitor to “HubSpot”")
    expect(row.get_by_role("button", name="HubSpot")).to_have_attribute("aria-pressed", "true")
    expect(row.get_by_role("button", name="Salesforce")).to_have_attribute("aria-pressed", "false")
    # The refusal is the expected answer; Chromium logs any 409 as a console error.
    page.console_errors[:] = [e for e in page.console_errors if "409" not in e]


def test_does_saving_work_without_javascript(browser, live_server, live_user, live_company):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    tab = context.new_page()
    try:
        email = live_user(name="Nils Nojs")
        company_id = live_company(name="Sjællandsk VVS ApS", status_key="lead")
        sign_in(tab, email)
        tab.goto(f"/customers/{company_id}")
        row = tab.locator(".group-row", has_text="Lead source")
        row.get_by_label("Lead source").select_option(label="Referral")
        row.get_by_role("button", name="Save").click()
        expect(tab.get_by_role("status").filter(has_text="Saved Lead source.")).to_be_visible()
        chosen = tab.locator("#groups").get_by_label("Lead source").locator("option:checked")
        expect(chosen).to_have_text("Referral")
    finally:
        context.close()
