"""The import itself: write the planned rows in one transaction, all or nothing.

The plan did the slow work and stored each row's cleaned fields; the apply re-checks that
nothing the plan matched has changed since, then writes with bulk INSERTs (executemany with
RETURNING for the new ids), ImportRecord rows for revert and Change rows for the history.
"""

import logging
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select, text, update

from webapp.extensions import db
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.company_words import refresh_company_words
from webapp.models.customer import Company, Contact, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.imports import ImportJob, ImportRecord, ImportRow
from webapp.models.last_activity import refresh_last_activity
from webapp.models.marketing import CategoryRule, Industry
from webapp.models.pipeline import Deal, DealGroupValue, StageChange
from webapp.models.user import User, utcnow
from webapp.services.audit import as_text
from webapp.services.categories import compute_category
from webapp.services.companies import comparable_name, name_key_for
from webapp.services.contacts import search_key_for
from webapp.services.imports.fast import bulk_insert
from webapp.services.imports.fields import ENTITY_OF_KIND, GROUP_APPLIES_TO
from webapp.services.imports.messages import message
from webapp.services.imports.values import NEW

log = logging.getLogger(__name__)

MODELS = {"company": Company, "contact": Contact, "deal": Deal, "activity": Activity}
# The fields an import may set per record kind (beyond groups).
WRITABLE = {
    "company": (
        "name", "cvr", "street", "postcode", "city", "country", "website", "website_domain",
        "phone", "email", "industry_id", "employees", "status_id", "owner_id", "notes",
    ),
    "contact": ("first_name", "last_name", "title", "email", "phone", "marketing_consent"),
    "deal": (
        "title", "value", "currency", "stage_id", "outcome", "owner_id", "expected_close",
        "closed_at", "lost_reason_id", "probability_override", "notes", "created_at",
    ),
    "activity": ("kind", "subject", "body", "author_id", "occurred_at", "contact_id"),
}  # fmt: skip
# Fields that follow from others and are not compared on their own.
DERIVED = {"website_domain", "name_key"}
HISTORY_NAME = {
    "status_id": "status", "owner_id": "owner", "industry_id": "industry",
    "stage_id": "stage", "lost_reason_id": "lost_reason", "author_id": "author",
}  # fmt: skip
CHUNK = 500
# Rows written per transaction by the apply: short enough that others' saves never wait long.
CHUNK_ROWS = 2000
APPLY_CACHE_KB = 131072


class StaleImport(Exception):
    """Records the plan matched were changed after it; the job must be checked again."""

    def __init__(self, lines: list[int]):
        self.lines = lines
        super().__init__(f"{len(lines)} rows changed since the preview")


def _to_python(field: str, value):
    """A row's JSON value as the column wants it."""
    if value is None:
        return None
    if field in ("value",):
        return Decimal(str(value))
    if field in ("expected_close", "closed_at"):
        return date.fromisoformat(value[:10])
    if field in ("created_at", "occurred_at"):
        return datetime.fromisoformat(value)
    return value


def _comparable(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def current_values(entity: str, ids: list[int]) -> dict[int, dict]:
    """Existing records' values: {id: {field: value, "version": v, "groups": {group: {ids}}}}."""
    model = MODELS[entity]
    columns = [getattr(model, f) for f in WRITABLE[entity]]
    result: dict[int, dict] = {}
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = db.session.execute(
            select(model.id, model.version, *columns).where(model.id.in_(chunk))
        )
        for row in rows:
            values = dict(zip(WRITABLE[entity], row[2:], strict=True))
            values["version"] = row[1]
            values["groups"] = defaultdict(set)
            result[row[0]] = values
    if entity in ("company", "deal"):
        gv = GroupValue if entity == "company" else DealGroupValue
        owner = gv.company_id if entity == "company" else gv.deal_id
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for record_id, group_id, option_id in db.session.execute(
                select(owner, gv.group_id, gv.option_id).where(owner.in_(chunk))
            ):
                if record_id in result:
                    result[record_id]["groups"][group_id].add(option_id)
    return result


def diff_fields(entity: str, fields: dict, current: dict) -> dict:
    """The fields a row would change on an existing record: {field: (old, new)}.

    A blank cell is not in `fields`, so it never erases a stored value. Group keys
    ("group:<id>") compare option ids; a new option or a new group is always a change.
    """
    changes = {}
    for field in WRITABLE[entity]:
        if field not in fields or field in DERIVED or field == "created_at":
            continue
        new = _to_python(field, fields[field])
        old = current.get(field)
        if _comparable(old) != _comparable(new):
            changes[field] = (old, new)
    for key, options in (fields.get("groups") or {}).items():
        if not key.startswith("group:"):
            changes[key] = (set(), options)
            continue
        have = current.get("groups", {}).get(int(key.split(":", 1)[1]), set())
        if any(isinstance(o, str) or o not in have for o in options):
            changes[key] = (have, options)
    return changes


class Writer:
    def __init__(self, job: ImportJob, user):
        self.job = job
        # Kept apart from the job: after a chunk's commit the job object is expired, and
        # reading it again would start the next transaction with a read (SQLite: busy
        # snapshot when someone saved meanwhile).
        self.job_id = job.id
        self.user_id = user.id if user is not None else None
        self.kind = job.kind
        self.entity = ENTITY_OF_KIND[job.kind]
        self.options = job.options or {}
        self.now = utcnow()
        self.records: list[dict] = []
        self.changes: list[dict] = []
        self.import_note = f"{job.filename} (#{job.id})"
        self.group_ids: dict[str, int] = {}  # "new_group:<header>" → group id
        self.option_ids: dict[tuple[int, str], int] = {}  # (group id, label) → option id
        self.labels: dict[int, str] = {}

    # --- Bookkeeping --------------------------------------------------------------------

    def record(self, entity, entity_id, action, old=None, version_after=None):
        self.records.append(
            {
                "job_id": self.job_id,
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "old": old,
                "version_after": version_after,
            }
        )

    def change(self, entity, entity_id, company_id, field, old, new):
        self.changes.append(
            {
                "entity": entity,
                "entity_id": entity_id,
                "company_id": company_id,
                "field": field,
                "old": as_text(old),
                "new": as_text(new),
                "user_id": self.user_id,
                "changed_at": self.now,
            }
        )

    def flush_bookkeeping(self):
        """Write the ImportRecord and Change rows gathered so far (in the same transaction
        as the records they describe), and start gathering anew."""
        bulk_insert(ImportRecord.__table__, self.records)
        bulk_insert(Change.__table__, self.changes)
        self.records, self.changes = [], []

    # --- Groups and options -------------------------------------------------------------

    def prepare_groups(self, rows):
        """Create the new groups and options the rows need; map "new:" values to ids."""
        applies_to = GROUP_APPLIES_TO.get(self.kind)
        wanted: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            for key, options in (row["fields"].get("groups") or {}).items():
                for option in options:
                    if isinstance(option, str):
                        wanted[key].add(option[len(NEW) :])
        if not wanted:
            return
        position = db.session.scalar(select(func.max(Group.position))) or 0
        for key in sorted(wanted):
            if key.startswith("new_group:"):
                header = key.split(":", 1)[1]
                name = " ".join(header.split())[:80] or "Import"
                existing = db.session.scalar(
                    select(Group).where(
                        func.lower(Group.name) == name.lower(), Group.applies_to == applies_to
                    )  # fmt: skip
                )
                if existing is None:
                    position += 1
                    existing = Group(name=name, applies_to=applies_to, position=position,
                                     multiple=False, active=True)  # fmt: skip
                    db.session.add(existing)
                    db.session.flush()
                    self.record("group", existing.id, "created")
                self.group_ids[key] = existing.id
                group_id = existing.id
            else:
                group_id = int(key.split(":", 1)[1])
            have = {
                o.label.lower(): o.id
                for o in db.session.scalars(
                    select(GroupOption).where(GroupOption.group_id == group_id)
                )
            }
            last = (
                db.session.scalar(
                    select(func.max(GroupOption.position)).where(GroupOption.group_id == group_id)
                )
                or 0
            )
            for label in sorted(wanted[key]):
                if label.lower() in have:
                    self.option_ids[(group_id, label)] = have[label.lower()]
                    continue
                last += 1
                option = GroupOption(group_id=group_id, label=label, position=last, active=True)
                db.session.add(option)
                db.session.flush()
                have[label.lower()] = option.id
                self.option_ids[(group_id, label)] = option.id
                self.record("group_option", option.id, "created")
                self.change("group_option", option.id, None, "created", None, label)

    def resolved_groups(self, fields) -> dict[int, list[int]]:
        """{group id: [option ids]} of a row, "new:" values and new groups resolved."""
        result = {}
        for key, options in (fields.get("groups") or {}).items():
            group_id = self.group_ids[key] if key.startswith("new_group:") else int(key[6:])
            ids = []
            for option in options:
                if isinstance(option, str):
                    ids.append(self.option_ids[(group_id, option[len(NEW) :])])
                else:
                    ids.append(option)
            result[group_id] = list(dict.fromkeys(ids))
        return result

    def write_group_values(self, entity, values: list[tuple[int, int, int]]):
        """Insert (record id, group id, option id) rows for new records."""
        if not values:
            return
        if entity == "company":
            table, owner = GroupValue, "company_id"
        else:
            table, owner = DealGroupValue, "deal_id"
        user_id, now = self.user_id, self.now
        bulk_insert(
            table.__table__,
            [
                {owner: rid, "group_id": gid, "option_id": oid, "set_by_id": user_id,
                 "set_at": now}
                for rid, gid, oid in values
            ],
        )  # fmt: skip

    # --- Companies ----------------------------------------------------------------------

    def default_status_id(self) -> int:
        chosen = self.options.get("default_status_id")
        if chosen:
            return int(chosen)
        if getattr(self, "_status_id", None) is None:
            self._status_id = db.session.scalar(
                select(Status.id).where(Status.active).order_by(Status.position, Status.id).limit(1)
            )
        return self._status_id

    def categorise(self):
        if getattr(self, "_categorise", None) is None:
            self._categorise = self._load_categorise()
        return self._categorise

    def _load_categorise(self):
        rules = list(
            db.session.scalars(
                select(CategoryRule)
                .where(CategoryRule.active.is_(True))
                .order_by(CategoryRule.position, CategoryRule.id)
            )
        )
        effective = dict(db.session.execute(select(Industry.id, Industry.effective_category)).all())
        return lambda industry_id, employees: compute_category(
            effective.get(industry_id), employees, rules
        )

    def create_companies(self, rows) -> list[int]:
        status_id = self.default_status_id()
        category = self.categorise()
        values = []
        for row in rows:
            f = row["fields"]
            data = {k: _to_python(k, f[k]) for k in WRITABLE["company"] if k in f}
            data.setdefault("country", "DK")
            data.setdefault("status_id", status_id)
            data["name"] = " ".join(data["name"].split())
            data["name_key"] = name_key_for(data["name"])
            data["category"] = category(data.get("industry_id"), data.get("employees"))
            data.update(
                category_manual=False, archived=False, created_at=self.now,
                created_by_id=self.user_id, updated_at=self.now, updated_by_id=self.user_id,
                version=1,
            )  # fmt: skip
            values.append(data)
        ids = self._insert(Company, values)
        refresh_company_words(ids)  # the words of their names, for search
        groups = []
        for row, new_id in zip(rows, ids, strict=True):
            self.record("company", new_id, "created", version_after=1)
            self.change("company", new_id, new_id, "import", None, self.import_note)
            for gid, oids in self.resolved_groups(row["fields"]).items():
                groups += [(new_id, gid, oid) for oid in oids]
        self.write_group_values("company", groups)
        return ids

    def _insert(self, model, values: list[dict]) -> list[int]:
        """Bulk INSERT with ids allocated up front; returns the ids in the order given.

        Plain executemany without RETURNING: SQLite answers an ordered RETURNING one row per
        statement, which made 100,000 companies take minutes.
        """
        if not values:
            return []
        ids = allocate_ids(model, len(values))
        for data, new_id in zip(values, ids, strict=True):
            data["id"] = new_id
        bulk_insert(model.__table__, values)
        return ids

    def orphan_companies(self, rows) -> dict[str, int]:
        """Create the named company for rows without one (once), return {name: id}."""
        names = sorted({r["fields"]["company_new"] for r in rows if r["fields"].get("company_new")})
        created = {}
        for name in names:
            key = comparable_name(name)
            existing = next(
                (
                    c.id
                    for c in db.session.scalars(
                        select(Company).where(Company.name_key == name_key_for(name))
                    )
                    if comparable_name(c.name) == key
                ),
                None,
            )
            if existing is None:
                existing = self.create_companies([{"fields": {"name": name}}])[0]
            created[name] = existing
        return created

    # --- Updates (any kind) -------------------------------------------------------------

    def update_records(self, rows):
        entity = self.entity
        model = MODELS[entity]
        current = current_values(entity, [r["match_id"] for r in rows])
        moved = _activity_companies(rows) if entity == "activity" else set()
        names = self._names()
        category = self.categorise() if entity == "company" else None
        renamed = []
        for row in rows:
            record_id = row["match_id"]
            have = current.get(record_id)
            if have is None:
                raise StaleImport([row["line"]])
            changes = diff_fields(entity, row["fields"], have)
            if not changes:
                continue
            company_id = record_id if entity == "company" else have.get("company_id")
            if entity != "company":
                company_id = db.session.scalar(
                    select(model.company_id).where(model.id == record_id)
                )
            data = {f: new for f, (_old, new) in changes.items() if not f.startswith("group")}
            old = {f: _json(old) for f, (old, _new) in changes.items() if not f.startswith("group")}
            if "website" in data:
                data["website_domain"] = row["fields"].get("website_domain")
                old["website_domain"] = have.get("website_domain")
            if "name" in data and entity == "company":
                data["name_key"] = name_key_for(data["name"])
                old["name_key"] = name_key_for(have.get("name"))
                renamed.append(record_id)
            if entity == "contact" and ({"first_name", "last_name", "email"} & data.keys()):
                merged = {**{k: have.get(k) for k in ("first_name", "last_name", "email")},
                          **data}  # fmt: skip
                data["search_key"] = search_key_for(Contact(**merged))
            if entity == "company" and ({"industry_id", "employees"} & data.keys()):
                industry_id = data.get("industry_id", have.get("industry_id"))
                employees = data.get("employees", have.get("employees"))
                manual = db.session.scalar(
                    select(Company.category_manual).where(Company.id == record_id)
                )
                if not manual:
                    old["category"] = db.session.scalar(
                        select(Company.category).where(Company.id == record_id)
                    )
                    data["category"] = category(industry_id, employees)
            if entity == "deal" and ("stage_id" in data or "outcome" in data):
                db.session.add(
                    StageChange(
                        deal_id=record_id,
                        from_stage_id=have.get("stage_id"),
                        to_stage_id=data.get("stage_id", have.get("stage_id")),
                        outcome=data.get("outcome"),
                        via="import",
                        user_id=self.user_id,
                        changed_at=self.now,
                    )
                )
                if "stage_id" in data:
                    data["stage_entered_at"] = self.now
            version = have["version"] + 1
            data.update(version=version, updated_at=self.now)
            if entity in ("company", "contact"):
                data["updated_by_id"] = self.user_id
            group_old = {}
            for key, (have_options, _new) in changes.items():
                if key.startswith("group"):
                    group_old[key] = sorted(have_options)
            for gid, oids in self.resolved_groups(row["fields"]).items():
                self._set_group(entity, record_id, company_id, gid, oids, have, group_old)
            if group_old:
                old["_groups"] = {str(k): v for k, v in group_old.items()}
            db.session.execute(update(model.__table__).where(model.id == record_id).values(**data))
            self.record(entity, record_id, "updated", old=old, version_after=version)
            self.change(entity, record_id, company_id, "import", None, self.import_note)
            for field, (before, after) in changes.items():
                if field.startswith("group") or field in DERIVED:
                    continue
                self.change(
                    entity, record_id, company_id, HISTORY_NAME.get(field, field),
                    names(field, before), names(field, after),
                )  # fmt: skip
        if entity == "activity":  # a date or company may have changed: their last activity
            refresh_last_activity(moved | _activity_companies(rows))
        refresh_company_words(renamed)  # the words of changed names, for search

    def _set_group(self, entity, record_id, company_id, group_id, option_ids, have, group_old):
        group = db.session.get(Group, group_id)
        current = set(have.get("groups", {}).get(group_id, set()))
        wanted = set(option_ids)
        if group.multiple:
            wanted |= current
        if wanted == current:
            return
        group_old[f"group:{group_id}"] = sorted(current)
        table = GroupValue if entity == "company" else DealGroupValue
        owner = table.company_id if entity == "company" else table.deal_id
        remove = current - wanted
        if remove:
            db.session.execute(
                table.__table__.delete().where(
                    owner == record_id, table.group_id == group_id, table.option_id.in_(remove)
                )
            )
        self.write_group_values(
            entity, [(record_id, group_id, oid) for oid in sorted(wanted - current)]
        )
        labels = dict(
            db.session.execute(
                select(GroupOption.id, GroupOption.label).where(
                    GroupOption.id.in_(current | wanted)
                )
            ).all()
        )
        self.change(
            "group", group_id, company_id, f"group:{group_id}",
            ", ".join(sorted(labels[i] for i in current)) or None,
            ", ".join(sorted(labels[i] for i in wanted)),
        )  # fmt: skip

    def _names(self):
        statuses = dict(db.session.execute(select(Status.id, Status.name)).all())
        users = dict(db.session.execute(select(User.id, User.name)).all())
        from webapp.models.pipeline import Stage

        stages = dict(db.session.execute(select(Stage.id, Stage.name)).all())
        tables = {
            "status_id": statuses, "lost_reason_id": statuses, "owner_id": users,
            "author_id": users, "stage_id": stages,
        }  # fmt: skip

        def name(field, value):
            if field in tables and value is not None:
                return tables[field].get(value, value)
            if field == "industry_id" and value is not None:
                from webapp.services.industries import label_for_id

                return label_for_id(value)
            return value

        return name

    # --- Contacts, deals, activities ----------------------------------------------------

    def company_of(self, fields, orphans) -> int:
        return fields.get("company_id") or orphans[fields["company_new"]]

    def create_contacts(self, rows, orphans):
        values = []
        for row in rows:
            f = row["fields"]
            data = {k: f.get(k) for k in WRITABLE["contact"] if k in f}
            data["first_name"] = data.get("first_name") or ""
            data["last_name"] = data.get("last_name") or ""
            data["marketing_consent"] = bool(data.get("marketing_consent"))
            data["search_key"] = search_key_for(Contact(**{k: data.get(k) for k in (
                "first_name", "last_name", "email")}))  # fmt: skip
            data.update(
                company_id=self.company_of(f, orphans), archived=False, created_at=self.now,
                updated_at=self.now, updated_by_id=self.user_id, version=1,
                consent_at=self.now if data["marketing_consent"] else None,
                consent_source=f"import #{self.job_id}" if data["marketing_consent"] else None,
            )  # fmt: skip
            values.append(data)
        ids = self._insert(Contact, values)
        for data, new_id in zip(values, ids, strict=True):
            self.record("contact", new_id, "created", version_after=1)
            self.change("contact", new_id, data["company_id"], "import", None, self.import_note)

    def create_deals(self, rows, orphans):
        values = []
        for row in rows:
            f = row["fields"]
            data = {k: _to_python(k, f[k]) for k in WRITABLE["deal"] if k in f}
            data.setdefault("value", Decimal("0"))
            data.setdefault("currency", "DKK")
            data.setdefault("created_at", self.now)
            data.update(
                company_id=self.company_of(f, orphans), source="import",
                created_by_id=self.user_id, updated_at=self.now, version=1,
                stage_entered_at=data["created_at"],
            )  # fmt: skip
            values.append(data)
        ids = self._insert(Deal, values)
        moves, groups = [], []
        for row, data, new_id in zip(rows, values, ids, strict=True):
            self.record("deal", new_id, "created", version_after=1)
            self.change("deal", new_id, data["company_id"], "import", None, self.import_note)
            moves.append(
                {
                    "deal_id": new_id,
                    "from_stage_id": None,
                    "to_stage_id": data["stage_id"],
                    "outcome": None,
                    "via": "import",
                    "user_id": self.user_id,
                    "changed_at": data["created_at"],
                }  # fmt: skip
            )
            if data["outcome"] != "open":
                closed = data.get("closed_at") or self.now.date()
                moves.append(
                    {
                        "deal_id": new_id,
                        "from_stage_id": data["stage_id"],
                        "to_stage_id": None,
                        "outcome": data["outcome"],
                        "via": "import",
                        "user_id": self.user_id,
                        "changed_at": datetime.combine(closed, datetime.min.time()),
                    }  # fmt: skip
                )
            for gid, oids in self.resolved_groups(row["fields"]).items():
                groups += [(new_id, gid, oid) for oid in oids]
        bulk_insert(StageChange.__table__, moves)
        self.write_group_values("deal", groups)

    def create_activities(self, rows, orphans):
        values = []
        for row in rows:
            f = row["fields"]
            data = {k: _to_python(k, f[k]) for k in WRITABLE["activity"] if k in f}
            data.setdefault("author_id", self.user_id)
            data["subject"] = data.get("subject") or ""
            data.update(
                company_id=self.company_of(f, orphans), deleted=False, created_at=self.now,
                updated_at=self.now, version=1,
            )  # fmt: skip
            values.append(data)
        ids = self._insert(Activity, values)
        refresh_last_activity({data["company_id"] for data in values})
        for data, new_id in zip(values, ids, strict=True):
            self.record("activity", new_id, "created", version_after=1)
            self.change("activity", new_id, data["company_id"], "import", None, self.import_note)


def _activity_companies(rows) -> set[int]:
    """The companies of the matched activities (before or after an update)."""
    ids = [r["match_id"] for r in rows]
    return set(db.session.scalars(select(Activity.company_id).where(Activity.id.in_(ids))))


def allocate_ids(model, count: int) -> list[int]:
    """`count` new primary keys for model's table, safe against other writers.

    PostgreSQL: from the table's sequence. SQLite: above the current maximum, read while this
    transaction holds the database's write lock (apply_import writes before it reads).
    """
    table = model.__table__.name
    if db.engine.dialect.name == "postgresql":
        return list(
            db.session.scalars(
                select(func.nextval(func.pg_get_serial_sequence(table, "id"))).select_from(
                    func.generate_series(1, count)
                )
            )
        )
    start = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    return list(range(start, start + count))


def _json(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set):
        return sorted(value)
    return value


def _rows_to_write(job: ImportJob) -> list[dict]:
    """The planned create/update rows, with near-duplicates resolved by decision or option."""
    default = (job.options or {}).get("near_duplicates", "new")
    rows = []
    for line, action, fields, match_id, match_version, candidate_id, decision in db.session.execute(
        select(
            ImportRow.line, ImportRow.action, ImportRow.fields, ImportRow.match_id,
            ImportRow.match_version, ImportRow.candidate_id, ImportRow.decision,
        )
        .where(ImportRow.job_id == job.id, ImportRow.action.in_(("create", "update")))
        .order_by(ImportRow.line)
    ):  # fmt: skip
        if action == "create" and candidate_id is not None and decision is None:
            if default == "skip":
                continue
            if default == "same":
                action, match_id = "update", candidate_id
        if action == "update" and candidate_id is not None and match_id == candidate_id:
            # "Same company" says the look-alike is that company, not that its name was
            # misspelt: the name in Kanel stays.
            fields = {k: v for k, v in fields.items() if k not in ("name", "name_key")}
        rows.append(
            {
                "line": line,
                "action": action,
                "fields": fields,
                "match_id": match_id,
                "match_version": match_version,
            }  # fmt: skip
        )
    return rows


def _check_unchanged(kind: str, rows: list[dict]) -> None:
    """Refuse when a record the plan matched was edited since, or a new company now exists."""
    entity = ENTITY_OF_KIND[kind]
    model = MODELS[entity]
    updates = [r for r in rows if r["action"] == "update"]
    stale = []
    ids = sorted({r["match_id"] for r in updates})
    versions = {}
    for start in range(0, len(ids), CHUNK):
        versions.update(
            db.session.execute(
                select(model.id, model.version).where(model.id.in_(ids[start : start + CHUNK]))
            ).all()
        )
    stale += [r["line"] for r in updates if versions.get(r["match_id"]) != r["match_version"]]
    if entity == "company":
        cvrs = sorted({r["fields"]["cvr"] for r in rows if r["action"] == "create"
                       and r["fields"].get("cvr")})  # fmt: skip
        taken = set()
        for start in range(0, len(cvrs), CHUNK):
            taken.update(
                db.session.scalars(
                    select(Company.cvr).where(Company.cvr.in_(cvrs[start : start + CHUNK]))
                )
            )
        stale += [r["line"] for r in rows if r["action"] == "create"
                  and r["fields"].get("cvr") in taken]  # fmt: skip
    if stale:
        raise StaleImport(sorted(stale))


def apply_import(job: ImportJob, user) -> dict:
    """Write every planned create/update row into Kanel, all or nothing as the user sees it.

    The rows are written in chunks (app.config["IMPORT_APPLY_CHUNK"] rows, default 2,000),
    each in its own short transaction together with its ImportRecord rows (what revert
    needs) and Change rows (field "import"), so other users' saves get the database in
    between (SQLite has one write lock). When anything fails — a write, or a record the plan
    matched that was edited since — the chunks already committed are undone through their
    ImportRecord rows, exactly as a revert does (`undo_writes`); the job ends "failed" with
    the reason and nothing of it stays. A process that dies midway leaves a job whose
    heartbeat stops: `expire_dead_jobs` undoes it the same way. Returns job.counts.

    Imports set the current state as the file says: a won deal does not change its
    company's status and no first-service-call task is created (the data is history).
    """
    job_id = job.id
    chunk = max(1, int(current_app.config.get("IMPORT_APPLY_CHUNK") or CHUNK_ROWS))
    try:
        if job.state != "importing":
            job.state = "importing"
            job.started_at = job.heartbeat_at = utcnow()
            db.session.commit()
        kind = job.kind
        rows = _rows_to_write(job)
        writer = Writer(job, user)
        counts = dict(job.counts or {})
        # End the reading transaction: on SQLite a transaction that read before someone else
        # wrote cannot write any more (busy snapshot). Every write transaction below starts
        # with a write (the heartbeat), so it waits for the write lock and then holds it
        # (allocate_ids relies on that) — for one chunk only.
        db.session.commit()
        creates = [r for r in rows if r["action"] == "create"]
        updates = [r for r in rows if r["action"] == "update"]
        _beat(job_id, 0, len(rows))
        writer.prepare_groups(rows)
        orphans = writer.orphan_companies(creates) if kind != "companies" else {}
        writer.flush_bookkeeping()
        db.session.commit()
        done = 0
        for part in (updates, creates):
            for start in range(0, len(part), chunk):
                rows_now = part[start : start + chunk]
                _beat(job_id, done, len(rows))
                _check_unchanged(kind, rows_now)
                if part is updates:
                    writer.update_records(rows_now)
                elif kind == "companies":
                    writer.create_companies(rows_now)
                elif kind == "contacts":
                    writer.create_contacts(rows_now, orphans)
                elif kind == "deals":
                    writer.create_deals(rows_now, orphans)
                else:
                    writer.create_activities(rows_now, orphans)
                writer.flush_bookkeeping()
                db.session.commit()
                done += len(rows_now)
        _beat(job_id, done, len(rows))
        job = db.session.get(ImportJob, job_id)
        entity = ENTITY_OF_KIND[kind]
        counts["done"] = {entity: {"created": len(creates), "updated": len(updates)}}
        if orphans:
            counts["done"]["orphan_company"] = next(iter(orphans))
        job.counts = counts
        job.state = "done"
        job.finished_at = utcnow()
        job.message = None
        _default_pragmas()
        db.session.commit()
        return job.counts
    except Exception as error:
        if not isinstance(error, StaleImport):
            log.exception("import %s failed; undoing what it wrote", job_id)
        db.session.rollback()
        if isinstance(error, StaleImport):
            # The preview no longer holds: check the file again (start_plan accepts "failed").
            reason = message("stale", count=len(error.lines), line=error.lines[0])
        else:
            reason = message("failed", error=str(error)[:500] or type(error).__name__)
        fail_and_undo(job_id, user, reason)
        return db.session.get(ImportJob, job_id).counts


def fail_and_undo(job_id: int, user, reason: dict) -> None:
    """Mark the job failed with `reason` and undo the chunks it committed; commits."""
    from webapp.services.imports.revert import undo_writes

    db.session.execute(
        update(ImportJob.__table__)
        .where(ImportJob.id == job_id)
        .values(state="failed", message=reason, finished_at=utcnow(), heartbeat_at=utcnow())
    )
    job = db.session.get(ImportJob, job_id)
    undo_writes(job, user, utcnow(), unfinished=True)
    _default_pragmas()
    db.session.commit()


def _beat(job_id: int, done: int, total: int) -> None:
    """The first statement of each write transaction: progress and heartbeat (a write, so
    the transaction takes SQLite's write lock before it reads anything)."""
    db.session.execute(
        update(ImportJob.__table__)
        .where(ImportJob.id == job_id)
        .values(heartbeat_at=utcnow(), progress_done=done, progress_total=total)
    )
    if db.session.connection().dialect.name == "sqlite":
        # The indexes the chunks add to stay in this connection's page cache between
        # chunks (2 MB by default), and the write-ahead log is copied back into the
        # database file every ~16 MB rather than every 4 MB (each copy waits for the disk).
        db.session.execute(text(f"PRAGMA cache_size = -{APPLY_CACHE_KB}"))
        db.session.execute(text("PRAGMA wal_autocheckpoint = 4000"))


def _default_pragmas() -> None:
    if db.session.connection().dialect.name == "sqlite":
        db.session.execute(text("PRAGMA cache_size = -2000"))
        db.session.execute(text("PRAGMA wal_autocheckpoint = 1000"))
