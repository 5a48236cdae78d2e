"""How Kanel opens its database connections."""

import pytest
from sqlalchemy import text

from webapp import normalise_database_url, postgresql_engine_options
from webapp.extensions import db


def test_does_a_postgres_url_get_the_psycopg_driver():
    assert normalise_database_url("postgres://u@h/kanel") == "postgresql+psycopg://u@h/kanel"
    assert normalise_database_url("postgresql://u@h/kanel") == "postgresql+psycopg://u@h/kanel"
    assert normalise_database_url("sqlite:///kanel.sqlite") == "sqlite:///kanel.sqlite"


def test_are_postgresql_connections_opened_without_the_jit_compiler():
    assert postgresql_engine_options({"pool_pre_ping": True}) == {
        "pool_pre_ping": True,
        "connect_args": {"options": "-c jit=off"},
    }
    # A deployment's own startup options are kept, and its own JIT choice wins.
    assert postgresql_engine_options({"connect_args": {"options": "-c work_mem=64MB"}}) == {
        "connect_args": {"options": "-c work_mem=64MB -c jit=off"}
    }
    assert postgresql_engine_options({"connect_args": {"options": "-c jit=on"}}) == {
        "connect_args": {"options": "-c jit=on"}
    }


def test_does_the_running_postgresql_connection_have_jit_off(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: the suite runs on SQLite here")
    assert db.session.scalar(text("SHOW jit")) == "off"
