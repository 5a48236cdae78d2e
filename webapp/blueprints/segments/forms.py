"""Forms of the segments blueprint (the filters themselves are read by the segments service)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class SegmentForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the segment a name.")), Length(max=120)]
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    shared = BooleanField(_l("Shared with everyone"), default=True)
    version = HiddenField()


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""
