"""Administration: users now; statuses, groups, stages and rules as they land."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.blueprints.admin import (  # noqa: E402, F401 - registers the routes on bp
    automation,
    category_rules,
    groups,
    industries,
    stages,
    statuses,
    views,
)
