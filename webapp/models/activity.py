"""The shared activity log: notes, calls, e-mails, meetings with minutes, proposals and tasks."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.customer import Company, Contact
from webapp.models.user import User, utcnow

ACTIVITY_KINDS = {
    "note": _l("Note"),
    "call": _l("Call"),
    "email": _l("E-mail"),
    "meeting": _l("Meeting"),
    "proposal": _l("Proposal"),
    "task": _l("Task"),
}

# A meeting without minutes, as the partial index ix_activity_minutes_debt states it.
MINUTES_DEBT_WHERE = {
    "sqlite": "kind = 'meeting' AND deleted = 0 AND (body IS NULL OR body = '')",
    "postgresql": "kind = 'meeting' AND deleted = false AND (body IS NULL OR body = '')",
}

# The campaign figures' partial index ix_activity_campaign_figures, which holds different rows
# on each database (webapp/services/campaigns.py writes the matching terms):
# - PostgreSQL: the activities the figures count (proposals, and meetings with minutes), which
#   it counts from the index alone since the query's terms prove the predicate;
# - SQLite: the meetings WITHOUT minutes (few), subtracted from all meetings, since SQLite reads
#   a row for any column the query names that the index lacks (the body) and the minutes of
#   every meeting are too big to copy into an index.
CAMPAIGN_FIGURES_WHERE = {
    "sqlite": "kind = 'meeting' AND deleted = 0 AND (body IS NULL OR trim(body) = '')",
    "postgresql": (
        "deleted = false AND (kind = 'proposal' OR kind = 'meeting' AND trim(body) != '')"
    ),
}

activity_attendee = Table(
    "activity_attendee",
    db.Model.metadata,
    Column("activity_id", ForeignKey("activity.id"), primary_key=True),
    Column("contact_id", ForeignKey("contact.id"), primary_key=True, index=True),
)


class Activity(db.Model):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_company_occurred", "company_id", "occurred_at"),
        Index("ix_activity_assignee_open_due", "assignee_id", "done_at", "due_date"),
        Index("ix_activity_author_kind_occurred", "author_id", "kind", "occurred_at"),
        # Reports read company and deleted from the index alone ("companies met in a period").
        Index("ix_activity_kind_occurred_company", "kind", "occurred_at", "company_id", "deleted"),
        # Partial: most activities have no deal, and a full index's statistics (one huge
        # NULL group) made SQLite scan the table instead of using it.
        Index(
            "ix_activity_deal_present",
            "deal_id",
            sqlite_where=text("deal_id IS NOT NULL"),
            postgresql_where=text("deal_id IS NOT NULL"),
        ),
        # Reports: one company's meetings or proposals in a window (campaign figures), and
        # the meetings read company by company (companies met, grouped without sorting).
        Index(
            "ix_activity_kind_company_deleted_occurred",
            "kind",
            "company_id",
            "deleted",
            "occurred_at",
        ),
        # Segments: "last activity before/after" probes this index alone.
        Index("ix_activity_company_deleted_occurred", "company_id", "deleted", "occurred_at"),
        # Minutes debt (meetings without minutes) per author, read from this small index alone;
        # the predicate columns are in it too so SQLite sees it as covering. Queries must
        # write the predicate's terms as it does (see reports/service.py _debt_conditions).
        Index(
            "ix_activity_minutes_debt",
            "author_id",
            "occurred_at",
            "company_id",
            "kind",
            "deleted",
            "body",
            sqlite_where=text(MINUTES_DEBT_WHERE["sqlite"]),
            postgresql_where=text(MINUTES_DEBT_WHERE["postgresql"]),
        ),
        # Campaign figures: an attached company's activities in the campaign's window, probed
        # company by company (see CAMPAIGN_FIGURES_WHERE for what each database holds in it).
        Index(
            "ix_activity_campaign_figures",
            "company_id",
            "occurred_at",
            "kind",
            sqlite_where=text(CAMPAIGN_FIGURES_WHERE["sqlite"]),
            postgresql_where=text(CAMPAIGN_FIGURES_WHERE["postgresql"]),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200), default="")
    # Minutes of a meeting, summary of a call, text of a note.
    body: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    # The deal the activity belongs to, if any (stage entry rules look for it).
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id"))
    # Tasks.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set by automation (e.g. "first_service_call"), so it is created once.
    automation: Mapped[str | None] = mapped_column(String(40))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    company: Mapped[Company] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    contact: Mapped[Contact | None] = relationship()
    attendees: Mapped[list[Contact]] = relationship(secondary=activity_attendee)

    @property
    def kind_label(self) -> str:
        return str(ACTIVITY_KINDS.get(self.kind, self.kind))

    @property
    def is_open_task(self) -> bool:
        return self.kind == "task" and self.done_at is None

    def __repr__(self) -> str:
        return f"<Activity {self.kind} {self.subject!r}>"
