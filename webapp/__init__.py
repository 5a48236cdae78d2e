"""Kanel CRM: the company's shared memory of every customer."""

import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp import extensions as ext
from webapp.config import Config, instance_secret_key


def create_app(config=None):
    """Create the Flask app: config, extensions, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "kanel.sqlite"
        )
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = postgresql_engine_options(
            app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        )

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from webapp import errors, i18n, layout, security

    security.register(app)
    _init_extensions(app)
    _register_blueprints(app)
    errors.register(app)
    layout.register(app)
    i18n.register(app)

    from webapp import cli

    cli.register(app)
    return app


def normalise_database_url(url: str) -> str:
    """Let users write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def postgresql_engine_options(options: dict) -> dict:
    """The engine options with PostgreSQL's JIT compiler off for Kanel's connections.

    PostgreSQL compiles a query to machine code once its estimated cost passes
    jit_above_cost; Kanel's reports pass it, and the compiling takes longer than it saves
    on queries that run in a fraction of a second (measured at full scale: data quality
    2.5 → 1.6 s, the funnel 184 → 121 ms). Options the deployment sets itself are kept.
    """
    connect_args = dict(options.get("connect_args") or {})
    startup = connect_args.get("options", "")
    if "jit" not in startup:
        connect_args["options"] = f"{startup} -c jit=off".strip()
    return {**options, "connect_args": connect_args}


def _init_extensions(app):
    import webapp.models  # noqa: F401 - every model, so foreign keys between domains resolve

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(Path(app.root_path).parent / "migrations"))
    ext.csrf.init_app(app)
    ext.htmx.init_app(app)
    ext.limiter.init_app(app)
    ext.login_manager.init_app(app)
    ext.login_manager.login_view = "auth.login"
    ext.login_manager.login_message_category = "info"

    from webapp.i18n import select_locale

    ext.babel.init_app(app, locale_selector=select_locale)

    from webapp.models.user import User

    @ext.login_manager.user_loader
    def load_user(user_id):
        user = ext.db.session.get(User, int(user_id))
        return user if user is not None and user.active else None

    from flask_babel import lazy_gettext

    ext.login_manager.login_message = lazy_gettext("Please sign in to see that page.")


def _register_blueprints(app):
    from webapp.blueprints.activities import bp as activities_bp
    from webapp.blueprints.admin import bp as admin_bp
    from webapp.blueprints.auth import bp as auth_bp
    from webapp.blueprints.campaigns import bp as campaigns_bp
    from webapp.blueprints.customers import bp as customers_bp
    from webapp.blueprints.deals import bp as deals_bp
    from webapp.blueprints.forecast import bp as forecast_bp
    from webapp.blueprints.groups import bp as groups_bp
    from webapp.blueprints.home import bp as home_bp
    from webapp.blueprints.imports import bp as imports_bp
    from webapp.blueprints.industries import bp as industries_bp
    from webapp.blueprints.letters import bp as letters_bp
    from webapp.blueprints.pipeline import bp as pipeline_bp
    from webapp.blueprints.reports import bp as reports_bp
    from webapp.blueprints.segments import bp as segments_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(customers_bp, url_prefix="/customers")
    app.register_blueprint(groups_bp, url_prefix="/customers")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(imports_bp, url_prefix="/admin/imports")
    app.register_blueprint(activities_bp)
    app.register_blueprint(industries_bp, url_prefix="/industries")
    app.register_blueprint(segments_bp, url_prefix="/segments")
    app.register_blueprint(deals_bp, url_prefix="/deals")
    app.register_blueprint(pipeline_bp, url_prefix="/pipeline")
    app.register_blueprint(forecast_bp, url_prefix="/forecast")
    app.register_blueprint(campaigns_bp, url_prefix="/campaigns")
    app.register_blueprint(letters_bp, url_prefix="/letters")
    app.register_blueprint(reports_bp, url_prefix="/reports")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL, enforced foreign keys and a busy timeout for every SQLite connection."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin,
    # so SAVEPOINTs (and rolled-back test transactions) work as documented.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Read pages straight from the operating system's file cache rather than copying each
    # into SQLite's own small cache: reports that read much of a large database run about
    # a third faster (SQLite caps the size at its compile-time maximum, 2 GB by default).
    cursor.execute("PRAGMA mmap_size=2147483648")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")
