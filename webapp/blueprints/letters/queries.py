"""Read-only queries of the letters pages."""

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from webapp.blueprints.customers.queries import contact_match
from webapp.extensions import db
from webapp.models.customer import Company, Contact
from webapp.models.marketing import LetterTemplate, Segment
from webapp.models.user import User
from webapp.services.companies import name_key_for
from webapp.services.segments import segment_contacts_query, visible_to

PICK_LIMIT = 10


def templates() -> list[tuple[LetterTemplate, str | None]]:
    """Every letter template with the name of who saved it last (one query)."""
    return list(
        db.session.execute(
            select(LetterTemplate, User.name)
            .outerjoin(User, User.id == LetterTemplate.updated_by_id)
            .order_by(LetterTemplate.name)
        )
    )


def segments_for(user) -> list[Segment]:
    return list(
        db.session.scalars(
            select(Segment).where(visible_to(user)).order_by(Segment.name, Segment.id)
        )
    )


def find_contacts(q: str) -> list[Contact]:
    """Live contacts whose name or e-mail starts with q, with their company (one query)."""
    key = name_key_for(q)
    if not key:
        return []
    return list(
        db.session.scalars(
            select(Contact)
            .join(Company, Company.id == Contact.company_id)
            .where(contact_match(key), Contact.archived.is_(False), Company.archived.is_(False))
            .options(joinedload(Contact.company))
            .order_by(Contact.search_key, Contact.id)
            .limit(PICK_LIMIT)
        )
    )


def first_segment_contacts(segment, consent_only=False) -> list[Contact]:
    return list(
        db.session.scalars(
            segment_contacts_query(segment, consent_only=consent_only)
            .options(contains_eager(Contact.company))
            .limit(PICK_LIMIT)
        )
    )


def live_contact(contact_id) -> Contact | None:
    if not contact_id:
        return None
    return db.session.scalar(
        select(Contact)
        .where(Contact.id == contact_id, Contact.archived.is_(False))
        .options(joinedload(Contact.company))
    )
