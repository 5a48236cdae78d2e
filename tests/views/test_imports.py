"""The import pages: log, upload, mapping, preview, import, progress, result, revert, roles."""

import io
import re

import pytest
from sqlalchemy import event, func, select

from tests.factories import make_company, status
from webapp.extensions import db
from webapp.models.customer import Company
from webapp.models.imports import ImportJob, ImportMapping, ImportRow
from webapp.services import imports as service

# Valid CVR numbers (mod 11).
CVR_A, CVR_B, CVR_C = "16480894", "83960310", "66978001"

COMPANIES_CSV = (
    "Name;CVR;City;Status;Notes\n"
    f"Vestjysk Maskinfabrik A/S;{CVR_A};Skjern;Customer;first\n"
    f"Fynsk Kaffe ApS;{CVR_B};Odense;Prospect;\n"
    "Nordlys Solenergi ApS;12345678;Frederikshavn;Prospect;bad cvr\n"
    f"Fynsk Kaffe Kopi ApS;{CVR_B};Odense;Prospect;same cvr twice\n"
    "Simonsen VVS A/S;;Aabenraa;Lead;\n"
)


def upload(client, content=COMPANIES_CSV, name="firms.csv", kind="companies", **fields):
    data = {"kind": kind, "file": (io.BytesIO(content.encode("utf-8")), name), **fields}
    return client.post("/admin/imports/new", data=data, content_type="multipart/form-data")


def new_job(client, content=COMPANIES_CSV, **fields) -> ImportJob:
    response = upload(client, content, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    job_id = int(re.search(r"/admin/imports/(\d+)/mapping", response.headers["Location"])[1])
    return db.session.get(ImportJob, job_id)


def mapping_form(job, action="check", **extra) -> dict:
    """The mapping form as the page posts it: each column's target, and the options."""
    form = {"action": action, "near_duplicates": "new", "update_existing": "y"}
    columns = job.mapping["columns"]
    for index, header in enumerate(job.headers):
        form[f"col-{index}"] = columns.get(header, "")
    form.update(extra)
    return form


def checked_job(client, content=COMPANIES_CSV, **extra) -> ImportJob:
    job = new_job(client, content)
    response = client.post(f"/admin/imports/{job.id}/mapping", data=mapping_form(job, **extra))
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.refresh(job)
    assert job.state == "planned", job.message
    return job


def imported_job(client, content=COMPANIES_CSV) -> ImportJob:
    job = checked_job(client, content)
    response = client.post(f"/admin/imports/{job.id}/import", data={"skip_errors": "y"})
    assert response.status_code == 303
    db.session.refresh(job)
    assert job.state == "done", job.message
    return job


# Roles and CSRF --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee_client", "manager_client"])
def test_are_imports_for_admins_only(request, admin_client, who):
    job = new_job(admin_client)
    client = request.getfixturevalue(who)
    for url in (
        "/admin/imports/",
        "/admin/imports/new",
        f"/admin/imports/{job.id}/mapping",
        f"/admin/imports/{job.id}/preview",
        f"/admin/imports/{job.id}",
        f"/admin/imports/{job.id}/records",
        f"/admin/imports/{job.id}/file",
        f"/admin/imports/{job.id}/revert",
    ):
        assert client.get(url).status_code == 403, url
    assert upload(client).status_code == 403
    assert client.post(f"/admin/imports/{job.id}/import").status_code == 403
    assert client.post(f"/admin/imports/{job.id}/revert").status_code == 403
    assert client.post(f"/admin/imports/{job.id}/discard").status_code == 403


def test_does_a_visitor_have_to_sign_in(client):
    response = client.get("/admin/imports/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_is_an_upload_without_a_csrf_token_refused(admin_client, csrf):
    response = upload(admin_client)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_is_a_revert_without_a_csrf_token_refused(admin_client, csrf):
    app = admin_client.application
    app.config["WTF_CSRF_ENABLED"] = False
    job = imported_job(admin_client)
    app.config["WTF_CSRF_ENABLED"] = True
    response = admin_client.post(f"/admin/imports/{job.id}/revert")
    assert response.status_code == 400
    db.session.refresh(job)
    assert job.state == "done"


# The log ---------------------------------------------------------------------------------------


def test_does_the_empty_log_say_what_import_is_for(admin_client):
    page = admin_client.get("/admin/imports/").get_data(as_text=True)
    assert "No imports yet" in page
    assert 'href="/admin/imports/new"' in page
    assert "<title>Import — Kanel</title>" in page


def test_is_import_in_the_admin_menu(admin_client):
    page = admin_client.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/admin/imports/"' in page
    mapping = admin_client.get("/admin/imports/new").get_data(as_text=True)
    assert re.search(r'href="/admin/imports/" aria-current="page">Import<', mapping)


def test_does_the_log_show_who_imported_what_and_its_state(admin_client):
    imported_job(admin_client)
    new_job(admin_client, name="contacts-later.csv")
    page = admin_client.get("/admin/imports/").get_data(as_text=True)
    assert "firms.csv" in page
    assert "contacts-later.csv" in page
    assert "Ada Admin" in page
    assert "Imported" in page
    assert "Uploaded" in page
    assert "3 created" in page
    assert "2 left out" in page
    assert "Revert…" in page
    assert "Map columns" in page


def test_does_the_log_run_the_same_queries_for_many_imports(app, admin_client):
    def count_queries():
        statements = []

        def listener(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert admin_client.get("/admin/imports/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    new_job(admin_client)
    few = count_queries()
    for _ in range(6):
        new_job(admin_client)
    assert count_queries() == few


# Upload ----------------------------------------------------------------------------------------


def test_does_the_upload_page_offer_the_four_kinds(admin_client):
    page = admin_client.get("/admin/imports/new").get_data(as_text=True)
    for kind in ("companies", "contacts", "deals", "activities"):
        assert f'value="{kind}"' in page
    assert "up to 50 MB" in page


def test_is_a_missing_file_refused_beside_the_field(admin_client):
    response = admin_client.post(
        "/admin/imports/new", data={"kind": "companies"}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Choose a file to import." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        ("", "empty.csv", "The file is empty."),
        ("Name;City\n", "header-only.csv", "The file has a header but no rows below it."),
        ("Name;Name\nA;B\n", "twice.csv", "appears more than once"),
        ("\xd0\xcf\x11\xe0 old excel", "old.xls", "the old Excel format (.xls)"),
    ],
)
def test_is_an_unreadable_file_refused_with_a_clear_message(admin_client, content, name, says):
    response = upload(admin_client, content, name=name)
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_does_an_upload_lead_to_the_mapping(admin_client):
    response = upload(admin_client)
    assert response.status_code == 303
    job = db.session.scalars(select(ImportJob)).one()
    assert response.headers["Location"].endswith(f"/admin/imports/{job.id}/mapping")
    assert job.kind == "companies"
    assert job.row_count == 5
    assert job.created_by.name == "Ada Admin"


def test_is_a_saved_mapping_of_another_kind_refused(admin_client):
    saved = ImportMapping(name="Contacts from Excel", kind="contacts", mapping={}, options={})
    db.session.add(saved)
    db.session.flush()
    response = upload(admin_client, mapping=str(saved.id))
    assert response.status_code == 422
    assert "maps a file of contacts" in response.get_data(as_text=True)


# Mapping ---------------------------------------------------------------------------------------


def test_does_the_mapping_show_samples_and_guesses(admin_client):
    job = new_job(admin_client)
    page = admin_client.get(f"/admin/imports/{job.id}/mapping").get_data(as_text=True)
    assert "Map the columns of firms.csv" in page
    assert "Vestjysk Maskinfabrik A/S" in page
    assert "Skjern" in page
    name_select = re.search(r'<select id="col-0" name="col-0".*?</select>', page, re.S)[0]
    assert re.search(r'<option value="name" selected>Name \(required\)', name_select)
    assert page.count(">guessed<") >= 4
    assert "Values of “Status”" in page  # a choice column gets its value mapping
    assert "Nothing is written to Kanel yet." in page


def test_does_changing_a_column_refresh_its_values_in_place(admin_client, hx):
    job = new_job(admin_client)
    form = mapping_form(job, action="refresh")
    form["col-3"] = ""  # Status: ignored
    response = admin_client.post(f"/admin/imports/{job.id}/mapping", data=form, headers=hx)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<html" not in text
    assert 'id="value-mapping"' in text
    assert "Values of “Status”" not in text
    assert 'id="mark-3" class="column-mark" hx-swap-oob="true"' in text
    assert "Kanel guessed: Customer status" in text
    db.session.refresh(job)
    assert job.mapping["columns"]["Status"] == ""


def test_is_a_mapping_without_the_name_refused(admin_client):
    job = new_job(admin_client)
    form = mapping_form(job)
    form["col-0"] = ""
    response = admin_client.post(f"/admin/imports/{job.id}/mapping", data=form)
    assert response.status_code == 422
    assert "Name is missing." in response.get_data(as_text=True)
    db.session.refresh(job)
    assert job.state == "uploaded"


def test_is_a_corrected_value_kept(admin_client):
    job = new_job(admin_client)
    lead = status("lead")
    form = mapping_form(job, action="refresh", **{"valtarget-3": "status"})
    form["val-3:Prospect"] = str(lead.id)
    admin_client.post(f"/admin/imports/{job.id}/mapping", data=form)
    db.session.refresh(job)
    assert job.mapping["values"]["Status"]["Prospect"] == str(lead.id)
    page = admin_client.get(f"/admin/imports/{job.id}/mapping").get_data(as_text=True)
    select_html = re.search(r'name="val-3:Prospect">.*?</select>', page, re.S)[0]
    assert f'<option value="{lead.id}" selected>' in select_html
    assert "changed by you" in page


def test_is_a_value_chosen_for_another_target_ignored(admin_client):
    job = new_job(admin_client)
    form = mapping_form(job, action="refresh", **{"valtarget-3": "owner"})
    form["val-3:Prospect"] = str(status("lead").id)
    admin_client.post(f"/admin/imports/{job.id}/mapping", data=form)
    db.session.refresh(job)
    assert "Status" not in job.mapping["values"]


def test_is_the_mapping_saved_under_a_name(admin_client):
    job = new_job(admin_client)
    admin_client.post(
        f"/admin/imports/{job.id}/mapping", data=mapping_form(job, save_as="Our firm list")
    )
    saved = db.session.scalars(select(ImportMapping)).one()
    assert (saved.name, saved.kind) == ("Our firm list", "companies")
    page = admin_client.get("/admin/imports/new").get_data(as_text=True)
    assert "Our firm list (Companies)" in page
    second = new_job(admin_client, mapping=str(saved.id))
    assert second.mapping_name == "Our firm list"
    delete = admin_client.post(f"/admin/imports/mappings/{saved.id}/delete")
    assert delete.status_code == 303
    assert db.session.scalar(select(func.count(ImportMapping.id))) == 0


# Preview ---------------------------------------------------------------------------------------


def test_does_checking_lead_to_the_preview(admin_client):
    job = new_job(admin_client)
    response = admin_client.post(f"/admin/imports/{job.id}/mapping", data=mapping_form(job))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/imports/{job.id}/preview")


def test_does_the_preview_show_totals_and_reasons(admin_client):
    job = checked_job(admin_client)
    page = admin_client.get(f"/admin/imports/{job.id}/preview").get_data(as_text=True)
    totals = re.search(r'<nav id="preview-totals".*?</nav>', page, re.S)[0]
    assert re.search(r"<strong>5</strong>\s*<span>All rows", totals)
    assert re.search(r"<strong>3</strong>\s*<span>Create", totals)
    assert re.search(r"<strong>2</strong>\s*<span>Errors", totals)
    assert "“12345678” is not a valid CVR number" in page
    assert "Duplicate of line 3 (same CVR number)." in page
    assert "2 rows have errors." in page
    assert "Import 3 rows…" in page
    assert "Nothing has been written yet." in page
    assert db.session.scalar(select(func.count(Company.id)).where(Company.cvr == CVR_A)) == 0


def test_does_the_preview_filter_rows_by_action(admin_client, hx):
    job = checked_job(admin_client)
    response = admin_client.get(f"/admin/imports/{job.id}/preview?show=error", headers=hx)
    text = response.get_data(as_text=True)
    assert "<html" not in text
    assert 'id="preview-rows"' in text
    assert "Nordlys Solenergi ApS" in text
    assert "Fynsk Kaffe Kopi ApS" in text
    assert "Vestjysk Maskinfabrik" not in text
    assert "Errors: lines 4–5 of 2 rows" in text


def test_does_the_preview_page_through_many_rows(admin_client):
    lines = ["Name;City"] + [f"Firma {n:03d} ApS;Aarhus" for n in range(1, 121)]
    job = checked_job(admin_client, "\n".join(lines) + "\n")
    first = admin_client.get(f"/admin/imports/{job.id}/preview").get_data(as_text=True)
    assert "All rows: lines 2–51 of 120 rows" in first
    assert "Page 1 of 3" in first
    assert "Firma 050 ApS" in first
    assert "Firma 051 ApS" not in first
    last = admin_client.get(f"/admin/imports/{job.id}/preview?page=3").get_data(as_text=True)
    assert "All rows: lines 102–121 of 120 rows" in last
    assert "Firma 120 ApS" in last
    assert "Firma 001 ApS" not in last
    beyond = admin_client.get(f"/admin/imports/{job.id}/preview?page=99").get_data(as_text=True)
    assert "Page 3 of 3" in beyond


def test_is_a_look_alike_decided_in_place(admin_client, hx):
    existing = make_company(name="Simonsens VVS A/S", city="Aabenraa")
    job = checked_job(admin_client)
    row = db.session.scalars(
        select(ImportRow).where(ImportRow.job_id == job.id, ImportRow.candidate_id.is_not(None))
    ).one()
    assert row.candidate_id == existing.id
    assert row.action == "create"
    page = admin_client.get(f"/admin/imports/{job.id}/preview?show=alike").get_data(as_text=True)
    assert "Is this" in page
    assert "Same company — update it" in page
    assert "1 row looks like a company Kanel already has." in page
    response = admin_client.post(
        f"/admin/imports/{job.id}/rows/{row.id}/decision", data={"decision": "same"}, headers=hx
    )
    text = response.get_data(as_text=True)
    assert re.search(rf'<template>\s*<tr id="row-{row.id}" [^>]*hx-swap-oob="true">', text)
    assert 'aria-pressed="true">Same company — update it' in text
    totals = re.search(r'<nav id="preview-totals"[^>]*>', text)[0]
    assert 'hx-swap-oob="true"' in totals
    assert re.search(r"<strong>1</strong>\s*<span>Update", text)
    db.session.refresh(row)
    assert (row.decision, row.action, row.match_id) == ("same", "update", existing.id)


def test_does_deciding_without_javascript_return_to_the_row(admin_client):
    make_company(name="Simonsens VVS A/S", city="Aabenraa")
    job = checked_job(admin_client)
    row = db.session.scalars(
        select(ImportRow).where(ImportRow.job_id == job.id, ImportRow.candidate_id.is_not(None))
    ).one()
    response = admin_client.post(
        f"/admin/imports/{job.id}/rows/{row.id}/decision",
        data={"decision": "new", "show": "alike", "page": "1"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"preview?show=alike&page=1#row-{row.id}")


def test_are_all_open_look_alikes_decided_at_once(admin_client):
    make_company(name="Simonsens VVS A/S")
    make_company(name="Fynske Kaffe ApS")
    job = checked_job(admin_client)
    response = admin_client.post(f"/admin/imports/{job.id}/decisions", data={"decision": "new"})
    assert response.status_code == 303
    decisions = db.session.scalars(
        select(ImportRow.decision).where(
            ImportRow.job_id == job.id, ImportRow.candidate_id.is_not(None)
        )
    ).all()
    assert decisions
    assert set(decisions) == {"new"}


# Import, progress, result ----------------------------------------------------------------------


def test_does_the_confirmation_say_what_will_happen(admin_client):
    job = checked_job(admin_client)
    page = admin_client.get(f"/admin/imports/{job.id}/import").get_data(as_text=True)
    assert "Import firms.csv?" in page
    assert "Kanel creates 3 and updates 0 companies." in page
    assert "Leave out the 2 rows with errors and import the rest" in page


def test_is_an_import_with_errors_refused_unless_they_are_left_out(admin_client):
    job = checked_job(admin_client)
    response = admin_client.post(f"/admin/imports/{job.id}/import", data={})
    assert response.status_code == 409
    assert "2 rows have errors." in response.get_data(as_text=True)
    db.session.refresh(job)
    assert job.state == "planned"
    assert db.session.scalar(select(func.count(Company.id)).where(Company.cvr == CVR_A)) == 0


def test_does_an_import_write_the_companies_and_show_the_result(admin_client):
    job = checked_job(admin_client)
    response = admin_client.post(f"/admin/imports/{job.id}/import", data={"skip_errors": "y"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/imports/{job.id}")
    names = set(db.session.scalars(select(Company.name).where(Company.city == "Skjern")))
    assert names == {"Vestjysk Maskinfabrik A/S"}
    page = admin_client.get(f"/admin/imports/{job.id}").get_data(as_text=True)
    assert "<title>Imported firms.csv — Kanel</title>" in page
    assert "3 created · 2 left out" in page
    assert "2 rows with errors were left out." in page
    assert "See the imported companies" in page
    assert "Revert this import…" in page


def test_does_the_records_page_link_to_the_imported_companies(admin_client):
    job = imported_job(admin_client)
    page = admin_client.get(f"/admin/imports/{job.id}/records").get_data(as_text=True)
    company = db.session.scalar(select(Company).where(Company.cvr == CVR_A))
    assert f'href="/customers/{company.id}">Vestjysk Maskinfabrik A/S</a>' in page
    assert "Companies: 3 created, 0 updated" in page


def test_does_the_progress_page_poll_while_the_check_runs(admin_client, hx):
    job = new_job(admin_client)
    job.state, job.progress_total, job.progress_done = "planning", 200, 50
    job.started_at = job.heartbeat_at = job.created_at
    db.session.flush()
    page = admin_client.get(f"/admin/imports/{job.id}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page
    assert "Checking every row…" in page
    assert "50 of 200 rows" in page
    assert "25 %" in page
    poll = admin_client.get(f"/admin/imports/{job.id}", headers=hx)
    assert "<html" not in poll.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in poll.get_data(as_text=True)
    job.state = "planned"
    db.session.flush()
    done = admin_client.get(f"/admin/imports/{job.id}", headers=hx)
    assert f"/admin/imports/{job.id}/preview" in done.headers["HX-Location"]
    assert "every 1s" not in done.get_data(as_text=True)


def test_is_a_job_whose_process_died_shown_as_failed(admin_client):
    from datetime import timedelta

    job = new_job(admin_client)
    job.state = "importing"
    job.started_at = job.heartbeat_at = job.created_at - timedelta(hours=1)
    db.session.flush()
    page = admin_client.get(f"/admin/imports/{job.id}").get_data(as_text=True)
    assert "every 1s" not in page
    assert "Nothing was changed in Kanel." in page
    assert "Back to the mapping" in page


def test_does_a_failed_import_show_its_reason(admin_client):
    job = new_job(admin_client)
    job.state = "failed"
    job.message = service.message("failed", error="disk full")
    db.session.flush()
    page = admin_client.get(f"/admin/imports/{job.id}").get_data(as_text=True)
    assert "The import failed and nothing was changed: disk full" in page
    log = admin_client.get("/admin/imports/").get_data(as_text=True)
    assert "Failed" in log


def test_is_the_uploaded_file_downloadable(admin_client):
    job = new_job(admin_client)
    response = admin_client.get(f"/admin/imports/{job.id}/file")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == COMPANIES_CSV
    assert "firms.csv" in response.headers["Content-Disposition"]


# Revert and discard ----------------------------------------------------------------------------


def test_does_the_revert_confirmation_say_what_it_undoes(admin_client, hx):
    job = imported_job(admin_client)
    page = admin_client.get(f"/admin/imports/{job.id}/revert").get_data(as_text=True)
    assert "Revert the import of firms.csv?" in page
    assert "<strong>Companies:</strong> deletes the 3 it created." in page
    dialog = admin_client.get(f"/admin/imports/{job.id}/revert", headers=hx)
    text = dialog.get_data(as_text=True)
    assert "<html" not in text
    assert "<dialog" in text
    assert "data-modal" in text


def test_does_a_revert_remove_what_the_import_created(admin_client):
    job = imported_job(admin_client)
    response = admin_client.post(f"/admin/imports/{job.id}/revert")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/imports/")
    assert db.session.scalar(select(func.count(Company.id)).where(Company.cvr == CVR_A)) == 0
    db.session.refresh(job)
    assert job.state == "reverted"
    log = admin_client.get("/admin/imports/", follow_redirects=True).get_data(as_text=True)
    assert "Reverted the import of firms.csv: 3 records removed or put back." in log
    assert "Revert…" not in log


def test_is_a_revert_refused_after_a_record_was_edited(admin_client):
    job = imported_job(admin_client)
    company = db.session.scalar(select(Company).where(Company.cvr == CVR_A))
    from webapp.services.companies import update_company

    update_company(company, {"city": "Ringkøbing"}, admin_client.user, company.version)
    db.session.commit()  # as the edit's own request does
    db.session.refresh(company)
    assert company.city == "Ringkøbing"
    page = admin_client.get(f"/admin/imports/{job.id}").get_data(as_text=True)
    assert "This import can no longer be reverted:" in page
    assert "Revert this import…" not in page
    response = admin_client.post(f"/admin/imports/{job.id}/revert")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "cannot be reverted any more" in text
    assert "were changed after the import" in text
    db.session.refresh(job)
    assert job.state == "done"
    assert db.session.get(Company, company.id) is not None


def test_is_an_unused_upload_discarded(admin_client):
    job = new_job(admin_client)
    response = admin_client.post(f"/admin/imports/{job.id}/discard")
    assert response.status_code == 303
    assert db.session.get(ImportJob, job.id) is None
    page = admin_client.get("/admin/imports/").get_data(as_text=True)
    assert "Discarded firms.csv." in page


def test_is_a_done_import_not_discarded(admin_client):
    job = imported_job(admin_client)
    admin_client.post(f"/admin/imports/{job.id}/discard")
    assert db.session.get(ImportJob, job.id) is not None


# Language --------------------------------------------------------------------------------------


def test_does_a_danish_admin_see_the_import_in_danish(login_as):
    client = login_as("admin", language="da")
    page = client.get("/admin/imports/").get_data(as_text=True)
    assert "Ingen importer endnu" in page
    job = new_job(client)
    mapping = client.get(f"/admin/imports/{job.id}/mapping").get_data(as_text=True)
    assert "Kortlæg kolonnerne i firms.csv" in mapping
    assert "Kontrollér filen" in mapping


def test_are_the_rows_with_errors_downloadable(admin_client):
    job = checked_job(admin_client)
    page = admin_client.get(f"/admin/imports/{job.id}/preview").get_data(as_text=True)
    assert f'href="/admin/imports/{job.id}/errors.csv"' in page
    response = admin_client.get(f"/admin/imports/{job.id}/errors.csv")
    assert response.status_code == 200
    assert "firms-errors.csv" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "Line;Record;What Kanel found"
    assert lines[1].startswith("4;Nordlys Solenergi ApS;CVR: “12345678” is not a valid CVR")
    assert lines[2].startswith("5;Fynsk Kaffe Kopi ApS;")
    assert len(lines) == 3


def test_does_an_unknown_owner_point_to_the_users_page(admin_client):
    job = new_job(admin_client, "Name;Owner\nFirma A ApS;Nobody Known\n")
    page = admin_client.get(f"/admin/imports/{job.id}/mapping").get_data(as_text=True)
    assert "Values of “Owner”" in page
    assert (
        'href="/admin/users" target="_blank" rel="noopener">add the missing people as users' in page
    )


def test_is_an_unmatched_value_an_error_until_chosen(admin_client):
    job = new_job(admin_client, "Name;Owner\nFirma A ApS;Nobody Known\n")
    page = admin_client.get(f"/admin/imports/{job.id}/mapping").get_data(as_text=True)
    select_html = re.search(r'name="val-1:Nobody Known".*?</select>', page, re.S)[0]
    assert '<option value="?" selected>— choose —</option>' in select_html
    assert "until you choose, its rows are errors" in page
    # Left open: the row is an error.
    form = mapping_form(job, **{"valtarget-1": "owner", "val-1:Nobody Known": "?"})
    admin_client.post(f"/admin/imports/{job.id}/mapping", data=form)
    db.session.refresh(job)
    assert db.session.scalars(select(ImportRow.action).where(ImportRow.job_id == job.id)).all() == [
        "error"
    ]
    # "No value" on purpose: imported without an owner, with a warning.
    form = mapping_form(job, **{"valtarget-1": "owner", "val-1:Nobody Known": ""})
    admin_client.post(f"/admin/imports/{job.id}/mapping", data=form)
    row = db.session.scalars(select(ImportRow).where(ImportRow.job_id == job.id)).one()
    assert (row.action, row.has_warning) == ("create", True)
    page = admin_client.get(f"/admin/imports/{job.id}/mapping").get_data(as_text=True)
    assert "— choose —" not in page


def test_does_the_preview_find_rows_by_name(admin_client, hx):
    lines = ["Name;City"] + [f"Firma {n:03d} ApS;Aarhus" for n in range(1, 121)]
    job = checked_job(admin_client, "\n".join(lines) + "\n")
    response = admin_client.get(f"/admin/imports/{job.id}/preview?q=firma+11", headers=hx)
    text = response.get_data(as_text=True)
    assert "All rows matching “firma 11”: lines 111–120 of 10 rows" in text
    assert "Firma 110 ApS" in text
    assert "Firma 120 ApS" not in text
    none = admin_client.get(f"/admin/imports/{job.id}/preview?q=nobody&show=error")
    assert "Errors matching “nobody”: no rows." in none.get_data(as_text=True)


def test_is_a_file_over_the_request_limit_refused_on_the_upload_page(
    app, admin_client, hx, monkeypatch
):
    assert app.config["MAX_CONTENT_LENGTH"] == 55 * 1024 * 1024
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    big = "Name;City\n" + "Stor Fil ApS;Vejle\n" * 200
    response = upload(admin_client, big, name="big.csv")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is too large: Kanel imports files up to 50 MB." in page
    assert 'id="upload-form"' in page
    response = admin_client.post(
        "/admin/imports/new",
        data={"kind": "companies", "file": (io.BytesIO(big.encode()), "big.csv")},
        content_type="multipart/form-data",
        headers=hx,
    )
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_does_an_employee_get_no_upload_page_for_a_large_request(app, employee_client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    response = employee_client.post("/admin/imports/new", data={"kind": "x" * 500})
    assert response.status_code in (403, 413)
    assert "upload-form" not in response.get_data(as_text=True)


def test_does_the_preview_find_deals_by_their_company_name(admin_client, hx):
    make_company("Skovgaard Tømrer ApS")
    make_company("Havnens Fisk A/S")
    content = (
        "Company;Title;Value\n"
        "Skovgaard Tømrer ApS;Nyt tag;1000\n"
        "Havnens Fisk A/S;Kølerum;2000\n"
        "Skovgaard Tømrer ApS;Carport;500\n"
    )
    job = new_job(admin_client, content, kind="deals")
    response = admin_client.post(f"/admin/imports/{job.id}/mapping", data=mapping_form(job))
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.refresh(job)
    assert job.state == "planned", job.message
    text = admin_client.get(f"/admin/imports/{job.id}/preview?q=skovgaard", headers=hx).get_data(
        as_text=True
    )
    assert "Nyt tag" in text
    assert "Carport" in text
    assert "Kølerum" not in text
