"""Forecast vs budget in a real browser: filters swap the figures in place, budgets save."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in
from webapp.services.forecast import month_start


def test_does_choosing_a_salesperson_swap_only_the_figures(
    page, live_user, live_company, live_deal, live_app
):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models.user import User

    manager = live_user(name="Frida Forecast", role="manager")
    seller = live_user(name="Sune Sælger", department="sales")
    with live_app.app_context():
        seller_id = db.session.scalar(select(User.id).where(User.email == seller))
    company = live_company(name="Forecast Fabrik ApS")
    live_deal(
        company,
        "lead",
        owner_id=seller_id,
        value=64000,
        outcome="won",
        closed_at=month_start(date.today()),
    )

    sign_in(page, manager)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Frida Forecast")
    page.goto("/forecast/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forecast vs budget")
    # A mark on the page's window survives an htmx swap, not a full page load.
    page.evaluate("window.forecastMark = 1")
    page.get_by_label("Salesperson", exact=True).select_option(label="Sune Sælger")
    expect(page.get_by_role("heading", name="Next 6 months — Sune Sælger")).to_be_visible()
    this_month = page.locator(f"#forecast-month-{date.today():%Y-%m}")
    expect(this_month.locator('[data-figure="won"]')).to_have_text("DKK\xa064,000")
    assert f"owner={seller_id}" in page.url
    assert page.evaluate("window.forecastMark") == 1

    # Enter the salesperson's budget for this month; the forecast then compares with it.
    page.get_by_role("link", name="Enter budgets").click()
    month = date.today().strftime("%B %Y")
    page.get_by_label(f"Budget of Sune Sælger for {month}").fill("80,000")
    page.get_by_role("button", name="Save budgets").click()
    expect(page.locator("#messages")).to_contain_text("Saved 1 budget change.")
    page.goto(f"/forecast/?owner={seller_id}")
    this_month = page.locator(f"#forecast-month-{date.today():%Y-%m}")
    expect(this_month.locator('[data-figure="budget"]')).to_have_text("DKK\xa080,000")
    # 64,000 against 80,000: −16,000 = −20 %.
    expect(this_month.locator('[data-figure="deviation"]')).to_contain_text("▼ 20 % behind")
