"""Forms for the configuration the admin owns: statuses, groups, options and automation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, Regexp

from webapp.forms import choices
from webapp.models.customer import STATUS_KINDS
from webapp.models.group import APPLIES_TO


class StatusForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter a name for the status.")), Length(max=80)]
    )
    kind = SelectField(_l("Kind"), choices=choices(STATUS_KINDS))
    colour = StringField(
        _l("Colour"),
        default="#6b7280",
        validators=[Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Choose a colour like #2563eb."))],
        render_kw={"type": "color"},
    )


class MoveForm(FlaskForm):
    """Move a row one place up or down."""

    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class GroupForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter a name for the group.")), Length(max=80)]
    )
    help_text = TextAreaField(
        _l("Help text"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2}
    )
    multiple = SelectField(
        _l("Choice"),
        choices=choices([("0", _l("Single choice")), ("1", _l("Multiple choice"))]),
    )
    applies_to = SelectField(_l("Applies to"), choices=choices(APPLIES_TO))
    required_from = SelectField(_l("Required from"))
    key = StringField(
        _l("Key"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(
                r"^[A-Za-z0-9_]+$",
                message=_l("Use only letters, digits and underscores in the key."),
            ),
        ],
    )
    active = BooleanField(_l("Active: shown on cards"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.required_from.choices = choices([("", _l("— not required —")), *STATUS_KINDS.items()])

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "help_text": self.help_text.data,
            "multiple": self.multiple.data == "1",
            "applies_to": self.applies_to.data,
            "required_from": self.required_from.data or None,
            "key": self.key.data,
            "active": self.active.data,
        }


class OptionForm(FlaskForm):
    label = StringField(
        _l("New option"),
        validators=[DataRequired(_l("Enter the option's label.")), Length(max=120)],
    )


class AutomationForm(FlaskForm):
    enabled = BooleanField(_l("Create the task when a company becomes a customer"))
    assignee = SelectField(_l("Assign the task to"))
    delay_days = IntegerField(
        _l("Due after (days)"),
        validators=[
            DataRequired(_l("Enter a number of days from 1 to 365.")),
            NumberRange(min=1, max=365, message=_l("Enter a number of days from 1 to 365.")),
        ],
        render_kw={"min": 1, "max": 365},
    )
    subject = StringField(
        _l("Task subject"),
        validators=[DataRequired(_l("Enter the task's subject.")), Length(max=200)],
    )
