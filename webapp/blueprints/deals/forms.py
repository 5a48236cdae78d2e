"""Forms for deals: create and edit, win, lose, confirm."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from webapp.forms import choices
from webapp.services.deals import InvalidAmount, parse_amount


class AmountField(StringField):
    """An amount typed as the user's locale writes it; `.amount` holds the Decimal."""

    amount = None

    def pre_validate(self, form):
        self.amount = None
        try:
            self.amount = parse_amount(self.data)
        except InvalidAmount as error:
            raise ValidationError(str(error)) from error


class DealForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the deal a title.")), Length(max=200)]
    )
    value = AmountField(_l("Value (DKK)"))
    owner_id = SelectField(_l("Owner"))
    expected_close = DateField(_l("Expected close"), validators=[Optional()])
    stage_id = SelectField(_l("Stage"), validators=[DataRequired(_l("Choose a stage."))])
    probability_override = IntegerField(
        _l("Probability (%)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100.")),
        ],
    )
    campaign_id = SelectField(_l("Campaign"))
    version = HiddenField()

    def __init__(self, *args, owners=(), stages=(), offered_stages=None, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {str(u.id): u for u in owners}
        self.stages = {str(s.id): s for s in stages}
        self.owner_id.choices = choices(
            [("", _l("— nobody —")), *((k, u.name) for k, u in self.owners.items())]
        )
        self.owner_id.invalid_choice_message = _l("Choose an active user.")
        offered = stages if offered_stages is None else offered_stages
        self.stage_id.choices = choices((s.id, s.name) for s in offered)
        # Every active stage is accepted here, so the pipeline's gate can say why it refuses one.
        self.stage_id.validate_choice = False
        if campaigns:
            self.campaign_id.choices = choices(
                [("", _l("— no campaign —")), *((c.id, c.name) for c in campaigns)]
            )
            self.campaign_id.invalid_choice_message = _l("Choose one of the campaigns.")
        else:
            del self.campaign_id

    def validate_stage_id(self, field):
        if field.data and field.data not in self.stages:
            raise ValidationError(_l("Choose one of the active stages."))

    def validate_probability_override(self, field):
        if field.raw_data and field.raw_data[0].strip() and field.data is None:
            raise ValidationError(_l("Enter a whole number from 0 to 100."))

    def validate_value(self, field):
        if field.amount is None and not field.errors:
            raise ValidationError(_l("Enter the deal's value."))

    @property
    def stage(self):
        return self.stages.get(self.stage_id.data or "")

    @property
    def owner(self):
        return self.owners.get(self.owner_id.data or "")

    @property
    def campaign(self):
        return (
            int(self.campaign_id.data) if "campaign_id" in self and self.campaign_id.data else None
        )


class WinForm(FlaskForm):
    value = AmountField(_l("Final value (DKK)"))
    closed_on = DateField(
        _l("Won on"), validators=[DataRequired(_l("Give the date the deal was won."))]
    )
    version = HiddenField()

    def validate_value(self, field):
        if field.amount is None and not field.errors:
            raise ValidationError(_l("Enter the final value."))


class LoseForm(FlaskForm):
    reason_id = RadioField(_l("Why was it lost?"), validate_choice=False)
    competitor_id = SelectField(_l("Which competitor won it?"), validate_choice=False)
    version = HiddenField()

    def __init__(self, *args, reasons=(), competitors=(), competitor_reason_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons = {str(s.id): s for s in reasons}
        self.competitors = {str(o.id): o for o in competitors}
        self.competitor_reason_id = str(competitor_reason_id) if competitor_reason_id else None
        self.reason_id.choices = choices((k, s.name) for k, s in self.reasons.items())
        self.competitor_id.choices = choices(
            [("", _l("— choose —")), *((k, o.label) for k, o in self.competitors.items())]
        )

    def validate_reason_id(self, field):
        if field.data not in self.reasons:
            raise ValidationError(_l("Choose why the deal was lost."))

    def validate_competitor_id(self, field):
        if field.data and field.data not in self.competitors:
            raise ValidationError(_l("Choose one of the competitors."))
        if (
            self.competitor_reason_id
            and self.reason_id.data == self.competitor_reason_id
            and not field.data
        ):
            raise ValidationError(_l("Choose the competitor that won the deal."))

    @property
    def reason(self):
        return self.reasons.get(self.reason_id.data or "")

    @property
    def competitor(self):
        return self.competitors.get(self.competitor_id.data or "")


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""

    version = HiddenField()
