"""The industry picker's options."""

from flask import request

from webapp.blueprints.industries import bp
from webapp.htmx import render, wants_fragment
from webapp.permissions import role_required
from webapp.services.industries import label_of, search_industries, title_of

PICKER_SIZE = 12


@bp.get("/search")
@role_required("employee")
def search():
    """Industries whose code starts with, or whose titles hold, what was typed."""
    # A picker's text box sends itself under its own name; a plain form sends q.
    text = next(
        (
            request.args[name]
            for name in ("q", "industry", "industry_search")
            if request.args.get(name) is not None
        ),
        "",
    )
    text = " ".join(text.split())[:100]
    hits = search_industries(text, limit=PICKER_SIZE) if text else []
    return render(
        "industries/search.html",
        block="industry_options",
        q=text,
        hits=hits,
        label_of=label_of,
        title_of=title_of,
        fragment=wants_fragment(),
    )
