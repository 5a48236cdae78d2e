"""Fixtures: one migrated database per run, each test rolled back, clients per role."""

import os
from pathlib import Path

import flask_migrate
import pytest
from babel.messages.frontend import CommandLineInterface
from flask import g
from flask_login import FlaskLoginClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import text

from tests.factories import make_user
from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent


def compile_translations():
    """Compile the .po catalogues so tests see the same Danish as users (scripts/ do this too)."""
    CommandLineInterface().run(
        ["pybabel", "-q", "compile", "-d", str(ROOT / "webapp" / "translations")]
    )


def reset_database(app):
    """Empty the test database so the migrations build it from nothing."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


def make_test_app(database_url):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    app.test_client_class = FlaskLoginClient

    @app.teardown_request
    def _forget_request_state(exc):
        # Tests hold one app context open, which requests then share; forget what a
        # request cached there (signed-in user, locale, CSRF token) as a real server would.
        g.__dict__.clear()

    with app.app_context():
        reset_database(app)
        flask_migrate.upgrade()
    return app


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    compile_translations()
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "kanel-test.sqlite")
    app = make_test_app(url)
    yield app
    dispose(app)


def dispose(app):
    """Close pooled connections, so none is left open when the run ends."""
    with app.app_context():
        db.engine.dispose()


class BoundSession(FlaskSession):
    """A session that always uses the test's connection, whatever the model."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@pytest.fixture(autouse=True)
def _db(request):
    """Run each test inside a transaction that is rolled back afterwards."""
    if request.node.get_closest_marker("browser"):
        yield None
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "class_": BoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        limiter.reset()
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def csrf(app):
    """Check CSRF tokens in this test, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def client(app):
    """A browser that is not signed in."""
    return app.test_client()


def _client_for(app, role, **user_fields):
    user = make_user(role=role, **user_fields)
    db.session.flush()
    test_client = app.test_client(user=user)
    test_client.user = user
    return test_client


@pytest.fixture
def admin_client(app):
    return _client_for(app, "admin", name="Ada Admin")


@pytest.fixture
def manager_client(app):
    return _client_for(app, "manager", name="Mona Manager", department="management")


@pytest.fixture
def employee_client(app):
    return _client_for(app, "employee", name="Erik Employee", department="sales")


@pytest.fixture
def login_as(app):
    """Return a signed-in client for a new user with the given role and fields."""

    def factory(role="employee", **user_fields):
        return _client_for(app, role, **user_fields)

    return factory


@pytest.fixture
def hx():
    """Headers of an htmx request that swaps part of a page."""
    return {"HX-Request": "true"}
