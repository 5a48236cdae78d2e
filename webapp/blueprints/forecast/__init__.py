"""Forecast against budget: won and weighted pipeline per month, and the budget grid."""

from flask import Blueprint

bp = Blueprint("forecast", __name__)

from webapp.blueprints.forecast import views  # noqa: E402, F401 - registers the routes on bp
