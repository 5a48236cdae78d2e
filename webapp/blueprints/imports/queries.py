"""Reads for the import pages: the log, near-duplicates, what an import wrote. Fixed query
counts; pages walk the indexes on (job_id, ...)."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Company, Contact
from webapp.models.imports import ImportJob, ImportRecord, ImportRow
from webapp.models.pipeline import Deal

# The record kind a job's rows are about.
ENTITY_OF_KIND = {
    "companies": "company",
    "contacts": "contact",
    "deals": "deal",
    "activities": "activity",
}


@dataclass
class Page:
    items: list
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)


def _page(query, count_query, page: int, per_page: int) -> Page:
    total = db.session.scalar(count_query) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return Page(items, total, page, pages, per_page)


def job_log(page: int = 1, per_page: int = 25) -> Page:
    """The import log, newest first, with who started and who reverted each import."""
    query = (
        select(ImportJob)
        .options(joinedload(ImportJob.created_by), joinedload(ImportJob.reverted_by))
        .order_by(ImportJob.id.desc())
    )
    return _page(query, select(func.count(ImportJob.id)), page, per_page)


def near_duplicates(job: ImportJob, page: int = 1, per_page: int = 50) -> Page:
    """The rows that look like an existing company, in file order."""
    condition = (ImportRow.job_id == job.id, ImportRow.candidate_id.is_not(None))
    query = select(ImportRow).where(*condition).order_by(ImportRow.line)
    count = select(func.count()).select_from(ImportRow).where(*condition)
    return _page(query, count, page, per_page)


def undecided_count(job: ImportJob) -> int:
    """Near-duplicates the user has not decided on yet."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ImportRow)
            .where(
                ImportRow.job_id == job.id,
                ImportRow.candidate_id.is_not(None),
                ImportRow.decision.is_(None),
            )
        )
        or 0
    )


def companies_by_id(ids) -> dict[int, Company]:
    """The companies rows matched or resemble, by id (one query)."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(select(Company).where(Company.id.in_(ids)))}


def records_summary(job: ImportJob) -> dict[str, dict[str, int]]:
    """How many records of each kind the import created and updated: {entity: {action: n}}."""
    summary: dict[str, dict[str, int]] = {}
    rows = db.session.execute(
        select(ImportRecord.entity, ImportRecord.action, func.count())
        .where(ImportRecord.job_id == job.id)
        .group_by(ImportRecord.entity, ImportRecord.action)
    )
    for entity, action, count in rows:
        summary.setdefault(entity, {})[action] = count
    return summary


@dataclass
class RecordLine:
    record: ImportRecord
    label: str | None  # None: the record no longer exists
    company: Company | None
    target: object | None  # the record itself (for its link)


def records_page(job: ImportJob, entity: str, page: int = 1, per_page: int = 50) -> Page:
    """One page of the records of one kind an import wrote, each with its label and company."""
    condition = (ImportRecord.job_id == job.id, ImportRecord.entity == entity)
    query = select(ImportRecord).where(*condition).order_by(ImportRecord.entity_id)
    count = select(func.count()).select_from(ImportRecord).where(*condition)
    result = _page(query, count, page, per_page)
    found = _entities(entity, [r.entity_id for r in result.items])
    lines = []
    for record in result.items:
        target = found.get(record.entity_id)
        lines.append(_line(entity, record, target))
    result.items = lines
    return result


def _entities(entity: str, ids: list[int]) -> dict[int, object]:
    model = {"company": Company, "contact": Contact, "deal": Deal, "activity": Activity}.get(entity)
    if model is None or not ids:
        return {}
    query = select(model).where(model.id.in_(ids))
    if model is not Company:
        query = query.options(joinedload(model.company).load_only(Company.id, Company.name))
    return {obj.id: obj for obj in db.session.scalars(query).unique()}


def _line(entity: str, record: ImportRecord, target) -> RecordLine:
    if target is None:
        return RecordLine(record, None, None, None)
    if entity == "company":
        return RecordLine(record, target.name, target, target)
    if entity == "contact":
        return RecordLine(record, target.name or target.email or "", target.company, target)
    if entity == "deal":
        return RecordLine(record, target.title, target.company, target)
    label = target.subject or target.kind_label
    return RecordLine(record, label, target.company, target)


def rows_with_errors(job: ImportJob, chunk: int = 2000):
    """Every row with an error, in file order, read in chunks along (job_id, action, line)."""
    last = 0
    while True:
        rows = list(
            db.session.scalars(
                select(ImportRow)
                .where(
                    ImportRow.job_id == job.id, ImportRow.action == "error", ImportRow.line > last
                )
                .order_by(ImportRow.line)
                .limit(chunk)
            )
        )
        yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1].line


def search_rows(job: ImportJob, text: str, show: str = "", page: int = 1, per_page: int = 50):
    """Rows whose label contains the text (any case), within the chosen total, in file order.

    Contacts, deals and activities are found by their company's name too: a company in
    Kanel whose name contains the text, or the company the import creates for rows without
    one.
    """
    like = f"%{_escape_like(text)}%"
    matching = [ImportRow.label.ilike(like, escape="\\")]
    if job.kind != "companies":
        companies = select(Company.id).where(Company.name.ilike(like, escape="\\"))
        matching.append(ImportRow.fields["company_id"].as_integer().in_(companies))
        matching.append(ImportRow.fields["company_new"].as_string().ilike(like, escape="\\"))
    conditions = [ImportRow.job_id == job.id, or_(*matching)]
    if show in ("create", "update", "skip", "error"):
        conditions.append(ImportRow.action == show)
    elif show == "warning":
        conditions.append(ImportRow.has_warning.is_(True))
    elif show == "alike":
        conditions.append(ImportRow.candidate_id.is_not(None))
    query = select(ImportRow).where(*conditions).order_by(ImportRow.line)
    count = select(func.count()).select_from(ImportRow).where(*conditions)
    return _page(query, count, page, per_page)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
