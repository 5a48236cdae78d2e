"""The dry run: check every row, match it, and store the verdict (ImportRow) — never CRM data.

The slow work happens here (parsing, validating, matching against the database, the fuzzy
near-duplicate search), with progress committed every ~1 %, so that the apply only writes.
"""

import logging
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from rapidfuzz import fuzz, process
from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.customer import Company, Contact, Status
from webapp.models.group import Group, GroupValue
from webapp.models.imports import ImportJob, ImportRow
from webapp.models.pipeline import Deal, DealGroupValue, Stage
from webapp.models.user import utcnow
from webapp.services.companies import (
    InvalidValue,
    clean_email,
    comparable_name,
    name_key_for,
)
from webapp.services.imports.fast import PhoneCleaner, bulk_insert, quick_cvr, quick_website
from webapp.services.imports.fields import (
    BOOL,
    CVR,
    DATE,
    DECIMAL,
    EMAIL,
    ENTITY_OF_KIND,
    INT,
    NEW_GROUP,
    PHONE,
    TEXT,
    WEBSITE,
    field_by_key,
)
from webapp.services.imports.jobs import table_of
from webapp.services.imports.messages import message
from webapp.services.imports.parsing import parse_bool, parse_date, parse_decimal, parse_int
from webapp.services.imports.values import NEW, resolve_values

log = logging.getLogger(__name__)

NEAR_DUPLICATE_SCORE = 88
INSERT_BATCH = 5000
# Longest text per field, as the columns allow.
MAX_LENGTH = {
    "name": 200, "street": 200, "postcode": 12, "city": 100, "notes": 20000, "first_name": 100,
    "last_name": 100, "full_name": 200, "title": 200, "subject": 200, "body": 50000,
    "currency": 3, "company": 200,
}  # fmt: skip
UNKNOWN = {
    "status": "unknown_status",
    "user": "unknown_owner",
    "stage": "unknown_stage",
    "outcome": "unknown_outcome",
    "activity_kind": "unknown_kind",
    "country": "unknown_country",
    "industry": "unknown_industry",
    "lost_reason": "unknown_lost_reason",
}
MULTI_SPLIT = re.compile(r"\s*[,;|]\s*")


def cvr_digits(text: str) -> str:
    value = re.sub(r"[\s\-.]", "", text or "")
    return value[2:] if value.upper().startswith("DK") else value


def clean_cvr_text(text: str) -> str:
    from stdnum.dk import cvr as dk_cvr
    from stdnum.exceptions import ValidationError

    digits = cvr_digits(text)
    quick = quick_cvr(digits)
    if quick is not None:
        return quick
    try:
        return dk_cvr.validate(digits)
    except ValidationError as error:
        raise InvalidValue(text) from error


def json_value(value):
    """A value as the row's JSON stores it (dates ISO, decimals as text)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class CompanyIndex:
    """Existing companies by CVR, website domain and comparable name, loaded in one query."""

    def __init__(self):
        self.by_cvr: dict[str, int] = {}
        self.by_domain: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.versions: dict[int, int] = {}
        self.buckets: dict[str, list[tuple[str, int]]] = defaultdict(list)
        rows = db.session.execute(
            select(Company.id, Company.version, Company.name, Company.cvr, Company.website_domain)
        )
        for cid, version, name, cvr, domain in rows:
            self.names[cid] = name
            self.versions[cid] = version
            if cvr:
                self.by_cvr.setdefault(cvr, cid)
            if domain:
                self.by_domain.setdefault(domain, cid)
            key = comparable_name(name)
            if key:
                self.by_name[key].append(cid)
                self.buckets[key[:2]].append((key, cid))

    def find(self, cvr=None, domain=None, name=None) -> tuple[int | None, str | None]:
        """(company id, matched on "cvr"/"website"/"name") or (None, None)."""
        if cvr and cvr in self.by_cvr:
            return self.by_cvr[cvr], "cvr"
        if domain and domain in self.by_domain:
            return self.by_domain[domain], "website"
        key = comparable_name(name) if name else ""
        if key and self.by_name.get(key):
            return self.by_name[key][0], "name"
        return None, None

    def similar(self, name: str) -> tuple[int | None, int]:
        """The most alike existing company by name (rapidfuzz), if alike enough: (id, score)."""
        key = comparable_name(name)
        if len(key) < 3:
            return None, 0
        bucket = self.buckets.get(key[:2], [])
        if not bucket:
            return None, 0
        found = process.extractOne(
            key, [k for k, _ in bucket], scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_SCORE
        )
        if found is None:
            return None, 0
        return bucket[found[2]][1], int(round(found[1]))


class Planner:
    def __init__(self, job: ImportJob):
        self.job = job
        self.kind = job.kind
        self.entity = ENTITY_OF_KIND[job.kind]
        self.options = job.options or {}
        self.table = table_of(job)
        columns = (job.mapping or {}).get("columns", {})
        chosen = (job.mapping or {}).get("values", {})
        index = {h: i for i, h in enumerate(self.table.headers)}
        self.columns = [(h, index[h], t) for h, t in columns.items() if t and h in index]
        # Field and label per column, looked up once (translating a label per cell is slow).
        self.fields = {h: field_by_key(self.kind, t) for h, _i, t in self.columns}
        # Reasons name the field by its key; message_text shows its label in the reader's language.
        self.labels = {h: f.key for h, f in self.fields.items() if f is not None}
        self.value_maps: dict[str, dict[str, str]] = {}
        self.explicit: dict[str, set] = {}
        self.multi: set[str] = set()
        self.groups: dict[str, Group | None] = {}
        for header, _i, target in self.columns:
            group = None
            if target.startswith("group:"):
                group = db.session.get(Group, int(target.split(":", 1)[1]))
                if group is not None and group.multiple:
                    self.multi.add(header)
            if target.startswith("group:") or target == NEW_GROUP or self._choice(target):
                self.groups[header] = group
                values = self.table.column(header)
                if header in self.multi:
                    values = [p for v in values for p in MULTI_SPLIT.split(v) if p]
                self.value_maps[header] = resolve_values(
                    self.kind, target, values, chosen.get(header, {}), self.options
                )
                self.explicit[header] = set(chosen.get(header, {}))
        self.companies = CompanyIndex()
        self.seen: dict[tuple, int] = {}
        self.statuses = dict(db.session.execute(select(Status.id, Status.kind)).all())
        self.now = utcnow()
        self.phone = PhoneCleaner()
        self.phones = {h for h, f in self.fields.items() if f is not None and f.type == PHONE}
        # Columns whose values repeat (at most half of them distinct) clean each value once.
        self.memo: dict[str, dict] = {}
        rows = len(self.table.rows)
        for header, _i, _t in self.columns:
            if header not in self.phones and len(set(self.table.column(header))) * 2 <= rows:
                self.memo[header] = {}

    def preload(self) -> None:
        """Read what matching needs from the database now, so planning rows reads nothing."""
        if self.kind in ("contacts", "activities"):
            self._load_contacts()
        if self.kind == "deals":
            self._load_deals()

    def _choice(self, target: str) -> str | None:
        found = field_by_key(self.kind, target)
        return found.type if found is not None and found.is_choice else None

    # --- Cells -------------------------------------------------------------------------

    def parse(self, cells: list[str]):
        """The row's cleaned fields and its reasons (errors and warnings).

        A column with repeated values (status, town, lead source …) cleans each distinct
        value once: the outcome is kept per value and reused for the next row.
        """
        fields: dict = {}
        reasons: list[dict] = []
        for header, index, target in self.columns:
            raw = cells[index].strip() if index < len(cells) else ""
            if not raw:
                continue
            if header in self.phones:
                self._phone_cell(header, target, raw, fields, reasons)
                continue
            memo = self.memo.get(header)
            if memo is None:
                outcome = self._convert(header, target, raw)
            else:
                outcome = memo.get(raw)
                if outcome is None:
                    outcome = memo[raw] = self._convert(header, target, raw)
            value, extra, found_reasons, group_key = outcome
            if found_reasons:
                reasons.extend(found_reasons)
            if group_key is not None:
                if value:
                    fields.setdefault("groups", {})[group_key] = value
                continue
            if extra:
                fields.update(extra)
            if value is not None:
                fields[target] = value
        return fields, reasons

    def _convert(self, header, target, raw):
        """One cell on its own: (value, extra fields, reasons, group key or None)."""
        extra: dict = {}
        reasons: list[dict] = []
        if target.startswith("group:") or target == NEW_GROUP:
            self._group_cell(header, target, raw, extra, reasons)
            key, options = next(iter(extra.get("groups", {}).items()), (None, None))
            return options, None, tuple(reasons), key or self._group_key(header, target)
        found = self.fields[header]
        if found is None:
            return None, None, (), None
        try:
            value = self._cell(found, header, raw, extra, reasons)
        except InvalidValue:
            code = {
                CVR: "bad_cvr",
                EMAIL: "bad_email",
                INT: "bad_whole_number",
                DECIMAL: "bad_number",
                DATE: "bad_date",
                BOOL: "bad_bool",
            }.get(found.type, "bad_number")
            label = self.labels[header]
            reasons.append(message(code, column=header, value=raw[:80], field=label))
            return None, None, tuple(reasons), None
        return value, extra, tuple(reasons), None

    def _phone_cell(self, header, target, raw, fields, reasons):
        # Depends on the row's country, so it is not kept per value (and is quick anyway).
        try:
            fields[target] = self.phone(raw, fields.get("country") or "DK")
        except InvalidValue:
            reasons.append(message("bad_phone", "warning", header, value=raw[:80]))

    @staticmethod
    def _group_key(header, target):
        return target if target.startswith("group:") else f"new_group:{header}"

    def _cell(self, found, header, raw, fields, reasons):
        label = self.labels[header]
        kind = found.type
        if kind == TEXT:
            limit = MAX_LENGTH.get(found.key, 255)
            value = " ".join(raw.split()) if found.key not in ("notes", "body") else raw
            if len(value) > limit:
                reasons.append(message("long_value_cut", "warning", header, field=label, max=limit))
                value = value[:limit]
            if found.key == "currency":
                value = value.upper()
                if not re.fullmatch(r"[A-Z]{3}", value):
                    raise InvalidValue(raw)
            return value
        if kind == CVR:
            return clean_cvr_text(raw)
        if kind == EMAIL:
            try:
                return clean_email(raw)
            except InvalidValue as error:
                raise InvalidValue(raw) from error
        if kind == PHONE:
            try:
                return self.phone(raw, fields.get("country") or "DK")
            except InvalidValue:
                reasons.append(message("bad_phone", "warning", header, value=raw[:80]))
                return None
        if kind == WEBSITE:
            try:
                url, domain = quick_website(raw)
            except InvalidValue:
                reasons.append(message("bad_website", "warning", header, value=raw[:80]))
                return None
            fields["website_domain"] = domain
            return url
        try:
            if kind == INT:
                value = parse_int(raw)
                if found.key == "employees" and value < 0:
                    raise ValueError(raw)
                if found.key == "probability" and not 0 <= value <= 100:
                    reasons.append(message("bad_percent", column=header, field=label, value=raw))
                    return None
                return value
            if kind == DECIMAL:
                return str(parse_decimal(raw))
            if kind == DATE:
                return json_value(parse_date(raw))
            if kind == BOOL:
                return parse_bool(raw)
        except ValueError as error:
            raise InvalidValue(raw) from error
        # A choice field: the value mapping decides.
        mapped = self.value_maps.get(header, {}).get(" ".join(raw.split()), "")
        if not mapped:
            if " ".join(raw.split()) in self.explicit.get(header, ()):
                # The user chose "no value" for it: said, not silent.
                reasons.append(
                    message("left_empty", "warning", header, value=raw[:80], field=label)
                )
                return None
            reasons.append(
                message(
                    UNKNOWN.get(kind, "unknown_status"), column=header, value=raw[:80], field=label
                )  # fmt: skip
            )
            return None
        if kind in ("status", "user", "industry", "lost_reason"):
            return int(mapped)
        if kind == "stage":
            return mapped if mapped in ("won", "lost") else int(mapped)
        return mapped

    def _group_cell(self, header, target, raw, fields, reasons):
        if not raw:
            return
        group = self.groups.get(header)
        parts = MULTI_SPLIT.split(raw) if header in self.multi else [raw]
        key = self._group_key(header, target)
        chosen = []
        for part in parts:
            part = " ".join(part.split())
            if not part:
                continue
            mapped = self.value_maps.get(header, {}).get(part, "")
            if not mapped:
                if part not in self.explicit.get(header, ()):
                    reasons.append(
                        message(
                            "unknown_option",
                            column=header,
                            value=part[:80],
                            group=group.name if group is not None else header,
                        )
                    )
                continue
            if mapped.startswith(NEW):
                if target.startswith("group:") and not self.options.get("create_options"):
                    reasons.append(
                        message(
                            "unknown_option",
                            column=header,
                            value=part[:80],
                            group=group.name if group is not None else header,
                        )  # fmt: skip
                    )
                    continue
                chosen.append(NEW + mapped[len(NEW) :][:120])
            else:
                chosen.append(int(mapped))
        if chosen:
            if group is not None and not group.multiple:
                chosen = chosen[:1]
            fields.setdefault("groups", {})[key] = list(dict.fromkeys(chosen))

    # --- Rows ----------------------------------------------------------------------------

    def duplicate(self, key: tuple, line: int, field: str, reasons: list) -> None:
        if key in self.seen:
            reasons.append(message("duplicate_in_file", line=self.seen[key], field=field))
        else:
            self.seen[key] = line

    def link_company(self, fields: dict, reasons: list) -> None:
        """Contacts, deals, activities: find the company by CVR, else by name."""
        cvr = fields.pop("company_cvr", None)
        name = fields.pop("company", None)
        if cvr or name:
            company_id, _how = self.companies.find(cvr=cvr, name=name)
            if company_id is None:
                reasons.append(message("no_company", value=name or cvr))
                return
            if not cvr and len(self.companies.by_name.get(comparable_name(name), [])) > 1:
                reasons.append(message("company_not_unique", value=name))
                return
            fields["company_id"] = company_id
            return
        orphan = " ".join((self.options.get("orphan_company") or "").split())
        if not orphan:
            reasons.append(message("no_company_given"))
            return
        company_id, _how = self.companies.find(name=orphan)
        if company_id is not None:
            fields["company_id"] = company_id
        else:
            fields["company_new"] = orphan[:200]
        reasons.append(message("orphan_company", "warning", name=orphan))

    def plan_row(self, line: int, cells: list[str]) -> dict:
        fields, reasons = self.parse(cells)
        if len(cells) > len(self.table.headers) and any(cells[len(self.table.headers) :]):
            reasons.append(message("extra_cells", "warning"))
        row = {"line": line, "reasons": reasons, "fields": fields, "label": ""}
        getattr(self, f"_plan_{self.kind}")(row)
        errors = [r for r in reasons if r["level"] == "error"]
        if errors:
            row["action"] = "error"
        row["has_warning"] = any(r["level"] == "warning" for r in reasons)
        return row

    def _match(self, row, match_id, version, how, name):
        row["match_id"] = match_id
        row["match_version"] = version
        if not self.options.get("update_existing", True):
            row["action"] = "skip"
            row["reasons"].append(message("update_off", "note", name=name))
        else:
            row["action"] = "update"
            row["reasons"].append(message("matched_on", "note", name=name, field=how))

    def _plan_companies(self, row):
        f, reasons, line = row["fields"], row["reasons"], row["line"]
        name = f.get("name")
        row["label"] = name or f.get("cvr") or ""
        if not name:
            reasons.append(message("required", field="name"))
            row["action"] = "error"
            return
        f["name_key"] = name_key_for(name)
        if f.get("cvr"):
            self.duplicate(("cvr", f["cvr"]), line, "cvr", reasons)
        else:
            self.duplicate(("name", comparable_name(name)), line, "name", reasons)
        if f.get("industry"):
            f["industry_id"] = f.pop("industry")
        if f.get("status"):
            f["status_id"] = f.pop("status")
        if f.get("owner"):
            f["owner_id"] = f.pop("owner")
        match_id, how = self.companies.find(f.get("cvr"), f.get("website_domain"), name)
        if match_id is not None:
            self._match(row, match_id, self.companies.versions[match_id], how,
                        self.companies.names[match_id])  # fmt: skip
            return
        row["action"] = "create"
        candidate, score = self.companies.similar(name)
        if candidate is not None:
            row["candidate_id"] = candidate
            row["candidate_score"] = score
            row["match_version"] = self.companies.versions[candidate]
            reasons.append(
                message(
                    "near_duplicate", "warning", name=self.companies.names[candidate], score=score
                )  # fmt: skip
            )

    def _load_contacts(self):
        if hasattr(self, "contacts_by_email"):
            return
        self.contacts_by_email: dict[str, tuple] = {}
        self.contacts_by_name: dict[tuple, tuple] = {}
        rows = db.session.execute(
            select(
                Contact.id, Contact.version, Contact.company_id, Contact.email,
                Contact.first_name, Contact.last_name,
            ).where(Contact.archived.is_(False))
        )  # fmt: skip
        for cid, version, company_id, email, first, last in rows:
            entry = (cid, version, company_id, f"{first} {last}".strip())
            if email:
                self.contacts_by_email.setdefault(email.lower(), entry)
            self.contacts_by_name.setdefault(
                (company_id, (first or "").lower(), (last or "").lower()), entry
            )

    def _plan_contacts(self, row):
        self._load_contacts()
        f, reasons, line = row["fields"], row["reasons"], row["line"]
        full = f.pop("full_name", None)
        if full and not (f.get("first_name") or f.get("last_name")):
            first, _, last = full.rpartition(" ")
            f["first_name"], f["last_name"] = (first, last) if first else (last, "")
        name = f"{f.get('first_name', '')} {f.get('last_name', '')}".strip()
        row["label"] = name or f.get("email") or ""
        self.link_company(f, reasons)
        if not (name or f.get("email")):
            reasons.append(message("required", field="full_name"))
        email = (f.get("email") or "").lower()
        if email:
            self.duplicate(("email", email), line, "email", reasons)
        else:
            key = (f.get("company_id") or f.get("company_new"), name.lower())
            self.duplicate(("contact", *key), line, "name", reasons)
        entry = self.contacts_by_email.get(email) if email else None
        if entry is None and f.get("company_id"):
            entry = self.contacts_by_name.get(
                (
                    f["company_id"],
                    (f.get("first_name") or "").lower(),
                    (f.get("last_name") or "").lower(),
                )  # fmt: skip
            )
        if entry is not None:
            f.pop("company_id", None)  # an update leaves the contact at its company
            f.pop("company_new", None)
            self._match(row, entry[0], entry[1], "email" if email else "full_name", entry[3])
            return
        row["action"] = "create"

    def _load_deals(self):
        if hasattr(self, "deals_by_title"):
            return
        self.deals_by_title = {}
        for did, version, company_id, title in db.session.execute(
            select(Deal.id, Deal.version, Deal.company_id, Deal.title)
        ):
            self.deals_by_title.setdefault((company_id, title.lower()), (did, version, title))
        stages = list(
            db.session.execute(
                select(Stage.id).where(Stage.active).order_by(Stage.position, Stage.id)
            ).scalars()
        )
        self.first_stage = stages[0] if stages else None
        self.last_stage = stages[-1] if stages else None

    def _plan_deals(self, row):
        self._load_deals()
        f, reasons, line = row["fields"], row["reasons"], row["line"]
        self.link_company(f, reasons)
        company_id = f.get("company_id")
        title = (
            f.get("title")
            or (self.companies.names.get(company_id) if company_id else f.get("company_new"))
            or ""
        )
        f["title"] = title[:200]
        row["label"] = title
        stage = f.pop("stage", None)
        outcome = f.get("outcome") or (stage if stage in ("won", "lost") else "open")
        f["outcome"] = outcome
        f["stage_id"] = (
            stage
            if isinstance(stage, int)
            else (self.first_stage if outcome == "open" else self.last_stage)
        )
        closed_on = f.pop("closed_on", None)
        if outcome == "open":
            if closed_on and not f.get("expected_close"):
                f["expected_close"] = closed_on[:10]
            f.pop("lost_reason", None)
        else:
            f["closed_at"] = (closed_on or self.now.date().isoformat())[:10]
            if not closed_on:
                reasons.append(
                    message("required", "warning", field="closed_on")  # fmt: skip
                )
        if outcome != "lost":
            f.pop("lost_reason", None)
        if f.get("lost_reason"):
            f["lost_reason_id"] = f.pop("lost_reason")
        if f.get("owner"):
            f["owner_id"] = f.pop("owner")
        if f.get("probability") is not None:
            f["probability_override"] = f.pop("probability")
        if f.get("expected_close"):
            f["expected_close"] = f["expected_close"][:10]
        if f.get("opened_on"):
            f["created_at"] = f.pop("opened_on")
            if len(f["created_at"]) == 10:
                f["created_at"] += "T00:00:00"
        key = (company_id or f.get("company_new"), title.lower())
        self.duplicate(("deal", *key), line, "title", reasons)
        entry = self.deals_by_title.get((company_id, title.lower())) if company_id else None
        if entry is not None:
            self._match(row, entry[0], entry[1], "title", entry[2])
            return
        row["action"] = "create"

    def _load_activities(self, company_ids):
        self.activity_keys = set()
        ids = sorted(company_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for company_id, kind, occurred, subject in db.session.execute(
                select(
                    Activity.company_id, Activity.kind, Activity.occurred_at, Activity.subject
                ).where(Activity.company_id.in_(chunk), Activity.deleted.is_(False))
            ):
                self.activity_keys.add(
                    (company_id, kind, occurred.isoformat(timespec="seconds"), subject or "")
                )

    def _plan_activities(self, row):
        self._load_contacts()
        f, reasons, line = row["fields"], row["reasons"], row["line"]
        self.link_company(f, reasons)
        when = f.get("occurred_at")
        if when and len(when) == 10:
            f["occurred_at"] = when + "T12:00:00"  # a day without time: noon, any time zone
        if f.get("author"):
            f["author_id"] = f.pop("author")
        email = f.pop("contact_email", None)
        if email:
            entry = self.contacts_by_email.get(email.lower())
            if entry is not None and entry[2] == f.get("company_id"):
                f["contact_id"] = entry[0]
            else:
                reasons.append(message("unknown_contact", "warning", value=email))
        for key in ("kind", "occurred_at"):
            if not f.get(key):
                reasons.append(message("required", field=key))
        row["label"] = f.get("subject") or (f.get("body") or "")[:80]
        key = (f.get("company_id"), f.get("kind"), f.get("occurred_at"), f.get("subject") or "")
        self.duplicate(("activity", *key), line, "occurred_at", reasons)
        row["action"] = "create"
        row["_activity_key"] = key

    def finish(self, rows: list[dict]) -> None:
        """Second pass: updates without changes are skips; activities already there too."""
        if self.kind == "activities":
            self._load_activities({r["fields"].get("company_id") for r in rows} - {None})
            for row in rows:
                if row["action"] == "create" and row.pop("_activity_key") in self.activity_keys:
                    row["action"] = "skip"
                    row["reasons"].append(message("no_changes", "note"))
                row.pop("_activity_key", None)
            return
        updates = [r for r in rows if r["action"] == "update"]
        if not updates:
            return
        from webapp.services.imports.apply import current_values, diff_fields

        current = current_values(self.entity, [r["match_id"] for r in updates])
        for row in updates:
            changes = diff_fields(self.entity, row["fields"], current.get(row["match_id"], {}))
            if not changes:
                row["action"] = "skip"
                row["reasons"].append(message("no_changes", "note"))
            else:
                names = list(dict.fromkeys(
                    "groups" if key.startswith("group") else key for key in changes
                ))  # fmt: skip
                row["reasons"].append(message("changes", "note", fields=names))


def _counts(planner: Planner, rows: list[dict]) -> dict:
    main = {"create": 0, "update": 0, "skip": 0, "error": 0, "warning": 0, "near_duplicate": 0}
    new_companies: set[str] = set()
    new_options: set[tuple] = set()
    for row in rows:
        main[row["action"]] += 1
        main["warning"] += bool(row.get("has_warning"))
        main["near_duplicate"] += bool(row.get("candidate_id"))
        if row["action"] in ("create", "update"):
            if row["fields"].get("company_new"):
                new_companies.add(row["fields"]["company_new"])
            for key, options in row["fields"].get("groups", {}).items():
                for option in options:
                    if isinstance(option, str):
                        new_options.add((key, option))
    counts = {planner.entity: main}
    if new_companies:
        counts["company"] = {"create": len(new_companies)}
    if new_options:
        counts["group_option"] = {"create": len(new_options)}
        new_groups = {key for key, _o in new_options if key.startswith("new_group:")}
        if new_groups:
            counts["group"] = {"create": len(new_groups)}
    return counts


def plan_import(job: ImportJob) -> dict:
    """Check every row of the job's file and store create/update/skip/error per row.

    Commits progress (job.progress_done) every ~1 % in short transactions; ends in state
    "planned" with job.counts, or "failed" with job.message. Returns job.counts.
    """
    job_id = job.id
    try:
        db.session.execute(ImportRow.__table__.delete().where(ImportRow.job_id == job_id))
        job.state = "planning"
        job.progress_done = 0
        job.progress_total = job.row_count
        job.started_at = job.heartbeat_at = utcnow()
        job.counts = {}
        job.message = None
        db.session.commit()
        planner = Planner(job)
        planner.preload()
        total = len(planner.table.rows)
        # End the reading transaction before the next write: on SQLite a transaction that
        # read before someone else wrote cannot write any more (busy snapshot). Planning rows
        # reads nothing from the database, so each progress commit starts with its write.
        db.session.commit()
        job.progress_total = total
        step = max(200, total // 100)
        rows = []
        for number, (line, cells) in enumerate(planner.table.rows, start=1):
            rows.append(planner.plan_row(line, cells))
            if number % step == 0:
                db.session.execute(
                    update(ImportJob.__table__)
                    .where(ImportJob.id == job_id)
                    .values(progress_done=number, heartbeat_at=utcnow())
                )
                db.session.commit()
        planner.finish(rows)
        db.session.commit()  # ends finish()'s reads, as above
        for start in range(0, len(rows), INSERT_BATCH):
            bulk_insert(
                ImportRow.__table__,
                [
                    {
                        "job_id": job_id,
                        "line": r["line"],
                        "action": r["action"],
                        "reasons": r["reasons"],
                        "has_warning": bool(r.get("has_warning")),
                        "label": (r["label"] or "")[:300],
                        "fields": r["fields"],
                        "match_id": r.get("match_id"),
                        "match_version": r.get("match_version"),
                        "candidate_id": r.get("candidate_id"),
                        "candidate_score": r.get("candidate_score"),
                    }
                    for r in rows[start : start + INSERT_BATCH]
                ],
            )
            job.heartbeat_at = utcnow()
            db.session.commit()
        job.counts = _counts(planner, rows)
        job.progress_done = total
        job.state = "planned"
        job.planned_at = job.finished_at = utcnow()
        db.session.commit()
        return job.counts
    except Exception as error:
        log.exception("planning import %s failed", job_id)
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        db.session.execute(ImportRow.__table__.delete().where(ImportRow.job_id == job_id))
        job.state = "failed"
        job.message = message("failed", error=str(error)[:500] or type(error).__name__)
        job.finished_at = utcnow()
        db.session.commit()
        return job.counts


def existing_option_ids(entity: str, ids: list[int]) -> dict[int, dict[int, set]]:
    """{record id: {group id: {option ids}}} for companies or deals."""
    model = GroupValue if entity == "company" else DealGroupValue
    owner = model.company_id if entity == "company" else model.deal_id
    result: dict[int, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for record_id, group_id, option_id in db.session.execute(
            select(owner, model.group_id, model.option_id).where(owner.in_(chunk))
        ):
            result[record_id][group_id].add(option_id)
    return result
