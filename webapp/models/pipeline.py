"""The pipeline: stages with activity-based entry rules, deals, their moves, and budgets."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.customer import Company, Status
from webapp.models.group import GroupOption
from webapp.models.user import User, utcnow

OUTCOMES = {"open": _l("Open"), "won": _l("Won"), "lost": _l("Lost")}


class Stage(db.Model):
    """A column of the board (suspect → proposal); won and lost are outcomes, not stages."""

    __tablename__ = "stage"
    __table_args__ = (CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    key: Mapped[str | None] = mapped_column(String(40), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    probability: Mapped[int] = mapped_column(Integer, default=0)
    colour: Mapped[str] = mapped_column(String(7), default="#6b7280")
    # A deal that stays longer than this in the stage is "rotting"; None: never.
    rot_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    requirements: Mapped[list["StageRequirement"]] = relationship(
        back_populates="stage", order_by="StageRequirement.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Stage {self.name} {self.probability}%>"


class StageRequirement(db.Model):
    """An entry rule: one of `kinds` must be logged on the deal (or its company since it opened).

    A stage with several requirements needs all of them.
    """

    __tablename__ = "stage_requirement"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id"), index=True)
    # Comma-separated activity kinds, any of which satisfies the rule ("call,email").
    kinds: Mapped[str] = mapped_column(String(200))
    # The activity must name a contact (or, for a meeting, have an attendee).
    with_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    # The activity must be held (in the past) and have minutes/summary written.
    with_minutes: Mapped[bool] = mapped_column(Boolean, default=False)

    stage: Mapped[Stage] = relationship(back_populates="requirements")

    @property
    def kind_list(self) -> list[str]:
        return [k for k in self.kinds.split(",") if k]


class Deal(db.Model):
    __tablename__ = "deal"
    __table_args__ = (
        CheckConstraint("outcome IN ('open', 'won', 'lost')", name="outcome"),
        CheckConstraint(
            "probability_override IS NULL OR probability_override BETWEEN 0 AND 100",
            name="probability_override",
        ),
        Index("ix_deal_outcome_stage", "outcome", "stage_id", "stage_entered_at"),
        Index("ix_deal_outcome_close", "outcome", "expected_close"),
        Index("ix_deal_outcome_closed", "outcome", "closed_at"),
        Index("ix_deal_company_outcome", "company_id", "outcome"),
        Index("ix_deal_owner_outcome", "owner_id", "outcome"),
        # Reports over the deals closed in a period, read from the index alone (revenue by
        # lead source, by industry, customers' revenue).
        Index(
            "ix_deal_outcome_closed_cover",
            "outcome",
            "closed_at",
            "company_id",
            "value",
            "owner_id",
            "created_at",
        ),
        # A company's won deals by close date, from the index alone (meetings → customers).
        Index("ix_deal_outcome_company_closed", "outcome", "company_id", "closed_at"),
        # A campaign's won deals and their values, from the index alone (campaign figures).
        Index("ix_deal_campaign_outcome_value", "campaign_id", "outcome", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    title: Mapped[str] = mapped_column(String(200))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="DKK")
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # None: the stage's probability applies.
    probability_override: Mapped[int | None] = mapped_column(Integer)
    expected_close: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(10), default="open")
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("status.id"), index=True)
    competitor_option_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_option.id"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    closed_at: Mapped[date | None] = mapped_column(Date)
    stage_entered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # "import" when the deal came from an import; None when made in Kanel.
    source: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    company: Mapped[Company] = relationship()
    stage: Mapped[Stage] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    lost_reason: Mapped[Status | None] = relationship()
    competitor: Mapped[GroupOption | None] = relationship()

    @property
    def probability(self) -> int:
        if self.outcome == "won":
            return 100
        if self.outcome == "lost":
            return 0
        if self.probability_override is not None:
            return self.probability_override
        return self.stage.probability

    @property
    def weighted_value(self) -> Decimal:
        return (self.value or Decimal("0")) * self.probability / 100

    def __repr__(self) -> str:
        return f"<Deal {self.title} {self.outcome}>"


class StageChange(db.Model):
    """Every move of a deal: stage to stage, won, lost or reopened."""

    __tablename__ = "stage_change"
    __table_args__ = (
        Index("ix_stage_change_deal_at", "deal_id", "changed_at"),
        Index("ix_stage_change_to_at", "to_stage_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id"))
    # "won", "lost" or "open" (reopened) when the move changed the outcome.
    outcome: Mapped[str | None] = mapped_column(String(10))
    # How the move was made: board, form, keyboard, import, api, reopen.
    via: Mapped[str] = mapped_column(String(20), default="form")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    deal: Mapped[Deal] = relationship()
    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[Stage | None] = relationship(foreign_keys=[to_stage_id])
    user: Mapped[User | None] = relationship()


class Budget(db.Model):
    """A sales target for a month, for the company (user_id None) or one salesperson."""

    __tablename__ = "budget"
    __table_args__ = (UniqueConstraint("month", "user_id", name="uq_budget_month_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, index=True)  # the first day of the month
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    user: Mapped[User | None] = relationship()


class DealGroupValue(db.Model):
    """An option chosen for a deal, from a group that applies to deals."""

    __tablename__ = "deal_group_value"
    __table_args__ = (
        UniqueConstraint("deal_id", "option_id", name="uq_deal_group_value_deal_option"),
        Index("ix_deal_group_value_option_deal", "option_id", "deal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("field_group.id"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("group_option.id"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    option: Mapped[GroupOption] = relationship(lazy="joined", innerjoin="unnested")
    set_by: Mapped[User | None] = relationship()
