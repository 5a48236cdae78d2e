"""Won and lost in their dialogs, and "Log it" on the deal page, in a real browser."""

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in


def deal_state(live_app, deal_id):
    from webapp.extensions import db
    from webapp.models.pipeline import Deal

    with live_app.app_context():
        deal = db.session.get(Deal, deal_id)
        return (
            deal.outcome,
            deal.competitor.label if deal.competitor else None,
            deal.company.status.key,
            str(deal.value),
        )


def open_deal_page(page, live_user, live_company, live_deal, stage_key="proposal", **company):
    email = live_user(name="Sanne Sælger", department="sales")
    company_id = live_company(name="Vestjysk VVS A/S", status_key="lead", **company)
    deal_id = live_deal(company_id, stage_key, title="Kanel til 25 brugere", value=48000)
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sanne Sælger")
    page.goto(f"/deals/{deal_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kanel til 25 brugere")
    return deal_id


def test_does_losing_to_a_competitor_ask_which_one_in_the_dialog(
    page, live_app, live_user, live_company, live_deal
):
    deal_id = open_deal_page(page, live_user, live_company, live_deal)
    page.get_by_role("link", name="Lost", exact=True).click()
    dialog = page.locator("#lose-dialog")
    expect(dialog).to_be_visible()
    assert page.url.endswith(f"/deals/{deal_id}")  # a dialog, not another page

    dialog.get_by_label("Inactive – no budget").check()
    expect(dialog.get_by_label("Which competitor won it?")).to_be_hidden()
    dialog.get_by_label("Inactive – lost to competitor").check()
    expect(dialog.get_by_label("Which competitor won it?")).to_be_visible()
    dialog.get_by_role("button", name="Mark as lost").click()
    expect(dialog).to_contain_text("Choose the competitor that won the deal.")
    assert deal_state(live_app, deal_id)[0] == "open"

    dialog.get_by_label("Which competitor won it?").select_option(label="HubSpot")
    dialog.get_by_role("button", name="Mark as lost").click()
    expect(page.locator(".card-badges")).to_contain_text("Lost")
    expect(page.locator("#messages")).to_contain_text(
        "Vestjysk VVS A/S now has the status Inactive – lost to competitor."
    )
    assert deal_state(live_app, deal_id)[:3] == ("lost", "HubSpot", "lost_to_competitor")


def test_does_winning_in_the_dialog_make_a_customer(
    page, live_app, live_user, live_company, live_deal
):
    deal_id = open_deal_page(page, live_user, live_company, live_deal)
    page.get_by_role("link", name="Won", exact=True).click()
    dialog = page.locator("#win-dialog")
    expect(dialog).to_be_visible()
    value = dialog.get_by_label("Final value (DKK)")
    expect(value).to_have_value("48,000.00")
    value.fill("52,500.50")
    dialog.get_by_role("button", name="Mark as won").click()
    expect(page.locator(".card-badges")).to_contain_text("Won")
    expect(page.locator("#messages")).to_contain_text(
        "Vestjysk VVS A/S is now a customer, and a first service call is planned as a task."
    )
    assert deal_state(live_app, deal_id) == ("won", None, "customer", "52500.50")


def test_can_the_dialog_be_cancelled(page, live_app, live_user, live_company, live_deal):
    deal_id = open_deal_page(page, live_user, live_company, live_deal)
    page.get_by_role("link", name="Won", exact=True).click()
    dialog = page.locator("#win-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert deal_state(live_app, deal_id)[0] == "open"


def test_does_log_it_choose_the_missing_kind_in_place(
    page, live_app, live_user, live_company, live_deal
):
    open_deal_page(page, live_user, live_company, live_deal, stage_key="prospect")
    expect(page.locator("#stage-path")).to_contain_text(
        "Lead needs a call or an e-mail with a contact."
    )
    url = page.url
    page.locator("#stage-path").get_by_role("link", name="Log it").click()
    form = page.locator("#deal-log-form")
    expect(form.get_by_role("radio", name="Call")).to_be_checked()
    expect(form.get_by_label("Subject")).to_be_focused()
    assert page.url == url  # chosen in place, no reload

    form.get_by_label("Subject").fill("Intro call")
    form.get_by_role("button", name="Log it").click()
    expect(page.locator("#deal-log")).to_contain_text("Intro call")
    # The call has no contact, so Lead's rule is still not met.
    expect(page.locator("#stage-path")).to_contain_text("Lead needs a call")
