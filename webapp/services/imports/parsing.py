"""Parsing cell text: numbers and dates as Danish and English spreadsheets write them."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_CURRENCY = re.compile(r"(?i)\b(dkk|kr|eur|usd|sek|nok|gbp)\b\.?|[€$£]")
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d-%m-%y",
    "%d.%m.%y",
    "%d/%m/%y",
)
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H.%M")
YES = {"yes", "y", "ja", "j", "true", "sand", "1", "x", "ok"}
NO = {"no", "n", "nej", "false", "falsk", "0", ""}


def parse_decimal(text: str) -> Decimal:
    """ "1.234,50", "1,234.50", "1234.5", "kr. 1.234", "-12" → Decimal; ValueError otherwise.

    With one kind of separator only, three digits after it mean thousands ("1.234" and
    "1,234" are 1234); otherwise it is the decimal point.
    """
    value = _CURRENCY.sub("", text or "").replace("\u00a0", "").replace(" ", "").strip()
    value = value.replace("'", "")
    if not value:
        raise ValueError("empty")
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        value = value.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in value or "." in value:
        mark = "," if "," in value else "."
        parts = value.split(mark)
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0].lstrip("-+")):
            if not all(len(p) == 3 for p in parts[1:]):
                raise ValueError(text)
            value = "".join(parts)
        else:
            value = value.replace(mark, ".")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", value):
        raise ValueError(text)
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise ValueError(text) from error


def parse_int(text: str) -> int:
    number = parse_decimal(text)
    if number != number.to_integral_value():
        raise ValueError(text)
    return int(number)


def parse_date(text: str) -> date | datetime:
    """ISO, "31-12-2026", "31.12.2026", "31/12/2026" (day first), optionally with a time."""
    value = " ".join((text or "").replace("T", " ").split())
    if not value:
        raise ValueError("empty")
    day_part, _, time_part = value.partition(" ")
    time_part = time_part.split("+")[0].rstrip("Z")
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(day_part, fmt)
        except ValueError:
            continue
        if not 1900 <= day.year <= 2200:
            raise ValueError(text)
        if not time_part:
            return day.date()
        for tfmt in _TIME_FORMATS:
            try:
                moment = datetime.strptime(
                    time_part.split(".")[0] if tfmt != "%H.%M" else time_part, tfmt
                )
            except ValueError:
                continue
            return day.replace(hour=moment.hour, minute=moment.minute, second=moment.second)
        raise ValueError(text)
    raise ValueError(text)


def parse_bool(text: str) -> bool:
    value = (text or "").strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(text)
