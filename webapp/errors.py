"""Error pages, as a whole page or as a message for an htmx request."""

from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.extensions import db
from webapp.htmx import hx_refresh, render, render_message, wants_fragment


def _explain(code: int) -> tuple[str, str]:
    titles = {
        400: (gettext("Bad request"), gettext("Kanel could not understand that request.")),
        403: (
            gettext("Not allowed"),
            gettext("Your role does not allow this. Ask an administrator if you need it."),
        ),
        404: (
            gettext("Page not found"),
            gettext("The page or record does not exist, or it has moved."),
        ),
        405: (gettext("Not allowed"), gettext("That action cannot be done this way.")),
        413: (gettext("File too large"), gettext("The file is larger than Kanel accepts.")),
        429: (
            gettext("Too many attempts"),
            gettext("Too many attempts in a short time. Wait a few minutes and try again."),
        ),
        500: (
            gettext("Something went wrong"),
            gettext("Kanel hit an error and nothing was saved. Try again in a moment."),
        ),
    }
    return titles.get(code, (gettext("Error"), gettext("Something went wrong.")))


def error_response(code: int, message: str | None = None):
    """Render an error as a page, or as a message for htmx fragment requests."""
    title, explanation = _explain(code)
    context = {"code": code, "title": title, "explanation": message or explanation}
    if wants_fragment():
        return render_message("_partials/error_message.html", code, **context)
    return render("errors/error.html", status=code, **context)


def register(app):
    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        if wants_fragment():
            return hx_refresh()
        return error_response(
            400,
            gettext(
                "The form had expired or was sent from elsewhere. Reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http_error(error):
        if error.code is None or error.code < 400:
            return error
        return error_response(error.code)

    @app.errorhandler(500)
    def _server_error(error):
        db.session.rollback()
        return error_response(500)
