"""Reading an uploaded file: CSV as a Danish or English Excel saves it, or XLSX.

CSV: `;`, `,` or tab (whichever gives the header and the first lines the same number of
columns), UTF-8 with or without a byte-order mark, else Windows-1252. XLSX: the first
worksheet, read-only. Anything else gets a message that says what to do.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
DELIMITERS = (";", ",", "\t")


class ImportFileError(ValueError):
    """A file Kanel cannot import; `message` (a lazy string) says why and what to do."""

    def __init__(self, message, **params):
        self.message = message
        self.params = params
        super().__init__(str(message) % params if params else str(message))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass
class Table:
    """A file's header and its rows, each row with its line in the file (header = line 1)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str | None = None

    def column(self, header: str) -> list[str]:
        """Every row's value in the column with this header (blank when the row is short)."""
        index = self.headers.index(header)
        return [cells[index] if index < len(cells) else "" for _line, cells in self.rows]


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _l("Kanel cannot read the text of this file. Save it as CSV UTF-8 and try again.")
        ) from error


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number of columns (most wins)."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    if not lines:
        return ";"
    best, best_score = ";", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        except csv.Error:
            continue
        width = len(rows[0]) if rows else 0
        if width < 2:
            continue
        same = sum(1 for row in rows if len(row) == width)
        score = (same, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _cell_text(value) -> str:
    """An XLSX cell as the text a CSV would hold: dates as ISO, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _read_csv(data: bytes) -> tuple[list[list[str]], str, str]:
    if b"\x00" in data[:4096]:
        raise ImportFileError(
            _l("This is not a text file. Save it as CSV (UTF-8) or as an Excel workbook (.xlsx).")
        )
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(
            _l("The CSV file is damaged (%(error)s). Save it again from the spreadsheet."),
            error=str(error),
        ) from error
    return [[cell.strip() for cell in row] for row in rows], encoding, delimiter


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportFileError(
            _l("The file is not an Excel workbook Kanel can read. Save it as .xlsx or as CSV.")
        ) from error
    try:
        if not book.worksheets:
            raise ImportFileError(_l("The workbook has no sheets."))
        rows = []
        for values in book.worksheets[0].iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 50:
                break
        return rows
    finally:
        book.close()


def _looks_like_data(cell: str) -> bool:
    value = cell.strip()
    return bool(
        re.fullmatch(r"[\d\s.,+\-/:]+", value) or re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", value)
    )


def read_file(filename: str, data: bytes) -> Table:
    """Read an uploaded file into a Table, or raise ImportFileError saying what is wrong.

    Refuses: files over 50 MB or 200,000 rows, empty files, a first row that is not a
    header (blank, or values rather than names), duplicate headers, old Excel (.xls),
    OpenDocument (.ods) and other binary files.
    """
    name = (filename or "").lower().strip()
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _l(
                "The file is larger than 50 MB. Split it into smaller files and import them "
                "one by one."
            )
        )
    if not data.strip():
        raise ImportFileError(_l("The file is empty."))
    if name.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _l("This is the old Excel format (.xls). Save it as Excel workbook (.xlsx) or as CSV.")
        )
    if name.endswith((".ods", ".numbers")):
        raise ImportFileError(
            _l("Kanel reads CSV and Excel workbooks (.xlsx). Save the spreadsheet as one of them.")
        )
    encoding, delimiter = "xlsx", None
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        rows = _read_xlsx(data)
    else:
        rows, encoding, delimiter = _read_csv(data)
    numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(row)]
    if not numbered:
        raise ImportFileError(_l("The file is empty."))
    header_line, header = numbered[0]
    while header and not header[-1]:
        header = header[:-1]
    body = numbered[1:]
    if not body:
        raise ImportFileError(_l("The file has a header but no rows below it."))
    if len(body) > MAX_ROWS:
        raise ImportFileError(
            _l("The file has more than %(max)s rows. Split it into smaller files."),
            max=f"{MAX_ROWS:,}",
        )
    blank = [str(i + 1) for i, cell in enumerate(header) if not cell]
    if blank:
        raise ImportFileError(
            _l(
                "The first row must name every column, but column %(columns)s has no name. "
                "Add a header row."
            ),
            columns=", ".join(blank),
        )
    if sum(1 for cell in header if _looks_like_data(cell)) * 2 >= len(header):
        raise ImportFileError(
            _l(
                "The first row holds values (%(cells)s), not column names. Add a header row "
                "that names the columns."
            ),
            cells=", ".join(header[:3]),
        )
    seen: dict[str, str] = {}
    twice = []
    for cell in header:
        key = " ".join(cell.lower().split())
        if key in seen and cell not in twice:
            twice.append(cell)
        seen[key] = cell
    if twice:
        raise ImportFileError(
            _l("Column names must differ, but %(names)s appears more than once. Rename one."),
            names=", ".join(f"“{name}”" for name in twice),
        )
    del header_line
    return Table(headers=header, rows=body, encoding=encoding, delimiter=delimiter)
