"""Forms for companies and contacts."""

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
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from webapp.forms import choices
from webapp.models.customer import CATEGORIES
from webapp.services.companies import (
    InvalidValue,
    clean_country,
    clean_cvr,
    clean_email,
    clean_phone,
    clean_website,
)
from webapp.services.industries import find_by_text, label_for_id


def cleaned(clean):
    """A validator that runs a service's clean function and keeps its tidy result."""

    def validator(form, field):
        try:
            result = clean(field.data)
        except InvalidValue as error:
            raise ValidationError(str(error)) from error
        if clean is not clean_website:
            field.data = result

    return validator


class CompanyForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the company's name.")), Length(max=200)],
    )
    cvr = StringField(_l("CVR number"), validators=[cleaned(clean_cvr)])
    street = StringField(_l("Street"), validators=[Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Length(max=12)])
    city = StringField(_l("City"), validators=[Length(max=100)])
    country = StringField(_l("Country"), default="DK", validators=[cleaned(clean_country)])
    website = StringField(_l("Website"), validators=[Length(max=255), cleaned(clean_website)])
    phone = StringField(_l("Phone"), validators=[cleaned(clean_phone)])
    email = StringField(_l("E-mail"), validators=[Length(max=254), cleaned(clean_email)])
    employees = IntegerField(
        _l("Employees"),
        validators=[
            Optional(),
            NumberRange(min=0, max=10_000_000, message=_l("Enter a number of 0 or more.")),
        ],
    )
    industry = StringField(_l("Industry"), validators=[Length(max=300)])
    industry_id = HiddenField()
    category = SelectField(_l("Category"))
    category_manual = BooleanField(_l("Category set by hand"))
    status_id = SelectField(_l("Status"), validators=[DataRequired(_l("Choose a status."))])
    owner_id = SelectField(_l("Owner"))
    notes = TextAreaField(_l("Notes"))
    version = HiddenField()
    create_anyway = HiddenField()

    def __init__(self, *args, statuses=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = choices([("", _l("— none —")), *((c, c) for c in CATEGORIES)])
        self.status_id.choices = choices((s.id, s.name) for s in statuses)
        self.owner_id.choices = choices([("", _l("— nobody —")), *((u.id, u.name) for u in owners)])
        self.chosen_industry_id = None
        if self.industry.data is None and self.industry_id.data:
            self.industry.data = label_for_id(_as_int(self.industry_id.data))

    def validate_industry(self, field):
        """The picked industry, or the one the typed text names by its code or words."""
        text = " ".join((field.data or "").split())
        picked = _as_int(self.industry_id.data)
        if not text:
            self.chosen_industry_id = None
            return
        label = label_for_id(picked) if picked else ""
        if label and text.split(" ", 1)[0] == label.split(" ", 1)[0]:
            self.chosen_industry_id = picked
            return
        industry, found = find_by_text(text)
        if not found or industry is None:
            raise ValidationError(
                _l("Pick an industry from the list, or type its code (like 62.01).")
            )
        self.chosen_industry_id = industry.id
        field.data = label_for_id(industry.id)

    def validate_employees(self, field):
        if field.raw_data and field.raw_data[0].strip() and field.data is None:
            raise ValidationError(_l("Enter a whole number."))

    def company_data(self) -> dict:
        """The cleaned values, as the company service takes them."""
        return {
            "name": self.name.data.strip(),
            "cvr": self.cvr.data or None,
            "street": (self.street.data or "").strip() or None,
            "postcode": (self.postcode.data or "").strip() or None,
            "city": (self.city.data or "").strip() or None,
            "country": self.country.data or "DK",
            "website": self.website.data or None,
            "phone": self.phone.data or None,
            "email": self.email.data or None,
            "industry_id": self.chosen_industry_id,
            "employees": self.employees.data,
            "category": self.category.data or None,
            "category_manual": bool(self.category_manual.data),
            "status_id": int(self.status_id.data),
            "owner_id": int(self.owner_id.data) if self.owner_id.data else None,
            "notes": (self.notes.data or "").strip() or None,
        }


def _as_int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class ContactForm(FlaskForm):
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Enter the person's first name.")), Length(max=100)],
    )
    last_name = StringField(_l("Last name"), validators=[Length(max=100)])
    title = StringField(_l("Title"), validators=[Length(max=120)])
    email = StringField(_l("E-mail"), validators=[Length(max=254), cleaned(clean_email)])
    phone = StringField(_l("Phone"), validators=[cleaned(clean_phone)])
    marketing_consent = BooleanField(_l("Agrees to receive marketing"))
    consent_source = StringField(
        _l("Consent given how"), validators=[Length(max=120)], description=""
    )
    version = HiddenField()

    def contact_data(self) -> dict:
        return {
            "first_name": self.first_name.data.strip(),
            "last_name": (self.last_name.data or "").strip(),
            "title": (self.title.data or "").strip() or None,
            "email": self.email.data or None,
            "phone": self.phone.data or None,
            "marketing_consent": bool(self.marketing_consent.data),
            "consent_source": (self.consent_source.data or "").strip() or None,
        }


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""
