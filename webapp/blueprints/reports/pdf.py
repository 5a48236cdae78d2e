"""The management PDF: every registered report, rendered by WeasyPrint from the page's pieces."""

import base64
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from flask import current_app, get_template_attribute, render_template
from flask.globals import request_ctx
from flask_babel import format_date

from webapp.blueprints.reports import queries as q
from webapp.blueprints.reports.base import Report, ReportFilters, ReportSpec, ordered_reports
from webapp.blueprints.reports.charts import Shapes, chart_shapes
from webapp.blueprints.reports.periods import filter_summary, period_text
from webapp.blueprints.reports.values import ValueFormat
from webapp.extensions import db

# Rows of a table printed in the PDF; the rest are a click away in Kanel and its exports.
# (WeasyPrint lays out a table cell in about a millisecond: rows are what a PDF costs.)
TABLE_ROWS = 12
BUILD_WORKERS = 4


@dataclass
class Section:
    number: int
    spec: ReportSpec
    report: Report
    charts: list[tuple[Shapes, str, str]]  # shapes, id, the SVG as a data: URI


def svg_image(shapes: Shapes, uid: str) -> str:
    """The page's SVG markup as a data: URI: WeasyPrint draws an SVG image far faster than
    it lays out the same elements inline (no CSS cascade over hundreds of shapes)."""
    markup = get_template_attribute("reports/_chart.html", "svg_markup")(shapes, uid)
    return "data:image/svg+xml;base64," + base64.b64encode(str(markup).encode()).decode()


def _build_in(context, spec: ReportSpec, filters: ReportFilters) -> Report:
    """Build one report in a copy of the request (its own app context, session, language)."""
    with context:
        try:
            return spec.build(filters)
        finally:
            db.session.remove()


def build_reports(specs: list[ReportSpec], filters: ReportFilters) -> list[Report]:
    """Every report, several at a time: the database works on one while Python waits.

    REPORT_PDF_WORKERS (default 4; 1 under test, where one connection holds the test's
    transaction) sets how many are built at once.
    """
    default = 1 if current_app.testing else BUILD_WORKERS
    workers = min(int(current_app.config.get("REPORT_PDF_WORKERS", default)), len(specs))
    if workers <= 1:
        return [spec.build(filters) for spec in specs]
    request_context = request_ctx._get_current_object()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_build_in, request_context.copy(), spec, filters) for spec in specs]
        return [future.result() for future in futures]


def build_sections(filters: ReportFilters, fmt: ValueFormat) -> list[Section]:
    sections = []
    specs = ordered_reports()
    for number, (spec, report) in enumerate(
        zip(specs, build_reports(specs, filters), strict=True), start=1
    ):
        charts = []
        for n, chart in enumerate(report.charts):
            shapes, uid = chart_shapes(chart, fmt), f"s{number}-chart-{n}"
            charts.append((shapes, uid, svg_image(shapes, uid)))
        sections.append(Section(number, spec, report, charts))
    return sections


def management_html(filters: ReportFilters, user, today: date) -> str:
    """The PDF's HTML: cover, contents, key figures, then a section per report."""
    fmt = ValueFormat()
    names = q.filter_names(filters)
    return render_template(
        "reports/management.html",
        company_name=current_app.config.get("COMPANY_NAME") or "Kanel",
        sections=build_sections(filters, fmt),
        fmt=fmt,
        period=period_text(filters),
        filter_lines=filter_summary(filters, names),
        user=user,
        generated=format_date(today, "long"),
        table_rows=TABLE_ROWS,
    )


def management_pdf(filters: ReportFilters, user, today: date, base_url=None):
    """Render the PDF into a temporary file and return it rewound (the response closes it)."""
    from weasyprint import HTML

    html = management_html(filters, user, today)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    HTML(string=html, base_url=base_url).write_pdf(output)
    output.seek(0)
    return output
