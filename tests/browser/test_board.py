"""The pipeline board in a real browser: drag to move, a refused drag, the keyboard move."""

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in


def stage_id(live_app, key):
    from tests.factories import stage

    with live_app.app_context():
        return stage(key).id


def open_board(page, live_user, name):
    """Sign in, go to the board through the menu, and show only this user's deals."""
    email = live_user(name=name, department="sales")
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipeline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline")
    page.get_by_label("Owner").select_option(label="My deals")
    expect(page.locator(".chips")).to_contain_text("Owner: me")
    return email


def owner_id(live_app, email):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models.user import User

    with live_app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def drag(page, card, column):
    """Drag with the mouse in small steps, as a person does (SortableJS follows pointer events)."""
    source = card.bounding_box()
    target = column.bounding_box()
    page.mouse.move(source["x"] + source["width"] / 2, source["y"] + 12)
    page.mouse.down()
    x, y = target["x"] + target["width"] / 2, target["y"] + 30
    for step in range(1, 16):
        fraction = step / 15
        page.mouse.move(
            source["x"] + source["width"] / 2 + (x - source["x"] - source["width"] / 2) * fraction,
            source["y"] + 12 + (y - source["y"] - 12) * fraction,
        )
        page.wait_for_timeout(20)
    page.mouse.up()


def count_of(page, key_id):
    return page.locator(f"#stage-head-{key_id} .count")


def test_does_an_allowed_drag_persist_and_update_both_columns(
    page, live_app, live_user, live_company, live_deal
):
    email = open_board(page, live_user, "Dorte Drag")
    me = owner_id(live_app, email)
    company = live_company(name="Trækbar Byg ApS")
    moving = live_deal(company, "prospect", owner_id=me, title="Payroll system", value=5000)
    live_deal(company, "suspect", owner_id=me, title="Licences", value=700)
    page.reload()
    suspect, prospect = stage_id(live_app, "suspect"), stage_id(live_app, "prospect")
    expect(count_of(page, suspect)).to_have_text("1")
    expect(count_of(page, prospect)).to_have_text("1")

    drag(page, page.locator(f"#deal-{moving}"), page.locator(f"#stage-cards-{suspect}"))

    expect(page.locator("#messages")).to_contain_text("Moved “Payroll system” to Suspect.")
    expect(count_of(page, suspect)).to_have_text("2")
    expect(count_of(page, prospect)).to_have_text("0")
    expect(page.locator(f"#stage-head-{suspect} [data-total]")).to_have_text("DKK\xa05,700.00")
    expect(page.locator(f"#stage-cards-{suspect} #deal-{moving}")).to_contain_text(
        "0 days in stage"
    )
    page.reload()
    expect(page.locator(f"#stage-cards-{suspect} #deal-{moving}")).to_be_visible()
    expect(count_of(page, suspect)).to_have_text("2")


def test_does_a_refused_drag_put_the_card_back_and_say_what_is_missing(
    page, live_app, live_user, live_company, live_deal
):
    email = open_board(page, live_user, "Rasmus Regel")
    me = owner_id(live_app, email)
    company = live_company(name="Regelret Revision ApS")
    deal = live_deal(company, "prospect", owner_id=me, title="Audit tool")
    page.reload()
    prospect, qualified = stage_id(live_app, "prospect"), stage_id(live_app, "qualified")

    drag(page, page.locator(f"#deal-{deal}"), page.locator(f"#stage-cards-{qualified}"))

    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("“Audit tool” cannot move to Qualified yet.")
    expect(refusal).to_contain_text("Lead needs a call or an e-mail with a contact")
    expect(refusal).to_contain_text("Qualified needs a meeting, held and with minutes written")
    expect(page.locator(f"#stage-cards-{prospect} #deal-{deal}")).to_be_visible()
    expect(page.locator(f"#stage-cards-{qualified} #deal-{deal}")).to_have_count(0)
    expect(count_of(page, prospect)).to_have_text("1")
    expect(count_of(page, qualified)).to_have_text("0")
    log = refusal.get_by_role("link", name="Log a call on Regelret Revision ApS")
    expect(log).to_have_attribute(
        "href", f"/customers/{company}?log_kind=call&deal={deal}#log-form"
    )
    page.reload()
    expect(page.locator(f"#stage-cards-{prospect} #deal-{deal}")).to_be_visible()


def test_does_the_keyboard_move_to_control_move_a_card(
    page, live_app, live_user, live_company, live_deal
):
    email = open_board(page, live_user, "Karla Keyboard")
    me = owner_id(live_app, email)
    company = live_company(name="Tastatur Data A/S")
    deal = live_deal(company, "prospect", owner_id=me, title="Helpdesk")
    page.reload()
    suspect, prospect = stage_id(live_app, "suspect"), stage_id(live_app, "prospect")

    select = page.get_by_label("Move to Helpdesk")
    select.focus()
    select.select_option(label="Suspect")
    page.keyboard.press("Tab")
    expect(page.locator(f"#deal-{deal}").get_by_role("button", name="Move")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(f"#stage-cards-{suspect} #deal-{deal}")).to_be_visible()
    expect(page.locator(f"#stage-cards-{prospect} #deal-{deal}")).to_have_count(0)
    expect(count_of(page, suspect)).to_have_text("1")
    expect(count_of(page, prospect)).to_have_text("0")
    expect(page.get_by_label("Move to Helpdesk")).to_be_focused()
    page.reload()
    expect(page.locator(f"#stage-cards-{suspect} #deal-{deal}")).to_be_visible()

    # A refused keyboard move leaves the card and says what is missing.
    page.get_by_label("Move to Helpdesk").select_option(label="Proposal")
    page.locator(f"#deal-{deal}").get_by_role("button", name="Move").click()
    expect(page.get_by_role("alert")).to_contain_text("Proposal needs a proposal")
    expect(page.locator(f"#stage-cards-{suspect} #deal-{deal}")).to_be_visible()
