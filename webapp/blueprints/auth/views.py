"""Sign-in, sign-out and the account page."""

from urllib.parse import urlsplit

from flask import current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from webapp.extensions import db, limiter
from webapp.htmx import hx_redirect, render
from webapp.models.user import normalise_email, utcnow
from webapp.services.users import find_user_by_email


def safe_next(target: str | None) -> str | None:
    """Return target when it is a path on this site, None for anything that could leave it."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("//"):
        return None
    return target


def _account_key() -> str:
    return "login-account:" + normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    return response.status_code != 303 and not response.headers.get("HX-Redirect")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
    scope="login-address",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    scope="login-account",
)
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return hx_redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append(_("Wrong e-mail or password."))
        elif not user.active:
            form.email.errors.append(
                _("This account is deactivated. Ask an administrator to reactivate it.")
            )
        else:
            login_user(user, remember=form.remember.data)
            refresh()  # greet the user in their own language, not the sign-in page's
            user.last_login_at = utcnow()
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return hx_redirect(safe_next(form.next.data) or url_for("home.index"), full_reload=True)
    status = 422 if form.errors else 200
    return render(
        "auth/login.html",
        block="login_form",
        status=status,
        form=form,
        language_form=LanguageForm(language=session.get("language") or ""),
    )


@bp.post("/logout")
@login_required
def logout():
    """Sign out."""
    logout_user()
    flash(_("You are signed out."), "info")
    return hx_redirect(url_for("auth.login"), full_reload=True)


@bp.post("/language")
def choose_language():
    """Choose the interface language (saved on the account when signed in)."""
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            current_user.language = form.language.data
            db.session.commit()
        session["language"] = form.language.data
    target = safe_next(request.form.get("next")) or url_for("home.index")
    return hx_redirect(target, full_reload=True)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show and change the signed-in user's password and language."""
    password_form = ChangePasswordForm(prefix="pw")
    language_form = LanguageForm(prefix="lang", language=current_user.language or "")
    status = 200
    if request.method == "POST":
        if "pw-new_password" in request.form:
            if password_form.validate_on_submit():
                if not current_user.check_password(password_form.current_password.data):
                    password_form.current_password.errors.append(
                        _("That is not your current password.")
                    )
                else:
                    current_user.set_password(password_form.new_password.data)
                    db.session.commit()
                    flash(_("Your password is changed."), "success")
                    return hx_redirect(url_for("auth.account"))
        elif language_form.validate_on_submit():
            current_user.language = language_form.language.data
            session["language"] = language_form.language.data
            db.session.commit()
            refresh()
            flash(_("Language saved."), "success")
            return hx_redirect(url_for("auth.account"), full_reload=True)
        status = 422
    return render(
        "auth/account.html",
        status=status,
        password_form=password_form,
        language_form=language_form,
    )
