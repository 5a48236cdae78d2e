"""Imports: the uploaded file and its state, the dry run's verdict per row, what an import
wrote (so it can be reverted), and mappings saved for the next file."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from webapp.extensions import db
from webapp.models.user import User, utcnow

IMPORT_KINDS = {
    "companies": _l("Companies"),
    "contacts": _l("Contacts"),
    "deals": _l("Deals"),
    "activities": _l("Activities"),
}
IMPORT_STATES = {
    "uploaded": _l("Uploaded"),
    "planning": _l("Checking"),
    "planned": _l("Checked"),
    "importing": _l("Importing"),
    "done": _l("Imported"),
    "failed": _l("Failed"),
    "reverted": _l("Reverted"),
}
ROW_ACTIONS = {
    "create": _l("Create"),
    "update": _l("Update"),
    "skip": _l("Skip"),
    "error": _l("Error"),
}


class ImportJob(db.Model):
    """One uploaded file on its way into Kanel: uploaded → planning → planned → importing → done.

    The file's bytes live here (not in a temporary file or in a process's memory), so any
    worker can plan, apply or show it.
    """

    __tablename__ = "import_job"
    __table_args__ = (
        CheckConstraint("kind IN ('companies', 'contacts', 'deals', 'activities')", name="kind"),
        CheckConstraint(
            "state IN ('uploaded', 'planning', 'planned', 'importing', 'done', 'failed', "
            "'reverted')",
            name="state",
        ),
        Index("ix_import_job_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer, default=0)
    # Loaded only when the file is read again (plan, apply), never for the log.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    # "utf-8", "utf-8-sig", "cp1252" or "xlsx"; the CSV delimiter (None for XLSX).
    encoding: Mapped[str | None] = mapped_column(String(20))
    delimiter: Mapped[str | None] = mapped_column(String(1))
    headers: Mapped[list] = mapped_column(JSON, default=list)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    # {"columns": {header: target}, "values": {target: {file value: Kanel value}}}
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    mapping_name: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(20), default="uploaded", index=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    # {"company": {"create": n, "update": n, "skip": n, "error": n, "warning": n}, ...}
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # Why it failed or what it did, as a message id and its parameters: {"id": ..., "params": {}}.
    message: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Touched by every progress commit: a running job that stops beating died with its process.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    planned_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    reverted_at: Mapped[datetime | None] = mapped_column(DateTime)
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reverted_by: Mapped[User | None] = relationship(foreign_keys=[reverted_by_id])

    @property
    def kind_label(self) -> str:
        return str(IMPORT_KINDS.get(self.kind, self.kind))

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.kind} {self.state}>"


class ImportRow(db.Model):
    """The dry run's verdict on one row of the file: create, update, skip or error, and why.

    Reasons are stored as message ids with parameters ([{"id", "params", "level", "column"}])
    so the preview shows them in the reader's language. `fields` holds the row's cleaned
    values, which the apply writes without reading the file again.
    """

    __tablename__ = "import_row"
    __table_args__ = (
        CheckConstraint("action IN ('create', 'update', 'skip', 'error')", name="action"),
        CheckConstraint("decision IS NULL OR decision IN ('same', 'new')", name="decision"),
        Index("ix_import_row_job_line", "job_id", "line"),
        Index("ix_import_row_job_action_line", "job_id", "action", "line"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    # The line in the file (the header is line 1).
    line: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    has_warning: Mapped[bool] = mapped_column(default=False)
    # What the row is about, e.g. the company's name: shown in the preview.
    label: Mapped[str] = mapped_column(String(300), default="")
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    # The existing record the row updates, and its version when the plan saw it.
    match_id: Mapped[int | None] = mapped_column(Integer)
    match_version: Mapped[int | None] = mapped_column(Integer)
    # A near-duplicate found by name similarity, its score, and the user's decision about it.
    candidate_id: Mapped[int | None] = mapped_column(Integer)
    candidate_score: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str | None] = mapped_column(String(10))

    job: Mapped[ImportJob] = relationship()

    @property
    def action_label(self) -> str:
        return str(ROW_ACTIONS.get(self.action, self.action))


class ImportRecord(db.Model):
    """A record an import created or updated: what revert deletes or puts back."""

    __tablename__ = "import_record"
    __table_args__ = (
        CheckConstraint("action IN ('created', 'updated')", name="action"),
        Index("ix_import_record_job_entity", "job_id", "entity", "entity_id"),
        Index("ix_import_record_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    # company, contact, deal, activity, group, group_option, group_value, deal_group_value
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    # The fields an update changed, with their values before it: {field: old value}.
    old: Mapped[dict | None] = mapped_column(JSON)
    # The record's version right after the import; a different version later means an edit.
    version_after: Mapped[int | None] = mapped_column(Integer)


class ImportMapping(db.Model):
    """A column and value mapping saved under a name, offered again for the next file."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_import_mapping_kind_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()
