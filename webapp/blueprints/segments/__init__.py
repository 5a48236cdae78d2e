"""Segments: saved filters over companies and contacts, their live count and exports."""

from flask import Blueprint

bp = Blueprint("segments", __name__)

from webapp.blueprints.segments import views  # noqa: E402, F401 - registers the routes on bp
