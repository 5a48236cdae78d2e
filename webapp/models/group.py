"""Admin-defined groups (dropdown fields), their options, and the values chosen on cards."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.user import User, utcnow

APPLIES_TO = {"company": _l("Companies"), "deal": _l("Deals")}


class Group(db.Model):
    __tablename__ = "field_group"  # "group" is an SQL keyword
    __table_args__ = (
        CheckConstraint("applies_to IN ('company', 'deal')", name="applies_to"),
        CheckConstraint(
            "required_from IS NULL OR required_from IN "
            "('prospect', 'customer', 'former_customer', 'inactive')",
            name="required_from",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable handle reports use (lead_source, competitor, satisfaction, ...).
    key: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    help_text: Mapped[str | None] = mapped_column(Text)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    applies_to: Mapped[str] = mapped_column(String(10), default="company")
    # The group must be filled from this status kind on (prospect < customer; see services).
    required_from: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    options: Mapped[list["GroupOption"]] = relationship(
        back_populates="group", order_by="GroupOption.position, GroupOption.id"
    )

    def __repr__(self) -> str:
        return f"<Group {self.name}>"


class GroupOption(db.Model):
    __tablename__ = "group_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("field_group.id"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    group: Mapped[Group] = relationship(back_populates="options")

    def __repr__(self) -> str:
        return f"<GroupOption {self.label}>"


class GroupValue(db.Model):
    """An option chosen for a company (one row per chosen option)."""

    __tablename__ = "group_value"
    __table_args__ = (
        UniqueConstraint("company_id", "option_id", name="uq_group_value_company_option"),
        Index("ix_group_value_option_company", "option_id", "company_id"),
        Index("ix_group_value_company_group", "company_id", "group_id"),
        # A group's values company by company (integration priorities: repeated systems).
        Index("ix_group_value_group_company", "group_id", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("field_group.id"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("group_option.id"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    option: Mapped[GroupOption] = relationship(lazy="joined", innerjoin="unnested")
    set_by: Mapped[User | None] = relationship()
