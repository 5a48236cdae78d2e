"""Reading import files: delimiters, encodings, XLSX, and a clear message for anything else."""

import io

import pytest
from openpyxl import Workbook

from webapp.services.imports import ImportFileError, read_file
from webapp.services.imports.parsing import parse_date, parse_decimal

ROWS = [["Firmanavn", "By", "Ansatte"], ["Ærø Østergaard ApS", "Århus", "1.250"]]


def csv_bytes(delimiter=";", encoding="utf-8", bom=False, newline="\r\n"):
    text = newline.join(delimiter.join(row) for row in ROWS) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"), ("cp1252", False, "cp1252")],
)
def test_does_every_delimiter_and_encoding_read_the_same(delimiter, encoding, bom, expected):
    table = read_file("firmaer.csv", csv_bytes(delimiter, encoding, bom))
    assert table.headers == ["Firmanavn", "By", "Ansatte"]
    assert table.rows == [(2, ["Ærø Østergaard ApS", "Århus", "1.250"])]
    assert table.encoding == expected
    assert table.delimiter == delimiter


def test_does_a_comma_inside_quotes_not_split_a_semicolon_file():
    data = b'Navn;Noter\n"Hansen, Jensen & Co";"a; b"\n'
    table = read_file("x.csv", data)
    assert table.rows[0][1] == ["Hansen, Jensen & Co", "a; b"]


def test_does_an_xlsx_workbook_read_with_dates_and_numbers_as_text():
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["Firmanavn", "Oprettet", "Ansatte", "Beløb"])
    sheet.append(["Nordlys ApS", datetime(2026, 12, 31), 12, 1234.5])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_file("firmaer.xlsx", buffer.getvalue())
    assert table.encoding == "xlsx"
    assert table.rows == [(2, ["Nordlys ApS", "2026-12-31", "12", "1234.5"])]


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b" \r\n\r\n", "empty"),
        ("only-header.csv", b"Navn;By\r\n", "no rows"),
        (
            "no-header.csv",
            b"12345678;2026-01-01;100\n87654321;2026-02-01;200\n",
            "not column names",
        ),
        ("blank-header.csv", b"Navn;;By\nA;b;c\n", "has no name"),
        ("twice.csv", b"Navn;By;navn\nA;B;C\n", "more than once"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        ("sheet.ods", b"PK\x03\x04whatever", "CSV and Excel"),
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text file"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "not an Excel workbook"),
    ],
)
def test_does_a_file_kanel_cannot_import_say_why(name, data, says):
    with pytest.raises(ImportFileError) as caught:
        read_file(name, data)
    assert says in str(caught.value)


def test_is_a_file_over_50_mb_refused(monkeypatch):
    from webapp.services.imports import reading

    monkeypatch.setattr(reading, "MAX_BYTES", 100)
    with pytest.raises(ImportFileError, match="50 MB"):
        read_file("big.csv", b"Navn\n" + b"x\n" * 60)


def test_are_more_than_200000_rows_refused(monkeypatch):
    from webapp.services.imports import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        read_file("many.csv", b"Navn\na\nb\nc\nd\n")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1234,5", "1234.5"),
        ("1.250", "1250"),
        ("kr. 12.000", "12000"),
        ("-7", "-7"),
        ("1 234 567", "1234567"),
    ],
)
def test_are_danish_and_english_numbers_read(text, value):
    from decimal import Decimal

    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["31-12-2026", "31.12.2026", "2026-12-31", "31/12/2026"])
def test_are_danish_and_iso_dates_read(text):
    from datetime import date

    assert parse_date(text) == date(2026, 12, 31)


@pytest.mark.parametrize("text", ["12,34,5", "abc", "1.23.4"])
def test_is_a_bad_number_refused(text):
    with pytest.raises(ValueError, match="."):
        parse_decimal(text)


@pytest.mark.parametrize("text", ["32-12-2026", "2026-13-01", "next week"])
def test_is_a_bad_date_refused(text):
    with pytest.raises(ValueError, match="."):
        parse_date(text)
