"""Value mapping: each distinct value of a choice column → one of Kanel's values.

Kanel values are strings:
  status, lost_reason → status id; owner/author ("user") → user id; stage → stage id, or
  "won"/"lost"; outcome → "open"/"won"/"lost"; activity kind → its key ("call");
  country → ISO code ("DK"); industry → industry id; group → option id, or "new:<label>"
  (an option the import creates, only when the user agreed); "" → no value.
The guess is what Kanel proposes; the user's corrections are stored in the job's mapping
under mapping["values"][header][file value].
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process
from rapidfuzz import utils as fuzz_utils
from sqlalchemy import select

from webapp.extensions import db
from webapp.models.activity import ACTIVITY_KINDS
from webapp.models.customer import Status
from webapp.models.group import Group, GroupOption
from webapp.models.marketing import Industry
from webapp.models.pipeline import OUTCOMES, Stage
from webapp.models.user import User
from webapp.services.imports.fields import NEW_GROUP, field_by_key, normalise_header

NEW = "new:"
# Similarity (0–100, rapidfuzz) from which a file value is guessed to be a Kanel value.
GUESS_SCORE = 86
# Option values this alike (after squeezing out spaces and case) are flagged as one.
NEAR_OPTION_SCORE = 90

OUTCOME_WORDS = {
    "open": {"open", "aaben", "aabne", "active", "aktiv", "igang", "in progress"},
    "won": {"won", "win", "closed won", "closedwon", "vundet", "vandt", "sold", "solgt"},
    "lost": {"lost", "closed lost", "closedlost", "tabt", "tabte", "lose"},
}
KIND_WORDS = {
    "note": {"note", "notat", "notes", "noter", "comment", "kommentar"},
    "call": {"call", "phone", "phone call", "opkald", "telefon", "samtale", "ring"},
    "email": {"email", "e-mail", "mail"},
    "meeting": {"meeting", "moede", "besoeg", "visit", "moedereferat"},
    "proposal": {"proposal", "quote", "offer", "tilbud"},
}
# Words for the default statuses and stages (by key), Danish and English.
STATUS_WORDS = {
    "suspect": {"suspect", "mistaenkt", "mulig kunde", "cold", "kold"},
    "prospect": {"prospect", "emne", "potentiel kunde", "potentiel", "interessent"},
    "lead": {"lead", "kundeemne", "varm", "hot lead", "warm"},
    "customer": {"customer", "kunde", "kunder", "client", "aktiv kunde", "active customer"},
    "former_customer": {"former customer", "tidligere kunde", "ex kunde", "exkunde", "churned",
                        "opsagt"},
}  # fmt: skip
STAGE_WORDS = {
    "suspect": {"suspect", "mistaenkt", "identificeret"},
    "prospect": {"prospect", "emne", "prospecting", "prospektering"},
    "lead": {"lead", "kundeemne", "kontaktet", "contacted", "engaging"},
    "qualified": {"qualified", "kvalificeret", "qualification", "kvalificering", "moede holdt"},
    "proposal": {"proposal", "tilbud", "quote", "offer", "tilbud sendt", "negotiation",
                 "forhandling"},
}  # fmt: skip
COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "unitedstatesofamerica": "US", "america": "US", "uk": "GB",
    "england": "GB", "greatbritain": "GB", "korea": "KR", "southkorea": "KR",
    "holland": "NL", "danmark": "DK", "sverige": "SE", "norge": "NO", "deutschland": "DE",
    "tyskland": "DE", "suomi": "FI", "finland": "FI", "island": "IS",
}  # fmt: skip


def _key(text) -> str:
    return normalise_header(str(text or ""))


@dataclass
class ValueRow:
    """One distinct value of a column: how often it occurs, Kanel's guess, and similar values."""

    value: str
    count: int
    guess: str
    chosen: str
    # Other file values in the column, or the existing option, that look like the same thing
    # but are spelled differently (GTXPro / GTX Pro).
    alike: list[str] = field(default_factory=list)


def choice_type(kind: str, target: str) -> str | None:
    """The choice type behind a column target, or None for plain fields."""
    if target.startswith("group:"):
        return "group"
    if target == NEW_GROUP:
        return "new_group"
    found = field_by_key(kind, target)
    return found.type if found is not None and found.is_choice else None


@lru_cache(maxsize=4)
def _countries(locale: str) -> dict[str, str]:
    return {_key(name): code for code, name in Locale.parse(locale).territories.items()}


def country_table() -> dict[str, str]:
    """Normalised country names (English and Danish), ISO codes and aliases → ISO code."""
    table = {}
    for locale in ("en", "da"):
        table.update(_countries(locale))
    for code in Locale.parse("en").territories:
        if re.fullmatch(r"[A-Z]{2}", code):
            table[code.lower()] = code
    table.update(COUNTRY_ALIASES)
    return table


def value_choices(kind: str, target: str) -> list[tuple[str, str]]:
    """Kanel's values a file value of this column can be mapped to: [(value, label)].

    Starts with ("", "— no value —"). For a group: its active options; a new option is
    chosen by the value "new:<label>" and is not listed.
    """
    ctype = choice_type(kind, target)
    choices = [("", str(_l("— no value —")))]
    if ctype == "status":
        rows = db.session.scalars(select(Status).where(Status.active).order_by(Status.position))
        choices += [(str(s.id), s.name) for s in rows]
    elif ctype == "lost_reason":
        rows = db.session.scalars(
            select(Status).where(Status.active, Status.kind == "inactive").order_by(Status.position)
        )
        choices += [(str(s.id), s.name) for s in rows]
    elif ctype == "user":
        rows = db.session.scalars(select(User).where(User.active).order_by(User.name))
        choices += [(str(u.id), f"{u.name} <{u.email}>") for u in rows]
    elif ctype == "stage":
        rows = db.session.scalars(select(Stage).where(Stage.active).order_by(Stage.position))
        choices += [(str(s.id), s.name) for s in rows]
        choices += [("won", str(OUTCOMES["won"])), ("lost", str(OUTCOMES["lost"]))]
    elif ctype == "outcome":
        choices += [(k, str(v)) for k, v in OUTCOMES.items()]
    elif ctype == "activity_kind":
        choices += [(k, str(v)) for k, v in ACTIVITY_KINDS.items() if k != "task"]
    elif ctype == "country":
        from flask_babel import get_locale

        locale = get_locale() or Locale.parse("en")
        names = locale.territories
        choices += sorted(
            ((c, n) for c, n in names.items() if re.fullmatch(r"[A-Z]{2}", c)),
            key=lambda pair: pair[1].casefold(),
        )
    elif ctype == "group":
        group_id = int(target.split(":", 1)[1])
        rows = db.session.scalars(
            select(GroupOption)
            .where(GroupOption.group_id == group_id, GroupOption.active)
            .order_by(GroupOption.position, GroupOption.id)
        )
        choices += [(str(o.id), o.label) for o in rows]
    return choices


class Guesser:
    """Guesses Kanel values for file values; loads each lookup table once."""

    def __init__(self, kind: str):
        self.kind = kind
        self._tables: dict[str, dict[str, str]] = {}
        self.option_labels: dict[str, str] = {}

    def _table(self, ctype: str, target: str) -> dict[str, str]:
        cache_key = target if ctype == "group" else ctype
        if cache_key in self._tables:
            return self._tables[cache_key]
        table: dict[str, str] = {}
        if ctype in ("status", "lost_reason"):
            query = select(Status).where(Status.active)
            if ctype == "lost_reason":
                query = query.where(Status.kind == "inactive")
            for s in db.session.scalars(query):
                table[_key(s.name)] = str(s.id)
                if s.key:
                    table.setdefault(_key(s.key), str(s.id))
                    for word in STATUS_WORDS.get(s.key, ()):
                        table.setdefault(_key(word), str(s.id))
        elif ctype == "user":
            for u in db.session.scalars(select(User).where(User.active)):
                table[_key(u.name)] = str(u.id)
                table[u.email.lower()] = str(u.id)
        elif ctype == "stage":
            for s in db.session.scalars(select(Stage).where(Stage.active)):
                table[_key(s.name)] = str(s.id)
                if s.key:
                    table.setdefault(_key(s.key), str(s.id))
                    for word in STAGE_WORDS.get(s.key, ()):
                        table.setdefault(_key(word), str(s.id))
            for outcome in ("won", "lost"):
                for word in OUTCOME_WORDS[outcome]:
                    table.setdefault(_key(word), outcome)
        elif ctype == "outcome":
            for outcome, words in OUTCOME_WORDS.items():
                for word in words:
                    table[_key(word)] = outcome
                table[_key(OUTCOMES[outcome])] = outcome
        elif ctype == "activity_kind":
            for kind, words in KIND_WORDS.items():
                for word in words:
                    table[_key(word)] = kind
                table[_key(ACTIVITY_KINDS[kind])] = kind
        elif ctype == "country":
            table = country_table()
        elif ctype == "group":
            group_id = int(target.split(":", 1)[1])
            for o in db.session.scalars(
                select(GroupOption).where(GroupOption.group_id == group_id, GroupOption.active)
            ):
                table.setdefault(_key(o.label), str(o.id))
                self.option_labels[str(o.id)] = o.label
        self._tables[cache_key] = table
        return table

    def guess(self, target: str, value: str, create_options: bool = False) -> str:
        """Kanel's value for one file value ("" when nothing fits well enough)."""
        ctype = choice_type(self.kind, target)
        value = " ".join(str(value or "").split())
        if not value or ctype is None:
            return ""
        if ctype == "new_group":
            return NEW + value
        if ctype == "industry":
            return self._industry(value)
        if ctype == "user" and "@" in value:
            return self._table(ctype, target).get(value.lower(), "")
        table = self._table(ctype, target)
        key = _key(value)
        if key in table:
            return table[key]
        if ctype == "country" and len(key) == 3:
            return ""
        if len(key) >= 5:
            # "Prospecting" → "Prospect": one name is the start of the other.
            starts = {v for k, v in table.items() if len(k) >= 5 and (
                key.startswith(k) or k.startswith(key))}  # fmt: skip
            if len(starts) == 1:
                return starts.pop()
        found = (
            process.extractOne(key, list(table), scorer=fuzz.WRatio, score_cutoff=GUESS_SCORE)
            if len(key) >= 4 and table
            else None
        )
        if found is not None:
            return table[found[0]]
        if ctype == "group" and create_options:
            return NEW + value
        return ""

    def _industry(self, value: str) -> str:
        from webapp.services.industries import find_by_text

        code = value.split(" ", 1)[0]
        if re.fullmatch(r"\d{6}", code):  # 620100 as Danish registers write it
            value = f"{code[:2]}.{code[2:4]}.{code[4:]}"
        elif re.fullmatch(r"\d{4}", code):
            value = f"{code[:2]}.{code[2:]}"
        industry, found = find_by_text(value)
        return str(industry.id) if found and industry is not None else ""


def alike_values(values: list[str]) -> dict[str, list[str]]:
    """Values of one column that look like the same thing: {value: [the others]}.

    Same after squeezing out case, spaces and punctuation ("GTXPro", "GTX Pro"), or at least
    NEAR_OPTION_SCORE alike.
    """
    keys = {v: fuzz_utils.default_process(v).replace(" ", "") for v in values}
    result: dict[str, list[str]] = {}
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            ka, kb = keys[a], keys[b]
            if ka == kb or (min(len(ka), len(kb)) >= 5 and fuzz.ratio(ka, kb) >= NEAR_OPTION_SCORE):
                result.setdefault(a, []).append(b)
                result.setdefault(b, []).append(a)
    return result


def distinct_values(values: list[str], limit: int = 1000) -> list[tuple[str, int]]:
    """The distinct non-blank values of a column with how often each occurs, most frequent first."""
    counter = Counter(" ".join(v.split()) for v in values if v and v.strip())
    return counter.most_common(limit)


def value_rows(kind: str, target: str, column_values: list[str], chosen: dict, options: dict):
    """The value mapping of one column, for the mapping page: [ValueRow], most frequent first.

    `chosen` is what the user picked earlier ({file value: Kanel value}); a value without a
    choice gets the guess. For a group or new group, values that look alike are mapped to
    the same option (the most frequent spelling, or the existing option).
    """
    guesser = Guesser(kind)
    create = bool(options.get("create_options"))
    pairs = distinct_values(column_values)
    alike = (
        alike_values([v for v, _n in pairs])
        if choice_type(kind, target) in ("group", "new_group")
        else {}
    )
    rows = []
    by_value: dict[str, str] = {}
    for value, count in pairs:
        guess = guesser.guess(target, value, create)
        if guess.startswith(NEW) and value in alike:
            # The most frequent look-alike already mapped decides, so both land on one option.
            for other in alike[value]:
                if other in by_value:
                    guess = by_value[other]
                    break
        by_value[value] = guess
        similar = sorted(alike.get(value, []))
        label = guesser.option_labels.get(guess)
        if label is not None and label != value:
            similar.append(label)  # spelled differently from the option it lands on
        rows.append(ValueRow(value, count, guess, chosen.get(value, guess), similar))
    return rows


def resolve_values(kind: str, target: str, column_values: list[str], chosen: dict, options):
    """{file value: Kanel value} for every distinct value: the user's choice, else the guess."""
    return {
        row.value: row.chosen for row in value_rows(kind, target, column_values, chosen, options)
    }


def group_of(target: str) -> Group | None:
    if target.startswith("group:"):
        return db.session.get(Group, int(target.split(":", 1)[1]))
    return None


def industry_label(industry_id: str) -> str:
    industry = db.session.get(Industry, int(industry_id)) if industry_id else None
    return f"{industry.code} {industry.title_en or industry.title_da or ''}" if industry else ""
