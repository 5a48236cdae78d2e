"""The campaigns section of the customer card."""

from webapp.blueprints.campaigns import queries
from webapp.card import card_section


@card_section("campaigns")
def campaigns_section(company) -> dict:
    """The campaigns the company is in and those it can be added to (2 queries)."""
    return {
        "company_campaigns": queries.company_campaigns(company.id),
        "campaigns_offered": queries.campaigns_to_offer(company.id),
    }
