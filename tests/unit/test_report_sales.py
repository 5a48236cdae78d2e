"""The sales reports against hand-made data: every expected figure is worked out by hand in
the comments beside it, never by calling the code under test."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from tests.factories import make_activity, make_company, make_deal, make_user, option, set_option
from tests.factories import stage as stage_of
from tests.factories import status as status_of
from webapp.blueprints.reports import sales
from webapp.blueprints.reports.base import REPORTS, ReportFilters
from webapp.extensions import db
from webapp.models.marketing import Industry
from webapp.models.pipeline import StageRequirement
from webapp.models.user import utcnow

# Every report below is asked about the first half of 2025.
START, END = date(2025, 1, 1), date(2025, 6, 30)
PERIOD = ReportFilters(start=START, end=END)
SLUGS = (
    "meetings-to-customers",
    "lost-to-competitors",
    "revenue-by-lead-source",
    "referrals",
    "funnel",
    "inactive-reasons",
)


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def ids(drill) -> set[int]:
    return set(db.session.scalars(drill.ids))


def by_label(table) -> dict:
    return {row.label: row.values for row in table.rows}


def figures(report) -> dict:
    return {kf.label: kf.value for kf in report.key_figures}


@pytest.fixture
def people():
    return make_user(name="Anna Salg"), make_user(name="Bo Salg")


def won(company, value, closed, owner=None, **fields):
    fields.setdefault("created_at", at(closed) - timedelta(days=20))
    return make_deal(company, "proposal", owner, value, outcome="won", closed_at=closed, **fields)


def lost(company, value, closed, owner=None, reason="no_budget", **fields):
    fields.setdefault("created_at", at(closed) - timedelta(days=20))
    return make_deal(
        company,
        fields.pop("stage_key", "lead"),
        owner,
        value,
        outcome="lost",
        closed_at=closed,
        lost_reason=status_of(reason) if reason else None,
        **fields,
    )


# ---------------------------------------------------------------------------------------
# Every report registered, and readable with no data at all


def test_are_all_six_sales_reports_registered_in_their_places():
    orders = {slug: REPORTS[slug].order for slug in SLUGS}
    assert orders == {
        "meetings-to-customers": 10,
        "lost-to-competitors": 20,
        "revenue-by-lead-source": 30,
        "referrals": 50,
        "funnel": 100,
        "inactive-reasons": 120,
    }
    for slug in SLUGS:
        assert str(REPORTS[slug].definition).strip()
        assert str(REPORTS[slug].question).endswith("?")


@pytest.mark.parametrize("slug", SLUGS)
def test_does_each_report_read_sensibly_before_any_sale(slug):
    report = REPORTS[slug].build(PERIOD)
    assert report.empty
    assert all(table.empty for table in report.tables)
    assert not report.charts
    for kf in report.key_figures:
        # Counts and money are 0, ratios are "–" (None): nothing is divided by zero.
        assert kf.value in (0, Decimal("0"), None)


@pytest.mark.parametrize("slug", SLUGS)
def test_does_each_report_run_a_fixed_handful_of_queries(slug, people):
    anna, bo = people
    for n in range(6):
        company = make_company(owner=anna if n % 2 else bo, category="ABC"[n % 3])
        set_option(company, "lead_source", ("Referral", "SEO")[n % 2])
        make_activity(company, "meeting", occurred_at=at(date(2025, 2, 1 + n)))
        won(company, 1000 * (n + 1), date(2025, 3, 1 + n), owner=bo)
        lost(
            company,
            500,
            date(2025, 4, 1 + n),
            owner=anna,
            competitor=option("competitor", "HubSpot"),
        )
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        REPORTS[slug].build(PERIOD)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 4


# ---------------------------------------------------------------------------------------
# 10 · Meetings → customers


@pytest.fixture
def meetings(people):
    anna, bo = people
    c1 = make_company("Alfa", owner=anna, category="A")
    make_activity(c1, "meeting", occurred_at=at(date(2025, 3, 10)), body="Minutes")
    won(c1, 100000, date(2025, 4, 1))  # won after its meeting: became a customer
    c2 = make_company("Beta", owner=anna, category="B")
    make_activity(c2, "meeting", occurred_at=at(date(2025, 2, 1)), body="Minutes")
    make_activity(c2, "meeting", occurred_at=at(date(2025, 2, 20)))
    lost(c2, 5000, date(2025, 5, 1))  # met twice, never won
    c3 = make_company("Gamma", owner=bo, category="A")
    make_activity(c3, "meeting", occurred_at=at(date(2025, 5, 5)), body="Minutes")
    won(c3, 20000, date(2024, 8, 1))  # a customer since before the meeting
    c4 = make_company("Delta", owner=bo)
    make_activity(c4, "meeting", occurred_at=at(date(2025, 3, 3)), deleted=True)
    c5 = make_company("Epsilon", owner=bo, category="B")
    make_activity(c5, "meeting", occurred_at=at(date(2024, 12, 31), 23))  # before the period
    won(c5, 7000, date(2025, 2, 2))
    c6 = make_company("Zeta", owner=bo, category="C")
    # Held without minutes (still a meeting), won the same day.
    make_activity(c6, "meeting", occurred_at=at(date(2025, 6, 30), 15))
    won(c6, 9000, date(2025, 6, 30))
    c7 = make_company("Eta", category="A")
    make_activity(c7, "call", occurred_at=at(date(2025, 3, 3)))
    won(c7, 1000, date(2025, 3, 4))
    return {"anna": anna, "bo": bo, "c1": c1, "c2": c2, "c3": c3, "c6": c6}


def test_what_share_of_the_companies_met_became_customers(meetings):
    report = sales.build_meetings(PERIOD)
    # Met in the period: Alfa, Beta, Gamma, Zeta (Delta's meeting is deleted, Epsilon's
    # is the day before, Eta had a call). Gamma was a customer already. Of the other three,
    # Alfa and Zeta (won on the meeting's own day) became customers: 2 / 3.
    assert figures(report) == {
        "Companies met": 4,
        "Became customers": 2,
        "Conversion": pytest.approx(2 / 3),
        "Customers already": 1,
    }
    notes = {kf.label: kf.note for kf in report.key_figures}
    assert notes["Companies met"] == "5 meetings held"  # Beta had two
    assert notes["Conversion"] == "of 3 companies met as prospects"
    people, categories = report.tables
    assert by_label(people) == {
        # Anna: Alfa (won) and Beta → 1 of 2.
        "Anna Salg": {"met": 2, "already": 0, "prospects": 2, "won": 1, "conversion": 0.5},
        # Bo: Gamma (customer already) and Zeta (won) → 1 of 1.
        "Bo Salg": {"met": 2, "already": 1, "prospects": 1, "won": 1, "conversion": 1.0},
    }
    assert people.total.values["met"] == 4
    assert [row.label for row in categories.rows] == ["Category A", "Category B", "Category C"]
    assert by_label(categories)["Category A"] == {
        "met": 2,  # Alfa and Gamma
        "already": 1,
        "prospects": 1,
        "won": 1,
        "conversion": 1.0,
    }


def test_do_meetings_filters_narrow_by_company_owner_and_category(meetings):
    by_anna = sales.build_meetings(ReportFilters(START, END, owner_id=meetings["anna"].id))
    assert figures(by_anna)["Companies met"] == 2  # Alfa and Beta
    in_a = sales.build_meetings(ReportFilters(START, END, category="A"))
    assert figures(in_a)["Companies met"] == 2  # Alfa and Gamma
    assert figures(in_a)["Conversion"] == 1.0  # Alfa of Alfa


def test_do_meetings_drill_keys_give_the_companies_behind_each_number(meetings):
    m = meetings
    assert ids(sales.drill_meetings(PERIOD, "won")) == {m["c1"].id, m["c6"].id}
    assert ids(sales.drill_meetings(PERIOD, "already")) == {m["c3"].id}
    assert ids(sales.drill_meetings(PERIOD, f"prospects:owner={m['anna'].id}")) == {
        m["c1"].id,
        m["c2"].id,
    }
    assert ids(sales.drill_meetings(PERIOD, "met:category=B")) == {m["c2"].id}
    assert sales.drill_meetings(PERIOD, "nonsense") is None
    assert sales.drill_meetings(PERIOD, "won:colour=red") is None


def test_is_a_company_met_often_with_several_won_deals_counted_once_by_its_earliest(people):
    anna, _bo = people
    # Theta: three meetings in the period (the first on 1 March) and won deals closed on
    # 10 March and, earlier, on 15 February → a customer already, counted once.
    theta = make_company("Theta", owner=anna, category="A")
    for day in (1, 9, 20):
        make_activity(theta, "meeting", occurred_at=at(date(2025, 3, day)))
    won(theta, 1000, date(2025, 3, 10))
    won(theta, 2000, date(2025, 2, 15))
    # Iota: two meetings, two deals won after the first one → became a customer, once.
    iota = make_company("Iota", owner=anna, category="A")
    make_activity(iota, "meeting", occurred_at=at(date(2025, 4, 1)))
    make_activity(iota, "meeting", occurred_at=at(date(2025, 4, 2)))
    won(iota, 500, date(2025, 4, 1))
    won(iota, 700, date(2025, 5, 1))
    # Kappa: a won deal without a close date counts as won, not as a customer already.
    kappa = make_company("Kappa", owner=anna, category="B")
    make_activity(kappa, "meeting", occurred_at=at(date(2025, 2, 2)))
    deal = won(kappa, 300, date(2025, 2, 3))
    deal.closed_at = None
    db.session.flush()
    report = sales.build_meetings(PERIOD)
    assert figures(report) == {
        "Companies met": 3,
        "Customers already": 1,  # Theta
        "Became customers": 2,  # Iota and Kappa
        "Conversion": 1.0,  # 2 of the 2 met as prospects
    }
    notes = {kf.label: kf.note for kf in report.key_figures}
    assert notes["Companies met"] == "6 meetings held"
    assert by_label(report.tables[1])["Category A"] == {
        "met": 2,
        "already": 1,
        "prospects": 1,
        "won": 1,
        "conversion": 1.0,
    }
    assert ids(sales.drill_meetings(PERIOD, "already")) == {theta.id}
    assert ids(sales.drill_meetings(PERIOD, "won")) == {iota.id, kappa.id}


def test_does_the_lead_source_filter_narrow_the_meetings_held_too(people):
    anna, _bo = people
    referred = make_company("Lambda", owner=anna)
    set_option(referred, "lead_source", "Referral")
    make_activity(referred, "meeting", occurred_at=at(date(2025, 3, 1)))
    make_activity(referred, "meeting", occurred_at=at(date(2025, 3, 2)))
    other = make_company("My", owner=anna)
    set_option(other, "lead_source", "SEO")
    make_activity(other, "meeting", occurred_at=at(date(2025, 3, 3)))
    source = option("lead_source", "Referral")
    report = sales.build_meetings(ReportFilters(START, END, lead_source_id=source.id))
    assert figures(report)["Companies met"] == 1  # Lambda
    notes = {kf.label: kf.note for kf in report.key_figures}
    assert notes["Companies met"] == "2 meetings held"  # Lambda's two, not My's


def test_is_a_meeting_in_the_future_not_counted_as_held(people):
    company = make_company(owner=people[0])
    make_activity(company, "meeting", occurred_at=utcnow() + timedelta(days=2))
    today = utcnow().date()
    report = sales.build_meetings(ReportFilters(today, today + timedelta(days=7)))
    assert figures(report)["Companies met"] == 0


# ---------------------------------------------------------------------------------------
# 20 · Lost to competitors


@pytest.fixture
def competitors(people):
    anna, bo = people
    company = make_company(owner=anna)
    salesforce, hubspot = option("competitor", "Salesforce"), option("competitor", "HubSpot")
    deals = {
        "won": won(company, 100000, date(2025, 2, 1), owner=anna),
        "sf1": lost(
            company, 50000, date(2025, 2, 2), anna, "lost_to_competitor", competitor=salesforce
        ),
        "sf2": lost(
            company, 30000, date(2025, 3, 2), bo, "lost_to_competitor", competitor=salesforce
        ),
        "unknown": lost(company, 20000, date(2025, 4, 2), bo, "lost_to_competitor"),
        "hubspot": lost(company, 40000, date(2025, 5, 2), anna, "no_budget", competitor=hubspot),
        "budget": lost(company, 10000, date(2025, 6, 2), bo, "no_budget"),
        "old": lost(
            company, 999, date(2024, 6, 2), bo, "lost_to_competitor", competitor=salesforce
        ),
        "open": make_deal(company, "lead", bo, 5000),
    }
    return {"anna": anna, "bo": bo, "salesforce": salesforce, "hubspot": hubspot, **deals}


def test_what_share_of_deals_is_lost_to_competitors_and_to_which(competitors):
    report = sales.build_competitors(PERIOD)
    # Closed in the period: the won deal and five lost = 6. Lost to a competitor: the two
    # Salesforce deals, the one without a named competitor (reason "lost to competitor")
    # and the HubSpot one (a competitor recorded, whatever the reason) = 4 of 6 closed, 4
    # of 5 lost; value 50,000 + 30,000 + 20,000 + 40,000 = 140,000.
    assert figures(report) == {
        "Lost to competitors": 4,
        "Share of closed deals": pytest.approx(4 / 6),
        "Share of lost deals": pytest.approx(4 / 5),
        "Value lost to competitors": Decimal("140000.00"),
    }
    table = report.tables[0]
    assert [row.label for row in table.rows] == [
        "Salesforce",
        "HubSpot",
        "Competitor not recorded",
    ]
    assert by_label(table)["Salesforce"] == {
        "label": "Salesforce",
        "lost": 2,
        "share": 0.5,  # 2 of the 4 lost to competitors
        "of_closed": pytest.approx(2 / 6),
        "value": Decimal("80000.00"),
    }
    assert table.total.values["lost"] == 4
    assert report.charts[0].series[0].values == [2, 1, 1]
    assert "1 deal was lost to a competitor without saying which" in report.notes[0]


def test_does_the_owner_filter_use_the_deal_owner_for_competitors(competitors):
    report = sales.build_competitors(ReportFilters(START, END, owner_id=competitors["bo"].id))
    # Bo's closed deals: sf2, unknown, budget = 3; to competitors: sf2, unknown.
    assert figures(report)["Lost to competitors"] == 2
    assert figures(report)["Share of closed deals"] == pytest.approx(2 / 3)


def test_do_competitor_drill_keys_give_the_deals_behind_each_number(competitors):
    c = competitors
    salesforce = c["salesforce"].id
    assert ids(sales.drill_competitors(PERIOD, f"competitor:option={salesforce}")) == {
        c["sf1"].id,
        c["sf2"].id,
    }
    assert ids(sales.drill_competitors(PERIOD, "competitor:option=none")) == {c["unknown"].id}
    assert len(ids(sales.drill_competitors(PERIOD, "closed"))) == 6
    assert len(ids(sales.drill_competitors(PERIOD, "lost"))) == 5
    assert sales.drill_competitors(PERIOD, "competitor:option=abc") is None


# ---------------------------------------------------------------------------------------
# 30 · Won revenue by lead source


@pytest.fixture
def sources(people):
    anna, bo = people
    referral = make_company("Referred", category="A")
    set_option(referral, "lead_source", "Referral")
    seo = make_company("Found")
    set_option(seo, "lead_source", "SEO")
    nowhere = make_company("Unknown")
    both = make_company("Both")  # two sources: Referral comes first in the group's order
    set_option(both, "lead_source", "AdWords")
    set_option(both, "lead_source", "Referral")
    deals = {
        "r1": won(referral, 100000, date(2025, 1, 10), anna),
        "r2": won(referral, 50000, date(2025, 2, 10), bo),
        "r3": lost(referral, 20000, date(2025, 3, 10), anna),
        "s1": won(seo, 60000, date(2025, 4, 10), bo),
        "s2": lost(seo, 10000, date(2025, 4, 11), bo),
        "s3": lost(seo, 10000, date(2025, 4, 12), bo),
        "n1": won(nowhere, 40000, date(2025, 5, 10), anna),
        "b1": won(both, 30000, date(2025, 6, 10), anna),
        "old": won(seo, 999000, date(2023, 6, 10), anna),
    }
    return {"anna": anna, "bo": bo, **deals}


def test_how_much_revenue_each_lead_source_brought(sources):
    report = sales.build_sources(PERIOD)
    # Won in the period: 100,000 + 50,000 + 60,000 + 40,000 + 30,000 = 280,000 in 5 deals;
    # closed: those 5 and 3 lost = 8.
    assert figures(report) == {
        "Won revenue": Decimal("280000.00"),
        "Won deals": 5,
        "Average won deal": Decimal("56000.00"),
        "Win rate": pytest.approx(5 / 8),
    }
    table = report.tables[0]
    assert [row.label for row in table.rows] == ["Referral", "SEO", "No lead source"]
    rows = by_label(table)
    # Referral: Referred's two won (150,000) and Both's (30,000) = 180,000 of 280,000;
    # closed: those 3 and Referred's lost one = 4.
    assert rows["Referral"] == {
        "won": 3,
        "revenue": Decimal("180000.00"),
        "share": pytest.approx(180 / 280),
        "average": Decimal("60000.00"),
        "closed": 4,
        "win_rate": 0.75,
    }
    assert rows["SEO"]["win_rate"] == pytest.approx(1 / 3)
    assert rows["No lead source"]["revenue"] == Decimal("40000.00")
    assert table.total.values["revenue"] == Decimal("280000.00")
    assert "1 won deal has no lead source" in report.notes[0]


def test_do_lead_source_filters_and_drills_give_the_deals_behind_each_number(sources):
    s = sources
    in_a = sales.build_sources(ReportFilters(START, END, category="A"))
    assert figures(in_a)["Won revenue"] == Decimal("150000.00")  # Referred only
    by_bo = sales.build_sources(ReportFilters(START, END, owner_id=s["bo"].id))
    assert figures(by_bo)["Won revenue"] == Decimal("110000.00")  # r2 50,000 + s1 60,000
    referral = option("lead_source", "Referral").id
    assert ids(sales.drill_sources(PERIOD, f"won:source={referral}")) == {
        s["r1"].id,
        s["r2"].id,
        s["b1"].id,
    }
    assert ids(sales.drill_sources(PERIOD, "closed:source=none")) == {s["n1"].id}
    assert len(ids(sales.drill_sources(PERIOD, "closed"))) == 8
    assert sales.drill_sources(PERIOD, "won:source=999999") is None


# ---------------------------------------------------------------------------------------
# 50 · Customers won through referrals


@pytest.fixture
def referrals(people):
    anna, bo = people

    def company(name, source=None, owner=anna):
        made = make_company(name, owner=owner)
        if source:
            set_option(made, "lead_source", source)
        return made

    r1, r2, r3 = company("R1", "Referral"), company("R2", "Referral"), company("R3", "SEO")
    r4, r5, r6 = company("R4"), company("R5", "Referral"), company("R6", "Referral", bo)
    r7 = company("R7", "Referral")
    won(r1, 100000, date(2025, 2, 10))
    won(r1, 50000, date(2025, 5, 5))
    won(r2, 80000, date(2024, 11, 20))  # a customer before the period
    won(r2, 40000, date(2025, 3, 1))
    won(r3, 70000, date(2025, 3, 15))
    won(r4, 20000, date(2025, 3, 20))
    lost(r5, 10000, date(2025, 4, 1))
    won(r6, 10000, date(2025, 6, 30))  # the period's last day
    won(r7, 5000, date(2025, 7, 1))  # the day after
    return {"anna": anna, "bo": bo, "r1": r1, "r3": r3, "r4": r4, "r6": r6, "r7": r7, "r2": r2}


def test_how_many_new_customers_came_through_referrals(referrals):
    report = sales.build_referrals(PERIOD)
    # New customers (first won deal in the period): R1, R3, R4, R6; through a referral:
    # R1 and R6. Their revenue in the period: R1 100,000 + 50,000, R6 10,000.
    assert figures(report) == {
        "New customers through referrals": 2,
        "Share of new customers": 0.5,
        "Revenue from referred customers": Decimal("160000.00"),
    }
    table = report.tables[0]
    assert [row.label for row in table.rows] == [
        "Jan 2025",
        "Feb 2025",
        "Mar 2025",
        "Apr 2025",
        "May 2025",
        "Jun 2025",
    ]
    assert [(r.values["new"], r.values["referral"]) for r in table.rows] == [
        (0, 0),
        (1, 1),  # R1
        (2, 0),  # R3, R4
        (0, 0),
        (0, 0),
        (1, 1),  # R6
    ]
    assert table.rows[1].values["revenue"] == Decimal("150000.00")
    assert table.rows[0].values["share"] is None  # nothing to divide by in January
    assert report.charts[0].kind == "stacked"


def test_are_referrals_counted_by_year_over_a_long_period_and_by_the_company_owner(referrals):
    long = sales.build_referrals(ReportFilters(date(2023, 1, 1), date(2025, 12, 31)))
    rows = by_label(long.tables[0])
    assert list(rows) == ["2023", "2024", "2025"]
    assert (rows["2024"]["new"], rows["2024"]["referral"]) == (1, 1)  # R2
    assert (rows["2025"]["new"], rows["2025"]["referral"]) == (5, 3)  # R1 R3 R4 R6 R7
    by_bo = sales.build_referrals(ReportFilters(START, END, owner_id=referrals["bo"].id))
    assert figures(by_bo)["New customers through referrals"] == 1  # R6


def test_do_referral_drill_keys_give_the_companies_behind_each_number(referrals):
    r = referrals
    assert ids(sales.drill_referrals(PERIOD, "referral")) == {r["r1"].id, r["r6"].id}
    assert ids(sales.drill_referrals(PERIOD, "new:month=2025-03")) == {r["r3"].id, r["r4"].id}
    assert sales.drill_referrals(PERIOD, "new:month=2025-09") is None
    assert sales.drill_referrals(PERIOD, "new:year=2025") is None


def test_does_the_referral_report_say_when_no_lead_source_means_a_referral(referrals):
    option("lead_source", "Referral").label = "Friends"
    db.session.flush()
    report = sales.build_referrals(PERIOD)
    assert figures(report)["New customers through referrals"] == 0
    assert "No lead source is named as a referral" in report.notes[0]


# ---------------------------------------------------------------------------------------
# 100 · The funnel


@pytest.fixture
def funnel(people):
    anna, bo = people
    a, b, none = (
        make_company("A ApS", category="A"),
        make_company("B ApS", category="B"),
        make_company("None ApS"),
    )
    opened = at(date(2025, 3, 1))
    deals = {
        "f1": make_deal(a, "suspect", anna, created_at=opened),
        "f2": make_deal(a, "qualified", anna, created_at=opened),
        "f3": lost(b, 1000, date(2025, 5, 1), anna, stage_key="proposal", created_at=opened),
        "f4": make_deal(
            b, "lead", bo, outcome="won", closed_at=date(2025, 4, 1), created_at=opened
        ),
        "f5": won(none, 1000, date(2025, 4, 2), bo, created_at=opened),
        "f6": lost(a, 1000, date(2025, 4, 3), bo, stage_key="lead", created_at=opened),
        "old": won(a, 1000, date(2025, 1, 5), anna, created_at=at(date(2024, 12, 31))),
    }
    return {"anna": anna, "bo": bo, "a": a, **deals}


def test_where_deals_stop_on_the_way_from_contact_to_contract(funnel):
    report = sales.build_funnel(PERIOD)
    # Opened in the period: f1–f6. Meeting (Qualified or later, or won): f2, f3, f4, f5;
    # proposal (Proposal, or won): f3, f4, f5; contract (won): f4, f5.
    overall = report.tables[0]
    assert [(r.label, r.values["deals"]) for r in overall.rows] == [
        ("Contact", 6),
        ("Meeting", 4),
        ("Proposal", 3),
        ("Contract", 2),
    ]
    assert [r.values["of_previous"] for r in overall.rows] == [
        None,
        pytest.approx(4 / 6),
        0.75,
        pytest.approx(2 / 3),
    ]
    assert overall.rows[3].values["of_contacts"] == pytest.approx(2 / 6)
    people = by_label(report.tables[1])
    # Anna: f1, f2, f3 → 3, 2, 1, 0. Bo: f4, f5, f6 → 3, 2, 2, 2.
    assert [people["Anna Salg"][k] for k in sales.STEPS] == [3, 2, 1, 0]
    assert people["Anna Salg"]["closing_rate"] == 0.0
    assert [people["Bo Salg"][k] for k in sales.STEPS] == [3, 2, 2, 2]
    assert people["Bo Salg"]["overall"] == pytest.approx(2 / 3)
    categories = by_label(report.tables[2])
    # A: f1, f2, f6 → 3, 1, 0, 0 (no proposal, so no closing rate). B: f3, f4. None: f5.
    assert [categories["Category A"][k] for k in sales.STEPS] == [3, 1, 0, 0]
    assert categories["Category A"]["closing_rate"] is None
    assert [categories["Category B"][k] for k in sales.STEPS] == [2, 2, 2, 1]
    assert [categories["No category"][k] for k in sales.STEPS] == [1, 1, 1, 1]
    assert report.charts[0].kind == "funnel"
    assert report.charts[0].series[0].values == [6, 4, 3, 2]
    assert any("2 of these deals are still open" in note for note in report.notes)


def test_does_the_meeting_step_follow_the_stage_rules(funnel):
    # An admin makes Lead ask for a meeting: f4 (won) and f6 (lost from Lead) now count too.
    db.session.add(StageRequirement(stage=stage_of("lead"), kinds="meeting"))
    db.session.flush()
    overall = sales.build_funnel(PERIOD).tables[0]
    assert overall.rows[1].values["deals"] == 5  # f2, f3, f4, f5, f6


def test_do_funnel_filters_narrow_by_deal_owner_industry_and_lead_source(funnel):
    f = funnel
    by_anna = sales.build_funnel(ReportFilters(START, END, owner_id=f["anna"].id))
    assert by_anna.tables[0].rows[0].values["deals"] == 3
    section_j = db.session.scalar(select(Industry.id).where(Industry.code == "J"))
    f["a"].industry_id = section_j
    set_option(f["a"], "lead_source", "SEO")
    db.session.flush()
    in_j = sales.build_funnel(ReportFilters(START, END, industry="J"))
    assert in_j.tables[0].rows[0].values["deals"] == 3  # f1, f2, f6
    seo = option("lead_source", "SEO").id
    from_seo = sales.build_funnel(ReportFilters(START, END, lead_source_id=seo))
    assert from_seo.tables[0].rows[1].values["deals"] == 1  # f2


def test_do_funnel_drill_keys_give_the_deals_behind_each_number(funnel):
    f = funnel
    anna = f["anna"].id
    assert ids(sales.drill_funnel(PERIOD, f"meeting:owner={anna}")) == {f["f2"].id, f["f3"].id}
    assert ids(sales.drill_funnel(PERIOD, "contract")) == {f["f4"].id, f["f5"].id}
    assert ids(sales.drill_funnel(PERIOD, "proposal:category=none")) == {f["f5"].id}
    assert sales.drill_funnel(PERIOD, "contract:category=D") is None


# ---------------------------------------------------------------------------------------
# 120 · Inactive reasons


@pytest.fixture
def reasons(people):
    anna, bo = people
    company = make_company()
    deals = {
        "l1": lost(company, 10000, date(2025, 1, 5), anna, "no_budget"),
        "l2": lost(company, 20000, date(2025, 2, 5), anna, "no_budget"),
        "l3": lost(company, 30000, date(2025, 3, 5), anna, "lost_to_competitor"),
        "l4": lost(company, 5000, date(2025, 4, 5), bo, "too_small"),
        "l5": lost(company, 1000, date(2025, 5, 5), anna, None),
        "old": lost(company, 1000, date(2024, 5, 5), anna, "no_budget"),
    }
    make_company(status_key="no_budget", owner=bo)
    make_company(status_key="no_budget", owner=anna)
    make_company(status_key="no_budget", owner=anna, archived=True)
    make_company(status_key="bad_timing", owner=anna)
    make_company(status_key="customer", owner=anna)
    return {"anna": anna, "bo": bo, **deals}


def test_why_deals_were_lost_and_who_is_inactive_today(reasons):
    report = sales.build_reasons(PERIOD)
    # Lost in the period: l1–l5 = 5, worth 10,000 + 20,000 + 30,000 + 5,000 + 1,000.
    assert figures(report) == {
        "Deals lost": 5,
        "Value lost": Decimal("66000.00"),
        "Most common reason": "Inactive – no budget",
        "Inactive companies today": 3,  # two "no budget" (one more is archived), one "bad timing"
    }
    by_reason, by_status = report.tables
    assert [(r.label, r.values["lost"]) for r in by_reason.rows] == [
        ("Inactive – no budget", 2),
        ("Inactive – lost to competitor", 1),
        ("Inactive – too small", 1),
        ("No reason recorded", 1),
    ]
    assert by_label(by_reason)["Inactive – no budget"]["value"] == Decimal("30000.00")
    assert by_label(by_reason)["Inactive – no budget"]["share"] == pytest.approx(2 / 5)
    assert by_label(by_status) == {
        "Inactive – no budget": {"companies": 2, "share": pytest.approx(2 / 3)},
        "Inactive – bad timing": {"companies": 1, "share": pytest.approx(1 / 3)},
    }


def test_do_reason_filters_and_drills_give_the_records_behind_each_number(reasons):
    r = reasons
    by_anna = sales.build_reasons(ReportFilters(START, END, owner_id=r["anna"].id))
    # Anna's lost deals: l1, l2, l3, l5; her inactive companies: one "no budget", "bad timing".
    assert figures(by_anna)["Deals lost"] == 4
    assert figures(by_anna)["Inactive companies today"] == 2
    no_budget = status_of("no_budget").id
    assert ids(sales.drill_reasons(PERIOD, f"lost:reason={no_budget}")) == {r["l1"].id, r["l2"].id}
    assert ids(sales.drill_reasons(PERIOD, "lost:reason=none")) == {r["l5"].id}
    assert len(ids(sales.drill_reasons(PERIOD, f"inactive:status={no_budget}"))) == 2
    assert sales.drill_reasons(PERIOD, "inactive:status=none") is None


# ---------------------------------------------------------------------------------------
# Every number's drill key leads to exactly that many records


@pytest.mark.parametrize("slug", SLUGS)
def test_does_every_count_drill_to_exactly_that_many_records(
    slug, meetings, competitors, sources, referrals, funnel, reasons
):
    spec = REPORTS[slug]
    report = spec.build(PERIOD)
    checked = 0
    for table in report.tables:
        counts = [c.key for c in table.columns if c.kind == "count"]
        for row in [*table.rows, *([table.total] if table.total else [])]:
            for key in counts:
                drill = spec.drill(PERIOD, row.drill[key])
                assert drill is not None, row.drill[key]
                found = db.session.scalar(select(func.count()).select_from(drill.ids.subquery()))
                assert found == row.values[key], (row.label, key)
                checked += 1
            for column in table.columns:
                if column.key != "label" and row.values.get(column.key) is not None:
                    assert spec.drill(PERIOD, row.drill[column.key]) is not None
    for kf in report.key_figures:
        if kf.drill:
            assert spec.drill(PERIOD, kf.drill) is not None
    assert checked


def test_does_a_drill_title_name_the_salesperson_or_category(funnel):
    drill = sales.drill_funnel(PERIOD, f"contract:owner={funnel['bo'].id}")
    assert drill.title == "Deals opened in the period that were won: Bo Salg"
    drill = sales.drill_funnel(PERIOD, "contact:category=none")
    assert drill.title == "Deals opened in the period: No category"
    drill = sales.drill_funnel(PERIOD, "contact:owner=none")
    assert drill.title == "Deals opened in the period: No salesperson"
