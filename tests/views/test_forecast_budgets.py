"""The budget grid: Danish and English amounts, upsert and delete, errors, stale saves, roles."""

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import make_user
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.pipeline import Budget
from webapp.services.forecast import add_months, month_start

THIS = month_start(date.today())
NEXT = add_months(THIS, 1)


def key(user, month) -> str:
    return f"b-{user.id if user else 'all'}-{month:%Y-%m}"


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def opened(client, url="/forecast/budgets") -> dict:
    """The hidden fields of the grid as the user opened it."""
    page = client.get(url).get_data(as_text=True)
    return {"token": hidden(page, "token"), "seen": hidden(page, "seen")}


def budgets() -> dict:
    rows = db.session.scalars(select(Budget).execution_options(populate_existing=True))
    return {(b.user_id, b.month): b.amount for b in rows}


def add_budget(month, amount, user=None) -> Budget:
    budget = Budget(month=month, user_id=user.id if user else None, amount=Decimal(amount))
    db.session.add(budget)
    db.session.flush()
    return budget


@pytest.fixture
def seller():
    return make_user(name="Sara Salg", department="sales")


def test_does_the_grid_show_the_company_and_active_salespeople_for_12_months(
    manager_client, seller
):
    make_user(name="Sigurd Service", department="service")
    make_user(name="Gone Seller", department="sales", active=False)
    add_budget(THIS, "125000.50")
    add_budget(NEXT, "80000", seller)
    page = manager_client.get("/forecast/budgets").get_data(as_text=True)
    assert "Whole company" in page
    assert "Sara Salg" in page
    assert "Sigurd Service" not in page
    assert "Gone Seller" not in page
    grid = page[page.index("<thead>") : page.index("</thead>")]
    assert grid.count('scope="col" class="num') == 12
    assert THIS.strftime("%b %Y") in grid
    assert add_months(THIS, 11).strftime("%b %Y") in grid
    assert f'name="{key(None, THIS)}" id="{key(None, THIS)}" value="125,000.50"' in page
    assert f'name="{key(seller, NEXT)}" id="{key(seller, NEXT)}" value="80,000"' in page


def test_does_a_danish_manager_type_amounts_as_a_dane(login_as, seller):
    client = login_as("manager", language="da")
    page = client.get("/forecast/budgets").get_data(as_text=True)
    assert "125.000,50" in page  # the example in the help
    data = opened(client)
    data[key(None, THIS)] = "125.000"
    data[key(seller, NEXT)] = "125.000,50"
    response = client.post("/forecast/budgets", data=data)
    assert response.status_code == 303
    assert budgets() == {(None, THIS): Decimal("125000"), (seller.id, NEXT): Decimal("125000.50")}
    page = client.get("/forecast/budgets").get_data(as_text=True)
    assert f'id="{key(seller, NEXT)}" value="125.000,50"' in page
    assert "Gemte 2 budgetændringer." in page


def test_does_an_english_manager_type_amounts_the_english_way(manager_client, seller):
    data = opened(manager_client)
    data[key(None, THIS)] = "125,000.50"
    data[key(seller, THIS)] = "DKK 40,000"
    assert manager_client.post("/forecast/budgets", data=data).status_code == 303
    assert budgets() == {(None, THIS): Decimal("125000.50"), (seller.id, THIS): Decimal("40000")}


def test_does_saving_update_existing_budgets_delete_emptied_ones_and_write_history(
    manager_client, seller
):
    kept = add_budget(THIS, "100000")
    emptied = add_budget(NEXT, "50000", seller)
    data = opened(manager_client)
    data[key(None, THIS)] = "110,000"
    data[key(seller, NEXT)] = ""
    data[key(seller, THIS)] = "20,000"
    response = manager_client.post("/forecast/budgets", data=data, follow_redirects=True)
    assert "Saved 3 budget changes." in response.get_data(as_text=True)
    assert budgets() == {(None, THIS): Decimal("110000"), (seller.id, THIS): Decimal("20000")}
    assert db.session.get(Budget, kept.id).amount == Decimal("110000")  # updated in place
    history = {
        (c.field, c.old, c.new, c.user_id)
        for c in db.session.scalars(select(Change).where(Change.entity == "budget"))
    }
    me = manager_client.user.id
    assert history == {
        (f"{THIS:%Y-%m}/all", "100000.00", "110000.00", me),
        (f"{NEXT:%Y-%m}/{seller.id}", "50000.00", None, me),
        (f"{THIS:%Y-%m}/{seller.id}", None, "20000.00", me),
    }
    assert db.session.get(Budget, emptied.id) is None


def test_does_saving_an_unchanged_grid_change_nothing(manager_client):
    add_budget(THIS, "100000")
    data = opened(manager_client)
    data[key(None, THIS)] = "100,000.00"
    response = manager_client.post("/forecast/budgets", data=data, follow_redirects=True)
    assert "Nothing changed." in response.get_data(as_text=True)
    assert db.session.scalar(select(Change).where(Change.entity == "budget")) is None


def test_is_an_unreadable_cell_shown_beside_it_and_nothing_saved(manager_client, seller):
    add_budget(THIS, "100000")
    data = opened(manager_client)
    data[key(None, THIS)] = "90,000"  # valid, but must not be saved either
    data[key(seller, NEXT)] = "12,5"  # Danish decimal comma in an English grid
    data[key(seller, THIS)] = "-500"
    response = manager_client.post("/forecast/budgets", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2 amounts could not be read, so nothing was saved." in page
    bad = key(seller, NEXT)
    cell = page[page.index(f'name="{bad}"') : page.index("</td>", page.index(f'name="{bad}"'))]
    assert 'value="12,5"' in cell  # the typed text is kept
    assert 'aria-invalid="true"' in cell
    assert f'<p class="error" id="{bad}-error">Write the amount like 125,000.50.</p>' in cell
    assert "A budget cannot be negative." in page
    # The first offending cell (the grid reads row by row) takes the focus.
    assert page.count(" autofocus") == 1
    first = page[page.index(f'name="{key(seller, THIS)}"') :]
    assert " autofocus" in first[: first.index(">")]
    assert 'value="90,000"' in page
    assert budgets() == {(None, THIS): Decimal("100000")}


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "1,000.505", "99999999999999", "12 500 kr x"])
def test_is_any_unreadable_amount_refused_with_422(manager_client, typed):
    data = opened(manager_client)
    data[key(None, THIS)] = typed
    assert manager_client.post("/forecast/budgets", data=data).status_code == 422
    assert budgets() == {}


def test_is_a_save_over_a_colleagues_newer_one_refused_with_409(manager_client, login_as, seller):
    add_budget(THIS, "100000")
    mine = opened(manager_client)
    # A colleague opens and saves the same grid first.
    colleague = login_as("admin", name="Carla Colleague")
    theirs = opened(colleague)
    theirs[key(seller, NEXT)] = "70,000"
    assert colleague.post("/forecast/budgets", data=theirs).status_code == 303

    mine[key(None, THIS)] = "120,000"
    response = manager_client.post("/forecast/budgets", data=mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Not saved: a colleague saved budgets for these months after you opened the form." in (
        page
    )
    month = NEXT.strftime("%B %Y")
    assert f"Carla Colleague set the budget of Sara Salg for {month} to DKK\xa070,000" in page
    assert 'value="120,000"' in page  # my input is kept
    assert budgets() == {(None, THIS): Decimal("100000"), (seller.id, NEXT): Decimal("70000")}

    # Saving again from the refusal (which carries the new state) replaces their amounts.
    again = {"token": hidden(page, "token"), "seen": hidden(page, "seen")}
    again[key(None, THIS)] = "120,000"
    again[key(seller, NEXT)] = "70,000"
    assert manager_client.post("/forecast/budgets", data=again).status_code == 303
    assert budgets()[(None, THIS)] == Decimal("120000")


def test_is_a_save_without_the_grids_fingerprint_refused(manager_client):
    response = manager_client.post("/forecast/budgets", data={key(None, THIS): "1,000"})
    assert response.status_code == 409
    assert budgets() == {}


def test_are_the_past_12_months_viewable_and_editable(manager_client):
    last = add_months(THIS, -1)
    add_budget(add_months(THIS, -12), "5000")
    page = manager_client.get("/forecast/budgets?period=past").get_data(as_text=True)
    assert f'id="{key(None, add_months(THIS, -12))}" value="5,000"' in page
    assert key(None, THIS) not in page
    data = opened(manager_client, "/forecast/budgets?period=past")
    data["period"] = "past"
    data[key(None, last)] = "7,500"
    response = manager_client.post("/forecast/budgets", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/forecast/budgets?period=past")
    assert budgets()[(None, last)] == Decimal("7500")


def test_does_an_htmx_save_answer_with_hx_location(manager_client, hx):
    data = opened(manager_client)
    data[key(None, THIS)] = "1,000"
    response = manager_client.post("/forecast/budgets", data=data, headers=hx)
    assert response.status_code == 200
    assert "/forecast/budgets" in response.headers["HX-Location"]


def test_may_an_employee_neither_see_nor_save_budgets(employee_client):
    assert employee_client.get("/forecast/budgets").status_code == 403
    response = employee_client.post("/forecast/budgets", data={key(None, THIS): "1,000"})
    assert response.status_code == 403
    assert budgets() == {}


def test_may_an_admin_enter_budgets(admin_client):
    data = opened(admin_client)
    data[key(None, THIS)] = "1,000"
    assert admin_client.post("/forecast/budgets", data=data).status_code == 303


@pytest.mark.usefixtures("csrf")
def test_is_a_save_without_a_csrf_token_refused(manager_client):
    data = opened(manager_client)
    data[key(None, THIS)] = "1,000"
    response = manager_client.post("/forecast/budgets", data=data)
    assert response.status_code == 400
    assert budgets() == {}


@pytest.mark.usefixtures("csrf")
def test_does_the_grid_carry_a_csrf_token_that_lets_the_save_through(manager_client):
    page = manager_client.get("/forecast/budgets").get_data(as_text=True)
    data = {n: hidden(page, n) for n in ("csrf_token", "token", "seen")}
    data[key(None, THIS)] = "1,000"
    assert manager_client.post("/forecast/budgets", data=data).status_code == 303
    assert budgets() == {(None, THIS): Decimal("1000")}


def test_does_a_departed_salesperson_with_a_budget_keep_a_row_to_clear_it(manager_client):
    gone = make_user(name="Gone Seller", department="sales", active=False)
    add_budget(NEXT, "30000", gone)
    page = manager_client.get("/forecast/budgets").get_data(as_text=True)
    assert 'Gone Seller <span class="muted">(inactive)</span>' in page
    data = opened(manager_client)
    data[key(gone, NEXT)] = ""
    assert manager_client.post("/forecast/budgets", data=data).status_code == 303
    assert budgets() == {}
