"""The groups section of the customer card."""

from webapp.card import card_section
from webapp.services.groups import group_rows


@card_section("groups")
def groups_section(company) -> dict:
    """The company's groups, choices and missing required groups (3 queries)."""
    rows = group_rows(company)
    return {"group_rows": rows, "groups_missing": [row.group for row in rows if row.missing]}
