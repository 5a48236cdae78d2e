"""Editing, deleting and ticking off entries: roles, history, stale saves, page and fragment."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_activity, make_company, make_contact, make_user
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.user import utcnow


@pytest.fixture
def company(employee_client):
    return make_company("Nordisk Byg ApS", owner=employee_client.user)


@pytest.fixture
def call(employee_client, company):
    return make_activity(
        company, "call", author=employee_client.user, subject="First call", body="Old text"
    )


def changes_of(activity, field=None):
    stmt = select(Change).where(Change.entity == "activity", Change.entity_id == activity.id)
    if field:
        stmt = stmt.where(Change.field == field)
    return db.session.scalars(stmt.order_by(Change.id)).all()


def edit_data(activity, **fields):
    prefix = f"a{activity.id}-"
    data = {
        "kind": activity.kind,
        "subject": activity.subject,
        "body": activity.body or "",
        "version": str(activity.version),
    }
    data.update(fields)
    return {prefix + key: value for key, value in data.items()}


# Showing an entry and its forms


def test_is_an_entry_a_page_and_a_fragment(employee_client, call, hx):
    page = employee_client.get(f"/activities/{call.id}").get_data(as_text=True)
    assert "<html" in page
    assert "First call" in page
    fragment = employee_client.get(f"/activities/{call.id}", headers=hx).get_data(as_text=True)
    assert "<html" not in fragment
    assert fragment.strip().startswith(f'<li id="activity-{call.id}"')


def test_is_the_edit_form_a_page_and_a_fragment(employee_client, call, hx):
    page = employee_client.get(f"/activities/{call.id}/edit").get_data(as_text=True)
    assert "<html" in page
    assert 'value="First call"' in page
    fragment = employee_client.get(f"/activities/{call.id}/edit", headers=hx)
    text = fragment.get_data(as_text=True)
    assert "<html" not in text
    assert f'name="a{call.id}-version" type="hidden" value="1"' in text


def test_is_the_delete_confirmation_a_page_and_a_fragment_that_says_what_happens(
    employee_client, call, hx
):
    for headers in ({}, hx):
        text = employee_client.get(f"/activities/{call.id}/delete", headers=headers).get_data(
            as_text=True
        )
        assert "Delete this call: “First call”?" in text
        assert "disappears from the timeline for everyone" in text
    assert db.session.get(Activity, call.id).deleted is False


# Editing


def test_does_editing_save_and_record_old_and_new(employee_client, call, hx):
    response = employee_client.post(
        f"/activities/{call.id}/edit",
        data=edit_data(call, subject="Second call", body="New text\nwith two lines"),
        headers=hx,
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Second call" in text
    assert "<form" not in text.split("entry-actions")[0]
    db.session.expire_all()
    stored = db.session.get(Activity, call.id)
    assert stored.subject == "Second call"
    assert stored.version == 2
    rows = {row.field: row for row in changes_of(call)}
    assert (rows["subject"].old, rows["subject"].new) == ("First call", "Second call")
    assert (rows["body"].old, rows["body"].new) == ("Old text", "New text\nwith two lines")
    assert rows["subject"].company_id == call.company_id
    assert rows["subject"].user_id == employee_client.user.id


def test_does_editing_without_javascript_redirect_to_the_card(employee_client, call):
    response = employee_client.post(
        f"/activities/{call.id}/edit", data=edit_data(call, subject="Changed")
    )
    assert response.status_code == 303
    assert f"activity-{call.id}" in response.headers["Location"]


def test_does_an_edit_that_changes_nothing_write_no_history(employee_client, call):
    employee_client.post(f"/activities/{call.id}/edit", data=edit_data(call))
    assert changes_of(call) == []
    assert db.session.get(Activity, call.id).version == 1


def test_does_writing_minutes_for_a_meeting_edit_its_body(employee_client, company, hx):
    meeting = make_activity(
        company, "meeting", author=employee_client.user, subject="Demo", days_ago=1
    )
    data = edit_data(
        meeting,
        body="Minutes: they want a pilot.",
        occurred_at=(utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = employee_client.post(f"/activities/{meeting.id}/edit", data=data, headers=hx)
    assert response.status_code == 200
    assert db.session.get(Activity, meeting.id).body == "Minutes: they want a pilot."
    assert changes_of(meeting, "body")[0].new == "Minutes: they want a pilot."


def test_does_editing_attendees_and_contact_record_names(employee_client, company):
    jens = make_contact(company, "Jens", "Olsen")
    meeting = make_activity(
        company, "meeting", author=employee_client.user, subject="Demo", days_ago=1
    )
    data = edit_data(
        meeting,
        occurred_at="2026-03-10T14:30",
        attendees=str(jens.id),
        contact_id=str(jens.id),
    )
    employee_client.post(f"/activities/{meeting.id}/edit", data=data)
    assert changes_of(meeting, "attendees")[0].new == "Jens Olsen"
    assert changes_of(meeting, "contact")[0].new == "Jens Olsen"
    assert changes_of(meeting, "occurred_at")[0].new == "2026-03-10T13:30"


def test_is_an_invalid_edit_refused_with_the_typed_text_kept(employee_client, call, hx):
    response = employee_client.post(
        f"/activities/{call.id}/edit",
        data=edit_data(call, kind="task", subject="", body="My long typed text"),
        headers=hx,
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Say what the task is." in text
    assert "My long typed text" in text
    assert db.session.get(Activity, call.id).kind == "call"


def test_is_a_stale_save_refused_naming_who_changed_it(employee_client, login_as, call, hx):
    admin = login_as("admin", name="Lena Lund")
    old_form = edit_data(call, subject="Mine", body="My typed minutes")
    first = admin.post(f"/activities/{call.id}/edit", data=edit_data(call, subject="Theirs"))
    assert first.status_code == 303
    response = employee_client.post(f"/activities/{call.id}/edit", data=old_form, headers=hx)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Lena Lund changed this entry" in text
    assert "My typed minutes" in text
    assert 'value="Mine"' in text
    db.session.expire_all()
    assert db.session.get(Activity, call.id).subject == "Theirs"
    # Having been told, the user can save again on purpose.
    assert f'name="a{call.id}-version" type="hidden" value="2"' in text


def test_is_a_stale_save_a_whole_page_without_javascript(employee_client, call):
    data = edit_data(call, subject="Mine", version="0")
    response = employee_client.post(f"/activities/{call.id}/edit", data=data)
    assert response.status_code == 409
    assert "<html" in response.get_data(as_text=True)


# Roles


def test_may_nobody_else_edit_or_delete_my_entry(login_as, call):
    colleague = login_as("manager", name="Mona Manager")
    assert colleague.get(f"/activities/{call.id}/edit").status_code == 403
    assert colleague.post(f"/activities/{call.id}/edit", data=edit_data(call)).status_code == 403
    assert colleague.get(f"/activities/{call.id}/delete").status_code == 403
    assert colleague.post(f"/activities/{call.id}/delete").status_code == 403
    assert db.session.get(Activity, call.id).deleted is False


def test_does_a_colleague_see_no_edit_links_on_my_entry(login_as, call, company):
    colleague = login_as("employee")
    page = colleague.get(f"/customers/{company.id}/activities").get_data(as_text=True)
    assert f"/activities/{call.id}/edit" not in page


def test_may_an_admin_edit_and_delete_anyones_entry(admin_client, call):
    response = admin_client.post(
        f"/activities/{call.id}/edit", data=edit_data(call, subject="Fixed by admin")
    )
    assert response.status_code == 303
    assert admin_client.post(f"/activities/{call.id}/delete").status_code == 303
    db.session.expire_all()
    stored = db.session.get(Activity, call.id)
    assert stored.subject == "Fixed by admin"
    assert stored.deleted is True


def test_is_editing_refused_without_a_csrf_token(employee_client, call, csrf):
    response = employee_client.post(f"/activities/{call.id}/edit", data=edit_data(call))
    assert response.status_code == 400


# Deleting


def test_does_deleting_hide_the_entry_and_record_history(employee_client, call, company, hx):
    response = employee_client.post(f"/activities/{call.id}/delete", headers=hx)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Deleted “First call”." in text
    assert "Undo" in text
    stored = db.session.get(Activity, call.id)
    assert stored.deleted is True
    (row,) = changes_of(call, "deleted")
    assert (row.old, row.new, row.company_id) == ("no", "yes", company.id)
    page = employee_client.get(f"/customers/{company.id}/activities").get_data(as_text=True)
    assert "First call" not in page
    assert employee_client.get(f"/activities/{call.id}").status_code == 404


def test_does_deleting_without_javascript_redirect_to_the_card(employee_client, call):
    response = employee_client.post(f"/activities/{call.id}/delete")
    assert response.status_code == 303


def test_can_a_deletion_be_undone(employee_client, call, hx):
    employee_client.post(f"/activities/{call.id}/delete", headers=hx)
    response = employee_client.post(f"/activities/{call.id}/restore", headers=hx)
    assert response.status_code == 200
    assert "First call" in response.get_data(as_text=True)
    assert db.session.get(Activity, call.id).deleted is False
    assert [r.new for r in changes_of(call, "deleted")] == ["yes", "no"]


def test_is_deleting_refused_without_a_csrf_token(employee_client, call, csrf):
    assert employee_client.post(f"/activities/{call.id}/delete").status_code == 400
    assert db.session.get(Activity, call.id).deleted is False


# Ticking tasks done


@pytest.fixture
def task(employee_client, company):
    return make_activity(
        company,
        "task",
        author=employee_client.user,
        subject="Send contract",
        assignee=employee_client.user,
        due_date=date.today() - timedelta(days=2),
    )


def test_does_the_open_tasks_section_list_open_tasks_with_overdue_as_text(
    employee_client, company, task, hx
):
    make_activity(
        company,
        "task",
        author=employee_client.user,
        subject="Already done",
        assignee=employee_client.user,
        done_at=utcnow(),
    )
    for headers in ({}, hx):
        text = employee_client.get(f"/customers/{company.id}/open-tasks", headers=headers)
        text = text.get_data(as_text=True)
        section = text.split('id="open-tasks"')[1]
        assert "Send contract" in section
        assert "Overdue" in section
        assert "Erik Employee" in section
        assert "Already done" not in section
    assert "<html" not in employee_client.get(
        f"/customers/{company.id}/open-tasks", headers=hx
    ).get_data(as_text=True)


def test_does_ticking_done_record_when_and_history_and_offer_undo(employee_client, task, hx):
    response = employee_client.post(
        f"/activities/{task.id}/done", data={"done": "1", "view": "open_tasks"}, headers=hx
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Done: Send contract." in text
    assert "Undo" in text
    assert f"activity-changed-{task.id}" in response.headers["HX-Trigger"]
    stored = db.session.get(Activity, task.id)
    assert stored.done_at is not None
    (row,) = changes_of(task, "done_at")
    assert row.old is None
    assert row.new is not None
    undo = employee_client.post(
        f"/activities/{task.id}/done", data={"done": "0", "view": "open_tasks"}, headers=hx
    )
    assert undo.status_code == 200
    assert db.session.get(Activity, task.id).done_at is None
    assert "Send contract" in undo.get_data(as_text=True)
    assert len(changes_of(task, "done_at")) == 2


def test_does_ticking_done_on_the_timeline_answer_with_the_entry(employee_client, task, hx):
    response = employee_client.post(
        f"/activities/{task.id}/done", data={"done": "1", "view": "entry"}, headers=hx
    )
    text = response.get_data(as_text=True)
    assert text.strip().startswith(f'<li id="activity-{task.id}"')
    assert "Open again" in text
    assert "open-tasks-changed" in response.headers["HX-Trigger"]


def test_does_ticking_done_without_javascript_redirect(employee_client, task):
    response = employee_client.post(f"/activities/{task.id}/done", data={"done": "1"})
    assert response.status_code == 303


def test_may_the_assignee_tick_a_task_done_but_not_a_stranger(login_as, company):
    author = make_user()
    assignee = login_as("employee")
    stranger = login_as("employee")
    task = make_activity(
        company, "task", author=author, subject="Call", assignee=assignee.user, due_date=None
    )
    assert stranger.post(f"/activities/{task.id}/done", data={"done": "1"}).status_code == 403
    assert assignee.post(f"/activities/{task.id}/done", data={"done": "1"}).status_code == 303


def test_is_ticking_done_refused_without_a_csrf_token(employee_client, task, csrf):
    assert (
        employee_client.post(f"/activities/{task.id}/done", data={"done": "1"}).status_code == 400
    )
    assert db.session.get(Activity, task.id).done_at is None


def test_can_only_tasks_be_ticked(employee_client, call):
    assert (
        employee_client.post(f"/activities/{call.id}/done", data={"done": "1"}).status_code == 404
    )


# Automation


def test_does_the_first_service_call_show_in_open_tasks_and_on_my_day(login_as):
    from tests.factories import status
    from webapp.services.automation import on_status_changed

    service_user = login_as("employee", name="Sara Service", department="service")
    company = make_company("Won Customer A/S", status_key="lead")
    old = company.status
    company.status = status("customer")
    db.session.flush()
    task = on_status_changed(company, old, service_user.user)
    task.due_date = date.today()
    db.session.flush()
    section = service_user.get(f"/customers/{company.id}/open-tasks").get_data(as_text=True)
    assert "First service call" in section.split('id="open-tasks"')[1]
    home = service_user.get("/").get_data(as_text=True)
    assert "First service call" in home.split('id="my-tasks"')[1].split("</section>")[0]


def test_does_a_long_list_of_open_tasks_show_the_soonest_and_the_total(employee_client, company):
    for n in range(12):
        make_activity(
            company,
            "task",
            author=employee_client.user,
            subject=f"Task {n:02d}",
            assignee=employee_client.user,
            due_date=date.today() + timedelta(days=n),
        )
    page = employee_client.get(f"/customers/{company.id}/open-tasks").get_data(as_text=True)
    tasks = page.split('id="open-tasks"')[1]
    assert '<span class="count">12</span>' in tasks
    assert "Task 09" in tasks
    assert "Task 10" not in tasks
    assert "Showing the 10 due soonest of 12 open tasks." in tasks
