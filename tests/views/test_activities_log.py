"""Logging an activity inline at the top of the card's timeline."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_company, make_contact, make_user
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change


@pytest.fixture
def company(employee_client):
    return make_company("Nordisk Byg ApS", owner=employee_client.user)


def url(company):
    return f"/customers/{company.id}/activities"


def post(client, company, headers=None, **fields):
    data = {f"log-{key}": value for key, value in fields.items()}
    return client.post(url(company), data=data, headers=headers or {})


def entries(company):
    return db.session.scalars(
        select(Activity).where(Activity.company_id == company.id).order_by(Activity.id)
    ).all()


def test_does_logging_a_note_redirect_back_to_the_card_without_javascript(employee_client, company):
    response = post(employee_client, company, kind="note", body="Spoke to the CFO.\nKeen.")
    assert response.status_code == 303
    assert f"/customers/{company.id}" in response.headers["Location"]
    (note,) = entries(company)
    assert note.kind == "note"
    assert note.body == "Spoke to the CFO.\nKeen."
    assert note.author_id == employee_client.user.id


def test_does_logging_with_htmx_put_the_entry_on_top_and_reset_the_form(
    employee_client, company, hx
):
    post(employee_client, company, kind="call", subject="Earlier call")
    response = post(employee_client, company, hx, kind="note", subject="Fresh note", body="Text")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in text
    assert 'id="timeline"' in text
    assert text.index("Fresh note") < text.index("Earlier call")
    assert "just-logged" in text
    # The form is empty again: the subject field has no value.
    assert 'name="log-subject" type="text" value=""' in text


def test_does_logging_record_a_history_row(employee_client, company):
    post(employee_client, company, kind="call", subject="Rang about renewal")
    (call,) = entries(company)
    row = db.session.scalar(
        select(Change).where(Change.entity == "activity", Change.entity_id == call.id)
    )
    assert row.field == "created"
    assert row.company_id == company.id
    assert row.user_id == employee_client.user.id


def test_is_an_empty_note_refused_with_the_typed_text_kept(employee_client, company, hx):
    response = post(employee_client, company, hx, kind="note", subject="", body="   ")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Write a subject or some text." in text
    assert response.headers["HX-Retarget"] == "#log-form"
    assert 'id="log-form"' in text
    assert entries(company) == []


def test_is_the_form_with_errors_a_whole_page_without_javascript(employee_client, company):
    response = post(employee_client, company, kind="task", subject="", body="Remember me")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "<html" in text
    assert "Say what the task is." in text
    assert "Remember me" in text


def test_does_a_meeting_need_a_date_and_time(employee_client, company):
    response = post(
        employee_client, company, kind="meeting", subject="Demo", body="", occurred_at=""
    )
    assert response.status_code == 422
    assert "Give the meeting's date and time." in response.get_data(as_text=True)


def test_is_a_malformed_meeting_time_refused(employee_client, company):
    response = post(
        employee_client, company, kind="meeting", subject="Demo", occurred_at="tomorrow-ish"
    )
    assert response.status_code == 422
    assert "Not a valid datetime value." in response.get_data(as_text=True)


def test_does_a_meeting_keep_its_local_time_attendees_and_minutes(employee_client, company):
    jens = make_contact(company, "Jens", "Olsen")
    mette = make_contact(company, "Mette", "Berg")
    response = employee_client.post(
        url(company),
        data={
            "log-kind": "meeting",
            "log-subject": "Kick-off",
            "log-body": "We agreed on a pilot.",
            "log-occurred_at": "2026-03-10T14:30",
            "log-attendees": [str(jens.id), str(mette.id)],
            "log-contact_id": str(jens.id),
        },
    )
    assert response.status_code == 303
    (meeting,) = entries(company)
    # Copenhagen is UTC+1 in March: 14:30 there is 13:30 UTC.
    assert meeting.occurred_at == datetime(2026, 3, 10, 13, 30)
    assert {c.name for c in meeting.attendees} == {"Jens Olsen", "Mette Berg"}
    assert meeting.contact_id == jens.id
    assert meeting.body == "We agreed on a pilot."


def test_may_a_meeting_be_planned_in_the_future(employee_client, company):
    future = (datetime.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = post(employee_client, company, kind="meeting", subject="Demo", occurred_at=future)
    assert response.status_code == 303
    assert entries(company)[0].occurred_at > datetime.now() + timedelta(days=9)


def test_is_a_contact_of_another_company_refused(employee_client, company):
    stranger = make_contact(make_company(), "Ole", "Fremmed")
    response = post(employee_client, company, kind="call", subject="Hi", contact_id=stranger.id)
    assert response.status_code == 422
    assert "Choose one of the company's contacts." in response.get_data(as_text=True)


def test_are_attendees_from_another_company_refused(employee_client, company):
    stranger = make_contact(make_company(), "Ole", "Fremmed")
    response = post(
        employee_client,
        company,
        kind="meeting",
        subject="Demo",
        occurred_at="2026-03-10T14:30",
        attendees=str(stranger.id),
    )
    assert response.status_code == 422
    assert "Choose attendees among the company" in response.get_data(as_text=True)


def test_are_archived_contacts_not_offered(employee_client, company):
    make_contact(company, "Gammel", "Kontakt", archived=True)
    make_contact(company, "Ny", "Kontakt")
    page = employee_client.get(url(company)).get_data(as_text=True)
    assert "Ny Kontakt" in page
    assert "Gammel Kontakt" not in page


def test_does_a_task_need_an_assignee_and_a_due_date(employee_client, company):
    response = post(
        employee_client, company, kind="task", subject="Send offer", assignee_id="", due_date=""
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Choose who does the task." in text
    assert "Give the task a due date." in text


def test_is_an_inactive_assignee_refused(employee_client, company):
    gone = make_user(name="Gone Person", active=False)
    response = post(
        employee_client,
        company,
        kind="task",
        subject="Send offer",
        assignee_id=str(gone.id),
        due_date="2026-12-01",
    )
    assert response.status_code == 422
    assert "Choose an active user." in response.get_data(as_text=True)


def test_is_a_malformed_due_date_refused(employee_client, company):
    response = post(
        employee_client,
        company,
        kind="task",
        subject="Send offer",
        assignee_id=str(employee_client.user.id),
        due_date="31/12",
    )
    assert response.status_code == 422
    assert "Not a valid date value." in response.get_data(as_text=True)


def test_is_an_unknown_kind_refused(employee_client, company):
    response = post(employee_client, company, kind="party", subject="Fun")
    assert response.status_code == 422
    assert "Choose what kind of entry this is." in response.get_data(as_text=True)


def test_is_an_overlong_subject_refused(employee_client, company):
    response = post(employee_client, company, kind="note", subject="x" * 201)
    assert response.status_code == 422
    assert "200" in response.get_data(as_text=True)


def test_does_a_task_get_its_assignee_due_date_and_done(employee_client, company):
    lena = make_user(name="Lena Lund")
    post(
        employee_client,
        company,
        kind="task",
        subject="Call back",
        assignee_id=str(lena.id),
        due_date="2026-12-01",
        done="y",
    )
    (task,) = entries(company)
    assert task.assignee_id == lena.id
    assert task.due_date == date(2026, 12, 1)
    assert task.done_at is not None


def test_does_logging_a_task_tell_the_open_tasks_to_refresh(employee_client, company, hx):
    response = post(
        employee_client,
        company,
        hx,
        kind="task",
        subject="Call back",
        assignee_id=str(employee_client.user.id),
        due_date="2026-12-01",
    )
    assert "open-tasks-changed" in response.headers["HX-Trigger"]


def test_are_task_fields_ignored_for_a_note(employee_client, company):
    post(
        employee_client,
        company,
        kind="note",
        body="Just a note",
        assignee_id=str(employee_client.user.id),
        due_date="2026-12-01",
    )
    (note,) = entries(company)
    assert note.assignee_id is None
    assert note.due_date is None


def test_is_the_log_form_refused_without_a_csrf_token(employee_client, company, csrf):
    response = post(employee_client, company, kind="note", body="No token")
    assert response.status_code == 400
    assert entries(company) == []


def test_does_the_log_form_carry_a_csrf_token(employee_client, company, csrf):
    page = employee_client.get(url(company)).get_data(as_text=True)
    assert 'name="log-csrf_token"' in page


def test_is_logging_on_a_missing_company_404(employee_client):
    response = employee_client.post("/customers/999999/activities", data={"log-kind": "note"})
    assert response.status_code == 404
