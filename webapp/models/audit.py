"""Change history: who changed what, when, from what to what."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.user import User, utcnow


class Change(db.Model):
    __tablename__ = "change"
    __table_args__ = (
        Index("ix_change_company_at", "company_id", "changed_at"),
        Index("ix_change_entity", "entity", "entity_id"),
        Index("ix_change_field_at", "field", "changed_at"),
        # The group values' history (satisfaction's trend) read from the index alone; partial,
        # so the long texts other history rows may hold stay out of it.
        Index(
            "ix_change_group_history",
            "field",
            "changed_at",
            "company_id",
            "new",
            "old",
            sqlite_where=text("field LIKE 'group:%'"),
            postgresql_where=text("field LIKE 'group:%'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What changed: "company", "contact", "group", "activity", "setting", ...
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # The card the change belongs to, so a card's History tab is one indexed query.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    # The field name, or for a group value "group:<group id>".
    field: Mapped[str] = mapped_column(String(60))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User | None] = relationship()


class Setting(db.Model):
    """An admin setting stored as text (e.g. the first-service-call automation)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
