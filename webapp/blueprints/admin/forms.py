"""Forms for the administration of users."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from webapp.blueprints.auth.forms import MIN_PASSWORD_LENGTH, language_choices
from webapp.forms import choices
from webapp.models.user import DEPARTMENTS, ROLES


def _new_password_validators(required=True):
    return [
        DataRequired(_l("Enter a password.")) if required else Optional(),
        Length(
            min=MIN_PASSWORD_LENGTH,
            message=_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
        ),
    ]


class UserForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)]
    )
    role = SelectField(_l("Role"), choices=choices(ROLES))
    department = SelectField(_l("Department"))
    language = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = choices([("", _l("— none —")), *DEPARTMENTS.items()])
        self.language.choices = choices([("", _l("— browser's choice —")), *language_choices()])


class NewUserForm(UserForm):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Email(_l("That is not a valid e-mail address.")),
            Length(max=254),
        ],
    )
    password = PasswordField(_l("Password"), validators=_new_password_validators())


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=_new_password_validators())


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""
