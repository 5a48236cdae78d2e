"""A/B/C categories: industry marks with inheritance, ordered rules, set-based recompute.

A company's category comes from the first active rule (by position) that matches the
effective category of its industry and its number of employees. Companies whose
category is set by hand keep it. The recompute is a few set-based statements whatever
the number of companies; each company that changes gets one history row.
"""

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, case, cast, func, insert, literal, select, true
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import CATEGORIES, Company
from webapp.models.marketing import CategoryRule, Industry
from webapp.models.user import utcnow
from webapp.services.audit import record_change
from webapp.services.statuses import ConfigError, move_in_order

# What a rule asks of the industry: any, one of the marks, or no mark at all.
INDUSTRY_CATEGORIES = {
    "": _l("Any industry"),
    "A": _l("A-industry"),
    "B": _l("B-industry"),
    "C": _l("C-industry"),
    "none": _l("Industry without a mark"),
}
MAX_LEVEL = 4
RULE_FIELDS = ("industry_category", "min_employees", "max_employees", "result")


# --- Industry marks and inheritance ---------------------------------------------------


def refresh_effective_categories() -> None:
    """Set every industry's effective category: its own mark, else its parent's.

    One UPDATE per level, top down, so each level reads its parents' fresh values.
    """
    db.session.flush()
    table = Industry.__table__
    parent = aliased(table)
    db.session.execute(
        table.update().where(table.c.level == 0).values(effective_category=table.c.category)
    )
    for level in range(1, MAX_LEVEL + 1):
        inherited = (
            select(parent.c.effective_category)
            .where(parent.c.id == table.c.parent_id)
            .scalar_subquery()
        )
        db.session.execute(
            table.update()
            .where(table.c.level == level)
            .values(effective_category=func.coalesce(table.c.category, inherited))
        )
    _expire(Industry, "effective_category")


def set_industry_mark(industry: Industry, category: str | None, user) -> bool:
    """Mark an industry A, B or C (None: inherit); refresh the inheritance. True if changed."""
    category = category or None
    if category is not None and category not in CATEGORIES:
        raise ConfigError(_("Choose A, B, C or no mark."), "category")
    if industry.category == category:
        return False
    record_change("industry", industry.id, "category", industry.category, category, user)
    industry.category = category
    refresh_effective_categories()
    return True


# --- Rules ------------------------------------------------------------------------------


def ordered_rules(active_only: bool = True) -> list[CategoryRule]:
    query = select(CategoryRule).order_by(CategoryRule.position, CategoryRule.id)
    if active_only:
        query = query.where(CategoryRule.active.is_(True))
    return list(db.session.scalars(query))


def rule_matches(rule, effective: str | None, employees: int | None) -> bool:
    """Whether a rule applies to an industry mark and a number of employees (bands inclusive)."""
    wanted = rule.industry_category
    if wanted == "none" and effective is not None:
        return False
    if wanted in CATEGORIES and effective != wanted:
        return False
    if rule.min_employees is not None and (employees is None or employees < rule.min_employees):
        return False
    return not (
        rule.max_employees is not None and (employees is None or employees > rule.max_employees)
    )


def compute_category(effective: str | None, employees: int | None, rules) -> str | None:
    """The result of the first rule that matches; None when none does."""
    for rule in rules:
        if rule_matches(rule, effective, employees):
            return rule.result
    return None


def category_for(industry_id: int | None, employees: int | None) -> str | None:
    """The computed category of a company with this industry and headcount."""
    effective = None
    if industry_id is not None:
        effective = db.session.scalar(
            select(Industry.effective_category).where(Industry.id == industry_id)
        )
    return compute_category(effective, employees, ordered_rules())


def apply_computed_category(company: Company) -> None:
    """Give a company its computed category unless it is set by hand."""
    if not company.category_manual:
        company.category = category_for(company.industry_id, company.employees)


def refresh_category(company: Company, before: tuple, old_category: str | None) -> None:
    """After a form save: keep a category set by hand; otherwise the computed one.

    `before` is (id, industry_id, employees, category_manual) as they were before the
    save. A category not set by hand is computed for a new company, when its industry or
    employees change, and when "set by hand" is switched off; otherwise it stays as it is
    (the rules' last recompute decides it, not the form).
    """
    if company.category_manual:
        return
    company_id, industry_id, employees, was_manual = before
    if (
        company_id is None
        or was_manual
        or (industry_id, employees) != (company.industry_id, company.employees)
    ):
        apply_computed_category(company)
    else:
        company.category = old_category


def describe_rule(rule) -> str:
    """The rule in plain words: "A-industry and 20–500 employees → A"."""
    industry = str(INDUSTRY_CATEGORIES.get(rule.industry_category or "", rule.industry_category))
    low, high = rule.min_employees, rule.max_employees
    if low is not None and high is not None:
        band = _("%(low)s–%(high)s employees", low=format_number(low), high=format_number(high))
    elif low is not None:
        band = _("%(low)s or more employees", low=format_number(low))
    elif high is not None:
        band = _("up to %(high)s employees", high=format_number(high))
    else:
        band = _("any number of employees")
    return _(
        "%(industry)s and %(band)s → %(result)s", industry=industry, band=band, result=rule.result
    )


def clean_rule(data: dict) -> dict:
    industry_category = data.get("industry_category") or None
    if industry_category is not None and industry_category not in INDUSTRY_CATEGORIES:
        raise ConfigError(_("Choose which industries the rule is for."), "industry_category")
    low, high = data.get("min_employees"), data.get("max_employees")
    for name, value in (("min_employees", low), ("max_employees", high)):
        if value is not None and value < 0:
            raise ConfigError(_("Enter a number of 0 or more."), name)
    if low is not None and high is not None and low > high:
        raise ConfigError(
            _("The lowest number of employees is above the highest."), "max_employees"
        )
    if data.get("result") not in CATEGORIES:
        raise ConfigError(_("Choose the category A, B or C."), "result")
    return {
        "industry_category": industry_category,
        "min_employees": low,
        "max_employees": high,
        "result": data["result"],
    }


def create_rule(data: dict, user) -> CategoryRule:
    """Add a rule at the end of the order."""
    values = clean_rule(data)
    last = db.session.scalar(select(func.max(CategoryRule.position))) or 0
    rule = CategoryRule(position=last + 1, active=True, **values)
    db.session.add(rule)
    db.session.flush()
    record_change("category_rule", rule.id, "created", None, describe_rule(rule), user)
    return rule


def update_rule(rule: CategoryRule, data: dict, user) -> bool:
    """Change a rule's industry, band or result; True if anything changed."""
    values = clean_rule(data)
    before = describe_rule(rule)
    changed = False
    for name, value in values.items():
        if getattr(rule, name) != value:
            setattr(rule, name, value)
            changed = True
    if changed:
        record_change("category_rule", rule.id, "rule", before, describe_rule(rule), user)
        db.session.flush()
    return changed


def move_rule(rule: CategoryRule, direction: str, user) -> bool:
    """Move a rule one place up or down in the order."""
    rules = ordered_rules(active_only=False)
    old = rules.index(rule) + 1
    if not move_in_order(rules, rule, direction):
        return False
    record_change("category_rule", rule.id, "position", old, rules.index(rule) + 1, user)
    db.session.flush()
    return True


def delete_rule(rule: CategoryRule, user) -> None:
    record_change("category_rule", rule.id, "deleted", describe_rule(rule), None, user)
    db.session.delete(rule)
    db.session.flush()
    for position, each in enumerate(ordered_rules(active_only=False), start=1):
        each.position = position
    db.session.flush()


# --- The set-based recompute ------------------------------------------------------------


def _computed_category_sql(rules, effective):
    """A SQL expression: the category the rules give a company row whose industry's
    effective category is `effective` (a column or an expression)."""
    whens = []
    for rule in rules:
        conditions = []
        if rule.industry_category == "none":
            conditions.append(effective.is_(None))
        elif rule.industry_category in CATEGORIES:
            conditions.append(effective == rule.industry_category)
        if rule.min_employees is not None:
            conditions.append(Company.employees >= rule.min_employees)
        if rule.max_employees is not None:
            conditions.append(Company.employees <= rule.max_employees)
        whens.append((and_(*conditions) if conditions else true(), rule.result))
    if not whens:
        return cast(literal(None), String(1))
    return cast(case(*whens, else_=None), String(1))


def _changing(rules):
    """Companies not set by hand whose computed category differs from the stored one.

    One pass over the companies, each joined to its industry once (an outer join, so
    companies without an industry count as unmarked): the rows (id, old, new).
    """
    computed = _computed_category_sql(rules, Industry.effective_category)
    rows = (
        select(
            Company.id.label("company_id"),
            Company.category.label("old_category"),
            computed.label("new_category"),
        )
        .select_from(Company)
        .outerjoin(Industry, Industry.id == Company.industry_id)
        .where(Company.category_manual.is_(False))
        .subquery("computed")
    )
    return rows, rows.c.old_category.is_distinct_from(rows.c.new_category)


@dataclass
class Moves:
    """How many companies move to each category (None: to no category)."""

    to: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.to.values())

    def parts(self) -> list[tuple[str | None, int]]:
        order = [*CATEGORIES, None]
        return [(c, self.to[c]) for c in order if self.to.get(c)]


def category_moves() -> Moves:
    """A dry count: how many companies the current rules and marks would move, and where."""
    db.session.flush()
    rows, differs = _changing(ordered_rules())
    counted = db.session.execute(
        select(rows.c.new_category, func.count()).where(differs).group_by(rows.c.new_category)
    ).all()
    return Moves(Counter(dict(counted)))


def recompute_categories(user, record: bool = True) -> Moves:
    """Give every company not set by hand its computed category; one history row per change
    (`record=False` only for data that starts out computed, like the demo's).

    Three set-based statements whatever the number of companies: the dry count (for the
    summary), INSERT … SELECT of the history rows, and an UPDATE of exactly the companies
    that change (each looks up its industry once more; only those rows are touched).
    """
    moves = category_moves()
    if not moves.total:
        return moves
    rules = ordered_rules()
    rows, differs = _changing(rules)
    if record:
        _record_moves(rows, differs, user, utcnow())
    effective = (
        select(Industry.effective_category)
        .where(Industry.id == Company.industry_id)
        .correlate(Company)
        .scalar_subquery()
    )
    db.session.execute(
        Company.__table__.update()
        .where(Company.id.in_(select(rows.c.company_id).where(differs)))
        .values(category=_computed_category_sql(rules, effective))
    )
    _expire(Company, "category")
    return moves


def _record_moves(rows, differs, user, now) -> None:
    """INSERT … SELECT one history row per company that changes category."""
    history = Change.__table__
    db.session.execute(
        insert(history).from_select(
            ["entity", "entity_id", "company_id", "field", "old", "new", "user_id", "changed_at"],
            select(
                literal("company", String(20)),
                rows.c.company_id,
                rows.c.company_id,
                literal("category", String(60)),
                rows.c.old_category,
                rows.c.new_category,
                cast(literal(user.id if user is not None else None, Integer), Integer),
                literal(now, history.c.changed_at.type),
            ).where(differs),
        )
    )


def preview_moves(change) -> Moves:
    """Apply `change()` inside a savepoint, count the companies it would move, undo it."""
    db.session.flush()
    savepoint = db.session.begin_nested()
    try:
        change()
        db.session.flush()
        refresh_effective_categories()
        return category_moves()
    finally:
        savepoint.rollback()


def moves_summary(moves: Moves) -> str:
    """ "1,204 companies changed category: 380 to A, 500 to B, 324 to no category"."""
    if not moves.total:
        return _("No company changed category.")
    parts = ", ".join(
        _("%(n)s to %(c)s", n=format_number(n), c=c)
        if c
        else _("%(n)s to no category", n=format_number(n))
        for c, n in moves.parts()
    )
    return _(
        "%(n)s companies changed category: %(parts)s.",
        n=format_number(moves.total),
        parts=parts,
    )


def moves_preview_text(moves: Moves) -> str:
    """ "This moves 1,204 companies: 380 to A, …" before anything is applied."""
    if not moves.total:
        return _("No company would change category.")
    parts = ", ".join(
        _("%(n)s to %(c)s", n=format_number(n), c=c)
        if c
        else _("%(n)s to no category", n=format_number(n))
        for c, n in moves.parts()
    )
    return _(
        "%(n)s companies would change category: %(parts)s.",
        n=format_number(moves.total),
        parts=parts,
    )


def category_counts() -> dict:
    """How many current companies have each category, and how many are set by hand."""
    rows = db.session.execute(
        select(Company.category, Company.category_manual, func.count())
        .where(Company.archived.is_(False))
        .group_by(Company.category, Company.category_manual)
    ).all()
    counts = Counter()
    for category, manual, n in rows:
        counts[category] += n
        if manual:
            counts["manual"] += n
    return counts


def _expire(model, attribute: str) -> None:
    """Forget a column's loaded value on objects in the session after a set-based UPDATE."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, model):
            db.session.expire(obj, [attribute])
