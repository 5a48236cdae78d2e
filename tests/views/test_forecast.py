"""The forecast page: figures as shown, filters, page and fragment, roles, query count."""

import re
from datetime import date, timedelta

from sqlalchemy import event

from tests.factories import make_company, make_deal, make_user
from tests.unit.test_forecast_figures import make_data_set
from webapp.extensions import db
from webapp.services.forecast import add_months, month_start


def month_row(page: str, month: date | str) -> str:
    key = month if isinstance(month, str) else f"{month:%Y-%m}"
    start = page.index(f'id="forecast-month-{key}"')
    return page[start : page.index("</tr>", start)]


def cells(row: str) -> dict[str, str]:
    """The shown figures of one row, tags stripped and spaces (also no-break) made plain."""
    found = re.findall(r'data-figure="(\w+)">(.*?)</td>', row, re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", " ", html).split()) for name, html in found}


def person_row(page: str, user_id) -> str:
    start = page.index(f'id="forecast-person-{user_id}"')
    return page[start : page.index("</tr>", start)]


def test_does_the_page_show_every_figure_of_the_hand_made_data_set(employee_client):
    data = make_data_set()
    page = employee_client.get("/forecast/").get_data(as_text=True)
    m0, m1, m2, m3, m4, m5 = data.months

    # m0: won 100,000 + weighted 50,000 × 40 % (overdue) = 120,000 against 150,000:
    # −30,000, −20 %.
    assert cells(month_row(page, m0)) == {
        "won": "DKK 100,000",
        "weighted": "DKK 20,000",
        "total": "DKK 120,000",
        "budget": "DKK 150,000",
        "deviation": "▼ 20 % behind -DKK 30,000",
    }
    # m1: 40,000 + 60,000 × 50 % = 70,000 against 200,000: −130,000 = −65 %.
    assert cells(month_row(page, m1)) == {
        "won": "DKK 40,000",
        "weighted": "DKK 30,000",
        "total": "DKK 70,000",
        "budget": "DKK 200,000",
        "deviation": "▼ 65 % behind -DKK 130,000",
    }
    # m2: 25,000 × 60 % = 15,000, no budget.
    assert cells(month_row(page, m2)) == {
        "won": "DKK 0",
        "weighted": "DKK 15,000",
        "total": "DKK 15,000",
        "budget": "—",
        "deviation": "no budget",
    }
    assert cells(month_row(page, m3))["deviation"] == "▼ 100 % behind -DKK 50,000"
    # m4: 2,500.50 × 75 % = 1,875.38, shown in whole kroner.
    assert cells(month_row(page, m4))["weighted"] == "DKK 1,875"
    assert cells(month_row(page, m5))["total"] == "DKK 0"
    # Six months: 140,000 won; 66,875.38 weighted; 206,875.38 against 400,000:
    # −193,124.62 = −48 %.
    assert cells(month_row(page, "total")) == {
        "won": "DKK 140,000",
        "weighted": "DKK 66,875",
        "total": "DKK 206,875",
        "budget": "DKK 400,000",
        "deviation": "▼ 48 % behind -DKK 193,125",
    }
    # The behind rows are marked in colour (a class) and in words (above).
    assert 'class="trend-behind"' in month_row(page, m0)
    assert 'class="deviation deviation-behind"' in month_row(page, m0)

    overdue = page[page.index('id="forecast-overdue"') :]
    assert overdue.startswith(
        'id="forecast-overdue">This month includes 1 open deal whose expected close date has'
        " passed (DKK\xa020,000 weighted).</li>"
    )
    assert "(this month, incl. overdue)" in month_row(page, m0)
    no_date = page[page.index('id="forecast-no-date"') : page.index("</li>", page.index("no-date"))]
    assert "1 open deal worth DKK 80,000 (DKK 8,000 weighted) has no expected close date" in (
        " ".join(no_date.split())
    )


def test_does_the_per_salesperson_table_show_who_is_behind(employee_client):
    data = make_data_set()
    page = employee_client.get("/forecast/").get_data(as_text=True)
    table = page[page.index('id="forecast-people"') :]
    order = [table.index(name) for name in ("Bo Berg", "Carl Clausen", "Sara Salg")]
    assert order == sorted(order)

    sara = " ".join(re.sub(r"<[^>]+>", " ", person_row(page, data.sara.id)).split())
    # m0: 120,000 against 100,000 (+20 %); m1: 30,000 against 10,000 (+200 %).
    assert "DKK 120,000 budget DKK 100,000 ▲ 20 % ahead" in sara
    assert "DKK 30,000 budget DKK 10,000 ▲ 200 % ahead" in sara
    bo = " ".join(re.sub(r"<[^>]+>", " ", person_row(page, data.bo.id)).split())
    # m1: 40,000 against 60,000 (−33 %); 8,000 weighted without a close date (1 deal).
    assert "DKK 40,000 budget DKK 60,000 ▼ 33 % behind" in bo
    assert bo.endswith("DKK 8,000 (1)")
    carl = " ".join(re.sub(r"<[^>]+>", " ", person_row(page, data.carl.id)).split())
    assert "DKK 0 budget DKK 30,000 ▼ 100 % behind" in carl

    totals = " ".join(re.sub(r"<[^>]+>", " ", person_row(page, "total")).split())
    # m1: 70,000 against 10,000 + 60,000: on budget. Six months: 206,875 against 200,000.
    assert "DKK 70,000 budget DKK 70,000 ● on budget" in totals
    assert "DKK 206,875 budget DKK 200,000 ▲ 3 % ahead" in totals


def test_does_the_owner_filter_compare_with_the_salespersons_own_budget(employee_client):
    data = make_data_set()
    page = employee_client.get(f"/forecast/?owner={data.sara.id}").get_data(as_text=True)
    assert "Next 6 months — Sara Salg" in page
    assert "Salesperson: Sara Salg" in page
    assert cells(month_row(page, data.months[0])) == {
        "won": "DKK 100,000",
        "weighted": "DKK 20,000",
        "total": "DKK 120,000",
        "budget": "DKK 100,000",
        "deviation": "▲ 20 % ahead +DKK 20,000",
    }
    assert 'class="trend-ahead"' in month_row(page, data.months[0])
    assert 'class="deviation deviation-ahead"' in month_row(page, data.months[0])
    assert f'id="forecast-person-{data.bo.id}"' not in page
    assert "No close date: every open deal has an expected close date." in page


def test_does_my_forecast_show_my_deals(login_as):
    data = make_data_set()
    client = login_as("employee", name="Someone Else")
    page = client.get("/forecast/?owner=mine").get_data(as_text=True)
    assert "Salesperson: Someone Else" in page
    assert cells(month_row(page, data.months[0]))["total"] == "DKK 0"


def test_does_the_category_filter_keep_only_that_categorys_deals(employee_client):
    data = make_data_set()
    page = employee_client.get("/forecast/?category=a").get_data(as_text=True)
    assert "Category: A" in page
    # Category A: the 100,000 win against the company's 150,000: −50,000 = −33 %.
    assert cells(month_row(page, data.months[0])) == {
        "won": "DKK 100,000",
        "weighted": "DKK 0",
        "total": "DKK 100,000",
        "budget": "DKK 150,000",
        "deviation": "▼ 33 % behind -DKK 50,000",
    }
    assert cells(month_row(page, data.months[1]))["weighted"] == "DKK 30,000"


def test_does_a_filter_answer_htmx_with_the_figures_only_and_a_tidy_url(employee_client, hx):
    data = make_data_set()
    response = employee_client.get(f"/forecast/?owner={data.bo.id}&category=", headers=hx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="forecast-figures"')
    assert "<html" not in body
    assert 'id="forecast-filters"' not in body
    assert response.headers["HX-Push-Url"] == f"/forecast/?owner={data.bo.id}"
    assert "HX-Request" in response.headers["Vary"]
    assert cells(month_row(body, data.months[1]))["budget"] == "DKK 60,000"


def test_is_the_forecast_a_whole_page_with_its_filters_and_chart(employee_client):
    data = make_data_set()
    response = employee_client.get(f"/forecast/?owner={data.bo.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Forecast vs budget — Kanel</title>" in page
    assert 'id="forecast-filters"' in page
    assert f'<option value="{data.bo.id}" selected>Bo Berg</option>' in page
    assert 'hx-get="/forecast/"' in page
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert chart.count('class="chart-month"') == 6
    # Bo has a budget in one month (m1): one budget mark.
    assert chart.count('class="chart-budget"') == 1
    assert "How the figures are worked out" in page


def test_may_an_employee_view_the_forecast_but_not_see_the_budget_link(employee_client):
    page = employee_client.get("/forecast/").get_data(as_text=True)
    assert "Forecast vs budget" in page
    assert "/forecast/budgets" not in page


def test_does_a_manager_get_the_link_to_the_budgets(manager_client):
    page = manager_client.get("/forecast/").get_data(as_text=True)
    assert 'href="/forecast/budgets"' in page


def test_must_one_sign_in_to_see_the_forecast(client):
    response = client.get("/forecast/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_is_the_forecast_in_danish_for_a_danish_user(login_as):
    data = make_data_set()
    client = login_as("employee", language="da")
    page = client.get("/forecast/").get_data(as_text=True)
    assert "Prognose mod budget" in page
    row = cells(month_row(page, data.months[0]))
    assert row["won"] == "100.000 kr."  # cells() turns the no-break space into a space
    assert row["deviation"] == "▼ 20 % bagud -30.000 kr."
    assert "100.000\xa0kr." in month_row(page, data.months[0])


def count_queries(client, url) -> int:
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def make_many(n, owners):
    first = month_start(date.today())
    companies = [make_company(category=c) for c in "ABC"]
    keys = ["suspect", "prospect", "lead", "qualified", "proposal"]
    for i in range(n):
        fields = {"expected_close": add_months(first, i % 7) + timedelta(days=i % 20)}
        if i % 4 == 0:
            fields = {"outcome": "won", "closed_at": add_months(first, i % 3)}
        elif i % 9 == 0:
            fields = {}
        make_deal(companies[i % 3], keys[i % 5], owner=owners[i % len(owners)], **fields)


def test_is_the_query_count_the_same_for_5_and_50_deals(employee_client):
    owners = [employee_client.user, make_user(), make_user(), make_user(active=False)]
    make_many(5, owners)
    few = count_queries(employee_client, "/forecast/")
    make_many(45, owners)
    many = count_queries(employee_client, "/forecast/")
    assert few == many
    assert count_queries(employee_client, "/forecast/?owner=mine&category=B") == many


def test_does_the_board_link_to_the_forecast_with_its_owner_and_category(employee_client):
    page = employee_client.get("/pipeline/?owner=mine&category=B").get_data(as_text=True)
    assert 'href="/forecast/?owner=mine&amp;category=B">Forecast vs budget</a>' in page
