"""Exports of a segment's companies or contacts as CSV or XLSX, streamed in chunks.

Rows are read CHUNK at a time (`yield_per`, a server-side cursor on PostgreSQL); for each
chunk a few queries add what lives in other tables (group options, last activity, open
pipeline). Nothing holds all rows at once: CSV goes out as it is written, XLSX is written
by openpyxl's write-only workbook into a temporary file that is then sent.

Typed for a Danish Excel:
- XLSX cells are real numbers, dates and booleans with number formats (dates yyyy-mm-dd).
- CSV is UTF-8 with a byte-order mark (so Excel reads æøå), separated by ";" (Excel's list
  separator wherever the decimal mark is a comma, and harmless elsewhere), dates as ISO
  2026-11-27, whole numbers without thousands separators and decimals with the user's
  locale decimal mark (1234,50 in Danish, 1234.50 in English), which is what Excel in that
  locale reads as a number. Yes/no values are words in the user's language.
- Text that Excel would run as a formula (starting with = + - @ or a tab) gets a leading
  apostrophe in CSV and is stored as plain text in XLSX (CSV injection).
"""

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from babel.numbers import get_decimal_symbol
from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, select, true

from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Company, Contact, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.marketing import Industry
from webapp.models.pipeline import Deal
from webapp.models.user import User
from webapp.services.segments import as_definition, segment_conditions

CHUNK = 1000
EXPORT_KINDS = {
    "companies": _l("Companies"),
    "contacts": _l("Contacts"),
    "email": _l("E-mail marketing"),
}
FORMATS = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    kind: str  # text, int, decimal, date, bool
    scope: str  # company or contact
    get: Callable  # (row, extra) -> value
    # What the chunk needs loaded beside the rows: "groups", "activity", "pipeline".
    needs: str = ""
    group_id: int | None = None


def _field(name):
    return lambda row, extra: getattr(row, name)


def _day(name):
    def get(row, extra):
        value = getattr(row, name)
        return value.date() if isinstance(value, datetime) else value

    return get


def _industry_title(row, extra):
    if str(get_locale() or "en").startswith("da"):
        return row.industry_title_da or row.industry_title_en
    return row.industry_title_en


def _last_activity(row, extra):
    value = extra["activity"].get(row.company_id)
    return value.date() if isinstance(value, datetime) else value


def _pipeline(row, extra):
    value = extra["pipeline"].get(row.company_id)
    return Decimal(value).quantize(Decimal("0.01")) if value is not None else None


def _group_getter(group_id):
    return lambda row, extra: extra["groups"].get((row.company_id, group_id))


COMPANY_COLUMNS = [
    Column("name", _l("Company"), "text", "company", _field("company_name")),
    Column("cvr", _l("CVR number"), "text", "company", _field("cvr")),
    Column("street", _l("Address"), "text", "company", _field("street")),
    Column("postcode", _l("Postcode"), "text", "company", _field("postcode")),
    Column("city", _l("City"), "text", "company", _field("city")),
    Column("country", _l("Country"), "text", "company", _field("country")),
    Column("website", _l("Website"), "text", "company", _field("website")),
    Column("phone", _l("Phone"), "text", "company", _field("company_phone")),
    Column("email", _l("E-mail"), "text", "company", _field("company_email")),
    Column("employees", _l("Employees"), "int", "company", _field("employees")),
    Column("category", _l("Category"), "text", "company", _field("category")),
    Column("status", _l("Status"), "text", "company", _field("status_name")),
    Column("owner", _l("Owner"), "text", "company", _field("owner_name")),
    Column("industry_code", _l("Industry code"), "text", "company", _field("industry_code")),
    Column("industry_title", _l("Industry"), "text", "company", _industry_title),
    Column(
        "pipeline",
        _l("Open deals (DKK)"),
        "decimal",
        "company",
        _pipeline,
        needs="pipeline",
    ),
    Column("created", _l("Created"), "date", "company", _day("created_at")),
    Column(
        "last_activity", _l("Last activity"), "date", "company", _last_activity, needs="activity"
    ),
]
CONTACT_COLUMNS = [
    Column("first_name", _l("First name"), "text", "contact", _field("first_name")),
    Column("last_name", _l("Last name"), "text", "contact", _field("last_name")),
    Column("title", _l("Title"), "text", "contact", _field("title")),
    Column("contact_email", _l("Contact e-mail"), "text", "contact", _field("contact_email")),
    Column("contact_phone", _l("Contact phone"), "text", "contact", _field("contact_phone")),
    Column("consent", _l("Marketing consent"), "bool", "contact", _field("marketing_consent")),
    Column("consent_at", _l("Consent given"), "date", "contact", _day("consent_at")),
    Column("consent_source", _l("Consent given how"), "text", "contact", _field("consent_source")),
]
# The e-mail marketing export always starts with these, in this order.
EMAIL_LEAD = ["contact_email", "first_name", "last_name", "name"]
DEFAULT_KEYS = {
    "companies": ["name", "cvr", "city", "status", "owner", "category"],
    "contacts": ["name", "first_name", "last_name", "title", "contact_email", "contact_phone"],
    "email": [],
}


def group_columns() -> list[Column]:
    """A column for every active company group (lead source, satisfaction, systems…)."""
    groups = db.session.scalars(
        select(Group)
        .where(Group.active, Group.applies_to == "company")
        .order_by(Group.position, Group.id)
    ).all()
    return [
        Column(
            f"group:{g.id}",
            g.name,
            "text",
            "company",
            _group_getter(g.id),
            needs="groups",
            group_id=g.id,
        )
        for g in groups
    ]


def available_columns(what: str) -> list[Column]:
    """The columns a user may pick for this export, in the order they come out."""
    company = [*COMPANY_COLUMNS, *group_columns()]
    if what == "companies":
        return company
    return [*CONTACT_COLUMNS, *company]


def chosen_columns(what: str, keys) -> list[Column]:
    """The picked columns in their fixed order; the e-mail export leads with its own four."""
    columns = available_columns(what)
    by_key = {c.key: c for c in columns}
    wanted = set(keys)
    if what == "email":
        lead = [by_key[k] for k in EMAIL_LEAD]
        return lead + [c for c in columns if c.key in wanted and c.key not in EMAIL_LEAD]
    return [c for c in columns if c.key in wanted]


def _base_query(definition, what: str):
    d = as_definition(definition)
    columns = [
        Company.id.label("company_id"),
        Company.name.label("company_name"),
        Company.cvr,
        Company.street,
        Company.postcode,
        Company.city,
        Company.country,
        Company.website,
        Company.phone.label("company_phone"),
        Company.email.label("company_email"),
        Company.employees,
        Company.category,
        Company.created_at,
        Status.name.label("status_name"),
        User.name.label("owner_name"),
        Industry.code.label("industry_code"),
        Industry.title_en.label("industry_title_en"),
        Industry.title_da.label("industry_title_da"),
    ]
    if what != "companies":
        columns += [
            Contact.id.label("contact_id"),
            Contact.first_name,
            Contact.last_name,
            Contact.title,
            Contact.email.label("contact_email"),
            Contact.phone.label("contact_phone"),
            Contact.marketing_consent,
            Contact.consent_at,
            Contact.consent_source,
        ]
    stmt = (
        select(*columns)
        .select_from(Company)
        .join(Status, Status.id == Company.status_id)
        .outerjoin(User, User.id == Company.owner_id)
        .outerjoin(Industry, Industry.id == Company.industry_id)
        .where(*segment_conditions(d))
    )
    order = [Company.name_key, Company.id]
    if what != "companies":
        stmt = stmt.join(Contact, Contact.company_id == Company.id).where(
            Contact.archived == false()
        )
        if what == "email" or d.consent == "yes":
            stmt = stmt.where(Contact.marketing_consent == true())
        if what == "email":
            stmt = stmt.where(Contact.email.is_not(None), Contact.email != "")
        order += [Contact.last_name, Contact.first_name, Contact.id]
    return stmt.order_by(*order)


def _extras(company_ids, columns) -> dict:
    """What the chosen columns need from other tables, for one chunk of companies."""
    needs = {c.needs for c in columns}
    extra = {"groups": {}, "activity": {}, "pipeline": {}}
    ids = list(company_ids)
    if "groups" in needs:
        group_ids = [c.group_id for c in columns if c.group_id]
        labels: dict[tuple[int, int], list[str]] = {}
        for company_id, group_id, label in db.session.execute(
            select(GroupValue.company_id, GroupValue.group_id, GroupOption.label)
            .join(GroupOption, GroupOption.id == GroupValue.option_id)
            .where(GroupValue.company_id.in_(ids), GroupValue.group_id.in_(group_ids))
            .order_by(GroupValue.company_id, GroupOption.position, GroupOption.id)
        ):
            labels.setdefault((company_id, group_id), []).append(label)
        extra["groups"] = {key: ", ".join(value) for key, value in labels.items()}
    if "activity" in needs:
        extra["activity"] = dict(
            db.session.execute(
                select(Activity.company_id, func.max(Activity.occurred_at))
                .where(Activity.company_id.in_(ids), Activity.deleted == false())
                .group_by(Activity.company_id)
            ).all()
        )
    if "pipeline" in needs:
        extra["pipeline"] = dict(
            db.session.execute(
                select(Deal.company_id, func.sum(Deal.value))
                .where(Deal.company_id.in_(ids), Deal.outcome == "open")
                .group_by(Deal.company_id)
            ).all()
        )
    return extra


def marketing_email(address: str | None) -> str | None:
    """The address tidied when its syntax is valid (no DNS look-up), else None."""
    if not address:
        return None
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def export_rows(definition, what: str, columns: list[Column]) -> Iterator[list]:
    """Typed values of each row, chunk by chunk; the e-mail export skips invalid addresses."""
    stmt = _base_query(definition, what).execution_options(yield_per=CHUNK)
    result = db.session.execute(stmt)
    for chunk in result.partitions():
        extra = _extras({row.company_id for row in chunk}, columns)
        for row in chunk:
            values = [column.get(row, extra) for column in columns]
            if what == "email":
                address = marketing_email(row.contact_email)
                if address is None:
                    continue
                values[0] = address
            yield values


# --- Writers ---------------------------------------------------------------------------


def _csv_text(value, kind, decimal_mark, yes, no) -> str:
    if value is None:
        return ""
    if kind == "bool":
        return yes if value else no
    if kind == "date":
        return value.isoformat()
    if kind == "int":
        return str(int(value))
    if kind == "decimal":
        return f"{Decimal(value):.2f}".replace(".", decimal_mark)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_chunks(columns: list[Column], rows, batch: int = 500) -> Iterator[bytes]:
    """The CSV file as UTF-8 byte chunks: a BOM, the header, then `batch` rows at a time."""
    decimal_mark = get_decimal_symbol(str(get_locale() or "en"))
    yes, no = _("yes"), _("no")
    kinds = [c.kind for c in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(str(c.label) for c in columns)
    pending = 0
    for values in rows:
        writer.writerow(
            _csv_text(v, k, decimal_mark, yes, no) for v, k in zip(values, kinds, strict=True)
        )
        pending += 1
        if pending >= batch:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


NUMBER_FORMATS = {"decimal": "#,##0.00"}
WIDTHS = {"int": 11, "decimal": 14, "date": 12, "bool": 10, "text": 24}


def xlsx_file(columns: list[Column], rows, title: str):
    """Write the rows to a temporary .xlsx file (write-only workbook); return it rewound."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for n, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = WIDTHS[column.kind]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    kinds = [c.kind for c in columns]
    formats = [NUMBER_FORMATS.get(k) for k in kinds]
    for values in rows:
        cells = []
        for value, kind, number_format in zip(values, kinds, formats, strict=True):
            # Plain values where openpyxl's own typing is right (text, whole numbers, dates
            # as yyyy-mm-dd): a styled cell costs a good deal more at 200,000 rows.
            if value is None or kind in ("int", "bool", "date"):
                cells.append(value)
            elif kind == "text":
                text = str(value)
                if text.startswith("="):
                    cell = WriteOnlyCell(sheet, value=text)
                    cell.data_type = "s"  # text, never a formula
                    cells.append(cell)
                else:
                    cells.append(text)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
        sheet.append(cells)
    # Closed by the response once sent (send_file wraps it), which also deletes it.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - outlives this function
    workbook.save(handle)
    handle.seek(0)
    return handle


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Kanel"
    return cleaned[:31]


def file_name(segment_name: str, what: str, extension: str, on: date) -> str:
    """ "Leads i Jylland – contacts – 2026-11-27.csv" as a tidy file name."""
    label = {"companies": _("companies"), "contacts": _("contacts"), "email": _("e-mail")}[what]
    base = re.sub(r"[^\w\- ]+", "", f"{segment_name} {label} {on.isoformat()}", flags=re.UNICODE)
    base = re.sub(r"\s+", "-", base.strip()) or "segment"
    return f"{base[:120]}.{extension}"


def content_disposition(name: str) -> str:
    """attachment; filename=ASCII fallback; filename*=UTF-8 original (RFC 6266)."""
    ascii_name = (
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii") or "export"
    )
    ascii_name = ascii_name.replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
