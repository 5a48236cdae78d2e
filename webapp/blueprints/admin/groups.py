"""Administration of groups (admin-defined dropdown fields) and their options."""

from flask import abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.config_forms import GroupForm, MoveForm, OptionForm
from webapp.blueprints.admin.forms import ConfirmForm
from webapp.extensions import db
from webapp.htmx import hx_redirect, render
from webapp.models.customer import STATUS_KINDS
from webapp.models.group import APPLIES_TO, Group, GroupOption
from webapp.permissions import role_required
from webapp.services.groups import (
    add_option,
    create_group,
    group_options,
    move_group,
    move_option,
    option_counts,
    ordered_groups,
    rename_option,
    set_option_active,
    update_group,
)
from webapp.services.statuses import ConfigError


def get_option_or_404(group: Group, option_id: int) -> GroupOption:
    option = db.session.get(GroupOption, option_id)
    if option is None or option.group_id != group.id:
        abort(404)
    return option


def _group_page(group, form, option_form=None, rename_forms=None, status=200):
    options = group_options(group) if group else []
    forms = {
        o.id: OptionForm(formdata=None, prefix=f"option-{o.id}", label=o.label) for o in options
    }
    forms.update(rename_forms or {})
    return render(
        "admin/groups_edit.html",
        group=group,
        form=form,
        options=options,
        option_form=option_form or OptionForm(formdata=None),
        rename_forms=forms,
        move_form=MoveForm(),
        confirm_form=ConfirmForm(),
        status=status,
    )


def _back_to_group(group, anchor=None):
    return hx_redirect(url_for("admin.group_edit", group_id=group.id, _anchor=anchor))


def _form_for(group: Group) -> GroupForm:
    form = GroupForm(obj=group)
    if not form.is_submitted():
        form.multiple.data = "1" if group.multiple else "0"
        form.required_from.data = group.required_from or ""
        form.key.data = group.key or ""
    return form


@bp.get("/groups")
@role_required("admin")
def groups():
    """List the groups in their order with their rules."""
    return render(
        "admin/groups.html",
        groups=ordered_groups(),
        counts=option_counts(),
        move_form=MoveForm(),
        applies_to_labels=APPLIES_TO,
        kind_labels=STATUS_KINDS,
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@role_required("admin")
def group_new():
    """Create a group; its options are added on the group's page."""
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = create_group(form.values(), current_user)
        except ConfigError as error:
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Created the group %(name)s. Now add its options.", name=group.name), "success")
            return _back_to_group(group, "options")
    return _group_page(None, form, status=422 if form.errors else 200)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@role_required("admin")
def group_edit(group_id):
    """Change a group's name, help text, choice, rules, key and active flag; list its options."""
    group = db.get_or_404(Group, group_id)
    form = _form_for(group)
    if form.validate_on_submit():
        try:
            update_group(group, form.values(), current_user)
        except ConfigError as error:
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved the group %(name)s.", name=group.name), "success")
            return _back_to_group(group)
    return _group_page(group, form, status=422 if form.errors else 200)


@bp.post("/groups/<int:group_id>/move")
@role_required("admin")
def group_move(group_id):
    """Move a group one place up or down (the order of the card's group section)."""
    group = db.get_or_404(Group, group_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    if move_group(group, form.direction.data, current_user):
        db.session.commit()
    return hx_redirect(url_for("admin.groups", _anchor=f"group-{group.id}"))


@bp.post("/groups/<int:group_id>/options")
@role_required("admin")
def group_option_add(group_id):
    """Add an option at the end of the group's list."""
    group = db.get_or_404(Group, group_id)
    form = OptionForm()
    if form.validate_on_submit():
        try:
            option = add_option(group, form.label.data, current_user)
        except ConfigError as error:
            form.label.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Added %(label)s.", label=option.label), "success")
            return _back_to_group(group, "options")
    return _group_page(group, _form_for(group), option_form=form, status=422)


@bp.post("/groups/<int:group_id>/options/<int:option_id>")
@role_required("admin")
def group_option_rename(group_id, option_id):
    """Rename an option; companies that chose it show the new label."""
    group = db.get_or_404(Group, group_id)
    option = get_option_or_404(group, option_id)
    form = OptionForm(prefix=f"option-{option.id}")
    if form.validate_on_submit():
        try:
            rename_option(option, form.label.data, current_user)
        except ConfigError as error:
            form.label.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Renamed to %(label)s.", label=option.label), "success")
            return _back_to_group(group, f"option-{option.id}")
    return _group_page(group, _form_for(group), rename_forms={option.id: form}, status=422)


@bp.post("/groups/<int:group_id>/options/<int:option_id>/move")
@role_required("admin")
def group_option_move(group_id, option_id):
    """Move an option one place up or down."""
    group = db.get_or_404(Group, group_id)
    option = get_option_or_404(group, option_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    if move_option(option, form.direction.data, current_user):
        db.session.commit()
    return _back_to_group(group, f"option-{option.id}")


@bp.post("/groups/<int:group_id>/options/<int:option_id>/active")
@role_required("admin")
def group_option_toggle(group_id, option_id):
    """Retire an option (kept where chosen, no longer offered) or reactivate it."""
    group = db.get_or_404(Group, group_id)
    option = get_option_or_404(group, option_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    set_option_active(option, not option.active, current_user)
    db.session.commit()
    if option.active:
        flash(_("%(label)s is offered again.", label=option.label), "success")
    else:
        flash(
            _(
                "%(label)s is retired: no longer offered; companies that chose it keep it.",
                label=option.label,
            ),
            "success",
        )
    return _back_to_group(group, f"option-{option.id}")
