"""The management PDF: every registered report, rendered by WeasyPrint from the page's pieces.

A board reads a compact report: each report prints its key figures, its first chart and as
much of its tables as reads on about a page (the first table's first rows always); the rest
is named at the end of the section with a link to the report in Kanel, where the whole
report, its drill-down and its exports are. WeasyPrint lays out every box it is given — a
table cell costs about a millisecond — so what is printed is what the PDF costs.
"""

import gc
import queue
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date

from flask import current_app, get_template_attribute, render_template, url_for
from flask.globals import request_ctx
from flask_babel import format_date
from flask_babel import gettext as _

from webapp.blueprints.reports import queries as q
from webapp.blueprints.reports.base import (
    Chart,
    Report,
    ReportFilters,
    ReportSpec,
    Table,
    ordered_reports,
)
from webapp.blueprints.reports.charts import Shapes, chart_shapes
from webapp.blueprints.reports.periods import filter_summary, period_text
from webapp.blueprints.reports.values import ValueFormat
from webapp.extensions import db

# Rows of the first table printed; the rest are a click away in Kanel and its exports.
TABLE_ROWS = 12
# A report's section keeps to a page where it can: a further table is printed whole when the
# page has room for it after the first table's rows (an estimate in mm of A4's 258 mm).
PAGE_MM = 258
# The estimate's margin of error: a table that would only just fit waits for the web page.
SAFETY_MM = 12
ROW_MM = 5.4  # a table row at 8 pt
CHART_MM = 155  # a chart's printed width
# Bars of a chart of table rows (salespeople, owners) printed: the first table's rows.
CHART_LABELS = TABLE_ROWS
# Reports built at once: SQLite and PostgreSQL work on one query while Python builds another.
BUILD_WORKERS = 2
CHART_SCHEME = "kanel-chart"
PDF_FONT = "Liberation Sans"  # the one family print.css names


@dataclass
class Section:
    number: int
    spec: ReportSpec
    report: Report
    chart: tuple[Shapes, str, str] | None  # shapes, id, the image's URL
    tables: list[Table]
    left_out: list[str] = field(default_factory=list)  # charts and tables only in Kanel
    url: str = ""  # the report in Kanel with these filters


def svg_bytes(shapes: Shapes, uid: str) -> bytes:
    """The page's SVG markup: WeasyPrint draws an SVG image far faster than it lays out the
    same elements inline (no CSS cascade over hundreds of shapes)."""
    markup = get_template_attribute("reports/_chart.html", "svg_markup")
    return str(markup(shapes, uid, font=PDF_FONT, tooltips=False)).encode()


# How long each report last took to build here (ms), so the next PDF starts the slowest
# first: two workers finish together instead of one waiting while the other builds the
# last, slowest report.
_build_ms: dict[str, float] = {}


def _timed_build(spec: ReportSpec, filters: ReportFilters) -> Report:
    started = time.perf_counter()
    report = spec.build(filters)
    _build_ms[spec.slug] = (time.perf_counter() - started) * 1000
    return report


def build_order(specs: list[ReportSpec]) -> list[int]:
    """The specs' positions, slowest first by their last build (one never built first)."""
    return sorted(range(len(specs)), key=lambda n: -_build_ms.get(specs[n].slug, float("inf")))


def build_reports(specs: list[ReportSpec], filters: ReportFilters) -> list[Report]:
    """Every report, two at a time: the database runs one's query (SQLite and the
    PostgreSQL driver let go of Python's lock meanwhile) while Python builds the other.

    The request's own thread builds reports too; each other worker takes reports from one
    queue, slowest first, in a copy of the request (its own app context, so its own
    database session and flask.g; the same language and user). REPORT_PDF_WORKERS (default
    2, one per core; 1 under test, where one connection holds the test's transaction) sets
    how many build at once. Measured at full scale on SQLite, two cores free: ≈ 1.3 s for
    the reports one at a time, ≈ 0.65 s two at a time.
    """
    default = 1 if current_app.testing else BUILD_WORKERS
    workers = min(int(current_app.config.get("REPORT_PDF_WORKERS", default)), len(specs))
    if workers <= 1:
        return [_timed_build(spec, filters) for spec in specs]
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for n in build_order(specs):
        pending.put((n, specs[n]))
    built: dict[int, Report] = {}
    failed: list[BaseException] = []

    def work():
        while not failed:
            try:
                n, spec = pending.get_nowait()
            except queue.Empty:
                return
            try:
                built[n] = _timed_build(spec, filters)
            except BaseException as error:  # re-raised in the request's thread
                failed.append(error)

    def work_in(context):
        with context:
            try:
                work()
            finally:
                db.session.remove()

    request_context = request_ctx._get_current_object()
    threads = [
        threading.Thread(target=work_in, args=(request_context.copy(),), daemon=True)
        for _n in range(workers - 1)
    ]
    for thread in threads:
        thread.start()
    try:
        work()
    finally:
        for thread in threads:
            thread.join()
    if failed:
        raise failed[0]
    return [built[n] for n in range(len(specs))]


def _title(item) -> str:
    return str(item.title or "")


def printed_chart(chart: Chart, tables: list[Table]) -> Chart:
    """A chart of more bars than the first table prints, over that table's rows (such as
    one bar per salesperson), keeps to the rows printed; a chart over time keeps them all."""
    if chart.kind == "line" or len(chart.labels) <= CHART_LABELS:
        return chart
    row_labels = {str(row.label) for row in tables[0].rows} if tables else set()
    if not all(str(label) in row_labels for label in chart.labels):
        return chart
    shown, total = CHART_LABELS, len(chart.labels)
    title = _title(chart)
    return replace(
        chart,
        labels=chart.labels[:shown],
        series=[replace(s, values=s.values[:shown]) for s in chart.series],
        title=_(
            "%(title)s (the first %(shown)s of %(total)s)", title=title, shown=shown, total=total
        )
        if title
        else _("The first %(shown)s of %(total)s", shown=shown, total=total),
    )


def _table_mm(table: Table, rows: int) -> float:
    """A table's height: title, wrapped headings, rows, total, the "first rows of" line."""
    more = 4 if len(table.rows) > rows else 0
    return 6 + 9 + ROW_MM * (rows + (1 if table.total else 0)) + more + 5


def _head_mm(spec: ReportSpec, report: Report, shapes: Shapes | None) -> float:
    """What comes before the tables: heading, definition, key figures, notes, the line
    naming what is only in Kanel, the chart."""
    mm = 24 + 8 + 4.2 * (len(str(spec.definition)) // 110 + 1) + 5 + 8
    mm += 23 * ((len(report.key_figures) + 3) // 4)
    if shapes is not None:
        mm += 14 + shapes.height / shapes.width * CHART_MM
    mm += sum(4.5 * (len(str(note)) // 120 + 1) for note in report.notes) + (
        5 if report.notes else 0
    )
    return mm


def printed_tables(tables: list[Table], room: float) -> tuple[list[Table], list[Table]]:
    """The first table (its first rows), then whole further tables while the page has room."""
    printed, left_out = [], []
    for n, table in enumerate(tables):
        if n == 0:
            printed.append(table)
            room -= _table_mm(table, min(len(table.rows), TABLE_ROWS))
        elif _table_mm(table, len(table.rows)) <= room:
            printed.append(table)
            room -= _table_mm(table, len(table.rows))
        else:
            left_out.append(table)
            room = 0  # in their order: nothing after a table left out
    return printed, left_out


def section_for(number: int, spec: ReportSpec, report: Report, filters, fmt) -> Section:
    chart = None
    if report.charts:
        shapes = chart_shapes(printed_chart(report.charts[0], report.tables), fmt)
        if not (report.empty and shapes.empty):
            chart = (shapes, f"s{number}-chart", f"{CHART_SCHEME}:s{number}")
    room = PAGE_MM - SAFETY_MM - _head_mm(spec, report, chart[0] if chart else None)
    tables, tables_out = printed_tables(report.tables, room)
    left_out = [_title(c) for c in report.charts[1:]] + [_title(t) for t in tables_out]
    url = url_for("reports.report", slug=spec.slug, _external=True, **filters.to_args())
    return Section(number, spec, report, chart, tables, [t for t in left_out if t], url)


def build_sections(filters: ReportFilters, fmt: ValueFormat) -> list[Section]:
    specs = ordered_reports()
    reports = build_reports(specs, filters)
    return [
        section_for(number, spec, report, filters, fmt)
        for number, (spec, report) in enumerate(zip(specs, reports, strict=True), start=1)
    ]


def management_html(filters: ReportFilters, user, today: date, sections=None) -> str:
    """The PDF's HTML: cover, contents, key figures, then a section per report."""
    fmt = ValueFormat()
    names = q.filter_names(filters)
    return render_template(
        "reports/management.html",
        company_name=current_app.config.get("COMPANY_NAME") or "Kanel",
        sections=build_sections(filters, fmt) if sections is None else sections,
        fmt=fmt,
        period=period_text(filters),
        filter_lines=filter_summary(filters, names),
        user=user,
        generated=format_date(today, "long"),
        table_rows=TABLE_ROWS,
    )


def chart_fetcher(sections: list[Section]):
    """WeasyPrint's URL fetcher: the charts from memory, and nothing from anywhere else (the
    HTML is ours; it names no other resource)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    images = {s.chart[2]: (s.chart[0], s.chart[1]) for s in sections if s.chart}

    class ChartFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in images:
                raise ValueError(f"the management PDF loads nothing but its charts: {url}")
            body = svg_bytes(*images[url])
            return URLFetcherResponse(url, body, {"Content-Type": "image/svg+xml"})

    return ChartFetcher()


_pauses = 0
_pauses_lock = threading.Lock()
_collector_was_enabled = True


@contextmanager
def collector_paused():
    """Python's cycle collector off while the PDF is made, on again after.

    Building the reports and WeasyPrint's layout make hundreds of thousands of objects that
    live until the PDF is written; each time the collector runs meanwhile it walks all of
    them and everything the app holds, to free next to nothing. Paused, the PDF takes about
    0.35 s less at full scale (measured: 3.0 → 2.6 s); the garbage it leaves is collected
    by the first collection after. Other requests served meanwhile lose nothing but that
    collection's timing; overlapping PDFs keep it off until the last is done.
    """
    global _pauses, _collector_was_enabled
    with _pauses_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                gc.enable()


def management_pdf(filters: ReportFilters, user, today: date, base_url=None):
    """Render the PDF into a temporary file and return it rewound (the response closes it)."""
    from weasyprint import HTML

    with collector_paused():
        sections = build_sections(filters, ValueFormat())
        html = management_html(filters, user, today, sections)
        output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        document = HTML(string=html, base_url=base_url, url_fetcher=chart_fetcher(sections))
        document.write_pdf(output)
    output.seek(0)
    return output
