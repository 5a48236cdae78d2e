"""The apply writes in chunks, each its own short transaction, so other users can save
meanwhile; a failure after some chunks undoes them, as if nothing had been imported."""

import sqlite3

import flask_migrate
import pytest
from sqlalchemy import func, select

from tests.factories import make_company, make_user
from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Company, Contact
from webapp.models.imports import ImportRecord
from webapp.models.user import User
from webapp.services import imports
from webapp.services.imports import apply as apply_module


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def planned(text, user):
    job = imports.create_job("companies", "chunks.csv", text.encode(), user)
    imports.start_plan(job)
    assert job.state == "planned", imports.message_text(job.message)
    return job


def companies_csv(n, extra=""):
    lines = ["Firmanavn;By"] + [f"Delvis {i} ApS;Vejle" for i in range(n)]
    return "\n".join(lines) + "\n" + extra


def test_does_a_failure_after_the_first_chunks_change_nothing_in_the_end(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_APPLY_CHUNK", 100)
    admin = make_user("admin")
    existing = make_company("Findes Allerede ApS", city="Odense")
    before = count(Company)
    job = planned(companies_csv(350, "Findes Allerede ApS;Kolding\n"), admin)
    real = apply_module.Writer.create_companies
    calls = []

    def third_chunk_breaks(self, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            # Meanwhile another user adds a contact to a company of the first chunk.
            first = db.session.scalar(select(Company).where(Company.name == "Delvis 0 ApS"))
            db.session.add(Contact(company_id=first.id, first_name="Ny", last_name="Kontakt"))
            db.session.flush()
        if len(calls) == 3:
            raise RuntimeError("disk full in chunk 3")
        return real(self, rows)

    monkeypatch.setattr(apply_module.Writer, "create_companies", third_chunk_breaks)
    imports.start_apply(job, admin)
    assert calls == [100, 100, 100]  # the update went first, then two chunks were committed
    assert job.state == "failed"
    assert "disk full in chunk 3" in imports.message_text(job.message)
    assert count(Company) == before
    assert count(Company, Company.name.like("Delvis %")) == 0
    assert count(Contact, Contact.first_name == "Ny") == 0
    db.session.refresh(existing)
    assert existing.city == "Odense"
    assert count(ImportRecord, ImportRecord.job_id == job.id) == 0
    assert count(Change, Change.field == "import", Change.new.like("chunks.csv%")) == 0
    # The file can be checked and imported again.
    monkeypatch.setattr(apply_module.Writer, "create_companies", real)
    imports.start_plan(job)
    imports.start_apply(job, admin)
    assert job.state == "done", imports.message_text(job.message)
    assert count(Company, Company.name.like("Delvis %")) == 350


def test_is_an_import_that_died_midway_undone_when_found(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_APPLY_CHUNK", 50)
    admin = make_user("admin")
    job = planned(companies_csv(120), admin)

    class Died(BaseException):
        """Stands for the process ending: no except clause of the apply runs."""

    real = apply_module.Writer.create_companies
    calls = []

    def dies(self, rows):
        calls.append(1)
        if len(calls) == 2:
            raise Died
        return real(self, rows)

    monkeypatch.setattr(apply_module.Writer, "create_companies", dies)
    with pytest.raises(Died):
        imports.start_apply(job, admin)
    db.session.rollback()
    assert count(Company, Company.name.like("Delvis %")) == 50
    from datetime import timedelta

    from webapp.models.user import utcnow

    job.heartbeat_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    assert imports.effective_state(job) == "failed"
    assert imports.expire_dead_jobs() == 1
    assert job.message["id"] == "died"
    assert count(Company, Company.name.like("Delvis %")) == 0
    assert count(ImportRecord, ImportRecord.job_id == job.id) == 0


@pytest.fixture
def file_app(tmp_path, monkeypatch):
    """An app on its own SQLite file, with a session of its own (not the test's)."""
    path = tmp_path / "chunks.sqlite"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        IMPORT_APPLY_CHUNK = 100

    own = create_app(Config)
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    with own.app_context():
        flask_migrate.upgrade()
        yield own, path
        db.session.remove()
        db.engine.dispose()


def test_can_another_session_save_while_an_import_is_applying(file_app, monkeypatch, app):
    own, path = file_app
    if db.engine.dialect.name != "sqlite":
        pytest.skip("about SQLite's write lock")
    admin = User(name="Ada", email="ada@chunks.example", role="admin", password_hash="x")
    db.session.add(admin)
    db.session.commit()
    job = planned(companies_csv(450), admin)
    saved, refused = [], []

    def other_user_saves(timeout):
        other = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (f"k{len(saved)}", "v"))
            other.execute("COMMIT")
            saved.append(1)
        except sqlite3.OperationalError as error:
            refused.append(str(error))
        finally:
            other.close()

    real_beat = apply_module._beat

    def beat(job_id, done, total):
        other_user_saves(timeout=0.5)  # between chunks: the lock is free
        real_beat(job_id, done, total)
        other_user_saves(timeout=0.05)  # inside a chunk: the import holds it, briefly

    monkeypatch.setattr(apply_module, "_beat", beat)
    imports.start_apply(job, admin)
    assert job.state == "done", imports.message_text(job.message)
    assert count(Company, Company.name.like("Delvis %")) == 450
    # The prepare step, five chunks of 100 and the end: a save got in before each.
    assert len(saved) == 7
    assert refused
    assert all("locked" in r for r in refused)
