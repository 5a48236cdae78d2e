"""The letter template form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.services.mailmerge import MAX_TEMPLATE_LENGTH


class LetterTemplateForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the letter a name.")), Length(max=120)]
    )
    letterhead = TextAreaField(
        _l("Letterhead"),
        validators=[Length(max=MAX_TEMPLATE_LENGTH)],
        render_kw={"rows": 4},
    )
    body = TextAreaField(
        _l("Letter"),
        validators=[
            DataRequired(_l("Write the letter.")),
            Length(max=MAX_TEMPLATE_LENGTH),
        ],
        render_kw={"rows": 16, "spellcheck": "true"},
    )
    version = HiddenField()


class ConfirmForm(FlaskForm):
    """A button-only form: carries the CSRF token of a confirmed action."""
