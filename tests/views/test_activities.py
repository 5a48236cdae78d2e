"""The activity log on the customer card: logging, filtering, paging, editing, deleting."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.factories import make_activity, make_company, make_contact, make_user
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.user import utcnow


@pytest.fixture
def company(employee_client):
    return make_company("Nordisk Byg ApS", owner=employee_client.user)


def changes_of(activity, field=None):
    stmt = select(Change).where(Change.entity == "activity", Change.entity_id == activity.id)
    if field:
        stmt = stmt.where(Change.field == field)
    return db.session.scalars(stmt.order_by(Change.id)).all()


def log_url(company):
    return f"/customers/{company.id}/activities"


# Viewing the timeline


def test_does_the_timeline_page_show_entries_newest_first(employee_client, company):
    make_activity(company, "call", author=employee_client.user, subject="Old call", days_ago=5)
    make_activity(company, "note", author=employee_client.user, subject="New note", days_ago=1)
    page = employee_client.get(log_url(company)).get_data(as_text=True)
    assert "<html" in page
    assert "Activity log — Nordisk Byg ApS — Kanel" in page
    assert page.index("New note") < page.index("Old call")


def test_does_the_timeline_answer_htmx_with_the_entries_only(employee_client, company, hx):
    make_activity(company, "call", author=employee_client.user, subject="A call")
    response = employee_client.get(log_url(company), headers=hx)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in text
    assert 'id="timeline-entries"' in text
    assert "A call" in text


def test_does_an_entry_show_its_kind_people_and_line_breaks(employee_client, company):
    jens = make_contact(company, "Jens", "Olsen")
    mette = make_contact(company, "Mette", "Berg")
    meeting = make_activity(
        company,
        "meeting",
        author=employee_client.user,
        subject="Kick-off",
        body="Line one\nLine two",
        contact=jens,
        days_ago=1,
    )
    meeting.attendees = [jens, mette]
    db.session.flush()
    page = employee_client.get(log_url(company)).get_data(as_text=True)
    assert "Meeting</span>" in page
    assert "Kick-off" in page
    assert "Line one\nLine two" in page
    assert "Erik Employee" in page
    assert "with Jens Olsen" in page
    assert "Attendees: Jens Olsen, Mette Berg" in page


def test_does_a_task_entry_show_assignee_due_date_and_overdue_as_text(employee_client, company):
    lena = make_user(name="Lena Lund")
    make_activity(
        company,
        "task",
        author=employee_client.user,
        subject="Send contract",
        assignee=lena,
        due_date=(utcnow() - timedelta(days=3)).date(),
    )
    page = employee_client.get(log_url(company)).get_data(as_text=True)
    assert "Assigned to Lena Lund" in page
    assert "Overdue" in page


def test_does_the_kind_filter_show_only_that_kind(employee_client, company, hx):
    make_activity(company, "meeting", author=employee_client.user, subject="The meeting")
    make_activity(company, "call", author=employee_client.user, subject="The call")
    for headers in ({}, hx):
        text = employee_client.get(log_url(company) + "?kind=meeting", headers=headers).get_data(
            as_text=True
        )
        assert "The meeting" in text
        assert "The call" not in text
    page = employee_client.get(log_url(company) + "?kind=meeting").get_data(as_text=True)
    assert "<html" in page


def test_does_an_unknown_kind_filter_show_everything(employee_client, company):
    make_activity(company, "call", author=employee_client.user, subject="The call")
    page = employee_client.get(log_url(company) + "?kind=nonsense").get_data(as_text=True)
    assert "The call" in page


def test_are_deleted_entries_hidden(employee_client, company):
    make_activity(company, "note", author=employee_client.user, subject="Gone", deleted=True)
    page = employee_client.get(log_url(company)).get_data(as_text=True)
    assert "Gone" not in page


def test_is_a_missing_company_404(employee_client):
    assert employee_client.get("/customers/999999/activities").status_code == 404


def test_must_one_be_signed_in(client, company):
    response = client.get(log_url(company))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# Paging


def _many(company, author, count):
    base = utcnow() - timedelta(days=count + 1)
    return [
        make_activity(
            company,
            "note",
            author=author,
            subject=f"Entry {n:03d}",
            occurred_at=base + timedelta(hours=n),
        )
        for n in range(count)
    ]


def test_does_show_more_return_the_next_rows_only_in_order(employee_client, company, hx):
    _many(company, employee_client.user, 30)
    first = employee_client.get(log_url(company)).get_data(as_text=True)
    assert "Entry 029" in first
    assert "Entry 005" in first
    assert "Entry 004" not in first
    import re

    more_url = re.search(r'href="(/customers/\d+/activities/more\?[^"]+)"', first).group(1)
    more_url = more_url.replace("&amp;", "&")
    rows = employee_client.get(more_url, headers=hx).get_data(as_text=True)
    assert "<html" not in rows
    found = re.findall(r'entry-subject">Entry (\d{3})<', rows)
    assert found == ["004", "003", "002", "001", "000"]
    assert "Show more" not in rows
    page = employee_client.get(more_url).get_data(as_text=True)
    assert "<html" in page
    assert "Entry 004" in page


def test_does_show_more_keep_the_kind_filter(employee_client, company, hx):
    _many(company, employee_client.user, 26)
    make_activity(
        company, "call", author=employee_client.user, subject="Ancient call", days_ago=400
    )
    first = employee_client.get(log_url(company) + "?kind=note").get_data(as_text=True)
    assert "kind=note" in first.split("Show more")[0].rsplit("href=", 1)[1]


def test_is_a_broken_cursor_a_bad_request(employee_client, company):
    response = employee_client.get(log_url(company) + "/more?after=garbage")
    assert response.status_code == 400


def test_are_entries_at_the_same_moment_paged_without_loss(employee_client, company, hx):
    at = utcnow() - timedelta(days=1)
    made = [
        make_activity(
            company, "note", author=employee_client.user, subject=f"Same {n}", occurred_at=at
        )
        for n in range(27)
    ]
    first = employee_client.get(log_url(company)).get_data(as_text=True)
    import re

    more_url = re.search(r'href="(/customers/\d+/activities/more\?[^"]+)"', first).group(1)
    rows = employee_client.get(more_url.replace("&amp;", "&"), headers=hx).get_data(as_text=True)
    seen = set(re.findall(r"Same (\d+)<", first)) | set(re.findall(r"Same (\d+)<", rows))
    assert len(seen) == len(made)


# Query counts


def _count_queries(app, fn):
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def _rich_company(author, count):
    company = make_company()
    contacts = [make_contact(company) for _ in range(3)]
    assignee = make_user()
    for n in range(count):
        kind = ("note", "call", "meeting", "task")[n % 4]
        activity = make_activity(
            company,
            kind,
            author=make_user() if n % 2 else author,
            subject=f"Entry {n}",
            contact=contacts[n % 3],
            days_ago=n,
            assignee=assignee if kind == "task" else None,
            due_date=utcnow().date() if kind == "task" else None,
        )
        if kind == "meeting":
            activity.attendees = contacts[:2]
    db.session.flush()
    return company


def test_does_the_timeline_run_the_same_number_of_queries_for_5_or_50(app, employee_client):
    small = _rich_company(employee_client.user, 5)
    large = _rich_company(employee_client.user, 50)
    db.session.expire_all()
    n_small = _count_queries(app, lambda: employee_client.get(log_url(small)))
    db.session.expire_all()
    n_large = _count_queries(app, lambda: employee_client.get(log_url(large)))
    assert n_small == n_large
    assert n_small <= 12


def test_do_the_card_sections_run_a_fixed_number_of_queries(app, employee_client):
    from webapp.card import CARD_SECTIONS

    small = _rich_company(employee_client.user, 5)
    large = _rich_company(employee_client.user, 50)

    def sections(company):
        with app.test_request_context("/"):
            from flask_login import login_user

            login_user(employee_client.user)
            CARD_SECTIONS["timeline"](company)
            CARD_SECTIONS["open_tasks"](company)

    assert _count_queries(app, lambda: sections(small)) == _count_queries(
        app, lambda: sections(large)
    )
