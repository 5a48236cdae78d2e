"""Reports in a real browser: filters swap the report in place and stay in the URL, a number
opens the deals behind it, and a manager downloads the management PDF."""

import io
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_sign_in import sign_in
from tests.report_example import example_report


@pytest.fixture
def example():
    with example_report() as spec:
        yield spec


@pytest.fixture
def sales(live_user, live_company, live_deal, live_app):
    """One salesperson's closed deals in the last weeks (the filter keeps other tests' out).

    All: won 40,000 (A) + won 10,000 (B), lost 5,000 (A) → 50,000, 2 won of 3 = 67 %.
    Category A: won 40,000, lost 5,000 → 40,000, 1 won of 2 = 50 %.
    """
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models.user import User

    email = live_user(name="Rikke Rapport", department="sales")
    with live_app.app_context():
        seller = db.session.scalar(select(User.id).where(User.email == email))
    today = date.today()
    alfa = live_company(name="Rapport Alfa ApS", category="A")
    beta = live_company(name="Rapport Beta ApS", category="B")
    won_a = live_deal(
        alfa,
        "proposal",
        owner_id=seller,
        value=40000,
        title="Rapport-aftale Alfa",
        outcome="won",
        closed_at=today - timedelta(days=20),
    )
    live_deal(
        beta,
        "proposal",
        owner_id=seller,
        value=10000,
        title="Rapport-aftale Beta",
        outcome="won",
        closed_at=today - timedelta(days=15),
    )
    live_deal(
        alfa,
        "lead",
        owner_id=seller,
        value=5000,
        title="Rapport-tab Alfa",
        outcome="lost",
        closed_at=today - timedelta(days=10),
    )
    return {"seller": seller, "won_a": won_a}


def figure(page, label):
    return page.locator(".report-figure", has=page.locator("dt", has_text=label)).locator("dd")


def test_do_filters_swap_the_report_and_a_number_open_its_deals(page, live_user, example, sales):
    sign_in(page, live_user(name="Erik Rapportlæser"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erik Rapportlæser")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Example: won deals by category").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Example: won deals by category")
    expect(page.get_by_role("link", name="Last 12 months")).to_have_attribute(
        "aria-current", "true"
    )

    # A mark on the window survives an htmx swap, not a page load.
    page.evaluate("window.reportMark = 1")
    page.get_by_label("Owner", exact=True).select_option(label="Rikke Rapport")
    expect(figure(page, "Won revenue")).to_contain_text("DKK\xa050,000")
    expect(figure(page, "Win rate")).to_contain_text("67%")
    expect(page.locator(".chips")).to_contain_text("Owner: Rikke Rapport")
    assert f"owner={sales['seller']}" in page.url

    page.get_by_label("Category", exact=True).select_option(label="A")
    expect(figure(page, "Won revenue")).to_contain_text("DKK\xa040,000")
    expect(figure(page, "Win rate")).to_contain_text("50%")
    expect(figure(page, "Win rate")).to_contain_text("of 2 closed deals")
    assert "category=A" in page.url
    assert page.evaluate("window.reportMark") == 1
    # The chart was swapped with the figures.
    expect(page.locator(".report-chart svg[role=img] desc").first).to_contain_text(
        "Category A: DKK\xa040,000"
    )

    # Removing a filter by its chip; Back brings the filtered report again.
    page.get_by_role("link", name="Remove filter Category: A").click()
    expect(figure(page, "Won revenue")).to_contain_text("DKK\xa050,000")
    assert "category=A" not in page.url
    page.go_back()
    expect(figure(page, "Won revenue")).to_contain_text("DKK\xa040,000")

    # The number opens the deal behind it, and the deal opens its page.
    figure(page, "Won revenue").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Won deals")
    expect(page.locator(".result-count")).to_have_text("1 deal")
    expect(page.locator(".drill-list")).to_contain_text("Rapport Alfa ApS")
    expect(page.locator(".drill-list")).not_to_contain_text("Rapport-tab Alfa")
    page.get_by_role("link", name="Rapport-aftale Alfa").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapport-aftale Alfa")
    assert page.url.endswith(f"/deals/{sales['won_a']}")


def test_does_a_manager_download_the_management_pdf(page, live_user, live_app, example, sales):
    # Reports are built several at a time here, on the live server's own connections.
    live_app.config["REPORT_PDF_WORKERS"] = 3
    try:
        sign_in(page, live_user(name="Mads Møde", role="manager"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Mads Møde")
        page.goto("/reports/")
        expect(page.get_by_role("heading", name="Management PDF")).to_be_visible()
        response = page.request.get(f"/reports/management.pdf?owner={sales['seller']}")
    finally:
        live_app.config.pop("REPORT_PDF_WORKERS", None)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages]
    assert "Owner: Rikke Rapport" in pages[0]
    assert "Mads Møde" in pages[0]
    assert "DKK 50,000" in "\n".join(pages)
