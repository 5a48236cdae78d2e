"""Saved mappings: a file layout's column and value mapping and options, by name and kind."""

from sqlalchemy import select

from webapp.extensions import db
from webapp.models.imports import ImportJob, ImportMapping
from webapp.models.user import utcnow


def saved_mappings(kind: str | None = None) -> list[ImportMapping]:
    """The saved mappings (of one kind), by name."""
    query = select(ImportMapping).order_by(ImportMapping.kind, ImportMapping.name)
    if kind:
        query = query.where(ImportMapping.kind == kind)
    return list(db.session.scalars(query))


def find_mapping(kind: str, name: str) -> ImportMapping | None:
    return db.session.scalar(
        select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.name == name.strip())
    )


def save_mapping(job: ImportJob, name: str, user) -> ImportMapping:
    """Save the job's mapping and options under a name (replacing one of the same name and kind).

    The job remembers the name, so the log shows which mapping an import used.
    """
    name = " ".join((name or "").split())[:120]
    if not name:
        raise ValueError("name")
    saved = find_mapping(job.kind, name)
    now = utcnow()
    if saved is None:
        saved = ImportMapping(
            name=name, kind=job.kind, created_by_id=user.id if user else None, created_at=now
        )
        db.session.add(saved)
    saved.mapping = {
        "columns": dict(job.mapping.get("columns", {})),
        "values": {h: dict(v) for h, v in job.mapping.get("values", {}).items()},
    }
    saved.options = {k: v for k, v in (job.options or {}).items() if k != "default_status_id"}
    saved.updated_at = now
    job.mapping_name = name
    db.session.flush()
    return saved


def delete_mapping(mapping: ImportMapping) -> None:
    db.session.delete(mapping)
    db.session.flush()
