"""The fields a file's columns can feed, per kind of import, and guessing them from headers.

A column's target is a string stored in the mapping:
  a field key ("name", "cvr", "status", ...), "group:<id>" (an existing group),
  "new_group" (a new group named after the column), or "" (ignored).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.extensions import db
from webapp.models.group import Group

# What kind of value a field holds: how the plan parses it and whether it has a value mapping.
TEXT, CVR, EMAIL, PHONE, WEBSITE, INT, DECIMAL, DATE, BOOL = (
    "text", "cvr", "email", "phone", "website", "int", "decimal", "date", "bool",
)  # fmt: skip
# Choice types: each distinct value in the file is mapped to one of Kanel's values.
CHOICE_TYPES = {
    "status",
    "user",
    "stage",
    "outcome",
    "activity_kind",
    "country",
    "industry",
    "lost_reason",
    "group",
}
IGNORE = ""
NEW_GROUP = "new_group"


@dataclass(frozen=True)
class Field:
    key: str
    label: object  # lazy string
    type: str = TEXT
    required: bool = False
    # Header spellings (normalised: lower case, no accents/punctuation) that mean this field.
    synonyms: frozenset = field(default_factory=frozenset)

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES


def _s(*names) -> frozenset:
    return frozenset(normalise_header(n) for n in names)


def normalise_header(text: str) -> str:
    """Lower case, æøå kept, other accents dropped, punctuation and spaces squeezed out."""
    text = (text or "").strip().lower()
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", text)


_COMPANY_LINK = Field(
    "company",
    _l("Company (name)"),
    synonyms=_s(
        "company", "company name", "account", "account name", "organisation", "organization",
        "customer", "firma", "firmanavn", "virksomhed", "virksomhedsnavn", "kunde", "kundenavn",
    ),
)  # fmt: skip
_COMPANY_CVR_LINK = Field(
    "company_cvr",
    _l("Company (CVR number)"),
    CVR,
    synonyms=_s("company cvr", "cvr", "cvr nr", "cvr-nr.", "cvrnummer", "vat", "vat number"),
)

FIELDS: dict[str, list[Field]] = {
    "companies": [
        Field(
            "name",
            _l("Name"),
            required=True,
            synonyms=_s(
                "name",
                "company",
                "company name",
                "account",
                "account name",
                "organisation",
                "organization",
                "firma",
                "firmanavn",
                "navn",
                "virksomhed",
                "virksomhedsnavn",
                "kunde",
                "kundenavn",
            ),
        ),
        Field(
            "cvr",
            _l("CVR number"),
            CVR,
            synonyms=_s(
                "cvr",
                "cvr nr",
                "cvr-nr.",
                "cvrnr",
                "cvr nummer",
                "cvrnummer",
                "vat",
                "vat number",
                "vat no",
                "company number",
                "se nr",
            ),
        ),
        Field(
            "street",
            _l("Street"),
            synonyms=_s(
                "street",
                "address",
                "address 1",
                "street address",
                "adresse",
                "vej",
                "gade",
                "vejnavn",
            ),
        ),
        Field(
            "postcode",
            _l("Postcode"),
            synonyms=_s(
                "postcode",
                "post code",
                "postal code",
                "zip",
                "zip code",
                "postnr",
                "postnr.",
                "postnummer",
            ),
        ),
        Field("city", _l("City"), synonyms=_s("city", "town", "by", "bynavn", "postdistrikt")),
        Field(
            "country",
            _l("Country"),
            "country",
            synonyms=_s(
                "country",
                "land",
                "landekode",
                "country code",
                "office location",
            ),
        ),
        Field(
            "website",
            _l("Website"),
            WEBSITE,
            synonyms=_s(
                "website",
                "web",
                "www",
                "url",
                "homepage",
                "hjemmeside",
                "web site",
                "domain",
                "domaene",
            ),
        ),
        Field(
            "phone",
            _l("Phone"),
            PHONE,
            synonyms=_s(
                "phone",
                "telephone",
                "phone number",
                "tel",
                "telefon",
                "tlf",
                "tlf.",
                "telefonnr",
                "telefonnummer",
            ),
        ),
        Field(
            "email",
            _l("E-mail"),
            EMAIL,
            synonyms=_s(
                "email",
                "e-mail",
                "mail",
                "e-mail address",
                "email address",
                "e-mailadresse",
                "mailadresse",
            ),
        ),
        Field(
            "industry",
            _l("Industry code"),
            "industry",
            synonyms=_s(
                "industry",
                "industry code",
                "nace",
                "nace code",
                "db07",
                "branche",
                "branchekode",
            ),
        ),
        Field(
            "employees",
            _l("Employees"),
            INT,
            synonyms=_s(
                "employees",
                "number of employees",
                "staff",
                "headcount",
                "ansatte",
                "antal ansatte",
                "medarbejdere",
                "antal medarbejdere",
            ),
        ),
        Field(
            "status",
            _l("Customer status"),
            "status",
            synonyms=_s(
                "status",
                "customer status",
                "kundestatus",
                "stage",
                "type",
            ),
        ),
        Field(
            "owner",
            _l("Owner"),
            "user",
            synonyms=_s(
                "owner",
                "account owner",
                "sales rep",
                "salesperson",
                "responsible",
                "ejer",
                "ansvarlig",
                "saelger",
                "kundeansvarlig",
            ),
        ),
        Field(
            "notes",
            _l("Notes"),
            synonyms=_s(
                "notes",
                "note",
                "comment",
                "comments",
                "description",
                "noter",
                "bemaerkning",
                "bemaerkninger",
                "kommentar",
                "beskrivelse",
            ),
        ),
    ],
    "contacts": [
        _COMPANY_LINK,
        _COMPANY_CVR_LINK,
        Field(
            "first_name",
            _l("First name"),
            synonyms=_s(
                "first name",
                "firstname",
                "given name",
                "fornavn",
            ),
        ),
        Field(
            "last_name",
            _l("Last name"),
            synonyms=_s(
                "last name",
                "lastname",
                "surname",
                "family name",
                "efternavn",
            ),
        ),
        Field(
            "full_name",
            _l("Full name"),
            synonyms=_s(
                "name",
                "full name",
                "contact",
                "contact name",
                "contact person",
                "navn",
                "kontakt",
                "kontaktperson",
                "fulde navn",
            ),
        ),
        Field(
            "title",
            _l("Job title"),
            synonyms=_s(
                "title",
                "job title",
                "position",
                "role",
                "stilling",
                "titel",
                "jobtitel",
            ),
        ),
        Field(
            "email",
            _l("E-mail"),
            EMAIL,
            synonyms=_s(
                "email",
                "e-mail",
                "mail",
                "e-mail address",
                "email address",
                "e-mailadresse",
                "mailadresse",
            ),
        ),
        Field(
            "phone",
            _l("Phone"),
            PHONE,
            synonyms=_s(
                "phone",
                "telephone",
                "mobile",
                "tel",
                "telefon",
                "tlf",
                "mobil",
                "mobilnummer",
                "telefonnummer",
            ),
        ),
        Field(
            "marketing_consent",
            _l("Marketing consent"),
            BOOL,
            synonyms=_s(
                "marketing consent",
                "consent",
                "newsletter",
                "samtykke",
                "markedsfoering",
                "nyhedsbrev",
            ),
        ),
    ],
    "deals": [
        _COMPANY_LINK,
        _COMPANY_CVR_LINK,
        Field(
            "title",
            _l("Title"),
            synonyms=_s(
                "title",
                "deal",
                "deal name",
                "opportunity",
                "opportunity name",
                "opportunity id",
                "emne",
                "titel",
                "salgsmulighed",
                "navn",
            ),
        ),
        Field(
            "value",
            _l("Value"),
            DECIMAL,
            synonyms=_s(
                "value",
                "amount",
                "deal value",
                "close value",
                "revenue",
                "beloeb",
                "vaerdi",
                "omsaetning",
            ),
        ),
        Field("currency", _l("Currency"), synonyms=_s("currency", "valuta")),
        Field(
            "stage",
            _l("Stage or outcome"),
            "stage",
            synonyms=_s(
                "stage",
                "deal stage",
                "pipeline stage",
                "phase",
                "fase",
                "salgsfase",
                "trin",
            ),
        ),
        Field(
            "outcome",
            _l("Outcome (open, won, lost)"),
            "outcome",
            synonyms=_s(
                "outcome",
                "result",
                "won lost",
                "resultat",
                "udfald",
            ),
        ),
        Field(
            "owner",
            _l("Owner"),
            "user",
            synonyms=_s(
                "owner",
                "deal owner",
                "sales agent",
                "sales rep",
                "salesperson",
                "ejer",
                "ansvarlig",
                "saelger",
            ),
        ),
        Field(
            "opened_on",
            _l("Opened on"),
            DATE,
            synonyms=_s(
                "created",
                "created on",
                "created date",
                "engage date",
                "opened",
                "open date",
                "start date",
                "oprettet",
                "startdato",
            ),
        ),
        Field(
            "expected_close",
            _l("Expected close"),
            DATE,
            synonyms=_s(
                "expected close",
                "expected close date",
                "forecast close",
                "forventet lukning",
                "forventet lukkedato",
                "forventet afslutning",
            ),
        ),
        Field(
            "closed_on",
            _l("Closed on"),
            DATE,
            synonyms=_s(
                "closed",
                "close date",
                "closed on",
                "closed date",
                "won date",
                "lukket",
                "lukkedato",
                "afsluttet",
            ),
        ),
        Field(
            "lost_reason",
            _l("Lost reason"),
            "lost_reason",
            synonyms=_s(
                "lost reason",
                "reason lost",
                "loss reason",
                "tabsaarsag",
                "aarsag",
            ),
        ),
        Field(
            "probability",
            _l("Probability (%)"),
            INT,
            synonyms=_s(
                "probability",
                "chance",
                "sandsynlighed",
            ),
        ),
        Field(
            "notes",
            _l("Notes"),
            synonyms=_s(
                "notes",
                "note",
                "comment",
                "description",
                "noter",
                "bemaerkning",
                "beskrivelse",
            ),
        ),
    ],
    "activities": [
        _COMPANY_LINK,
        _COMPANY_CVR_LINK,
        Field(
            "kind",
            _l("Kind"),
            "activity_kind",
            required=True,
            synonyms=_s(
                "kind",
                "type",
                "activity type",
                "activity",
                "art",
                "aktivitet",
                "aktivitetstype",
            ),
        ),
        Field(
            "occurred_at",
            _l("Date"),
            DATE,
            required=True,
            synonyms=_s(
                "date",
                "occurred",
                "occurred at",
                "when",
                "dato",
                "tidspunkt",
                "activity date",
            ),
        ),
        Field(
            "author",
            _l("Written by"),
            "user",
            synonyms=_s(
                "author",
                "user",
                "by",
                "owner",
                "created by",
                "forfatter",
                "bruger",
                "medarbejder",
                "ansvarlig",
            ),
        ),
        Field(
            "subject",
            _l("Subject"),
            synonyms=_s(
                "subject",
                "title",
                "headline",
                "emne",
                "overskrift",
                "titel",
            ),
        ),
        Field(
            "body",
            _l("Text"),
            synonyms=_s(
                "body",
                "text",
                "notes",
                "description",
                "minutes",
                "tekst",
                "referat",
                "noter",
                "beskrivelse",
                "moedereferat",
            ),
        ),
        Field(
            "contact_email",
            _l("Contact (e-mail)"),
            EMAIL,
            synonyms=_s(
                "contact email",
                "contact e-mail",
                "contact",
                "kontakt",
                "kontaktperson",
                "kontakt e-mail",
            ),
        ),
    ],
}

# The record kind a file's rows create, and which groups its columns can feed.
ENTITY_OF_KIND = {
    "companies": "company",
    "contacts": "contact",
    "deals": "deal",
    "activities": "activity",
}
GROUP_APPLIES_TO = {"companies": "company", "deals": "deal"}


def fields_for(kind: str) -> list[Field]:
    """The Kanel fields a file of this kind can fill, in the order the mapping page lists them."""
    return FIELDS[kind]


def field_by_key(kind: str, key: str) -> Field | None:
    return next((f for f in FIELDS[kind] if f.key == key), None)


def groups_for(kind: str) -> list[Group]:
    """The active groups whose options a column of this kind of file can set."""
    applies_to = GROUP_APPLIES_TO.get(kind)
    if applies_to is None:
        return []
    return list(
        db.session.scalars(
            select(Group)
            .where(Group.applies_to == applies_to, Group.active)
            .order_by(Group.position, Group.id)
        )
    )


def target_choices(kind: str) -> list[tuple[str, str]]:
    """What a column can be mapped to: [(target, label)] — ignore, fields, groups, new group."""
    choices = [(IGNORE, str(_l("— ignore this column —")))]
    choices += [(f.key, str(f.label)) for f in fields_for(kind)]
    groups = groups_for(kind)
    choices += [(f"group:{g.id}", str(_l("Group: %(name)s", name=g.name))) for g in groups]
    if kind in GROUP_APPLIES_TO:
        choices.append((NEW_GROUP, str(_l("New group named after the column"))))
    return choices


def is_choice_target(kind: str, target: str) -> bool:
    """Whether a column mapped to target gets a value mapping (its distinct values → Kanel's)."""
    if target.startswith("group:") or target == NEW_GROUP:
        return True
    found = field_by_key(kind, target)
    return bool(found and found.is_choice)


def guess_columns(kind: str, headers: list[str]) -> dict[str, str]:
    """Guess each header's target from English and Danish names; {header: target}.

    A field is given to one column only (the first that names it). A header that names an
    existing group (by name or key) feeds that group. Anything else is ignored.
    """
    fields = fields_for(kind)
    groups = {normalise_header(g.name): g for g in groups_for(kind)}
    groups.update({normalise_header(g.key): g for g in groups_for(kind) if g.key})
    taken: set[str] = set()
    guesses: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        target = IGNORE
        for candidate in fields:
            if candidate.key not in taken and key in candidate.synonyms:
                target = candidate.key
                break
        if not target and key in groups and f"group:{groups[key].id}" not in taken:
            target = f"group:{groups[key].id}"
        if target:
            taken.add(target)
        guesses[header] = target
    return guesses


def required_missing(kind: str, columns: dict[str, str]) -> list[Field]:
    """Required fields no column is mapped to (a company link counts when either is mapped)."""
    mapped = set(columns.values())
    missing = [f for f in fields_for(kind) if f.required and f.key not in mapped]
    if kind != "companies" and not ({"company", "company_cvr"} & mapped):
        missing.insert(0, _COMPANY_LINK)
    if kind == "contacts" and not ({"first_name", "last_name", "full_name", "email"} & mapped):
        missing.append(field_by_key("contacts", "full_name"))
    return missing
