"""The import's forms: the upload, and the fixed part of the mapping form.

The mapping page's per-column and per-value selects depend on the file; the view reads them
from the request itself (see views._posted_mapping), and the form below carries the CSRF
token and the options.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import AnyOf, Length, Optional

from webapp.forms import choices
from webapp.models.imports import IMPORT_KINDS

KIND_HELP = {
    "companies": _l("Customer cards: name, CVR, address, status, owner, groups."),
    "contacts": _l("People, linked to their company by its name or CVR number."),
    "deals": _l("Deals with stage, value, owner and outcome, linked to their company."),
    "activities": _l("Calls, meetings, e-mails and notes with date, author and text."),
}
NEAR_DUPLICATE_CHOICES = {
    "new": _l("create a new company"),
    "same": _l("update the company it looks like"),
    "skip": _l("skip the row"),
}


class UploadForm(FlaskForm):
    kind = RadioField(
        _l("What does the file hold?"), choices=choices(IMPORT_KINDS), default="companies"
    )
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to import."))])
    mapping = SelectField(_l("Saved mapping"), validate_choice=False)


class MappingForm(FlaskForm):
    """The options under the column table; the columns and values are read by the view."""

    update_existing = BooleanField(_l("Update records that already exist in Kanel"))
    create_options = BooleanField(_l("Create group options that Kanel does not have yet"))
    skip_errors = BooleanField(_l("Import the good rows and skip the rows with errors"))
    near_duplicates = SelectField(
        _l("A row that looks like an existing company, when you do not decide"),
        choices=choices(NEAR_DUPLICATE_CHOICES),
        validators=[AnyOf(list(NEAR_DUPLICATE_CHOICES))],
    )
    orphan_company = StringField(
        _l("Company for rows that name none"),
        validators=[Optional(), Length(max=200)],
    )
    default_status_id = SelectField(_l("Status of new companies without one"))
    save_as = StringField(_l("Save the mapping as"), validators=[Optional(), Length(max=120)])
    action = HiddenField()


class ConfirmForm(FlaskForm):
    """A confirmed POST (import, revert, discard, decision) with its CSRF token."""

    skip_errors = BooleanField(_l("Skip the rows with errors"))
