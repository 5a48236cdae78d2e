"""The dry run: check every row, match it, and store the verdict (ImportRow) — never CRM data."""

from webapp.models.imports import ImportJob


def plan_import(job: ImportJob) -> dict:
    """Check every row of the job's file and store create/update/skip/error per row.

    Commits progress (job.progress_done) every ~1 % in short transactions; ends in state
    "planned" with job.counts, or "failed" with job.message. Returns job.counts.
    """
    raise NotImplementedError("being written")
