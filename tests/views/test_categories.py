"""The A/B/C rules page: rules in plain words, dry counts before changes, the recompute."""

import pytest
from sqlalchemy import func, select

from tests.factories import make_company
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.marketing import CategoryRule, Industry
from webapp.services.categories import ordered_rules, refresh_effective_categories


def section(code):
    return db.session.scalar(select(Industry).where(Industry.code == code))


def category_changes():
    return db.session.scalar(
        select(func.count(Change.id)).where(Change.entity == "company", Change.field == "category")
    )


@pytest.fixture
def marked():
    """J is an A-industry; K is unmarked. The four default rules apply."""
    section("J").category = "A"
    refresh_effective_categories()
    return section("J"), section("K")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/category-rules"),
        ("post", "/admin/category-rules/new"),
        ("get", "/admin/category-rules/1"),
        ("post", "/admin/category-rules/1"),
        ("post", "/admin/category-rules/1/move"),
        ("post", "/admin/category-rules/1/delete"),
        ("post", "/admin/category-rules/recompute"),
    ],
)
def test_are_the_rules_for_admins_only(method, url, employee_client, manager_client, client):
    assert getattr(employee_client, method)(url).status_code == 403
    assert getattr(manager_client, method)(url).status_code == 403
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_does_the_page_read_the_default_rules_in_order_in_plain_words(admin_client, marked):
    j, _k = marked
    make_company(industry_id=j.id, category="A")
    make_company(category="C", category_manual=True)
    page = admin_client.get("/admin/category-rules").text
    readings = [
        "A-industry and 20–500 employees → A",
        "A-industry and any number of employees → B",
        "B-industry and 10 or more employees → B",
        "Any industry and any number of employees → C",
    ]
    positions = [page.index(r) for r in readings]
    assert positions == sorted(positions)
    assert "A: 1" in page
    assert "C: 1" in page
    assert "of which set by hand: 1" in page


def test_does_a_new_rule_show_its_dry_count_before_it_is_added(admin_client, hx, marked):
    j, k = marked
    small = make_company(industry_id=k.id, employees=5, category="C")
    big = make_company(industry_id=k.id, employees=200, category="C")
    kept = make_company(industry_id=k.id, employees=200, category="C", category_manual=True)
    # A new rule goes last, after "any → C", so on its own it moves nobody.
    data = {"industry_category": "none", "min_employees": "100", "max_employees": "", "result": "B"}
    preview = admin_client.post("/admin/category-rules/new", data=data, headers=hx)
    assert preview.status_code == 200
    assert "Add the rule “Industry without a mark and 100 or more employees → B”?" in preview.text
    assert "No company would change category." in preview.text  # "any → C" comes first
    assert len(ordered_rules()) == 4

    confirmed = admin_client.post("/admin/category-rules/new", data={**data, "confirm": "1"})
    assert confirmed.status_code == 303
    rules = ordered_rules()
    assert [(r.industry_category, r.min_employees, r.max_employees, r.result) for r in rules][
        -1
    ] == (
        "none",
        100,
        None,
        "B",
    )
    added = rules[-1]

    # Moving it above "any → C" moves the big unmarked company, not the one set by hand.
    move = admin_client.post(
        f"/admin/category-rules/{added.id}/move", data={"direction": "up"}, headers=hx
    )
    assert "1 companies would change category: 1 to B." in move.text
    assert ordered_rules()[-1] == added  # nothing applied yet
    admin_client.post(
        f"/admin/category-rules/{added.id}/move", data={"direction": "up", "confirm": "1"}
    )
    assert ordered_rules()[-2] == added
    for company in (small, big, kept):
        db.session.refresh(company)
    assert (small.category, big.category, kept.category) == ("C", "B", "C")
    row = db.session.scalar(
        select(Change).where(Change.company_id == big.id, Change.field == "category")
    )
    assert (row.old, row.new, row.user_id) == ("C", "B", admin_client.user.id)
    assert category_changes() == 1
    page = admin_client.get("/admin/category-rules").text
    assert "Moved the rule. 1 companies changed category: 1 to B." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"min_employees": "500", "max_employees": "20"},
            "The lowest number of employees is above the highest.",
        ),
        ({"min_employees": "-1"}, "Enter a number of 0 or more."),
        ({"min_employees": "ten"}, "Not a valid integer value."),
        ({"result": "D"}, "Not a valid choice."),
        ({"industry_category": "X"}, "Not a valid choice."),
    ],
)
def test_is_a_wrong_rule_refused_beside_the_field(admin_client, hx, data, message):
    form = {
        "industry_category": "A",
        "min_employees": "",
        "max_employees": "",
        "result": "A",
        **data,
    }
    response = admin_client.post("/admin/category-rules/new", data=form, headers=hx)
    assert response.status_code == 422
    assert message in response.text
    assert response.headers["HX-Retarget"] == "#rule-form"
    assert response.text.lstrip().startswith('<form id="rule-form"')
    assert len(ordered_rules()) == 4


def test_does_editing_a_rule_recompute_after_confirmation(admin_client, hx, marked):
    j, _k = marked
    company = make_company(industry_id=j.id, employees=700, category="B")
    first = ordered_rules()[0]
    page = admin_client.get(f"/admin/category-rules/{first.id}").text
    assert "Now: A-industry and 20–500 employees → A." in page
    data = {"industry_category": "A", "min_employees": "20", "max_employees": "1000", "result": "A"}
    preview = admin_client.post(f"/admin/category-rules/{first.id}", data=data, headers=hx)
    assert "Change the rule to “A-industry and 20–1,000 employees → A”?" in preview.text
    assert "1 companies would change category: 1 to A." in preview.text
    db.session.refresh(first)
    assert first.max_employees == 500
    response = admin_client.post(f"/admin/category-rules/{first.id}", data={**data, "confirm": "1"})
    assert response.status_code == 303
    assert first.max_employees == 1000
    db.session.refresh(company)
    assert company.category == "A"


def test_does_removing_a_rule_ask_first_then_recompute(admin_client, hx, marked):
    j, _k = marked
    company = make_company(industry_id=j.id, employees=3, category="B")
    second = ordered_rules()[1]  # A-industry, any headcount → B
    preview = admin_client.post(f"/admin/category-rules/{second.id}/delete", headers=hx)
    assert "Remove the rule “A-industry and any number of employees → B”?" in preview.text
    assert "1 companies would change category: 1 to C." in preview.text
    assert db.session.get(CategoryRule, second.id) is not None
    response = admin_client.post(f"/admin/category-rules/{second.id}/delete", data={"confirm": "1"})
    assert response.status_code == 303
    assert db.session.get(CategoryRule, second.id) is None
    assert [r.position for r in ordered_rules()] == [1, 2, 3]
    db.session.refresh(company)
    assert company.category == "C"


def test_does_recompute_all_show_the_count_and_then_apply(admin_client, hx, marked):
    j, k = marked
    stale = [make_company(industry_id=j.id, employees=50, category=None) for _ in range(3)]
    make_company(industry_id=k.id, employees=50, category="C")
    preview = admin_client.post("/admin/category-rules/recompute", headers=hx)
    assert "Recompute the categories of all companies?" in preview.text
    assert "3 companies would change category: 3 to A." in preview.text
    assert category_changes() == 0
    admin_client.post("/admin/category-rules/recompute", data={"confirm": "1"})
    for company in stale:
        db.session.refresh(company)
    assert {c.category for c in stale} == {"A"}
    assert category_changes() == 3
    page = admin_client.get("/admin/category-rules").text
    assert "Recomputed. 3 companies changed category: 3 to A." in page


def test_is_a_rule_change_without_csrf_token_refused(admin_client, csrf):
    first = ordered_rules()[0]
    response = admin_client.post(f"/admin/category-rules/{first.id}/delete", data={"confirm": "1"})
    assert response.status_code == 400
    assert db.session.get(CategoryRule, first.id) is not None
    response = admin_client.post(
        "/admin/category-rules/new",
        data={"industry_category": "", "result": "A", "confirm": "1"},
    )
    assert response.status_code == 400
    assert len(ordered_rules()) == 4


def test_is_an_unknown_rule_a_404(admin_client):
    assert admin_client.get("/admin/category-rules/99999").status_code == 404
