"""The form that logs and edits an activity; which fields count depends on the kind."""

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import choices
from webapp.models.activity import ACTIVITY_KINDS
from webapp.models.user import utcnow

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def local_now():
    """Now in the user's time zone, to the minute, as a naive value for datetime-local."""
    return to_user_timezone(utcnow()).replace(tzinfo=None, second=0, microsecond=0)


def as_local(value):
    return to_user_timezone(value).replace(tzinfo=None) if value is not None else None


class ActivityForm(FlaskForm):
    kind = RadioField(
        _l("Kind"),
        choices=choices(ACTIVITY_KINDS),
        default="note",
        validate_choice=True,
    )
    subject = StringField(_l("Subject"), validators=[Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[Length(max=20000)])
    contact_id = SelectField(_l("Contact"), default="")
    occurred_at = DateTimeLocalField(
        _l("Date and time"), format=DATETIME_LOCAL, validators=[Optional()]
    )
    attendees = MultiCheckboxField(_l("Attendees"), default=[])
    assignee_id = SelectField(_l("Assignee"), default="")
    due_date = DateField(_l("Due date"), validators=[Optional()])
    done = BooleanField(_l("Done"))
    version = HiddenField()
    # The deal the entry is logged on, if any (stage entry rules look for it).
    deal_id = HiddenField()

    def __init__(self, *args, contacts=(), users=(), deal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.deal = deal
        self.kind.invalid_choice_message = _l("Choose what kind of entry this is.")
        self.contacts = {str(c.id): c for c in contacts}
        self.users = {str(u.id): u for u in users}
        contact_pairs = [(key, c.name) for key, c in self.contacts.items()]
        self.contact_id.choices = choices([("", _l("— no contact —")), *contact_pairs])
        self.contact_id.invalid_choice_message = _l("Choose one of the company's contacts.")
        self.attendees.choices = choices(contact_pairs)
        self.attendees.invalid_choice_message = _l("Choose attendees among the company's contacts.")
        self.assignee_id.choices = choices(
            [("", _l("— choose —")), *((key, u.name) for key, u in self.users.items())]
        )
        self.assignee_id.invalid_choice_message = _l("Choose an active user.")

    def validate_deal_id(self, field):
        if (field.data or "") != (str(self.deal.id) if self.deal is not None else ""):
            raise ValidationError(_l("That deal is not one of this company's deals."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        kind = self.kind.data
        subject = (self.subject.data or "").strip()
        body = (self.body.data or "").strip()
        if kind == "task":
            if not subject:
                self.subject.errors.append(_l("Say what the task is."))
            if not self.assignee_id.data and not self.assignee_id.errors:
                self.assignee_id.errors.append(_l("Choose who does the task."))
            if self.due_date.data is None and not self.due_date.errors:
                self.due_date.errors.append(_l("Give the task a due date."))
        elif not subject and not body:
            self.body.errors.append(_l("Write a subject or some text."))
        if kind == "meeting" and self.occurred_at.data is None and not self.occurred_at.errors:
            self.occurred_at.errors.append(_l("Give the meeting's date and time."))
        return valid and not any(field.errors for field in self)

    def fill_from(self, activity):
        """Show an entry's stored values (the edit form)."""
        self.kind.data = activity.kind
        self.subject.data = activity.subject
        self.body.data = activity.body or ""
        self.contact_id.data = str(activity.contact_id) if activity.contact_id else ""
        self.occurred_at.data = as_local(activity.occurred_at)
        self.attendees.data = [str(c.id) for c in activity.attendees]
        self.assignee_id.data = str(activity.assignee_id) if activity.assignee_id else ""
        self.due_date.data = activity.due_date
        self.done.data = activity.done_at is not None
        self.version.data = str(activity.version)


class MinutesForm(FlaskForm):
    body = TextAreaField(_l("Minutes"), validators=[Length(max=20000)])
    version = HiddenField()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not (self.body.data or "").strip():
            self.body.errors.append(_l("Write the minutes before saving."))
            return False
        return valid


class DoneForm(FlaskForm):
    """Tick a task done (done=1) or open it again (done=0)."""

    done = HiddenField(default="1")
    view = HiddenField(default="entry")


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""
