"""The words of company names, so that a search finds a word inside a name.

``company.name_key`` answers "the name starts with" along its index. ``company_word`` holds,
for each company, the name from its second word on, and from its third, ...: for "nordisk
byg aps" the rows "byg aps" and "aps" ("nordisk byg aps" itself is the name_key). A range
on ``ix_company_word_suffix`` (``starts_with``) is then "a word of the name starts with":
"byg" and "byg aps" find Nordisk Byg ApS, "rdisk" does not. A word is a run of letters and
digits, so "VVS-Huset Horsens A/S" also has "huset horsens a/s", "horsens a/s" and "s".

Every ORM write of a company's name_key (new companies, renames) rewrites its rows after the
flush that wrote it; deleting a company deletes them (ON DELETE CASCADE). Writes that bypass
the ORM (bulk INSERT/UPDATE of companies: imports and their revert, the benchmark's
generator) call ``refresh_company_words(company_ids)`` themselves, or
``refresh_company_words()`` for every company.
"""

import re

from sqlalchemy import ForeignKey, Index, String, delete, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.extensions import db
from webapp.models.customer import Company

# Ids per statement when a refresh deletes and reads companies by id.
_SLICE = 500
# Rows per INSERT when many companies are (re)written at once.
_CHUNK = 10_000
_WORD = re.compile(r"\w+")


class CompanyWord(db.Model):
    """The name_key of a company from one of its words (after the first) to the end."""

    __tablename__ = "company_word"
    __table_args__ = (
        # A search term's range of suffixes, with the company read from the index alone.
        Index("ix_company_word_suffix", "suffix", "company_id"),
    )

    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), primary_key=True
    )
    suffix: Mapped[str] = mapped_column(String(200), primary_key=True)

    def __repr__(self) -> str:
        return f"<CompanyWord {self.company_id} {self.suffix!r}>"


def name_suffixes(name_key: str | None) -> list[str]:
    """The name from each of its words after the first to the end.

    >>> name_suffixes("nordisk byg aps")
    ['byg aps', 'aps']
    """
    starts = [match.start() for match in _WORD.finditer(name_key or "")]
    return [name_key[start:] for start in starts[1:]]


def _rows(pairs) -> list[dict]:
    return [
        {"company_id": company_id, "suffix": suffix}
        for company_id, name_key in pairs
        for suffix in name_suffixes(name_key)
    ]


def _insert(connection, rows: list[dict]) -> None:
    table = CompanyWord.__table__
    for start in range(0, len(rows), _CHUNK):
        connection.execute(insert(table), rows[start : start + _CHUNK])


def refresh_company_words(company_ids=None, *, session=None) -> None:
    """Write the word rows of these companies again from their name_key, set-based.

    ``company_ids``: an iterable of ids, a ``select()`` of ids, or None for every company.
    Call it after writing companies' names without the ORM (bulk INSERT/UPDATE).
    """
    session = session or db.session
    table = CompanyWord.__table__
    company = Company.__table__
    names = select(company.c.id, company.c.name_key)
    if company_ids is None:
        session.execute(delete(table))
        pairs = session.execute(names.order_by(company.c.id)).all()
        _insert(session, _rows(pairs))
        return
    if hasattr(company_ids, "subquery"):  # a select() of ids
        session.execute(delete(table).where(table.c.company_id.in_(company_ids)))
        pairs = session.execute(names.where(company.c.id.in_(company_ids))).all()
        _insert(session, _rows(pairs))
        return
    ids = sorted({int(i) for i in company_ids if i is not None})
    rows = []
    for start in range(0, len(ids), _SLICE):
        part = ids[start : start + _SLICE]
        session.execute(delete(table).where(table.c.company_id.in_(part)))
        rows += _rows(session.execute(names.where(company.c.id.in_(part))).all())
    _insert(session, rows)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _flush_context) -> None:
    named = {obj.id: obj.name_key for obj in session.new if isinstance(obj, Company)}
    renamed = {
        obj.id: obj.name_key
        for obj in session.dirty
        if isinstance(obj, Company) and inspect(obj).attrs["name_key"].history.has_changes()
    }
    if not (named or renamed):
        return
    connection = session.connection()
    table = CompanyWord.__table__
    ids = sorted(renamed)
    for start in range(0, len(ids), _SLICE):
        part = ids[start : start + _SLICE]
        connection.execute(delete(table).where(table.c.company_id.in_(part)))
    _insert(connection, _rows({**named, **renamed}.items()))
