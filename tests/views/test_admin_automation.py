"""The first-service-call automation: its admin page and the task it creates."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_company, make_user, status
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.customer import Status
from webapp.models.user import utcnow
from webapp.services.automation import on_status_changed
from webapp.services.settings import get_setting, set_setting


def service_tasks(company):
    return db.session.scalars(
        select(Activity).where(
            Activity.company_id == company.id, Activity.automation == "first_service_call"
        )
    ).all()


def become(company, key, user=None):
    """Give the company another status as the company forms do, and run the automation."""
    old = company.status
    company.status = status(key) if isinstance(key, str) else key
    db.session.flush()
    return on_status_changed(company, old, user)


def form(**fields):
    data = {"enabled": "y", "assignee": "", "delay_days": "30", "subject": "First service call"}
    data.update(fields)
    return data


@pytest.mark.parametrize("method", ["get", "post"])
def test_is_automation_for_admins_only(method, employee_client, manager_client, client):
    assert getattr(employee_client, method)("/admin/automation").status_code == 403
    assert getattr(manager_client, method)("/admin/automation").status_code == 403
    assert "/login" in getattr(client, method)("/admin/automation").headers["Location"]


def test_does_the_page_show_the_defaults_and_who_gets_the_task(admin_client, hx):
    make_user(name="Sara Service", department="service")
    response = admin_client.get("/admin/automation", headers=hx)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="30"' in page
    assert 'value="First service call"' in page
    assert "The first active user of the service department" in page
    assert "Now that is Sara Service." in page


def test_can_an_admin_choose_assignee_delay_and_subject(admin_client):
    sara = make_user(name="Sara Service", department="service")
    response = admin_client.post(
        "/admin/automation",
        data=form(assignee=str(sara.id), delay_days="14", subject="Call the new customer"),
    )
    assert response.status_code == 303
    assert get_setting("first_service_call") == {
        "enabled": True,
        "assignee_id": sara.id,
        "delay_days": 14,
        "subject": "Call the new customer",
    }
    rows = db.session.scalars(select(Change).where(Change.entity == "setting")).all()
    assert {(c.field, c.old, c.new) for c in rows} >= {
        ("first_service_call.delay_days", "30", "14"),
        ("first_service_call.assignee_id", None, str(sara.id)),
    }


def test_can_an_admin_switch_the_automation_off(admin_client):
    admin_client.post("/admin/automation", data=form(enabled=""))
    assert get_setting("first_service_call")["enabled"] is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"delay_days": "0"}, "Enter a number of days from 1 to 365."),
        ({"delay_days": "366"}, "Enter a number of days from 1 to 365."),
        ({"subject": ""}, "Enter the task&#39;s subject."),
        ({"assignee": "999999"}, "Not a valid choice"),
    ],
)
def test_are_bad_settings_refused_with_a_message(admin_client, fields, message):
    response = admin_client.post("/admin/automation", data=form(**fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("'", "&#39;")
    assert get_setting("first_service_call")["delay_days"] == 30


def test_does_the_page_warn_when_the_chosen_assignee_left(admin_client):
    gone = make_user(name="Gone Person", department="service", active=False)
    set_setting("first_service_call", {"assignee_id": gone.id})
    page = admin_client.get("/admin/automation").get_data(as_text=True)
    assert "Gone Person, the chosen assignee, is deactivated" in page


def test_is_an_automation_post_without_csrf_token_refused(admin_client, csrf):
    response = admin_client.post("/admin/automation", data=form(delay_days="5"))
    assert response.status_code == 400
    assert get_setting("first_service_call")["delay_days"] == 30


def test_does_a_new_customer_get_a_task_for_the_first_service_user(app):
    make_user(name="Sales Sam", department="sales")
    first = make_user(name="Sara Service", department="service")
    make_user(name="Sune Service", department="service")
    company = make_company(status_key="lead")
    task = become(company, "customer")
    assert task.assignee == first
    assert task.kind == "task"
    assert task.subject == "First service call"
    assert task.due_date == (utcnow() + timedelta(days=30)).date()
    assert service_tasks(company) == [task]


def test_does_the_task_go_to_the_chosen_assignee_after_the_chosen_delay(app):
    make_user(name="Sara Service", department="service")
    chosen = make_user(name="Kim Consultant", department="consulting")
    set_setting("first_service_call", {"assignee_id": chosen.id, "delay_days": 7, "subject": "Hi"})
    company = make_company(status_key="prospect")
    task = become(company, "customer")
    assert (task.assignee, task.subject) == (chosen, "Hi")
    assert task.due_date == (utcnow() + timedelta(days=7)).date()


def test_does_an_inactive_chosen_assignee_fall_back_to_service(app):
    first = make_user(name="Sara Service", department="service")
    gone = make_user(name="Gone Person", active=False)
    set_setting("first_service_call", {"assignee_id": gone.id})
    task = become(make_company(status_key="lead"), "customer")
    assert task.assignee == first


def test_is_no_task_created_when_switched_off(app):
    make_user(department="service")
    set_setting("first_service_call", {"enabled": False})
    company = make_company(status_key="lead")
    assert become(company, "customer") is None
    assert service_tasks(company) == []


def test_is_no_second_task_created_between_two_customer_statuses(app):
    make_user(department="service")
    partner = Status(name="Partner customer", kind="customer", colour="#000000", position=99)
    db.session.add(partner)
    company = make_company(status_key="lead")
    become(company, "customer")
    assert become(company, partner) is None
    assert len(service_tasks(company)) == 1


def test_is_no_task_created_for_a_status_that_is_not_a_customer_kind(app):
    make_user(department="service")
    company = make_company(status_key="suspect")
    assert become(company, "lead") is None
    assert become(company, "former_customer") is None
    assert service_tasks(company) == []
