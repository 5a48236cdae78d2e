"""A report's tables as CSV or XLSX, typed for a Danish Excel like the segment exports.

CSV: UTF-8 with a byte-order mark, ";" between cells, ISO dates, the locale's decimal mark,
percentages as numbers of percent (the header says "(%)"), amounts in kroner with two
decimals, text that Excel would run as a formula behind an apostrophe. Several tables
follow one another, each under its title, with a blank line between.
XLSX: a summary sheet (question, period, filters, key figures, definition) and a sheet per
table with real numbers and number formats (percent cells hold the fraction, shown as %).
"""

import csv
import io
import re
import tempfile
from decimal import Decimal

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import gettext as _

from webapp.blueprints.reports.base import Report, ReportFilters, ReportSpec, Row, Table
from webapp.blueprints.reports.values import as_number
from webapp.services.exports import FORMULA_START

NUMBER_KINDS = ("count", "money", "percent", "number", "days", "rating")
XLSX_FORMATS = {
    "count": "#,##0",
    "money": "#,##0",
    "percent": "0.0%",
    "number": "#,##0.0",
    "days": "#,##0.0",
    "rating": "0.0",
}


def label_heading(table: Table) -> str:
    """The heading of the row-label column: the label of a column keyed "label", if any."""
    for column in table.columns:
        if column.key == "label":
            return str(column.label)
    return ""


def value_columns(table: Table) -> list:
    return [c for c in table.columns if c.key != "label"]


def heading(column) -> str:
    label = str(column.label)
    if column.kind == "percent":
        return f"{label} (%)"
    if column.kind == "money":
        return f"{label} (DKK)"
    return label


def _table_rows(table: Table) -> list[Row]:
    return [*table.rows, *([table.total] if table.total else [])]


def _csv_cell(value, kind: str, decimal_mark: str) -> str:
    if value is None:
        return ""
    number = as_number(value) if kind in NUMBER_KINDS else None
    if kind in NUMBER_KINDS and number is not None:
        if kind == "count":
            return str(round(number))
        if kind == "money":
            return f"{Decimal(str(value)):.2f}".replace(".", decimal_mark)
        if kind == "percent":
            return f"{number * 100:.1f}".replace(".", decimal_mark)
        return f"{number:.1f}".replace(".", decimal_mark)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(report: Report) -> bytes:
    decimal_mark = get_decimal_symbol(str(get_locale() or "en"))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    several = len(report.tables) > 1
    for n, table in enumerate(report.tables):
        if n:
            writer.writerow([])
        if several and table.title:
            writer.writerow([_csv_cell(table.title, "text", decimal_mark)])
        columns = value_columns(table)
        writer.writerow([label_heading(table), *(heading(c) for c in columns)])
        for row in _table_rows(table):
            writer.writerow(
                [_csv_cell(row.label, "text", decimal_mark)]
                + [_csv_cell(row.values.get(c.key), c.kind, decimal_mark) for c in columns]
            )
    return buffer.getvalue().encode("utf-8")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or _("Table")
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:25]} {n}"
        n += 1
    taken.add(name.lower())
    return name


def _xlsx_value(value, kind):
    if value is None:
        return None
    if kind in NUMBER_KINDS:
        number = as_number(value)
        if number is not None:
            return round(number) if kind == "count" else number
    text = str(value)
    return text


def xlsx_file(spec: ReportSpec, report: Report, filters: ReportFilters, summary: list):
    """Write the workbook to a temporary file and return it rewound (the response closes it).

    `summary` is a list of (label, text) lines for the first sheet: period, filters…
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    bold = Font(bold=True)
    sheet = workbook.active
    taken: set[str] = set()
    sheet.title = _sheet_title(_("Summary"), taken)
    sheet.append([str(spec.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([str(spec.question)])
    sheet.append([])
    for label, text in summary:
        sheet.append([label, text])
    if report.key_figures:
        sheet.append([])
        sheet.append([_("Key figures")])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        for figure in report.key_figures:
            sheet.append([str(figure.label), _xlsx_value(figure.value, figure.kind)])
            cell = sheet.cell(row=sheet.max_row, column=2)
            cell.number_format = XLSX_FORMATS.get(figure.kind, "General")
            cell.alignment = Alignment(horizontal="right")
    sheet.append([])
    sheet.append([_("How it is counted")])
    sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append([str(spec.definition)])
    sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 36

    for n, table in enumerate(report.tables, start=1):
        ws = workbook.create_sheet(_sheet_title(table.title or _("Table %(n)s", n=n), taken))
        columns = value_columns(table)
        ws.append([label_heading(table), *(heading(c) for c in columns)])
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "B2"
        for row in table.rows:
            ws.append([row.label, *(_xlsx_value(row.values.get(c.key), c.kind) for c in columns)])
        if table.total:
            ws.append(
                [
                    table.total.label,
                    *(_xlsx_value(table.total.values.get(c.key), c.kind) for c in columns),
                ]
            )
            for cell in ws[ws.max_row]:
                cell.font = bold
        for index, column in enumerate(columns, start=2):
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = max(12, min(len(heading(column)) + 2, 30))
            number_format = XLSX_FORMATS.get(column.kind)
            if number_format:
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
        longest = max([len(str(r.label)) for r in _table_rows(table)] + [12])
        ws.column_dimensions["A"].width = min(longest + 2, 48)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    workbook.save(handle)
    handle.seek(0)
    return handle


def file_name(spec: ReportSpec, filters: ReportFilters, extension: str) -> str:
    """ "Won revenue by lead source 2025-06-01–2026-05-31.csv" as a tidy file name."""
    text = f"{spec.title} {filters.start.isoformat()} {filters.end.isoformat()}"
    base = re.sub(r"[^\w\- ]+", "", text, flags=re.UNICODE)
    base = re.sub(r"\s+", "-", base.strip()) or "report"
    return f"{base[:120]}.{extension}"
