"""The customer card: companies, their contacts, and the admin-defined statuses."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.user import User, utcnow

STATUS_KINDS = {
    "prospect": _l("Prospect"),
    "customer": _l("Customer"),
    "former_customer": _l("Former customer"),
    "inactive": _l("Inactive"),
}
CATEGORIES = ("A", "B", "C")


class Status(db.Model):
    """A customer status defined by the admin; its kind says what it means for reports."""

    __tablename__ = "status"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('prospect', 'customer', 'former_customer', 'inactive')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # Stable handle for code and reports (e.g. "lost_to_competitor"); optional.
    key: Mapped[str | None] = mapped_column(String(40), unique=True)
    colour: Mapped[str] = mapped_column(String(7), default="#6b7280")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Status {self.name} ({self.kind})>"

    @property
    def kind_label(self) -> str:
        return str(STATUS_KINDS.get(self.kind, self.kind))


class Company(db.Model):
    """A customer card (kundekort)."""

    __tablename__ = "company"
    __table_args__ = (
        CheckConstraint("category IN ('A', 'B', 'C')", name="category"),
        Index("ix_company_owner_archived_name", "owner_id", "archived", "name_key"),
        Index("ix_company_status_archived_name", "status_id", "archived", "name_key"),
        Index("ix_company_archived_name", "archived", "name_key"),
        # The list filtered by industry: counted and paged along this index alone.
        Index("ix_company_industry_archived_name", "industry_id", "archived", "name_key"),
        # Companies and customers per industry (reports), counted from this index alone
        # whatever the owner and category filters.
        Index(
            "ix_company_industry_status",
            "industry_id",
            "archived",
            "status_id",
            "owner_id",
            "category",
        ),
        # Segments' "last activity before/after": a range along this index, counted from it alone.
        Index("ix_company_last_activity_archived", "last_activity_at", "archived"),
        # Reports: the companies met counted per owner and category along this index, in order.
        Index("ix_company_owner_category", "owner_id", "category"),
        # Reports: the customers (a status, not archived) in id order, their ids read from
        # the index alone (SQLite's entries carry the row id anyway; PostgreSQL's need it).
        Index("ix_company_status_archived_id", "status_id", "archived", "id"),
        # Data quality and satisfaction: the columns they read of every card, or of a card
        # looked up by id, in narrow entries in id order instead of the wide rows.
        Index(
            "ix_company_quality",
            "id",
            "archived",
            "status_id",
            "owner_id",
            "created_at",
            "last_activity_at",
            "category",
            "industry_id",
        ),
        Index(
            "ix_company_rating", "id", "archived", "country", "industry_id", "category", "owner_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased name without company-form suffixes: sorting, search and duplicate checks.
    name_key: Mapped[str] = mapped_column(String(200), default="")
    cvr: Mapped[str | None] = mapped_column(String(8), index=True)
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(12))
    city: Mapped[str | None] = mapped_column(String(100), index=True)
    country: Mapped[str] = mapped_column(String(2), default="DK", index=True)
    website: Mapped[str | None] = mapped_column(String(255))
    # The website's host without "www.", for duplicate checks and imports.
    website_domain: Mapped[str | None] = mapped_column(String(255), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    industry_id: Mapped[int | None] = mapped_column(ForeignKey("industry.id"), index=True)
    employees: Mapped[int | None] = mapped_column(Integer, index=True)
    category: Mapped[str | None] = mapped_column(String(1), index=True)
    category_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    status_id: Mapped[int] = mapped_column(ForeignKey("status.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # When the latest of its activities (not deleted; planned ones included) took place; None
    # while it has none. Denormalised from the activity log so reports and segments need not
    # look through 2,000,000 activities: kept by webapp/models/last_activity.py on every ORM
    # write of an activity, and by refresh_last_activity() after bulk writes. Not a change of
    # the card: it moves neither version nor updated_at.
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime)

    status: Mapped[Status] = relationship(lazy="joined", innerjoin="unnested")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="company", order_by="Contact.last_name, Contact.first_name"
    )

    def __repr__(self) -> str:
        return f"<Company {self.name}>"


class Contact(db.Model):
    """A person at a company."""

    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_company_archived", "company_id", "archived"),
        # Search by the start of a name or surname, answered from the index alone.
        Index("ix_contact_search_key", "search_key", "archived", "company_id"),
        Index("ix_contact_last_name", "last_name", "archived", "company_id"),
        # Segments: "has a contact with marketing consent" probes this index alone.
        Index("ix_contact_company_archived_consent", "company_id", "archived", "marketing_consent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    # Lower-cased "first last email", for search-as-you-type.
    search_key: Mapped[str] = mapped_column(String(500), default="")
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    consent_source: Mapped[str | None] = mapped_column(String(120))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    company: Mapped[Company] = relationship(back_populates="contacts")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __repr__(self) -> str:
        return f"<Contact {self.name}>"


class CardView(db.Model):
    """When a user last looked at a card: feeds "changed since I last looked"."""

    __tablename__ = "card_view"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), primary_key=True, index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
