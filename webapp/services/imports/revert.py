"""Revert: delete what an import created and put back what it changed, if nothing moved since."""

from webapp.models.imports import ImportJob


def revert_blockers(job: ImportJob, limit: int = 10) -> list[dict]:
    """Why the job cannot be reverted (message dicts; empty list: it can).

    Refused when the job is not "done", or when any record it wrote was edited since
    (version differs), or got activities, deals or contacts from elsewhere.
    """
    raise NotImplementedError("being written")


def revert_import(job: ImportJob, user) -> int:
    """Undo a done import in one transaction; returns how many records were removed or restored.

    Raises ImportStateError (with the first blocker) when `revert_blockers` is not empty.
    Flushes; the caller commits.
    """
    raise NotImplementedError("being written")
