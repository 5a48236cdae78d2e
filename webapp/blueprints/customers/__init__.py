"""Customers: the company list, global search, the customer card and its contacts."""

from flask import Blueprint

bp = Blueprint("customers", __name__)

from webapp.blueprints.customers import views  # noqa: E402, F401 - registers the routes on bp
