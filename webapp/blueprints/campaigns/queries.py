"""Read-only queries of the campaign pages and the card section."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models.customer import Company, Status
from webapp.models.marketing import Campaign, CampaignCompany, Segment
from webapp.models.pipeline import Deal
from webapp.models.user import User
from webapp.services.segments import visible_to

LEADS_PAGE = 50
OFFER_LIMIT = 100


def leads_page(campaign_id: int, page: int = 1):
    """A page of the campaign's leads: (company, owner name), by name; and the total (2 queries)."""
    total = db.session.scalar(
        select(func.count())
        .select_from(CampaignCompany)
        .where(CampaignCompany.campaign_id == campaign_id)
    )
    rows = db.session.execute(
        select(Company, User.name)
        .join(CampaignCompany, CampaignCompany.company_id == Company.id)
        .outerjoin(User, User.id == Company.owner_id)
        .where(CampaignCompany.campaign_id == campaign_id)
        .order_by(Company.name_key, Company.id)
        .limit(LEADS_PAGE)
        .offset((page - 1) * LEADS_PAGE)
    ).all()
    return rows, total or 0


DEALS_SHOWN = 50


def campaign_deals(campaign_id: int) -> tuple[list[Deal], int]:
    """The biggest deals tied to the campaign, open first, and how many there are (2 queries)."""
    total = db.session.scalar(
        select(func.count()).select_from(Deal).where(Deal.campaign_id == campaign_id)
    )
    # The company's name only: loading the company itself would join its status too,
    # and lead the planner to walk every company.
    deals = db.session.execute(
        select(Deal, Company.name)
        .join(Company, Company.id == Deal.company_id)
        .where(Deal.campaign_id == campaign_id)
        .options(joinedload(Deal.stage))
        .order_by(Deal.outcome != "open", Deal.value.desc(), Deal.id)
        .limit(DEALS_SHOWN)
    ).all()
    return [tuple(row) for row in deals], total or 0


def attachable_deals(campaign_id: int) -> list[tuple[Deal, str]]:
    """Open deals of the campaign's companies not tied to it yet, with the company's name."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Deal, Company.name)
            .join(CampaignCompany, CampaignCompany.company_id == Deal.company_id)
            .join(Company, Company.id == Deal.company_id)
            .where(
                CampaignCompany.campaign_id == campaign_id,
                Deal.outcome == "open",
                or_(Deal.campaign_id.is_(None), Deal.campaign_id != campaign_id),
            )
            .order_by(Deal.title, Deal.id)
            .limit(OFFER_LIMIT)
        )
    ]


def segments_for(user) -> list[Segment]:
    return list(
        db.session.scalars(
            select(Segment).where(visible_to(user)).order_by(Segment.name, Segment.id)
        )
    )


def statuses() -> list[Status]:
    return list(
        db.session.scalars(select(Status).where(Status.active).order_by(Status.position, Status.id))
    )


def status_by_key(key: str) -> Status | None:
    return db.session.scalar(select(Status).where(Status.key == key))


def company_campaigns(company_id: int) -> list[Campaign]:
    """The campaigns a company is in, newest first (one query)."""
    return list(
        db.session.scalars(
            select(Campaign)
            .join(CampaignCompany, CampaignCompany.campaign_id == Campaign.id)
            .where(CampaignCompany.company_id == company_id)
            .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
        )
    )


def campaigns_to_offer(company_id: int) -> list[Campaign]:
    """Campaigns the company is not in yet, newest first (one query)."""
    already = select(CampaignCompany.campaign_id).where(CampaignCompany.company_id == company_id)
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.id.not_in(already))
            .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
            .limit(OFFER_LIMIT)
        )
    )
