"""Industry codes: import DB07 / NACE code lists from CSV or XLSX, search, tree and labels.

The importer takes the files as published (Danmarks Statistik's DB07 structure, its
list of six-digit subclasses, Eurostat's NACE Rev. 2) or any code list with the same
columns, detects the layout from the header, and upserts by code. Levels and parent
links follow from the codes: 01.11.00 → 01.11 → 01.1 → 01 → its section.
"""

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models.customer import Company
from webapp.models.marketing import Industry

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Codes as DB07 and NACE publish them, by level: section, division, group, class, subclass.
CODE_PATTERNS = [
    (0, re.compile(r"^[A-Z]$")),
    (1, re.compile(r"^\d{2}$")),
    (2, re.compile(r"^\d{2}\.\d$")),
    (3, re.compile(r"^\d{2}\.\d{2}$")),
    (4, re.compile(r"^\d{2}\.\d{2}\.\d{2}$")),
]
# NACE Rev. 2 sections by their first and last division.
SECTION_DIVISIONS = [
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
]  # fmt: skip
# Header names the importer understands, with the spellings it accepts for them.
COLUMN_NAMES = {
    "code": {"code", "kode", "nace_code", "db07_code", "branchekode"},
    "level": {"level", "niveau"},
    "parent": {"parent", "parent_code", "overordnet"},
    "section": {"section", "sektion", "hovedafsnit"},
    "title_da": {"title_da", "titel", "tekst", "danish_title", "titel_da"},
    "title_en": {"title_en", "title", "description", "english_title"},
    "class_title_en": {"nace_class_title_en"},
    "validity_note": {"validity_note", "note", "gyldighed"},
}
IGNORED_COLUMNS = {"level_name", "code_digits"}
LAYOUTS = {
    "db07_levels": "DB07 (all levels)",
    "db07_subclasses": "DB07 subclasses",
    "nace": "NACE Rev. 2",
    "codes": "code list",
}
ENDED = re.compile(r"(\d{4})\s*[-–]\s*(\d{4})")


class IndustryFileError(ValueError):
    """A file the importer cannot read; the message says what is wrong and what to do."""


@dataclass
class ImportReport:
    layout: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, reason)


def level_of(code: str) -> int | None:
    for level, pattern in CODE_PATTERNS:
        if pattern.match(code):
            return level
    return None


def section_of_division(division: str) -> str | None:
    number = int(division[:2])
    for section, first, last in SECTION_DIVISIONS:
        if first <= number <= last:
            return section
    return None


def ancestor_codes(code: str, section: str | None) -> list[str]:
    """The codes above a code, nearest first: 01.11.00 → 01.11, 01.1, 01, A."""
    level = level_of(code)
    if level is None or level == 0:
        return []
    chain = []
    if level >= 4:
        chain.append(code[:5])
    if level >= 3:
        chain.append(code[:4])
    if level >= 2:
        chain.append(code[:2])
    section = section or section_of_division(code)
    if section:
        chain.append(section)
    return chain


def search_key_for(code: str, title_en: str | None, title_da: str | None) -> str:
    digits = code.replace(".", "") if code[:1].isdigit() else ""
    return " ".join(p for p in (code, digits, title_en or "", title_da or "") if p).lower()[:700]


# --- Reading files ----------------------------------------------------------------------


def _normalise(name) -> str:
    return re.sub(r"[\s\-]+", "_", str(name or "").strip().lower())


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IndustryFileError(_("The file is not text Kanel can read. Save it as CSV (UTF-8)."))


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise IndustryFileError(
            _("The file is not an Excel workbook Kanel can read. Save it as .xlsx or as CSV.")
        ) from error
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else str(v).strip() for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The rows of a CSV or XLSX file, header first, empty rows left out."""
    name = (filename or "").lower()
    if len(data) > MAX_BYTES:
        raise IndustryFileError(_("The file is larger than 5 MB. Is it really a code list?"))
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        rows = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise IndustryFileError(
            _("Choose a CSV or an Excel (.xlsx) file. %(name)s is neither.", name=filename or "?")
        )
    rows = [row for row in rows if any((cell or "").strip() for cell in row)]
    if not rows:
        raise IndustryFileError(_("The file is empty."))
    if len(rows) == 1:
        raise IndustryFileError(_("The file has a header but no codes."))
    if len(rows) > MAX_ROWS + 1:
        raise IndustryFileError(
            _("The file has more than %(n)s rows. Is it really a code list?", n=MAX_ROWS)
        )
    return rows


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        key = _normalise(name)
        for column, spellings in COLUMN_NAMES.items():
            if key in spellings and column not in found:
                found[column] = index
    return found


def detect_layout(header: list[str]) -> tuple[str, dict[str, int]]:
    """Which published layout a header is, and where each known column sits."""
    columns = _columns(header)
    names = {_normalise(h) for h in header}
    has_title = {"title_da", "title_en", "class_title_en"} & columns.keys()
    if "code" not in columns or not has_title:
        raise IndustryFileError(
            _(
                "Kanel does not know these columns: %(columns)s. A code list needs a column "
                "“code” and a title (“title_da” or “title_en”), as in Danmarks Statistik's "
                "DB07 or Eurostat's NACE files.",
                columns=", ".join(h for h in header if h) or "—",
            )
        )
    if "class_title_en" in columns:
        layout = "db07_subclasses"
    elif "level_name" in names:
        layout = "db07_levels"
    elif "parent" in columns and "title_en" in columns:
        layout = "nace"
    else:
        layout = "codes"
    return layout, columns


# --- Importing --------------------------------------------------------------------------


def _retired(note: str, year: int) -> bool:
    """ "gælder 2008-2012": a code that applied in a period that has ended."""
    match = ENDED.search(note or "")
    return bool(match) and int(match.group(2)) < year


def _tidy_title(title: str) -> str | None:
    """NACE writes section titles in capitals: store them as a sentence."""
    if title.isupper():
        title = title.capitalize()
    return title[:300] or None


def import_industries(filename: str, data: bytes) -> ImportReport:
    """Upsert the codes of a file by code; set levels, parents and search keys.

    Raises IndustryFileError before anything is written when the file cannot be read.
    """
    from webapp.models.user import utcnow
    from webapp.services.categories import refresh_effective_categories

    rows = read_table(filename, data)
    layout, columns = detect_layout(rows[0])
    report = ImportReport(layout=LAYOUTS[layout])
    year = utcnow().year

    def cell(row, column):
        index = columns.get(column)
        if index is None or index >= len(row):
            return ""
        return " ".join(str(row[index] or "").split())

    parsed: dict[str, dict] = {}
    for line, row in enumerate(rows[1:], start=2):
        report.rows += 1
        code = cell(row, "code").upper() if cell(row, "code")[:1].isalpha() else cell(row, "code")
        if not code:
            report.skipped.append((line, "", _("no code")))
            continue
        level = level_of(code)
        if level is None:
            report.skipped.append((line, code, _("not a DB07 or NACE code (like 62.01)")))
            continue
        if code in parsed:
            report.skipped.append(
                (
                    line,
                    code,
                    _("the code appears again (first on line %(n)s)", n=parsed[code]["line"]),
                )
            )
            continue
        title_da = _tidy_title(cell(row, "title_da"))
        title_en = _tidy_title(cell(row, "title_en") or cell(row, "class_title_en"))
        if not (title_da or title_en):
            report.skipped.append((line, code, _("no title")))
            continue
        section = cell(row, "section").upper() or None
        if level == 0:
            section = code
        elif section is None or not re.fullmatch(r"[A-Z]", section):
            section = section_of_division(code)
        if section is None:
            report.skipped.append((line, code, _("no section for this division")))
            continue
        parsed[code] = {
            "line": line,
            "level": level,
            "section": section,
            "parent": cell(row, "parent") or None,
            "title_da": title_da,
            "title_en": title_en,
            "active": not _retired(cell(row, "validity_note"), year),
        }
    if not parsed:
        reasons = "; ".join(f"{line}: {reason}" for line, _code, reason in report.skipped[:3])
        raise IndustryFileError(
            _("No row of the file holds a code Kanel can use (%(r)s).", r=reasons)
        )

    existing = {i.code: i for i in db.session.scalars(select(Industry))}
    for code, values in parsed.items():
        industry = existing.get(code)
        new = {
            "level": values["level"],
            "section": values["section"],
            "active": values["active"],
            # A file without one of the languages keeps the title Kanel already has.
            "title_da": values["title_da"] or (industry.title_da if industry else None),
            "title_en": values["title_en"] or (industry.title_en if industry else None),
        }
        new["search_key"] = search_key_for(code, new["title_en"], new["title_da"])
        if industry is None:
            industry = Industry(code=code, **new)
            db.session.add(industry)
            existing[code] = industry
            report.created += 1
        elif any(getattr(industry, k) != v for k, v in new.items()):
            for key, value in new.items():
                setattr(industry, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
        if not values["active"]:
            report.retired += 1
    db.session.flush()
    explicit = {code: values["parent"] for code, values in parsed.items() if values["parent"]}
    relink(existing, explicit)
    db.session.flush()
    refresh_effective_categories()
    return report


def relink(industries: dict[str, Industry], explicit: dict[str, str]) -> int:
    """Point every industry at its nearest existing ancestor (or the file's parent column)."""
    changed = 0
    for code, industry in industries.items():
        parent = None
        named = explicit.get(code)
        if named and named in industries and industries[named].level < industry.level:
            parent = industries[named]
        else:
            for ancestor in ancestor_codes(code, industry.section):
                if ancestor in industries:
                    parent = industries[ancestor]
                    break
        parent_id = parent.id if parent is not None else None
        if industry.parent_id != parent_id:
            industry.parent_id = parent_id
            changed += 1
    return changed


# --- Reading industries -----------------------------------------------------------------


def title_of(industry: Industry) -> str:
    """The title in the user's language, else the other one."""
    danish = str(get_locale() or "en").startswith("da")
    first, second = (
        (industry.title_da, industry.title_en) if danish else (industry.title_en, industry.title_da)
    )
    return first or second or ""


def label_of(industry: Industry | None) -> str:
    """ "62.01 Computer programming"."""
    if industry is None:
        return ""
    return f"{industry.code} {title_of(industry)}".strip()


def label_for_id(industry_id: int | None) -> str:
    if industry_id is None:
        return ""
    return label_of(db.session.get(Industry, industry_id))


def search_industries(text: str, limit: int = 20, active_only: bool = True) -> list[Industry]:
    """Industries whose code starts with the text or whose titles hold all its words."""
    words = " ".join((text or "").split()).lower()
    if not words:
        return []
    conditions = [Industry.search_key.contains(word, autoescape=True) for word in words.split()]
    query = select(Industry).where(*conditions)
    if active_only:
        query = query.where(Industry.active.is_(True))
    code_first = Industry.code.startswith(words.upper(), autoescape=True)
    rows = db.session.scalars(
        query.order_by(code_first.desc(), Industry.level, Industry.code).limit(limit)
    ).all()
    return list(rows)


def find_by_text(text: str) -> tuple[Industry | None, bool]:
    """The industry a typed text names: by its leading code, else the only search hit.

    Returns (industry, found): found is False when the text names none or several.
    """
    text = " ".join((text or "").split())
    if not text:
        return None, True
    first = text.split(" ", 1)[0].rstrip(".,:")
    code = first.upper() if len(first) == 1 else first
    if level_of(code) is not None:
        industry = db.session.scalar(select(Industry).where(Industry.code == code))
        if industry is not None:
            return industry, True
    hits = search_industries(text, limit=2)
    if len(hits) == 1:
        return hits[0], True
    return None, False


def subtree_ids(industry_id: int) -> list[int]:
    """An industry's id and the ids of everything below it: one recursive query.

    A list rather than a subquery, so that a filter on companies walks the index on
    their industry for exactly these ids.
    """
    tree = select(Industry.id).where(Industry.id == industry_id).cte("subtree", recursive=True)
    tree = tree.union_all(select(Industry.id).where(Industry.parent_id == tree.c.id))
    return list(db.session.scalars(select(tree.c.id)))


def children_of(industry_id: int | None) -> list[Industry]:
    """The sections (None) or an industry's children, by code."""
    query = select(Industry)
    if industry_id is None:
        query = query.where(Industry.level == 0)
    else:
        query = query.where(Industry.parent_id == industry_id)
    return list(db.session.scalars(query.order_by(Industry.code)))


def ancestors_of(industry: Industry) -> list[Industry]:
    """From the section down to the industry's parent."""
    chain = []
    seen = set()
    current = industry.parent
    while current is not None and current.id not in seen:
        seen.add(current.id)
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


def company_counts() -> dict[int, int]:
    """Companies per industry, each counted in its industry and every one above it."""
    # Archived cards count too (as on the statuses page): the index on the industry alone
    # answers this, where leaving them out would read every company row.
    direct = dict(
        db.session.execute(
            select(Company.industry_id, func.count())
            .where(Company.industry_id.is_not(None))
            .group_by(Company.industry_id)
        ).all()
    )
    if not direct:
        return {}
    parents = dict(db.session.execute(select(Industry.id, Industry.parent_id)).all())
    totals: Counter = Counter()
    for industry_id, count in direct.items():
        seen = set()
        current = industry_id
        while current is not None and current not in seen:
            seen.add(current)
            totals[current] += count
            current = parents.get(current)
    return dict(totals)


def child_counts(parent_ids) -> dict[int, int]:
    """How many children each of these industries has: one query."""
    if not parent_ids:
        return {}
    return dict(
        db.session.execute(
            select(Industry.parent_id, func.count())
            .where(Industry.parent_id.in_(list(parent_ids)))
            .group_by(Industry.parent_id)
        ).all()
    )
