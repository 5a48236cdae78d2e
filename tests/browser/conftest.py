"""A live Kanel on a free loopback port, and Debian's Chromium driven by Playwright."""

import os
import socket
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import compile_translations, dispose, make_test_app
from tests.factories import make_user
from webapp.extensions import db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    compile_translations()
    path = tmp_path_factory.mktemp("live") / "kanel-browser.sqlite"
    app = make_test_app(f"sqlite:///{path}")
    app.config["WTF_CSRF_ENABLED"] = True  # the browser goes through CSRF like a user
    yield app
    dispose(app)


@pytest.fixture(scope="session")
def live_server(live_app):
    port = _free_port()
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def live_user(live_app):
    """Return a function that creates a committed user in the live server's database."""

    def factory(**fields):
        with live_app.app_context():
            user = make_user(**fields)
            db.session.commit()
            return user.email

    return factory


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab; fails the test on any console error or uncaught exception."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors = []

    def on_console(msg):
        # A 422 is the normal answer to a form with errors; Chromium still logs it.
        if msg.type == "error" and "status of 422" not in msg.text:
            errors.append(msg.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.console_errors = errors
    yield tab
    context.close()
    assert not errors, f"console errors: {errors}"


@pytest.fixture
def live_company(live_app):
    """Return a function that creates a committed company in the live server's database."""

    def factory(**fields):
        from tests.factories import make_company

        with live_app.app_context():
            company = make_company(**fields)
            db.session.commit()
            return company.id

    return factory


@pytest.fixture
def live_deal(live_app):
    """Return a function that creates a committed deal in a stage (no rule check)."""

    def factory(company_id, stage_key="prospect", **fields):
        from tests.factories import make_deal
        from webapp.models.customer import Company
        from webapp.models.user import User

        with live_app.app_context():
            if "owner_id" in fields:
                fields["owner"] = db.session.get(User, fields.pop("owner_id"))
            deal = make_deal(db.session.get(Company, company_id), stage_key, **fields)
            db.session.commit()
            return deal.id

    return factory
