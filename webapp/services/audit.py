"""Write the change history (who, when, field, old → new)."""

from datetime import date, datetime
from decimal import Decimal

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.user import utcnow


def as_text(value) -> str | None:
    """Store any value as readable text in the history."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date | Decimal | int | float):
        return str(value)
    return str(value)


def record_change(entity, entity_id, field, old, new, user, company_id=None, at=None):
    """Add one history row when old and new differ; return it (or None)."""
    old_text, new_text = as_text(old), as_text(new)
    if old_text == new_text:
        return None
    change = Change(
        entity=entity,
        entity_id=entity_id,
        company_id=company_id,
        field=field,
        old=old_text,
        new=new_text,
        user_id=user.id if user is not None else None,
        changed_at=at or utcnow(),
    )
    db.session.add(change)
    return change


def snapshot(obj, fields) -> dict:
    """The current values of fields on obj, to compare with after an edit."""
    return {field: getattr(obj, field) for field in fields}


def record_changes(entity, obj, before: dict, user, company_id=None) -> list[Change]:
    """Add a history row for every field in `before` whose value on obj has changed."""
    rows = []
    for field, old in before.items():
        row = record_change(entity, obj.id, field, old, getattr(obj, field), user, company_id)
        if row is not None:
            rows.append(row)
    return rows
