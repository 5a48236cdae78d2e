"""Import jobs: upload, mapping, state, the preview's rows and the log.

Services flush and never commit, except where a step must be seen by other requests while
it runs (the runner's progress commits); the views commit.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models.imports import IMPORT_KINDS, ImportJob, ImportRow
from webapp.models.user import utcnow
from webapp.services.imports.fields import guess_columns, is_choice_target, required_missing
from webapp.services.imports.messages import message
from webapp.services.imports.reading import ImportFileError, Table, read_file
from webapp.services.imports.values import value_rows

# A job that has not beaten for this long while planning or importing died with its process.
DEAD_AFTER = timedelta(minutes=10)
RUNNING_STATES = ("planning", "importing")
DEFAULT_OPTIONS = {
    # Rows that match an existing record update it; off: they are skipped.
    "update_existing": True,
    # Group options named in the file but missing in Kanel are created.
    "create_options": False,
    # Import the good rows and skip rows with errors; off: any error blocks the import.
    "skip_errors": False,
    # Near-duplicates the user has not decided on: "new" record, "same" record or "skip".
    "near_duplicates": "new",
    # Rows of contacts/deals/activities naming no company go to this company (created if
    # needed); empty: such rows are errors.
    "orphan_company": "",
    # The status of new companies when the file has none (status id); empty: the first.
    "default_status_id": None,
}


class ImportStateError(Exception):
    """The job cannot do that in its state; `reason` is a message dict."""

    def __init__(self, reason: dict):
        self.reason = reason
        super().__init__(reason.get("id"))


def table_of(job: ImportJob) -> Table:
    """The job's file, read again from the stored bytes."""
    return read_file(job.filename, job.data)


def create_job(kind: str, filename: str, data: bytes, user, mapping=None) -> ImportJob:
    """Read an uploaded file and keep it as a new job in state "uploaded".

    Raises ImportFileError (nothing stored) when the file cannot be imported. The column
    mapping starts as the guess from the headers, or as `mapping` (a saved ImportMapping)
    where its headers exist in this file.
    """
    if kind not in IMPORT_KINDS:
        raise ValueError(kind)
    table = read_file(filename, data)
    job = ImportJob(
        kind=kind,
        filename=(filename or "import")[-255:],
        size=len(data),
        data=data,
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=table.headers,
        row_count=len(table.rows),
        state="uploaded",
        counts={},
        options=dict(DEFAULT_OPTIONS),
        created_by_id=user.id if user is not None else None,
        created_at=utcnow(),
    )
    columns = guess_columns(kind, table.headers)
    values: dict = {}
    if mapping is not None:
        saved = mapping.mapping or {}
        for header, target in (saved.get("columns") or {}).items():
            if header in columns:
                columns[header] = target
        values = {h: v for h, v in (saved.get("values") or {}).items() if h in columns}
        job.options = {**DEFAULT_OPTIONS, **(mapping.options or {})}
        job.mapping_name = mapping.name
    job.mapping = {"columns": columns, "values": values}
    db.session.add(job)
    db.session.flush()
    return job


def set_mapping(job: ImportJob, columns: dict, values: dict | None = None, options=None) -> None:
    """Store the user's column mapping ({header: target}), value mapping and options.

    A changed mapping makes an earlier preview void: the job goes back to "uploaded".
    """
    _require_state(job, ("uploaded", "planned", "failed"))
    known = set(job.headers)
    job.mapping = {
        "columns": {h: t or "" for h, t in columns.items() if h in known},
        "values": {h: dict(v) for h, v in (values or {}).items() if h in known},
    }
    if options is not None:
        job.options = {**DEFAULT_OPTIONS, **(job.options or {}), **options}
    if job.state != "uploaded":
        _forget_plan(job)
    db.session.flush()


def _forget_plan(job: ImportJob) -> None:
    db.session.execute(ImportRow.__table__.delete().where(ImportRow.job_id == job.id))
    job.state = "uploaded"
    job.counts = {}
    job.message = None
    job.progress_done = job.progress_total = 0
    job.planned_at = None


def mapping_problems(job: ImportJob) -> list[dict]:
    """What keeps the mapping from being planned: required fields no column feeds."""
    return [
        message("required", field=str(f.label))
        for f in required_missing(job.kind, job.mapping.get("columns", {}))
    ]


def sample_values(job: ImportJob, per_column: int = 3, table: Table | None = None):
    """A few non-blank values of each column, for the mapping page: {header: [values]}.

    Pass `table` (from `table_of(job)`) to read the file once per request.
    """
    table = table or table_of(job)
    samples: dict[str, list[str]] = {h: [] for h in table.headers}
    for _line, cells in table.rows:
        for index, header in enumerate(table.headers):
            value = cells[index] if index < len(cells) else ""
            if value and len(samples[header]) < per_column and value not in samples[header]:
                samples[header].append(value)
        if all(len(v) >= per_column for v in samples.values()):
            break
    return samples


def value_mapping(job: ImportJob, table: Table | None = None) -> dict[str, list]:
    """For every choice column: [ValueRow(value, count, guess, chosen, alike)], by frequency.

    A chosen value may be "new:<label>" for a group column (created on import only when
    options["create_options"] is on; otherwise the row is an error) and for a new group.
    """
    table = table or table_of(job)
    result = {}
    for header, target in job.mapping.get("columns", {}).items():
        if target and is_choice_target(job.kind, target):
            chosen = job.mapping.get("values", {}).get(header, {})
            result[header] = value_rows(
                job.kind, target, table.column(header), chosen, job.options or {}
            )
    return result


def _require_state(job: ImportJob, states) -> None:
    if effective_state(job) not in states:
        raise ImportStateError(message("wrong_state", state=job.state))


def effective_state(job: ImportJob) -> str:
    """The job's state, "failed" for a run whose process died (no heartbeat for DEAD_AFTER)."""
    if job.state in RUNNING_STATES:
        beat = job.heartbeat_at or job.started_at or job.created_at
        if beat is not None and utcnow() - beat > DEAD_AFTER:
            return "failed"
    return job.state


def expire_dead_jobs() -> int:
    """Mark jobs whose process died while planning or importing as failed; how many.

    An import that died midway is undone: what its committed chunks wrote is removed
    through its ImportRecord rows. Flushes; the caller commits.
    """
    cutoff = utcnow() - DEAD_AFTER
    jobs = db.session.scalars(
        select(ImportJob).where(
            ImportJob.state.in_(RUNNING_STATES),
            func.coalesce(ImportJob.heartbeat_at, ImportJob.started_at, ImportJob.created_at)
            < cutoff,
        )
    ).all()
    for job in jobs:
        was_importing = job.state == "importing"
        job.state = "failed"
        job.message = message("died")
        job.finished_at = utcnow()
        if was_importing:
            # The chunks it committed before it died go, as if it had failed right there.
            from webapp.services.imports.revert import undo_writes

            undo_writes(job, None, utcnow(), unfinished=True)
    db.session.flush()
    return len(jobs)


@dataclass
class PreviewPage:
    rows: list[ImportRow]
    total: int
    page: int
    pages: int


def preview_rows(
    job: ImportJob,
    action: str | None = None,
    page: int = 1,
    per_page: int = 50,
    warnings_only: bool = False,
) -> PreviewPage:
    """One page of the preview's rows in file order, optionally only one action (or warnings)."""
    conditions = [ImportRow.job_id == job.id]
    if action:
        conditions.append(ImportRow.action == action)
    if warnings_only:
        conditions.append(ImportRow.has_warning.is_(True))
    total = db.session.scalar(select(func.count()).select_from(ImportRow).where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.scalars(
        select(ImportRow)
        .where(*conditions)
        .order_by(ImportRow.line)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return PreviewPage(list(rows), total, page, pages)


def near_duplicate_rows(job: ImportJob, limit: int = 500) -> list[ImportRow]:
    """Rows flagged as looking like an existing company, for the user to decide."""
    return list(
        db.session.scalars(
            select(ImportRow)
            .where(ImportRow.job_id == job.id, ImportRow.candidate_id.is_not(None))
            .order_by(ImportRow.line)
            .limit(limit)
        )
    )


def set_decision(row: ImportRow, decision: str | None) -> None:
    """The user's call on a near-duplicate: "same" (update that company), "new" or None."""
    if decision not in ("same", "new", None):
        raise ValueError(decision)
    _require_state(row.job, ("planned",))
    row.decision = decision
    if decision == "same" and row.candidate_id and row.action == "create":
        row.action = "update"
        row.match_id = row.candidate_id
    elif decision == "new" and row.action == "update" and row.match_id == row.candidate_id:
        row.action = "create"
        row.match_id = None
    db.session.flush()
    recount(row.job)


def set_decisions(job: ImportJob, decision: str | None, row_ids=None) -> int:
    """Decide every undecided near-duplicate of the job (or the rows `row_ids`) at once.

    One UPDATE per kind of change and one recount; returns how many rows were decided.
    """
    if decision not in ("same", "new", None):
        raise ValueError(decision)
    _require_state(job, ("planned",))
    conditions = [ImportRow.job_id == job.id, ImportRow.candidate_id.is_not(None)]
    if row_ids is not None:
        conditions.append(ImportRow.id.in_([int(i) for i in row_ids]))
    else:
        conditions.append(ImportRow.decision.is_(None))
    ids = list(db.session.scalars(select(ImportRow.id).where(*conditions)))
    table = ImportRow.__table__
    for start in range(0, len(ids), 1000):
        chunk = table.c.id.in_(ids[start : start + 1000])
        db.session.execute(table.update().where(chunk).values(decision=decision))
        if decision == "same":
            db.session.execute(
                table.update()
                .where(chunk, table.c.action == "create")
                .values(action="update", match_id=table.c.candidate_id)
            )
        else:
            db.session.execute(
                table.update()
                .where(chunk, table.c.action == "update", table.c.match_id == table.c.candidate_id)
                .values(action="create", match_id=None)
            )
    decided = len(ids)
    db.session.expire_all()
    recount(job)
    return decided or 0


def discard_job(job: ImportJob) -> None:
    """Delete a job that was never imported (uploaded, planned or failed) with its rows."""
    _require_state(job, ("uploaded", "planned", "failed"))
    db.session.execute(ImportRow.__table__.delete().where(ImportRow.job_id == job.id))
    db.session.delete(job)
    db.session.flush()


def recount(job: ImportJob) -> dict:
    """Count the planned rows per action again (after decisions) into job.counts."""
    entity = {"companies": "company", "contacts": "contact", "deals": "deal",
              "activities": "activity"}[job.kind]  # fmt: skip
    counts = dict(job.counts or {})
    rows = dict(
        db.session.execute(
            select(ImportRow.action, func.count())
            .where(ImportRow.job_id == job.id)
            .group_by(ImportRow.action)
        ).all()
    )
    warnings = db.session.scalar(
        select(func.count())
        .select_from(ImportRow)
        .where(ImportRow.job_id == job.id, ImportRow.has_warning.is_(True))
    )
    main = {a: rows.get(a, 0) for a in ("create", "update", "skip", "error")}
    main["warning"] = warnings
    counts[entity] = main
    job.counts = counts
    db.session.flush()
    return counts


def can_apply(job: ImportJob) -> list[dict]:
    """Why the planned job cannot be imported now (empty: it can)."""
    if effective_state(job) != "planned":
        return [message("wrong_state", state=job.state)]
    entity_counts = next(iter((job.counts or {}).values()), {}) if job.counts else {}
    errors = (job.counts or {}).get(_entity(job), entity_counts).get("error", 0)
    if errors and not (job.options or {}).get("skip_errors"):
        return [message("errors_block", count=errors)]
    return []


def _entity(job: ImportJob) -> str:
    return {"companies": "company", "contacts": "contact", "deals": "deal",
            "activities": "activity"}[job.kind]  # fmt: skip


def recent_jobs(limit: int = 50) -> list[ImportJob]:
    """The import log, newest first."""
    return list(db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


__all__ = [
    "DEFAULT_OPTIONS",
    "ImportFileError",
    "ImportStateError",
    "PreviewPage",
    "can_apply",
    "create_job",
    "discard_job",
    "effective_state",
    "expire_dead_jobs",
    "mapping_problems",
    "near_duplicate_rows",
    "preview_rows",
    "recent_jobs",
    "recount",
    "sample_values",
    "set_decision",
    "set_decisions",
    "set_mapping",
    "table_of",
    "value_mapping",
]
