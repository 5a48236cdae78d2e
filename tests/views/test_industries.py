"""Industry codes: importing code lists, the admin tree and marks, the picker, the list filter."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.factories import make_company, status
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Company
from webapp.models.marketing import CategoryRule, Industry
from webapp.services.industries import ancestor_codes, level_of, search_key_for

# The shared real-world data lives beside the project: /work/shared/data/industry.
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "industry"


def real_file(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"the real industry file {name} is not in {DATA.resolve()}")
    return path


def csv_rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def industry(code):
    return db.session.scalar(select(Industry).where(Industry.code == code))


def industry_count():
    return db.session.scalar(select(func.count(Industry.id)))


def upload(client, name, content, **kwargs):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        "/admin/industries/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        **kwargs,
    )


def make_industry(code, category=None, title="Test industry", parent=None):
    chain = ancestor_codes(code, None)
    parent = parent or industry(chain[0]) or industry(chain[-1])
    row = Industry(
        code=code,
        level=level_of(code),
        section=parent.section,
        parent_id=parent.id,
        title_en=title,
        title_da=None,
        search_key=search_key_for(code, title, None),
        category=category,
        active=True,
    )
    db.session.add(row)
    db.session.flush()
    return row


NACE_SAMPLE = """level,code,parent,section,title_en,title_da
1,J,,J,INFORMATION AND COMMUNICATION,INFORMATION OG KOMMUNIKATION
2,62,J,J,"Computer programming, consultancy and related activities",Computerprogrammering
3,62.0,62,J,"Computer programming, consultancy and related activities",Computerprogrammering
4,62.01,62.0,J,Computer programming activities,Computerprogrammering
4,62.02,62.0,J,Computer consultancy activities,Konsulentbistand vedrørende informationsteknologi
"""


# --- Import --------------------------------------------------------------------------------


def test_does_a_nace_file_create_the_codes_with_levels_and_parents(admin_client):
    before = industry_count()
    response = upload(admin_client, "nace.csv", NACE_SAMPLE)
    assert response.status_code == 303
    assert industry_count() == before + 4  # J was seeded: updated, not duplicated
    programming = industry("62.01")
    assert (programming.level, programming.section) == (3, "J")
    assert programming.parent.code == "62.0"
    assert programming.parent.parent.code == "62"
    assert programming.parent.parent.parent.code == "J"
    assert programming.title_da == "Computerprogrammering"
    assert "62.01" in programming.search_key
    assert "6201" in programming.search_key
    assert "computer programming activities" in programming.search_key
    page = admin_client.get("/admin/industries").text
    assert "Read 5 rows of a NACE Rev. 2 file: 4 new, 0 updated, 1 unchanged, 0 skipped." in page


def test_is_an_import_of_the_same_file_again_unchanged(admin_client):
    upload(admin_client, "nace.csv", NACE_SAMPLE)
    before = industry_count()
    upload(admin_client, "nace.csv", NACE_SAMPLE)
    assert industry_count() == before
    page = admin_client.get("/admin/industries").text
    assert "0 new, 0 updated, 5 unchanged, 0 skipped" in page


def test_does_a_db07_file_skip_bad_rows_and_say_why(admin_client):
    content = (
        "level,level_name,code,code_digits,section,title_da,validity_note\n"
        "1,division,62,62,J,Computerprogrammering,\n"
        "4,subclass,62.01.00,620100,J,Computerprogrammering,\n"
        "4,subclass,62.01.00,620100,J,Igen,\n"
        "4,subclass,XYZ,,J,Forkert,\n"
        "4,subclass,,,J,Uden kode,\n"
        "4,subclass,42.10.00,421000,F,Anlæg af veje,gælder 2008-2012\n"
    )
    response = upload(admin_client, "db07.csv", content)
    assert response.status_code == 303
    # The subclass hangs under the nearest code that exists: the division 62.
    assert industry("62.01.00").parent.code == "62"
    assert industry("62.01.00").level == 4
    assert industry("42.10.00").parent.code == "F"
    assert industry("42.10.00").active is False  # applied only 2008–2012
    page = admin_client.get("/admin/industries").text
    assert (
        "Read 6 rows of a DB07 (all levels) file: 3 new, 0 updated, 0 unchanged, 3 skipped." in page
    )
    assert "1 codes no longer apply" in page
    assert "line 4 62.01.00: the code appears again (first on line 3)" in page
    assert "line 5 XYZ: not a DB07 or NACE code (like 62.01)" in page
    assert "line 6 : no code" in page


def test_does_a_later_file_link_codes_to_their_new_parents(admin_client):
    upload(
        admin_client,
        "sub.csv",
        "code,section,title_da,nace_class_title_en\n62.01.00,J,Prog,Programming\n",
    )
    assert industry("62.01.00").parent.code == "J"
    upload(admin_client, "nace.csv", NACE_SAMPLE)
    assert industry("62.01.00").parent.code == "62.01"
    # A file without English titles keeps the English title Kanel already has.
    assert industry("62.01.00").title_en == "Programming"


def test_does_an_xlsx_file_import_like_the_csv(admin_client):
    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(NACE_SAMPLE)):
        sheet.append([int(row[0]) if row[0].isdigit() else row[0], *row[1:]])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(admin_client, "NACE.XLSX", buffer.getvalue())
    assert response.status_code == 303
    assert industry("62.02").title_en == "Computer consultancy activities"
    assert industry("62.02").parent.code == "62.0"


def test_does_a_semicolon_csv_in_windows_encoding_import(admin_client):
    content = "code;title_da\n62.09;Anden servicevirksomhed vedrørende informationsteknologi\n"
    response = upload(admin_client, "liste.csv", content.encode("cp1252"))
    assert response.status_code == 303
    assert industry("62.09").title_da.endswith("vedrørende informationsteknologi")
    assert industry("62.09").section == "J"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("codes.pdf", b"%PDF-1.4", "Choose a CSV or an Excel (.xlsx) file. codes.pdf is neither."),
        ("codes.csv", b"", "The file is empty."),
        ("codes.csv", b"code,title_en\n", "The file has a header but no codes."),
        ("codes.csv", b"name,amount\nx,1\n", "Kanel does not know these columns: name, amount."),
        ("codes.xlsx", b"not a zip file", "The file is not an Excel workbook Kanel can read."),
        ("codes.csv", b"code,title_en\nfoo,bar\n", "No row of the file holds a code Kanel can use"),
    ],
)
def test_is_a_wrong_file_refused_with_a_clear_message(admin_client, name, content, message):
    before = industry_count()
    response = upload(admin_client, name, content)
    assert response.status_code == 422
    assert message in response.text
    assert industry_count() == before


def test_is_an_import_without_a_file_refused(admin_client):
    response = admin_client.post("/admin/industries/import", data={})
    assert response.status_code == 422
    assert "Choose a file." in response.text


def test_does_the_real_db07_structure_import_completely(admin_client):
    path = real_file("db07_all_levels.csv")
    rows = csv_rows(path)
    assert len(rows) == 1740
    sections = {r["code"] for r in rows if r["level"] == "0"}
    before = industry_count()
    response = upload(admin_client, path.name, path.read_bytes())
    assert response.status_code == 303
    seeded = len(sections & {f"{chr(c)}" for c in range(ord("A"), ord("V"))})
    assert industry_count() == before + len(rows) - seeded
    for row in rows[:: max(len(rows) // 40, 1)]:
        stored = industry(row["code"])
        assert stored.level == int(row["level"])
        assert stored.title_da == " ".join(row["title_da"].split())
        assert stored.section == row["section"]
    assert industry("01.11.00").parent.code == "01.11"
    assert industry("01").parent.code == "A"
    # Notes like "gælder 2008-2012" or "valid 2008-2013": a period that has ended.
    periods = [re.search(r"(\d{4})-(\d{4})", r["validity_note"]) for r in rows]
    retired = sum(1 for p in periods if p and int(p.group(2)) < date.today().year)
    assert retired == 7
    page = admin_client.get("/admin/industries").text
    assert f"Read {len(rows):,} rows of a DB07 (all levels) file" in page
    # The seeded sections are upserted: the same titles, so unchanged.
    assert f"{len(rows) - seeded:,} new, 0 updated, {seeded} unchanged, 0 skipped" in page
    assert f"{retired} codes no longer apply" in page
    assert db.session.scalar(select(func.count()).where(Industry.active.is_(False))) == retired


def test_does_the_real_db07_subclass_list_import_completely(admin_client):
    path = real_file("db07_subclasses.csv")
    rows = csv_rows(path)
    assert len(rows) == 741
    before = industry_count()
    response = upload(admin_client, path.name, path.read_bytes())
    assert response.status_code == 303
    assert industry_count() == before + len(rows)
    first = industry(rows[0]["code"])
    assert first.level == 4
    assert first.title_en == rows[0]["nace_class_title_en"]
    assert first.parent.code == rows[0]["section"]  # no classes yet: the section holds it


def test_does_the_real_nace_file_import_completely(admin_client):
    path = real_file("nace_rev2_en_da.csv")
    rows = csv_rows(path)
    assert len(rows) == 996
    before = industry_count()
    # Sections come in capitals; stored as sentences they match the seeded ones or not.
    differing = sum(
        1
        for r in rows
        if r["level"] == "1"
        and (industry(r["code"]).title_en, industry(r["code"]).title_da)
        != (r["title_en"].capitalize(), r["title_da"].capitalize())
    )
    response = upload(admin_client, path.name, path.read_bytes())
    assert response.status_code == 303
    sections = sum(1 for r in rows if r["level"] == "1")
    assert sections == 21
    assert industry("A").title_en == "Agriculture, forestry and fishing"
    assert industry_count() == before + len(rows) - sections
    for row in rows[::50]:
        stored = industry(row["code"])
        assert stored.level == int(row["level"]) - 1  # NACE counts sections as level 1
        assert (stored.parent.code if stored.parent else "") == row["parent"]
        title = " ".join(row["title_en"].split())
        assert stored.title_en == (title.capitalize() if title.isupper() else title)
    page = admin_client.get("/admin/industries").text
    assert (
        f"{len(rows) - sections} new, {differing} updated, {sections - differing} unchanged, "
        "0 skipped" in page
    )


# --- The admin page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/industries"),
        ("get", "/admin/industries/1"),
        ("post", "/admin/industries/import"),
        ("post", "/admin/industries/1/mark"),
    ],
)
def test_are_the_industry_pages_for_admins_only(
    method, url, employee_client, manager_client, client
):
    assert getattr(employee_client, method)(url).status_code == 403
    assert getattr(manager_client, method)(url).status_code == 403
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_does_the_page_list_the_sections_with_their_companies(admin_client):
    programming = make_industry("62.01", title="Computer programming activities")
    make_company(industry_id=programming.id)
    make_company(industry_id=programming.id)
    make_company(industry_id=programming.id, archived=True)
    page = admin_client.get("/admin/industries").text
    assert page.count('class="industry-node') == 21
    row = page[page.index(f'id="industry-{industry("J").id}"') :]
    row = row[: row.index("</li>")]
    assert "3 companies" in row  # archived cards count too, as on the statuses page
    assert f"/customers/?industry={industry('J').id}" in row
    assert "1 code below" in row  # 62.01 hangs directly under J here
    assert 'hx-trigger="toggle once"' in row


def test_does_a_section_open_to_its_children_as_a_fragment_and_a_page(admin_client, hx):
    division = make_industry("62", title="Computer programming and consultancy")
    make_industry("62.01", title="Computer programming activities", parent=division)
    fragment = admin_client.get(f"/admin/industries/{industry('J').id}", headers=hx)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="industry-children">')
    assert "Computer programming and consultancy" in fragment.text
    assert "1 code below" in fragment.text
    page = admin_client.get(f"/admin/industries/{division.id}").text
    assert "<title>62 Computer programming and consultancy — Kanel</title>" in page
    assert "All sections" in page
    assert "Computer programming activities" in page


def test_does_the_search_find_codes_and_words(admin_client, hx):
    make_industry("62.01", title="Computer programming activities")
    make_industry("62.02", title="Computer consultancy activities")
    response = admin_client.get("/admin/industries?q=programming", headers=hx)
    assert response.text.lstrip().startswith('<div id="industry-results">')
    assert "62.01" in response.text
    assert "62.02" not in response.text
    assert "1 industry matches" in response.text
    page = admin_client.get("/admin/industries?q=62.0").text
    assert "62.01" in page
    assert "62.02" in page
    assert "No industry matches" in admin_client.get("/admin/industries?q=zzz").text


def test_does_marking_an_industry_ask_first_with_a_dry_count(admin_client, hx):
    programming = make_industry("62.01", title="Computer programming activities")
    company = make_company(industry_id=programming.id, employees=100, category="C")
    make_company(industry_id=programming.id, employees=100, category="A", category_manual=True)
    response = admin_client.post(
        f"/admin/industries/{industry('J').id}/mark", data={"category": "A"}, headers=hx
    )
    assert response.status_code == 200
    assert "<dialog" in response.text
    assert "data-modal" in response.text
    assert "Mark J Information and communication as A?" in response.text
    assert "1 companies would change category: 1 to A." in response.text
    assert 'name="confirm" value="1"' in response.text
    db.session.refresh(company)
    assert (industry("J").category, company.category) == (None, "C")

    confirmed = admin_client.post(
        f"/admin/industries/{industry('J').id}/mark", data={"category": "A", "confirm": "1"}
    )
    assert confirmed.status_code == 303
    assert industry("J").category == "A"
    db.session.refresh(company)
    db.session.refresh(programming)
    assert programming.effective_category == "A"
    assert company.category == "A"  # default rule: A-industry and 20–500 employees → A
    change = db.session.scalar(
        select(Change).where(Change.company_id == company.id, Change.field == "category")
    )
    assert (change.old, change.new, change.user_id) == ("C", "A", admin_client.user.id)
    page = admin_client.get("/admin/industries").text
    assert "1 companies changed category: 1 to A." in page


def test_does_the_confirmation_also_work_as_a_page_without_javascript(admin_client):
    programming = make_industry("62.01")
    make_company(industry_id=programming.id, employees=100, category="C")
    response = admin_client.post(f"/admin/industries/{programming.id}/mark", data={"category": "A"})
    assert response.status_code == 200
    assert "<dialog" not in response.text
    assert 'role="alertdialog"' in response.text
    assert "Mark and recompute" in response.text


def test_does_a_mark_that_moves_nobody_apply_at_once(admin_client):
    response = admin_client.post(
        f"/admin/industries/{industry('K').id}/mark", data={"category": "B"}
    )
    assert response.status_code == 303
    assert industry("K").category == "B"
    assert "No company changed category." in admin_client.get("/admin/industries").text


def test_is_a_mark_post_without_csrf_token_refused(admin_client, csrf):
    response = admin_client.post(
        f"/admin/industries/{industry('K').id}/mark", data={"category": "B"}
    )
    assert response.status_code == 400
    assert industry("K").category is None


def test_is_an_import_without_csrf_token_refused(admin_client, csrf):
    before = industry_count()
    response = upload(admin_client, "nace.csv", NACE_SAMPLE)
    assert response.status_code == 400
    assert industry_count() == before


# --- The picker and the company form ------------------------------------------------------------


def test_does_the_picker_find_industries_by_code_and_words(employee_client, hx):
    make_industry("62.01", title="Computer programming activities")
    make_industry("62.02", title="Computer consultancy activities")
    retired = make_industry("62.03", title="Computer facilities management activities")
    retired.active = False
    by_code = employee_client.get("/industries/search?q=62.0", headers=hx).text
    assert "62.01" in by_code
    assert "62.02" in by_code
    assert "62.03" not in by_code  # no longer applies: not offered
    assert 'data-label="62.01 Computer programming activities"' in by_code
    by_words = employee_client.get("/industries/search?industry=consultancy+computer", headers=hx)
    assert "62.02" in by_words.text
    assert "62.01" not in by_words.text
    nothing = employee_client.get("/industries/search?q=zzzz", headers=hx).text
    assert "No industry matches" in nothing
    page = employee_client.get("/industries/search?q=62.01")
    assert page.status_code == 200
    assert "<title>Industries — Kanel</title>" in page.text


def test_is_the_picker_for_signed_in_users_only(client):
    response = client.get("/industries/search?q=62")
    assert response.status_code == 302


def company_form(**fields):
    data = {
        "name": "Nordisk Kode ApS",
        "country": "DK",
        "status_id": str(status("prospect").id),
        "employees": "",
        "category": "",
        "owner_id": "",
    }
    data.update(fields)
    return data


def test_does_the_company_form_take_a_picked_industry(employee_client):
    programming = make_industry("62.01", title="Computer programming activities")
    response = employee_client.post(
        "/customers/new",
        data=company_form(
            industry="62.01 Computer programming activities", industry_id=str(programming.id)
        ),
    )
    assert response.status_code == 303
    company = db.session.scalar(select(Company).where(Company.name == "Nordisk Kode ApS"))
    assert company.industry_id == programming.id
    card = employee_client.get(f"/customers/{company.id}").text
    assert "Industry" in card
    assert "62.01 Computer programming activities" in card
    edit = employee_client.get(f"/customers/{company.id}/edit").text
    assert 'value="62.01 Computer programming activities"' in edit
    assert f'value="{programming.id}"' in edit


def test_does_the_company_form_understand_a_typed_code_or_words(employee_client):
    programming = make_industry("62.01", title="Computer programming activities")
    employee_client.post("/customers/new", data=company_form(industry="62.01"))
    company = db.session.scalar(select(Company).where(Company.name == "Nordisk Kode ApS"))
    assert company.industry_id == programming.id
    employee_client.post(
        f"/customers/{company.id}/edit",
        data=company_form(
            industry="", industry_id=str(programming.id), version=str(company.version)
        ),
    )
    assert company.industry_id is None  # the text was cleared: no industry
    employee_client.post(
        f"/customers/{company.id}/edit",
        data=company_form(industry="programming activities", version=str(company.version)),
    )
    assert company.industry_id == programming.id
    history = db.session.scalars(
        select(Change).where(Change.company_id == company.id, Change.field == "industry")
    ).all()
    assert [(c.old, c.new) for c in history] == [
        ("62.01 Computer programming activities", None),
        (None, "62.01 Computer programming activities"),
    ]


def test_is_an_unknown_industry_refused_beside_the_field(employee_client, hx):
    response = employee_client.post(
        "/customers/new", data=company_form(industry="no such thing"), headers=hx
    )
    assert response.status_code == 422
    assert "Pick an industry from the list, or type its code (like 62.01)." in response.text
    assert 'value="no such thing"' in response.text


def test_does_the_company_get_the_category_of_its_industry(employee_client):
    j = industry("J")
    j.category = "A"
    from webapp.services.categories import refresh_effective_categories

    programming = make_industry("62.01")
    refresh_effective_categories()
    employee_client.post(
        "/customers/new", data=company_form(industry="62.01", employees="40", category="C")
    )
    company = db.session.scalar(select(Company).where(Company.name == "Nordisk Kode ApS"))
    assert (company.industry_id, company.category, company.category_manual) == (
        programming.id,
        "A",
        False,
    )
    employee_client.post(
        f"/customers/{company.id}/edit",
        data=company_form(
            industry="62.01",
            employees="40",
            category="C",
            category_manual="y",
            version=str(company.version),
        ),
    )
    assert (company.category, company.category_manual) == ("C", True)
    card = employee_client.get(f"/customers/{company.id}").text
    assert "Category C · set by hand" in card
    listed = employee_client.get("/customers/").text
    assert "(set by hand)" in listed
    assert db.session.scalar(select(func.count(CategoryRule.id))) == 4


# --- The list's industry filter ------------------------------------------------------------------


def test_does_the_list_filter_by_an_industry_and_everything_below_it(employee_client, hx):
    division = make_industry("62", title="Computer programming and consultancy")
    programming = make_industry("62.01", title="Computer programming activities", parent=division)
    subclass = make_industry("62.01.00", title="Programming", parent=programming)
    make_company("Kode Nord ApS", industry_id=programming.id)
    make_company("Kode Syd ApS", industry_id=subclass.id)
    make_company("Kode Vest ApS", industry_id=division.id)
    make_company("Bager Øst ApS", industry_id=make_industry("10.71", title="Bread").id)
    make_company("Ingen Branche ApS")
    page = employee_client.get(f"/customers/?industry={programming.id}").text
    assert "Kode Nord ApS" in page
    assert "Kode Syd ApS" in page
    assert "Kode Vest ApS" not in page
    assert "Bager Øst ApS" not in page
    assert "2 companies" in page
    assert "Industry: 62.01 Computer programming activities" in page
    assert f'name="industry" value="{programming.id}"' in page  # kept when other filters change
    section_page = employee_client.get(f"/customers/?industry={industry('J').id}", headers=hx).text
    assert section_page.count("Kode ") == 3
    assert "Bager" not in section_page


def count_queries(client, url, **kwargs):
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url, **kwargs)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_does_the_tree_run_a_fixed_number_of_queries(admin_client, hx):
    division = make_industry("62", title="Computer programming and consultancy")
    make_industry("62.00", title="Programming", parent=division)
    few = count_queries(admin_client, f"/admin/industries/{division.id}", headers=hx)
    for n in range(1, 10):
        child = make_industry(f"62.0{n}", title=f"Programming {n}", parent=division)
        make_company(industry_id=child.id)
        make_industry(f"62.0{n}.00", title=f"Programming {n} subclass", parent=child)
    many = count_queries(admin_client, f"/admin/industries/{division.id}", headers=hx)
    assert few == many
    sections = count_queries(admin_client, "/admin/industries")
    make_company(industry_id=industry("K").id)
    assert count_queries(admin_client, "/admin/industries") == sections


def test_does_the_history_name_the_industry_that_was_chosen(employee_client):
    programming = make_industry("62.01", title="Computer programming activities")
    company = make_company("Nordisk Kode ApS")
    employee_client.post(
        f"/customers/{company.id}/edit",
        data=company_form(industry="62.01", version=str(company.version)),
    )
    page = employee_client.get(f"/customers/{company.id}/history").text
    assert company.industry_id == programming.id
    row = page[page.rindex('<td data-label="What">') :]
    assert row.split("</td>")[0].split(">")[-1].strip() == "Industry"
    assert (
        '<span class="old">—</span> → <span class="new">62.01 Computer programming activities<'
        in row
    )
