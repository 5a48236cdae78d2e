"""Report pages: the list, one page per question, the records behind a number, exports, PDF."""

import io
from datetime import date
from urllib.parse import urlencode

from flask import abort, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints.reports import bp
from webapp.blueprints.reports import queries as q
from webapp.blueprints.reports.base import (
    CATEGORIES,
    REPORTS,
    ReportFilters,
    ReportSpec,
    ordered_reports,
)
from webapp.blueprints.reports.charts import NARROW, chart_shapes
from webapp.blueprints.reports.export import csv_bytes, file_name, xlsx_file
from webapp.blueprints.reports.pdf import management_pdf as build_pdf
from webapp.blueprints.reports.periods import (
    CATEGORY_LABELS,
    css_string,
    filter_chips,
    filter_summary,
    period_presets,
    period_text,
)
from webapp.blueprints.reports.values import ValueFormat, shared_prefix, with_prefix, without_prefix
from webapp.htmx import render, wants_fragment
from webapp.permissions import role_required
from webapp.services.exports import XLSX_MIMETYPE, content_disposition

bp.add_app_template_filter(css_string, "css_string")
bp.add_app_template_filter(shared_prefix, "shared_prefix")
bp.add_app_template_filter(without_prefix, "without_prefix")
bp.add_app_template_global(with_prefix, "with_prefix")


def today() -> date:
    return date.today()


def get_spec_or_404(slug: str) -> ReportSpec:
    spec = REPORTS.get(slug)
    if spec is None:
        abort(404)
    return spec


def filter_choices(spec_filters, filters: ReportFilters) -> dict:
    """Only what the shown filters need: a report without an owner filter lists no users."""
    choices = {}
    if "owner" in spec_filters:
        choices["owners"] = q.owner_choices(filters.owner_id)
    if "category" in spec_filters:
        choices["categories"] = [(c, CATEGORY_LABELS[c]) for c in CATEGORIES]
    if "industry" in spec_filters:
        choices["industries"] = q.industry_choices()
    if "lead_source" in spec_filters:
        choices["sources"] = q.lead_source_choices(filters.lead_source_id)
    return choices


def drill_base(spec: ReportSpec, filters: ReportFilters) -> str:
    """The drill URL with the filters; a cell appends &key=…"""
    return url_for("reports.drill", slug=spec.slug, **filters.to_args()) + (
        "&" if filters.to_args() else "?"
    )


def drill_href(base: str, key: str) -> str:
    return base + urlencode({"key": key})


def chart_list(report, fmt: ValueFormat, prefix: str) -> list:
    """Each chart drawn wide (a desktop's) and narrow (a phone's): shapes, id, narrow shapes."""
    return [
        (chart_shapes(chart, fmt), f"{prefix}-chart-{n}", chart_shapes(chart, fmt, NARROW))
        for n, chart in enumerate(report.charts)
    ]


@bp.get("/")
@role_required("employee")
def index():
    """List every report with the question it answers; managers get the management PDF."""
    on = today()
    filters = ReportFilters.from_args(request.args, on)
    return render(
        "reports/index.html",
        specs=ordered_reports(),
        filters=filters,
        presets=period_presets(on),
        may_pdf=current_user.has_role("manager"),
    )


@bp.get("/management.pdf")
@role_required("manager")
def management_pdf():
    """Every report in one A4 PDF for the management meeting, in the user's language."""
    filters = ReportFilters.from_args(request.args, today())
    output = build_pdf(filters, current_user, today(), base_url=request.url_root)
    name = f"management-report-{filters.start.isoformat()}-{filters.end.isoformat()}.pdf"
    response = send_file(output, mimetype="application/pdf", as_attachment=True, download_name=name)
    response.call_on_close(output.close)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<slug>")
@role_required("employee")
def report(slug):
    """Answer one question: filters kept in the URL, key figures, charts, tables, definition."""
    spec = get_spec_or_404(slug)
    on = today()
    filters = ReportFilters.from_args(request.args, on)
    result = spec.build(filters)
    fmt = ValueFormat()
    names = q.filter_names(filters)
    response = render(
        "reports/report.html",
        block="report_main",
        spec=spec,
        filters=filters,
        report=result,
        fmt=fmt,
        charts=chart_list(result, fmt, "r"),
        presets=period_presets(on),
        period=period_text(filters),
        chips=filter_chips(spec.filters, filters, names),
        choices=filter_choices(spec.filters, filters),
        drill_base=drill_base(spec, filters),
        drill_href=drill_href,
        may_pdf=current_user.has_role("manager"),
        default_args=ReportFilters.from_args({}, on).to_args(),
    )
    if wants_fragment():
        response.headers["HX-Push-Url"] = url_for("reports.report", slug=slug, **filters.to_args())
    return response


def _page_number() -> int:
    text = request.args.get("page", "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


@bp.get("/<slug>/drill")
@role_required("employee")
def drill(slug):
    """List the companies or deals behind one number of a report, a page at a time."""
    spec = get_spec_or_404(slug)
    filters = ReportFilters.from_args(request.args, today())
    key = request.args.get("key", "").strip()[:200]
    found = spec.drill(filters, key) if key else None
    if found is None:
        abort(404)
    page = _page_number()
    total = q.drill_count(found)
    rows = q.drill_rows(found, page)
    names = q.filter_names(filters)
    base_args = {**filters.to_args(), "key": key}
    return render(
        "reports/drill.html",
        block="drill_rows",
        spec=spec,
        filters=filters,
        drill=found,
        key=key,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + q.PAGE_SIZE - 1) // q.PAGE_SIZE, 1),
        base_args=base_args,
        period=period_text(filters),
        chips=filter_chips(spec.filters, filters, names),
        fmt=ValueFormat(),
    )


@bp.get("/<slug>.<any(csv, xlsx):extension>")
@role_required("employee")
def export(slug, extension):
    """Download the report's tables as CSV or as an Excel workbook."""
    spec = get_spec_or_404(slug)
    filters = ReportFilters.from_args(request.args, today())
    result = spec.build(filters)
    name = file_name(spec, filters, extension)
    if extension == "csv":
        response = send_file(
            io.BytesIO(csv_bytes(result)),
            mimetype="text/csv",
            as_attachment=True,
            download_name=name,
        )
    else:
        names = q.filter_names(filters)
        summary = [(_("Period"), period_text(filters))]
        summary += [(_("Filter"), text) for text in filter_summary(filters, names, spec.filters)]
        handle = xlsx_file(spec, result, filters, summary)
        response = send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)
        response.call_on_close(handle.close)
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
