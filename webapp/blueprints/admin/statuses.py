"""Administration of customer statuses: list, create, edit, reorder, retire, delete."""

from flask import abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.config_forms import MoveForm, StatusForm
from webapp.blueprints.admin.forms import ConfirmForm
from webapp.extensions import db
from webapp.htmx import hx_redirect, render
from webapp.models.customer import Status
from webapp.permissions import role_required
from webapp.services.statuses import (
    ConfigError,
    create_status,
    delete_status,
    move_status,
    ordered_statuses,
    set_status_active,
    status_usage,
    update_status,
)


def _list_page(form, status=200):
    return render(
        "admin/statuses.html",
        statuses=ordered_statuses(),
        usage=status_usage(),
        form=form,
        confirm_form=ConfirmForm(),
        move_form=MoveForm(),
        status=status,
    )


def _back_to_list(status: Status | None = None):
    anchor = f"status-{status.id}" if status is not None else None
    return hx_redirect(url_for("admin.statuses", _anchor=anchor))


@bp.get("/statuses")
@role_required("admin")
def statuses():
    """List the customer statuses in their order, with how many companies use each."""
    return _list_page(StatusForm(formdata=None))


@bp.post("/statuses/new")
@role_required("admin")
def statuses_create():
    """Create a status at the end of the order."""
    form = StatusForm()
    if form.validate_on_submit():
        try:
            status = create_status(form.name.data, form.kind.data, form.colour.data, current_user)
        except ConfigError as error:
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Created the status %(name)s.", name=status.name), "success")
            return _back_to_list(status)
    return _list_page(form, status=422)


@bp.route("/statuses/<int:status_id>", methods=["GET", "POST"])
@role_required("admin")
def statuses_edit(status_id):
    """Rename a status, change its kind or colour."""
    status = db.get_or_404(Status, status_id)
    form = StatusForm(obj=status)
    if form.validate_on_submit():
        try:
            update_status(status, form.name.data, form.kind.data, form.colour.data, current_user)
        except ConfigError as error:
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved the status %(name)s.", name=status.name), "success")
            return _back_to_list(status)
    return render(
        "admin/statuses_edit.html",
        form=form,
        item=status,
        used=status_usage().get(status.id, 0),
        confirm_form=ConfirmForm(),
        status=422 if form.errors else 200,
    )


@bp.post("/statuses/<int:status_id>/move")
@role_required("admin")
def statuses_move(status_id):
    """Move a status one place up or down."""
    status = db.get_or_404(Status, status_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    if move_status(status, form.direction.data, current_user):
        db.session.commit()
    return _back_to_list(status)


@bp.post("/statuses/<int:status_id>/active")
@role_required("admin")
def statuses_toggle(status_id):
    """Retire a status (no longer offered, kept where used) or reactivate it."""
    status = db.get_or_404(Status, status_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    set_status_active(status, not status.active, current_user)
    db.session.commit()
    if status.active:
        flash(_("%(name)s is offered again.", name=status.name), "success")
    else:
        flash(
            _(
                "%(name)s is retired: no longer offered; companies that have it keep it.",
                name=status.name,
            ),
            "success",
        )
    return _back_to_list(status)


@bp.post("/statuses/<int:status_id>/delete")
@role_required("admin")
def statuses_delete(status_id):
    """Delete a status that no company uses."""
    status = db.get_or_404(Status, status_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = status.name
    try:
        delete_status(status, current_user)
    except ConfigError as error:
        flash(str(error), "error")
        return _back_to_list(status)
    db.session.commit()
    flash(_("Deleted the status %(name)s.", name=name), "success")
    return _back_to_list()
