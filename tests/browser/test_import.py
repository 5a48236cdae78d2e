"""The whole import in a real browser: upload, map, check, decide, import, progress, revert."""

import re
import uuid

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in

# Valid CVR numbers (mod 11) that no other browser test uses.
CVR_A, CVR_B = "26616417", "50234045"


def import_state(live_app, filename):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models.imports import ImportJob

    with live_app.app_context():
        job = db.session.scalars(select(ImportJob).where(ImportJob.filename == filename)).one()
        return job.id, job.state


def company_names(live_app, suffix):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models.customer import Company

    with live_app.app_context():
        return set(db.session.scalars(select(Company.name).where(Company.name.like(f"%{suffix}"))))


def company_name(live_app, company_id):
    from webapp.extensions import db
    from webapp.models.customer import Company

    with live_app.app_context():
        return db.session.get(Company, company_id).name


def test_does_a_file_go_from_upload_to_import_and_back(
    page, live_app, live_user, live_company, monkeypatch
):
    # The check and the import run in a background thread, as in production.
    monkeypatch.setitem(live_app.config, "IMPORT_INLINE", False)
    tag = uuid.uuid4().hex[:6]
    filename = f"firmaer-{tag}.csv"
    existing_id = live_company(name=f"Simonsens VVS {tag}", city="Aabenraa")
    csv = (
        "Firmanavn;CVR-nr.;By;Status;Bemærkning\n"
        f"Vestjysk Maskinfabrik {tag};{CVR_A};Skjern;Customer;ny kunde\n"
        f"Fynsk Kaffe {tag};{CVR_B};Odense;Prospect;\n"
        f"Nordlys Solenergi {tag};12345678;Frederikshavn;Prospect;\n"
        f"Simonsen VVS {tag};;Aabenraa;Lead;\n"
    )
    email = live_user(name="Anna Admin", role="admin")
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anna Admin")

    # Upload
    page.goto("/admin/imports/")
    page.get_by_role("link", name="Import a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a file")
    page.get_by_label("Companies").check()
    page.get_by_label("File").set_input_files(
        {"name": filename, "mimeType": "text/csv", "buffer": csv.encode("cp1252")}
    )
    page.get_by_role("button", name="Upload and map the columns").click()

    # Mapping: guessed from the Danish headers; a changed column refreshes its values in place
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Map the columns of {filename}")
    expect(page.get_by_label("Firmanavn")).to_have_value("name")
    expect(page.get_by_label("CVR-nr.")).to_have_value("cvr")
    expect(page.locator("#value-mapping")).to_contain_text("Values of “Status”")
    page.get_by_label("Status", exact=True).select_option("")
    expect(page.locator("#value-mapping")).not_to_contain_text("Values of “Status”")
    expect(page.locator("#mark-3")).to_contain_text("Kanel guessed: Customer status")
    page.get_by_label("Status", exact=True).select_option("status")
    expect(page.locator("#value-mapping")).to_contain_text("Values of “Status”")
    assert page.url.endswith("/mapping")
    page.get_by_role("button", name="Check the file").click()

    # Preview: totals, reasons, and a look-alike decided in place
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Check of {filename}")
    totals = page.get_by_role("navigation", name="Rows by what Kanel will do")
    expect(totals).to_contain_text("3\nCreate")
    expect(totals).to_contain_text("1\nErrors")
    expect(page.locator("#preview-rows")).to_contain_text("“12345678” is not a valid CVR number")
    page.get_by_role("link", name=re.compile("Look-alikes")).click()
    expect(page.locator("#preview-rows")).to_contain_text(f"Simonsens VVS {tag}")
    page.get_by_role("button", name="Same company — update it").click()
    expect(page.get_by_role("button", name="Same company — update it")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(totals).to_contain_text("1\nUpdate")
    expect(totals).to_contain_text("2\nCreate")

    # Import: the dialog asks about the row with an error, then progress, then the result
    shown = []
    page.on("request", lambda request: shown.append(request.url))
    page.get_by_role("link", name="Import 3 rows…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Kanel creates 2 and updates 1 companies.")
    dialog.get_by_label("Leave out the 1 row with an error and import the rest").check()
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Imported {filename}")
    expect(page.locator(".import-result")).to_contain_text("2 created · 1 updated · 1 left out")
    job_id, state = import_state(live_app, filename)
    assert state == "done"
    assert any(url.endswith(f"/admin/imports/{job_id}") for url in shown)  # the progress page
    # The look-alike was updated from the file but kept its own name (the user said it is
    # the same company, not that its name was misspelt); the others were created.
    assert company_names(live_app, tag) == {
        f"Vestjysk Maskinfabrik {tag}",
        f"Fynsk Kaffe {tag}",
        f"Simonsens VVS {tag}",
    }
    page.get_by_role("link", name="See the imported companies").click()
    expect(page.locator("#record-rows")).to_contain_text(f"Fynsk Kaffe {tag}")
    page.get_by_role("link", name="Back to the import").click()

    # Revert, confirmed in a dialog
    page.get_by_role("link", name="Revert this import…").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Companies: deletes the 2 it created.")
    expect(dialog).to_contain_text("Companies: puts back the earlier values of the 1 it changed.")
    dialog.get_by_role("button", name="Revert the import").click()
    expect(page.get_by_role("status")).to_contain_text(f"Reverted the import of {filename}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import")
    assert import_state(live_app, filename) == (job_id, "reverted")
    # Created companies gone; the updated one has its earlier values back.
    assert company_names(live_app, tag) == {f"Simonsens VVS {tag}"}
    assert company_name(live_app, existing_id) == f"Simonsens VVS {tag}"
