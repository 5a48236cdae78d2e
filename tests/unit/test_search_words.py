"""company_word: the words of company names, kept on every write, so a search finds a word
inside a name."""

import sqlite3

from sqlalchemy import delete, insert, select, update

from tests.factories import make_company, make_user, status
from webapp.extensions import db
from webapp.models.company_words import CompanyWord, name_suffixes, refresh_company_words
from webapp.models.customer import Company
from webapp.services import imports
from webapp.services.companies import update_company


def words(company) -> list[str]:
    """The rows the database holds for the company."""
    return sorted(
        db.session.scalars(select(CompanyWord.suffix).where(CompanyWord.company_id == company.id))
    )


def all_words() -> set[tuple[int, str]]:
    return set(db.session.execute(select(CompanyWord.company_id, CompanyWord.suffix)).all())


def run_import(text, user):
    job = imports.create_job("companies", "companies.csv", text.encode(), user)
    imports.set_mapping(job, dict(job.mapping["columns"]), {}, None)
    imports.start_plan(job)
    imports.start_apply(job, user)
    assert job.state == "done", imports.message_text(job.message)
    return job


def test_does_a_name_give_each_word_after_the_first_to_the_end():
    assert name_suffixes("nordisk byg aps") == ["byg aps", "aps"]
    assert name_suffixes("jens hansen vvs") == ["hansen vvs", "vvs"]
    assert name_suffixes("vvs-huset horsens a/s") == [
        "huset horsens a/s",
        "horsens a/s",
        "a/s",
        "s",
    ]
    assert name_suffixes("hansen & søn") == ["søn"]
    assert name_suffixes("solo") == []
    assert name_suffixes("") == []


def test_does_a_new_company_get_its_words():
    company = make_company("Nordisk Byg ApS")
    assert words(company) == ["aps", "byg aps"]


def test_does_renaming_a_company_replace_its_words():
    user = make_user()
    company = make_company("Nordisk Byg ApS", version=1)
    update_company(company, {"name": "Jens  Hansen VVS"}, user, seen_version=1)
    db.session.flush()
    assert words(company) == ["hansen vvs", "vvs"]


def test_does_a_change_that_keeps_the_name_leave_the_words():
    user = make_user()
    company = make_company("Nordisk Byg ApS", version=1)
    before = all_words()
    update_company(company, {"city": "Vejle"}, user, seen_version=1)
    db.session.flush()
    assert all_words() == before


def test_do_a_deleted_companys_words_go_with_it():
    company = make_company("Nordisk Byg ApS")
    company_id = company.id
    db.session.delete(company)
    db.session.flush()
    assert not db.session.scalars(
        select(CompanyWord).where(CompanyWord.company_id == company_id)
    ).all()


def test_does_a_bulk_write_get_its_words_from_refresh():
    prospect = status("prospect").id
    ids = list(
        db.session.scalars(
            insert(Company).returning(Company.id, sort_by_parameter_order=True),
            [
                {"name": n, "name_key": n.lower(), "country": "DK", "status_id": prospect}
                for n in ("Fynsk Byg ApS", "Jens Hansen VVS")
            ],
        )
    )
    assert not db.session.scalars(select(CompanyWord).where(CompanyWord.company_id.in_(ids))).all()
    refresh_company_words(ids)
    byg, vvs = (db.session.get(Company, i) for i in ids)
    assert (words(byg), words(vvs)) == (["aps", "byg aps"], ["hansen vvs", "vvs"])
    db.session.execute(
        update(Company).where(Company.id == byg.id).values(name_key="fynsk tømrer a/s"),
        execution_options={"synchronize_session": False},
    )
    refresh_company_words(select(Company.id).where(Company.id == byg.id))
    assert words(byg) == ["a/s", "s", "tømrer a/s"]
    db.session.execute(delete(CompanyWord))
    refresh_company_words()  # every company, as the benchmark's generator does
    assert words(byg) == ["a/s", "s", "tømrer a/s"]
    assert words(vvs) == ["hansen vvs", "vvs"]


def test_do_an_import_and_its_revert_keep_the_words():
    admin = make_user("admin")
    renamed = make_company("Gammel Smedie ApS", cvr="10000157", version=1)
    job = run_import("Firmanavn;CVR-nummer\nNy Tømrer ApS;10000157\nImporteret Byg A/S;\n", admin)
    created = db.session.scalar(select(Company).where(Company.name == "Importeret Byg A/S"))
    assert words(created) == ["a/s", "byg a/s", "s"]
    db.session.refresh(renamed)
    assert renamed.name == "Ny Tømrer ApS"
    assert words(renamed) == ["aps", "tømrer aps"]
    imports.revert_import(job, admin)
    db.session.flush()
    assert words(renamed) == ["aps", "smedie aps"]
    assert db.session.get(Company, created.id) is None


def test_does_the_migration_write_the_words_of_the_names_there_are(tmp_path):
    import flask_migrate

    from webapp import create_app
    from webapp.config import TestConfig

    path = tmp_path / "before.sqlite"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    app = create_app(Config)
    with app.app_context():
        flask_migrate.upgrade(revision="f3a8d6c2b915-1")  # the revision before the table
        with sqlite3.connect(path) as raw:
            for name in ("Nordisk Byg ApS", "Solo", "VVS-Huset A/S"):
                raw.execute(
                    "INSERT INTO company (name, name_key, country, status_id, category_manual,"
                    " archived, created_at, updated_at, version)"
                    " VALUES (?, ?, 'DK', 1, 0, 0, '2026-01-01', '2026-01-01', 1)",
                    (name, name.lower()),
                )
        flask_migrate.upgrade()
        db.engine.dispose()
    with sqlite3.connect(path) as raw:
        rows = raw.execute(
            "SELECT company_id, suffix FROM company_word ORDER BY company_id, suffix"
        ).fetchall()
        plan = raw.execute(
            "EXPLAIN QUERY PLAN SELECT company_id FROM company_word"
            " WHERE suffix >= 'byg' AND suffix < 'byh'"
        ).fetchall()
    assert rows == [(1, "aps"), (1, "byg aps"), (3, "a/s"), (3, "huset a/s"), (3, "s")]
    assert "ix_company_word_suffix" in str(plan)
