"""Security headers and the cookie flags that depend on how Kanel is served."""

from flask import request
from flask.sessions import SecureCookieSessionInterface

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Admin-chosen colours (statuses, stages) are set in style attributes; no inline <style>.
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return cookies_must_be_secure(app)


def register(app):
    """Install security headers and cookie flags; call before Flask-Login is set up."""
    app.session_interface = SessionInterface()

    @app.after_request
    def _security_headers(response):
        # Registered before Flask-Login, so this runs after it has set the remember cookie.
        if cookies_must_be_secure(app):
            cookies = response.headers.getlist("Set-Cookie")
            if cookies:
                response.headers.setlist(
                    "Set-Cookie",
                    [c if "; Secure" in c else c + "; Secure" for c in cookies],
                )
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response


def cookies_must_be_secure(app) -> bool:
    """Mark cookies Secure when served over HTTPS (or always/never when KANEL_HTTPS says so)."""
    mode = str(app.config.get("HTTPS", "auto")).lower()
    if mode == "auto":
        return request.is_secure
    return mode in ("1", "true", "yes", "on")
