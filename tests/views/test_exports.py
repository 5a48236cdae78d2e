"""Exports of a segment, opened again and read row by row: CSV for Excel, XLSX, e-mail lists."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from tests.factories import (
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
    set_option,
    status,
)
from webapp.extensions import db
from webapp.models.customer import Company, Contact
from webapp.models.group import Group
from webapp.services.segments import create_segment


def download(client, segment, **params):
    """GET an export and return the response with its whole body read, then closed."""
    query = []
    for key, value in params.items():
        for item in value if isinstance(value, list) else [value]:
            query.append((key, item))
    response = client.get(f"/segments/{segment.id}/export", query_string=query)
    body = response.get_data()
    response.close()
    return response, body


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(body: bytes):
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


@pytest.fixture
def shop(employee_client):
    """Three lead companies with contacts, one customer; a shared segment of the leads."""
    owner = make_user(name="Ole Ejer")
    created = datetime(2025, 3, 14, 9, 30)
    alfa = make_company(
        "Alfa Tømrer ApS",
        status_key="lead",
        owner=owner,
        cvr="12345674",
        city="Århus",
        postcode="8000",
        employees=42,
        category="A",
        created_at=created,
        phone="+4512345678",
    )
    bravo = make_company(
        "=Bravo Formel ApS",
        status_key="lead",
        employees=7,
        category=None,
        created_at=created,
    )
    charlie = make_company("Charlie VVS", status_key="lead", employees=None, created_at=created)
    customer = make_company("Kunde A/S", status_key="customer", employees=100)
    set_option(alfa, "lead_source", "Referral")
    set_option(alfa, "accounting_system", "e-conomic")
    set_option(alfa, "accounting_system", "Dinero")
    set_option(alfa, "satisfaction", "4 Happy")
    make_activity(alfa, "call", occurred_at=datetime(2026, 10, 1, 10, 0))
    make_activity(alfa, "note", occurred_at=datetime(2026, 11, 2, 10, 0))
    make_activity(alfa, "note", occurred_at=datetime(2026, 11, 20, 10, 0), deleted=True)
    make_deal(alfa, "lead", value="12500.50")
    make_deal(alfa, "suspect", value="1000")
    make_deal(alfa, "lead", value="99999", outcome="lost")
    consent_day = datetime(2026, 5, 1, 12, 0)
    make_contact(
        alfa,
        "Anne",
        "Andersen",
        email="anne@alfa.dk",
        marketing_consent=True,
        consent_at=consent_day,
        consent_source="Trade fair",
        title="CEO",
    )
    make_contact(alfa, "Arne", "Askov", email="arne@alfa.dk", marketing_consent=False)
    make_contact(alfa, "Asta", "Aalund", email="not-an-address", marketing_consent=True)
    make_contact(
        bravo, "Bo", "Bech", email="bo@bravo.dk", marketing_consent=True, consent_at=consent_day
    )
    make_contact(bravo, "Birte", "Brun", email=None, marketing_consent=True)
    make_contact(
        bravo, "Bjarke", "Bang", email="bjarke@bravo.dk", marketing_consent=True, archived=True
    )
    make_contact(charlie, "Carl", "Cort", email="carl@charlie", marketing_consent=True)
    make_contact(customer, "Kim", "Kunde", email="kim@kunde.dk", marketing_consent=True)
    segment = create_segment(
        "Leads i Jylland", "", True, {"status": [status("lead").id]}, employee_client.user
    )
    db.session.flush()
    return segment


def group_id(key):
    return db.session.scalar(select(Group.id).where(Group.key == key))


def test_is_a_csv_export_ready_for_a_danish_excel(login_as, shop):
    client = login_as("employee", language="da")
    response, body = download(
        client,
        shop,
        rows="companies",
        format="csv",
        col=[
            "name",
            "cvr",
            "city",
            "employees",
            "category",
            "owner",
            "pipeline",
            "created",
            "last_activity",
            f"group:{group_id('accounting_system')}",
            f"group:{group_id('satisfaction')}",
        ],
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "charset=utf-8" in response.headers["Content-Type"]
    assert b"\r\n" in body
    rows = read_csv(body)
    assert rows[0] == [
        "Firma",
        "CVR-nummer",
        "By",
        "Ansatte",
        "Kategori",
        "Ansvarlig",
        "Åbne handler (DKK)",
        "Oprettet",
        "Seneste aktivitet",
        "Accounting system",
        "Satisfaction",
    ]
    # By name as the company list sorts (a leading "=" sorts first); a formula is defused.
    assert rows[1:] == [
        ["'=Bravo Formel ApS", "", "", "7", "", "", "", "2025-03-14", "", "", ""],
        [
            "Alfa Tømrer ApS",
            "12345674",
            "Århus",
            "42",
            "A",
            "Ole Ejer",
            "13500,50",
            "2025-03-14",
            "2026-11-02",
            "e-conomic, Dinero",
            "4 Happy",
        ],
        ["Charlie VVS", "", "", "", "", "", "", "2025-03-14", "", "", ""],
    ]


def test_does_an_english_user_get_a_decimal_point(employee_client, shop):
    response, body = download(
        employee_client, shop, rows="companies", format="csv", col=["name", "pipeline"]
    )
    rows = read_csv(body)
    assert rows[0] == ["Company", "Open deals (DKK)"]
    assert rows[2] == ["Alfa Tømrer ApS", "13500.50"]


def test_does_the_file_name_carry_the_segment_and_the_day(employee_client, shop):
    response, _ = download(employee_client, shop, rows="companies", format="csv", col=["name"])
    disposition = response.headers["Content-Disposition"]
    today = date.today().isoformat()
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''Leads-i-Jylland-companies-{today}.csv" in disposition
    assert response.headers["Cache-Control"] == "no-store"


def test_are_xlsx_cells_real_dates_and_numbers(employee_client, shop):
    response, body = download(
        employee_client,
        shop,
        rows="companies",
        format="xlsx",
        col=["name", "phone", "employees", "pipeline", "created", "last_activity"],
    )
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].endswith(
        f"Leads-i-Jylland-companies-{date.today().isoformat()}.xlsx"
    )
    rows, sheet = read_xlsx(body)
    assert rows[0] == [
        "Company",
        "Phone",
        "Employees",
        "Open deals (DKK)",
        "Created",
        "Last activity",
    ]
    bravo, alfa, charlie = rows[1:]
    assert alfa[:3] == ["Alfa Tømrer ApS", "+4512345678", 42]
    assert isinstance(alfa[2], int)
    assert isinstance(alfa[3], float | int)
    assert alfa[3] == pytest.approx(13500.50)
    assert isinstance(alfa[4], datetime)
    assert alfa[4].date() == date(2025, 3, 14)
    assert isinstance(alfa[5], datetime)
    assert alfa[5].date() == date(2026, 11, 2)
    assert charlie == ["Charlie VVS", None, None, None, datetime(2025, 3, 14), None]
    # Text that looks like a formula stays text.
    assert bravo[0] == "=Bravo Formel ApS"
    assert sheet["A2"].data_type == "s"
    assert sheet["D3"].number_format == "#,##0.00"
    assert sheet["E3"].number_format == "yyyy-mm-dd"
    assert sheet["C3"].data_type == "n"


def test_does_a_contacts_export_give_one_row_per_live_contact(employee_client, shop):
    response, body = download(
        employee_client,
        shop,
        rows="contacts",
        format="xlsx",
        col=[
            "first_name",
            "last_name",
            "title",
            "contact_email",
            "consent",
            "consent_at",
            "consent_source",
            "name",
        ],
    )
    rows, _ = read_xlsx(body)
    assert rows[0] == [
        "First name",
        "Last name",
        "Title",
        "Contact e-mail",
        "Marketing consent",
        "Consent given",
        "Consent given how",
        "Company",
    ]
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("Bo", "Bech"),
        ("Birte", "Brun"),
        ("Asta", "Aalund"),
        ("Anne", "Andersen"),
        ("Arne", "Askov"),
        ("Carl", "Cort"),
    ]
    anne = rows[4]
    assert anne[2:] == [
        "CEO",
        "anne@alfa.dk",
        True,
        datetime(2026, 5, 1),
        "Trade fair",
        "Alfa Tømrer ApS",
    ]
    assert rows[5][4] is False


def test_does_the_email_export_keep_only_consenting_contacts_with_valid_addresses(
    employee_client, shop
):
    response, body = download(
        employee_client, shop, rows="email", format="csv", col=["city", "consent_at"]
    )
    assert response.status_code == 200
    rows = read_csv(body)
    # The four it always has, then the picked ones in the order of the checkboxes.
    assert rows[0] == [
        "Contact e-mail",
        "First name",
        "Last name",
        "Company",
        "Consent given",
        "City",
    ]
    # Left out: Arne (no consent), Asta (not an address), Birte (no e-mail), Bjarke
    # (archived), Carl (no top-level domain), Kim (not in the segment).
    assert rows[1:] == [
        ["bo@bravo.dk", "Bo", "Bech", "'=Bravo Formel ApS", "2026-05-01", ""],
        ["anne@alfa.dk", "Anne", "Andersen", "Alfa Tømrer ApS", "2026-05-01", "Århus"],
    ]
    assert "e-mail" in response.headers["Content-Disposition"]


def test_does_the_email_export_work_without_extra_columns(employee_client, shop):
    response, body = download(employee_client, shop, rows="email", format="xlsx")
    rows, _ = read_xlsx(body)
    assert rows == [
        ["Contact e-mail", "First name", "Last name", "Company"],
        ["bo@bravo.dk", "Bo", "Bech", "=Bravo Formel ApS"],
        ["anne@alfa.dk", "Anne", "Andersen", "Alfa Tømrer ApS"],
    ]


def test_does_a_large_export_stream_in_chunks(employee_client):
    lead = status("lead").id
    rows = [
        {
            "name": f"Firma {n:05d}",
            "name_key": f"firma {n:05d}",
            "status_id": lead,
            "employees": n,
            "created_at": datetime(2026, 1, 1) + timedelta(minutes=n),
        }
        for n in range(3000)
    ]
    db.session.execute(insert(Company), rows)
    ids = db.session.scalars(select(Company.id).order_by(Company.name_key)).all()
    db.session.execute(
        insert(Contact),
        [
            {
                "company_id": i,
                "first_name": "P",
                "last_name": str(i),
                "email": f"p{i}@x.dk",
                "marketing_consent": True,
                "search_key": "",
            }
            for i in ids
        ],
    )
    segment = create_segment("Big", "", True, {"status": [lead]}, employee_client.user)
    response = employee_client.get(
        f"/segments/{segment.id}/export?rows=companies&format=csv&col=name&col=employees"
        "&col=last_activity"
    )
    assert response.is_streamed
    chunks = list(response.response)
    response.close()
    assert len(chunks) > 3  # written in batches, not at once
    lines = read_csv(b"".join(chunks))
    assert len(lines) == 3001
    assert lines[1] == ["Firma 00000", "0", ""]
    assert lines[3000] == ["Firma 02999", "2999", ""]

    response, body = download(
        employee_client, segment, rows="email", format="xlsx", col=["employees"]
    )
    sheet_rows, _ = read_xlsx(body)
    assert len(sheet_rows) == 3001
    assert sheet_rows[3000] == [f"p{ids[-1]}@x.dk", "P", str(ids[-1]), "Firma 02999", 2999]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rows": "companies", "format": "csv"}, "Pick at least one column."),
        ({"rows": "companies", "format": "pdf", "col": "name"}, "Choose CSV or Excel."),
        ({"rows": "people", "format": "csv", "col": "name"}, "Choose what to export."),
    ],
)
def test_is_an_incomplete_export_form_shown_again_with_the_reason(
    employee_client, shop, params, message
):
    response, body = download(employee_client, shop, **params)
    assert response.status_code == 422
    assert message in body.decode()
    assert "<form" in body.decode()


@pytest.mark.parametrize("fixture", ["employee_client", "manager_client", "admin_client"])
def test_may_every_role_export_a_shared_segment(request, shop, fixture):
    client = request.getfixturevalue(fixture)
    response, body = download(client, shop, rows="companies", format="csv", col=["name"])
    assert response.status_code == 200
    assert len(read_csv(body)) == 4


def test_must_one_sign_in_to_export(client, shop):
    response = client.get(f"/segments/{shop.id}/export?rows=companies&format=csv&col=name")
    assert response.status_code == 302


def test_does_the_segment_page_offer_the_export_without_boosting(employee_client, shop):
    page = employee_client.get(f"/segments/{shop.id}")
    assert f'action="/segments/{shop.id}/export"' in page.text
    assert 'hx-boost="false"' in page.text
    assert 'name="col" value="last_activity"' in page.text
    assert 'name="rows" value="email"' in page.text


def test_does_the_export_log_no_personal_data(employee_client, shop, caplog):
    with caplog.at_level("INFO"):
        download(employee_client, shop, rows="email", format="csv")
    text = caplog.text
    assert "exported" in text
    assert "anne@alfa.dk" not in text
    assert "Alfa" not in text
