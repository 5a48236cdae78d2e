"""The service reports as their users see them: the pages, a drill-down and an export."""

import csv
import io
from datetime import datetime

from tests.factories import group, make_activity, make_company, make_user, set_option
from webapp.extensions import db
from webapp.models.audit import Change


def rate(company, when, new):
    satisfaction = group("satisfaction")
    db.session.add(
        Change(
            entity="group",
            entity_id=satisfaction.id,
            company_id=company.id,
            field=f"group:{satisfaction.id}",
            new=new,
            changed_at=when,
        )
    )
    db.session.flush()


def test_a_manager_reads_satisfaction_and_its_trend(manager_client):
    happy = make_company("Glad Kunde ApS", status_key="customer")
    sad = make_company("Sur Kunde ApS", status_key="customer")
    set_option(happy, "satisfaction", "5 Very happy")
    set_option(sad, "satisfaction", "2 Unhappy")
    rate(happy, datetime(2026, 2, 3, 10), "5 Very happy")
    rate(sad, datetime(2026, 2, 20, 10), "2 Unhappy")
    page = manager_client.get("/reports/satisfaction?from=2026-01-01&to=2026-03-31")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "How satisfied are our customers" in html
    assert "Trend from the history" in html
    assert "Feb 2026" in html
    assert "3.5" in html  # (5 + 2) / 2, now and at the end of February
    drill = manager_client.get("/reports/satisfaction/drill?key=unhappy")
    assert drill.status_code == 200
    names = drill.get_data(as_text=True)
    assert "Sur Kunde ApS" in names
    assert "Glad Kunde ApS" not in names


def test_an_employee_sees_data_quality_per_owner_and_exports_it(employee_client):
    owner = make_user(name="Olga Ejer")
    lacking = make_company("Mangler ApS", status_key="customer", owner=owner)
    make_activity(lacking, "meeting", owner, days_ago=3, body=None)
    page = employee_client.get("/reports/data-quality")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Olga Ejer" in html
    assert "Minutes debt" in html
    drill = employee_client.get(
        f"/reports/data-quality/drill?from=2026-01-01&to=2026-03-31&key=missing:owner={owner.id}"
    )
    listed = drill.get_data(as_text=True)
    assert "Mangler ApS" in listed
    # Data quality is as of today: its drill-down names no period, even one in the URL.
    assert "As of today" in listed
    assert "2026" not in listed.split('class="report-period"')[1].split("</p>")[0]
    export = employee_client.get("/reports/data-quality.csv")
    assert export.status_code == 200
    text = export.get_data(as_text=True).lstrip("\ufeff")
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=";") if row]
    olga = next(row for row in rows if row and row[0] == "Olga Ejer")
    # 1 card, missing its lead source and accounting system (1 card missing groups); not
    # quiet (the meeting 3 days ago is activity); no duplicate; 1 meeting without minutes.
    assert olga[1:6] == ["1", "1", "0", "0", "1"]
