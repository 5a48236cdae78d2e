"""Segmentation and marketing: industries, A/B/C rules, segments, campaigns, letters."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.group import GroupOption
from webapp.models.user import User, utcnow


class Industry(db.Model):
    """An industry code (DB07 / NACE): section, division, group, class or subclass."""

    __tablename__ = "industry"
    __table_args__ = (
        CheckConstraint("category IN ('A', 'B', 'C')", name="category"),
        Index("ix_industry_section_level", "section", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "A", "01", "01.1", "01.11", "01.11.00": the code as published.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    # 0 section, 1 division, 2 group, 3 class, 4 subclass.
    level: Mapped[int] = mapped_column(Integer, default=0)
    section: Mapped[str] = mapped_column(String(1))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("industry.id"), index=True)
    title_en: Mapped[str | None] = mapped_column(String(300))
    title_da: Mapped[str | None] = mapped_column(String(300))
    # Lower-cased "code title_en title_da" for the search-as-you-type picker.
    search_key: Mapped[str] = mapped_column(String(700), default="")
    # The admin's mark; None inherits from the parent level.
    category: Mapped[str | None] = mapped_column(String(1))
    # The mark that applies after inheritance, kept up to date when marks change.
    effective_category: Mapped[str | None] = mapped_column(String(1), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped["Industry | None"] = relationship(remote_side="Industry.id")

    def __repr__(self) -> str:
        return f"<Industry {self.code}>"


class CategoryRule(db.Model):
    """An ordered A/B/C rule: industry class × employee band → category. First match wins."""

    __tablename__ = "category_rule"
    __table_args__ = (
        CheckConstraint("result IN ('A', 'B', 'C')", name="result"),
        CheckConstraint(
            "industry_category IS NULL OR industry_category IN ('A', 'B', 'C', 'none')",
            name="industry_category",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The industry's effective category this rule needs; None: any; "none": unmarked.
    industry_category: Mapped[str | None] = mapped_column(String(4))
    min_employees: Mapped[int | None] = mapped_column(Integer)
    max_employees: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(1))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Segment(db.Model):
    """A saved, named filter over companies and their contacts."""

    __tablename__ = "segment"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    # The filter as JSON: {"status": [...], "category": [...], "options_any": [...], ...}.
    definition: Mapped[str] = mapped_column(Text, default="{}")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    owner: Mapped[User | None] = relationship()


class Campaign(db.Model):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    # The channel is a lead-source option, so leads and revenue tie back to it.
    channel_option_id: Mapped[int | None] = mapped_column(ForeignKey("group_option.id"), index=True)
    cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    channel: Mapped[GroupOption | None] = relationship()
    segment: Mapped[Segment | None] = relationship()


class CampaignCompany(db.Model):
    """A company reached by (a lead of) a campaign."""

    __tablename__ = "campaign_company"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class LetterTemplate(db.Model):
    """A mail-merge letter with placeholders for contact and company fields."""

    __tablename__ = "letter_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The body in a sandboxed Jinja dialect: {{ contact.first_name }}, {{ company.name }}.
    body: Mapped[str] = mapped_column(Text, default="")
    # The sender's letterhead printed at the top of every page.
    letterhead: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
