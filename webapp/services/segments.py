"""Segments: a saved filter over companies and their contacts, turned into SQL.

The query API other parts of Kanel use (campaigns, mail merge, exports, the company list).
Each function takes a definition in any of its forms: a `SegmentDefinition`, the JSON text
stored in `Segment.definition`, its dict, or the `Segment` itself.

    segment_conditions(definition)        -> list of WHERE clauses over Company (archived excluded)
    segment_company_ids(definition)       -> select(Company.id) of the segment's companies
    segment_companies_query(definition)   -> select(Company), ordered by name
    segment_contacts_query(definition, consent_only=False)
                                          -> select(Contact) of the companies' live contacts,
                                             ordered by company name, then surname
    count_segment(definition)             -> SegmentCount(companies, contacts)

The contacts of a segment are its companies' non-archived contacts; when the definition
asks for marketing consent ("consent": "yes") or consent_only is true, only those who gave
consent. Execute the statements with `db.session.execute/scalars`, add `.limit()`, or use
`segment_company_ids` inside an INSERT ... FROM SELECT (campaigns attach companies that way).

Definition keys (all optional; values within a key are alternatives, keys narrow together):
    status [status ids], kind [status kinds], category ["A", "B", "C", "none"],
    industry [industry codes: "F", "62", "47.11"; everything below a code is included],
    employees_min, employees_max [whole numbers], owner [user ids; 0 = no owner],
    country [ISO codes], city [names], options [group option ids], options_mode "any"|"all",
    satisfaction [option ids of the group with key "satisfaction"],
    activity_after, activity_before ["YYYY-MM-DD": the last non-deleted activity is on or
    after / before that day; companies without activities match neither],
    open_deal "yes"|"no", consent "yes"|"no" (a non-archived contact with marketing consent).
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, func, literal_column, or_, select, true
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import CATEGORIES, STATUS_KINDS, Company, Contact, Status
from webapp.models.group import GroupValue
from webapp.models.marketing import Industry, Segment
from webapp.models.pipeline import Deal
from webapp.models.user import utcnow
from webapp.services.audit import record_change

YES_NO = ("yes", "no")
OPTION_MODES = ("any", "all")
MAX_EMPLOYEES = 10_000_000
# Above every character: "prefix" <= value < prefix + TOP walks an index for "starts with".
TOP = "\U0010ffff"


@dataclass
class SegmentDefinition:
    """A segment's filter; to_json() is what `Segment.definition` stores."""

    status: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    industry: list[str] = field(default_factory=list)
    employees_min: int | None = None
    employees_max: int | None = None
    owner: list[int] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    city: list[str] = field(default_factory=list)
    options: list[int] = field(default_factory=list)
    options_mode: str = "any"
    satisfaction: list[int] = field(default_factory=list)
    activity_after: date | None = None
    activity_before: date | None = None
    open_deal: str = ""
    consent: str = ""

    def to_dict(self) -> dict:
        """The non-empty keys, with dates as ISO text."""
        data = {}
        for key, value in asdict(self).items():
            if key == "options_mode" and (value == "any" or not self.options):
                continue
            if isinstance(value, date):
                value = value.isoformat()
            if value not in (None, "", []):
                data[key] = value
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @property
    def empty(self) -> bool:
        return not self.to_dict()


@dataclass
class SegmentCount:
    companies: int
    contacts: int


class InvalidDefinition(ValueError):
    """The filter form had values that make no sense; `errors` maps field → message."""

    def __init__(self, errors: dict, definition: SegmentDefinition):
        super().__init__(", ".join(str(e) for e in errors.values()))
        self.errors = errors
        self.definition = definition


class StaleSegment(Exception):
    """Someone saved the segment after the form was opened."""

    def __init__(self, changes: list[Change], current_version: str):
        super().__init__("stale segment")
        self.changes = changes
        self.current_version = current_version


# --- Reading a definition ---------------------------------------------------------------


def _ints(values) -> list[int]:
    out = []
    for value in values:
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            continue
        if number >= 0 and number not in out:
            out.append(number)
    return out


def _words(values, upper=False) -> list[str]:
    """Comma-separated or listed words, tidied, without repeats."""
    out = []
    for value in values:
        for part in str(value or "").split(","):
            word = " ".join(part.split())
            word = word.upper() if upper else word
            if word and word not in out:
                out.append(word)
    return out


def _choices(values, allowed) -> list[str]:
    return [v for v in dict.fromkeys(str(v) for v in values) if v in allowed]


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)) if value else None


def _getlist(data, key) -> list:
    if hasattr(data, "getlist"):
        return data.getlist(key)
    value = data.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def parse_definition(data) -> SegmentDefinition:
    """Read a definition from a form/query (MultiDict) or a stored dict; raise InvalidDefinition.

    Unknown ids are kept (they simply match nothing); numbers, dates and industry codes
    that cannot be read are errors, keyed by the form field.
    """
    errors = {}

    def single(key):
        values = _getlist(data, key)
        return str(values[-1]).strip() if values else ""

    def whole_number(key):
        text = single(key).replace(".", "").replace(" ", "")
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            errors[key] = _l("Enter a whole number.")
            return None
        if not 0 <= number <= MAX_EMPLOYEES:
            errors[key] = _l("Enter a number of 0 or more.")
            return None
        return number

    def day(key):
        text = single(key)
        try:
            return _date(text)
        except ValueError:
            errors[key] = _l("Enter a date like 2026-11-27.")
            return None

    definition = SegmentDefinition(
        status=_ints(_getlist(data, "status")),
        kind=_choices(_getlist(data, "kind"), STATUS_KINDS),
        category=_choices(_getlist(data, "category"), (*CATEGORIES, "none")),
        industry=_words(_getlist(data, "industry"), upper=True),
        employees_min=whole_number("employees_min"),
        employees_max=whole_number("employees_max"),
        owner=_ints(_getlist(data, "owner")),
        country=_words(_getlist(data, "country"), upper=True),
        city=_words(_getlist(data, "city")),
        options=_ints(_getlist(data, "options")),
        options_mode=single("options_mode") if single("options_mode") in OPTION_MODES else "any",
        satisfaction=_ints(_getlist(data, "satisfaction")),
        activity_after=day("activity_after"),
        activity_before=day("activity_before"),
        open_deal=single("open_deal") if single("open_deal") in YES_NO else "",
        consent=single("consent") if single("consent") in YES_NO else "",
    )
    low, high = definition.employees_min, definition.employees_max
    if low is not None and high is not None and low > high:
        errors["employees_max"] = _l("The largest headcount is below the smallest.")
    after, before = definition.activity_after, definition.activity_before
    if after and before and after >= before:
        errors["activity_before"] = _l("This day must come after the first one.")
    bad_countries = [c for c in definition.country if not (len(c) == 2 and c.isalpha())]
    if bad_countries:
        errors["country"] = _l(
            "Use two-letter country codes like DK, SE: %(codes)s", codes=", ".join(bad_countries)
        )
    if definition.industry:
        known = set(
            db.session.scalars(select(Industry.code).where(Industry.code.in_(definition.industry)))
        )
        unknown = [code for code in definition.industry if code not in known]
        if unknown:
            errors["industry"] = _l("No industry has the code %(codes)s.", codes=", ".join(unknown))
    if errors:
        raise InvalidDefinition(errors, definition)
    return definition


def as_definition(value) -> SegmentDefinition:
    """Any form of a definition (object, Segment, JSON text, dict) as a SegmentDefinition.

    A stored definition is read leniently: a value that no longer makes sense (an industry
    code removed since) is dropped rather than refused, so a saved segment always runs.
    """
    if isinstance(value, SegmentDefinition):
        return value
    if isinstance(value, Segment):
        value = value.definition
    if isinstance(value, str | bytes):
        try:
            value = json.loads(value or "{}")
        except ValueError:
            value = {}
    if not isinstance(value, dict):
        value = {}
    try:
        return parse_definition(value)
    except InvalidDefinition as error:
        definition = error.definition
        if "industry" in error.errors:
            known = set(
                db.session.scalars(
                    select(Industry.code).where(Industry.code.in_(definition.industry))
                )
            )
            definition.industry = [c for c in definition.industry if c in known]
        if "activity_before" in error.errors:
            definition.activity_before = None
        if "employees_max" in error.errors:
            definition.employees_max = None
        if "country" in error.errors:
            definition.country = [c for c in definition.country if len(c) == 2]
        return definition


# --- From a definition to SQL -------------------------------------------------------------


def _starts_with(column, prefix: str):
    return and_(column >= prefix, column < prefix + TOP)


def industry_ids_below(codes):
    """select(Industry.id) of these codes and everything below them.

    A section (a letter) holds every code with that section; any other code holds the
    codes that start with it ("47" → "47.1", "47.11", "47.11.00").
    """
    parts = []
    for code in codes:
        if len(code) == 1 and code.isalpha():
            parts.append(Industry.section == code)
        else:
            parts.append(_starts_with(Industry.code, code))
    return select(Industry.id).where(or_(*parts))


def _city_variants(cities) -> list[str]:
    """A typed city as users store it: as typed, capitalised, title case, upper case."""
    variants = []
    for city in cities:
        for variant in (city, city.capitalize(), city.title(), city.upper(), city.lower()):
            if variant not in variants:
                variants.append(variant)
    return variants


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def segment_conditions(definition) -> list:
    """The WHERE clauses over Company for this definition; archived companies never match."""
    d = as_definition(definition)
    where = [Company.archived == false()]
    if d.status:
        where.append(Company.status_id.in_(d.status))
    if d.kind:
        where.append(Company.status_id.in_(select(Status.id).where(Status.kind.in_(d.kind))))
    if d.category:
        letters = [c for c in d.category if c != "none"]
        either = [Company.category.in_(letters)] if letters else []
        if "none" in d.category:
            either.append(Company.category.is_(None))
        where.append(or_(*either))
    if d.industry:
        where.append(Company.industry_id.in_(industry_ids_below(d.industry)))
    headcount = Company.employees
    if d.city:
        # A headcount range spans most cards, a city few; SQLite's planner (averages, no
        # histograms) may still walk the headcount index and test every card in the range
        # (measured: 100 ms for a city with no companies). "+ 0" leaves it the city index.
        headcount = Company.employees + literal_column("0")
    if d.employees_min is not None:
        where.append(headcount >= d.employees_min)
    if d.employees_max is not None:
        where.append(headcount <= d.employees_max)
    if d.owner:
        people = [o for o in d.owner if o]
        either = [Company.owner_id.in_(people)] if people else []
        if 0 in d.owner:
            either.append(Company.owner_id.is_(None))
        where.append(or_(*either))
    if d.country:
        where.append(Company.country.in_(d.country))
    if d.city:
        where.append(Company.city.in_(_city_variants(d.city)))
    if d.options:
        # Chosen options drive the query along ix_group_value_option_company.
        if d.options_mode == "all":
            for option_id in d.options:
                where.append(
                    Company.id.in_(
                        select(GroupValue.company_id).where(GroupValue.option_id == option_id)
                    )
                )
        else:
            where.append(
                Company.id.in_(
                    select(GroupValue.company_id).where(GroupValue.option_id.in_(d.options))
                )
            )
    if d.satisfaction:
        where.append(
            Company.id.in_(
                select(GroupValue.company_id).where(GroupValue.option_id.in_(d.satisfaction))
            )
        )
    # The latest live activity is kept on the card (webapp/models/last_activity.py); a
    # company without activities has none and matches neither.
    if d.activity_after:
        where.append(Company.last_activity_at >= _day_start(d.activity_after))
    if d.activity_before:
        where.append(Company.last_activity_at < _day_start(d.activity_before))
    if d.open_deal:
        open_deal = (
            select(Deal.id).where(Deal.company_id == Company.id, Deal.outcome == "open").exists()
        )
        where.append(open_deal if d.open_deal == "yes" else ~open_deal)
    if d.consent:
        consenting = consenting_contact_exists()
        where.append(consenting if d.consent == "yes" else ~consenting)
    return where


def consenting_contact_exists():
    """EXISTS a live contact of the company who gave marketing consent."""
    # An alias, so the EXISTS stays correlated to Company in queries that also join Contact.
    person = aliased(Contact)
    return (
        select(person.id)
        .where(
            person.company_id == Company.id,
            person.archived == false(),
            person.marketing_consent == true(),
        )
        .correlate(Company)
        .exists()
    )


def segment_company_ids(definition):
    """select(Company.id) of the segment's companies (unordered)."""
    return select(Company.id).where(*segment_conditions(definition))


def segment_companies_query(definition):
    """select(Company) of the segment's companies, by name."""
    return (
        select(Company)
        .where(*segment_conditions(definition))
        .order_by(Company.name_key, Company.id)
    )


def _contact_conditions(d: SegmentDefinition, consent_only: bool) -> list:
    where = [Contact.archived == false()]
    if consent_only or d.consent == "yes":
        where.append(Contact.marketing_consent == true())
    return where


def segment_contacts_query(definition, consent_only: bool = False):
    """select(Contact) of the live contacts of the segment's companies.

    Only contacts who gave consent when consent_only is true or the definition asks
    for consent. Ordered by company name, then surname and first name.
    """
    d = as_definition(definition)
    return (
        select(Contact)
        .join(Company, Company.id == Contact.company_id)
        .where(*segment_conditions(d), *_contact_conditions(d, consent_only))
        .order_by(Company.name_key, Company.id, Contact.last_name, Contact.first_name, Contact.id)
    )


def count_segment(definition) -> SegmentCount:
    """How many companies and contacts the segment holds.

    One statement and one pass over the companies: each matching company counts its live
    contacts along ix_contact_company_archived_consent, so the filters run only once.
    """
    d = as_definition(definition)
    person = aliased(Contact)
    per_company = (
        select(func.count())
        .select_from(person)
        .where(
            person.company_id == Company.id,
            person.archived == false(),
            *([person.marketing_consent == true()] if d.consent == "yes" else []),
        )
        .correlate(Company)
        .scalar_subquery()
    )
    matches = select(per_company.label("contacts")).where(*segment_conditions(d)).subquery()
    row = db.session.execute(
        select(func.count(), func.coalesce(func.sum(matches.c.contacts), 0)).select_from(matches)
    ).one()
    return SegmentCount(companies=row[0] or 0, contacts=int(row[1] or 0))


# --- Who sees which segment ---------------------------------------------------------------


def visible_to(user):
    """A condition: the segment is shared, or it is the user's own."""
    if user is None or not getattr(user, "id", None):
        return false()
    return or_(Segment.shared == true(), Segment.owner_id == user.id)


def visible_segment(segment_id, user) -> Segment | None:
    """The segment if this user may see it, else None (private segments of others)."""
    if not segment_id:
        return None
    return db.session.scalar(select(Segment).where(Segment.id == segment_id, visible_to(user)))


def may_change(segment: Segment, user) -> bool:
    """Its owner and admins may edit or delete a segment."""
    return segment.owner_id == user.id or user.has_role("admin")


# --- Writes -------------------------------------------------------------------------------

FIELDS = ("name", "description", "shared", "definition")


def version_of(segment: Segment) -> str:
    """The token a form carries to notice a save in between."""
    return segment.updated_at.isoformat(timespec="microseconds") if segment.updated_at else ""


def create_segment(name, description, shared, definition, user) -> Segment:
    segment = Segment(
        name=name.strip(),
        description=(description or "").strip() or None,
        shared=bool(shared),
        definition=as_definition(definition).to_json(),
        owner_id=user.id if user else None,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(segment)
    db.session.flush()
    record_change("segment", segment.id, "created", None, segment.name, user)
    return segment


def update_segment(segment, name, description, shared, definition, user, version=None) -> bool:
    """Change a segment; refuse with StaleSegment when it was saved after `version`."""
    if version is not None and version != version_of(segment):
        since = db.session.scalars(
            select(Change)
            .where(
                Change.entity == "segment",
                Change.entity_id == segment.id,
                Change.changed_at >= _parse_version(version),
            )
            .order_by(Change.changed_at, Change.id)
        ).all()
        raise StaleSegment(since, version_of(segment))
    new = {
        "name": name.strip(),
        "description": (description or "").strip() or None,
        "shared": bool(shared),
        "definition": as_definition(definition).to_json(),
    }
    changed = False
    for key, value in new.items():
        if record_change("segment", segment.id, key, getattr(segment, key), value, user):
            setattr(segment, key, value)
            changed = True
    if changed:
        segment.updated_at = utcnow()
    db.session.flush()
    return changed


def _parse_version(version: str) -> datetime:
    try:
        return datetime.fromisoformat(version)
    except ValueError:
        return datetime.min


def duplicate_segment(segment, user, name=None) -> Segment:
    """A copy owned by user, private until they share it."""
    return create_segment(
        name or str(_l("Copy of %(name)s", name=segment.name))[:120],
        segment.description,
        False,
        segment.definition,
        user,
    )


def delete_segment(segment, user) -> None:
    """Delete a segment; campaigns made from it keep their companies and forget the segment."""
    from webapp.models.marketing import Campaign

    db.session.execute(
        Campaign.__table__.update().where(Campaign.segment_id == segment.id).values(segment_id=None)
    )
    record_change("segment", segment.id, "deleted", segment.name, None, user)
    db.session.delete(segment)
    db.session.flush()
