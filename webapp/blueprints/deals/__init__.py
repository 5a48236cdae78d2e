"""Deals: create and edit them, their page with its own activity log, won, lost and reopen."""

from flask import Blueprint

bp = Blueprint("deals", __name__)

from webapp.blueprints.deals import section, views  # noqa: E402, F401 - routes and the card section
