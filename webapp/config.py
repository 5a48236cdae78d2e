"""Configuration: everything that differs between machines comes from the environment."""

import os
import secrets
from pathlib import Path


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key stored in the instance folder, generating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written with 0600 so other users on the machine cannot forge sessions.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: SQLite under instance/
    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: generated once into instance/
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Long-open tabs with hx-boost must not lose their token after an hour.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Secure cookies when served over HTTPS; set KANEL_HTTPS=0 for plain-HTTP development.
    HTTPS = os.environ.get("KANEL_HTTPS", "auto")
    # Number of reverse proxies in front of Kanel whose X-Forwarded-* headers to trust.
    PROXY_COUNT = int(os.environ.get("KANEL_PROXY_COUNT", "0"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("KANEL_TIMEZONE", "Europe/Copenhagen")
    LANGUAGES = {"en": "English", "da": "Dansk"}
    COMPANY_NAME = os.environ.get("KANEL_COMPANY_NAME", "Kanel")
    PAGE_SIZE = 50
    # Imports plan and apply in a background thread; True runs them within the request.
    IMPORT_INLINE = os.environ.get("KANEL_IMPORT_INLINE", "") == "1"
    # Largest request body: an import file of up to 50 MB and the form around it.
    MAX_CONTENT_LENGTH = 55 * 1024 * 1024


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = None  # set by the test fixtures
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - test-only key
    WTF_CSRF_ENABLED = False  # switched on by the tests that check CSRF
    RATELIMIT_ENABLED = True
    IMPORT_INLINE = True
