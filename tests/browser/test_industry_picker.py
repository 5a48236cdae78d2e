"""The industry picker on the company form and the A/B/C confirmation dialog, in a real browser."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_sign_in import sign_in as sign_in_form
from webapp.extensions import db
from webapp.models.marketing import Industry
from webapp.services.industries import level_of, search_key_for


def sign_in(page, email):
    sign_in_form(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def live_industry(live_app, code, title, parent_code):
    """A committed industry (the live database lasts the whole session: reuse one)."""
    with live_app.app_context():
        found = db.session.scalar(select(Industry).where(Industry.code == code))
        if found is None:
            parent = db.session.scalar(select(Industry).where(Industry.code == parent_code))
            found = Industry(
                code=code,
                level=level_of(code),
                section=parent.section,
                parent_id=parent.id,
                title_en=title,
                search_key=search_key_for(code, title, None),
                active=True,
            )
            db.session.add(found)
            db.session.commit()
        return found.id


def test_does_typing_in_the_picker_offer_industries_to_pick(page, live_app, live_user):
    live_industry(live_app, "62", "Computer programming, consultancy", "J")
    programming = live_industry(live_app, "62.01", "Computer programming activities", "62")
    sign_in(page, live_user(name="Pia Picker"))
    page.goto("/customers/new")
    page.get_by_label("Name", exact=True).fill("Kodefabrikken ApS")
    box = page.get_by_label("Industry")
    box.press_sequentially("programming act", delay=20)
    option = page.get_by_role("button", name=re.compile("62.01 Computer programming activities"))
    expect(option).to_be_visible()

    option.click()

    expect(box).to_have_value("62.01 Computer programming activities")
    expect(box).to_be_focused()
    expect(option).to_have_count(0)
    page.get_by_role("button", name="Create company").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+$"))
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kodefabrikken ApS")
    header = page.locator("#card-header")
    expect(header).to_contain_text("62.01 Computer programming activities")
    link = header.get_by_role("link", name="62.01 Computer programming activities")
    expect(link).to_have_attribute("href", f"/customers/?industry={programming}")


def test_does_the_keyboard_reach_the_options(page, live_app, live_user):
    live_industry(live_app, "62", "Computer programming, consultancy", "J")
    live_industry(live_app, "62.02", "Computer consultancy activities", "62")
    sign_in(page, live_user(name="Kaj Keyboard"))
    page.goto("/customers/new")
    box = page.get_by_label("Industry")
    box.press_sequentially("consultancy activ", delay=20)
    option = page.get_by_role("button", name=re.compile("62.02 Computer consultancy activities"))
    expect(option).to_be_visible()

    box.press("ArrowDown")
    expect(option).to_be_focused()
    page.keyboard.press("Enter")

    expect(box).to_have_value("62.02 Computer consultancy activities")


def test_does_a_far_reaching_mark_ask_in_a_dialog_that_can_be_cancelled(
    page, live_app, live_user, live_company
):
    division = live_industry(live_app, "63", "Information service activities", "J")
    live_company(name="Dataportalen ApS", industry_id=division, employees=40, category="C")
    sign_in(page, live_user(name="Ada Admin", role="admin"))
    page.goto(f"/admin/industries/{division}")
    row = page.locator(f"#industry-{division}")
    row.get_by_label("Mark for 63").select_option("A")
    row.get_by_role("button", name="Set").click()

    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Mark 63 Information service activities as A?")
    # Other tests' companies share this database: the recompute may move them too.
    expect(dialog).to_contain_text(re.compile(r"companies would change category: 1 to A\b"))
    expect(dialog.get_by_role("button", name="Mark and recompute")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    row.get_by_role("button", name="Set").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Mark and recompute").click()
    expect(page.locator("#messages")).to_contain_text(
        re.compile(r"companies changed category: 1 to A\b")
    )


def test_does_picking_an_industry_filter_the_company_list(page, live_app, live_user, live_company):
    division = live_industry(live_app, "64", "Financial service activities", "K")
    live_company(name="Pengeværket Finans ApS", industry_id=division)
    live_company(name="Pengeværket Bageri ApS")
    sign_in(page, live_user(name="Fie Filter"))
    page.goto("/customers/?q=pengev%C3%A6rket")
    rows = page.locator("#customer-rows tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_label("Industry").press_sequentially("financial serv", delay=20)
    page.get_by_role("button", name=re.compile("64 Financial service activities")).click()

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Pengeværket Finans ApS")
    expect(page.locator(".chips")).to_contain_text("Industry: 64 Financial service activities")
    expect(page).to_have_url(re.compile(rf"industry={division}"))
