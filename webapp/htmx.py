"""Page or fragment: the one place that reads HX-* request headers."""

from flask import redirect, render_template, request
from htmx_flask import make_response
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page (not boosted navigation or history)."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context):
    """Render the named block for an htmx request, the whole page otherwise."""
    if block and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(url: str, full_reload: bool = False):
    """Send the browser to url: HX-Location for htmx, 303 See Other otherwise.

    full_reload loads the whole document (HX-Redirect), for when more than the body
    changes: signing in or out, or switching language.
    """
    if getattr(request, "htmx", None):
        if full_reload:
            response = make_response("", 200, redirect=url)
        else:
            # htmx fetches an HX-Location target as an htmx request; mark it boosted so
            # render() answers with the whole page, which htmx swaps into <body>.
            location = {"path": url, "target": "body", "headers": {"HX-Boosted": "true"}}
            response = make_response("", 200, location=location)
    else:
        response = redirect(url, 303)
    response.vary.add("HX-Request")
    return response


def hx_refresh():
    """Ask htmx to reload the whole page (e.g. after a CSRF token expired)."""
    return make_response("", 200, refresh=True)


def render_message(template: str, status: int, **context):
    """Answer an htmx fragment request with a message shown in the page's message area."""
    response = make_response(
        render_template(template, **context), status, retarget="#messages", reswap="beforeend"
    )
    response.vary.add("HX-Request")
    return response
