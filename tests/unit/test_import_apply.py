"""Applying an import: all or nothing, history, revert (and when it is refused), saved
mappings, contacts, deals and activities, the command line."""

import pytest
from sqlalchemy import func, select

from tests.factories import group, make_company, make_contact, make_user, status
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.customer import Company, Contact
from webapp.models.group import GroupValue
from webapp.models.imports import ImportJob, ImportRecord
from webapp.models.pipeline import Deal, StageChange
from webapp.services import imports
from webapp.services.companies import update_company


def run(kind, text, user, columns=None, values=None, apply=True, **options):
    job = imports.create_job(kind, f"{kind}.csv", text.encode(), user)
    mapping = dict(job.mapping["columns"])
    mapping.update(columns or {})
    imports.set_mapping(job, mapping, values or {}, options or None)
    imports.start_plan(job)
    assert job.state == "planned", imports.message_text(job.message)
    if apply:
        imports.start_apply(job, user)
    return job


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def companies_csv(n, start=0):
    lines = ["Firmanavn;By;Ansatte"]
    lines += [f"Importfirma {i} ApS;Vejle;{i}" for i in range(start, start + n)]
    return "\n".join(lines) + "\n"


def test_does_a_failure_in_the_middle_change_nothing(monkeypatch):
    admin = make_user("admin")
    before = count(Company)
    job = run("companies", companies_csv(1000), admin, apply=False)
    from webapp.services.imports import apply as apply_module

    real = apply_module.Writer.flush_bookkeeping

    def broken(self):
        real(self)
        raise RuntimeError("disk full at row 500")

    monkeypatch.setattr(apply_module.Writer, "flush_bookkeeping", broken)
    imports.start_apply(job, admin)
    assert job.state == "failed"
    assert "disk full at row 500" in imports.message_text(job.message)
    assert count(Company) == before
    assert count(ImportRecord, ImportRecord.job_id == job.id) == 0
    assert count(Change, Change.field == "import") == 0


def test_does_an_error_block_the_import_unless_errors_are_skipped():
    admin = make_user("admin")
    text = "Firmanavn;CVR\nGod ApS;10000157\nDårlig ApS;123\n"
    job = run("companies", text, admin, apply=False)
    with pytest.raises(imports.ImportStateError) as refused:
        imports.start_apply(job, admin)
    assert refused.value.reason["id"] == "errors_block"
    imports.start_apply(job, admin, skip_errors=True)
    assert job.state == "done"
    assert count(Company, Company.name == "God ApS") == 1
    assert count(Company, Company.name == "Dårlig ApS") == 0


def test_does_an_update_record_history_and_revert_put_the_old_values_back():
    admin = make_user("admin")
    company = make_company("Opdateres ApS", city="Vejle", employees=5, version=1)
    lead_source = group("lead_source")
    label = lead_source.options[0].label
    text = f"Firmanavn;By;Ansatte;Leadkilde\nOpdateres ApS;Kolding;50;{label}\n"
    job = run("companies", text, admin, columns={"Leadkilde": f"group:{lead_source.id}"})
    assert job.state == "done", imports.message_text(job.message)
    db.session.refresh(company)
    assert (company.city, company.employees, company.version) == ("Kolding", 50, 2)
    fields = set(db.session.scalars(select(Change.field).where(Change.company_id == company.id)))
    assert {"import", "city", "employees", f"group:{lead_source.id}"} <= fields
    assert count(GroupValue, GroupValue.company_id == company.id) == 1
    imports.revert_import(job, admin)
    db.session.refresh(company)
    assert (company.city, company.employees) == ("Vejle", 5)
    assert count(GroupValue, GroupValue.company_id == company.id) == 0
    assert job.state == "reverted"


def test_is_revert_refused_after_someone_edited_an_imported_record():
    admin = make_user("admin")
    job = run("companies", companies_csv(3), admin)
    company = db.session.scalar(select(Company).where(Company.name == "Importfirma 1 ApS"))
    update_company(company, {"city": "Horsens"}, admin, company.version)
    blockers = imports.revert_blockers(job)
    assert [b["id"] for b in blockers] == ["edited_since"]
    assert "Importfirma 1 ApS" in imports.message_text(blockers[0])
    with pytest.raises(imports.ImportStateError):
        imports.revert_import(job, admin)
    assert count(Company, Company.name.like("Importfirma %")) == 3


def test_is_revert_refused_when_an_imported_company_got_an_activity_from_elsewhere():
    admin = make_user("admin")
    job = run("companies", companies_csv(2), admin)
    company = db.session.scalar(select(Company).where(Company.name == "Importfirma 0 ApS"))
    db.session.add(Activity(company_id=company.id, kind="note", subject="Hej", author_id=admin.id))
    db.session.flush()
    assert [b["id"] for b in imports.revert_blockers(job)] == ["used_since"]


def test_is_an_apply_refused_when_a_matched_record_changed_after_the_preview():
    admin = make_user("admin")
    company = make_company("Ændres Imens ApS", city="Vejle")
    job = run("companies", "Firmanavn;By\nÆndres Imens ApS;Kolding\n", admin, apply=False)
    update_company(company, {"city": "Horsens"}, admin, company.version)
    imports.start_apply(job, admin)
    assert job.state == "failed"
    assert job.message["id"] == "stale"
    db.session.refresh(company)
    assert company.city == "Horsens"


def test_is_a_saved_mapping_reused_for_the_next_file():
    admin = make_user("admin")
    text = "Kunde;Sted;Status\nGemt ApS;Vejle;Kunde\n"
    job = imports.create_job("companies", "a.csv", text.encode(), admin)
    customer = str(status("customer").id)
    imports.set_mapping(job, {"Kunde": "name", "Sted": "city", "Status": "status"},
                        {"Status": {"Kunde": customer}}, {"update_existing": False})  # fmt: skip
    saved = imports.save_mapping(job, "Fra gammelt system", admin)
    assert imports.saved_mappings("companies") == [saved]
    again = imports.create_job("companies", "b.csv", text.encode(), admin, mapping=saved)
    assert again.mapping["columns"] == {"Kunde": "name", "Sted": "city", "Status": "status"}
    assert again.mapping["values"] == {"Status": {"Kunde": customer}}
    assert again.options["update_existing"] is False
    assert again.mapping_name == "Fra gammelt system"


def test_do_contacts_deals_and_activities_import_and_revert():
    admin = make_user("admin")
    seller = make_user("employee", name="Sofie Sælger", email="sofie@kanel.example")
    company = make_company("Kæde ApS", cvr="10000157")
    old = make_contact(company, "Gammel", "Kontakt", email="gammel@kaede.dk")
    contacts = run(
        "contacts",
        "Virksomhed;Fornavn;Efternavn;E-mail\nKæde ApS;Nina;Ny;nina@kaede.dk\n",
        admin,
    )
    assert contacts.state == "done"
    nina = db.session.scalar(select(Contact).where(Contact.email == "nina@kaede.dk"))
    assert nina.company_id == company.id
    deals = run(
        "deals",
        "CVR;Titel;Beløb;Fase;Ejer;Lukket\n"
        "10000157;Stor aftale;1.234.567,50;Vundet;sofie@kanel.example;31-12-2026\n"
        "10000157;Lille aftale;500;Tilbud;Sofie Sælger;\n",
        admin,
    )
    assert deals.state == "done", imports.message_text(deals.message)
    won = db.session.scalar(select(Deal).where(Deal.title == "Stor aftale"))
    assert (won.outcome, str(won.value), won.owner_id, won.source) == (
        "won", "1234567.50", seller.id, "import",
    )  # fmt: skip
    assert won.closed_at.isoformat() == "2026-12-31"
    assert count(StageChange, StageChange.deal_id == won.id, StageChange.via == "import") == 2
    open_deal = db.session.scalar(select(Deal).where(Deal.title == "Lille aftale"))
    assert open_deal.stage.key == "proposal"
    activities = run(
        "activities",
        "Virksomhed;Type;Dato;Emne;Referat;Kontakt\n"
        "Kæde ApS;Møde;31.12.2026;Årsmøde;Gik godt;gammel@kaede.dk\n",
        admin,
    )
    assert activities.state == "done", imports.message_text(activities.message)
    meeting = db.session.scalar(select(Activity).where(Activity.subject == "Årsmøde"))
    assert (meeting.kind, meeting.contact_id, meeting.body) == ("meeting", old.id, "Gik godt")
    for job in (activities, deals, contacts):
        assert imports.revert_blockers(job) == []
        imports.revert_import(job, admin)
    assert count(Deal, Deal.company_id == company.id) == 0
    assert count(Contact, Contact.company_id == company.id) == 1
    assert count(Activity, Activity.company_id == company.id) == 0


def test_does_the_command_line_import_and_refuse_a_file_with_errors(app, tmp_path):
    make_user("admin", email="ops@kanel.example")
    good = tmp_path / "firmaer.csv"
    good.write_text("Firmanavn;Postnr.;By\nKommando ApS;7100;Vejle\n", encoding="utf-8-sig")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", str(good), "--kind", "companies", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "create 1" in result.output
    assert count(Company, Company.name == "Kommando ApS") == 0
    result = runner.invoke(args=["import", str(good), "--kind", "companies", "--as",
                                 "ops@kanel.example"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert count(Company, Company.name == "Kommando ApS") == 1
    bad = tmp_path / "fejl.csv"
    bad.write_text("Firmanavn;CVR\nFejl ApS;123\nGod ApS;10000130\n", encoding="cp1252")
    result = runner.invoke(args=["import", str(bad), "--kind", "companies"])
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert count(Company, Company.name == "God ApS") == 0
    result = runner.invoke(args=["import", str(bad), "--kind", "companies", "--skip-errors"])
    assert result.exit_code == 0, result.output
    assert count(Company, Company.name == "God ApS") == 1
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    result = runner.invoke(args=["import", str(empty), "--kind", "companies"])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_is_a_job_whose_process_died_shown_as_failed():
    from datetime import timedelta

    from webapp.models.user import utcnow

    admin = make_user("admin")
    job = imports.create_job("companies", "x.csv", b"Navn\nA\n", admin)
    job.state = "planning"
    job.heartbeat_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    assert imports.effective_state(job) == "failed"
    assert imports.expire_dead_jobs() == 1
    assert job.state == "failed"
    assert job.message["id"] == "died"
    assert count(ImportJob, ImportJob.state == "planning") == 0
