"""The dry run's verdict per row: each error class, Danish values, dedupe, near-duplicates."""

from sqlalchemy import func, select

from tests.factories import group, make_company, make_contact, make_user, option, status
from webapp.extensions import db
from webapp.models.customer import Company, Contact
from webapp.models.group import GroupOption
from webapp.models.imports import ImportRow
from webapp.services import imports


def plan(kind, text, user=None, columns=None, values=None, **options):
    user = user or make_user("admin")
    job = imports.create_job(kind, "rows.csv", text.encode(), user)
    mapping = dict(job.mapping["columns"])
    mapping.update(columns or {})
    imports.set_mapping(job, mapping, values or {}, options or None)
    imports.start_plan(job)
    assert job.state == "planned", imports.message_text(job.message)
    return job


def by_line(job):
    rows = db.session.scalars(select(ImportRow).where(ImportRow.job_id == job.id))
    return {r.line: r for r in rows}


def ids(row, level="error"):
    return [r["id"] for r in row.reasons if r["level"] == level]


def test_does_each_kind_of_bad_value_make_an_error_with_its_reason():
    text = (
        "Firmanavn;CVR;E-mail;Ansatte;Status;Ejer\n"
        "God ApS;10000157;info@god.dk;12;Prospect;\n"  # 2: fine
        "Forkert CVR ApS;12345678;;;;\n"  # 3
        "Forkert mail ApS;;ikke en mail;;;\n"  # 4
        "Forkert tal ApS;;;mange;;\n"  # 5
        "Ukendt status ApS;;;;Måske;\n"  # 6
        "Ukendt ejer ApS;;;;;nobody@example.com\n"  # 7
        ";;;;;\n"  # blank line: left out
        ";10000130;;;;\n"  # 9: no name
    )
    job = plan("companies", text)
    rows = by_line(job)
    assert rows[2].action == "create"
    assert ids(rows[3]) == ["bad_cvr"]
    assert ids(rows[4]) == ["bad_email"]
    assert ids(rows[5]) == ["bad_whole_number"]
    assert ids(rows[6]) == ["unknown_status"]
    assert ids(rows[7]) == ["unknown_owner"]
    assert ids(rows[9]) == ["required"]
    assert job.counts["company"]["error"] == 6
    text_of = imports.message_text(rows[3].reasons[0])
    assert "12345678" in text_of
    assert "CVR" in text_of


def test_does_the_reason_show_in_the_readers_language():
    job = plan("companies", "Firmanavn;CVR\nX ApS;123\n")
    reason = by_line(job)[2].reasons[0]
    from flask_babel import force_locale

    with force_locale("da"):
        danish = imports.message_text(reason)
    assert "CVR-nummer" in danish
    assert "123" in danish


def test_are_danish_numbers_dates_and_countries_read():
    lead = db.session.scalar(select(func.min(GroupOption.id)))
    assert lead is not None
    text = "Firmanavn;Land;Ansatte;Hjemmeside\nNorsk AS;Norge;1.250;https://www.norsk.no/\n"
    job = plan("companies", text)
    row = by_line(job)[2]
    assert row.action == "create"
    assert row.fields["country"] == "NO"
    assert row.fields["employees"] == 1250
    assert row.fields["website_domain"] == "norsk.no"


def test_is_a_second_row_with_the_same_cvr_or_email_an_error_naming_the_first():
    job = plan("companies", "Navn;CVR\nA ApS;10000157\nB ApS;10000157\n")
    row = by_line(job)[3]
    assert ids(row) == ["duplicate_in_file"]
    assert row.reasons[0]["params"]["line"] == 2
    company = make_company("Kontakt ApS")
    text = (
        "Virksomhed;Fornavn;Efternavn;E-mail\n"
        "Kontakt ApS;Ida;Ny;ida@x.dk\n"
        "Kontakt ApS;Ida;Igen;IDA@x.dk\n"
    )
    job = plan("contacts", text)
    assert ids(by_line(job)[3]) == ["duplicate_in_file"]
    assert company.id


def test_does_a_company_match_on_cvr_then_website_then_name():
    by_cvr = make_company("Helt Andet Navn ApS", cvr="10000157")
    by_site = make_company(
        "Webbutikken ApS", website="https://webbutik.dk", website_domain="webbutik.dk"
    )
    by_name = make_company("Navnesen A/S")
    text = (
        "Navn;CVR;Hjemmeside;By\n"
        "Ny Navn ApS;10000157;;Aarhus\n"
        "Web ApS;;www.webbutik.dk;Odense\n"
        "NAVNESEN ApS;;;Vejle\n"
        "Helt Ny ApS;;;Vejle\n"
    )
    job = plan("companies", text)
    rows = by_line(job)
    assert (rows[2].action, rows[2].match_id) == ("update", by_cvr.id)
    assert (rows[3].action, rows[3].match_id) == ("update", by_site.id)
    assert (rows[4].action, rows[4].match_id) == ("update", by_name.id)
    assert rows[5].action == "create"
    assert job.counts["company"]["update"] == 3


def test_is_a_matched_row_without_changes_a_skip_and_updates_can_be_switched_off():
    make_company("Uændret ApS", city="Vejle")
    job = plan("companies", "Navn;By\nUændret ApS;Vejle\n")
    assert by_line(job)[2].action == "skip"
    job = plan("companies", "Navn;By\nUændret ApS;Kolding\n", update_existing=False)
    row = by_line(job)[2]
    assert row.action == "skip"
    assert ids(row, "note") == ["update_off"]


def test_is_a_near_duplicate_flagged_and_decided_by_the_user():
    existing = make_company("Bjerregaard Maskinfabrik ApS")
    job = plan("companies", "Navn\nBjerregård Maskinfabrik\nHelt Anderledes ApS\n")
    row = by_line(job)[2]
    assert row.action == "create"
    assert row.candidate_id == existing.id
    assert row.candidate_score >= 88
    assert ids(row, "warning") == ["near_duplicate"]
    assert job.counts["company"]["near_duplicate"] == 1
    imports.set_decision(row, "same")
    assert row.action == "update"
    assert job.counts["company"]["update"] == 1
    imports.set_decisions(job, "new", row_ids=[row.id])
    db.session.refresh(row)
    assert row.action == "create"
    assert row.decision == "new"


def test_does_a_group_column_need_agreement_before_creating_options():
    text = "Navn;Leadkilde\nA ApS;Messe\nB ApS;Ukendt kanal\n"
    lead_source = group("lead_source")
    known = option("lead_source", lead_source.options[0].label)
    text = f"Navn;Leadkilde\nA ApS;{known.label}\nB ApS;Ukendt kanal\n"
    columns = {"Leadkilde": f"group:{lead_source.id}"}
    job = plan("companies", text, columns=columns)
    rows = by_line(job)
    assert rows[2].fields["groups"] == {f"group:{lead_source.id}": [known.id]}
    assert ids(rows[3]) == ["unknown_option"]
    job = plan("companies", text, columns=columns, create_options=True)
    assert by_line(job)[3].fields["groups"] == {f"group:{lead_source.id}": ["new:Ukendt kanal"]}
    assert job.counts["group_option"] == {"create": 1}


def test_do_contacts_link_to_their_company_by_name_or_cvr_and_match_on_email():
    company = make_company("Kontaktfirma ApS", cvr="10000130")
    known = make_contact(company, "Anne", "Kendt", email="anne@kontakt.dk")
    text = (
        "Firma;CVR-nr.;Navn;E-mail;Stilling\n"
        "Kontaktfirma;;Anne Kendt;ANNE@kontakt.dk;Direktør\n"
        ";10000130;Bo Ny;bo@kontakt.dk;\n"
        "Findes Ikke ApS;;Cy Ingen;cy@x.dk;\n"
    )
    job = plan("contacts", text)
    rows = by_line(job)
    assert (rows[2].action, rows[2].match_id) == ("update", known.id)
    assert rows[3].action == "create"
    assert rows[3].fields["company_id"] == company.id
    assert rows[3].fields["first_name"] == "Bo"
    assert ids(rows[4]) == ["no_company"]
    assert db.session.scalar(select(func.count()).select_from(Contact)) >= 1
    assert db.session.scalar(select(func.count()).select_from(Company)) >= 1


def test_is_a_status_guessed_from_its_danish_or_english_name():
    job = imports.create_job("companies", "s.csv", b"Navn;Kundestatus\nA;customer\nB;Lead\n",
                             make_user("admin"))  # fmt: skip
    guesses = {r.value: r.guess for r in imports.value_mapping(job)["Kundestatus"]}
    assert guesses == {"customer": str(status("customer").id), "Lead": str(status("lead").id)}
