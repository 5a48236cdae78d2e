"""Users of Kanel: who they are, what they may do, which language they read."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db

ROLES = {"admin": _l("Administrator"), "manager": _l("Manager"), "employee": _l("Employee")}
DEPARTMENTS = {
    "sales": _l("Sales"),
    "service": _l("Service"),
    "consulting": _l("Consulting"),
    "development": _l("Development"),
    "marketing": _l("Marketing"),
    "management": _l("Management"),
}
# What each role may do includes what the roles after it may do.
ROLE_RANK = {"employee": 0, "manager": 1, "admin": 2}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint("role IN ('admin', 'manager', 'employee')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="employee", index=True)
    department: Mapped[str | None] = mapped_column(String(20), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"

    @validates("email")
    def _normalise_email(self, key, value: str) -> str:
        return normalise_email(value)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def has_role(self, role: str) -> bool:
        """True when this user's role is `role` or a more powerful one."""
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_label(self) -> str:
        return str(ROLES.get(self.role, self.role))

    @property
    def department_label(self) -> str:
        return str(DEPARTMENTS.get(self.department, "")) if self.department else ""


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()
