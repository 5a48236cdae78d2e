"""A/B/C: marks inherited downwards, ordered rules, the set-based recompute and its history."""

from collections import Counter

import pytest
from sqlalchemy import delete, func, select

from tests.factories import make_company, make_user
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Company
from webapp.models.marketing import CategoryRule, Industry
from webapp.services import categories as service
from webapp.services.industries import ancestor_codes, level_of, search_key_for


def section(code):
    return db.session.scalar(select(Industry).where(Industry.code == code))


def make_industry(code, parent=None, category=None, title="Test industry"):
    parent = parent or section(ancestor_codes(code, "J")[-1])
    industry = Industry(
        code=code,
        level=level_of(code),
        section=parent.section,
        parent_id=parent.id,
        title_en=title,
        search_key=search_key_for(code, title, None),
        category=category,
        active=True,
    )
    db.session.add(industry)
    db.session.flush()
    return industry


def set_rules(*rules):
    """Replace the rules: (industry_category, min, max, result) in order."""
    db.session.execute(delete(CategoryRule))
    for position, (industry_category, low, high, result) in enumerate(rules, start=1):
        db.session.add(
            CategoryRule(
                position=position,
                industry_category=industry_category,
                min_employees=low,
                max_employees=high,
                result=result,
                active=True,
            )
        )
    db.session.flush()


@pytest.fixture
def tree():
    """J (section) > 62 (division) > 62.0 (group) > 62.01 (class) > 62.01.00 (subclass)."""
    j = section("J")
    division = make_industry("62", j)
    group = make_industry("62.0", division)
    klass = make_industry("62.01", group)
    subclass = make_industry("62.01.00", klass)
    return j, division, group, klass, subclass


def effective(*industries):
    for industry in industries:
        db.session.refresh(industry)
    return [i.effective_category for i in industries]


def test_does_a_section_mark_reach_every_level_below_it(tree):
    j, division, group, klass, subclass = tree
    j.category = "A"
    service.refresh_effective_categories()
    assert effective(j, division, group, klass, subclass) == ["A"] * 5


def test_does_a_lower_mark_win_over_the_one_above_it(tree):
    j, division, group, klass, subclass = tree
    j.category = "A"
    division.category = "C"
    service.refresh_effective_categories()
    # The class below the C division has no mark of its own: it is C, not A.
    assert effective(j, division, group, klass, subclass) == ["A", "C", "C", "C", "C"]
    assert effective(section("K")) == [None]


def test_does_taking_a_mark_off_fall_back_to_the_one_above(tree):
    j, division, group, klass, subclass = tree
    admin = make_user(role="admin")
    service.set_industry_mark(j, "B", admin)
    service.set_industry_mark(group, "A", admin)
    assert effective(division, klass) == ["B", "A"]
    service.set_industry_mark(group, None, admin)
    assert effective(division, klass) == ["B", "B"]
    marks = db.session.scalars(
        select(Change).where(Change.entity == "industry", Change.entity_id == group.id)
    ).all()
    assert [(c.old, c.new) for c in marks] == [(None, "A"), ("A", None)]


class Rule:
    def __init__(self, industry_category, low, high, result):
        self.industry_category = industry_category
        self.min_employees = low
        self.max_employees = high
        self.result = result


@pytest.mark.parametrize(
    ("mark", "employees", "expected"),
    [
        ("A", 20, "A"),  # both ends of a band count
        ("A", 500, "A"),
        ("A", 19, "B"),  # below the band: the next rule
        ("A", 501, "B"),
        ("A", None, "B"),  # no headcount: only rules without a band match
        ("B", 10, "B"),
        ("B", 9, "C"),
        (None, 1000, "C"),
        ("C", 3, "C"),
    ],
)
def test_does_the_first_matching_rule_decide(mark, employees, expected):
    rules = [
        Rule("A", 20, 500, "A"),
        Rule("A", None, None, "B"),
        Rule("B", 10, None, "B"),
        Rule(None, None, None, "C"),
    ]
    assert service.compute_category(mark, employees, rules) == expected


def test_does_rule_order_matter():
    broad, narrow = Rule(None, None, None, "C"), Rule("A", 20, 500, "A")
    assert service.compute_category("A", 50, [broad, narrow]) == "C"
    assert service.compute_category("A", 50, [narrow, broad]) == "A"


def test_does_none_match_only_unmarked_industries_and_any_match_all():
    unmarked = Rule("none", None, None, "B")
    assert service.compute_category(None, 5, [unmarked]) == "B"
    assert service.compute_category("A", 5, [unmarked]) is None
    anything = Rule(None, 5, 5, "C")
    assert [service.compute_category(m, 5, [anything]) for m in ("A", "B", None)] == ["C"] * 3
    assert service.compute_category(None, 6, [anything]) is None


def test_do_the_rules_read_in_plain_words():
    assert service.describe_rule(Rule("A", 20, 500, "A")) == "A-industry and 20–500 employees → A"
    assert (
        service.describe_rule(Rule("B", 10, None, "B")) == "B-industry and 10 or more employees → B"
    )
    assert service.describe_rule(Rule("none", None, 9, "C")) == (
        "Industry without a mark and up to 9 employees → C"
    )
    assert service.describe_rule(Rule(None, None, None, "C")) == (
        "Any industry and any number of employees → C"
    )


def computed_in_python(companies, rules):
    """What each company should get, worked out here without the service's SQL."""
    marks = {i.id: i.effective_category for i in db.session.scalars(select(Industry))}
    expected = {}
    for company in companies:
        mark = marks.get(company.industry_id)
        result = None
        for low_rule in rules:
            industry_category, low, high, value = low_rule
            if industry_category == "none" and mark is not None:
                continue
            if industry_category in ("A", "B", "C") and mark != industry_category:
                continue
            n = company.employees
            if low is not None and (n is None or n < low):
                continue
            if high is not None and (n is None or n > high):
                continue
            result = value
            break
        expected[company.id] = result
    return expected


def test_does_the_recompute_change_only_what_must_change_and_record_exactly_that(tree):
    j, division, group, klass, subclass = tree
    admin = make_user(role="admin")
    rules = [
        ("A", 20, 500, "A"),
        ("A", None, None, "B"),
        ("B", 10, None, "B"),
        ("none", 50, None, "B"),
    ]
    set_rules(*rules)
    j.category = "A"
    division.category = "B"
    make_industry("63", section("J"))  # inherits A from J
    service.refresh_effective_categories()
    other = make_industry("63.1", db.session.scalar(select(Industry).where(Industry.code == "63")))
    plain = make_industry("70", section("M"))
    companies = [
        make_company(industry_id=klass.id, employees=12, category="C"),  # B-industry, 12 → B
        make_company(industry_id=klass.id, employees=3, category=None),  # no rule → stays None
        make_company(industry_id=other.id, employees=30, category="A"),  # already A
        make_company(industry_id=other.id, employees=1000, category="A"),  # → B
        make_company(industry_id=plain.id, employees=80, category=None),  # unmarked, 80 → B
        make_company(industry_id=None, employees=60, category="C"),  # no industry counts as none
        make_company(industry_id=klass.id, employees=12, category="C", category_manual=True),
    ]
    manual = companies[-1]
    service.refresh_effective_categories()
    before = {c.id: c.category for c in companies}
    expected = computed_in_python(companies[:-1], rules)
    expected[manual.id] = "C"  # set by hand: kept
    should_change = {i for i, new in expected.items() if new != before[i]}
    assert len(should_change) == 4  # the figures in the comments above

    dry = service.category_moves()
    assert dry.total == 4
    assert dry.to == Counter(expected[i] for i in should_change)  # and where they go

    moves = service.recompute_categories(admin)
    assert moves.to == dry.to
    assert {c.id: c.category for c in companies} == expected
    assert manual.category == "C"
    assert manual.category_manual
    rows = db.session.scalars(
        select(Change).where(
            Change.entity == "company", Change.field == "category", Change.company_id.in_(before)
        )
    ).all()
    assert sorted((r.entity_id, r.old, r.new) for r in rows) == sorted(
        (i, before[i], expected[i]) for i in should_change
    )
    assert {r.user_id for r in rows} == {admin.id}
    assert all(r.entity_id == r.company_id for r in rows)

    # A second recompute finds nothing to do and writes nothing.
    history = db.session.scalar(select(func.count(Change.id)))
    assert service.recompute_categories(admin).total == 0
    assert db.session.scalar(select(func.count(Change.id))) == history


def test_does_a_preview_count_without_changing_anything(tree):
    j, division, group, klass, subclass = tree
    admin = make_user(role="admin")
    set_rules(("A", None, None, "A"), (None, None, None, "C"))
    company = make_company(industry_id=klass.id, employees=5, category="C")
    moves = service.preview_moves(lambda: service.set_industry_mark(j, "A", admin))
    assert (moves.total, dict(moves.to)) == (1, {"A": 1})
    db.session.refresh(j)
    db.session.refresh(company)
    assert (j.category, j.effective_category, company.category) == (None, None, "C")


def test_does_a_summary_say_how_many_moved_where():
    moves = service.Moves(Counter({"A": 380, "B": 500, None: 324}))
    assert service.moves_summary(moves) == (
        "1,204 companies changed category: 380 to A, 500 to B, 324 to no category."
    )
    assert service.moves_summary(service.Moves()) == "No company changed category."


def test_are_rules_kept_in_order_when_moved_and_removed():
    admin = make_user(role="admin")
    set_rules(("A", 20, 500, "A"), ("A", None, None, "B"), (None, None, None, "C"))
    first, second, third = service.ordered_rules()
    assert service.move_rule(third, "up", admin)
    assert service.ordered_rules() == [first, third, second]
    assert not service.move_rule(first, "up", admin)
    service.delete_rule(third, admin)
    assert [r.position for r in service.ordered_rules()] == [1, 2]
    assert service.ordered_rules() == [first, second]


def test_does_a_company_get_its_category_when_created_or_its_headcount_changes(tree):
    from tests.factories import status
    from webapp.services.companies import create_company, update_company

    j, division, group, klass, subclass = tree
    user = make_user()
    set_rules(("A", 20, 500, "A"), ("A", None, None, "B"), (None, None, None, "C"))
    j.category = "A"
    service.refresh_effective_categories()
    company = create_company(
        {
            "name": "Nordisk Kode ApS",
            "status_id": status("prospect").id,
            "industry_id": klass.id,
            "employees": 25,
            "category": "C",
        },
        user,
    )
    assert company.category == "A"  # computed; the form's category is not set by hand
    update_company(company, {"employees": 2000}, user, company.version)
    assert company.category == "B"
    update_company(company, {"category": "C", "category_manual": True}, user, company.version)
    assert company.category == "C"
    update_company(company, {"employees": 30}, user, company.version)
    assert company.category == "C"  # set by hand: kept
    update_company(company, {"category_manual": False}, user, company.version)
    assert company.category == "A"  # cleared: back to the computed value
    assert db.session.get(Company, company.id).category == "A"


def test_does_the_demo_give_its_companies_an_industry_and_their_computed_category():
    from webapp.demo import seed_demo, seed_demo_industries

    seed_demo()
    companies = db.session.scalars(select(Company)).all()
    assert all(c.industry_id is not None for c in companies)
    rules = service.ordered_rules()
    marks = {i.id: i.effective_category for i in db.session.scalars(select(Industry))}
    assert all(
        c.category == service.compute_category(marks[c.industry_id], c.employees, rules)
        for c in companies
    )
    assert {c.category for c in companies} == {"A", "B", "C"}
    assert not db.session.scalar(select(func.count()).where(Change.field == "category"))
    assert seed_demo_industries() is False  # a second run changes nothing
