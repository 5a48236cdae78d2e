"""Language choice and locale-aware formatting of dates, numbers and money."""

import re
from decimal import Decimal

from flask import current_app, has_request_context, request, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal
from flask_login import current_user


def select_locale():
    """Pick the signed-in user's language, else the session's, else the browser's."""
    languages = list(current_app.config["LANGUAGES"])
    if not has_request_context():  # command line: the configured default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def money(amount, currency="DKK"):
    """Format an amount as money in the current locale: 1.234,50 kr. in Danish."""
    if amount is None:
        return ""
    text = format_currency(Decimal(amount), currency)
    # Babel writes "DKK1,234.50" in English; CLDR's currency spacing wants a space there.
    return re.sub(r"^([A-Z]{3})(?=[-\d])", "\\1\xa0", text)


def number(value, digits=None):
    """Format a number with the locale's separators."""
    if value is None:
        return ""
    if digits is not None:
        return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")
    return format_decimal(value)


def register(app):
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        datetime=lambda value, fmt="short": format_datetime(value, fmt) if value else "",
        money=money,
        number=number,
    )
