"""The home page each user starts the day on."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from webapp.blueprints.home import views  # noqa: E402, F401 - registers the routes on bp
