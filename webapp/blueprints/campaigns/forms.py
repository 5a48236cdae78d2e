"""Campaign forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.forms import choices
from webapp.services.campaigns import CampaignData, InvalidAmount, parse_cost


def _unreadable_date(field):
    """Replace WTForms' own message for a date it could not read with ours."""
    if field.raw_data and field.raw_data[0].strip() and field.data is None:
        field.errors.clear()
        raise ValidationError(_l("Enter a date like 2026-11-27."))


class CampaignForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the campaign a name.")), Length(max=160)]
    )
    channel_option_id = SelectField(_l("Channel"))
    cost = StringField(_l("Cost (DKK)"))
    starts_on = DateField(
        _l("Starts"), validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"}
    )
    ends_on = DateField(
        _l("Ends"), validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"}
    )
    description = TextAreaField(_l("Description"), render_kw={"rows": 4})
    segment_id = SelectField(_l("Companies: from a segment"))
    version = HiddenField()

    def __init__(self, *args, channels=(), segments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel_option_id.choices = choices(
            [("", _l("— no channel —")), *((o.id, o.label) for o in channels)]
        )
        self.channel_option_id.invalid_choice_message = _l("Choose one of the lead sources.")
        if segments is None:
            del self.segment_id
        else:
            self.segment_id.choices = choices(
                [("", _l("— none, add them later —")), *((s.id, s.name) for s in segments)]
            )
            self.segment_id.invalid_choice_message = _l("Choose one of the segments.")
        self._cost = None

    def validate_cost(self, field):
        try:
            self._cost = parse_cost(field.data)
        except InvalidAmount as error:
            raise ValidationError(str(error)) from error

    def validate_starts_on(self, field):
        _unreadable_date(field)

    def validate_ends_on(self, field):
        _unreadable_date(field)
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The campaign cannot end before it starts."))

    def campaign_data(self) -> CampaignData:
        segment = "segment_id" in self and self.segment_id.data
        return CampaignData(
            name=self.name.data,
            channel_option_id=int(self.channel_option_id.data)
            if self.channel_option_id.data
            else None,
            cost=self._cost if self._cost is not None else parse_cost(self.cost.data),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            description=self.description.data,
            segment_id=int(segment) if segment else None,
        )


class ConfirmForm(FlaskForm):
    """A button-only form: carries the CSRF token of a confirmed action."""
