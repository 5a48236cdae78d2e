"""The activity log on the customer card: notes, calls, e-mails, meetings, proposals, tasks."""

from flask import Blueprint

bp = Blueprint("activities", __name__)

from webapp.blueprints.activities import sections, views  # noqa: E402, F401 - routes and card sections
