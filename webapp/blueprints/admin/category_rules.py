"""Administration of the A/B/C rules: list in order, add, edit, reorder, remove, recompute.

Every change that can move companies between categories is first shown as a dry count
("312 companies would change category: …") in a confirmation dialog; only the confirmed
post applies it and recomputes the companies.
"""

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import AnyOf, NumberRange, Optional, ValidationError

from webapp.blueprints.admin import bp
from webapp.extensions import db
from webapp.forms import choices
from webapp.htmx import hx_redirect, render, wants_fragment
from webapp.models.customer import CATEGORIES
from webapp.models.marketing import CategoryRule
from webapp.permissions import role_required
from webapp.services import categories as category_service
from webapp.services.statuses import ConfigError


class RuleForm(FlaskForm):
    industry_category = SelectField(
        _l("Industry"), choices=choices(category_service.INDUSTRY_CATEGORIES)
    )
    min_employees = IntegerField(
        _l("From employees"),
        validators=[Optional(), NumberRange(min=0, message=_l("Enter a number of 0 or more."))],
    )
    max_employees = IntegerField(
        _l("To employees"),
        validators=[Optional(), NumberRange(min=0, message=_l("Enter a number of 0 or more."))],
    )
    result = SelectField(_l("Category"), choices=choices((c, c) for c in CATEGORIES))
    confirm = HiddenField()

    def validate_min_employees(self, field):
        self._whole_number(field)

    def validate_max_employees(self, field):
        self._whole_number(field)
        low = self.min_employees.data
        if field.data is not None and low is not None and low > field.data:
            raise ValidationError(_l("The lowest number of employees is above the highest."))

    @staticmethod
    def _whole_number(field):
        if field.raw_data and field.raw_data[0].strip() and field.data is None:
            raise ValidationError(_l("Enter a whole number."))

    def values(self) -> dict:
        return {
            "industry_category": self.industry_category.data or None,
            "min_employees": self.min_employees.data,
            "max_employees": self.max_employees.data,
            "result": self.result.data,
        }


class RuleMoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])
    confirm = HiddenField()


class ConfirmedForm(FlaskForm):
    """A button with a CSRF token, confirmed or not."""

    confirm = HiddenField()


def confirm_page(heading, explanation, moves, action, fields, cancel_url, button):
    """Ask before a far-reaching change: what it does and how many companies it moves."""
    return render(
        "admin/category_rules_confirm.html",
        block="confirm_dialog",
        heading=heading,
        explanation=explanation,
        moves=moves,
        moves_text=category_service.moves_preview_text(moves),
        action=action,
        fields=fields,
        cancel_url=cancel_url,
        button=button,
        fragment=wants_fragment(),
    )


def apply_and_recompute(change, success_message: str):
    """Apply a confirmed change, recompute the companies, say what moved."""
    change()
    category_service.refresh_effective_categories()
    moves = category_service.recompute_categories(current_user)
    db.session.commit()
    flash(success_message + " " + category_service.moves_summary(moves), "success")
    return moves


def _retarget_form(response):
    """An htmx form post aimed at the dialog: show its errors in the form instead."""
    if wants_fragment() and response.status_code == 422:
        response.headers["HX-Retarget"] = "#rule-form"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def _list_page(form, status=200):
    rules = category_service.ordered_rules(active_only=False)
    response = render(
        "admin/category_rules.html",
        block="rule_form" if status == 422 else None,
        rules=rules,
        describe=category_service.describe_rule,
        counts=category_service.category_counts(),
        form=form,
        move_form=RuleMoveForm(),
        confirm_form=ConfirmedForm(),
        status=status,
    )
    return _retarget_form(response)


def _confirmed(form) -> bool:
    return form.confirm.data == "1"


def _back(rule_id=None):
    anchor = f"rule-{rule_id}" if rule_id else None
    return hx_redirect(url_for("admin.category_rules", _anchor=anchor))


def _rule_fields(form) -> list[tuple[str, str]]:
    return [(name, request.form.get(name, "")) for name in category_service.RULE_FIELDS]


@bp.get("/category-rules")
@role_required("admin")
def category_rules():
    """List the A/B/C rules in order, in plain words, with the current category mix."""
    return _list_page(RuleForm(formdata=None))


@bp.post("/category-rules/new")
@role_required("admin")
def category_rules_create():
    """Add a rule at the end, after showing how many companies it would move."""
    form = RuleForm()
    if not form.validate_on_submit():
        return _list_page(form, status=422)
    values = form.values()
    try:
        category_service.clean_rule(values)
    except ConfigError as error:
        getattr(form, error.field or "result").errors.append(str(error))
        return _list_page(form, status=422)
    if not _confirmed(form):
        moves = category_service.preview_moves(
            lambda: category_service.create_rule(values, current_user)
        )
        probe = CategoryRule(**values)
        return confirm_page(
            _("Add the rule “%(rule)s”?", rule=category_service.describe_rule(probe)),
            _("It goes last: it applies to the companies no earlier rule matches."),
            moves,
            url_for("admin.category_rules_create"),
            _rule_fields(form),
            url_for("admin.category_rules"),
            _("Add the rule and recompute"),
        )
    holder = {}

    def change():
        holder["rule"] = category_service.create_rule(values, current_user)

    apply_and_recompute(change, _("Added the rule."))
    return _back(holder["rule"].id)


@bp.route("/category-rules/<int:rule_id>", methods=["GET", "POST"])
@role_required("admin")
def category_rules_edit(rule_id):
    """Change a rule's industry, band or result, after a dry count."""
    rule = db.get_or_404(CategoryRule, rule_id)
    form = RuleForm(obj=rule)
    if request.method == "GET":
        form.industry_category.data = rule.industry_category or ""
    if form.validate_on_submit():
        values = form.values()
        try:
            category_service.clean_rule(values)
        except ConfigError as error:
            getattr(form, error.field or "result").errors.append(str(error))
        else:
            if not _confirmed(form):
                moves = category_service.preview_moves(
                    lambda: category_service.update_rule(rule, values, current_user)
                )
                probe = CategoryRule(**values)
                return confirm_page(
                    _("Change the rule to “%(rule)s”?", rule=category_service.describe_rule(probe)),
                    _("Now: %(rule)s.", rule=category_service.describe_rule(rule)),
                    moves,
                    url_for("admin.category_rules_edit", rule_id=rule.id),
                    _rule_fields(form),
                    url_for("admin.category_rules_edit", rule_id=rule.id),
                    _("Save and recompute"),
                )
            apply_and_recompute(
                lambda: category_service.update_rule(rule, values, current_user),
                _("Saved the rule."),
            )
            return _back(rule.id)
    response = render(
        "admin/category_rules_edit.html",
        block="rule_form" if form.errors else None,
        form=form,
        rule=rule,
        describe=category_service.describe_rule,
        status=422 if form.errors else 200,
    )
    return _retarget_form(response)


@bp.post("/category-rules/<int:rule_id>/move")
@role_required("admin")
def category_rules_move(rule_id):
    """Move a rule one place up or down: an earlier rule wins."""
    rule = db.get_or_404(CategoryRule, rule_id)
    form = RuleMoveForm()
    if not form.validate_on_submit():
        abort(400)
    direction = form.direction.data
    if not _confirmed(form):
        moves = category_service.preview_moves(
            lambda: category_service.move_rule(rule, direction, current_user)
        )
        if moves.total:
            return confirm_page(
                _(
                    "Move the rule “%(rule)s” %(way)s?",
                    rule=category_service.describe_rule(rule),
                    way=_("up") if direction == "up" else _("down"),
                ),
                _("The first rule that matches a company decides its category."),
                moves,
                url_for("admin.category_rules_move", rule_id=rule.id),
                [("direction", direction)],
                url_for("admin.category_rules"),
                _("Move and recompute"),
            )
    apply_and_recompute(
        lambda: category_service.move_rule(rule, direction, current_user), _("Moved the rule.")
    )
    return _back(rule.id)


@bp.post("/category-rules/<int:rule_id>/delete")
@role_required("admin")
def category_rules_delete(rule_id):
    """Remove a rule, after a dry count."""
    rule = db.get_or_404(CategoryRule, rule_id)
    form = ConfirmedForm()
    if not form.validate_on_submit():
        abort(400)
    if not _confirmed(form):
        moves = category_service.preview_moves(
            lambda: category_service.delete_rule(rule, current_user)
        )
        return confirm_page(
            _("Remove the rule “%(rule)s”?", rule=category_service.describe_rule(rule)),
            _("Companies it matched are given to the next rule that matches them."),
            moves,
            url_for("admin.category_rules_delete", rule_id=rule.id),
            [],
            url_for("admin.category_rules"),
            _("Remove and recompute"),
        )
    apply_and_recompute(
        lambda: category_service.delete_rule(rule, current_user), _("Removed the rule.")
    )
    return _back()


@bp.post("/category-rules/recompute")
@role_required("admin")
def category_rules_recompute():
    """Recompute every company's category from the rules as they stand, after a dry count."""
    form = ConfirmedForm()
    if not form.validate_on_submit():
        abort(400)
    if not _confirmed(form):
        moves = category_service.category_moves()
        return confirm_page(
            _("Recompute the categories of all companies?"),
            _("Every company not set by hand gets the category its industry and headcount give."),
            moves,
            url_for("admin.category_rules_recompute"),
            [],
            url_for("admin.category_rules"),
            _("Recompute"),
        )
    apply_and_recompute(lambda: None, _("Recomputed."))
    return _back()
