"""The markets reports against hand-made data: every expected figure is worked out by hand in
the comments beside it, never by calling the code under test."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from tests.factories import make_activity, make_company, make_deal, make_user, option, set_option
from webapp.blueprints.reports import markets
from webapp.blueprints.reports.base import REPORTS, ReportFilters
from webapp.blueprints.reports.queries import drill_count
from webapp.extensions import db
from webapp.models.group import Group
from webapp.models.marketing import Industry
from webapp.models.pipeline import Budget
from webapp.models.user import utcnow
from webapp.services import campaigns as campaign_service
from webapp.services.forecast import ForecastFilters, forecast

D = Decimal
TODAY = date.today()
LAST_YEAR = ReportFilters(start=TODAY - timedelta(days=360), end=TODAY)
SLUGS = (
    "campaign-results",
    "customers-by-industry",
    "industries-to-explore",
    "integration-priorities",
    "forecast-vs-budget",
)


def ids(drill) -> set[int]:
    return set(db.session.scalars(drill.ids))


def by_label(table) -> dict:
    return {row.label: row.values for row in table.rows}


def figures(report) -> dict:
    return {kf.label: kf.value for kf in report.key_figures}


def approx(value, expected):
    return value == pytest.approx(expected, abs=1e-9)


# --- Every report ----------------------------------------------------------------------------


def test_are_the_five_markets_reports_registered_in_their_places():
    orders = {slug: REPORTS[slug].order for slug in SLUGS}
    assert orders == {
        "campaign-results": 40,
        "customers-by-industry": 60,
        "industries-to-explore": 70,
        "integration-priorities": 90,
        "forecast-vs-budget": 110,
    }
    assert REPORTS["campaign-results"].filters == ("period",)
    assert REPORTS["forecast-vs-budget"].filters == ("period", "owner", "category")
    for slug in SLUGS:
        assert len(str(REPORTS[slug].definition)) > 200


@pytest.mark.parametrize("slug", SLUGS)
def test_does_each_report_read_sensibly_before_any_data(slug):
    report = REPORTS[slug].build(LAST_YEAR)
    assert report.empty
    assert report.tables
    assert all(table.empty for table in report.tables)
    for figure in report.key_figures:
        assert figure.value in (0, None) or figure.value == D("0")


@pytest.mark.parametrize("slug", SLUGS)
def test_does_each_report_refuse_a_drill_key_it_does_not_know(slug):
    for key in ("", "bogus", "won:", ":12", "leads:abc", "customers:o", "open:2026-13"):
        assert REPORTS[slug].drill(LAST_YEAR, key) is None


# --- 40 · Campaign results ------------------------------------------------------------------


def make_campaign(name, cost, starts_days_ago, ends_days_ago=None):
    return campaign_service.create_campaign(
        campaign_service.CampaignData(
            name=name,
            cost=D(cost),
            starts_on=TODAY - timedelta(days=starts_days_ago),
            ends_on=None if ends_days_ago is None else TODAY - timedelta(days=ends_days_ago),
        ),
        None,
    )


@pytest.fixture
def campaigns():
    seller = make_user(name="Sara Salg")
    fair = make_campaign("Trade fair", "10000", 10)
    web = make_campaign("Web ads", "5000", 30)
    old = make_campaign("Old mailing", "0", 400, ends_days_ago=380)
    a = make_company("Alfa ApS", category="A")
    b = make_company("Beta ApS", category="B")
    c = make_company("Gamma ApS")
    d = make_company("Delta ApS", category="A")
    for campaign, companies in ((fair, (a, b, c)), (web, (a, d)), (old, (b,))):
        for company in companies:
            campaign_service.add_company(campaign, company, None)
    ago = lambda days: utcnow() - timedelta(days=days)  # noqa: E731
    make_activity(a, "meeting", seller, body="Demo agreed.", occurred_at=ago(5))
    make_activity(b, "meeting", seller, body=None, occurred_at=ago(4))  # no minutes
    make_activity(b, "meeting", seller, body="   ", occurred_at=ago(2))  # blank: no minutes
    make_activity(b, "proposal", seller, occurred_at=ago(3))
    make_activity(c, "proposal", seller, occurred_at=ago(2), deleted=True)
    make_activity(c, "meeting", seller, body="Deleted.", occurred_at=ago(2), deleted=True)
    make_activity(d, "meeting", seller, body="Before Web ads.", occurred_at=ago(40))
    deal_a = make_deal(a, "proposal", seller, 30000, outcome="won", campaign_id=fair.id)
    make_deal(b, "proposal", seller, 80000, outcome="lost", campaign_id=fair.id)
    make_deal(c, "proposal", seller, 70000, outcome="won")  # not tied to a campaign
    deal_d = make_deal(d, "lead", seller, 2000, outcome="won", campaign_id=web.id)
    return {
        "fair": fair,
        "web": web,
        "old": old,
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "deal_a": deal_a,
        "deal_d": deal_d,
    }


def test_what_each_campaign_in_the_period_brought_in(campaigns):
    report = markets.build_campaigns(LAST_YEAR)
    activity, results, mix = report.tables
    # Newest start first; the old mailing ended 380 days ago, before the period.
    assert [row.label for row in activity.rows] == ["Trade fair", "Web ads"]
    assert [row.label for row in results.rows] == ["Trade fair", "Web ads"]
    fair, web = ({**a.values, **r.values} for a, r in zip(activity.rows, results.rows, strict=True))
    # Trade fair: leads Alfa, Beta, Gamma; Alfa's meeting has minutes (Beta's two have none,
    # one blank), Gamma's meeting and proposal are deleted; Beta's proposal; Alfa's 30,000
    # won through it; ROI (30,000 − 10,000) / 10,000 = 2.
    assert (fair["leads"], fair["meetings"], fair["proposals"], fair["won"]) == (3, 1, 1, 1)
    assert (fair["revenue"], fair["cost"]) == (D("30000.00"), D("10000"))
    assert approx(fair["roi"], 2.0)
    # Web ads (started 30 days ago): leads Alfa, Delta; Alfa's meeting 5 days ago counts,
    # Delta's 40 days ago is before the start; 2,000 won; ROI (2,000 − 5,000) / 5,000.
    assert (web["leads"], web["meetings"], web["proposals"], web["won"]) == (2, 1, 0, 1)
    assert web["revenue"] == D("2000.00")
    assert approx(web["roi"], -0.6)
    # Total: 2 won, 32,000 revenue, 15,000 cost, ROI 17,000 / 15,000.
    total = results.total.values
    assert (total["won"], total["revenue"], total["cost"]) == (2, D("32000.00"), D("15000"))
    assert approx(total["roi"], 17000 / 15000)
    # Mix: Trade fair one lead each in A, B and none; Web ads both in A.
    fair_mix, web_mix = (row.values for row in mix.rows)
    assert approx(fair_mix["A"], 1 / 3)
    assert approx(fair_mix["B"], 1 / 3)
    assert fair_mix["C"] == 0
    assert approx(fair_mix["none"], 1 / 3)
    assert web_mix["A"] == 1
    assert web_mix["B"] == 0
    # Alfa is in both campaigns: four companies reached.
    assert figures(report)["Companies reached"] == 4
    assert figures(report)["Revenue"] == D("32000.00")
    assert report.charts[1].series[0].values == [1, 2]  # A leads per campaign


def test_do_the_report_and_the_campaign_page_agree(campaigns):
    activity, results, _mix = markets.build_campaigns(LAST_YEAR).tables
    pairs = zip(activity.rows, results.rows, strict=True)
    rows = {a.label: {**a.values, **r.values} for a, r in pairs}
    for campaign in (campaigns["fair"], campaigns["web"]):
        page = campaign_service.campaign_figures(campaign)
        shown = rows[campaign.name]
        assert (shown["leads"], shown["meetings"], shown["proposals"]) == (
            page.leads,
            page.meetings,
            page.proposals,
        )
        assert (shown["won"], shown["revenue"]) == (page.won, page.revenue)


def test_does_the_period_choose_which_campaigns_are_shown(campaigns):
    old_times = ReportFilters(start=TODAY - timedelta(days=395), end=TODAY - timedelta(days=385))
    report = markets.build_campaigns(old_times)
    assert [row.label for row in report.tables[0].rows] == ["Old mailing"]
    # It cost nothing: no ROI rather than a division by zero.
    assert report.tables[1].rows[0].values["roi"] is None


def test_do_campaign_drill_keys_give_the_records_behind_each_number(campaigns):
    c = campaigns
    fair, web = c["fair"].id, c["web"].id

    def drill(key):
        return ids(markets.drill_campaigns(LAST_YEAR, key))

    assert drill(f"leads:{fair}") == {c["a"].id, c["b"].id, c["c"].id}
    assert drill(f"meetings:{fair}") == {c["a"].id}
    assert drill(f"meetings:{web}") == {c["a"].id}
    assert drill(f"proposals:{fair}") == {c["b"].id}
    assert drill(f"won:{fair}") == {c["deal_a"].id}
    assert drill(f"mix:{fair}:none") == {c["c"].id}
    assert drill(f"mix:{web}:A") == {c["a"].id, c["d"].id}
    assert drill("leads") == {c["a"].id, c["b"].id, c["c"].id, c["d"].id}
    # Alfa is a lead of both campaigns and one of the four companies behind the number.
    assert drill_count(markets.drill_campaigns(LAST_YEAR, "leads")) == 4
    assert drill_count(markets.drill_campaigns(LAST_YEAR, f"leads:{fair}")) == 3
    assert drill("won") == {c["deal_a"].id, c["deal_d"].id}
    assert markets.drill_campaigns(LAST_YEAR, f"mix:{fair}:D") is None
    assert markets.drill_campaigns(LAST_YEAR, "leads:999999") is None


# --- 60 and 70 · Industries ---------------------------------------------------------------


def section(code):
    return db.session.scalar(select(Industry).where(Industry.code == code))


def make_industry(code, level, parent, title):
    industry = Industry(
        code=code, level=level, section=parent.section, parent=parent, title_en=title
    )
    db.session.add(industry)
    db.session.flush()
    return industry


def closed_deal(company, outcome, value, owner, days_ago=10, cycle=1):
    closed = TODAY - timedelta(days=days_ago)
    created = datetime.combine(closed - timedelta(days=cycle), time(15, 30))
    return make_deal(
        company, "proposal", owner, value, outcome=outcome, closed_at=closed, created_at=created
    )


@pytest.fixture
def industries():
    sara, bo = make_user(name="Sara Salg"), make_user(name="Bo Berg")
    j, c_section = section("J"), section("C")
    programming = make_industry("62", 1, j, "Computer programming")
    programming_class = make_industry("62.01", 3, programming, "Programming activities")
    publishing = make_industry("58", 1, j, "Publishing")
    c1 = make_company("C1", "customer", sara, industry_id=programming_class.id, category="A")
    c2 = make_company("C2", "customer", bo, industry_id=programming.id, category="B")
    c3 = make_company("C3", "prospect", sara, industry_id=publishing.id)
    c4 = make_company("C4", "customer", bo, industry_id=j.id, archived=True)
    c5 = make_company("C5", "customer", bo, industry_id=c_section.id)
    c6 = make_company("C6", "former_customer", bo, industry_id=c_section.id)
    c7 = make_company("C7", "customer", sara)
    deals = {
        "d1": closed_deal(c1, "won", 100000, sara, cycle=40),
        "d2": closed_deal(c2, "won", 50000, bo, cycle=20),
        "d3": closed_deal(c3, "lost", 80000, sara),
        "d4": closed_deal(c5, "won", 30000, bo, cycle=10),
        "d5": closed_deal(c5, "lost", 10000, bo),
        "d6": closed_deal(c6, "lost", 5000, bo),
        "d7": closed_deal(c7, "won", 20000, sara, cycle=5),
        "d8": closed_deal(c1, "won", 999000, sara, days_ago=700),  # before the period
        "d10": closed_deal(c4, "won", 7000, None, cycle=7),  # an archived company's win counts
    }
    make_deal(c1, "lead", sara, 45000)  # open: in no figure
    return dict(sara=sara, bo=bo, c1=c1, c2=c2, c3=c3, c4=c4, c5=c5, c6=c6, c7=c7, **deals)


J_LABEL = "J Information and communication"
C_LABEL = "C Manufacturing"


def test_which_industries_hold_our_customers_and_revenue(industries):
    report = markets.build_industries(LAST_YEAR)
    table = report.tables[0]
    # Customers J: C1, C2 (C4 is archived) · C: C5 (C6 is a former customer) · none: C7.
    # Won in the period J: 100,000 + 50,000 + 7,000 (C4's) · C: 30,000 · none: 20,000.
    assert [row.label for row in table.rows] == [J_LABEL, C_LABEL, "No industry code"]
    rows = by_label(table)
    assert (rows[J_LABEL]["customers"], rows[J_LABEL]["won"]) == (2, 3)
    assert rows[J_LABEL]["revenue"] == D("157000.00")
    assert approx(rows[J_LABEL]["customer_share"], 2 / 4)
    assert approx(rows[J_LABEL]["revenue_share"], 157000 / 207000)
    assert (rows[C_LABEL]["customers"], rows[C_LABEL]["revenue"]) == (1, D("30000.00"))
    assert (rows["No industry code"]["customers"], rows["No industry code"]["won"]) == (1, 1)
    total = table.total.values
    assert (total["customers"], total["won"], total["revenue"]) == (4, 5, D("207000.00"))
    assert figures(report) == {"Customers": 4, "Revenue": D("207000.00"), "Deals won": 5}


def test_is_the_owner_the_company_owner_for_customers_and_the_deal_owner_for_revenue(industries):
    sara = ReportFilters(start=LAST_YEAR.start, end=LAST_YEAR.end, owner_id=industries["sara"].id)
    rows = by_label(markets.build_industries(sara).tables[0])
    # Sara owns C1 (J) and C7 (none); her won deals are d1 (J, 100,000) and d7 (20,000).
    assert set(rows) == {J_LABEL, "No industry code"}
    assert (rows[J_LABEL]["customers"], rows[J_LABEL]["revenue"]) == (1, D("100000.00"))
    assert (rows["No industry code"]["customers"], rows["No industry code"]["revenue"]) == (
        1,
        D("20000.00"),
    )


def test_does_choosing_a_section_show_its_divisions(industries):
    in_j = ReportFilters(start=LAST_YEAR.start, end=LAST_YEAR.end, industry="J")
    report = markets.build_industries(in_j)
    rows = by_label(report.tables[0])
    # C1 (62.01) and C2 (62) fall in division 62; C4's code is the section itself and C4 is
    # archived, so its 7,000 shows on a row of its own with no customers.
    assert set(rows) == {"62 Computer programming", f"{J_LABEL} (no finer code)"}
    assert rows["62 Computer programming"]["customers"] == 2
    assert rows["62 Computer programming"]["revenue"] == D("150000.00")
    assert rows[f"{J_LABEL} (no finer code)"]["revenue"] == D("7000.00")
    assert ids(markets.drill_industries(in_j, "customers:62")) == {
        industries["c1"].id,
        industries["c2"].id,
    }
    assert ids(markets.drill_industries(in_j, "won:J")) == {industries["d10"].id}


def test_is_a_row_of_companies_without_a_finer_code_never_worth_exploring(industries):
    # In J by division: C4's row (coded only "J") is no industry. Four more wins of 100,000
    # there and two customers in 58 would otherwise single it out: 5 of 5 won, average
    # 407,000 / 5 = 81,400 against overall 7 of 8 and 557,000 / 7 = 79,571, and no
    # customers against the median of 62 (2), 58 (2) and the row itself (0), which is 2.
    for _n in range(4):
        closed_deal(industries["c4"], "won", 100000, None)
    for name in ("C8", "C9"):
        make_company(name, "customer", industry_id=industries["c3"].industry_id)
    in_j = ReportFilters(start=LAST_YEAR.start, end=LAST_YEAR.end, industry="J")
    report = markets.build_explore(in_j)
    assert by_label(report.tables[0])[f"{J_LABEL} (no finer code)"]["closed"] == 5
    assert report.notes[0].startswith("No industry stands out yet")


def test_do_industry_drill_keys_give_the_records_behind_each_number(industries):
    i = industries

    def drill(key):
        return ids(markets.drill_industries(LAST_YEAR, key))

    assert drill("customers:J") == {i["c1"].id, i["c2"].id}
    assert drill("won:J") == {i["d1"].id, i["d2"].id, i["d10"].id}
    assert drill("customers:-") == {i["c7"].id}
    assert drill("customers:*") == {i["c1"].id, i["c2"].id, i["c5"].id, i["c7"].id}
    assert drill("won:*") == {i[k].id for k in ("d1", "d2", "d4", "d7", "d10")}
    # Every drill key the report wrote gives as many records as its number.
    report = markets.build_industries(LAST_YEAR)
    for row in [*report.tables[0].rows, report.tables[0].total]:
        assert len(drill(row.drill["customers"])) == row.values["customers"]
        assert len(drill(row.drill["won"])) == row.values["won"]


def test_which_industries_win_often_and_big_against_how_many_companies_we_have(industries):
    report = markets.build_explore(LAST_YEAR)
    table = report.tables[0]
    # Companies (not archived) J: C1, C2, C3 · C: C5, C6 · none: C7.
    # Closed in the period J: won d1, d2, d10, lost d3 → 3 of 4 · C: won d4, lost d5, d6 →
    # 1 of 3 · none: won d7 → 1 of 1. Coded rows by win rate; no code last.
    assert [row.label for row in table.rows] == [J_LABEL, C_LABEL, "No industry code"]
    j, c = by_label(table)[J_LABEL], by_label(table)[C_LABEL]
    assert (j["companies"], j["customers"], j["closed"]) == (3, 2, 4)
    assert approx(j["win_rate"], 0.75)
    assert j["average_deal"] == D("52333.33")  # 157,000 / 3
    assert approx(j["cycle"], (40 + 20 + 7) / 3)
    assert (c["companies"], c["customers"], c["closed"]) == (2, 1, 3)
    assert approx(c["win_rate"], 1 / 3)
    assert (c["average_deal"], c["cycle"]) == (D("30000.00"), 10)
    # Overall: 5 won of 8 closed, 207,000 / 5 = 41,400, cycle (40+20+7+10+5) / 5 = 16.4.
    overall = table.total.values
    assert (overall["companies"], overall["customers"], overall["closed"]) == (6, 4, 8)
    assert approx(overall["win_rate"], 5 / 8)
    assert overall["average_deal"] == D("41400.00")
    assert approx(overall["cycle"], 16.4)
    # No industry has 5 closed deals yet, so none is singled out.
    assert report.notes[0].startswith("No industry stands out yet")


def test_do_explore_drill_keys_give_the_records_behind_each_number(industries):
    i = industries

    def drill(key):
        return ids(markets.drill_explore(LAST_YEAR, key))

    assert drill("closed:J") == {i["d1"].id, i["d2"].id, i["d3"].id, i["d10"].id}
    assert drill("companies:C") == {i["c5"].id, i["c6"].id}
    assert drill("won:C") == {i["d4"].id}
    assert drill("closed:*") == {i[k].id for k in ("d1", "d2", "d3", "d4", "d5", "d6", "d7", "d10")}


def test_which_industry_is_worth_exploring():
    def row(code, customers, won, lost, revenue):
        r = markets.IndustryRow(code, customers=customers)
        r.deals = markets.Closed(won, lost, D(revenue))
        return r

    rows = [
        row("J", 1, 4, 2, 400000),  # 4/6 = 67 %, 100,000 a deal, 1 customer: worth it
        row("C", 5, 5, 5, 250000),  # 50 %, 50,000: below the overall rate and size
        row("M", 3, 2, 0, 400000),  # 100 %, 200,000 but only 2 closed
        row("G", 9, 6, 0, 900000),  # 100 %, 150,000 but 9 customers (median is 4)
        row(None, 0, 1, 0, 1000),  # no code: never singled out
    ]
    overall = markets.IndustryRow(None)
    for r in rows:
        overall.deals.add(r.deals)
    # Overall 18 won of 25 = 72 %; average 1,951,000 / 18 = 108,388.89 — J's 67 % is below.
    assert [r.code for r in markets.worth_exploring(rows, overall)] == []
    rows[0] = row("J", 1, 5, 1, 600000)  # 5/6 = 83 %, 120,000 a deal
    overall = markets.IndustryRow(None)
    for r in rows:
        overall.deals.add(r.deals)
    # Overall 19 of 25 = 76 %, 2,151,000 / 19 = 113,210.53; median customers of J, C, M, G
    # (1, 5, 3, 9) is 4: J (1 customer) qualifies, G has 9.
    assert [r.code for r in markets.worth_exploring(rows, overall)] == ["J"]


# --- 90 · Integration priorities ------------------------------------------------------------


@pytest.fixture
def integrations():
    sara, bo = make_user(name="Sara Salg"), make_user(name="Bo Berg")
    i1 = make_company("I1", "customer", sara)
    i2 = make_company("I2", "customer", sara)
    i3 = make_company("I3", "customer", bo)
    i4 = make_company("I4", "customer", bo)
    i5 = make_company("I5", "customer", bo, archived=True)
    i6 = make_company("I6", "prospect", bo)
    for company, group_key, label in (
        (i1, "accounting_system", "e-conomic"),
        (i1, "accounting_system", "Dinero"),
        (i1, "payroll_system", "Danløn"),
        (i1, "previous_system", "Spreadsheets"),
        (i2, "accounting_system", "e-conomic"),
        (i3, "accounting_system", "Dinero"),
        (i5, "accounting_system", "e-conomic"),
        (i6, "accounting_system", "e-conomic"),
    ):
        set_option(company, group_key, label)
    deals = {
        "w1": closed_deal(i1, "won", 100000, sara),
        "w1_old": closed_deal(i1, "won", 50000, sara, days_ago=700),
        "w2": closed_deal(i2, "won", 40000, bo),  # Bo's deal with Sara's customer
        "w4": closed_deal(i4, "won", 10000, bo),
        "w5": closed_deal(i5, "won", 500, bo),
        "l3": closed_deal(i3, "lost", 60000, bo),
    }
    return dict(sara=sara, i1=i1, i2=i2, i3=i3, i4=i4, i5=i5, i6=i6, **deals)


def test_which_systems_our_customers_use_weighted_by_revenue(integrations):
    report = markets.build_integrations(LAST_YEAR)
    accounting, payroll, previous = report.tables
    assert [t.title for t in report.tables] == [
        "Accounting system",
        "Payroll system",
        "Previous system",
    ]
    # Customers I1–I4 (I5 archived, I6 a prospect); their wins in the period 100,000 (I1),
    # 40,000 (I2), 10,000 (I4): 150,000.
    assert figures(report) == {"Customers": 4, "Customers' revenue": D("150000.00")}
    rows = by_label(accounting)
    # e-conomic: I1, I2 → 140,000 · Dinero: I1, I3 → 100,000 · nothing: I4 → 10,000.
    assert [r.label for r in accounting.rows[:2]] == ["e-conomic", "Dinero"]
    assert accounting.rows[-1].label == "Not recorded"
    assert (rows["e-conomic"]["customers"], rows["e-conomic"]["revenue"]) == (2, D("140000.00"))
    assert approx(rows["e-conomic"]["customer_share"], 2 / 4)
    assert approx(rows["e-conomic"]["revenue_share"], 140000 / 150000)
    assert (rows["Dinero"]["customers"], rows["Dinero"]["revenue"]) == (2, D("100000.00"))
    assert (rows["Billy"]["customers"], rows["Billy"]["revenue"]) == (0, D("0.00"))
    assert (rows["Not recorded"]["customers"], rows["Not recorded"]["revenue"]) == (
        1,
        D("10000.00"),
    )
    assert (accounting.total.values["customers"], accounting.total.values["revenue"]) == (
        4,
        D("150000.00"),
    )
    # Payroll: Danløn I1 → 100,000; not recorded I2, I3, I4 → 50,000. Previous: the same.
    assert by_label(payroll)["Danløn"]["revenue"] == D("100000.00")
    assert by_label(payroll)["Not recorded"]["customers"] == 3
    assert by_label(previous)["Spreadsheets"]["customers"] == 1
    assert by_label(previous)["Not recorded"]["revenue"] == D("50000.00")
    assert report.charts[0].labels[:2] == ["e-conomic", "Dinero"]


def test_is_a_customer_with_two_systems_in_a_group_recorded_once(integrations):
    i = integrations
    # I3 (no won deal) takes e-conomic beside Dinero; I6, a prospect, Dinero beside
    # e-conomic (not a customer: counted nowhere).
    set_option(i["i3"], "accounting_system", "e-conomic")
    set_option(i["i6"], "accounting_system", "Dinero")
    rows = by_label(markets.build_integrations(LAST_YEAR).tables[0])
    # e-conomic: I1, I2, I3 → 140,000 · Dinero: I1, I3 → 100,000 · nothing: I4 → 10,000.
    assert (rows["e-conomic"]["customers"], rows["e-conomic"]["revenue"]) == (3, D("140000.00"))
    assert (rows["Dinero"]["customers"], rows["Dinero"]["revenue"]) == (2, D("100000.00"))
    assert (rows["Not recorded"]["customers"], rows["Not recorded"]["revenue"]) == (
        1,
        D("10000.00"),
    )


def test_does_the_owner_filter_mean_the_customers_owner(integrations):
    sara = ReportFilters(start=LAST_YEAR.start, end=LAST_YEAR.end, owner_id=integrations["sara"].id)
    report = markets.build_integrations(sara)
    # Sara's customers I1, I2 with 100,000 + 40,000 (Bo's deal, Sara's customer).
    assert figures(report) == {"Customers": 2, "Customers' revenue": D("140000.00")}
    rows = by_label(report.tables[0])
    assert (rows["e-conomic"]["customers"], rows["Dinero"]["customers"]) == (2, 1)
    assert rows["Not recorded"]["customers"] == 0


def test_is_an_unused_inactive_system_left_out(integrations):
    billy = option("accounting_system", "Billy")
    billy.active = False
    db.session.flush()
    labels = [row.label for row in markets.build_integrations(LAST_YEAR).tables[0].rows]
    assert "Billy" not in labels
    assert "Dinero" in labels


def test_do_integration_drill_keys_give_the_records_behind_each_number(integrations):
    i = integrations
    economic = option("accounting_system", "e-conomic").id
    accounting = db.session.scalar(select(Group.id).where(Group.key == "accounting_system"))

    def drill(key):
        return ids(markets.drill_integrations(LAST_YEAR, key))

    assert drill(f"customers:o{economic}") == {i["i1"].id, i["i2"].id}
    assert drill(f"revenue:o{economic}") == {i["w1"].id, i["w2"].id}
    assert drill(f"customers:g{accounting}") == {i["i4"].id}
    assert drill(f"revenue:g{accounting}") == {i["w4"].id}
    assert drill("customers:*") == {i["i1"].id, i["i2"].id, i["i3"].id, i["i4"].id}
    assert drill("revenue:*") == {i["w1"].id, i["w2"].id, i["w4"].id}
    assert markets.drill_integrations(LAST_YEAR, "customers:o999999") is None


# --- 110 · Forecast against budget --------------------------------------------------------

FIXED_TODAY = date(2026, 6, 15)
SPRING = ReportFilters(start=date(2026, 4, 1), end=FIXED_TODAY)


@pytest.fixture
def budgets(monkeypatch):
    monkeypatch.setattr(markets, "today", lambda: FIXED_TODAY)
    sara, bo = make_user(name="Sara Salg"), make_user(name="Bo Berg")
    a = make_company("Alfa", category="A")
    b = make_company("Beta", category="B")
    deals = {
        "june_won": make_deal(a, "lead", sara, 100000, outcome="won", closed_at=date(2026, 6, 3)),
        "april_won": make_deal(b, "lead", bo, 40000, outcome="won", closed_at=date(2026, 4, 10)),
        # Lead 20 %: 60,000 → 12,000 in July.
        "july": make_deal(a, "lead", sara, 60000, expected_close=date(2026, 7, 20)),
        # Qualified 40 %, expected in May: overdue, so 20,000 in June.
        "overdue": make_deal(a, "qualified", sara, 50000, expected_close=date(2026, 5, 1)),
        # No expected close: in no month.
        "no_date": make_deal(b, "prospect", bo, 80000),
        # 50 % of 10,000 next March: beyond the six months.
        "march": make_deal(
            a, "lead", sara, 10000, probability_override=50, expected_close=date(2027, 3, 1)
        ),
        # Won last year: before the period.
        "old": make_deal(b, "lead", bo, 70000, outcome="won", closed_at=date(2025, 6, 1)),
    }
    for month, user, amount in (
        (date(2026, 4, 1), None, 30000),
        (date(2026, 6, 1), None, 150000),
        (date(2026, 6, 1), sara, 90000),
    ):
        db.session.add(Budget(month=month, user_id=user.id if user else None, amount=D(amount)))
    db.session.flush()
    return dict(sara=sara, bo=bo, **deals)


def test_is_the_budget_safe_month_by_month(budgets):
    report = markets.build_forecast(SPRING)
    coming, earlier = report.tables
    # June (this month) and the five after it first; April and May, the period's earlier
    # months, apart.
    assert [row.label for row in coming.rows] == [
        "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026",
    ]  # fmt: skip
    assert [row.label for row in earlier.rows] == ["Apr 2026", "May 2026"]
    april, may = (row.values for row in earlier.rows)
    # April: 40,000 won against 30,000 budget: +10,000, a third over.
    assert (april["won"], april["budget"], april["deviation"]) == (
        D("40000.00"),
        D("30000"),
        D("10000.00"),
    )
    assert approx(april["deviation_share"], 1 / 3)
    assert "weighted" not in april
    assert (may["won"], may["budget"], may["deviation"]) == (D("0.00"), None, None)
    rows = by_label(coming)
    june, july = rows["Jun 2026"], rows["Jul 2026"]
    # June: 100,000 won + 20,000 overdue weighted = 120,000 against 150,000: −30,000, −20 %.
    assert (june["won"], june["weighted"], june["forecast"]) == (
        D("100000.00"),
        D("20000.00"),
        D("120000.00"),
    )
    assert (june["budget"], june["deviation"]) == (D("150000"), D("-30000.00"))
    assert (july["weighted"], july["budget"]) == (D("12000.00"), None)
    # The coming months: won 100,000, weighted 32,000, forecast 132,000, budget 150,000
    # (June's; the others have none), deviation −18,000. Earlier: won 40,000, budget 30,000.
    total = coming.total.values
    assert (total["won"], total["weighted"], total["forecast"]) == (
        D("100000.00"),
        D("32000.00"),
        D("132000.00"),
    )
    assert (total["budget"], total["deviation"]) == (D("150000"), D("-18000.00"))
    assert (earlier.total.values["won"], earlier.total.values["budget"]) == (
        D("40000.00"),
        D("30000"),
    )
    assert figures(report) == {
        "Forecast, this and coming months": D("132000.00"),
        "Budget, this and coming months": D("150000"),
        "Deviation": D("-18000.00"),
        "Won in the earlier months": D("40000.00"),
        "Open deals without a close date": 1,
    }
    assert report.notes == ["Jun 2026 includes 1 open deal whose expected close date has passed."]
    # The chart runs through all eight months in order.
    assert report.charts[0].labels[:3] == ["Apr 2026", "May 2026", "Jun 2026"]


def test_do_the_report_and_the_forecast_page_agree_on_the_coming_months(budgets):
    rows = markets.build_forecast(SPRING).tables[0].rows  # June onwards
    page = forecast(ForecastFilters(), None, FIXED_TODAY)
    assert [r.values["forecast"] for r in rows] == [f.total for f in page.figures]
    assert [r.values["budget"] for r in rows] == [f.budget for f in page.figures]


def test_does_a_salesperson_see_their_own_deals_against_their_own_budget(budgets):
    sara = ReportFilters(start=SPRING.start, end=SPRING.end, owner_id=budgets["sara"].id)
    coming, earlier = markets.build_forecast(sara).tables
    rows = by_label(coming) | by_label(earlier)
    # April's win is Bo's, and the company budget is not Sara's.
    assert (rows["Apr 2026"]["won"], rows["Apr 2026"]["budget"]) == (D("0.00"), None)
    # June: 100,000 + 20,000 against her own 90,000: +30,000.
    assert (rows["Jun 2026"]["forecast"], rows["Jun 2026"]["budget"]) == (
        D("120000.00"),
        D("90000"),
    )
    assert rows["Jun 2026"]["deviation"] == D("30000.00")


def test_does_a_period_reaching_further_show_the_months_up_to_its_end(budgets):
    longer = ReportFilters(start=date(2026, 6, 1), end=date(2027, 3, 31))
    rows = markets.build_forecast(longer).tables[0].rows
    # June 2026 … March 2027: ten months; March holds 50 % of 10,000.
    assert [rows[0].label, rows[-1].label, len(rows)] == ["Jun 2026", "Mar 2027", 10]
    assert rows[-1].values["weighted"] == D("5000.00")


def test_does_the_category_filter_narrow_the_deals_but_not_the_budget(budgets):
    only_b = ReportFilters(start=SPRING.start, end=SPRING.end, category="B")
    report = markets.build_forecast(only_b)
    rows = by_label(report.tables[0]) | by_label(report.tables[1])
    # Only Beta (B) deals: April's 40,000; June has no B deals but keeps the company budget.
    assert rows["Apr 2026"]["won"] == D("40000.00")
    assert (rows["Jun 2026"]["forecast"], rows["Jun 2026"]["budget"]) == (D("0.00"), D("150000"))
    no_category = ReportFilters(start=SPRING.start, end=SPRING.end, category="none")
    report = markets.build_forecast(no_category)
    assert report.empty
    assert report.notes


def test_do_forecast_drill_keys_give_the_deals_behind_each_number(budgets):
    b = budgets

    def drill(key):
        return ids(markets.drill_forecast(SPRING, key))

    assert drill("won:2026-04") == {b["april_won"].id}
    assert drill("open:2026-06") == {b["overdue"].id}
    assert drill("forecast:2026-06") == {b["june_won"].id, b["overdue"].id}
    assert drill("open:2026-07") == {b["july"].id}
    assert drill("won:past") == {b["april_won"].id}
    assert drill("won:coming") == {b["june_won"].id}
    assert drill("open:coming") == {b["overdue"].id, b["july"].id}
    assert drill("forecast:coming") == {b["june_won"].id, b["overdue"].id, b["july"].id}
    assert drill("forecast:2026-05") == set()
    assert drill("nodate") == {b["no_date"].id}
    assert markets.drill_forecast(SPRING, "won:2026-01") is None  # not a month shown
    assert markets.drill_forecast(SPRING, "open:2026-13") is None


# --- Speed: a fixed handful of statements ---------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "statements"),
    [
        ("campaign-results", 4),
        ("customers-by-industry", 4),
        ("industries-to-explore", 4),
        ("integration-priorities", 2),
        ("forecast-vs-budget", 5),
    ],
)
def test_does_each_report_run_a_fixed_handful_of_statements(
    slug, statements, campaigns, industries, integrations, budgets
):
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        REPORTS[slug].build(SPRING if slug == "forecast-vs-budget" else LAST_YEAR)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == statements


def test_do_both_industry_reports_share_their_sums_within_one_request(app, industries):
    seen = []

    def count(*_args):
        seen.append(1)

    with app.test_request_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            first = markets.build_industries(LAST_YEAR)
            markets.build_explore(LAST_YEAR)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    # Four for the first; the second reads only the industries' codes and labels.
    assert len(seen) == 6
    assert first.tables[0].total.values["customers"] == 4
