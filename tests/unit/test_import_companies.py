"""Importing companies: plan (dry run), apply all or nothing, matching, dedupe, revert."""

from sqlalchemy import func, select

from tests.factories import make_user, status
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Company
from webapp.models.imports import ImportRow
from webapp.services import imports


def run(kind, text, user, columns=None, values=None, encoding="utf-8", name="file.csv", **options):
    """Upload, map, plan; return the job (planned)."""
    data = text.encode(encoding) if isinstance(text, str) else text
    job = imports.create_job(kind, name, data, user)
    mapping = dict(job.mapping["columns"])
    mapping.update(columns or {})
    imports.set_mapping(job, mapping, values or {}, options or None)
    imports.start_plan(job)
    return job


def rows_of(job):
    return {
        r.line: r for r in db.session.scalars(select(ImportRow).where(ImportRow.job_id == job.id))
    }


def reasons(row):
    return [r["id"] for r in row.reasons]


CSV = (
    "Firmanavn;CVR-nr.;Postnr.;By;Hjemmeside;Ansatte;Status\n"
    "Nordlys ApS;10000157;8000;Aarhus;www.nordlys.dk;12;Kunde\n"
    "Fjordvind A/S;;5000;Odense;fjordvind.dk;1.250;Emne\n"
)


def test_does_a_danish_file_plan_and_import_with_guessed_columns():
    admin = make_user("admin")
    job = run(
        "companies",
        CSV,
        admin,
        values={
            "Status": {"Kunde": str(status("customer").id), "Emne": str(status("prospect").id)}
        },
    )
    assert job.state == "planned", job.message
    assert job.mapping["columns"]["Firmanavn"] == "name"
    assert job.mapping["columns"]["CVR-nr."] == "cvr"
    assert job.counts["company"]["create"] == 2
    assert (
        db.session.scalar(
            select(func.count()).select_from(Company).where(Company.name == "Nordlys ApS")
        )
        == 0
    )
    imports.start_apply(job, admin)
    assert job.state == "done", job.message
    nordlys = db.session.scalar(select(Company).where(Company.name == "Nordlys ApS"))
    assert nordlys.cvr == "10000157"
    assert nordlys.status.key == "customer"
    assert nordlys.website_domain == "nordlys.dk"
    fjord = db.session.scalar(select(Company).where(Company.name == "Fjordvind A/S"))
    assert fjord.employees == 1250
    history = db.session.scalar(select(Change).where(Change.company_id == nordlys.id))
    assert history.field == "import"
    assert "file.csv" in history.new


def test_does_revert_remove_what_the_import_created():
    admin = make_user("admin")
    job = run(
        "companies",
        CSV,
        admin,
        values={
            "Status": {"Kunde": str(status("customer").id), "Emne": str(status("prospect").id)}
        },
    )
    imports.start_apply(job, admin)
    assert imports.revert_blockers(job) == []
    imports.revert_import(job, admin)
    assert job.state == "reverted"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Company)
            .where(Company.name.in_(["Nordlys ApS", "Fjordvind A/S"]))
        )
        == 0
    )


def test_does_a_look_alike_decided_same_company_keep_its_name_in_kanel():
    from tests.factories import make_company

    admin = make_user("admin")
    existing = make_company("Nordlys Solenergi ApS", city="Aarhus")
    job = run("companies", "Firmanavn;By\nNordlys Solenrgi ApS;Aalborg\n", admin)
    row = next(iter(rows_of(job).values()))
    assert row.candidate_id == existing.id
    imports.set_decision(row, "same")
    imports.start_apply(job, admin)
    assert job.state == "done", imports.message_text(job.message)
    db.session.refresh(existing)
    assert (existing.name, existing.city) == ("Nordlys Solenergi ApS", "Aalborg")
    assert (
        db.session.scalar(
            select(func.count()).select_from(Company).where(Company.name.like("Nordlys Solen%"))
        )
        == 1
    )
