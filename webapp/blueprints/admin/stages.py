"""Administration of the pipeline stages: order, probability, colour, rot days, entry rules."""

from flask import abort, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.config_forms import MoveForm
from webapp.blueprints.admin.forms import ConfirmForm
from webapp.extensions import db
from webapp.forms import choices
from webapp.htmx import hx_redirect, render
from webapp.models.activity import ACTIVITY_KINDS
from webapp.models.pipeline import Stage, StageRequirement
from webapp.permissions import role_required
from webapp.services import stages as service
from webapp.services.statuses import ConfigError


class StageForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter a name for the stage.")), Length(max=80)]
    )
    probability = IntegerField(
        _l("Probability (%)"),
        default=10,
        validators=[
            InputRequired(_l("Enter a probability from 0 to 100.")),
            NumberRange(min=0, max=100, message=_l("Enter a probability from 0 to 100.")),
        ],
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
    )
    colour = StringField(
        _l("Colour"),
        default="#6b7280",
        validators=[Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Choose a colour like #2563eb."))],
        render_kw={"type": "color"},
    )
    rot_days = IntegerField(
        _l("Days before a deal rots"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=3650,
                message=_l("Enter a number of days from 1 to 3650, or leave it empty."),
            ),
        ],
        render_kw={"min": 1, "max": 3650, "inputmode": "numeric"},
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RequirementForm(FlaskForm):
    kinds = MultiCheckboxField(_l("Any of these activities"), choices=choices(ACTIVITY_KINDS))
    with_contact = BooleanField(_l("with a contact"))
    with_minutes = BooleanField(_l("held, with minutes written"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds.invalid_choice_message = _l("Tick at least one kind of activity.")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.kinds.data and not self.kinds.errors:
            self.kinds.errors.append(_l("Tick at least one kind of activity."))
            return False
        return valid


def _back_to_list(stage: Stage | None = None):
    anchor = f"stage-{stage.id}" if stage is not None else None
    return hx_redirect(url_for("admin.stages", _anchor=anchor))


def _list_page(form, status=200):
    return render(
        "admin/stages.html",
        stages=service.all_stages(),
        open_deals=service.open_deal_counts(),
        describe=service.describe_rule,
        form=form,
        confirm_form=ConfirmForm(),
        move_form=MoveForm(),
        status=status,
    )


def _edit_page(stage, form=None, rule_form=None, status=200):
    if form is None:
        form = StageForm(obj=stage)
    return render(
        "admin/stages_edit.html",
        item=stage,
        form=form,
        rule_form=rule_form or RequirementForm(formdata=None),
        open_deals=service.open_deal_counts().get(stage.id, 0),
        describe=service.describe_rule,
        confirm_form=ConfirmForm(),
        status=status,
    )


def _field_error(form, error: ConfigError):
    getattr(form, error.field or "name").errors.append(str(error))


@bp.get("/stages")
@role_required("admin")
def stages():
    """List the pipeline stages in board order, with their entry rules in words."""
    return _list_page(StageForm(formdata=None))


@bp.post("/stages/new")
@role_required("admin")
def stages_create():
    """Add a stage at the end of the board."""
    form = StageForm()
    if form.validate_on_submit():
        try:
            stage = service.create_stage(
                form.name.data,
                form.probability.data,
                form.colour.data,
                form.rot_days.data,
                current_user,
            )
        except ConfigError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Created the stage %(name)s.", name=stage.name), "success")
            return _back_to_list(stage)
    return _list_page(form, status=422)


@bp.route("/stages/<int:stage_id>", methods=["GET", "POST"])
@role_required("admin")
def stages_edit(stage_id):
    """Rename a stage, change its probability, colour or rot days; manage its entry rules."""
    stage = db.get_or_404(Stage, stage_id)
    form = StageForm(obj=stage)
    if form.validate_on_submit():
        try:
            changed = service.update_stage(
                stage,
                form.name.data,
                form.probability.data,
                form.colour.data,
                form.rot_days.data,
                current_user,
            )
        except ConfigError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            if changed:
                flash(_("Saved the stage %(name)s.", name=stage.name), "success")
            else:
                flash(_("Nothing changed."), "info")
            return _back_to_list(stage)
    return _edit_page(stage, form, status=422 if form.errors else 200)


@bp.post("/stages/<int:stage_id>/move")
@role_required("admin")
def stages_move(stage_id):
    """Move a stage one place up or down the board."""
    stage = db.get_or_404(Stage, stage_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    if service.move_stage(stage, form.direction.data, current_user):
        db.session.commit()
    return _back_to_list(stage)


@bp.post("/stages/<int:stage_id>/active")
@role_required("admin")
def stages_toggle(stage_id):
    """Retire a stage without open deals (no longer a column), or bring it back."""
    stage = db.get_or_404(Stage, stage_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.set_stage_active(stage, not stage.active, current_user)
    except ConfigError as error:
        flash(str(error), "error")
        return _back_to_list(stage)
    db.session.commit()
    if stage.active:
        flash(_("%(name)s is a column on the board again.", name=stage.name), "success")
    else:
        flash(
            _(
                "%(name)s is retired: no longer a column; closed deals that passed it keep it.",
                name=stage.name,
            ),
            "success",
        )
    return _back_to_list(stage)


@bp.post("/stages/<int:stage_id>/rules")
@role_required("admin")
def stages_rule_add(stage_id):
    """Add an entry rule: what must be logged before a deal may enter the stage."""
    stage = db.get_or_404(Stage, stage_id)
    rule_form = RequirementForm()
    if rule_form.validate_on_submit():
        try:
            requirement = service.add_requirement(
                stage,
                rule_form.kinds.data,
                rule_form.with_contact.data,
                rule_form.with_minutes.data,
                current_user,
            )
        except ConfigError as error:
            rule_form.kinds.errors.append(str(error))
        else:
            text = service.describe_rule(requirement)
            db.session.commit()
            flash(_("Added the rule: %(rule)s.", rule=text), "success")
            return hx_redirect(url_for("admin.stages_edit", stage_id=stage.id, _anchor="rules"))
    return _edit_page(stage, rule_form=rule_form, status=422)


@bp.post("/stages/<int:stage_id>/rules/<int:rule_id>/delete")
@role_required("admin")
def stages_rule_remove(stage_id, rule_id):
    """Remove an entry rule from a stage."""
    stage = db.get_or_404(Stage, stage_id)
    requirement = db.session.get(StageRequirement, rule_id)
    if requirement is None or requirement.stage_id != stage.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    text = service.describe_rule(requirement)
    service.remove_requirement(requirement, current_user)
    db.session.commit()
    flash(_("Removed the rule: %(rule)s.", rule=text), "success")
    return hx_redirect(url_for("admin.stages_edit", stage_id=stage.id, _anchor="rules"))
