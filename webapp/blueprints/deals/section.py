"""The deals section of the customer card."""

from webapp.blueprints.deals import queries
from webapp.card import card_section


@card_section("deals")
def deals_section(company) -> dict:
    """The company's open deals, then its closed ones (one query)."""
    open_deals, closed = queries.company_deals(company.id)
    return {"open_deals": open_deals, "closed_deals": closed}
