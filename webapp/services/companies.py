"""Companies (customer cards): clean input, create, change, archive, find duplicates."""

import difflib
import re
from collections import OrderedDict
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from stdnum.dk import cvr as dk_cvr
from stdnum.exceptions import ValidationError as StdnumError

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Company, Status
from webapp.models.user import User, utcnow
from webapp.services.audit import record_change
from webapp.services.automation import on_status_changed
from webapp.services.categories import refresh_category
from webapp.services.industries import label_for_id

# Fields a company form edits, in the order the history lists them.
COMPANY_FIELDS = (
    "name",
    "cvr",
    "street",
    "postcode",
    "city",
    "country",
    "website",
    "phone",
    "email",
    "industry_id",
    "employees",
    "category",
    "category_manual",
    "status_id",
    "owner_id",
    "notes",
)
# Company-form suffixes left out when names are compared for duplicates.
COMPANY_SUFFIXES = {"aps", "a/s", "as", "ivs", "k/s", "ks", "i/s", "is", "p/s", "smba", "amba"}
SIMILAR_NAME_RATIO = 0.88


class InvalidValue(ValueError):
    """A value a user typed that Kanel cannot accept; the message says why."""


class StaleEdit(Exception):
    """Someone saved the record after this form was opened."""

    def __init__(self, changes, current_version):
        super().__init__("stale edit")
        self.changes = changes
        self.current_version = current_version


def name_key_for(name: str | None) -> str:
    """The lower-cased name used for sorting and search."""
    return " ".join((name or "").split()).lower()[:200]


def comparable_name(name: str | None) -> str:
    """The name without punctuation and company-form suffixes, for duplicate checks."""
    words = [w.strip(".,;:()") for w in name_key_for(name).split()]
    while words and words[-1] in COMPANY_SUFFIXES:
        words.pop()
    return re.sub(r"[^\w ]+", "", " ".join(words)).strip()


def clean_text(value) -> str | None:
    value = (value or "").strip()
    return value or None


def clean_cvr(value) -> str | None:
    """Validate a Danish CVR number and return its eight digits."""
    value = clean_text(value)
    if value is None:
        return None
    try:
        return dk_cvr.validate(value)
    except StdnumError as error:
        raise InvalidValue(
            _l("That is not a valid CVR number: it has eight digits and a check digit.")
        ) from error


def clean_email(value) -> str | None:
    value = clean_text(value)
    if value is None:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidValue(
            _l("That is not a valid e-mail address (like name@example.dk).")
        ) from error


def clean_phone(value, region: str = "DK") -> str | None:
    """Parse a phone number (Danish unless it starts with +) into international format."""
    value = clean_text(value)
    if value is None:
        return None
    try:
        number = phonenumbers.parse(value, region or "DK")
    except phonenumbers.NumberParseException as error:
        raise InvalidValue(_l("That is not a phone number.")) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(
            _l("That is not a valid phone number. Start with + and the country code if abroad.")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_website(value) -> tuple[str | None, str | None]:
    """Return the website as an https URL with a lower-case host, and its domain without www."""
    value = clean_text(value)
    if value is None:
        return None, None
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or "." not in host or " " in value:
        raise InvalidValue(_l("That is not a web address (like example.dk)."))
    netloc = host + (f":{parts.port}" if parts.port else "")
    path = parts.path if parts.path not in ("", "/") else ""
    query = f"?{parts.query}" if parts.query else ""
    domain = host[4:] if host.startswith("www.") else host
    return f"{parts.scheme}://{netloc}{path}{query}", domain


def clean_country(value) -> str:
    value = (value or "DK").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise InvalidValue(_l("Use the two-letter country code, like DK or SE."))
    return value


def find_duplicates(name=None, cvr=None, website_domain=None, exclude_id=None, limit=5):
    """Likely duplicates of a new company: [(company, reason)], at most `limit`."""
    found: OrderedDict[int, tuple[Company, str]] = OrderedDict()

    def add(companies, reason):
        for company in companies:
            if company.id != exclude_id and company.id not in found:
                found[company.id] = (company, reason)

    if cvr:
        add(db.session.scalars(select(Company).where(Company.cvr == cvr).limit(limit)), "cvr")
    if website_domain:
        add(
            db.session.scalars(
                select(Company).where(Company.website_domain == website_domain).limit(limit)
            ),
            "website",
        )
    wanted = comparable_name(name)
    if len(wanted) >= 2:
        # Similar names share their start; the index on name_key finds those candidates.
        start = name_key_for(name)[: min(4, len(wanted))]
        candidates = db.session.scalars(
            select(Company)
            .where(Company.name_key >= start, Company.name_key < start + "\uffff")
            .order_by(Company.name_key)
            .limit(200)
        )
        similar = [
            c
            for c in candidates
            if difflib.SequenceMatcher(None, wanted, comparable_name(c.name)).ratio()
            >= SIMILAR_NAME_RATIO
        ]
        add(similar, "name")
    return list(found.values())[:limit]


def _apply(company: Company, data: dict) -> None:
    before = (company.id, company.industry_id, company.employees, company.category_manual)
    old_category = company.category
    for field in COMPANY_FIELDS:
        if field in data:
            setattr(company, field, data[field])
    company.name = " ".join(company.name.split())
    company.name_key = name_key_for(company.name)
    company.website, company.website_domain = clean_website(company.website)
    refresh_category(company, before, old_category)


def _label_of(model, ident):
    if ident is None:
        return None
    obj = db.session.get(model, ident)
    return obj.name if obj is not None else str(ident)


def _history_value(field, value):
    if field == "status_id":
        return _label_of(Status, value)
    if field == "owner_id":
        return _label_of(User, value)
    if field == "industry_id":
        return label_for_id(value) or None
    return value


def history_field(field: str) -> str:
    """The field name history rows use: status and owner rather than their ids."""
    return {"status_id": "status", "owner_id": "owner", "industry_id": "industry"}.get(field, field)


def create_company(data: dict, user) -> Company:
    """Add a company from cleaned form data; record its creation and run the automation."""
    now = utcnow()
    company = Company(
        name="",
        created_at=now,
        created_by_id=user.id if user else None,
        updated_at=now,
        updated_by_id=user.id if user else None,
        version=1,
    )
    _apply(company, data)
    db.session.add(company)
    db.session.flush()
    record_change("company", company.id, "created", None, company.name, user, company.id, now)
    on_status_changed(company, None, user)
    return company


def changes_since(entity: str, entity_id: int, seen_version: int, current_version: int):
    """The history rows of the saves made after version `seen_version` (newest first)."""
    saves = max(current_version - seen_version, 0)
    if not saves:
        return []
    rows = db.session.scalars(
        select(Change)
        .where(Change.entity == entity, Change.entity_id == entity_id)
        .order_by(Change.changed_at.desc(), Change.id.desc())
        .limit(200)
    ).all()
    result, moments = [], []
    for row in rows:
        moment = (row.changed_at, row.user_id)
        if moment not in moments:
            if len(moments) == saves:
                break
            moments.append(moment)
        result.append(row)
    return result


def check_version(entity: str, obj, seen_version) -> None:
    """Refuse a save when the record changed since the form showed `seen_version`."""
    try:
        seen = int(seen_version)
    except (TypeError, ValueError):
        seen = 0
    if seen != obj.version:
        raise StaleEdit(changes_since(entity, obj.id, seen, obj.version), obj.version)


def update_company(company: Company, data: dict, user, seen_version) -> list[Change]:
    """Change a company from cleaned form data; history rows for every changed field."""
    check_version("company", company, seen_version)
    before = {field: getattr(company, field) for field in COMPANY_FIELDS}
    old_status = company.status
    _apply(company, data)
    now = utcnow()
    rows = []
    for field, old in before.items():
        new = getattr(company, field)
        if old == new:
            continue
        row = record_change(
            "company",
            company.id,
            history_field(field),
            _history_value(field, old),
            _history_value(field, new),
            user,
            company.id,
            now,
        )
        if row is not None:
            rows.append(row)
    if not rows:
        return rows
    company.version += 1
    company.updated_at = now
    company.updated_by_id = user.id if user else None
    db.session.flush()
    if company.status_id != old_status.id:
        db.session.refresh(company, ["status"])
        on_status_changed(company, old_status, user)
    return rows


def set_archived(company: Company, archived: bool, user) -> None:
    """Archive or restore a company; nothing is deleted."""
    if company.archived == archived:
        return
    now = utcnow()
    record_change(
        "company", company.id, "archived", company.archived, archived, user, company.id, now
    )
    company.archived = archived
    company.version += 1
    company.updated_at = now
    company.updated_by_id = user.id if user else None
    db.session.flush()
