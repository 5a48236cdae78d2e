"""Demo data: the people and customers of a believable Danish software company.

Everything is generated from one seeded random generator, relative to today, so the demo
always looks current and two databases seeded on the same day hold the same story.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from webapp.extensions import db
from webapp.models.activity import Activity, activity_attendee
from webapp.models.audit import Change
from webapp.models.customer import CardView, Company, Contact, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.pipeline import Budget, Deal, Stage, StageChange
from webapp.models.user import utcnow
from webapp.services.users import create_user, find_user_by_email

DEMO_PASSWORD = "kanel-demo"  # noqa: S105 - printed to the user on purpose; demo databases only

DEMO_USERS = [
    ("admin@kanel.example", "Anna Admin", "admin", "management", "en"),
    ("mette@kanel.example", "Mette Holm", "manager", "management", "da"),
    ("soeren@kanel.example", "Søren Krogh", "employee", "sales", "da"),
    ("line@kanel.example", "Line Dahl", "employee", "sales", "da"),
    ("jonas@kanel.example", "Jonas Berg", "employee", "service", "da"),
    ("ida@kanel.example", "Ida Lund", "employee", "consulting", "en"),
    ("emil@kanel.example", "Emil Vestergaard", "employee", "development", "da"),
    ("freja@kanel.example", "Freja Nørgaard", "employee", "marketing", "da"),
]

DEMO_SEED = 2026
DEMO_COMPANIES = 300

# Word lists for company names, addresses and people.
REGIONS = [
    "Nordisk", "Vestjysk", "Østjysk", "Sydjysk", "Midtjysk", "Fynsk", "Sjællands",
    "Københavns", "Nordsjællands", "Himmerlands", "Thy", "Bornholms", "Dansk", "Skandinavisk",
    "Limfjords", "Lolland-Falsters", "Aarhus", "Trekantens", "Kystens", "Hedens",
]  # fmt: skip
TRADES = [
    "Byg", "Rengøring", "VVS", "El", "Tømrer", "Transport", "Revision", "Maskinfabrik",
    "Data", "IT", "Marketing", "Logistik", "Ejendomme", "Auto", "Entreprenør", "Smedie",
    "Køleteknik", "Tryk", "Emballage", "Møbler", "Landbrug", "Fiskeeksport", "Vinimport",
    "Bageri", "Gartneri", "Anlæg", "Malerfirma", "Tagdækning", "Ventilation", "Vinduer",
    "Kontorservice", "Energi", "Rådgivning", "Spedition", "Stål", "Plast", "Laboratorier",
    "Tandteknik", "Fysioterapi", "Arkitekter",
]  # fmt: skip
SURNAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
    "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen",
    "Jakobsen", "Mikkelsen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Schmidt",
    "Eriksen", "Holm", "Kristiansen", "Clausen", "Simonsen", "Svendsen", "Andreasen",
    "Iversen", "Østergaard", "Jeppesen", "Vestergaard", "Nissen", "Dahl", "Krogh", "Bach",
]  # fmt: skip
# Trades a family business is named after ("Hansens Tømrerforretning") and shop names.
FAMILY_TRADES = [
    "Tømrerforretning", "Malerforretning", "VVS", "El-service", "Maskinfabrik",
    "Vognmandsforretning", "Revision", "Ejendomme", "Auto", "Rengøring", "Smedie", "Bageri",
    "Gartneri", "Tegnestue", "Trælast", "Murerforretning", "Kloakservice", "Blikkenslager",
]  # fmt: skip
HOUSES = [
    "Elhuset", "Malerhuset", "VVS-Huset", "Bilhuset", "Datahuset", "IT-Huset",
    "Revisionshuset", "Køkkenhuset", "Tæppehuset", "Cykelhuset", "Flisehuset", "Lampehuset",
]  # fmt: skip
FORMS = ["ApS"] * 9 + ["A/S"] * 5 + ["IVS", "I/S", "K/S", "P/S"]
FIRST_NAMES = [
    "Anne", "Kirsten", "Mette", "Hanne", "Helle", "Susanne", "Lene", "Maria", "Marianne",
    "Camilla", "Louise", "Charlotte", "Pia", "Tina", "Sofie", "Julie", "Emma", "Ida", "Nanna",
    "Peter", "Jens", "Lars", "Michael", "Henrik", "Thomas", "Søren", "Jan", "Niels", "Martin",
    "Anders", "Rasmus", "Morten", "Jesper", "Mads", "Christian", "Frederik", "Mikkel", "Kasper",
    "Jacob", "Bo", "Torben", "Klaus", "Ole", "Per", "Poul", "Lise", "Birgitte", "Signe",
]  # fmt: skip
TITLES = [
    "Direktør", "Adm. direktør", "Indehaver", "Økonomichef", "Bogholder", "IT-ansvarlig",
    "Salgschef", "HR-chef", "Kontorchef", "Driftschef", "Marketingchef", "CFO", "Lønansvarlig",
    "Projektleder", "Indkøbschef", "Kundeservicechef",
]  # fmt: skip
# Real Danish postcodes and their towns.
TOWNS = [
    ("1050", "København K"), ("1620", "København V"), ("2100", "København Ø"),
    ("2200", "København N"), ("2300", "København S"), ("2400", "København NV"),
    ("2500", "Valby"), ("2600", "Glostrup"), ("2630", "Taastrup"), ("2750", "Ballerup"),
    ("2800", "Kongens Lyngby"), ("2900", "Hellerup"), ("3000", "Helsingør"),
    ("3400", "Hillerød"), ("3700", "Rønne"), ("4000", "Roskilde"), ("4100", "Ringsted"),
    ("4200", "Slagelse"), ("4600", "Køge"), ("4700", "Næstved"), ("4800", "Nykøbing F"),
    ("5000", "Odense C"), ("5200", "Odense V"), ("5700", "Svendborg"), ("6000", "Kolding"),
    ("6100", "Haderslev"), ("6200", "Aabenraa"), ("6400", "Sønderborg"), ("6700", "Esbjerg"),
    ("6900", "Skjern"), ("7000", "Fredericia"), ("7100", "Vejle"), ("7400", "Herning"),
    ("7430", "Ikast"), ("7500", "Holstebro"), ("7700", "Thisted"), ("7800", "Skive"),
    ("8000", "Aarhus C"), ("8200", "Aarhus N"), ("8600", "Silkeborg"), ("8700", "Horsens"),
    ("8800", "Viborg"), ("8900", "Randers C"), ("9000", "Aalborg"), ("9200", "Aalborg SV"),
    ("9800", "Hjørring"), ("9900", "Frederikshavn"),
]  # fmt: skip
STREETS = [
    "Vestergade", "Østergade", "Nørregade", "Søndergade", "Industrivej", "Håndværkervej",
    "Hovedgaden", "Stationsvej", "Skovvej", "Kirkevej", "Havnegade", "Erhvervsvej",
    "Fabriksvej", "Møllevej", "Strandvejen", "Banegårdspladsen", "Jernbanegade", "Lergravsvej",
    "Smedevej", "Tværvej", "Grønningen", "Ringvejen", "Bygmestervej", "Teglværksvej",
]  # fmt: skip
PHONE_PREFIXES = [
    "33",
    "35",
    "36",
    "38",
    "43",
    "44",
    "45",
    "46",
    "48",
    "56",
    "58",
    "62",
    "63",
    "64",
    "65",
    "66",
    "70",
    "75",
    "76",
    "86",
    "87",
    "89",
    "96",
    "97",
    "98",
]
MOBILE_PREFIXES = [
    "20",
    "21",
    "22",
    "23",
    "24",
    "26",
    "28",
    "29",
    "30",
    "31",
    "40",
    "41",
    "42",
    "50",
    "51",
    "52",
    "60",
    "61",
    "71",
    "81",
    "91",
    "93",
]
CONSENT_SOURCES = ["Nyhedsbrev på hjemmesiden", "Messe", "Webinar", "Telefonsamtale",
                   "Kontaktformular"]  # fmt: skip

# How the 300 companies spread over the default statuses (key, weight).
STATUS_WEIGHTS = [
    ("suspect", 14), ("prospect", 12), ("lead", 10), ("customer", 32), ("former_customer", 6),
    ("lost_to_competitor", 8), ("no_budget", 5), ("bad_timing", 6), ("too_small", 4),
    ("no_need", 3),
]  # fmt: skip

# Subjects and texts of the activity log, by kind.
NOTE_SUBJECTS = [
    ("Ny økonomichef", "Har fået ny økonomichef. Hun kender os fra sit gamle job."),
    ("Flytter kontor", "Flytter til nye lokaler i foråret; vil gerne have hjælp til opsætning."),
    ("Opkøb", "Er blevet opkøbt af en større koncern. Beslutninger tages nu i hovedkontoret."),
    ("Budget", "Budgettet for næste år lægges i oktober. Ring igen i september."),
    ("Konkurrent hos dem", "En konkurrent har været forbi med en demo. De var ikke imponerede."),
    ("Vækst", "Har ansat 12 nye i år og mærker, at Excel ikke rækker længere."),
    ("Integration", "Spørger til integration med deres lønsystem. Vil gerne se en plan."),
]  # fmt: skip
CALL_SUBJECTS = [
    ("Opfølgning på tilbud", "Har læst tilbuddet. Vender tilbage efter bestyrelsesmødet."),
    ("Introduktionsopkald", "Kort intro af Kanel. Interesseret; sender materiale."),
    ("Servicekald", "Alt kører. Ønsker kursus til to nye medarbejdere."),
    ("Support: eksport", "Hjalp med eksport til Excel. Tilfreds med svaret."),
    ("Fornyelse", "Aftalen fornyes automatisk; ingen ændringer ønsket."),
    ("Ingen svar", None),
    ("Book møde", "Aftalt møde med direktøren i næste uge."),
]  # fmt: skip
EMAIL_SUBJECTS = [
    ("Materiale om Kanel", "Sendt produktark og referencer."),
    ("Spørgsmål om priser", "Spørger til pris for 25 brugere; svaret med prisliste."),
    ("Mødebekræftelse", "Bekræftet mødet og sendt dagsorden."),
    ("Nyhedsbrev: nye rapporter", None),
    ("Tak for mødet", "Takket for mødet og opsummeret næste skridt."),
]  # fmt: skip
MEETING_SUBJECTS = [
    ("Behovsafdækning", "Gennemgik deres salgsproces. De mangler overblik over leads og"
     " opfølgning. Næste skridt: demo for salgsteamet."),
    ("Demo for salgsteamet", "Viste kundekort, pipeline og rapporter. Stor interesse for"
     " tilfredshedsmålingen. Sender tilbud inden fredag."),
    ("Opstartsmøde", "Aftalte import af kunder fra regneark og opsætning af grupper."
     " Go-live om fire uger."),
    ("Statusmøde", "Gennemgik brugen det seneste kvartal. Ønsker flere brugere i service."),
    ("Workshop: grupper og statusser", "Definerede leadkilder og kundestatusser sammen"
     " med salgschefen."),
    ("Årsmøde", "Tilfredse med løsningen. Vil gerne være reference. Drøftede integration"
     " til lønsystemet."),
]  # fmt: skip
PROPOSAL_SUBJECTS = [
    ("Tilbud: Kanel 10 brugere", "Tilbud på licens og opsætning, 10 brugere, 24 måneder."),
    ("Tilbud: udvidelse med service", "Tilbud på 5 ekstra brugere og kursus."),
    ("Tilbud: integration", "Tilbud på integration til økonomisystemet."),
]  # fmt: skip
TASK_SUBJECTS = [
    "Ring og følg op på tilbud", "Send referat til kunden", "Book opstartsmøde",
    "Tjek tilfredshed efter opstart", "Send fakturagrundlag", "Forbered demo",
    "Opdater kontaktpersoner", "Inviter til brugerseminar", "Ring om fornyelse",
    "Send materiale om integration", "Afklar antal brugere", "Ryd op i grupper",
]  # fmt: skip
COMPETITOR_WEIGHTS = {"Microsoft Dynamics": 4, "Salesforce": 3, "HubSpot": 5, "Pipedrive": 3,
                      "Other": 2}  # fmt: skip
SATISFACTION_WEIGHTS = [1, 2, 5, 10, 7]  # options 1..5


def cvr_check_digit(first_seven: str) -> int | None:
    """The eighth digit that makes a CVR number valid (modulus 11), or None if there is none."""
    weights = (2, 7, 6, 5, 4, 3, 2)
    remainder = sum(w * int(d) for w, d in zip(weights, first_seven, strict=True)) % 11
    digit = (11 - remainder) % 11
    return None if digit == 10 else digit


def random_cvr(rng: random.Random) -> str:
    """A random CVR number that passes the modulus-11 check."""
    while True:
        first_seven = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(6))
        digit = cvr_check_digit(first_seven)
        if digit is not None:
            return first_seven + str(digit)


def ascii_slug(text: str) -> str:
    """'Møller & Søn' -> 'moeller-soen', for domains and e-mail addresses."""
    text = text.lower()
    for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("ü", "u")):
        text = text.replace(danish, plain)
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return "-".join(words)


def danish_phone(rng: random.Random, mobile=False) -> str:
    prefix = rng.choice(MOBILE_PREFIXES if mobile else PHONE_PREFIXES)
    rest = [f"{rng.randint(0, 99):02d}" for _ in range(3)]
    return "+45 " + " ".join([prefix, *rest])


def company_name(rng: random.Random) -> str:
    form = rng.choice(FORMS)
    pattern = rng.random()
    if pattern < 0.45:
        return f"{rng.choice(REGIONS)} {rng.choice(TRADES)} {form}"
    if pattern < 0.65:
        return f"{rng.choice(SURNAMES)} & Søn {form}"
    if pattern < 0.85:
        return f"{rng.choice(SURNAMES)}s {rng.choice(FAMILY_TRADES)} {form}"
    town = rng.choice(TOWNS)[1].split()[0]
    return f"{rng.choice(HOUSES)} {town} {form}"


def town_in_name(name: str) -> tuple[str, str] | None:
    """'Elhuset Horsens ApS' and 'Aarhus Auto ApS' are in Horsens and Aarhus."""
    for word in name.split():
        for postcode, city in TOWNS:
            if city.split()[0] == word:
                return postcode, city
    return None


def employee_count(rng: random.Random) -> int:
    """1–800 employees, most companies small (log-normal)."""
    return max(1, min(800, round(rng.lognormvariate(2.9, 1.25))))


def category_for(employees: int) -> str:
    if employees >= 100:
        return "A"
    if employees >= 20:
        return "B"
    return "C"


def weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


@dataclass
class _Demo:
    """What the seeding steps share: the generator, today, the users and the configuration."""

    rng: random.Random
    now: datetime
    users: dict
    statuses: dict
    groups: dict
    options: dict  # (group key, label) -> GroupOption
    companies: list = field(default_factory=list)
    contacts: dict = field(default_factory=dict)  # company id -> [Contact]
    activities: list = field(default_factory=list)
    attendees: list = field(default_factory=list)
    values: list = field(default_factory=list)
    changes: list = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.now.date()

    def days_ago(self, days: float, hour=None) -> datetime:
        moment = self.now - timedelta(days=days)
        if hour is not None:
            moment = moment.replace(hour=hour, minute=self.rng.choice((0, 15, 30, 45)), second=0)
        return moment.replace(microsecond=0)


def seed_demo():
    """Create the demo users (those that are missing) and, once, their CRM; return the users."""
    users = []
    for email, name, role, department, language in DEMO_USERS:
        user = find_user_by_email(email) or create_user(
            email=email,
            name=name,
            role=role,
            password=DEMO_PASSWORD,
            department=department,
            language=language,
        )
        users.append(user)
    by_name = {user.email.split("@")[0]: user for user in users}
    seed_demo_crm(by_name)
    seed_demo_deals(by_name)
    seed_demo_industries()
    seed_demo_segments(by_name)
    seed_demo_campaigns(by_name)
    return users


def seed_demo_crm(users: dict) -> bool:
    """Create the demo companies with contacts, activities, tasks, groups and history.

    Return False (and add nothing) when the demo companies are already there.
    """
    rng = random.Random(DEMO_SEED)
    plans = _company_plans(rng)
    first_cvrs = [plan["cvr"] for plan in plans[:20]]
    if db.session.scalar(select(Company.id).where(Company.cvr.in_(first_cvrs)).limit(1)):
        return False
    statuses = {s.key: s for s in db.session.scalars(select(Status)) if s.key}
    groups = {g.key: g for g in db.session.scalars(select(Group)) if g.key}
    options = {
        (g.key, o.label): o
        for o, g in db.session.execute(select(GroupOption, Group).join(Group))
        if g.key
    }
    demo = _Demo(rng, utcnow().replace(microsecond=0), users, statuses, groups, options)
    _add_companies(demo, plans)
    _add_contacts(demo)
    for company in demo.companies:
        _add_history(demo, company)
        _add_groups(demo, company)
    _add_personal_work(demo)
    _add_card_views(demo)
    db.session.add_all(demo.activities)
    db.session.add_all(demo.values)
    db.session.add_all(demo.changes)
    db.session.flush()
    if demo.attendees:
        db.session.execute(
            activity_attendee.insert(),
            [{"activity_id": a.id, "contact_id": c.id} for a, c in demo.attendees],
        )
    db.session.flush()
    return True


def _company_plans(rng: random.Random) -> list[dict]:
    """Names, CVR numbers and domains of the demo companies, all unique."""
    plans, names, cvrs, domains = [], set(), set(), set()
    while len(plans) < DEMO_COMPANIES:
        name = company_name(rng)
        cvr = random_cvr(rng)
        if name in names or cvr in cvrs:
            continue
        base = name.rsplit(" ", 1)[0]
        domain = ascii_slug(base).replace("-og-", "-").replace("--", "-") + ".dk"
        if domain in domains:
            continue
        names.add(name)
        cvrs.add(cvr)
        domains.add(domain)
        plans.append({"name": name, "cvr": cvr, "domain": domain})
    return plans


def _add_companies(demo: _Demo, plans):
    rng = demo.rng
    sales = [demo.users["soeren"], demo.users["line"]]
    for plan in plans:
        status_key = weighted(rng, STATUS_WEIGHTS)
        employees = employee_count(rng)
        postcode, city = town_in_name(plan["name"]) or rng.choice(TOWNS)
        created = demo.days_ago(rng.uniform(60, 760), hour=rng.randint(7, 14))
        company = Company(
            name=plan["name"],
            name_key=plan["name"].lower(),
            cvr=plan["cvr"],
            street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
            postcode=postcode,
            city=city,
            country="DK",
            website=f"https://{plan['domain']}",
            website_domain=plan["domain"],
            phone=danish_phone(rng),
            email=f"info@{plan['domain']}",
            employees=employees,
            # A/B/C for most; the rest are not yet rated.
            category=category_for(employees) if rng.random() < 0.9 else None,
            status=demo.statuses[status_key],
            owner=rng.choice(sales) if rng.random() < 0.96 else demo.users["mette"],
            created_at=created,
            created_by=rng.choice(sales),
            updated_at=created,
            updated_by=rng.choice(sales),
        )
        demo.companies.append(company)
    db.session.add_all(demo.companies)
    db.session.flush()


def _add_contacts(demo: _Demo):
    rng = demo.rng
    contacts = []
    for company in demo.companies:
        people = []
        used_titles = set()
        for n in range(rng.choices((1, 2, 3, 4), weights=(30, 35, 22, 13))[0]):
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            title = rng.choice([t for t in TITLES if t not in used_titles])
            used_titles.add(title)
            local = ascii_slug(first).replace("-", "") + (
                "." + ascii_slug(last).replace("-", "") if n % 2 == 0 else ""
            )
            email = f"{local}@{company.website_domain}"
            consent = rng.random() < 0.4
            contact = Contact(
                company=company,
                first_name=first,
                last_name=last,
                title=title,
                email=email,
                phone=danish_phone(rng, mobile=True),
                search_key=f"{first} {last} {email}".lower(),
                marketing_consent=consent,
                consent_at=demo.days_ago(rng.uniform(5, 700), hour=10) if consent else None,
                consent_source=rng.choice(CONSENT_SOURCES) if consent else None,
                created_at=company.created_at,
                updated_at=company.created_at,
            )
            people.append(contact)
        contacts.extend(people)
        demo.contacts[id(company)] = people
    db.session.add_all(contacts)
    db.session.flush()


def _activity(demo: _Demo, company, kind, subject, body, author, at, contact=None, **fields):
    activity = Activity(
        company=company,
        kind=kind,
        subject=subject,
        body=body,
        author=author,
        occurred_at=at,
        contact=contact,
        created_at=min(at, demo.now),
        updated_at=min(at, demo.now),
        **fields,
    )
    demo.activities.append(activity)
    return activity


def _add_history(demo: _Demo, company):
    """Two years of notes, calls, e-mails, meetings and proposals, scaled by the status."""
    rng = demo.rng
    kind = company.status.kind
    count = {
        "customer": rng.randint(8, 24),
        "former_customer": rng.randint(5, 12),
        "inactive": rng.randint(2, 7),
    }.get(kind, rng.randint(1, 8))
    if company.status.key == "suspect":
        count = rng.randint(0, 2)
    people = demo.contacts[id(company)]
    service = demo.users["jonas"]
    consultant = demo.users["ida"]
    age_days = max(1, (demo.now - company.created_at).days)
    for _ in range(count):
        at = demo.days_ago(rng.uniform(1, age_days), hour=rng.randint(7, 14))
        contact = rng.choice(people)
        what = rng.choices(
            ("note", "call", "email", "meeting", "proposal"), weights=(20, 30, 25, 18, 7)
        )[0]
        if kind == "customer" and what == "call" and rng.random() < 0.5:
            author = service
        elif what == "meeting" and kind == "customer" and rng.random() < 0.4:
            author = consultant
        else:
            author = company.owner
        if what == "note":
            subject, body = rng.choice(NOTE_SUBJECTS)
        elif what == "call":
            subject, body = rng.choice(CALL_SUBJECTS)
        elif what == "email":
            subject, body = rng.choice(EMAIL_SUBJECTS)
        elif what == "proposal":
            subject, body = rng.choice(PROPOSAL_SUBJECTS)
        else:
            subject, body = rng.choice(MEETING_SUBJECTS)
        activity = _activity(demo, company, what, subject, body, author, at, contact)
        if what == "meeting":
            for person in rng.sample(people, k=rng.randint(1, len(people))):
                demo.attendees.append((activity, person))
    # Customers have a planned meeting or two, and the automation's first service call.
    if kind == "customer" and rng.random() < 0.3:
        at = demo.days_ago(-rng.uniform(2, 40), hour=rng.randint(7, 13))
        subject, _body = rng.choice(MEETING_SUBJECTS[2:])
        meeting = _activity(demo, company, "meeting", subject, None, company.owner, at, people[0])
        demo.attendees.append((meeting, people[0]))
    if kind == "customer" and rng.random() < 0.15:
        became = demo.days_ago(rng.uniform(5, 50))
        _activity(
            demo, company, "task", "First service call", None, None, became,
            assignee=service, due_date=(became + timedelta(days=30)).date(),
            automation="first_service_call",
        )  # fmt: skip
    _add_status_history(demo, company)


def _add_status_history(demo: _Demo, company):
    """How the company got to its status: a history row per step, and the card's last change."""
    rng = demo.rng
    key = company.status.key
    path = {
        "suspect": [],
        "prospect": ["suspect"],
        "lead": ["suspect", "prospect"],
        "customer": ["prospect", "lead"],
        "former_customer": ["lead", "customer"],
    }.get(key, ["prospect", "lead"])
    steps = [*path, key]
    demo.changes.append(
        Change(
            entity="company",
            entity_id=company.id,
            company_id=company.id,
            field="created",
            new=company.name,
            user_id=company.created_by.id,
            changed_at=company.created_at,
        )
    )
    moments = sorted(
        demo.days_ago(rng.uniform(1, max(2, (demo.now - company.created_at).days)), hour=11)
        for _ in steps[1:]
    )
    for old, new, at in zip(steps, steps[1:], moments, strict=False):
        demo.changes.append(
            Change(
                entity="company",
                entity_id=company.id,
                company_id=company.id,
                field="status",
                old=demo.statuses[old].name,
                new=demo.statuses[new].name,
                user_id=company.owner.id,
                changed_at=at,
            )
        )
    if moments:
        company.updated_at = moments[-1]
        company.updated_by = company.owner
        company.version = 1 + len(moments)


def _set(demo: _Demo, company, group_key, label, user, at):
    option = demo.options[(group_key, label)]
    demo.values.append(
        GroupValue(
            company_id=company.id,
            group_id=option.group_id,
            option_id=option.id,
            set_by=user,
            set_at=at,
        )
    )


def _add_groups(demo: _Demo, company):
    rng = demo.rng
    kind, key = company.status.kind, company.status.key
    owner = company.owner
    created = company.created_at
    # Lead source on almost every card (a few are missing, so the "missing" flag shows).
    if rng.random() < 0.95:
        label = weighted(
            rng,
            [("Referral", 12), ("SEO", 10), ("AdWords", 7), ("Canvas", 9), ("Trade fair", 6),
             ("Cold call", 8), ("Website", 11), ("Partner", 5)],
        )  # fmt: skip
        _set(demo, company, "lead_source", label, owner, created)
    if key == "lost_to_competitor":
        competitor = weighted(rng, COMPETITOR_WEIGHTS.items())
        _set(demo, company, "competitor", competitor, owner, company.updated_at)
    if kind in ("customer", "former_customer"):
        # A few customers lack their accounting system, so the required-group flag shows.
        if rng.random() < 0.92:
            systems = rng.sample(
                ["e-conomic", "Dinero", "Billy", "Uniconta", "Business Central", "Navision",
                 "Visma"],
                k=rng.choices((1, 2), weights=(4, 1))[0],
            )  # fmt: skip
            for label in systems:
                _set(demo, company, "accounting_system", label, owner, company.updated_at)
        if rng.random() < 0.7:
            payroll = rng.choice(["Danløn", "Dataløn", "Visma Løn", "Lessor", "Zenegy", "Proløn"])
            _set(demo, company, "payroll_system", payroll, owner, company.updated_at)
        if rng.random() < 0.6:
            previous = rng.choice(["Spreadsheets", "Paper", "Another CRM", "Nothing"])
            _set(demo, company, "previous_system", previous, owner, created)
        if kind == "customer" and rng.random() < 0.7:
            answer = "Yes" if rng.random() < 0.45 else "No"
            _set(demo, company, "reference_customer", answer, owner, company.updated_at)
        _add_satisfaction(demo, company)


def _add_satisfaction(demo: _Demo, company):
    """Service staff rate the customer now and then; the history shows the trend."""
    rng = demo.rng
    service = demo.users["jonas"]
    group = demo.groups["satisfaction"]
    labels = [o.label for o in sorted(group.options, key=lambda o: o.position)]
    score = rng.choices(range(5), weights=SATISFACTION_WEIGHTS)[0]
    previous = None
    ratings = rng.randint(1, 4)
    start = max(company.updated_at, demo.now - timedelta(days=600))
    span = max(2.0, (demo.now - start).total_seconds() / 86400)
    moments = sorted(
        demo.days_ago(rng.uniform(1, span), hour=rng.randint(7, 14)) for _ in range(ratings)
    )
    for at in moments:
        if previous is not None:
            score = max(0, min(4, score + rng.choice((-1, 0, 1, 1))))
        if previous != labels[score]:
            demo.changes.append(
                Change(
                    entity="group",
                    entity_id=group.id,
                    company_id=company.id,
                    field=f"group:{group.id}",
                    old=previous,
                    new=labels[score],
                    user_id=service.id,
                    changed_at=at,
                )
            )
        previous = labels[score]
    _set(demo, company, "satisfaction", previous, service, moments[-1].replace(microsecond=0))


def _add_personal_work(demo: _Demo):
    """Tasks for every demo user (overdue, today, later, done) and some minutes debt."""
    rng = demo.rng
    active = [c for c in demo.companies if c.status.kind in ("prospect", "customer")]
    for user in demo.users.values():
        own = [c for c in active if c.owner_id == user.id] or active
        plan = [(-rng.randint(1, 20), False) for _ in range(rng.randint(2, 4))]  # overdue
        plan += [(0, False) for _ in range(rng.randint(1, 2))]  # due today
        plan += [(rng.randint(1, 30), False) for _ in range(rng.randint(3, 6))]  # coming up
        plan += [(-rng.randint(1, 60), True) for _ in range(rng.randint(4, 8))]  # done
        for offset, done in plan:
            due = demo.today + timedelta(days=offset)
            company = rng.choice(own)
            created = datetime.combine(due, datetime.min.time()).replace(hour=9) - timedelta(
                days=rng.randint(3, 20)
            )
            created = min(created, demo.now)
            done_at = None
            if done:
                done_at = min(demo.now, datetime.combine(due, datetime.min.time()).replace(hour=14))
            _activity(
                demo, company, "task", rng.choice(TASK_SUBJECTS), None, user, created,
                assignee=user, due_date=due, done_at=done_at,
            )  # fmt: skip
        # Minutes debt: recent meetings held without minutes, for those who hold meetings.
        if user.department in ("sales", "consulting", "service", "management"):
            for _ in range(rng.randint(1, 3)):
                company = rng.choice(own)
                people = demo.contacts[id(company)]
                at = demo.days_ago(rng.uniform(1, 12), hour=rng.randint(7, 13))
                subject = rng.choice(MEETING_SUBJECTS)[0]
                meeting = _activity(demo, company, "meeting", subject, None, user, at, people[0])
                demo.attendees.append((meeting, people[0]))


def _add_card_views(demo: _Demo):
    """Owners looked at their cards a while ago; colleagues have changed some since."""
    rng = demo.rng
    views = []
    service = demo.users["jonas"]
    latest = {}
    for change in demo.changes:
        latest[change.company_id] = max(
            change.changed_at, latest.get(change.company_id, change.changed_at)
        )
    for company in demo.companies:
        if company.owner is None:
            continue
        # The owner has seen everything up to a while ago ...
        seen = max(
            demo.days_ago(rng.uniform(3, 30), hour=rng.randint(7, 14)),
            latest.get(company.id, company.created_at) + timedelta(hours=1),
        )
        seen = min(seen, demo.now)
        views.append(CardView(user_id=company.owner_id, company_id=company.id, seen_at=seen))
        # ... and service staff have since updated a few of the customers' cards.
        if company.status.kind == "customer" and rng.random() < 0.12:
            changed = seen + (demo.now - seen) * rng.uniform(0.3, 0.9)
            # In office hours (UTC), when that still falls between the visit and now.
            office = changed.replace(hour=rng.randint(7, 14), minute=rng.randint(0, 59))
            changed = (office if seen < office < demo.now else changed).replace(microsecond=0)
            _activity(
                demo, company, "call", "Servicekald", "Ringede om opdatering; alt vel.",
                service, changed, rng.choice(demo.contacts[id(company)]),
            )  # fmt: skip
            new_phone = danish_phone(rng)
            demo.changes.append(
                Change(
                    entity="company",
                    entity_id=company.id,
                    company_id=company.id,
                    field="phone",
                    old=company.phone,
                    new=new_phone,
                    user_id=service.id,
                    changed_at=changed,
                )
            )
            company.phone = new_phone
            company.updated_at = changed
            company.updated_by = service
            company.version += 1
    db.session.add_all(views)


# --- Deals, their history and the budgets (the pipeline) -------------------------------------

DEMO_DEAL_SEED = DEMO_SEED + 4
DEAL_TITLES = [
    "Kanel {n} brugere", "Kanel til salg og service, {n} brugere", "Udvidelse med {n} brugere",
    "Integration til økonomisystemet", "Integration til lønsystemet", "Opstart og kursus",
    "Kanel Pro, {n} brugere", "Rapportpakke til ledelsen", "Fornyelse og udvidelse",
    "Import af kundedata og opsætning", "Servicemodul til {n} brugere", "Kampagnemodul",
]  # fmt: skip
STAGE_KEYS = ("suspect", "prospect", "lead", "qualified", "proposal")
# How far open deals have come (stage key, weight).
OPEN_STAGE_WEIGHTS = [("suspect", 14), ("prospect", 16), ("lead", 16), ("qualified", 14),
                      ("proposal", 10)]  # fmt: skip
# Companies with the lead status have come further.
LEAD_STAGE_WEIGHTS = [("suspect", 1), ("prospect", 3), ("lead", 10), ("qualified", 12),
                      ("proposal", 9)]  # fmt: skip
# The stage a lost deal was lost from.
LOST_STAGE_WEIGHTS = [("prospect", 4), ("lead", 6), ("qualified", 8), ("proposal", 7)]
REQUIREMENT_TEXTS = {
    "call": ("Opkald om behov", "Talte med kontaktpersonen om deres behov og budget."),
    "email": ("Materiale sendt", "Sendt produktark og prisindikation efter aftale."),
    "meeting": ("Behovsafdækning", "Gennemgik deres salgsproces og ønsker. Næste skridt aftalt."),
    "proposal": ("Tilbud sendt", "Tilbud på licens, opsætning og kursus."),
}


def seed_demo_deals(users: dict) -> bool:
    """About 150 deals over two years with their moves, activities and outcomes, and budgets.

    Return False (and add no deals) when there are deals already; budgets are only added for
    months that have none.
    """
    added = False
    if db.session.scalar(select(Deal.id).limit(1)) is None:
        added = _add_demo_deals(users)
    _add_demo_budgets(users)
    db.session.flush()
    return added


def _add_demo_deals(users: dict) -> bool:
    rng = random.Random(DEMO_DEAL_SEED)
    now = utcnow().replace(microsecond=0)
    stages = {s.key: s for s in db.session.scalars(select(Stage)) if s.key in STAGE_KEYS}
    if len(stages) < len(STAGE_KEYS):
        return False
    for stage in stages.values():
        stage.requirements  # noqa: B018 - load the rules once, before the loop
    companies = list(
        db.session.scalars(select(Company).where(Company.archived.is_(False)).order_by(Company.id))
    )
    if not companies:
        return False
    contacts = {}
    for contact in db.session.scalars(
        select(Contact).where(Contact.archived.is_(False)).order_by(Contact.id)
    ):
        contacts.setdefault(contact.company_id, []).append(contact)
    statuses = {s.key: s for s in db.session.scalars(select(Status)) if s.key}
    competitor_group = db.session.scalar(select(Group).where(Group.key == "competitor"))
    competitors = {
        o.label: o
        for o in db.session.scalars(
            select(GroupOption).where(GroupOption.group_id == competitor_group.id)
        )
    } if competitor_group else {}  # fmt: skip
    chosen_competitor = {
        value.company_id: value.option
        for value in db.session.scalars(
            select(GroupValue).where(GroupValue.group_id == competitor_group.id)
        )
    } if competitor_group else {}  # fmt: skip
    sellers = [users["soeren"], users["line"]]

    plans = []
    by_kind = {}
    for company in companies:
        by_kind.setdefault(company.status.key or company.status.kind, []).append(company)
    pick = rng.sample
    for company in pick(by_kind.get("customer", []), min(40, len(by_kind.get("customer", [])))):
        plans.append((company, "won"))
    for company in pick(
        by_kind.get("former_customer", []), min(6, len(by_kind.get("former_customer", [])))
    ):  # noqa: E501
        plans.append((company, "won_long_ago"))
    for key in ("lost_to_competitor", "no_budget", "bad_timing", "too_small", "no_need"):
        group = by_kind.get(key, [])
        for company in pick(group, min(len(group), 9 if key == "lost_to_competitor" else 5)):
            plans.append((company, "lost"))
    for key in ("lead", "prospect", "suspect"):
        group = by_kind.get(key, [])
        share = {"lead": 1.0, "prospect": 0.6, "suspect": 0.2}[key]
        for company in pick(group, int(len(group) * share)):
            plans.append((company, "open"))
    customers = by_kind.get("customer", [])
    for company in pick(customers, min(14, len(customers))):
        plans.append((company, rng.choice(("open", "open", "lost_upsell"))))

    deals, moves, activities, attendees, changes = [], [], [], [], []
    for company, plan in plans:
        people = contacts.get(company.id) or []
        owner = company.owner if company.owner in sellers else rng.choice(sellers)
        if rng.random() < 0.06:
            owner = users["mette"]
        n = rng.choice((5, 10, 15, 20, 25, 40))
        title = rng.choice(DEAL_TITLES).format(n=n)
        value = Decimal(rng.randint(24, 700) * 500)
        age_limit = max(20, (now - company.created_at).days - 5)
        if plan in ("won", "lost", "lost_upsell"):
            closed_days_ago = rng.uniform(3, min(700, age_limit - 10)) if age_limit > 15 else 3
            length = rng.uniform(20, 140)
            opened = now - timedelta(days=closed_days_ago + length)
            closed = now - timedelta(days=closed_days_ago)
        elif plan == "won_long_ago":
            closed_days_ago = rng.uniform(400, 720)
            length = rng.uniform(30, 120)
            opened = now - timedelta(days=closed_days_ago + length)
            closed = now - timedelta(days=closed_days_ago)
        else:
            opened = now - timedelta(days=rng.uniform(5, min(200, age_limit)))
            closed = None
        opened = max(opened, company.created_at + timedelta(hours=1)).replace(microsecond=0)
        if closed is not None and closed <= opened:
            closed = opened + timedelta(days=rng.uniform(15, 60))
            closed = min(closed, now - timedelta(days=1))
        if plan in ("won", "won_long_ago"):
            reached = "proposal"
        elif plan in ("lost", "lost_upsell"):
            reached = weighted(rng, LOST_STAGE_WEIGHTS)
        else:
            # Open deals have come no further than their company's status suggests.
            furthest = {"suspect": "prospect", "prospect": "lead"}.get(company.status.key)
            allowed = STAGE_KEYS[: STAGE_KEYS.index(furthest) + 1] if furthest else STAGE_KEYS
            weights = LEAD_STAGE_WEIGHTS if company.status.key == "lead" else OPEN_STAGE_WEIGHTS
            reached = weighted(rng, [(k, w) for k, w in weights if k in allowed])
        path = list(STAGE_KEYS[: STAGE_KEYS.index(reached) + 1])
        start = "prospect" if rng.random() < 0.55 and len(path) > 1 else "suspect"
        path = path[path.index(start) :]
        end = closed or now
        # Rotting: a few open deals have sat in their stage far longer than its rot days.
        rotting = plan == "open" and rng.random() < 0.12
        span = (end - opened).total_seconds()
        cuts = sorted(rng.uniform(0.05, 0.9) for _ in path[1:])
        moments = [opened] + [
            (opened + timedelta(seconds=span * c)).replace(microsecond=0) for c in cuts
        ]
        rot = stages[path[-1]].rot_days
        if plan == "open" and not rotting and rot and (now - moments[-1]).days > rot * 0.8:
            # Moved on recently: the stage's moves fall between the opening and then.
            fresh = max(now - timedelta(days=rng.uniform(1, rot * 0.8)), opened)
            if not cuts:
                opened = fresh.replace(microsecond=0)
            moments = [opened] + [
                (opened + (fresh - opened) * (c / cuts[-1])).replace(microsecond=0) for c in cuts
            ]
        if rotting:
            rot = rot or 30
            last = now - timedelta(days=rot + rng.randint(5, 40))
            if last > opened:
                moments[-1] = last.replace(microsecond=0)
                moments = [min(m, moments[-1]) for m in moments]
        # In office hours (UTC), in order, never in the future; a close comes after the moves.
        moments = sorted(min(_office_hours(rng, m), now) for m in moments)
        opened = moments[0]
        if closed is not None:
            closed = max(_office_hours(rng, closed), moments[-1] + timedelta(hours=1))
        deal = Deal(
            company_id=company.id,
            title=title,
            value=value,
            stage=stages[path[-1]],
            owner=owner,
            expected_close=None,
            outcome="open",
            created_at=opened,
            created_by_id=owner.id,
            stage_entered_at=moments[-1],
            updated_at=moments[-1],
            version=len(path),
        )
        if plan == "open":
            days = rng.choice((-12, 10, 20, 35, 50, 70, 95, 120, 150, 175))
            deal.expected_close = (now + timedelta(days=days + rng.randint(0, 9))).date()
            if rng.random() < 0.1:
                deal.probability_override = rng.choice((15, 30, 50, 75))
        else:
            deal.expected_close = closed.date()
        deals.append((deal, plan, path, moments, closed, people))

    db.session.add_all([d for d, *_ in deals])
    db.session.flush()

    for deal, plan, path, moments, closed, people in deals:
        owner = deal.owner
        previous = None
        for key, at in zip(path, moments, strict=True):
            stage = stages[key]
            if previous is not None:
                # What the stage's rules ask for, logged on the deal before it moved.
                for requirement in stage.requirements:
                    kind = rng.choice(requirement.kind_list) if requirement.kind_list else "note"
                    subject, body = REQUIREMENT_TEXTS.get(kind, ("Opfølgning", "Fulgt op."))
                    logged = _office_hours(rng, at - timedelta(days=rng.randint(0, 3)))
                    if logged >= at:
                        logged = at - timedelta(minutes=rng.choice((30, 45, 60)))
                    logged = max(logged, moments[0] + timedelta(minutes=15))
                    contact = rng.choice(people) if people else None
                    activity = Activity(
                        company_id=deal.company_id,
                        deal_id=deal.id,
                        kind=kind,
                        subject=subject,
                        body=body,
                        author=owner,
                        occurred_at=logged,
                        contact=contact,
                        created_at=logged,
                        updated_at=logged,
                    )
                    activities.append(activity)
                    if kind == "meeting" and contact is not None:
                        attendees.append((activity, contact))
            moves.append(
                StageChange(
                    deal_id=deal.id,
                    from_stage_id=previous.id if previous else None,
                    to_stage_id=stage.id,
                    via="form" if previous is None else rng.choice(("board", "board", "form")),
                    user_id=owner.id,
                    changed_at=at,
                )
            )
            previous = stage
        changes.append(
            Change(
                entity="deal",
                entity_id=deal.id,
                company_id=deal.company_id,
                field="created",
                new=deal.title,
                user_id=owner.id,
                changed_at=moments[0],
            )
        )
        if plan in ("won", "won_long_ago"):
            _close_demo_deal(deal, "won", closed, moves, changes)
        elif plan in ("lost", "lost_upsell"):
            company = deal.company
            if plan == "lost" and company.status.kind == "inactive":
                reason = company.status
            else:
                reason = statuses[rng.choice(("too_small", "no_need", "bad_timing", "no_budget"))]
            deal.lost_reason = reason
            if reason.key == "lost_to_competitor":
                deal.competitor = chosen_competitor.get(company.id) or (
                    competitors[weighted(rng, COMPETITOR_WEIGHTS.items())] if competitors else None
                )
            _close_demo_deal(deal, "lost", closed, moves, changes)
    db.session.add_all(activities)
    db.session.add_all(moves)
    db.session.add_all(changes)
    db.session.flush()
    if attendees:
        db.session.execute(
            activity_attendee.insert(),
            [{"activity_id": a.id, "contact_id": c.id} for a, c in attendees],
        )
    return True


def _office_hours(rng: random.Random, moment: datetime) -> datetime:
    return moment.replace(hour=rng.randint(7, 14), minute=rng.choice((0, 15, 30, 45)), second=0)


def _close_demo_deal(deal, outcome, closed, moves, changes):
    deal.outcome = outcome
    deal.closed_at = closed.date()
    deal.updated_at = closed
    deal.version += 1
    moves.append(
        StageChange(
            deal_id=deal.id,
            from_stage_id=deal.stage_id,
            to_stage_id=None,
            outcome=outcome,
            via="form",
            user_id=deal.owner_id,
            changed_at=closed,
        )
    )
    changes.append(
        Change(
            entity="deal",
            entity_id=deal.id,
            company_id=deal.company_id,
            field="outcome",
            old="open",
            new=outcome,
            user_id=deal.owner_id,
            changed_at=closed,
        )
    )


def _add_demo_budgets(users: dict):
    """Monthly sales targets for the past 12 and next 6 months: the company's and each seller's."""
    rng = random.Random(DEMO_DEAL_SEED + 1)
    today = utcnow().date()
    first = date(today.year, today.month, 1)
    months = []
    for offset in range(-12, 7):
        year, month = divmod(first.month - 1 + offset, 12)
        months.append(date(first.year + year, month + 1, 1))
    sellers = [users["soeren"], users["line"]]
    existing = {tuple(row) for row in db.session.execute(select(Budget.month, Budget.user_id))}
    rows = []
    for month in months:
        # Quieter in July and December, as in most Danish companies.
        season = {7: 0.6, 12: 0.75, 1: 0.9, 8: 0.9}.get(month.month, 1.0)
        shares = []
        for seller in sellers:
            amount = Decimal(round(rng.uniform(120_000, 180_000) * season, -4))
            shares.append(amount)
            if (month, seller.id) not in existing:
                rows.append(Budget(month=month, user_id=seller.id, amount=amount))
        if (month, None) not in existing:
            rows.append(Budget(month=month, user_id=None, amount=sum(shares) + Decimal(30_000)))
    db.session.add_all(rows)


# --- Industries and A/B/C (the demo ships only the 21 NACE sections) -----------------------

# Section → weight: the industries a Danish software house sells to.
DEMO_SECTIONS = [("J", 18), ("M", 16), ("C", 14), ("G", 12), ("F", 10), ("N", 8), ("Q", 6)]
DEMO_SECTIONS += [("K", 5), ("H", 4), ("I", 3), ("P", 2), ("L", 2)]
# The admin's marks: IT and consultancies are the best leads, manufacturing next.
DEMO_MARKS = {"J": "A", "M": "A", "C": "B", "G": "B", "I": "C"}


def seed_demo_industries() -> bool:
    """Give the demo companies a section, mark a few sections, compute their categories.

    Return False (and change nothing) when a company already has an industry.
    """
    from webapp.models.marketing import Industry
    from webapp.services.categories import recompute_categories, refresh_effective_categories

    if db.session.scalar(select(Company.id).where(Company.industry_id.is_not(None)).limit(1)):
        return False
    sections = {i.code: i for i in db.session.scalars(select(Industry).where(Industry.level == 0))}
    companies = db.session.scalars(select(Company).order_by(Company.id)).all()
    if not companies or not sections:
        return False
    rng = random.Random(DEMO_SEED + 5)
    codes = [code for code, _weight in DEMO_SECTIONS if code in sections]
    weights = [weight for code, weight in DEMO_SECTIONS if code in sections]
    for company in companies:
        company.industry_id = sections[rng.choices(codes, weights)[0]].id
    for code, mark in DEMO_MARKS.items():
        if code in sections and sections[code].category is None:
            sections[code].category = mark
    db.session.flush()
    refresh_effective_categories()
    # The demo's companies start out with their computed category: no history for that.
    recompute_categories(None, record=False)
    db.session.flush()
    return True


def seed_demo_segments(users: dict) -> bool:
    """A few saved segments, among them the whitepaper's example: leads lost to a competitor.

    Return False (and change nothing) when any segment exists already.
    """
    from webapp.models.marketing import Segment
    from webapp.services.segments import create_segment

    if db.session.scalar(select(Segment.id).limit(1)):
        return False
    statuses = {s.key: s.id for s in db.session.scalars(select(Status)) if s.key}
    owner = users.get("mette") or next(iter(users.values()), None)
    if owner is None or "lost_to_competitor" not in statuses:
        return False
    create_segment(
        "Lost to a competitor",
        "Leads we lost to a competitor: win them back with the spring campaign.",
        True,
        {"status": [statuses["lost_to_competitor"]]},
        owner,
    )
    create_segment(
        "A and B customers with consent",
        "Customers worth a newsletter: category A or B, with someone who said yes to e-mails.",
        True,
        {"kind": ["customer"], "category": ["A", "B"], "consent": "yes"},
        owner,
    )
    create_segment(
        "Prospects without activity for three months",
        "Prospects and leads nobody has talked to lately.",
        True,
        {"kind": ["prospect"], "activity_before": (date.today() - timedelta(days=90)).isoformat()},
        owner,
    )
    db.session.flush()
    return True


DEMO_CAMPAIGN_SEED = 7305
DEMO_LETTER_BODY = (
    "{{ company.city }}, {{ today }}\n\n"
    "Kære {{ contact.first_name }} {{ contact.last_name }}\n\n"
    "Tak for sidst. Vi holder temadag om løn og økonomi i skyen den 14. januar, "
    "og vi vil meget gerne se {{ company.name }} der.\n\n"
    "Programmet byder på erfaringer fra tre kunder, nyheder i lønmodulet og god tid til "
    "spørgsmål. Tilmeld dig ved at svare på denne e-mail eller ringe til os.\n\n"
    "Med venlig hilsen\n"
    "{{ sender.name }}"
)
DEMO_LETTERHEAD = "Kanel Software A/S\nHavnegade 12\n8000 Aarhus C\nTlf. 86 12 34 56\nCVR 12345674"


def seed_demo_campaigns(users: dict) -> bool:
    """Three campaigns with leads, tied deals and a letter template for the mail merge.

    Return False (and add nothing) when there are campaigns already.
    """
    from webapp.models.marketing import Campaign, CampaignCompany, LetterTemplate
    from webapp.services import campaigns as campaign_service

    if db.session.scalar(select(Campaign.id).limit(1)) is not None:
        return False
    if db.session.scalar(select(LetterTemplate.id).limit(1)) is None:
        db.session.add(
            LetterTemplate(
                name="Invitation til temadag",
                body=DEMO_LETTER_BODY,
                letterhead=DEMO_LETTERHEAD,
                updated_at=utcnow(),
                updated_by_id=users["admin"].id if "admin" in users else None,
            )
        )
    companies = db.session.scalars(
        select(Company).where(Company.archived.is_(False)).order_by(Company.id)
    ).all()
    if not companies:
        db.session.flush()
        return False
    rng = random.Random(DEMO_CAMPAIGN_SEED)
    today = date.today()
    marketing = users.get("ida") or next(iter(users.values()))
    channel = {
        o.label: o.id
        for o in db.session.scalars(
            select(GroupOption).join(Group).where(Group.key == "lead_source")
        )
    }
    plans = [
        ("Messe: Økonomi & Løn 2026", "Trade fair", "45000", 200, 198, 0.25),
        ("AdWords forår", "AdWords", "18500", 150, 60, 0.3),
    ]
    for name, channel_label, cost, start_days, end_days, share in plans:
        campaign = campaign_service.create_campaign(
            campaign_service.CampaignData(
                name=name,
                channel_option_id=channel.get(channel_label),
                cost=Decimal(cost),
                starts_on=today - timedelta(days=start_days),
                ends_on=today - timedelta(days=end_days),
                description="Stand, katalog og opfølgning på alle besøgende."
                if channel_label == "Trade fair"
                else "Søgeannoncer på løn- og økonomisystem.",
            ),
            marketing,
        )
        chosen = rng.sample(companies, max(1, int(len(companies) * share)))
        for company in chosen:
            db.session.add(
                CampaignCompany(
                    campaign_id=campaign.id,
                    company_id=company.id,
                    added_at=datetime.combine(campaign.starts_on, datetime.min.time()),
                    added_by_id=marketing.id,
                )
            )
        db.session.flush()
        # Deals of its leads opened after it started came from it.
        starts = datetime.combine(campaign.starts_on, datetime.min.time())
        deals = db.session.scalars(
            select(Deal).where(
                Deal.company_id.in_(c.id for c in chosen),
                Deal.created_at >= starts,
                Deal.campaign_id.is_(None),
            )
        ).all()
        for deal in deals:
            if rng.random() < 0.7:
                deal.campaign_id = campaign.id
    lost = db.session.scalar(select(Status).where(Status.key == "lost_to_competitor"))
    if lost is not None:
        campaign, _segment, _added = campaign_service.start_status_campaign(
            lost, marketing, today=today - timedelta(days=20)
        )
        campaign.name = "Vind tabte kunder tilbage"
        campaign.cost = Decimal("6500")
        campaign.channel_option_id = channel.get("Cold call")
    db.session.flush()
    return True
