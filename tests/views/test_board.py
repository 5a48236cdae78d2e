"""The pipeline board: columns with totals, cards, filters, show more."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from tests.factories import make_company, make_deal, make_user, stage
from webapp.extensions import db
from webapp.models.user import utcnow


def column_head(page: str, stage_key: str) -> str:
    start = page.index(f'id="stage-head-{stage(stage_key).id}"')
    return page[start : page.index("</header>", start)]


def head_figures(page: str, stage_key: str) -> tuple[str, str, str]:
    head = column_head(page, stage_key)
    count = re.search(r'<span class="count"[^>]*>([^<]*)</span>', head).group(1)
    total = re.search(r"<dd data-total>([^<]*)</dd>", head).group(1)
    weighted = re.search(r"<dd data-weighted>([^<]*)</dd>", head).group(1)
    return count, total, weighted


def dkk(amount) -> str:
    return f"DKK\xa0{Decimal(amount):,.2f}"


def test_does_the_board_show_a_column_per_active_stage_in_order(employee_client):
    page = employee_client.get("/pipeline/").get_data(as_text=True)
    names = ["Suspect", "Prospect", "Lead", "Qualified", "Proposal"]
    positions = [page.index(f">{name}\n") for name in names]
    assert positions == sorted(positions)
    assert "No open deals — create one from a customer card." in page
    assert 'href="/deals/new">New deal</a>' in page


def test_are_the_column_totals_those_of_all_matching_open_deals(employee_client):
    me = employee_client.user
    other = make_user(name="Olga Other")
    company = make_company(name="Nordisk Byg ApS")
    deals = [
        make_deal(company, "lead", owner=me, value=10000),
        make_deal(company, "lead", owner=me, value=2500.50, probability_override=75),
        make_deal(company, "lead", owner=other, value=4000),
        make_deal(company, "proposal", owner=me, value=30000),
    ]
    # Closed deals never count.
    make_deal(company, "lead", owner=me, value=99999, outcome="won", closed_at=utcnow().date())
    make_deal(company, "lead", owner=me, value=88888, outcome="lost", closed_at=utcnow().date())

    def expected(rows):
        total = sum(d.value for d in rows)
        probabilities = [
            d.probability_override if d.probability_override is not None else d.stage.probability
            for d in rows
        ]
        weighted = sum(d.value * p for d, p in zip(rows, probabilities, strict=True)) / 100
        return str(len(rows)), dkk(total), dkk(weighted)

    page = employee_client.get("/pipeline/").get_data(as_text=True)
    lead = [d for d in deals if d.stage.key == "lead"]
    assert head_figures(page, "lead") == expected(lead)
    assert head_figures(page, "proposal") == expected(deals[3:])
    assert head_figures(page, "qualified") == ("0", dkk(0), dkk(0))
    # 10,000 × 20 % + 2,500.50 × 75 % + 4,000 × 20 % = 4,675.375 → 4,675.38
    assert head_figures(page, "lead")[2] == "DKK\xa04,675.38"

    mine = employee_client.get("/pipeline/?owner=mine").get_data(as_text=True)
    assert head_figures(mine, "lead") == expected([d for d in lead if d.owner == me])
    assert "Owner: me" in mine
    by_id = employee_client.get(f"/pipeline/?owner={other.id}").get_data(as_text=True)
    assert head_figures(by_id, "lead") == expected([deals[2]])
    assert "Owner: Olga Other" in by_id


def test_does_a_card_show_company_title_value_owner_and_days_in_stage(employee_client):
    company = make_company(name="Fynsk El A/S")
    deal = make_deal(
        company,
        "prospect",
        owner=employee_client.user,
        value=12500,
        title="New payroll",
        stage_entered_at=utcnow() - timedelta(days=3, hours=1),
    )
    page = employee_client.get("/pipeline/").get_data(as_text=True)
    card = page[page.index(f'id="deal-{deal.id}"') :]
    card = card[: card.index("</article>")]
    assert f'href="/customers/{company.id}">Fynsk El A/S</a>' in card
    assert f'<a href="/deals/{deal.id}">New payroll</a>' in card
    assert "DKK\xa012,500.00" in card
    assert "Erik Employee" in card
    assert "3 days in stage" in card
    assert "Rotting" not in card
    assert 'name="stage_id"' in card
    assert "Move" in card


def test_does_a_deal_past_its_stages_rot_days_carry_a_rotting_badge_in_words(employee_client):
    company = make_company()
    old = make_deal(company, "proposal", stage_entered_at=utcnow() - timedelta(days=45))
    fresh = make_deal(company, "proposal", stage_entered_at=utcnow() - timedelta(days=20))
    page = employee_client.get("/pipeline/").get_data(as_text=True)
    assert "Rotting: 45 days" in page
    fresh_card = page[page.index(f'id="deal-{fresh.id}"') :]
    assert "Rotting" not in fresh_card[: fresh_card.index("</article>")]
    rotting = employee_client.get("/pipeline/?rotting=1").get_data(as_text=True)
    assert f'id="deal-{old.id}"' in rotting
    assert f'id="deal-{fresh.id}"' not in rotting
    assert head_figures(rotting, "proposal")[0] == "1"
    assert "Rotting only" in rotting


def test_does_the_category_filter_follow_the_company(employee_client):
    a_deal = make_deal(make_company(category="A"), "suspect", value=100)
    b_deal = make_deal(make_company(category="B"), "suspect", value=200)
    page = employee_client.get("/pipeline/?category=a").get_data(as_text=True)
    assert f'id="deal-{a_deal.id}"' in page
    assert f'id="deal-{b_deal.id}"' not in page
    assert head_figures(page, "suspect")[:2] == ("1", dkk(100))
    assert "Category: A" in page


def test_does_the_campaign_filter_keep_its_deals(employee_client):
    from webapp.models.marketing import Campaign

    campaign = Campaign(name="Trade fair 2026")
    db.session.add(campaign)
    db.session.flush()
    kept = make_deal(make_company(), "suspect", campaign_id=campaign.id)
    other = make_deal(make_company(), "suspect")
    page = employee_client.get(f"/pipeline/?campaign={campaign.id}").get_data(as_text=True)
    assert f'id="deal-{kept.id}"' in page
    assert f'id="deal-{other.id}"' not in page
    assert "Campaign: Trade fair 2026" in page


def test_does_a_filter_answer_htmx_with_the_board_and_a_tidy_url(employee_client, hx):
    make_deal(make_company(category="A"), "suspect")
    response = employee_client.get("/pipeline/?category=A&owner=&campaign=", headers=hx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="board"')
    assert "<html" not in body
    assert response.headers["HX-Push-Url"] == "/pipeline/?category=A"
    assert "HX-Request" in response.headers["Vary"]


def test_does_an_empty_filter_say_so(employee_client):
    make_deal(make_company(category="A"), "suspect")
    page = employee_client.get("/pipeline/?category=C").get_data(as_text=True)
    assert "No open deals match these filters." in page


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
    keys = ["suspect", "prospect", "lead", "qualified", "proposal"]
    companies = [make_company() for _ in range(5)]
    for i in range(n):
        make_deal(companies[i % 5], keys[i % 5], owner=owners[i % len(owners)], value=1000 + i)


def test_is_the_boards_query_count_the_same_for_5_and_50_deals(employee_client):
    owners = [employee_client.user, make_user(), make_user()]
    make_many(5, owners)
    few = count_queries(employee_client, "/pipeline/")
    make_many(45, owners)
    many = count_queries(employee_client, "/pipeline/")
    assert few == many
    filtered = count_queries(employee_client, "/pipeline/?category=A&owner=mine&rotting=1")
    assert filtered == many


def test_does_a_column_show_a_first_page_and_show_more_the_next_cards_only(employee_client, hx):
    company = make_company()
    now = utcnow()
    deals = [
        make_deal(company, "suspect", value=i, stage_entered_at=now - timedelta(hours=100 - i))
        for i in range(30)
    ]
    page = employee_client.get("/pipeline/").get_data(as_text=True)
    shown = [d for d in deals if f'id="deal-{d.id}"' in page]
    assert shown == deals[:25]  # longest in the stage first
    assert "Show more (5 more)" in page
    assert head_figures(page, "suspect")[0] == "30"

    url = f"/pipeline/stages/{stage('suspect').id}/cards?page=2"
    more = employee_client.get(url, headers=hx).get_data(as_text=True)
    assert [d for d in deals if f'id="deal-{d.id}"' in more] == deals[25:]
    assert f'hx-swap-oob="beforeend:#stage-cards-{stage("suspect").id}"' in more
    assert "Show more" not in more  # no third page

    as_page = employee_client.get(url)
    text = as_page.get_data(as_text=True)
    assert as_page.status_code == 200
    assert "<html" in text
    assert "Suspect" in text
    assert [d for d in deals if f'id="deal-{d.id}"' in text] == deals[25:]


def test_does_show_more_keep_the_filters(employee_client, hx):
    company_a, company_b = make_company(category="A"), make_company(category="B")
    for _ in range(27):
        make_deal(company_a, "suspect")
    other = make_deal(company_b, "suspect")
    page = employee_client.get("/pipeline/?category=A").get_data(as_text=True)
    assert "category=A&amp;page=2" in page or "page=2&amp;category=A" in page
    more = employee_client.get(
        f"/pipeline/stages/{stage('suspect').id}/cards?category=A&page=2", headers=hx
    ).get_data(as_text=True)
    assert more.count('class="deal-card') == 2
    assert f'id="deal-{other.id}"' not in more


def test_is_a_retired_or_unknown_column_not_found(employee_client):
    assert employee_client.get("/pipeline/stages/999999/cards").status_code == 404


@pytest.mark.parametrize("url", ["/pipeline/", "/pipeline/stages/1/cards"])
def test_must_one_sign_in_to_see_the_board(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("language", ["en", "da"])
def test_do_cards_show_money_exactly_as_the_money_filter(app, language):
    from flask_babel import force_locale

    from webapp.blueprints.pipeline.views import CardText
    from webapp.i18n import money

    amounts = ["0", "5", "999.5", "1000", "12500.5", "1234567.891", "-2500", "100000000"]
    with app.test_request_context("/pipeline/"), force_locale(language):
        text = CardText()
        for amount in amounts:
            for currency in ("DKK", "EUR"):
                assert text.money(Decimal(amount), currency) == money(Decimal(amount), currency)


def test_does_a_board_without_active_stages_send_the_admin_to_set_them_up(admin_client):
    from sqlalchemy import update

    from webapp.models.pipeline import Stage

    db.session.execute(update(Stage).values(active=False))
    db.session.expire_all()
    page = admin_client.get("/pipeline/").get_data(as_text=True)
    assert "There are no active pipeline stages." in page
    assert 'href="/admin/stages">Set up the stages</a>' in page
