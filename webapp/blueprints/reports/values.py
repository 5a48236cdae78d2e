"""How a report's numbers are written: in the table, on a chart, in a CSV cell.

One :class:`ValueFormat` per page or PDF: the locale's patterns are parsed and the words
translated once, not once per cell.
"""

import copy
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_compact_decimal, format_decimal, parse_pattern
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

NONE_TEXT = "–"


@lru_cache(maxsize=8)
def _patterns(locale_name: str):
    """The locale's whole-kroner money pattern and its percent patterns (0 and 1 decimal)."""
    locale = Locale.parse(locale_name)
    money = parse_pattern(locale.currency_formats["standard"].pattern.replace(".00", ""))
    percent = parse_pattern(locale.percent_formats[None].pattern)
    percent_one = copy.copy(percent)
    percent_one.frac_prec = (0, 1)
    return locale, money, percent, percent_one


def as_number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class ValueFormat:
    """Numbers of a report in the user's language: 1,234 · DKK 1,234 · 25% · 42 days · 3.7."""

    def __init__(self, locale_name: str | None = None):
        self.locale_name = locale_name or str(get_locale() or "en")
        self.locale, self.money_pattern, self.percent_pattern, self.percent_one = _patterns(
            self.locale_name
        )
        self.day_unit = _("d")

    # --- table cells and key figures -----------------------------------------------------

    def __call__(self, value, kind: str = "text") -> str:
        if value is None or value == "":
            return NONE_TEXT
        if kind == "text":
            return str(value)
        number = as_number(value)
        if number is None:
            return str(value)
        if kind == "money":
            return self.money(value)
        if kind == "percent":
            return self.percent(number)
        if kind == "days":
            whole = round(number)
            return ngettext("%(days)s day", "%(days)s days", whole, days=self.whole(whole))
        if kind == "rating":
            return format_decimal(number, format="0.0", locale=self.locale)
        if kind == "number":
            return format_decimal(number, format="#,##0.#", locale=self.locale)
        return self.whole(number)

    def whole(self, number) -> str:
        return format_decimal(round(float(number)), format="#,##0", locale=self.locale)

    def money(self, amount) -> str:
        """Whole kroner: DKK 125,000 (English) or 125.000 kr. (Danish)."""
        whole = Decimal(str(amount)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        text = self.money_pattern.apply(
            abs(whole), self.locale, currency="DKK", currency_digits=False
        )
        # CLDR's English pattern glues the code to the number; a space reads better.
        if text.startswith("DKK") and not text.startswith("DKK\xa0"):
            text = "DKK\xa0" + text[3:]
        return "-" + text if whole < 0 else text

    def percent(self, fraction: float) -> str:
        """25% · 3.4% (one decimal below 10 %, where it matters) · 0%."""
        pattern = self.percent_one if 0 < abs(fraction) < 0.1 else self.percent_pattern
        return pattern.apply(fraction, self.locale)

    # --- chart labels: short ----------------------------------------------------------------

    def short(self, value, kind: str = "count") -> str:
        """A chart's label: 12K, 1.2M (compact above 10,000), 25%, 42 d, 3.7."""
        number = as_number(value)
        if number is None:
            return NONE_TEXT
        if kind == "percent":
            return self.percent(number)
        if kind == "rating":
            return format_decimal(number, format="0.0", locale=self.locale)
        if kind == "days":
            return f"{self.whole(number)}\xa0{self.day_unit}"
        if abs(number) >= 10_000:
            return format_compact_decimal(number, locale=self.locale, fraction_digits=1)
        if kind == "number" and number != round(number):
            return format_decimal(number, format="#,##0.#", locale=self.locale)
        return self.whole(number)

    def unit(self, kind: str) -> str:
        """The unit written above a chart's value axis, where the labels leave it out."""
        return "DKK" if kind == "money" else ""


# Where a label's shared start ends: "Inactive – too small", "Inactive – no need".
PREFIX_SEPARATORS = (" – ", " — ", " - ", ": ")


def shared_prefix(labels) -> str:
    """The start every label shares up to a separator ("Inactive – "), or "".

    A chart or table of such labels shows what differs ("too small", "no need") and says
    the shared part once, in its heading. Two labels at least, each with more after it.
    """
    labels = [str(label) for label in labels]
    if len(labels) < 2:
        return ""
    first = labels[0]
    best = ""
    for separator in PREFIX_SEPARATORS:
        end = first.find(separator)
        while end > 0:
            prefix = first[: end + len(separator)]
            if all(label.startswith(prefix) and len(label) > len(prefix) for label in labels):
                best = max(best, prefix, key=len)
            end = first.find(separator, end + 1)
    return best


def without_prefix(label, prefix: str) -> str:
    """The label after the shared part, starting as a sentence: "No budget"."""
    text = str(label)
    if not prefix or not text.startswith(prefix):
        return text
    rest = text[len(prefix) :]
    return rest[:1].upper() + rest[1:]


def with_prefix(heading, prefix: str) -> str:
    """A heading that names the part its labels share: "Reason (Inactive – …)"."""
    if not str(heading or ""):
        return prefix.rstrip(" :") + " …"
    return _("%(heading)s (%(prefix)s …)", heading=heading, prefix=prefix.rstrip(" :"))
