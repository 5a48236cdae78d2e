"""The schema comes from the migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import webapp.models  # noqa: F401 - registers every model
from webapp.extensions import db


def test_do_the_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_was_the_schema_built_by_alembic(app):
    with app.app_context(), db.engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version


def test_does_sqlite_run_with_wal_and_foreign_keys(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            return
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_do_the_migrations_upgrade_a_sqlite_database_that_holds_data(tmp_path):
    """Batch mode rebuilds tables that other rows point to; that must not break on real data."""
    import sqlite3

    import flask_migrate

    from webapp import create_app
    from webapp.config import TestConfig

    path = tmp_path / "old.sqlite"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    app = create_app(Config)
    with app.app_context():
        flask_migrate.upgrade(revision="4cfe33bba2b9")  # customer cards, before the pipeline
        with sqlite3.connect(path) as raw:
            raw.execute(
                "INSERT INTO company (name, name_key, country, status_id, category_manual,"
                " archived, created_at, updated_at, version)"
                " VALUES ('Old Data ApS', 'old data aps', 'DK', 1, 0, 0, '2026-01-01',"
                " '2026-01-01', 1)"
            )
            raw.execute(
                "INSERT INTO contact (company_id, first_name, last_name, search_key,"
                " marketing_consent, archived, created_at, updated_at, version)"
                " VALUES (1, 'Ane', 'Berg', 'ane berg', 0, 0, '2026-01-01', '2026-01-01', 1)"
            )
        flask_migrate.upgrade()
        db.engine.dispose()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT name FROM company").fetchall() == [("Old Data ApS",)]
        assert raw.execute("SELECT company_id FROM contact").fetchall() == [(1,)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
