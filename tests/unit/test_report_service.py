"""The service reports (satisfaction, data quality per owner) against hand-made data: every
expected figure is worked out by hand in the comments beside it, never by calling the code
under test."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select, text

from tests.factories import (
    group,
    make_activity,
    make_company,
    make_user,
    option,
    set_option,
)
from webapp.blueprints.reports import service
from webapp.blueprints.reports.base import REPORTS, ReportFilters
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.marketing import Industry
from webapp.models.user import utcnow

TODAY = date.today()
LAST_YEAR = ReportFilters(start=TODAY - timedelta(days=360), end=TODAY)
# January to June 2025: six monthly buckets, all in the past.
H1_2025 = ReportFilters(start=date(2025, 1, 1), end=date(2025, 6, 30))
SLUGS = ("satisfaction", "data-quality")


def ids(drill) -> set[int]:
    return set(db.session.scalars(drill.ids))


def by_label(table) -> dict:
    return {row.label: row.values for row in table.rows}


def figures(report) -> dict:
    return {kf.label: kf.value for kf in report.key_figures}


def approx(value, expected):
    return value == pytest.approx(expected, abs=1e-9)


def section(letter: str) -> Industry:
    return db.session.scalar(select(Industry).where(Industry.code == letter))


def count_queries(app, build):
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        build()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    return len(statements)


# --- Both reports -------------------------------------------------------------------------


def test_are_the_service_reports_registered_in_their_places():
    assert REPORTS["satisfaction"].order == 80
    assert REPORTS["data-quality"].order == 130
    assert REPORTS["satisfaction"].filters == (
        "period",
        "owner",
        "category",
        "industry",
        "lead_source",
    )
    # Data quality is as of today: the period does not change it.
    assert REPORTS["data-quality"].filters == ("owner", "category", "industry", "lead_source")
    for slug in SLUGS:
        assert len(str(REPORTS[slug].definition)) > 300


@pytest.mark.parametrize("slug", SLUGS)
def test_does_each_report_read_sensibly_before_any_data(slug):
    report = REPORTS[slug].build(LAST_YEAR)
    assert report.empty
    assert report.tables
    assert all(table.empty for table in report.tables)
    for figure in report.key_figures:
        assert figure.value in (0, None)
    assert not report.charts


@pytest.mark.parametrize("slug", SLUGS)
def test_does_each_report_refuse_a_drill_key_it_does_not_know(slug):
    for key in (
        "",
        "bogus",
        "rated:",
        ":12",
        "option-abc",
        "option-999999",
        "month:start=2026-13-01",
        "month:start=1999-01-01",
        "cards:owner=abc",
        "missing-999999",
        "dup-phone",
        "rated:planet=mars",
    ):
        drill = REPORTS[slug].drill(LAST_YEAR, key)
        assert drill is None or not ids(drill), key


# --- 80 · Satisfaction ----------------------------------------------------------------------


def rate(company, when: datetime, old: str | None, new: str | None):
    """A satisfaction change as set_group_options writes it: the labels, old and new."""
    satisfaction = group("satisfaction")
    db.session.add(
        Change(
            entity="group",
            entity_id=satisfaction.id,
            company_id=company.id,
            field=f"group:{satisfaction.id}",
            old=old,
            new=new,
            changed_at=when,
        )
    )
    db.session.flush()


@pytest.fixture
def rated():
    anna = make_user(name="Anna Ansvar")
    bo = make_user(name="Bo Berg")
    j, c = section("J"), section("C")
    a = make_company("Alfa ApS", owner=anna, country="DK", category="A", industry_id=j.id)
    b = make_company("Beta ApS", owner=anna, country="DK", category="B", industry_id=j.id)
    cc = make_company("Ceta AB", owner=bo, country="SE", category="A", industry_id=c.id)
    d = make_company("Delta AB", country="SE")
    e = make_company("Epsilon ApS", owner=anna, category="A", archived=True)
    f = make_company("Fi ApS", owner=bo, category="B", industry_id=j.id)
    g = make_company("Gamma ApS", owner=anna, category="C")
    h = make_company("Eta ApS", owner=bo, category="A", industry_id=j.id)
    # The ratings on the cards now.
    set_option(a, "satisfaction", "5 Very happy")
    set_option(b, "satisfaction", "2 Unhappy")
    set_option(cc, "satisfaction", "4 Happy")
    set_option(d, "satisfaction", "1 Very unhappy")
    set_option(e, "satisfaction", "5 Very happy")  # archived: left out everywhere
    set_option(g, "satisfaction", "3 Neutral")
    set_option(h, "satisfaction", "4 Happy")
    # The history that led there.
    rate(a, datetime(2024, 11, 10, 9), None, "3 Neutral")
    rate(a, datetime(2025, 2, 15, 9), "3 Neutral", "5 Very happy")
    rate(b, datetime(2025, 1, 20, 9), None, "4 Happy")
    rate(b, datetime(2025, 3, 5, 9), "4 Happy", "2 Unhappy")
    rate(cc, datetime(2025, 4, 2, 9), None, "4 Happy")
    rate(d, datetime(2024, 6, 1, 9), None, "3 Neutral")
    rate(d, datetime(2025, 4, 20, 9), "3 Neutral", "1 Very unhappy")
    rate(e, datetime(2025, 1, 5, 9), None, "5 Very happy")
    rate(f, datetime(2024, 12, 1, 9), None, "4 Happy")
    rate(f, datetime(2025, 5, 10, 9), "4 Happy", None)  # the rating was taken off
    rate(g, datetime(2025, 3, 3, 9), None, "2 Unhappy")
    rate(g, datetime(2025, 3, 20, 9), "2 Unhappy", "3 Neutral")
    rate(h, datetime(2025, 6, 10, 9), None, "4 Happy")
    return {"anna": anna, "bo": bo, "a": a, "b": b, "c": cc, "d": d, "e": e, "f": f, "g": g, "h": h}


def test_how_satisfied_the_rated_customers_are_now(rated):
    report = service.build_satisfaction(H1_2025)
    distribution = report.tables[0]
    # Rated now (archived Epsilon left out, Fi has no rating): Alfa 5, Beta 2, Ceta 4,
    # Delta 1, Gamma 3, Eta 4 → 6 companies, ranks 19, average 19 / 6.
    assert [row.label for row in distribution.rows] == [
        "1 Very unhappy",
        "2 Unhappy",
        "3 Neutral",
        "4 Happy",
        "5 Very happy",
    ]
    assert [row.values["companies"] for row in distribution.rows] == [1, 1, 1, 2, 1]
    assert approx(distribution.rows[3].values["share"], 2 / 6)
    assert distribution.total.values["companies"] == 6
    key = figures(report)
    assert key["Rated companies"] == 6
    assert approx(key["Average rating"], 19 / 6)
    assert approx(key["Happy"], 3 / 6)  # rated 4–5: Alfa, Ceta, Eta
    assert key["Unhappy companies"] == 2  # rated 1–2: Beta, Delta
    happy = next(kf for kf in report.key_figures if kf.label == "Happy")
    assert happy.note == "rated 4–5"


def test_satisfaction_by_country_industry_and_category(rated):
    report = service.build_satisfaction(H1_2025)
    countries, sections, categories = report.tables[2:]
    # Denmark: Alfa 5, Beta 2, Gamma 3, Eta 4 → 4, average 14/4; happy Alfa, Eta; unhappy Beta.
    # Sweden: Ceta 4, Delta 1 → 2, average 5/2; happy Ceta, unhappy Delta.
    assert [row.label for row in countries.rows] == ["Denmark", "Sweden"]
    dk, se = (row.values for row in countries.rows)
    assert (dk["rated"], se["rated"]) == (4, 2)
    assert approx(dk["average"], 3.5)
    assert approx(se["average"], 2.5)
    assert approx(dk["happy"], 0.5)
    assert approx(dk["unhappy"], 0.25)
    assert approx(se["happy"], 0.5)
    assert approx(se["unhappy"], 0.5)
    # J: Alfa 5, Beta 2, Eta 4 → 3, average 11/3; none: Delta 1, Gamma 3 → 2; C: Ceta 4 → 1.
    assert [row.label for row in sections.rows] == [
        "J · Information and communication",
        "No industry",
        "C · Manufacturing",
    ]
    assert [row.values["rated"] for row in sections.rows] == [3, 2, 1]
    assert approx(sections.rows[0].values["average"], 11 / 3)
    assert approx(sections.rows[1].values["average"], 2.0)
    assert approx(sections.rows[2].values["unhappy"], 0.0)
    # A: Alfa 5, Ceta 4, Eta 4 → 13/3; B: Beta 2; C: Gamma 3; none: Delta 1. In A, B, C order.
    assert [row.label for row in categories.rows] == [
        "Category A",
        "Category B",
        "Category C",
        "No category",
    ]
    assert [row.values["average"] for row in categories.rows][1:] == [2.0, 3.0, 1.0]
    assert approx(categories.rows[0].values["average"], 13 / 3)
    assert approx(categories.rows[0].values["happy"], 1.0)


def test_the_trend_reads_the_ratings_that_stood_at_each_month_end(rated):
    report = service.build_satisfaction(H1_2025)
    trend = report.tables[1]
    assert [row.label for row in trend.rows] == [
        "Jan 2025",
        "Feb 2025",
        "Mar 2025",
        "Apr 2025",
        "May 2025",
        "Jun 2025",
    ]
    # Standing at each month's end (Epsilon archived, so never counted):
    # Jan: Alfa 3, Beta 4, Delta 3, Fi 4             → 4, sum 14
    # Feb: Alfa 5, Beta 4, Delta 3, Fi 4             → 4, sum 16
    # Mar: Alfa 5, Beta 2, Delta 3, Fi 4, Gamma 3    → 5, sum 17
    # Apr: + Ceta 4, Delta now 1                     → 6, sum 19
    # May: Fi's rating taken off                     → 5, sum 15
    # Jun: + Eta 4                                   → 6, sum 19
    assert [row.values["rated"] for row in trend.rows] == [4, 4, 5, 6, 5, 6]
    expected = [14 / 4, 16 / 4, 17 / 5, 19 / 6, 15 / 5, 19 / 6]
    for row, average in zip(trend.rows, expected, strict=True):
        assert approx(row.values["average"], average)
    # Companies rated in the month: Jan Beta; Feb Alfa; Mar Beta and Gamma (twice, counted
    # once); Apr Ceta, Delta; May none (Fi's rating was removed, not set); Jun Eta.
    assert [row.values["rated_in"] for row in trend.rows] == [1, 1, 2, 2, 0, 1]
    # Rating at the start (1 Jan) → at the end (30 Jun): Alfa 3 → 5 rose, Delta 3 → 1 fell;
    # Fi 4 → none and Beta, Ceta, Gamma, Eta (not rated on 1 Jan) do not count.
    key = figures(report)
    assert key["Improved in the period"] == 1
    assert key["Worsened in the period"] == 1
    line = next(chart for chart in report.charts if chart.kind == "line")
    assert line.labels[0] == "Jan 2025"
    assert approx(line.series[0].values[1], 4.0)


def test_satisfaction_drills_to_the_companies_behind_each_number(rated):
    r = rated
    drill = service.drill_satisfaction

    def companies(key, filters=H1_2025):
        return ids(drill(filters, key))

    happy_option = service.satisfaction_scale().options[3][0]  # 4 Happy
    assert companies("rated") == {r[k].id for k in "abcdgh"}
    assert companies(f"option-{happy_option}") == {r["c"].id, r["h"].id}
    assert companies("happy") == {r["a"].id, r["c"].id, r["h"].id}
    assert companies("unhappy") == {r["b"].id, r["d"].id}
    assert companies("rated:country=SE") == {r["c"].id, r["d"].id}
    assert companies("rated:section=J") == {r["a"].id, r["b"].id, r["h"].id}
    assert companies("rated:section=none") == {r["d"].id, r["g"].id}
    assert companies("rated:category=none") == {r["d"].id}
    assert companies("month:start=2025-03-01") == {r[k].id for k in "abdfg"}
    assert companies("set:start=2025-03-01") == {r["b"].id, r["g"].id}
    assert companies("set:start=2025-05-01") == set()
    assert companies("improved") == {r["a"].id}
    assert companies("worsened") == {r["d"].id}
    # Every key the report writes leads somewhere.
    report = service.build_satisfaction(H1_2025)
    keys = {k for table in report.tables for row in table.rows for k in row.drill.values()}
    keys |= {kf.drill for kf in report.key_figures}
    for key in keys:
        assert drill(H1_2025, key) is not None, key


def test_the_filters_narrow_the_satisfaction_report(rated):
    r = rated
    # Anna's cards: Alfa 5, Beta 2, Gamma 3 (Epsilon archived) → 3, average 10/3.
    mine = ReportFilters(start=H1_2025.start, end=H1_2025.end, owner_id=r["anna"].id)
    report = service.build_satisfaction(mine)
    assert figures(report)["Rated companies"] == 3
    assert approx(figures(report)["Average rating"], 10 / 3)
    # End of March: Alfa 5, Beta 2, Gamma 3 → 3, sum 10.
    march = report.tables[1].rows[2].values
    assert (march["rated"], march["rated_in"]) == (3, 2)
    assert approx(march["average"], 10 / 3)
    assert ids(service.drill_satisfaction(mine, "month:start=2025-03-01")) == {
        r["a"].id,
        r["b"].id,
        r["g"].id,
    }
    # Industry J: Alfa 5, Beta 2, Eta 4 (Fi has no rating now).
    in_j = ReportFilters(start=H1_2025.start, end=H1_2025.end, industry="J")
    assert figures(service.build_satisfaction(in_j))["Rated companies"] == 3
    # Category B: Beta 2 now; in January Beta 4 and Fi 4 stood.
    b = ReportFilters(start=H1_2025.start, end=H1_2025.end, category="B")
    report = service.build_satisfaction(b)
    assert figures(report)["Rated companies"] == 1
    assert report.tables[1].rows[0].values["rated"] == 2
    # Lead source Referral: nobody.
    referral = ReportFilters(
        start=H1_2025.start, end=H1_2025.end, lead_source_id=option("lead_source", "Referral").id
    )
    assert service.build_satisfaction(referral).empty


def test_a_renamed_option_keeps_its_history(rated):
    happy = option("satisfaction", "4 Happy")
    happy.label = "4 Glad"
    db.session.add(
        Change(
            entity="group_option",
            entity_id=happy.id,
            field="label",
            old="4 Happy",
            new="4 Glad",
            changed_at=datetime(2025, 7, 1),
        )
    )
    db.session.flush()
    trend = service.build_satisfaction(H1_2025).tables[1]
    # The same figures as before the rename: "4 Happy" in the history still scores 4.
    assert [row.values["rated"] for row in trend.rows] == [4, 4, 5, 6, 5, 6]
    assert approx(trend.rows[3].values["average"], 19 / 6)


def test_ratings_without_history_are_noted(rated):
    # Ratings on cards now: 6 active companies; the history says 6 stand today as well.
    assert service.build_satisfaction(LAST_YEAR).notes == []
    newcomer = make_company("Imported ApS")
    set_option(newcomer, "satisfaction", "3 Neutral")  # e.g. an import: no history row
    report = service.build_satisfaction(LAST_YEAR)
    assert figures(report)["Rated companies"] == 7
    assert any("7" in note and "6" in note for note in report.notes)


def test_long_periods_are_cut_in_quarters_or_years():
    three_years = ReportFilters(start=date(2022, 2, 10), end=date(2024, 12, 31))
    buckets = service.trend_buckets(three_years)
    assert [b.label for b in buckets[:2]] == ["Q1 2022", "Q2 2022"]
    assert buckets[0].start == date(2022, 2, 10)  # the period's first day, not the quarter's
    assert len(buckets) == 12
    ten_years = ReportFilters(start=date(2015, 1, 1), end=date(2024, 12, 31))
    assert [b.label for b in service.trend_buckets(ten_years)][:2] == ["2015", "2016"]


def test_the_satisfaction_report_runs_a_fixed_number_of_queries(app, rated):
    few = count_queries(app, lambda: service.build_satisfaction(H1_2025))
    for n in range(5):
        extra = make_company(f"More {n} ApS", country="NO")
        set_option(extra, "satisfaction", "4 Happy")
        rate(extra, datetime(2025, 2, 1), None, "4 Happy")
    assert count_queries(app, lambda: service.build_satisfaction(H1_2025)) == few <= 8


def test_does_sqlite_read_the_rating_history_from_its_covering_index(rated):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query planner")
    db.session.execute(text("ANALYZE"))
    scale = service.satisfaction_scale()
    changes = service._changes(scale, H1_2025, service.History.c.changed_at < H1_2025.end_before)
    # The company, the labels and the date come from the partial index, not from each row.
    assert "COVERING INDEX ix_change_group_history" in plan_of(select(changes.c.company_id))


# --- 130 · Data quality per owner -----------------------------------------------------------


@pytest.fixture
def cards():
    anna = make_user(name="Anna Ansvar")
    bo = make_user(name="Bo Berg", active=False)
    cleo = make_user(name="Cleo Kunde")  # writes meetings, owns no cards

    def card(name, key, owner, lead=True, accounting=False, **fields):
        # On file for more than a year, so a card without activity has been quiet 180 days.
        fields.setdefault("created_at", utcnow() - timedelta(days=400))
        company = make_company(name, status_key=key, owner=owner, **fields)
        if lead:
            set_option(company, "lead_source", "SEO")
        if accounting:
            set_option(company, "accounting_system", "e-conomic")
        return company

    c = {
        # Anna
        "p1": card("Solo ApS", "prospect", anna),
        "p2": card("Pi ApS", "lead", anna, lead=False),
        "c1": card("Kunde Et ApS", "customer", anna, cvr="12345678", category="A"),
        "w1": card("Web Et ApS", "prospect", anna, website_domain="web.dk"),
        "q1": card("Stille ApS", "customer", anna, accounting=True),
        "x1": card(
            "Gammel ApS", "customer", anna, accounting=True, archived=True, cvr="12345678"
        ),  # fmt: skip
        "x2": card("Solo ApS", "prospect", anna, archived=True),
        # Bo (no longer active)
        "c2": card(
            "Kunde To ApS", "customer", bo, accounting=True, cvr="12345678", category="A"
        ),  # fmt: skip
        "i1": card("Acme ApS", "no_budget", bo, lead=False),
        "d1": card(
            "Del Et ApS",
            "customer",
            bo,
            accounting=True,
            cvr="11111111",
            website_domain="shared.dk",
        ),  # fmt: skip
        "d2": card(
            "Del To ApS",
            "former_customer",
            bo,
            accounting=True,
            cvr="22222222",
            website_domain="shared.dk",
        ),  # fmt: skip
        "w2": card(
            "Web To ApS", "customer", bo, accounting=True, cvr="33333333", website_domain="web.dk"
        ),  # fmt: skip
        "f1": card("Fremtid ApS", "prospect", bo),
        # Nobody's
        "s1": card("Acme ApS", "suspect", None, cvr="87654321"),
    }
    recent = {"p1": 10, "c1": 5, "w1": 1, "d1": 3, "w2": 2, "s1": 0, "i1": 400, "d2": 400}
    for key, days in recent.items():
        make_activity(c[key], "call", anna, days_ago=days)
    make_activity(c["p2"], "call", anna, days_ago=200)
    make_activity(c["q1"], "note", anna, days_ago=181)
    make_activity(c["q1"], "note", anna, days_ago=1, deleted=True)  # deleted: not activity
    make_activity(c["f1"], "meeting", bo, days_ago=-20)  # planned: counts as activity
    # Minutes debt: meetings in the past without minutes.
    make_activity(c["p1"], "meeting", anna, days_ago=3, body=None)  # debt (Anna)
    make_activity(c["c1"], "meeting", anna, days_ago=2, body="")  # debt (Anna)
    make_activity(c["c1"], "meeting", anna, days_ago=1, body="Minutes.")
    make_activity(c["d1"], "meeting", cleo, days_ago=10, body=None)  # debt (Cleo)
    make_activity(c["f1"], "meeting", bo, days_ago=2, body=None, deleted=True)
    make_activity(c["s1"], "meeting", None, days_ago=4, body=None)  # debt (nobody)
    return {"anna": anna, "bo": bo, "cleo": cleo, **c}


def test_data_quality_per_owner(cards):
    report = service.build_quality(LAST_YEAR)
    per_owner = report.tables[0]
    # Anna: Solo, Pi, Kunde Et, Web Et, Stille (two archived cards left out) → 5 cards.
    #   missing: Pi (lead source), Kunde Et (accounting system)                → 2
    #   quiet:   Pi (last call 200 days ago), Stille (181 days; the newer note is deleted) → 2
    #   likely duplicates: Kunde Et (CVR as Kunde To), Web Et (web.dk, no CVR) → 2
    #   in order: Solo only → 1/5; minutes debt: Solo, Kunde Et ("")          → 2
    # Bo: Kunde To, Acme, Del Et, Del To, Web To, Fremtid → 6 cards.
    #   missing: none (Acme is inactive: nothing required) → 0
    #   quiet: Kunde To (no activity); Fremtid has a planned meeting; Del To is a former
    #   customer and Acme inactive, neither expected to see activity           → 1
    #   duplicates: Kunde To (CVR), Acme (name, no CVR), Web To (web.dk)       → 3
    #   (Del Et and Del To share shared.dk but have different CVR numbers)
    #   in order: Del Et, Del To, Fremtid → 3/6; minutes debt: the deleted one does not count → 0
    # Unassigned: Acme (suspect, CVR 87654321) → duplicate of Bo's Acme (it has no CVR);
    #   in order 0/1; minutes debt: the meeting without an author → 1
    # Cleo: no cards; minutes debt 1.
    rows = by_label(per_owner)
    assert list(rows) == ["Unassigned", "Anna Ansvar", "Bo Berg (inactive)", "Cleo Kunde"]
    anna, bo, nobody, cleo = (
        rows["Anna Ansvar"],
        rows["Bo Berg (inactive)"],
        rows["Unassigned"],
        rows["Cleo Kunde"],
    )
    assert (anna["cards"], anna["missing"], anna["quiet"], anna["duplicate"], anna["debt"]) == (
        5,
        2,
        2,
        2,
        2,
    )
    assert approx(anna["in_order"], 1 / 5)
    assert (bo["cards"], bo["missing"], bo["quiet"], bo["duplicate"], bo["debt"]) == (6, 0, 1, 3, 0)
    assert approx(bo["in_order"], 3 / 6)
    assert (nobody["cards"], nobody["duplicate"], nobody["debt"]) == (1, 1, 1)
    assert approx(nobody["in_order"], 0.0)
    assert (cleo["cards"], cleo["debt"], cleo["in_order"]) == (0, 1, None)
    total = per_owner.total.values
    # 12 cards; missing 2; quiet 3; duplicates 6; debt 4; in order 4/12.
    assert (
        total["cards"],
        total["missing"],
        total["quiet"],
        total["duplicate"],
        total["debt"],
    ) == (
        12,
        2,
        3,
        6,
        4,
    )
    assert approx(total["in_order"], 4 / 12)
    key = figures(report)
    assert key["Cards"] == 12
    assert approx(key["Cards in order"], 1 / 3)
    assert key["No activity in 180 days"] == 3
    quiet = next(kf for kf in report.key_figures if kf.label == "No activity in 180 days")
    # Working cards: Solo, Pi, Kunde Et, Web Et, Stille, Kunde To, Del Et, Web To, Fremtid,
    # and the unassigned Acme (a suspect) → 10.
    assert quiet.note == "of 10 cards in sales or customers"
    missing, duplicates = report.tables[1:]
    assert by_label(missing)["Lead source"]["cards"] == 1  # Pi
    assert by_label(missing)["Accounting system"]["cards"] == 1  # Kunde Et
    assert by_label(duplicates) == {
        "Same CVR number": {"label": "Same CVR number", "cards": 2},  # Kunde Et, Kunde To
        "Same website domain": {"label": "Same website domain", "cards": 2},  # Web Et, Web To
        "Same name": {"label": "Same name", "cards": 2},  # the two Acmes
    }
    assert duplicates.total.values["cards"] == 6
    chart = report.charts[0]
    assert chart.labels == ["Unassigned", "Anna Ansvar", "Bo Berg (inactive)"]


def test_a_cvr_number_counts_only_between_active_cards(cards):
    # One active card and one archived card share 55555555: no duplicate. Three active cards
    # share 66666666: each of them is one. (Besides Kunde Et and Kunde To, 12345678.)
    lone = make_company("Ene ApS", cvr="55555555")
    make_company("Ene Arkiv ApS", cvr="55555555", archived=True)
    three = {make_company(f"Tre {n} ApS", cvr="66666666").id for n in range(3)}
    report = service.build_quality(LAST_YEAR)
    duplicates = by_label(report.tables[2])
    assert duplicates["Same CVR number"]["cards"] == 5
    found = ids(service.drill_quality(LAST_YEAR, "dup-cvr"))
    assert found == {cards["c1"].id, cards["c2"].id, *three}
    assert lone.id not in ids(service.drill_quality(LAST_YEAR, "dup"))


def test_a_card_with_two_systems_in_a_required_group_is_one_card_in_order(cards):
    # Del Et and Web To get a second accounting system, Kunde Et (without one) still has
    # none: the figures stay as they were — a card is counted once whatever it has chosen.
    for key in ("d1", "w2"):
        set_option(cards[key], "accounting_system", "Dinero")
    report = service.build_quality(LAST_YEAR)
    total = report.tables[0].total.values
    assert (total["cards"], total["missing"], total["quiet"], total["duplicate"]) == (12, 2, 3, 6)
    assert approx(total["in_order"], 4 / 12)
    assert by_label(report.tables[1])["Accounting system"]["cards"] == 1
    quiet = next(kf for kf in report.key_figures if kf.label == "No activity in 180 days")
    assert quiet.note == "of 10 cards in sales or customers"
    bo = by_label(report.tables[0])["Bo Berg (inactive)"]
    assert (bo["cards"], bo["missing"], bo["duplicate"]) == (6, 0, 3)


def test_data_quality_drills_to_the_cards_behind_each_number(cards):
    c = cards
    drill = service.drill_quality

    def companies(key, filters=LAST_YEAR):
        return ids(drill(filters, key))

    anna = c["anna"].id
    assert companies(f"cards:owner={anna}") == {c[k].id for k in ("p1", "p2", "c1", "w1", "q1")}
    assert companies(f"missing:owner={anna}") == {c["p2"].id, c["c1"].id}
    assert companies("quiet") == {c["p2"].id, c["q1"].id, c["c2"].id}
    assert companies("dup") == {c[k].id for k in ("c1", "w1", "c2", "i1", "w2", "s1")}
    assert companies("dup-name") == {c["i1"].id, c["s1"].id}
    assert companies("dup-domain") == {c["w1"].id, c["w2"].id}
    assert companies("dup-cvr") == {c["c1"].id, c["c2"].id}
    assert companies("debt") == {c[k].id for k in ("p1", "c1", "d1", "s1")}
    assert companies("debt:owner=none") == {c["s1"].id}
    assert companies(f"debt:owner={c['cleo'].id}") == {c["d1"].id}
    assert companies("cards:owner=none") == {c["s1"].id}
    lead_source = group("lead_source").id
    assert companies(f"missing-{lead_source}") == {c["p2"].id}
    report = service.build_quality(LAST_YEAR)
    keys = {k for table in report.tables for row in table.rows for k in row.drill.values()}
    keys |= set(report.tables[0].total.drill.values())
    keys |= {kf.drill for kf in report.key_figures}
    for key in keys:
        assert drill(LAST_YEAR, key) is not None, key


def test_the_filters_narrow_data_quality(cards):
    c = cards
    # Anna alone: her 5 cards and her 2 meetings without minutes.
    mine = ReportFilters(start=LAST_YEAR.start, end=LAST_YEAR.end, owner_id=c["anna"].id)
    report = service.build_quality(mine)
    assert [row.label for row in report.tables[0].rows] == ["Anna Ansvar"]
    assert report.tables[0].total.values["cards"] == 5
    assert report.tables[0].total.values["debt"] == 2
    assert ids(service.drill_quality(mine, "debt")) == {c["p1"].id, c["c1"].id}
    # Category A: Kunde Et (Anna: missing accounting, duplicate) and Kunde To (Bo: quiet,
    # duplicate); their partner in a duplicate need not be in the category. Minutes debt on
    # category A cards: Anna's meeting on Kunde Et with "" → 1 (Cleo's is on Del Et).
    a = ReportFilters(start=LAST_YEAR.start, end=LAST_YEAR.end, category="A")
    rows = by_label(service.build_quality(a).tables[0])
    assert set(rows) == {"Anna Ansvar", "Bo Berg (inactive)"}
    assert (rows["Anna Ansvar"]["missing"], rows["Anna Ansvar"]["duplicate"]) == (1, 1)
    assert rows["Anna Ansvar"]["debt"] == 1
    assert (rows["Bo Berg (inactive)"]["quiet"], rows["Bo Berg (inactive)"]["duplicate"]) == (1, 1)
    # The period does not change the report.
    old = ReportFilters(start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert service.build_quality(old).tables[0].total.values["cards"] == 12


def test_an_industry_narrows_the_cards_and_the_minutes_debt(cards):
    c = cards
    # Kunde Et (Anna: missing accounting, duplicate by CVR, a meeting with "" minutes) and
    # Del Et (Bo: in order; Cleo's meeting on it has no minutes) are in section J.
    for key in ("c1", "d1"):
        c[key].industry_id = section("J").id
    db.session.flush()
    in_j = ReportFilters(start=LAST_YEAR.start, end=LAST_YEAR.end, industry="J")
    report = service.build_quality(in_j)
    total = report.tables[0].total.values
    assert (total["cards"], total["missing"], total["duplicate"], total["debt"]) == (2, 1, 1, 2)
    assert approx(total["in_order"], 1 / 2)
    rows = by_label(report.tables[0])
    assert (rows["Anna Ansvar"]["debt"], rows["Cleo Kunde"]["debt"]) == (1, 1)
    assert ids(service.drill_quality(in_j, "debt")) == {c["c1"].id, c["d1"].id}


def test_without_required_groups_nothing_is_missing(cards):
    for key in ("lead_source", "accounting_system"):
        group(key).required_from = None
    db.session.flush()
    report = service.build_quality(LAST_YEAR)
    assert figures(report)["Missing required groups"] == 0
    assert report.tables[1].rows == []
    assert report.notes  # says how to make a group required
    # In order: neither quiet (Pi, Stille, Kunde To) nor a duplicate (Kunde Et, Web Et,
    # Kunde To, both Acmes, Web To) → Solo, Del Et, Del To, Fremtid → 4/12.
    assert approx(figures(report)["Cards in order"], 4 / 12)


def test_the_data_quality_report_runs_a_fixed_number_of_queries(app, cards):
    few = count_queries(app, lambda: service.build_quality(LAST_YEAR))
    owner = make_user(name="New Owner")
    for n in range(5):
        company = make_company(f"Extra {n} ApS", status_key="customer", owner=owner, cvr="12345678")
        make_activity(company, "meeting", owner, days_ago=n + 1, body=None)
    assert count_queries(app, lambda: service.build_quality(LAST_YEAR)) == few <= 10


def plan_of(stmt) -> str:
    compiled = stmt.compile(db.engine, compile_kwargs={"render_postcompile": True})
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    rows = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)
    return " | ".join(row[3] for row in rows)


def test_does_sqlite_count_minutes_debt_from_its_small_index_alone():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query planner")
    from webapp.models.activity import Activity

    # A log like a real one: most activities are not meetings, most meetings have minutes.
    author = make_user()
    company = make_company()
    for n in range(60):
        kind = ("call", "email", "note", "meeting")[n % 4]
        body = None if n % 12 == 3 else "Text."
        make_activity(company, kind, author, days_ago=n, body=body)
    db.session.execute(text("ANALYZE"))
    stmt = select(Activity.author_id, Activity.company_id).where(*service._debt_conditions())
    assert "COVERING INDEX ix_activity_minutes_debt" in plan_of(stmt)


def test_does_sqlite_probe_the_required_groups_along_company_then_group(cards):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query planner")
    from webapp.models.customer import Company

    db.session.execute(text("ANALYZE"))
    rules = service.quality_rules()
    group, status_ids = rules.required[0]
    stmt = select(Company.id).where(service._missing(group, status_ids))
    assert "COVERING INDEX ix_group_value_company_group" in plan_of(stmt)


def test_changes_after_the_period_do_not_count_in_it():
    k = make_company("Kappa ApS")
    set_option(k, "satisfaction", "1 Very unhappy")
    rate(k, datetime(2024, 10, 1, 9), None, "2 Unhappy")
    rate(k, datetime(2025, 3, 1, 9), "2 Unhappy", "4 Happy")
    rate(k, datetime(2025, 8, 1, 9), "4 Happy", "1 Very unhappy")  # after June
    report = service.build_satisfaction(H1_2025)
    trend = report.tables[1]
    # Jan, Feb: 2; from March: 4. Rated 2 on 1 January, 4 on 30 June → improved.
    assert [row.values["average"] for row in trend.rows] == [2.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    assert [row.values["rated_in"] for row in trend.rows] == [0, 0, 1, 0, 0, 0]
    assert figures(report)["Improved in the period"] == 1
    assert figures(report)["Worsened in the period"] == 0
    assert ids(service.drill_satisfaction(H1_2025, "improved")) == {k.id}
    assert ids(service.drill_satisfaction(H1_2025, "month:start=2025-06-01")) == {k.id}
    # Now it is rated 1 (the distribution), whatever the period.
    assert figures(report)["Unhappy companies"] == 1


def test_a_card_made_recently_has_not_been_quiet_for_180_days():
    owner = make_user(name="Ny Sælger")
    young = make_company("Ung ApS", status_key="prospect", owner=owner)  # made today
    old = make_company(
        "Gammel ApS", status_key="prospect", owner=owner, created_at=utcnow() - timedelta(days=200)
    )
    for company in (young, old):
        set_option(company, "lead_source", "SEO")
    report = service.build_quality(LAST_YEAR)
    # Neither has any activity; only the one on file for 200 days counts as quiet.
    assert figures(report)["No activity in 180 days"] == 1
    assert ids(service.drill_quality(LAST_YEAR, "quiet")) == {old.id}
