"""Reports: the whitepaper's management questions, one page each, and the management PDF."""

from importlib import import_module

from flask import Blueprint

bp = Blueprint("reports", __name__)

# The modules that register reports (see base.register); each adds its pages to REPORTS.
REPORT_MODULES = ("sales", "markets", "service")

for _name in REPORT_MODULES:
    import_module(f"webapp.blueprints.reports.{_name}")

from webapp.blueprints.reports import views  # noqa: E402, F401 - registers the routes on bp
