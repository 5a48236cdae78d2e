"""The report filters in words: period presets, the period, the narrowing filters."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from webapp.blueprints.reports.base import FILTER_NAMES, ReportFilters, default_period

CATEGORY_LABELS = {"A": "A", "B": "B", "C": "C", "none": _l("No category")}


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    start: date
    end: date


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def period_presets(on: date) -> list[Preset]:
    """The periods a manager asks about most, up to today where the period is running."""
    month = on.replace(day=1)
    last_month_end = month - timedelta(days=1)
    quarter = _quarter_start(on)
    last_quarter_end = quarter - timedelta(days=1)
    twelve_start, _end = default_period(on)
    return [
        Preset("month", _("This month"), month, on),
        Preset("last_month", _("Last month"), last_month_end.replace(day=1), last_month_end),
        Preset("quarter", _("This quarter"), quarter, on),
        Preset(
            "last_quarter", _("Last quarter"), _quarter_start(last_quarter_end), last_quarter_end
        ),
        Preset("year", _("This year"), date(on.year, 1, 1), on),
        Preset("last_year", _("Last year"), date(on.year - 1, 1, 1), date(on.year - 1, 12, 31)),
        Preset("twelve", _("Last 12 months"), twelve_start, on),
    ]


def period_text(filters: ReportFilters) -> str:
    return _(
        "%(start)s – %(end)s",
        start=format_date(filters.start, "medium"),
        end=format_date(filters.end, "medium"),
    )


def filter_chips(spec_filters, filters: ReportFilters, names: dict) -> list[tuple[str, dict]]:
    """(text, changes that remove it) for each narrowing filter the report uses."""
    chips = []
    if "owner" in spec_filters and filters.owner_id:
        chips.append((_("Owner: %(name)s", name=names.get("owner")), {"owner_id": None}))
    if "category" in spec_filters and filters.category:
        label = CATEGORY_LABELS[filters.category]
        chips.append((_("Category: %(c)s", c=label), {"category": None}))
    if "industry" in spec_filters and filters.industry:
        chips.append((_("Industry: %(name)s", name=names.get("industry")), {"industry": None}))
    if "lead_source" in spec_filters and filters.lead_source_id:
        chips.append(
            (_("Lead source: %(name)s", name=names.get("source")), {"lead_source_id": None})
        )
    return chips


def filter_summary(filters: ReportFilters, names: dict, spec_filters=FILTER_NAMES) -> list[str]:
    """The narrowing filters in words, for the PDF's cover and the export's summary."""
    return [text for text, _changes in filter_chips(spec_filters, filters, names)]


def css_string(text) -> str:
    """Text as a quoted CSS string (for the PDF's page margins): quotes, backslashes, "<"."""
    escaped = (
        str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    )
    # Already escaped for CSS; Jinja must not turn its quotes into HTML entities.
    return Markup(f'"{escaped}"')  # noqa: S704 - escaped above
