"""Contacts: the people at a company. Create, change, archive, restore."""

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Company, Contact
from webapp.models.user import utcnow
from webapp.services.audit import record_change
from webapp.services.companies import check_version

CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "marketing_consent",
    "consent_source",
)


def search_key_for(contact: Contact) -> str:
    """Lower-cased "first last email" for search-as-you-type."""
    text = f"{contact.first_name or ''} {contact.last_name or ''} {contact.email or ''}"
    return " ".join(text.split()).lower()[:500]


def _apply(contact: Contact, data: dict, now) -> None:
    had_consent = bool(contact.marketing_consent)
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    contact.first_name = (contact.first_name or "").strip()
    contact.last_name = (contact.last_name or "").strip()
    if contact.marketing_consent and not had_consent:
        contact.consent_at = now
    elif not contact.marketing_consent:
        contact.consent_at = None
        contact.consent_source = None
    contact.search_key = search_key_for(contact)


def _touch(company: Company, user, now) -> None:
    # The card changed for its owner's "changed since I last looked"; its version stays,
    # so an open company form is not made stale by a contact edit.
    company.updated_at = now
    company.updated_by_id = user.id if user else None


def create_contact(company: Company, data: dict, user) -> Contact:
    """Add a contact to a company and record it in the card's history."""
    now = utcnow()
    contact = Contact(company=company, created_at=now, updated_at=now, version=1)
    contact.marketing_consent = False
    _apply(contact, data, now)
    contact.updated_by_id = user.id if user else None
    db.session.add(contact)
    db.session.flush()
    record_change("contact", contact.id, "created", None, contact.name, user, company.id, now)
    _touch(company, user, now)
    return contact


def update_contact(contact: Contact, data: dict, user, seen_version) -> list[Change]:
    """Change a contact; refuse a stale save; history rows for every changed field."""
    check_version("contact", contact, seen_version)
    now = utcnow()
    before = {field: getattr(contact, field) for field in (*CONTACT_FIELDS, "consent_at")}
    _apply(contact, data, now)
    rows = []
    for field, old in before.items():
        row = record_change(
            "contact",
            contact.id,
            field,
            old,
            getattr(contact, field),
            user,
            contact.company_id,
            now,
        )
        if row is not None:
            rows.append(row)
    if rows:
        contact.version += 1
        contact.updated_at = now
        contact.updated_by_id = user.id if user else None
        _touch(contact.company, user, now)
        db.session.flush()
    return rows


def set_archived(contact: Contact, archived: bool, user) -> None:
    """Archive or restore a contact; nothing is deleted."""
    if contact.archived == archived:
        return
    now = utcnow()
    record_change(
        "contact", contact.id, "archived", contact.archived, archived, user, contact.company_id, now
    )
    contact.archived = archived
    contact.version += 1
    contact.updated_at = now
    contact.updated_by_id = user.id if user else None
    _touch(contact.company, user, now)
    db.session.flush()
