"""Campaigns: their companies (from a segment or a card), deals, and return on investment."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__)

from webapp.blueprints.campaigns import section, views  # noqa: E402, F401 - routes and the card section
