"""Group rules shared by the card, the list and the reports."""

from collections import defaultdict

from sqlalchemy import select

from webapp.extensions import db
from webapp.models.customer import Company, Status
from webapp.models.group import Group, GroupValue

# A group "required from" a kind is required for that kind and the kinds after it.
REQUIRED_KINDS = {
    "prospect": {"prospect", "customer", "former_customer"},
    "customer": {"customer", "former_customer"},
    "former_customer": {"former_customer"},
    "inactive": {"inactive"},
}


def required_groups_for_kind(kind: str, groups) -> list[Group]:
    return [g for g in groups if g.required_from and kind in REQUIRED_KINDS[g.required_from]]


def missing_required_groups(company_ids) -> dict[int, list[Group]]:
    """For each company id, the active required company groups that have no value: 2 queries."""
    company_ids = list(company_ids)
    if not company_ids:
        return {}
    groups = db.session.scalars(
        select(Group)
        .where(Group.active, Group.applies_to == "company", Group.required_from.is_not(None))
        .order_by(Group.position, Group.id)
    ).all()
    if not groups:
        return {}
    rows = db.session.execute(
        select(Company.id, Status.kind).join(Status).where(Company.id.in_(company_ids))
    ).all()
    filled = defaultdict(set)
    for company_id, group_id in db.session.execute(
        select(GroupValue.company_id, GroupValue.group_id)
        .where(GroupValue.company_id.in_(company_ids))
        .distinct()
    ):
        filled[company_id].add(group_id)
    result = {}
    for company_id, kind in rows:
        missing = [
            g for g in required_groups_for_kind(kind, groups) if g.id not in filled[company_id]
        ]
        if missing:
            result[company_id] = missing
    return result
