"""Campaigns and letters in a real browser: the card section and the letter preview."""

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in


def make_campaign(live_app, name):
    with live_app.app_context():
        from webapp.extensions import db
        from webapp.services import campaigns as service

        campaign = service.create_campaign(service.CampaignData(name=name), None)
        db.session.commit()
        return campaign.id


def test_is_a_company_added_to_a_campaign_on_its_card_in_place(
    page, live_app, live_user, live_company
):
    email = live_user(name="Maja Marketing", department="marketing")
    company_id = live_company(name="Kystens Landbrug A/S", status_key="lead")
    make_campaign(live_app, "Agromek 2026")
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maja Marketing")
    page.goto(f"/customers/{company_id}")
    section = page.locator("#campaigns")
    expect(section).to_contain_text("Not in any campaign.")
    section.get_by_label("Add to campaign").select_option(label="Agromek 2026")
    section.get_by_role("button", name="Add", exact=True).click()
    expect(section.get_by_role("status")).to_have_text("Added to Agromek 2026.")
    expect(section.get_by_role("link", name="Agromek 2026")).to_be_visible()
    assert page.url.endswith(f"/customers/{company_id}")  # swapped in place, no reload
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Remove from Agromek 2026").click()
    expect(section).to_contain_text("Not in any campaign.")


def test_does_the_letter_preview_follow_the_contact_search(page, live_app, live_user, live_company):
    email = live_user(name="Maja Marketing", department="marketing")
    company_id = live_company(name="Nordisk Byg ApS", city="Aarhus")
    with live_app.app_context():
        from tests.factories import make_contact
        from webapp.extensions import db
        from webapp.models.customer import Company
        from webapp.models.marketing import LetterTemplate

        company = db.session.get(Company, company_id)
        make_contact(company, first_name="Mathea", last_name="Kjærsgaard")
        make_contact(company, first_name="Ottilie", last_name="Bjergsted")
        letter = LetterTemplate(name="Hello", body="Kære {{ contact.first_name }}")
        db.session.add(letter)
        db.session.commit()
        letter_id = letter.id
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maja Marketing")
    page.goto(f"/letters/{letter_id}")
    # Unusual names: other browser tests share the live database.
    page.get_by_label("Or find a contact").fill("ottilie")
    preview = page.locator("#letter-preview")
    expect(preview).to_contain_text("Kære Ottilie")
    page.get_by_label("Or find a contact").fill("mathea")
    expect(preview).to_contain_text("Kære Mathea")
    expect(preview.locator(".recipient")).to_contain_text("Att.: Mathea Kjærsgaard")
