"""Mail merge (brevfletning): letter templates, a preview, a segment's letters as one PDF."""

from flask import Blueprint

bp = Blueprint("letters", __name__)

from webapp.blueprints.letters import views  # noqa: E402, F401 - registers the routes on bp
