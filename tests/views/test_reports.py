"""The report framework: the list, a report page, its filters and drill-down, exports, the PDF.

A report of the tests' own (tests/report_example.py: won and lost deals by category) is
registered for each test, over a hand-made set of deals whose figures are worked out below.
"""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import event

from tests.factories import make_company, make_deal, make_user
from tests.report_example import SLUG, example_report
from webapp.blueprints.reports import queries, views
from webapp.extensions import db

PERIOD = "from=2026-01-01&to=2026-03-31"


@pytest.fixture
def example(app, monkeypatch):
    monkeypatch.setattr(views, "today", lambda: date(2026, 4, 15))
    with example_report() as spec:
        yield spec


@pytest.fixture
def deals(example):
    """Closed deals in Q1 2026 (and one before it), by category and salesperson.

    Q1 2026, by category:
      A: won 100,000 (Sara) + won 50,000 (Bo), lost 30,000 (Sara) → 2 won, 150,000, 3 closed
      B: won 20,000 (Sara) → 1 won, 20,000, 1 closed
      no category: lost 10,000 (Bo) → 0 won, 0, 1 closed
      all: 3 won, 170,000, 5 closed, win rate 3/5 = 60 %
    Sara alone: won 100,000 + 20,000, lost 30,000 → 2 won, 120,000, 3 closed, 2/3 = 67 %.
    Left out: a deal won on 31 Dec 2025 (999,000) and an open deal.
    """
    sara = make_user(name="Sara Sælger", department="sales")
    bo = make_user(name="Bo Bentsen", department="sales")
    alpha = make_company("Alfa Byg ApS", category="A")
    atlas = make_company("Atlas Data A/S", category="A")
    beta = make_company("Beta El ApS", category="B")
    plain = make_company("Uden Kategori ApS")
    made = {
        "alfa won": make_deal(
            alpha, "proposal", sara, 100_000, outcome="won", closed_at=date(2026, 1, 10)
        ),
        "atlas won": make_deal(
            atlas, "proposal", bo, 50_000, outcome="won", closed_at=date(2026, 2, 5)
        ),
        "atlas lost": make_deal(
            atlas, "lead", sara, 30_000, outcome="lost", closed_at=date(2026, 2, 20)
        ),
        "beta won": make_deal(
            beta, "proposal", sara, 20_000, outcome="won", closed_at=date(2026, 3, 1)
        ),
        "plain lost": make_deal(
            plain, "lead", bo, 10_000, outcome="lost", closed_at=date(2026, 3, 15)
        ),
        "alfa old": make_deal(
            alpha, "proposal", sara, 999_000, outcome="won", closed_at=date(2025, 12, 31)
        ),
        "beta open": make_deal(beta, "lead", sara, 77_000),
    }
    return {"sara": sara, "bo": bo, **made}


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# The list and the page --------------------------------------------------------------------------


def test_does_the_report_list_show_each_report_with_its_question(employee_client, example):
    page = page_text(employee_client.get("/reports/"))
    assert "Example: won deals by category" in page
    assert "Which categories do we win, and how often?" in page
    assert f'href="/reports/{SLUG}' in page
    # The PDF is for managers: an employee is not offered it.
    assert "/reports/management.pdf" not in page


def test_is_the_management_pdf_offered_to_managers(manager_client, example):
    page = page_text(manager_client.get("/reports/"))
    assert 'action="/reports/management.pdf"' in page


def test_does_the_page_show_the_figures_worked_out_by_hand(employee_client, deals):
    page = page_text(employee_client.get(f"/reports/{SLUG}?{PERIOD}"))
    assert "<title>Example: won deals by category — Kanel</title>" in page
    assert "Jan 1, 2026 – Mar 31, 2026" in page
    # Key figures: 170,000 won in 3 deals of 5 closed = 60 %.
    assert ">DKK\xa0170,000</a>" in page
    assert "of 5 closed deals" in page
    assert ">60%</a>" in page
    # The table: A 2 won / 150,000 / 3 closed / 67 %; B 1 / 20,000 / 1 / 100 %.
    assert ">DKK\xa0150,000</a>" in page
    assert ">67%</a>" in page
    assert ">DKK\xa020,000</a>" in page
    assert ">100%</a>" in page
    assert "No category" in page
    # The deal won before the period does not count anywhere.
    assert "999,000" not in page
    # The definition as help, the notes, the charts as SVG with words for screen readers.
    assert "A closed deal is one won or lost with a close date in the period." in page
    assert "Deals without a close date are left out." in page
    # Each chart twice: wide for a desktop, narrow for a phone (CSS shows the one that fits).
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart-wide"') == 2
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart-narrow"') == 2
    assert "Category A: DKK\xa0150,000" in page


def test_does_the_owner_filter_narrow_every_figure(employee_client, deals):
    sara = deals["sara"]
    page = page_text(employee_client.get(f"/reports/{SLUG}?{PERIOD}&owner={sara.id}"))
    # Sara: 120,000 won in 2 deals of 3 closed = 67 %.
    assert ">DKK\xa0120,000</a>" in page
    assert "of 3 closed deals" in page
    assert "Owner: Sara Sælger" in page
    assert "DKK\xa0170,000" not in page


def test_does_the_page_show_only_the_filters_the_report_uses(employee_client, example):
    page = page_text(employee_client.get(f"/reports/{SLUG}"))
    assert 'name="owner"' in page
    assert 'name="category"' in page
    assert 'name="industry"' not in page
    assert 'name="source"' not in page


def test_does_an_htmx_filter_swap_the_report_and_keep_the_state_in_the_url(
    employee_client, deals, hx
):
    response = employee_client.get(
        f"/reports/{SLUG}?from=2026-01-01&to=2026-03-31&category=A&owner=", headers=hx
    )
    page = page_text(response)
    assert "<html" not in page
    assert page.lstrip().startswith('<div id="report-main"')
    assert response.headers["HX-Push-Url"] == (
        f"/reports/{SLUG}?from=2026-01-01&to=2026-03-31&category=A"
    )
    assert ">DKK\xa0150,000</a>" in page
    assert "Category: A" in page


def test_do_the_period_presets_set_the_dates_and_keep_the_other_filters(employee_client, example):
    page = page_text(employee_client.get(f"/reports/{SLUG}?category=B"))
    # Today is 15 April 2026: last quarter is January to March, this year runs to today.
    assert f"/reports/{SLUG}?from=2026-01-01&amp;to=2026-03-31&amp;category=B" in page
    assert f"/reports/{SLUG}?from=2026-01-01&amp;to=2026-04-15&amp;category=B" in page
    # The default period, the last twelve months, is marked as the chosen one.
    assert 'aria-current="true">Last 12 months</a>' in page


def test_is_a_nonsense_filter_left_out_rather_than_refused(employee_client, deals):
    page = page_text(
        employee_client.get(f"/reports/{SLUG}?to=2026-03-31&owner=abc&category=Z&from=2026-13-40")
    )
    # The start falls back to the default (1 May 2025); the end stays 31 March 2026, so the
    # deal won on 31 December 2025 counts too: 170,000 + 999,000, 4 won of 6 closed.
    assert "May 1, 2025 – Mar 31, 2026" in page
    assert ">DKK\xa01,169,000</a>" in page
    assert "of 6 closed deals" in page
    assert "Owner:" not in page


def test_is_an_empty_period_a_readable_page(employee_client, deals):
    page = page_text(employee_client.get(f"/reports/{SLUG}?from=2020-01-01&to=2020-12-31"))
    assert "Nothing to count yet" in page
    assert "No deals were won or lost in this period." in page
    assert ">DKK\xa00</a>" in page
    assert "–" in page  # the win rate has nothing to divide by


def test_is_an_unknown_report_not_found(employee_client):
    assert employee_client.get("/reports/no-such-report").status_code == 404
    assert employee_client.get("/reports/no-such-report.csv").status_code == 404


def test_must_one_sign_in_to_see_reports(client, example):
    response = client.get(f"/reports/{SLUG}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# The drill-down ----------------------------------------------------------------------------------


def test_does_a_number_open_exactly_the_deals_behind_it(employee_client, deals):
    page = page_text(employee_client.get(f"/reports/{SLUG}?{PERIOD}"))
    assert f"/reports/{SLUG}/drill?from=2026-01-01&amp;to=2026-03-31&amp;key=won%3AA" in page

    drill = page_text(employee_client.get(f"/reports/{SLUG}/drill?{PERIOD}&key=won:A"))
    assert "2 deals" in drill
    assert f'href="/deals/{deals["alfa won"].id}"' in drill
    assert f'href="/deals/{deals["atlas won"].id}"' in drill
    assert f'/deals/{deals["atlas lost"].id}"' not in drill
    assert f'/deals/{deals["alfa old"].id}"' not in drill
    assert f'href="/customers/{deals["alfa won"].company_id}"' in drill
    # Largest first.
    assert drill.index("DKK\xa0100,000") < drill.index("DKK\xa050,000")
    assert f'href="/reports/{SLUG}?from=2026-01-01&amp;to=2026-03-31"' in drill


def test_does_the_drill_down_keep_the_filters(employee_client, deals):
    sara = deals["sara"]
    drill = page_text(
        employee_client.get(f"/reports/{SLUG}/drill?{PERIOD}&owner={sara.id}&key=closed:all")
    )
    assert "3 deals" in drill
    assert "Owner: Sara Sælger" in drill
    assert f'/deals/{deals["atlas won"].id}"' not in drill  # Bo's


def test_does_the_drill_down_page_through_many_records(employee_client, deals, monkeypatch, hx):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    first = page_text(employee_client.get(f"/reports/{SLUG}/drill?{PERIOD}&key=closed:all"))
    assert "5 deals" in first
    assert "Page 1 of 3" in first
    next_url = (
        f"/reports/{SLUG}/drill?page=2&amp;from=2026-01-01&amp;to=2026-03-31&amp;key=closed:all"
    )
    assert next_url in first
    second = page_text(employee_client.get(next_url.replace("&amp;", "&"), headers=hx))
    assert second.lstrip().startswith('<div id="drill-rows"')
    assert "Page 2 of 3" in second
    # 100,000 and 50,000 on page 1; 30,000 and 20,000 on page 2.
    assert "DKK\xa030,000" in second
    assert "DKK\xa0100,000" not in second


def test_is_an_unknown_drill_key_not_found(employee_client, deals):
    assert employee_client.get(f"/reports/{SLUG}/drill?key=nonsense").status_code == 404
    assert employee_client.get(f"/reports/{SLUG}/drill").status_code == 404


def test_does_the_drill_down_run_the_same_queries_for_more_deals(app, employee_client, deals):
    statements = []

    def count(*args):
        statements.append(args[2])

    url = f"/reports/{SLUG}/drill?{PERIOD}&key=closed:all"
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        employee_client.get(url)
        few = len(statements)
        atlas = deals["atlas won"].company
        for n in range(6):
            make_deal(
                atlas, "lead", deals["bo"], 1000 + n, outcome="lost", closed_at=date(2026, 3, 2)
            )
        statements.clear()
        page = page_text(employee_client.get(url))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert "11 deals" in page
    assert len(statements) == few


# Exports -----------------------------------------------------------------------------------------


def test_does_the_csv_hold_the_table_typed_for_excel(employee_client, deals):
    response = employee_client.get(f"/reports/{SLUG}.csv?{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "2026-01-01-2026-03-31.csv" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Category",
        "Won deals",
        "Won revenue (DKK)",
        "Closed deals",
        "Win rate (%)",
    ]
    assert rows[1] == ["Category A", "2", "150000.00", "3", "66.7"]
    assert rows[2] == ["Category B", "1", "20000.00", "1", "100.0"]
    assert rows[3] == ["No category", "0", "0.00", "1", "0.0"]
    assert rows[4] == ["All categories", "3", "170000.00", "5", "60.0"]


def test_does_the_danish_csv_use_a_decimal_comma(login_as, deals):
    client = login_as("employee", language="da")
    text = client.get(f"/reports/{SLUG}.csv?{PERIOD}").get_data().decode("utf-8")
    assert "Category A;2;150000,00;3;66,7" in text


def test_does_the_workbook_hold_real_numbers(employee_client, deals):
    response = employee_client.get(f"/reports/{SLUG}.xlsx?{PERIOD}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    response.close()
    assert workbook.sheetnames == ["Summary", "Closed deals by category"]
    summary = [row for row in workbook["Summary"].iter_rows(values_only=True) if any(row)]
    assert ("Won revenue", 170000) in [(r[0], r[1]) for r in summary]
    assert ("Period", "Jan 1, 2026 – Mar 31, 2026") in [(r[0], r[1]) for r in summary]
    sheet = workbook["Closed deals by category"]
    assert [c.value for c in sheet[2]] == ["Category A", 2, 150000, 3, pytest.approx(2 / 3)]
    assert sheet["E2"].number_format == "0.0%"
    assert [c.value for c in sheet[5]][:3] == ["All categories", 3, 170000]


# The management PDF -------------------------------------------------------------------------------


def pdf_text(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    data = response.get_data()
    response.close()
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_may_only_managers_and_admins_download_the_pdf(employee_client, example):
    assert employee_client.get("/reports/management.pdf").status_code == 403


def test_does_the_pdf_hold_the_figures_worked_out_by_hand(app, manager_client, deals, monkeypatch):
    monkeypatch.setitem(app.config, "COMPANY_NAME", "Nordisk Test A/S")
    pages = pdf_text(manager_client.get(f"/reports/management.pdf?{PERIOD}"))
    text = "\n".join(pages)
    cover = pages[0]
    assert "Nordisk Test A/S" in cover
    assert "MANAGEMENT REPORT" in cover  # set in capitals by the print CSS
    assert "Jan 1, 2026 – Mar 31, 2026" in cover
    assert "Prepared for Mona Manager on April 15, 2026" in cover
    assert "Example: won deals by category" in cover  # in the contents
    # Page numbers and the generation date in the margins (not on the cover).
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert "Generated April 15, 2026 for Mona Manager" in pages[1]
    section = next(p for p in pages[2:] if "Which categories do we win" in p)
    assert "DKK 170,000" in section
    assert "60%" in section
    assert "of 5 closed deals" in section
    assert "DKK 150,000" in section
    assert "A closed deal is one won or lost with a close date in the period." in section
    assert "999,000" not in text


def test_is_the_pdf_in_the_users_language(login_as, deals):
    client = login_as("manager", language="da", name="Mette Leder")
    pages = pdf_text(client.get(f"/reports/management.pdf?{PERIOD}"))
    assert "LEDELSESRAPPORT" in pages[0]
    assert "Side 2 af" in pages[1]
    assert "170.000 kr." in "\n".join(pages)


def test_is_an_empty_pdf_readable(admin_client, example):
    pages = pdf_text(admin_client.get("/reports/management.pdf?from=2020-01-01&to=2020-01-31"))
    assert "Example: won deals by category" in pages[0]
    text = "\n".join(pages)
    assert "No deals were won or lost in this period." in text


def test_does_the_pdf_name_what_it_leaves_to_kanel(manager_client, deals):
    # The example report has two charts: the PDF prints the first and names the second,
    # with a link to the report in Kanel.
    pages = pdf_text(manager_client.get(f"/reports/management.pdf?{PERIOD}"))
    section = next(p for p in pages[2:] if "Which categories do we win" in p)
    assert "Won revenue by category" in section
    assert "Also in this report: From closed to won. Open it in Kanel" in section


def test_does_a_pdf_section_keep_to_a_page(app):
    """The first table prints its first rows; a further table only whole and where it fits;
    a chart of the first table's rows keeps to the rows printed; a chart over time keeps all."""
    from dataclasses import replace

    from webapp.blueprints.reports import pdf
    from webapp.blueprints.reports.base import Chart, Column, Report, Row, Series, Table

    def table(title, n, prefix="Seller"):
        rows = [Row(f"{prefix} {i}", {"n": i}) for i in range(n)]
        return Table([Column("label", "Who"), Column("n", "Deals", "count")], rows, title=title)

    sellers = table("By salesperson", 21)
    small, big = table("By category", 4, "Category"), table("By month", 30, "Month")
    by_seller = Chart(
        "bar", [r.label for r in sellers.rows], [Series("Deals", list(range(21)))], title="Deals"
    )
    months = Chart("bar", [f"Month {i}" for i in range(17)], [Series("Deals", [1] * 17)])
    with app.test_request_context("/"):
        printed = pdf.printed_chart(by_seller, [sellers, small])
        assert printed.labels == [f"Seller {i}" for i in range(12)]
        assert printed.series[0].values == list(range(12))
        assert printed.title.endswith("(the first 12 of 21)")
        coming = table("This month and the coming months", 6, "Month")
        assert pdf.printed_chart(months, [coming, big]) is months  # not all in the first table
        assert pdf.printed_chart(replace(months, kind="line"), [big]).labels == months.labels

        assert pdf.printed_tables([sellers, small, big], room=200) == ([sellers, small], [big])
        # No room after the first table: the rest are named, in their order.
        assert pdf.printed_tables([sellers, small, big], room=90) == ([sellers], [small, big])
        spec = next(iter(pdf.ordered_reports()))
        report = Report(tables=[sellers, big, small], charts=[by_seller, months])
        filters = pdf.ReportFilters.from_args(
            {"from": "2026-01-01", "to": "2026-03-31"}, date(2026, 4, 15)
        )
        section = pdf.section_for(1, spec, report, filters, pdf.ValueFormat())
        assert section.tables == [sellers]
        assert section.left_out == ["By month", "By category"]  # the untitled chart unnamed
        assert section.url.endswith(f"/reports/{spec.slug}?from=2026-01-01&to=2026-03-31")


def test_are_reports_built_two_at_a_time_and_kept_in_their_order(app, monkeypatch):
    import threading
    import time

    from flask import request

    from webapp.blueprints.reports import pdf
    from webapp.blueprints.reports.base import Report, ReportSpec

    threads = set()

    def build(n):
        def run(filters):
            threads.add(threading.get_ident())
            time.sleep(0.01)  # as if the database worked: the other worker takes the next
            return Report(notes=[f"{n} {request.args['owner']}"])

        return run

    def spec(n, run):
        return ReportSpec(f"r{n}", "T", "Q", "D", run, lambda f, k: None, n)

    monkeypatch.setitem(app.config, "REPORT_PDF_WORKERS", 2)
    filters = pdf.ReportFilters.from_args({}, date(2026, 4, 15))
    with app.test_request_context("/reports/management.pdf?owner=7"):
        reports = pdf.build_reports([spec(n, build(n)) for n in range(6)], filters)
        assert [r.notes for r in reports] == [[f"{n} 7"] for n in range(6)]  # the request's
        assert len(threads) == 2

        def broken(filters):
            raise RuntimeError("no such table")

        with pytest.raises(RuntimeError, match="no such table"):
            pdf.build_reports([spec(0, build(0)), spec(1, broken), spec(2, build(2))], filters)


def test_do_labels_that_start_alike_show_what_differs(app):
    from webapp.blueprints.reports.base import Chart, Series
    from webapp.blueprints.reports.charts import chart_shapes
    from webapp.blueprints.reports.values import ValueFormat, shared_prefix, without_prefix

    reasons = ["Inactive – too small", "Inactive – no need"]
    assert shared_prefix(reasons) == "Inactive – "
    assert without_prefix(reasons[0], "Inactive – ") == "Too small"
    assert shared_prefix(["Inactive – too small", "Customer"]) == ""
    assert shared_prefix(["Inactive – too small"]) == ""
    with app.test_request_context("/"):
        chart = Chart("hbar", reasons, [Series("Deals", [3, 2])], title="Deals lost, by reason")
        shapes = chart_shapes(chart, ValueFormat("en"))
    assert shapes.title == "Deals lost, by reason (Inactive – …)"
    texts = [t["text"] for t in shapes.texts]
    assert "Too small" in texts
    assert "No need" in texts
    assert not any(t.startswith("Inactive") for t in texts)


def test_are_a_dense_charts_values_thinned_rather_than_dropped(app):
    from webapp.blueprints.reports.base import Chart, Series
    from webapp.blueprints.reports.charts import NARROW, chart_shapes
    from webapp.blueprints.reports.values import ValueFormat

    months = [f"M{n}" for n in range(17)]
    forecast = [450_000_000 + n * 1_000_000 for n in range(17)]
    chart = Chart("bar", months, [Series("Forecast", forecast), Series("Budget", [2.5e6] * 17)])
    with app.test_request_context("/"):
        wide = chart_shapes(chart, ValueFormat("en"))
        narrow = chart_shapes(chart, ValueFormat("en"), NARROW)
    values = [t for t in wide.texts if t["weight"] == "bold"]
    # Every other month keeps its values; none overlaps another.
    assert 0 < len(values) < 34
    xs = sorted({t["x"] for t in values})
    assert len(xs) >= 9
    assert narrow.width == NARROW
    assert len(narrow.rects) == 34


def test_does_the_pdf_build_the_slowest_report_first(app, monkeypatch):
    """Two workers finish together when the slowest report starts first, not last."""
    from webapp.blueprints.reports import pdf
    from webapp.blueprints.reports.base import Report, ReportSpec

    started = []

    def spec(slug):
        def run(filters):
            started.append(slug)
            return Report()

        return ReportSpec(slug, "T", "Q", "D", run, lambda f, k: None, 0)

    specs = [spec("quick"), spec("slow"), spec("new"), spec("middling")]
    monkeypatch.setattr(pdf, "_build_ms", {"quick": 20.0, "slow": 400.0, "middling": 90.0})
    assert [specs[n].slug for n in pdf.build_order(specs)] == [
        "new",  # never built here: no reason to think it quick
        "slow",
        "middling",
        "quick",
    ]
    monkeypatch.setitem(app.config, "REPORT_PDF_WORKERS", 1)
    filters = pdf.ReportFilters.from_args({}, date(2026, 4, 15))
    with app.test_request_context("/"):
        pdf.build_reports(specs, filters)
    assert started == ["quick", "slow", "new", "middling"]  # one worker: in the reports' order
    assert set(pdf._build_ms) == {"quick", "slow", "new", "middling"}  # each timed again


def test_is_the_cycle_collector_on_again_after_a_pdf(monkeypatch):
    import gc

    from webapp.blueprints.reports import pdf

    assert gc.isenabled()
    with pdf.collector_paused():
        assert not gc.isenabled()
        with pdf.collector_paused():  # another PDF at the same time
            assert not gc.isenabled()
        assert not gc.isenabled()  # the first is still being made
    assert gc.isenabled()
    with pytest.raises(RuntimeError), pdf.collector_paused():
        raise RuntimeError("WeasyPrint failed")
    assert gc.isenabled()
    gc.disable()  # someone had turned it off: a PDF does not turn it on
    try:
        with pdf.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
