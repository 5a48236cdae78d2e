"""Import (administration): upload a file, map its columns and values, check every row,
import it all or nothing, follow its progress, and revert it while nothing moved since."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from webapp.blueprints.imports import views  # noqa: E402, F401 - registers the routes on bp
