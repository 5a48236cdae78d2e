"""Logging activities on the customer card, in a real browser."""

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in
from tests.factories import make_contact
from webapp.extensions import db
from webapp.models.customer import Company


def open_card(page, live_app, live_user, live_company, contacts=()):
    email = live_user(name="Søren Salg", department="sales")
    company_id = live_company(name="Nordisk Byg ApS", status_key="lead")
    with live_app.app_context():
        company = db.session.get(Company, company_id)
        for first, last in contacts:
            make_contact(company, first, last)
        db.session.commit()
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Søren Salg")
    page.goto(f"/customers/{company_id}")
    # A marker that a full page load would wipe out.
    page.evaluate("window.kanelNoReload = true")
    return page.locator("#timeline")


def top_entry(timeline):
    return timeline.locator("ol.entries > li.entry").first


def test_does_a_typed_note_appear_on_top_without_a_reload_and_persist(
    page, live_app, live_user, live_company
):
    timeline = open_card(page, live_app, live_user, live_company)
    expect(timeline).to_contain_text("Nothing logged yet")
    page.keyboard.press("n")  # one key straight into "log a note"
    text = timeline.get_by_label("Text")
    expect(text).to_be_focused()
    page.keyboard.type("Spoke to the CFO.\nThey want a demo in March.")
    timeline.get_by_role("button", name="Log it").click()

    entry = top_entry(page.locator("#timeline"))
    expect(entry).to_contain_text("Note")
    expect(entry).to_contain_text("They want a demo in March.")
    expect(entry).to_contain_text("Søren Salg")
    assert page.evaluate("window.kanelNoReload") is True
    # The form is empty again, ready for the next entry.
    expect(page.locator("#timeline").get_by_label("Text")).to_have_value("")

    page.reload()
    expect(top_entry(page.locator("#timeline"))).to_contain_text("They want a demo in March.")


def test_is_an_empty_note_refused_in_place(page, live_app, live_user, live_company):
    timeline = open_card(page, live_app, live_user, live_company)
    timeline.get_by_label("Subject").fill("")
    timeline.get_by_role("button", name="Log it").click()
    expect(page.locator("#log-form .error")).to_have_text("Write a subject or some text.")
    assert page.evaluate("window.kanelNoReload") is True


def test_can_a_meeting_be_logged_with_attendees_and_minutes(
    page, live_app, live_user, live_company
):
    timeline = open_card(
        page, live_app, live_user, live_company, contacts=[("Jens", "Olsen"), ("Mette", "Berg")]
    )
    timeline.locator("label.kind-chip", has_text="Meeting").click()
    expect(timeline.get_by_label("Date and time")).to_be_visible()
    timeline.get_by_label("Subject").fill("Kick-off meeting")
    timeline.get_by_label("Date and time").fill("2026-03-10T14:30")
    timeline.get_by_label("Jens Olsen").check()
    timeline.get_by_label("Mette Berg").check()
    timeline.get_by_label("Minutes").fill("Agreed on a pilot with ten users.")
    timeline.get_by_role("button", name="Log it").click()

    entry = top_entry(page.locator("#timeline"))
    expect(entry).to_contain_text("Meeting")
    expect(entry).to_contain_text("Kick-off meeting")
    expect(entry).to_contain_text("Attendees: Jens Olsen, Mette Berg")
    expect(entry).to_contain_text("Agreed on a pilot with ten users.")
    assert page.evaluate("window.kanelNoReload") is True

    # Edit in place: the entry turns into its form and back.
    entry.get_by_role("link", name="Edit").click()
    form = page.locator("#timeline li.entry.editing")
    form.get_by_label("Minutes").fill("Agreed on a pilot with twelve users.")
    form.get_by_role("button", name="Save").click()
    expect(top_entry(page.locator("#timeline"))).to_contain_text("twelve users")
    page.reload()
    expect(top_entry(page.locator("#timeline"))).to_contain_text("twelve users")


def test_does_a_logged_task_show_in_open_tasks_and_tick_off_in_place(
    page, live_app, live_user, live_company
):
    timeline = open_card(page, live_app, live_user, live_company)
    timeline.locator("label.kind-chip", has_text="Task").click()
    timeline.get_by_label("Subject").fill("Send the contract")
    timeline.get_by_label("Due date").fill("2026-01-05")
    timeline.get_by_role("button", name="Log it").click()

    tasks = page.locator("#open-tasks")
    expect(tasks).to_contain_text("Send the contract")
    expect(tasks).to_contain_text("Overdue")
    tasks.get_by_role("button", name="Mark “Send the contract” done").click()
    expect(page.locator("#open-tasks")).to_contain_text("Done: Send the contract.")
    expect(page.locator("#open-tasks")).to_contain_text("No open tasks")
    # The task's entry in the log updates itself too.
    expect(top_entry(page.locator("#timeline"))).to_contain_text("Open again")
    page.locator("#open-tasks").get_by_role("button", name="Undo").click()
    expect(page.locator("#open-tasks")).to_contain_text("Send the contract")
    assert page.evaluate("window.kanelNoReload") is True


def test_can_an_entry_be_deleted_after_confirming_and_restored(
    page, live_app, live_user, live_company
):
    timeline = open_card(page, live_app, live_user, live_company)
    timeline.get_by_label("Subject").fill("Wrong card")
    timeline.get_by_role("button", name="Log it").click()
    entry = top_entry(page.locator("#timeline"))
    expect(entry).to_contain_text("Wrong card")

    entry.get_by_role("link", name="Edit").click()
    editing = page.locator("#timeline li.entry.editing")
    expect(editing.get_by_label("Subject")).to_be_focused()
    editing.get_by_role("link", name="Cancel").click()
    expect(page.locator("#timeline li.entry.editing")).to_have_count(0)

    top_entry(page.locator("#timeline")).get_by_role("link", name="Delete").click()
    confirm = page.locator("#timeline li.entry.confirming")
    expect(confirm).to_contain_text("It disappears from the timeline for everyone.")
    confirm.get_by_role("button", name="Delete").click()
    expect(page.locator("#timeline li.entry.deleted")).to_contain_text("Deleted “Wrong card”.")
    page.locator("#timeline li.entry.deleted").get_by_role("button", name="Undo").click()
    expect(top_entry(page.locator("#timeline"))).to_contain_text("Wrong card")
    assert page.evaluate("window.kanelNoReload") is True
