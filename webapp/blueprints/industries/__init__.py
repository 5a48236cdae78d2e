"""Industries for everyone: the search-as-you-type picker on company forms and filters."""

from flask import Blueprint

from webapp.services.industries import label_for_id

bp = Blueprint("industries", __name__)
# "62.01 Computer programming" for an industry id, in templates (the card header).
bp.add_app_template_global(label_for_id, "industry_label")

from webapp.blueprints.industries import views  # noqa: E402, F401 - registers the routes on bp
