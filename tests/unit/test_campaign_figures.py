"""Campaign figures: leads, meetings held, proposals, deals won, revenue, ROI and A/B/C mix."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select, text

from tests.factories import make_activity, make_company, make_deal, make_user, status
from webapp.extensions import db
from webapp.models.marketing import Campaign, CampaignCompany, Segment
from webapp.models.user import utcnow
from webapp.services import campaigns as service

TODAY = date.today()


def make_campaign(cost="0", days_ago=10, **fields):
    campaign = service.create_campaign(
        service.CampaignData(
            name=fields.pop("name", "Trade fair 2026"),
            cost=Decimal(cost),
            starts_on=TODAY - timedelta(days=days_ago),
            **fields,
        ),
        None,
    )
    return campaign


def attach(campaign, *companies):
    for company in companies:
        assert service.add_company(campaign, company, None)


@dataclass
class Logged:
    company: object
    kind: str
    days_ago: float
    minutes: str | None
    deleted: bool = False


def test_are_the_figures_those_counted_by_hand():
    seller = make_user()
    campaign = make_campaign(cost="10000", days_ago=10)
    a = make_company("Alfa ApS", category="A")
    b = make_company("Beta ApS", category="B")
    c = make_company("Gamma ApS")
    outsider = make_company("Outside ApS")
    attach(campaign, a, b, c)
    logged = [
        Logged(a, "meeting", 5, "We agreed on a demo."),  # held, minutes, in the window
        Logged(a, "meeting", 20, "Before the campaign."),  # before the start
        Logged(b, "meeting", 3, None),  # no minutes (minutes debt)
        Logged(b, "meeting", 2, "   "),  # blank minutes
        Logged(b, "meeting", -2, "Planned."),  # in the future: not held yet
        Logged(c, "meeting", 2, "Good talk."),  # counts
        Logged(c, "meeting", 1, "Deleted one.", deleted=True),
        Logged(outsider, "meeting", 1, "Not in the campaign."),
        Logged(b, "proposal", 4, None),  # counts: proposals need no minutes
        Logged(a, "proposal", 30, None),  # before the start
        Logged(c, "note", 1, "A note is no meeting."),
    ]
    for row in logged:
        make_activity(
            row.company,
            kind=row.kind,
            author=seller,
            body=row.minutes,
            occurred_at=utcnow() - timedelta(days=row.days_ago),
            deleted=row.deleted,
        )
    make_deal(a, "proposal", owner=seller, value=30000, outcome="won", campaign_id=campaign.id)
    make_deal(b, "proposal", owner=seller, value=50000, outcome="lost", campaign_id=campaign.id)
    make_deal(c, "proposal", owner=seller, value=70000, outcome="won")  # not tied to it
    make_deal(c, "lead", owner=seller, value=90000, campaign_id=campaign.id)  # still open

    attached = {a.id, b.id, c.id}
    start = campaign.starts_on

    def in_window(row, need_minutes):
        day = TODAY - timedelta(days=row.days_ago)
        held = row.days_ago > 0
        written = bool((row.minutes or "").strip())
        return (
            row.company.id in attached
            and not row.deleted
            and held
            and day >= start
            and (written or not need_minutes)
        )

    expected_meetings = sum(1 for r in logged if r.kind == "meeting" and in_window(r, True))
    expected_proposals = sum(1 for r in logged if r.kind == "proposal" and in_window(r, False))
    expected_revenue = Decimal("30000")
    expected_roi = (expected_revenue - Decimal("10000")) / Decimal("10000")

    figures = service.campaign_figures(campaign)
    assert figures.leads == 3
    assert figures.meetings == expected_meetings == 2
    assert figures.proposals == expected_proposals == 1
    assert figures.won == 1
    assert figures.revenue == expected_revenue
    assert figures.cost == Decimal("10000")
    assert figures.roi == expected_roi == 2
    assert figures.roi_percent == Decimal("200.0")


def test_does_a_campaign_without_start_count_from_the_day_it_was_made():
    campaign = make_campaign(days_ago=0)
    campaign.starts_on = None
    campaign.created_at = utcnow() - timedelta(days=3)
    company = make_company()
    attach(campaign, company)
    make_activity(company, kind="meeting", body="Held.", occurred_at=utcnow() - timedelta(days=2))
    make_activity(company, kind="meeting", body="Older.", occurred_at=utcnow() - timedelta(days=5))
    assert service.campaign_figures(campaign).meetings == 1


def test_is_the_roi_of_a_free_campaign_left_out():
    campaign = make_campaign(cost="0")
    company = make_company()
    attach(campaign, company)
    make_deal(company, "proposal", value=1000, outcome="won", campaign_id=campaign.id)
    figures = service.campaign_figures(campaign)
    assert figures.revenue == Decimal("1000")
    assert figures.roi is None
    assert figures.roi_percent is None


def test_is_a_loss_a_negative_roi():
    campaign = make_campaign(cost="4000")
    company = make_company()
    attach(campaign, company)
    make_deal(company, "proposal", value=1000, outcome="won", campaign_id=campaign.id)
    assert service.campaign_figures(campaign).roi_percent == Decimal("-75.0")


def test_does_the_mix_count_each_category_and_none():
    campaign = make_campaign()
    companies = [
        make_company(category="A"),
        make_company(category="A"),
        make_company(category="B"),
        make_company(),
    ]
    attach(campaign, *companies)
    make_company(category="C")  # not in the campaign
    mix = {row.category: (row.count, row.percent) for row in service.category_mix(campaign)}
    total = len(companies)
    expected = {
        cat: (n, (Decimal(n) * 100 / total).quantize(Decimal("0.1")))
        for cat, n in {"A": 2, "B": 1, "C": 0, None: 1}.items()
    }
    assert mix == expected


def test_is_the_mix_of_an_empty_campaign_all_zero():
    mix = service.category_mix(make_campaign())
    assert [(r.category, r.count, r.percent) for r in mix] == [
        ("A", 0, 0),
        ("B", 0, 0),
        ("C", 0, 0),
        (None, 0, 0),
    ]


def test_does_the_list_give_each_campaign_its_own_figures():
    first = make_campaign(name="First", cost="100")
    second = make_campaign(name="Second", cost="0")
    one, two = make_company(), make_company()
    attach(first, one, two)
    attach(second, two)
    make_deal(two, "proposal", value=500, outcome="won", campaign_id=second.id)
    rows = {c.name: f for c, f in service.campaigns_with_figures()}
    assert (rows["First"].leads, rows["First"].won, rows["First"].revenue) == (2, 0, 0)
    assert (rows["Second"].leads, rows["Second"].won, rows["Second"].revenue) == (1, 1, 500)


def test_does_the_list_count_meetings_and_proposals_in_each_campaigns_own_window():
    first = make_campaign(name="First", days_ago=10)
    second = make_campaign(name="Second", days_ago=3)
    shared, only_first = make_company("Shared ApS"), make_company("First Only ApS")
    attach(first, shared, only_first)
    attach(second, shared)
    ago = lambda days: utcnow() - timedelta(days=days)  # noqa: E731
    for company, kind, days, body, deleted in (
        (shared, "meeting", 5, "Minutes.", False),  # First only (Second starts 3 days ago)
        (shared, "meeting", 1, "Minutes.", False),  # both
        (shared, "meeting", 2, None, False),  # no minutes
        (shared, "meeting", 1, "", False),  # no minutes
        (shared, "meeting", 1, "  ", False),  # blank: no minutes
        (shared, "meeting", 1, "Minutes.", True),  # deleted
        (shared, "meeting", -1, "Planned.", False),  # not held yet
        (shared, "proposal", 6, None, False),  # First only
        (shared, "proposal", 2, "Offer.", False),  # both
        (shared, "proposal", 1, None, True),  # deleted
        (only_first, "meeting", 8, "Minutes.", False),  # First
        (only_first, "meeting", 12, "Minutes.", False),  # before First started
        (only_first, "proposal", 1, "  ", False),  # First: a proposal needs no minutes
        (only_first, "call", 1, "A call is no meeting.", False),
    ):
        make_activity(company, kind, body=body, occurred_at=ago(days), deleted=deleted)
    rows = {c.name: f for c, f in service.campaigns_with_figures()}
    # First: meetings Shared 5 and 1 days ago, First Only 8 days ago; proposals Shared 6 and
    # 2 days ago, First Only 1 day ago. Second: Shared's meeting 1 day ago, proposal 2 days ago.
    assert (rows["First"].meetings, rows["First"].proposals) == (3, 3)
    assert (rows["Second"].meetings, rows["Second"].proposals) == (1, 1)
    for campaign in (first, second):
        one = service.campaign_figures(campaign)
        assert (one.meetings, one.proposals) == (
            rows[campaign.name].meetings,
            rows[campaign.name].proposals,
        )


def figures_plan() -> str:
    """The plan of the figures statement of every campaign, as the database would run it."""
    stmt = service.figures_statement(None)
    compiled = stmt.compile(db.engine, compile_kwargs={"render_postcompile": True})
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        params = tuple(compiled.params[name] for name in compiled.positiontup)
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)
        return "\n".join(row[3] for row in rows)
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    return "\n".join(row[0] for row in rows)


def test_are_the_figures_counted_from_indexes_without_reading_the_minutes():
    campaign = make_campaign()
    companies = [make_company() for _ in range(20)]
    attach(campaign, *companies)
    for n, company in enumerate(companies * 3):
        kind = ("meeting", "proposal", "call")[n % 3]
        body = None if n % 7 == 0 else "Text."
        make_activity(company, kind, body=body, occurred_at=utcnow() - timedelta(days=n % 15))
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
        plan = figures_plan()
        # The few meetings without minutes from the small partial index (their rows are read
        # for the body), every other count from an index alone.
        assert "SEARCH uncounted USING INDEX ix_activity_campaign_figures" in plan
        searches = [line for line in plan.splitlines() if "SEARCH activity" in line]
        assert len(searches) == 2
        assert all("COVERING INDEX" in line for line in searches)
    else:
        # Whatever the small test tables' statistics say, the probe can be answered from
        # the partial index alone: its predicate is proven by the statement's terms.
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        db.session.execute(text("ANALYZE activity"))
        plan = figures_plan()
        assert "Index Only Scan using ix_activity_campaign_figures on activity" in plan


def lost_segment(user=None):
    segment = Segment(
        name="Lost to competitor",
        definition=json.dumps({"status": [status("lost_to_competitor").id]}),
        shared=True,
        owner_id=user.id if user else None,
    )
    db.session.add(segment)
    db.session.flush()
    return segment


def attached_ids(campaign):
    return set(
        db.session.scalars(
            select(CampaignCompany.company_id).where(CampaignCompany.campaign_id == campaign.id)
        )
    )


def test_does_adding_a_segment_twice_add_its_companies_once():
    user = make_user()
    lost = [make_company(status_key="lost_to_competitor") for _ in range(3)]
    make_company(status_key="lost_to_competitor", archived=True)  # archived: never a lead
    make_company(status_key="prospect")
    campaign = make_campaign()
    attach(campaign, lost[0])  # on a card before
    segment = lost_segment(user)
    assert service.add_segment_companies(campaign, segment, user) == 2
    assert service.add_segment_companies(campaign, segment, user) == 0
    assert attached_ids(campaign) == {c.id for c in lost}
    count = db.session.scalar(
        select(func.count())
        .select_from(CampaignCompany)
        .where(CampaignCompany.campaign_id == campaign.id)
    )
    assert count == 3


def test_is_a_company_added_on_its_card_once():
    campaign = make_campaign()
    company = make_company()
    assert service.add_company(campaign, company, None) is True
    assert service.add_company(campaign, company, None) is False
    assert service.remove_company(campaign, company, None) is True
    assert attached_ids(campaign) == set()


def test_does_the_status_campaign_make_segment_and_campaign_in_one_go():
    user = make_user()
    lost = [make_company(status_key="lost_to_competitor") for _ in range(2)]
    make_company(status_key="lead")
    campaign, segment, added = service.start_status_campaign(status("lost_to_competitor"), user)
    assert json.loads(segment.definition) == {"status": [status("lost_to_competitor").id]}
    assert campaign.segment_id == segment.id
    assert added == 2
    assert attached_ids(campaign) == {c.id for c in lost}
    again, same_segment, _ = service.start_status_campaign(status("lost_to_competitor"), user)
    assert same_segment.id == segment.id  # the segment is reused
    assert again.id != campaign.id
    assert db.session.scalar(select(func.count()).select_from(Campaign)) >= 2


def test_is_a_danish_amount_read_in_the_users_locale():
    assert service.parse_cost("12.500,50", "da") == Decimal("12500.50")
    assert service.parse_cost("12,500.50", "en") == Decimal("12500.50")
    assert service.parse_cost("10.000 kr.", "da") == Decimal("10000.00")
    assert service.parse_cost("", "da") == Decimal("0")
    for bad in ("12,5,0", "-5", "abc"):
        try:
            service.parse_cost(bad, "da")
        except service.InvalidAmount:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_does_the_demo_bring_campaigns_with_leads_deals_and_a_letter_once():
    from webapp.demo import seed_demo
    from webapp.models.marketing import LetterTemplate
    from webapp.services.mailmerge import check_template

    seed_demo()
    rows = service.campaigns_with_figures()
    assert len(rows) == 3
    assert all(figures.leads > 0 for _campaign, figures in rows)
    assert any(figures.won > 0 for _campaign, figures in rows)
    letter = db.session.scalar(select(LetterTemplate))
    check_template(letter.body, letter.letterhead)  # the demo letter is valid
    seed_demo()
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 3
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 1
