"""Forecast figures on a hand-made data set, each worked out by hand below."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tests.factories import make_company, make_deal, make_user
from webapp.extensions import db
from webapp.models.pipeline import Budget
from webapp.services.forecast import (
    Figures,
    ForecastFilters,
    add_months,
    forecast,
    month_start,
)

D = Decimal


@dataclass
class DataSet:
    today: date
    months: list[date]
    sara: object
    bo: object
    carl: object


def make_data_set(today: date | None = None) -> DataSet:
    """Deals and budgets around today's month (m0) and the five after it (m1 … m5).

    Stage probabilities: prospect 10 %, lead 20 %, qualified 40 %, proposal 60 %.
    """
    today = today or date.today()
    m = [add_months(month_start(today), n) for n in range(-1, 8)]  # m[1] is this month
    m0, m1, m2, m3, m4 = m[1], m[2], m[3], m[4], m[5]
    sara = make_user(name="Sara Salg", department="sales")
    bo = make_user(name="Bo Berg", department="sales")
    carl = make_user(name="Carl Clausen", department="sales")
    a_company = make_company(name="Alfa A/S", category="A")
    b_company = make_company(name="Beta ApS", category="B")

    # Won this month and next month.
    make_deal(a_company, "lead", owner=sara, value=100_000, outcome="won", closed_at=m0)
    make_deal(b_company, "lead", owner=bo, value=40_000, outcome="won", closed_at=m1 + timedelta(9))
    # Open, with the deal's own probability (50 %) instead of the lead stage's 20 %.
    make_deal(
        a_company,
        "lead",
        owner=sara,
        value=60_000,
        probability_override=50,
        expected_close=m1 + timedelta(14),
    )
    # Open at the stage's probability (proposal 60 %) two months on.
    make_deal(b_company, "proposal", owner=bo, value=25_000, expected_close=m2 + timedelta(4))
    # Open, expected close date 40 days ago: counts in the current month.
    make_deal(
        b_company, "qualified", owner=sara, value=50_000, expected_close=today - timedelta(40)
    )
    # Open without an expected close date: its own figure, in no month.
    make_deal(a_company, "prospect", owner=bo, value=80_000)
    # Open with an odd value and 75 %: 2,500.50 × 75 % = 1,875.375 → 1,875.38.
    make_deal(
        a_company,
        "lead",
        owner=bo,
        value=D("2500.50"),
        probability_override=75,
        expected_close=m4 + timedelta(2),
    )
    # None of these may count: lost deals, a win last month, a close after the six months.
    make_deal(a_company, "proposal", owner=sara, value=500_000, outcome="lost", closed_at=m0)
    make_deal(
        a_company,
        "proposal",
        owner=sara,
        value=300_000,
        outcome="lost",
        expected_close=m1,
        closed_at=today,
    )
    make_deal(a_company, "lead", owner=sara, value=70_000, outcome="won", closed_at=m[0])
    make_deal(a_company, "proposal", owner=sara, value=90_000, expected_close=m[7])

    for month, user, amount in [
        (m0, None, 150_000),
        (m1, None, 200_000),
        (m3, None, 50_000),
        (m[0], None, 999_999),  # last month: outside the window
        (m0, sara, 100_000),
        (m1, sara, 10_000),
        (m1, bo, 60_000),
        (m2, carl, 30_000),
    ]:
        db.session.add(Budget(month=month, user_id=user.id if user else None, amount=D(amount)))
    db.session.flush()
    return DataSet(today=today, months=m[1:7], sara=sara, bo=bo, carl=carl)


def figures(f: Figures) -> tuple:
    return f.won, f.weighted, f.total, f.budget, f.deviation, f.deviation_percent, f.trend


def test_are_won_weighted_total_budget_and_deviation_right_for_the_whole_company():
    data = make_data_set()
    result = forecast(ForecastFilters(), None, data.today)
    assert result.months == data.months

    # m0: won 100,000; weighted 50,000 × 40 % = 20,000 (overdue deal); budget 150,000.
    # Deviation 120,000 − 150,000 = −30,000 = −20 % of the budget.
    assert figures(result.figures[0]) == (
        D("100000.00"),
        D("20000.00"),
        D("120000.00"),
        D("150000"),
        D("-30000.00"),
        -20,
        "behind",
    )
    # m1: won 40,000; weighted 60,000 × 50 % = 30,000; budget 200,000.
    # −130,000 / 200,000 = −65 %.
    assert figures(result.figures[1]) == (
        D("40000.00"),
        D("30000.00"),
        D("70000.00"),
        D("200000"),
        D("-130000.00"),
        -65,
        "behind",
    )
    # m2: 25,000 × 60 % = 15,000 and no company budget.
    assert figures(result.figures[2]) == (
        D("0"),
        D("15000.00"),
        D("15000.00"),
        None,
        None,
        None,
        None,
    )
    # m3: nothing, against 50,000: −100 %.
    assert figures(result.figures[3])[2:] == (D("0"), D("50000"), D("-50000"), -100, "behind")
    # m4: 2,500.50 × 75 % = 1,875.375, rounded half up to 1,875.38.
    assert result.figures[4].weighted == D("1875.38")
    assert figures(result.figures[5])[:4] == (D("0"), D("0"), D("0"), None)

    # Six months: won 140,000; weighted 20,000 + 30,000 + 15,000 + 1,875.38 = 66,875.38;
    # total 206,875.38; budget 150,000 + 200,000 + 50,000 = 400,000;
    # deviation −193,124.62 = −48.28… % → −48 %.
    total = result.total
    assert figures(total) == (
        D("140000.00"),
        D("66875.38"),
        D("206875.38"),
        D("400000"),
        D("-193124.62"),
        -48,
        "behind",
    )
    # Overdue: the one deal 40 days late (50,000 × 40 %); no date: 80,000 × 10 % = 8,000.
    assert (result.overdue.count, result.overdue.value, result.overdue.weighted) == (
        1,
        D("50000.00"),
        D("20000.00"),
    )
    assert (result.no_date.count, result.no_date.value, result.no_date.weighted) == (
        1,
        D("80000.00"),
        D("8000.00"),
    )


def test_does_each_salesperson_get_their_own_figures_against_their_own_budget():
    data = make_data_set()
    result = forecast(ForecastFilters(), None, data.today)
    rows = {row.name: row for row in result.people}
    # Carl has only a budget; he is listed all the same. Sorted by name.
    assert [row.name for row in result.people] == ["Bo Berg", "Carl Clausen", "Sara Salg"]

    sara = rows["Sara Salg"].months
    # m0: 100,000 won + 20,000 weighted = 120,000 against 100,000: +20,000 = +20 %.
    assert figures(sara[0])[2:] == (D("120000.00"), D("100000"), D("20000.00"), 20, "ahead")
    # m1: 60,000 × 50 % = 30,000 against 10,000: +200 %.
    assert figures(sara[1])[2:] == (D("30000.00"), D("10000"), D("20000.00"), 200, "ahead")

    bo = rows["Bo Berg"].months
    # m1: 40,000 won against 60,000: −20,000 = −33.3 % → −33 %.
    assert figures(bo[1])[2:] == (D("40000.00"), D("60000"), D("-20000.00"), -33, "behind")
    assert bo[2].total == D("15000.00")  # 25,000 × 60 %
    assert bo[4].total == D("1875.38")
    assert rows["Bo Berg"].no_date.count == 1
    assert rows["Bo Berg"].no_date.weighted == D("8000.00")

    carl = rows["Carl Clausen"].months
    assert figures(carl[2])[2:] == (D("0"), D("30000"), D("-30000"), -100, "behind")

    # Totals per month add up the people: m1 = 40,000 + 30,000 = 70,000 against the
    # personal budgets 10,000 + 60,000 = 70,000: exactly on budget.
    assert figures(result.people_totals[1])[2:] == (
        D("70000.00"),
        D("70000"),
        D("0.00"),
        0,
        "on",
    )
    # Six months, all people: the company's 206,875.38 against 100,000 + 10,000 + 60,000
    # + 30,000 = 200,000: +6,875.38 = +3.4 % → +3 %.
    assert figures(result.people_total)[2:] == (
        D("206875.38"),
        D("200000"),
        D("6875.38"),
        3,
        "ahead",
    )


def test_does_the_owner_filter_compare_with_that_salespersons_budget():
    data = make_data_set()
    result = forecast(ForecastFilters(owner=str(data.sara.id)), None, data.today)
    # Sara's deals only, against Sara's budget (not the company's 150,000).
    assert figures(result.figures[0])[2:] == (
        D("120000.00"),
        D("100000"),
        D("20000.00"),
        20,
        "ahead",
    )
    assert figures(result.figures[1])[:4] == (D("0"), D("30000.00"), D("30000.00"), D("10000"))
    assert result.figures[3].budget is None  # the company's m3 budget is not Sara's
    assert result.no_date.count == 0  # the dateless deal is Bo's
    assert [row.name for row in result.people] == ["Sara Salg"]

    mine = forecast(ForecastFilters(owner="mine"), data.bo, data.today)
    # Bo: m1 40,000 against his 60,000.
    assert figures(mine.figures[1])[2:] == (
        D("40000.00"),
        D("60000"),
        D("-20000.00"),
        -33,
        "behind",
    )


def test_does_the_category_filter_follow_the_deals_company():
    data = make_data_set()
    result = forecast(ForecastFilters(category="A"), None, data.today)
    # Category A: the 100,000 win (m0), the 60,000 × 50 % deal (m1), 2,500.50 × 75 % (m4)
    # and the dateless 80,000 × 10 %; the overdue deal and Bo's win are category B.
    assert [f.won for f in result.figures] == [D("100000.00")] + [D("0")] * 5
    assert [f.weighted for f in result.figures] == [
        D("0"),
        D("30000.00"),
        D("0"),
        D("0"),
        D("1875.38"),
        D("0"),
    ]
    # The budget stays the company's: 100,000 − 150,000 = −50,000 = −33 %.
    assert figures(result.figures[0])[3:] == (D("150000"), D("-50000.00"), -33, "behind")
    assert result.overdue.count == 0
    assert result.no_date.weighted == D("8000.00")


def test_is_a_month_without_deals_or_budget_empty_rather_than_missing():
    result = forecast(ForecastFilters(), None, date(2026, 11, 15))
    assert result.months[0] == date(2026, 11, 1)
    assert result.months[-1] == date(2027, 4, 1)
    assert [figures(f) for f in result.figures] == [(D("0"), D("0"), D("0")) + (None,) * 4] * 6
    assert result.people == []


def test_does_a_zero_budget_give_a_deviation_but_no_percentage():
    f = Figures(won=D("10"), weighted=D("0"), budget=D("0"))
    assert (f.deviation, f.deviation_percent, f.trend) == (D("10"), None, "ahead")
