"""Group values on the customer card: choosing options inline, saved at once."""

from flask import Blueprint

bp = Blueprint("groups", __name__)

from webapp.blueprints.groups import section, views  # noqa: E402, F401 - registers routes and the card section
