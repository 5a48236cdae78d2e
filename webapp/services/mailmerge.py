"""Mail merge (brevfletning): letter templates with placeholders, rendered safely, to one PDF.

A template's body and letterhead are plain text with placeholders such as
`{{ contact.first_name }}` or `{{ company.city }}`. They run in a sandboxed Jinja environment
that only ever sees plain dicts of the allowed fields (never model objects), with strict
undefined values, and every piece of text - the admin's own words too - is HTML-escaped, so
a template can neither reach into Python nor inject markup into the letter.
"""

import tempfile
from dataclasses import dataclass
from datetime import date, datetime

from flask import render_template
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from webapp.extensions import db
from webapp.models.customer import Company, Contact
from webapp.models.marketing import LetterTemplate
from webapp.models.user import utcnow
from webapp.services.audit import record_change

MAX_TEMPLATE_LENGTH = 20_000
# One PDF is built within one request (WeasyPrint lays out some 20-60 pages a second);
# beyond this the segment should be narrowed or split.
MAX_LETTERS = 500

CONTACT_FIELDS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "name": _l("Full name"),
    "title": _l("Title"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
}
COMPANY_FIELDS = {
    "name": _l("Company name"),
    "street": _l("Street"),
    "postcode": _l("Postcode"),
    "city": _l("City"),
    "country": _l("Country"),
    "cvr": _l("CVR number"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "website": _l("Website"),
}
SENDER_FIELDS = {"name": _l("Your name"), "email": _l("Your e-mail")}
OBJECTS = {"contact": CONTACT_FIELDS, "company": COMPANY_FIELDS, "sender": SENDER_FIELDS}
PLAIN_VALUES = {"today": _l("Today's date, written out")}


def placeholders() -> list[tuple[str, str]]:
    """Every placeholder a template may use, with what it stands for."""
    rows = [
        (f"{{{{ {obj}.{name} }}}}", str(label))
        for obj, fields in OBJECTS.items()
        for name, label in fields.items()
    ]
    rows += [(f"{{{{ {name} }}}}", str(label)) for name, label in PLAIN_VALUES.items()]
    return rows


class LetterError(ValueError):
    """A template that cannot be rendered; the message names the problem and the line."""

    def __init__(self, message: str, line: int | None = None, part: str = "body"):
        super().__init__(message)
        self.line = line
        self.part = part


class StaleTemplate(Exception):
    """Someone saved the template after the form was opened."""

    def __init__(self, template: LetterTemplate):
        super().__init__("stale letter template")
        self.template = template


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox letters run in: autoescaped, strict, nothing mutable."""


def _environment() -> _Environment:
    return _Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)


def _where(line: int | None) -> str:
    return _(" on line %(line)s", line=line) if line else ""


def _check_names(tree: nodes.Template, part: str) -> None:
    """Refuse unknown placeholders and private attributes before anything runs."""
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for node in tree.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            raise LetterError(
                _("%(what)s is not allowed in a letter", what=node.attr) + _where(node.lineno),
                node.lineno,
                part,
            )
        known = OBJECTS.get(node.node.name) if isinstance(node.node, nodes.Name) else None
        if known is not None and node.attr not in known:
            placeholder = node.node.name + "." + node.attr
            raise LetterError(
                _("Unknown placeholder %(name)s", name=placeholder) + _where(node.lineno),
                node.lineno,
                part,
            )
    for node in tree.find_all(nodes.Getitem):
        key = node.arg.value if isinstance(node.arg, nodes.Const) else None
        if isinstance(key, str) and key.startswith("_"):
            raise LetterError(
                _("%(what)s is not allowed in a letter", what=key) + _where(node.lineno),
                node.lineno,
                part,
            )
        known = OBJECTS.get(node.node.name) if isinstance(node.node, nodes.Name) else None
        if known is not None and key not in known:
            placeholder = "%s[%r]" % (node.node.name, key)  # noqa: UP031 - not a message
            raise LetterError(
                _("Unknown placeholder %(name)s", name=placeholder) + _where(node.lineno),
                node.lineno,
                part,
            )
    for node in tree.find_all(nodes.Name):
        if node.ctx != "load" or node.name in assigned:
            continue
        if node.name not in OBJECTS and node.name not in PLAIN_VALUES:
            raise LetterError(
                _("Unknown placeholder %(name)s", name=node.name) + _where(node.lineno),
                node.lineno,
                part,
            )


def _escape_text(tree: nodes.Template) -> None:
    """Escape the template's own words too: letters are text, not HTML."""
    for node in tree.find_all(nodes.TemplateData):
        node.data = str(escape(node.data))


def compile_text(source: str, part: str = "body"):
    """Compile a body or letterhead in the sandbox, or raise LetterError saying what is wrong."""
    source = source or ""
    if len(source) > MAX_TEMPLATE_LENGTH:
        raise LetterError(
            _("Keep the text under %(n)s characters.", n=format_decimal(MAX_TEMPLATE_LENGTH)),
            None,
            part,
        )
    env = _environment()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as error:
        raise LetterError(
            _(
                "The placeholders cannot be read: %(problem)s",
                problem=(error.message or "").rstrip("."),
            )
            + _where(error.lineno),
            error.lineno,
            part,
        ) from error
    _check_names(tree, part)
    _escape_text(tree)
    return env.from_string(tree)


def _run(template, values: dict, part: str) -> str:
    try:
        return template.render(**values)
    except SecurityError as error:
        message = _("Not allowed in a letter: %(problem)s", problem=str(error))
        raise LetterError(message, None, part) from error
    except UndefinedError as error:
        message = _("Unknown placeholder: %(problem)s", problem=str(error))
        raise LetterError(message, None, part) from error
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        message = _("The placeholders cannot be filled in: %(problem)s", problem=str(error))
        raise LetterError(message, None, part) from error


def as_paragraphs(text: str) -> Markup:
    """Escaped text → paragraphs at blank lines, line breaks within them."""
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n")]
    # The sandbox escaped every piece of the text already; only our tags are added.
    lines = [[Markup(line) for line in b.split("\n")] for b in blocks if b.strip()]  # noqa: S704
    return Markup("").join(Markup("<p>{}</p>").format(Markup("<br>").join(b)) for b in lines)


# --- The values a letter sees: plain dicts, never model objects ----------------------------


def contact_values(contact: Contact) -> dict:
    return {
        "first_name": contact.first_name or "",
        "last_name": contact.last_name or "",
        "name": contact.name,
        "title": contact.title or "",
        "email": contact.email or "",
        "phone": contact.phone or "",
    }


def company_values(company: Company) -> dict:
    return {
        "name": company.name or "",
        "street": company.street or "",
        "postcode": company.postcode or "",
        "city": company.city or "",
        "country": company.country or "",
        "cvr": company.cvr or "",
        "phone": company.phone or "",
        "email": company.email or "",
        "website": company.website or "",
    }


def sender_values(user) -> dict:
    return {"name": getattr(user, "name", "") or "", "email": getattr(user, "email", "") or ""}


def letter_values(contact: Contact, company: Company, sender, today: date) -> dict:
    return {
        "contact": contact_values(contact),
        "company": company_values(company),
        "sender": sender_values(sender),
        "today": format_date(today, "long"),
    }


def sample_values(sender=None) -> dict:
    """Made-up values to check a template with before it is saved."""
    return {
        "contact": dict.fromkeys(CONTACT_FIELDS, "x"),
        "company": dict.fromkeys(COMPANY_FIELDS, "x"),
        "sender": sender_values(sender),
        "today": format_date(date.today(), "long"),
    }


@dataclass
class Letter:
    """One rendered letter: recipient block values and safe HTML for letterhead and body."""

    contact: dict
    company: dict
    letterhead: Markup
    body: Markup


class CompiledLetter:
    """A template compiled once, rendered for many contacts."""

    def __init__(self, body: str, letterhead: str | None):
        self.body = compile_text(body, "body")
        self.letterhead = compile_text(letterhead or "", "letterhead")

    def render(self, values: dict) -> Letter:
        return Letter(
            contact=values["contact"],
            company=values["company"],
            letterhead=as_paragraphs(_run(self.letterhead, values, "letterhead")),
            body=as_paragraphs(_run(self.body, values, "body")),
        )


def check_template(body: str, letterhead: str | None, sender=None) -> None:
    """Raise LetterError when the body or letterhead would not render."""
    CompiledLetter(body, letterhead).render(sample_values(sender))


def render_letter(template: LetterTemplate, contact: Contact, sender, today=None) -> Letter:
    compiled = CompiledLetter(template.body, template.letterhead)
    return compiled.render(letter_values(contact, contact.company, sender, today or date.today()))


# --- Who gets a letter ---------------------------------------------------------------------


def recipients_query(segment, consent_only: bool = False) -> Select:
    """The segment's live contacts (of its live companies), each with its company loaded."""
    from webapp.services.segments import segment_contacts_query

    return segment_contacts_query(segment, consent_only=consent_only).options(
        contains_eager(Contact.company)
    )


def count_recipients(segment, consent_only: bool = False) -> int:
    from webapp.services.segments import segment_contacts_query

    contacts = segment_contacts_query(segment, consent_only=consent_only).order_by(None)
    ids = contacts.with_only_columns(Contact.id).subquery()
    return db.session.scalar(select(func.count()).select_from(ids)) or 0


def letters_pdf(template: LetterTemplate, contacts, sender, today=None, base_url=None):
    """Render the letters into one PDF in a temporary file (rewound); one page per letter."""
    from weasyprint import HTML

    compiled = CompiledLetter(template.body, template.letterhead)
    today = today or date.today()
    letters = [
        compiled.render(letter_values(contact, contact.company, sender, today))
        for contact in contacts
    ]
    html = render_template("letters/print.html", letters=letters, letter_template=template)
    # The response streams it and closes it when sent.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    HTML(string=html, base_url=base_url).write_pdf(output)
    output.seek(0)
    return output, len(letters)


# --- Writes ---------------------------------------------------------------------------------


def version_of(template: LetterTemplate) -> str:
    return template.updated_at.isoformat(timespec="microseconds") if template.updated_at else ""


def save_template(template: LetterTemplate | None, name, body, letterhead, user, version=None):
    """Create or change a template after checking it renders; flush; return it."""
    check_template(body, letterhead, user)
    if template is None:
        template = LetterTemplate(name=name.strip(), body=body, letterhead=letterhead or None)
        template.updated_at = utcnow()
        template.updated_by_id = user.id if user else None
        db.session.add(template)
        db.session.flush()
        record_change("letter", template.id, "created", None, template.name, user)
        return template
    if version is not None and version != version_of(template):
        raise StaleTemplate(template)
    changed = False
    for field, value in (
        ("name", name.strip()),
        ("body", body),
        ("letterhead", letterhead or None),
    ):
        if record_change("letter", template.id, field, getattr(template, field), value, user):
            setattr(template, field, value)
            changed = True
    if changed:
        template.updated_at = utcnow()
        template.updated_by_id = user.id if user else None
    db.session.flush()
    return template


def delete_template(template: LetterTemplate, user) -> None:
    record_change("letter", template.id, "deleted", template.name, None, user)
    db.session.delete(template)
    db.session.flush()


def name_taken(name: str, except_id: int | None = None) -> bool:
    stmt = select(LetterTemplate.id).where(LetterTemplate.name == name.strip())
    if except_id:
        stmt = stmt.where(LetterTemplate.id != except_id)
    return db.session.scalar(stmt) is not None


def today_in_words(day: date | datetime | None = None) -> str:
    return format_date(day or date.today(), "long")
