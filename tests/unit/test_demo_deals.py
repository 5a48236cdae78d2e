"""The demo pipeline: deals in every stage and outcome, their moves, activities and budgets."""

from datetime import date, timedelta

from sqlalchemy import func, select

from webapp.demo import seed_demo
from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Status
from webapp.models.pipeline import Budget, Deal, Stage, StageChange
from webapp.models.user import utcnow
from webapp.services.pipeline import missing_requirements, ordered_stages


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_are_there_about_150_deals_in_every_stage_and_outcome():
    seed_demo()
    assert 120 <= count(Deal) <= 190
    outcomes = dict(
        db.session.execute(select(Deal.outcome, func.count()).group_by(Deal.outcome)).all()
    )
    assert outcomes["won"] >= 30
    assert outcomes["lost"] >= 20
    assert outcomes["open"] >= 40
    open_stages = set(
        db.session.scalars(select(Stage.key).join(Deal).where(Deal.outcome == "open").distinct())
    )
    assert open_stages == {"suspect", "prospect", "lead", "qualified", "proposal"}


def test_did_every_open_deal_meet_the_rules_of_the_stages_it_passed():
    seed_demo()
    first = ordered_stages()[0]
    for deal in db.session.scalars(select(Deal).where(Deal.outcome == "open")):
        current = deal.stage
        deal.stage = first  # ask the gate as if moving from the start again
        assert missing_requirements(deal, current) == [], deal.title
        deal.stage = current
    db.session.rollback()


def test_do_the_moves_of_each_deal_run_forward_in_time():
    seed_demo()
    moves = db.session.scalars(select(StageChange).order_by(StageChange.deal_id, StageChange.id))
    last = {}
    for move in moves:
        if move.deal_id in last:
            assert move.changed_at >= last[move.deal_id]
        last[move.deal_id] = move.changed_at
    assert db.session.scalar(select(func.count(func.distinct(StageChange.deal_id)))) == count(Deal)


def test_are_won_deals_on_customers_and_lost_ones_given_reasons():
    seed_demo()
    won_kinds = set(
        db.session.scalars(
            select(Status.kind).join(Deal.company).join(Status).where(Deal.outcome == "won")
        )
    )
    assert won_kinds <= {"customer", "former_customer"}
    lost = db.session.scalars(select(Deal).where(Deal.outcome == "lost")).all()
    assert all(d.lost_reason is not None and d.lost_reason.kind == "inactive" for d in lost)
    to_competitor = [d for d in lost if d.lost_reason.key == "lost_to_competitor"]
    assert to_competitor
    assert all(d.competitor is not None for d in to_competitor)
    closed = db.session.scalars(select(Deal.closed_at).where(Deal.outcome != "open")).all()
    assert min(closed) < date.today() - timedelta(days=365)


def test_are_some_open_deals_rotting():
    seed_demo()
    now = utcnow()
    rotting = [
        d
        for d in db.session.scalars(select(Deal).where(Deal.outcome == "open"))
        if d.stage.rot_days and (now - d.stage_entered_at).days > d.stage.rot_days
    ]
    assert 1 <= len(rotting) <= 30


def test_are_deal_activities_tied_to_their_deals():
    seed_demo()
    tied = db.session.scalar(select(func.count()).where(Activity.deal_id.is_not(None)))
    assert tied > 100
    wrong_company = db.session.scalar(
        select(func.count())
        .select_from(Activity)
        .join(Deal, Deal.id == Activity.deal_id)
        .where(Deal.company_id != Activity.company_id)
    )
    assert wrong_company == 0


def test_are_there_budgets_for_the_past_12_and_next_6_months():
    seed_demo()
    today = date.today()
    months = db.session.scalars(select(Budget.month).where(Budget.user_id.is_(None))).all()
    assert len(months) == 19
    assert date(today.year, today.month, 1) in months
    per_seller = db.session.scalar(select(func.count()).where(Budget.user_id.is_not(None)))
    assert per_seller == 38


def test_does_a_second_seed_add_no_deals_or_budgets():
    seed_demo()
    before = [count(m) for m in (Deal, StageChange, Budget, Activity)]
    seed_demo()
    assert [count(m) for m in (Deal, StageChange, Budget, Activity)] == before
