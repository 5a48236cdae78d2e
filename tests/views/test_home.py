"""My day: due tasks, minutes debt and cards changed by others, computed from hand-made data."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.factories import make_activity, make_company, make_user
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.customer import CardView
from webapp.models.user import utcnow
from webapp.services.activities import local_today


def section(page, section_id):
    return page.split(f'id="{section_id}"')[1].split("</section>")[0]


@pytest.fixture
def me(employee_client):
    return employee_client.user


@pytest.fixture
def my_day(app, employee_client, me):
    """A hand-made day: what must show on My day, and what must not."""
    with app.test_request_context():
        today = local_today()
    other = make_user(name="Other Person")
    company = make_company("Nordisk Byg ApS", owner=me)
    task = {"kind": "task", "author": me, "assignee": me}
    make_activity(company, subject="Overdue task", due_date=today - timedelta(days=3), **task)
    make_activity(company, subject="Due today task", due_date=today, **task)
    make_activity(company, subject="Future task", due_date=today + timedelta(days=2), **task)
    make_activity(
        company,
        subject="Done task",
        due_date=today - timedelta(days=1),
        done_at=utcnow(),
        **task,
    )
    make_activity(
        company,
        "task",
        author=me,
        assignee=other,
        subject="Someone else's task",
        due_date=today - timedelta(days=1),
    )
    make_activity(company, "meeting", author=me, subject="Meeting without minutes", days_ago=2)
    make_activity(
        company, "meeting", author=me, subject="Meeting with minutes", body="Done.", days_ago=2
    )
    make_activity(company, "meeting", author=me, subject="Future meeting", days_ago=-3)
    make_activity(company, "meeting", author=other, subject="Their meeting", days_ago=2)
    return company


def test_does_my_day_list_my_overdue_and_due_today_tasks_only(employee_client, my_day):
    page = employee_client.get("/").get_data(as_text=True)
    tasks = section(page, "my-tasks")
    assert "Overdue task" in tasks
    assert "Due today task" in tasks
    assert "Future task" not in tasks
    assert "Done task" not in tasks
    assert "Someone else" not in tasks
    overdue = tasks.split('id="overdue"')[1].split("</ul>")[0]
    assert "Overdue task" in overdue
    assert "Due today task" not in overdue
    assert '<span class="count">2</span>' in tasks
    assert f'href="/customers/{my_day.id}' in tasks


def test_does_my_day_list_my_past_meetings_without_minutes(employee_client, my_day):
    page = employee_client.get("/").get_data(as_text=True)
    debt = section(page, "minutes-debt")
    assert "Meeting without minutes" in debt
    assert "Meeting with minutes" not in debt
    assert "Future meeting" not in debt
    assert "Their meeting" not in debt
    assert '<span id="minutes-debt-count" class="count">1</span>' in debt
    assert "Write minutes" in debt


def test_do_empty_lists_say_so_kindly(employee_client):
    page = employee_client.get("/").get_data(as_text=True)
    assert "Nothing overdue — well done." in page
    assert "Nothing due today." in page
    assert "No minutes owed" in page
    assert "None of your cards changed since you last looked." in page
    assert "Good to see you, Erik Employee" in page
    assert "<title>My day — Kanel</title>" in page


def test_does_ticking_a_task_on_my_day_answer_with_the_list_and_undo(employee_client, my_day, hx):
    task = db.session.scalar(select(Activity).where(Activity.subject == "Overdue task"))
    response = employee_client.post(
        f"/activities/{task.id}/done", data={"done": "1", "view": "home"}, headers=hx
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in text
    assert 'id="my-tasks"' in text
    assert "Done: Overdue task." in text
    assert "Nothing overdue — well done." in text
    assert db.session.get(Activity, task.id).done_at is not None


def test_is_the_my_tasks_section_a_page_and_a_fragment(employee_client, my_day, hx):
    assert "<html" in employee_client.get("/my-tasks").get_data(as_text=True)
    fragment = employee_client.get("/my-tasks", headers=hx).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Overdue task" in fragment


def test_does_the_minutes_form_save_the_minutes_and_clear_the_debt(employee_client, my_day, hx):
    meeting = db.session.scalar(
        select(Activity).where(Activity.subject == "Meeting without minutes")
    )
    form = employee_client.get(f"/activities/{meeting.id}/minutes", headers=hx)
    assert "<html" not in form.get_data(as_text=True)
    assert f'name="m{meeting.id}-body"' in form.get_data(as_text=True)
    assert "<html" in employee_client.get(f"/activities/{meeting.id}/minutes").get_data(
        as_text=True
    )
    response = employee_client.post(
        f"/activities/{meeting.id}/minutes",
        data={f"m{meeting.id}-body": "They want a pilot.", f"m{meeting.id}-version": "1"},
        headers=hx,
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Minutes saved" in text
    assert 'id="minutes-debt-count" class="count" hx-swap-oob="true">0<' in text
    assert db.session.get(Activity, meeting.id).body == "They want a pilot."
    change = db.session.scalar(
        select(Change).where(Change.entity_id == meeting.id, Change.field == "body")
    )
    assert change.new == "They want a pilot."
    page = employee_client.get("/").get_data(as_text=True)
    assert "Meeting without minutes" not in section(page, "minutes-debt")


def test_are_empty_minutes_refused(employee_client, my_day, hx):
    meeting = db.session.scalar(
        select(Activity).where(Activity.subject == "Meeting without minutes")
    )
    response = employee_client.post(
        f"/activities/{meeting.id}/minutes",
        data={f"m{meeting.id}-body": "  ", f"m{meeting.id}-version": "1"},
        headers=hx,
    )
    assert response.status_code == 422
    assert "Write the minutes before saving." in response.get_data(as_text=True)


def test_are_stale_minutes_refused(employee_client, my_day, hx):
    meeting = db.session.scalar(
        select(Activity).where(Activity.subject == "Meeting without minutes")
    )
    meeting.version = 3
    db.session.flush()
    response = employee_client.post(
        f"/activities/{meeting.id}/minutes",
        data={f"m{meeting.id}-body": "Mine", f"m{meeting.id}-version": "1"},
        headers=hx,
    )
    assert response.status_code == 409
    assert "Mine" in response.get_data(as_text=True)


def test_may_nobody_else_write_my_minutes(login_as, my_day):
    meeting = db.session.scalar(
        select(Activity).where(Activity.subject == "Meeting without minutes")
    )
    other = login_as("employee")
    assert other.get(f"/activities/{meeting.id}/minutes").status_code == 403


def test_are_minutes_refused_without_a_csrf_token(employee_client, my_day, csrf):
    meeting = db.session.scalar(
        select(Activity).where(Activity.subject == "Meeting without minutes")
    )
    response = employee_client.post(
        f"/activities/{meeting.id}/minutes", data={f"m{meeting.id}-body": "x"}
    )
    assert response.status_code == 400


def _change(company, user, minutes_ago, field="name"):
    row = Change(
        entity="company",
        entity_id=company.id,
        company_id=company.id,
        field=field,
        old="a",
        new="b",
        user_id=user.id if user else None,
        changed_at=utcnow() - timedelta(minutes=minutes_ago),
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_does_my_day_list_my_cards_others_changed_since_i_looked(employee_client, me):
    lena = make_user(name="Lena Lund")
    ole = make_user(name="Ole Olsen")
    never_seen = make_company("Never Seen ApS", owner=me)
    seen_before = make_company("Seen Before ApS", owner=me)
    seen_after = make_company("Seen After ApS", owner=me)
    only_mine = make_company("Only Mine ApS", owner=me)
    not_mine = make_company("Not Mine ApS", owner=lena)
    _change(never_seen, lena, 30)
    _change(never_seen, ole, 20)
    _change(seen_before, lena, 10)
    db.session.add(
        CardView(user_id=me.id, company_id=seen_before.id, seen_at=utcnow() - timedelta(hours=1))
    )
    _change(seen_after, lena, 60)
    db.session.add(CardView(user_id=me.id, company_id=seen_after.id, seen_at=utcnow()))
    _change(only_mine, me, 5)
    _change(not_mine, ole, 5)
    db.session.flush()
    cards = section(employee_client.get("/").get_data(as_text=True), "changed-cards")
    assert "Never Seen ApS" in cards
    assert "2 changes by Lena Lund, Ole Olsen" in cards
    assert "Seen Before ApS" in cards
    assert "1 change by Lena Lund" in cards
    assert "Seen After ApS" not in cards
    assert "Only Mine ApS" not in cards
    assert "Not Mine ApS" not in cards
    assert '<span class="count">2</span>' in cards
    assert cards.index("Seen Before ApS") < cards.index("Never Seen ApS")


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


def _fill(me, n):
    other = make_user()
    for i in range(n):
        company = make_company(owner=me)
        make_activity(
            company,
            "task",
            author=me,
            assignee=me,
            subject=f"T{i}",
            due_date=utcnow().date() - timedelta(days=i % 3),
        )
        make_activity(company, "meeting", author=me, subject=f"M{i}", days_ago=1 + i)
        _change(company, other, i + 1)


def test_does_my_day_run_a_fixed_number_of_queries(app, login_as):
    few = login_as("employee")
    _fill(few.user, 3)
    many = login_as("employee")
    _fill(many.user, 30)
    db.session.expire_all()
    n_few = _count_queries(app, lambda: few.get("/"))
    db.session.expire_all()
    n_many = _count_queries(app, lambda: many.get("/"))
    assert n_few == n_many
    assert n_few <= 8
