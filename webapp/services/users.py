"""Creating and changing users: used by the admin pages and the command line."""

from flask_babel import gettext as _
from sqlalchemy import select

from webapp.extensions import db
from webapp.models.user import DEPARTMENTS, ROLES, User, normalise_email


class UserError(ValueError):
    """A user could not be created or changed; the message says why."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(*, email, name, role="employee", password, department=None, language=None):
    """Create a user, refusing a taken e-mail address or an unknown role."""
    if role not in ROLES:
        raise UserError(
            _("Unknown role %(role)s; choose one of %(roles)s.", role=role, roles=", ".join(ROLES))
        )
    if department and department not in DEPARTMENTS:
        raise UserError(
            _(
                "Unknown department %(department)s; choose one of %(departments)s.",
                department=department,
                departments=", ".join(DEPARTMENTS),
            )
        )
    if find_user_by_email(email) is not None:
        raise UserError(
            _("A user with the e-mail %(email)s already exists.", email=normalise_email(email))
        )
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        department=department or None,
        language=language or None,
        active=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
