"""Home."""

from flask import current_app, send_from_directory

from webapp.blueprints.home import bp
from webapp.htmx import render
from webapp.permissions import role_required


@bp.get("/")
@role_required("employee")
def index():
    """Show the signed-in user's start page."""
    return render("home/index.html")


@bp.get("/favicon.ico")
def favicon():
    """Serve the icon browsers ask for without reading the page's <link rel=icon>."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
