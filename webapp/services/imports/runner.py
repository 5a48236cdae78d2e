"""Running a plan or an apply: in a background thread with its own app context and session,
or right away when app.config["IMPORT_INLINE"] is set (tests, the command line)."""

import logging
import threading

from flask import current_app

from webapp.extensions import db
from webapp.models.imports import ImportJob
from webapp.models.user import utcnow
from webapp.services.imports.jobs import (
    ImportStateError,
    _require_state,
    can_apply,
    expire_dead_jobs,
    mapping_problems,
)

log = logging.getLogger(__name__)


def _run(app, job_id: int, step: str, user_id: int | None) -> None:
    from webapp.models.user import User
    from webapp.services.imports.apply import apply_import
    from webapp.services.imports.plan import plan_import

    with app.app_context():
        try:
            job = db.session.get(ImportJob, job_id)
            user = db.session.get(User, user_id) if user_id else None
            if step == "plan":
                plan_import(job)
            else:
                apply_import(job, user)
        except Exception:  # the job records its own failure; this only keeps the log
            log.exception("import job %s: %s failed", job_id, step)
        finally:
            db.session.remove()


def _start(job: ImportJob, step: str, user) -> None:
    app = current_app._get_current_object()
    # Jobs whose process died are failed, and an apply that died midway undone, first.
    expire_dead_jobs()
    job.started_at = job.heartbeat_at = utcnow()
    job.state = "planning" if step == "plan" else "importing"
    job.message = None
    db.session.commit()
    if app.config.get("IMPORT_INLINE"):
        from webapp.services.imports.apply import apply_import
        from webapp.services.imports.plan import plan_import

        if step == "plan":
            plan_import(job)
        else:
            apply_import(job, user)
        return
    thread = threading.Thread(
        target=_run,
        args=(app, job.id, step, user.id if user is not None else None),
        name=f"import-{job.id}-{step}",
        daemon=True,
    )
    thread.start()


def start_plan(job: ImportJob) -> None:
    """Check every row (the dry run) in the background; progress shows on the job.

    Raises ImportStateError when the job is running or done, or when the mapping lacks a
    required field (`mapping_problems`). Commits the job's state first, so the progress
    page sees it, unless IMPORT_INLINE runs the plan right here.
    """
    _require_state(job, ("uploaded", "planned", "failed"))
    problems = mapping_problems(job)
    if problems:
        raise ImportStateError(problems[0])
    _start(job, "plan", None)


def start_apply(job: ImportJob, user, skip_errors: bool | None = None) -> None:
    """Write the planned rows into Kanel, all or nothing, in the background.

    `skip_errors` (when given) sets options["skip_errors"] without voiding the plan: rows
    with errors are then left out. Raises ImportStateError when the job is not planned, or
    has errors while skip_errors is off (`can_apply`).
    """
    if skip_errors is not None:
        job.options = {**(job.options or {}), "skip_errors": bool(skip_errors)}
    problems = can_apply(job)
    if problems:
        raise ImportStateError(problems[0])
    _start(job, "apply", user)
