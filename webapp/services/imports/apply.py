"""The import itself: write the planned rows in one transaction, all or nothing."""

from webapp.models.imports import ImportJob


def apply_import(job: ImportJob, user) -> dict:
    """Write every planned create/update row into Kanel in ONE transaction, with bulk inserts.

    Records ImportRecord rows (for revert) and Change rows (field "import") on every record.
    On any failure: rolls back, marks the job "failed" with the reason, changes nothing
    else. Commits. Returns job.counts.
    """
    raise NotImplementedError("being written")
