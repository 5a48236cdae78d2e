"""What every page's frame needs: navigation that lists only pages that exist."""

from datetime import date

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (endpoint, label, least role); an entry shows once its blueprint is registered.
MAIN_NAVIGATION = [
    ("home.index", _l("Home"), "employee"),
    ("customers.index", _l("Customers"), "employee"),
    ("pipeline.board", _l("Pipeline"), "employee"),
    ("segments.index", _l("Segments"), "employee"),
    ("campaigns.index", _l("Campaigns"), "employee"),
    ("reports.index", _l("Reports"), "employee"),
    ("admin.index", _l("Admin"), "admin"),
]

ADMIN_NAVIGATION = [
    ("admin.users", _l("Users")),
    ("admin.statuses", _l("Statuses")),
    ("admin.groups", _l("Groups")),
    ("admin.stages", _l("Pipeline stages")),
    ("admin.automation", _l("Automation")),
    ("admin.industries", _l("Industries")),
    ("admin.category_rules", _l("A/B/C rules")),
    ("imports.index", _l("Import")),
]


# Blueprints whose pages belong under another blueprint's menu entry.
SECTION_OF_BLUEPRINT = {
    "activities": "customers",
    "groups": "customers",
    "deals": "pipeline",
    "forecast": "pipeline",
    "letters": "campaigns",
    "imports": "admin",
}


def current_section() -> str | None:
    """The main menu entry the current page belongs to (its blueprint, or its parent's)."""
    blueprint = request.blueprint
    return SECTION_OF_BLUEPRINT.get(blueprint, blueprint)


def main_navigation():
    if not current_user.is_authenticated:
        return []
    return [
        (endpoint, label)
        for endpoint, label, role in MAIN_NAVIGATION
        if endpoint in current_app.view_functions and current_user.has_role(role)
    ]


def admin_navigation():
    return [(e, label) for e, label in ADMIN_NAVIGATION if e in current_app.view_functions]


def register(app):
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def _layout_context():
        return {
            "main_navigation": main_navigation,
            "admin_navigation": admin_navigation,
            "current_section": current_section,
            "current_locale": lambda: str(get_locale() or "en"),
            "today": date.today(),
        }
