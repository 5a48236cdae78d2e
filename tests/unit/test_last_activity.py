"""company.last_activity_at: the latest date of a company's live activities, on every write."""

from datetime import datetime, timedelta

from sqlalchemy import select, update

from tests.factories import make_company, make_contact, make_user, status
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Company
from webapp.models.last_activity import refresh_last_activity
from webapp.models.user import utcnow
from webapp.services import imports
from webapp.services.activities import (
    ActivityData,
    delete_activity,
    log_activity,
    restore_activity,
    update_activity,
)
from webapp.services.automation import on_status_changed

DAY = datetime(2026, 3, 2, 10, 0)


def stored(company) -> datetime | None:
    """The column as the database holds it (not the loaded object's copy)."""
    return db.session.scalar(select(Company.last_activity_at).where(Company.id == company.id))


def meeting(company, user, at):
    return log_activity(company, user, ActivityData(kind="meeting", subject="Møde", occurred_at=at))


def test_has_a_company_without_activities_no_last_activity():
    company = make_company("Stille ApS")
    assert stored(company) is None
    assert company.last_activity_at is None


def test_does_logging_an_activity_set_the_date_and_an_earlier_one_keep_it():
    user = make_user()
    company = make_company("Aktiv ApS")
    meeting(company, user, DAY)
    assert stored(company) == DAY
    assert company.last_activity_at == DAY  # the loaded card is not stale
    meeting(company, user, DAY - timedelta(days=30))
    assert stored(company) == DAY
    planned = DAY + timedelta(days=60)  # a planned meeting counts too
    meeting(company, user, planned)
    assert stored(company) == planned
    note = log_activity(company, user, ActivityData(kind="note", subject="Ringede"))
    assert stored(company) == max(planned, note.occurred_at)


def test_does_editing_the_date_move_it_both_ways():
    user = make_user()
    company = make_company("Flyt ApS")
    older = meeting(company, user, DAY - timedelta(days=10))
    latest = meeting(company, user, DAY)
    data = ActivityData(kind="meeting", subject="Møde", occurred_at=DAY + timedelta(days=5))
    update_activity(latest, user, data, latest.version)
    assert stored(company) == DAY + timedelta(days=5)
    data = ActivityData(kind="meeting", subject="Møde", occurred_at=DAY - timedelta(days=20))
    update_activity(latest, user, data, latest.version)
    assert stored(company) == older.occurred_at


def test_do_delete_and_restore_take_the_activity_out_and_back():
    user = make_user()
    company = make_company("Slet ApS")
    older = meeting(company, user, DAY - timedelta(days=10))
    latest = meeting(company, user, DAY)
    delete_activity(latest, user)
    assert stored(company) == older.occurred_at
    delete_activity(older, user)
    assert stored(company) is None
    restore_activity(latest, user)
    assert stored(company) == DAY


def test_does_moving_an_activity_to_another_company_update_both():
    user = make_user()
    first, second = make_company("Fra ApS"), make_company("Til ApS")
    activity = meeting(first, user, DAY)
    activity.company = second
    db.session.flush()
    assert (stored(first), stored(second)) == (None, DAY)


def test_does_removing_an_activity_row_work_it_out_again():
    user = make_user()
    company = make_company("Væk ApS")
    older = meeting(company, user, DAY - timedelta(days=3))
    latest = meeting(company, user, DAY)
    db.session.delete(latest)
    db.session.flush()
    assert stored(company) == older.occurred_at


def test_does_the_first_service_call_task_count():
    user = make_user("admin")
    company = make_company("Kunde ApS", status_key="lead")
    old = company.status
    company.status = status("customer")
    db.session.flush()
    task = on_status_changed(company, old, user)
    assert task is not None
    db.session.flush()
    assert stored(company) == task.occurred_at


def test_does_a_bulk_write_get_it_from_refresh():
    user = make_user()
    company = make_company("Bulk ApS")
    other = make_company("Anden ApS")
    meeting(company, user, DAY)
    meeting(other, user, DAY)
    db.session.execute(
        update(Activity).where(Activity.company_id == company.id).values(deleted=True),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Company).where(Company.id == other.id).values(last_activity_at=None),
        execution_options={"synchronize_session": False},
    )
    refresh_last_activity([company.id])
    assert (stored(company), stored(other)) == (None, None)
    refresh_last_activity()  # every company, as the migration's backfill does
    assert (stored(company), stored(other)) == (None, DAY)
    refresh_last_activity(select(Company.id).where(Company.id == company.id))
    assert stored(company) is None


def test_do_an_activity_import_and_its_revert_keep_it():
    admin = make_user("admin")
    company = make_company("Import ApS", cvr="10000157")
    make_contact(company, "Ane", "Berg", email="ane@import.dk")
    before = utcnow() - timedelta(days=400)
    meeting(company, admin, before)
    job = imports.create_job(
        "activities",
        "activities.csv",
        "Virksomhed;Type;Dato;Emne\nImport ApS;Møde;31.12.2026;Årsmøde\n"
        "Import ApS;Opkald;01.06.2026;Opfølgning\n".encode(),
        admin,
    )
    imports.set_mapping(job, dict(job.mapping["columns"]), {}, None)
    imports.start_plan(job)
    imports.start_apply(job, admin)
    assert job.state == "done", imports.message_text(job.message)
    assert stored(company).date().isoformat() == "2026-12-31"
    imports.revert_import(job, admin)
    db.session.flush()
    assert stored(company) == before


def test_does_the_migration_fill_in_every_companys_latest_live_activity(tmp_path):
    """The backfill: latest not-deleted activity, planned ones included; NULL without any."""
    import sqlite3

    import flask_migrate

    from webapp import create_app
    from webapp.config import TestConfig

    path = tmp_path / "before.sqlite"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    app = create_app(Config)
    with app.app_context():
        flask_migrate.upgrade(revision="d2a7c4e9f013")  # the revision before the column
        with sqlite3.connect(path) as raw:
            for name in ("Aktiv", "Slettet", "Tom"):
                raw.execute(
                    "INSERT INTO company (name, name_key, country, status_id, category_manual,"
                    " archived, created_at, updated_at, version)"
                    " VALUES (?, ?, 'DK', 1, 0, 0, '2026-01-01', '2026-01-01', 1)",
                    (name, name.lower()),
                )
            for company_id, at, deleted in (
                (1, "2026-02-01 09:00:00.000000", 0),
                (1, "2027-05-01 09:00:00.000000", 0),  # planned: counts
                (1, "2027-09-01 09:00:00.000000", 1),  # deleted: does not
                (2, "2026-03-01 09:00:00.000000", 1),
            ):
                raw.execute(
                    "INSERT INTO activity (company_id, kind, subject, occurred_at, deleted,"
                    " created_at, updated_at, version)"
                    " VALUES (?, 'meeting', '', ?, ?, '2026-01-01', '2026-01-01', 1)",
                    (company_id, at, deleted),
                )
        flask_migrate.upgrade()
        db.engine.dispose()
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT name, last_activity_at FROM company ORDER BY id").fetchall()
    assert rows == [("Aktiv", "2027-05-01 09:00:00.000000"), ("Slettet", None), ("Tom", None)]
