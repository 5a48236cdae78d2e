"""The pipeline board: a column per stage, cards to drag, and one gate for every move."""

from flask import Blueprint

bp = Blueprint("pipeline", __name__)

from webapp.blueprints.pipeline import views  # noqa: E402, F401 - registers the routes on bp
