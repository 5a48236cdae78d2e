"""Administration of users: list, create, change, deactivate, reset password."""

from flask import abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.forms import ConfirmForm, NewUserForm, ResetPasswordForm, UserForm
from webapp.extensions import db
from webapp.htmx import hx_redirect, render
from webapp.models.user import User
from webapp.permissions import role_required
from webapp.services.users import UserError, create_user


@bp.get("/")
@role_required("admin")
def index():
    """Show the administration overview."""
    return hx_redirect(url_for("admin.users"))


@bp.get("/users")
@role_required("admin")
def users():
    """List all users, active first."""
    rows = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render("admin/users.html", users=rows, confirm_form=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def new_user():
    """Create a user."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                department=form.department.data,
                language=form.language.data,
            )
        except UserError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s can now sign in.", name=user.name), "success")
            return hx_redirect(url_for("admin.users"))
    return render("admin/user_form.html", form=form, user=None, status=422 if form.errors else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_user(user_id):
    """Change a user's name, role, department and language."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        if user.id == current_user.id and form.role.data != "admin":
            form.role.errors.append(_("You cannot take away your own administrator role."))
        else:
            user.name = form.name.data.strip()
            user.role = form.role.data
            user.department = form.department.data or None
            user.language = form.language.data or None
            db.session.commit()
            flash(_("Saved %(name)s.", name=user.name), "success")
            return hx_redirect(url_for("admin.users"))
    return render(
        "admin/user_form.html",
        form=form,
        user=user,
        password_form=ResetPasswordForm(),
        confirm_form=ConfirmForm(),
        status=422 if form.errors else 200,
    )


@bp.post("/users/<int:user_id>/password")
@role_required("admin")
def reset_password(user_id):
    """Give a user a new password."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        db.session.commit()
        flash(_("New password set for %(name)s.", name=user.name), "success")
        return hx_redirect(url_for("admin.edit_user", user_id=user.id))
    return render(
        "admin/user_form.html",
        form=UserForm(obj=user),
        user=user,
        password_form=form,
        confirm_form=ConfirmForm(),
        status=422,
    )


@bp.post("/users/<int:user_id>/active")
@role_required("admin")
def toggle_active(user_id):
    """Deactivate an active user or reactivate an inactive one (users are never deleted)."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
    else:
        user.active = not user.active
        db.session.commit()
        if user.active:
            flash(_("%(name)s can sign in again.", name=user.name), "success")
        else:
            flash(
                _("%(name)s is deactivated and can no longer sign in.", name=user.name),
                "success",
            )
    return hx_redirect(url_for("admin.users"))
