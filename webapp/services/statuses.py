"""Customer statuses as the admin defines them: create, rename, reorder, retire, delete."""

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models.customer import STATUS_KINDS, Company, Status
from webapp.services.audit import record_change, record_changes, snapshot

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
STATUS_FIELDS = ("name", "kind", "colour")


class ConfigError(ValueError):
    """An admin change to the configuration was refused; the message says why."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def move_in_order(items: list, item, direction: str) -> bool:
    """Swap item with its neighbour in items (already in display order); renumber positions."""
    index = items.index(item)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    return True


def ordered_statuses() -> list[Status]:
    return list(db.session.scalars(select(Status).order_by(Status.position, Status.id)))


def status_usage() -> dict[int, int]:
    """How many companies (archived ones too) have each status: one query."""
    rows = db.session.execute(select(Company.status_id, func.count()).group_by(Company.status_id))
    return dict(rows.all())


def _check_status(name: str, kind: str, colour: str, status: Status | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ConfigError(_("Enter a name for the status."), "name")
    if kind not in STATUS_KINDS:
        raise ConfigError(_("Choose one of the kinds."), "kind")
    if not COLOUR.match(colour or ""):
        raise ConfigError(_("Choose a colour like #2563eb."), "colour")
    query = select(Status.id).where(func.lower(Status.name) == name.lower())
    if status is not None:
        query = query.where(Status.id != status.id)
    if db.session.scalar(query) is not None:
        raise ConfigError(_("A status called %(name)s already exists.", name=name), "name")
    return name


def create_status(name, kind, colour, user) -> Status:
    name = _check_status(name, kind, colour)
    last = db.session.scalar(select(func.max(Status.position))) or 0
    status = Status(name=name, kind=kind, colour=colour.lower(), position=last + 1, active=True)
    db.session.add(status)
    db.session.flush()
    record_change("status", status.id, "created", None, name, user)
    return status


def update_status(status: Status, name, kind, colour, user) -> list:
    name = _check_status(name, kind, colour, status)
    before = snapshot(status, STATUS_FIELDS)
    status.name, status.kind, status.colour = name, kind, colour.lower()
    db.session.flush()
    return record_changes("status", status, before, user)


def move_status(status: Status, direction: str, user) -> bool:
    statuses = ordered_statuses()
    old = status.position
    moved = move_in_order(statuses, status, direction)
    if moved:
        record_change("status", status.id, "position", old, status.position, user)
        db.session.flush()
    return moved


def set_status_active(status: Status, active: bool, user) -> None:
    if status.active == active:
        return
    status.active = active
    record_change("status", status.id, "active", not active, active, user)
    db.session.flush()


def delete_status(status: Status, user) -> None:
    """Delete a status no company has ever been given; statuses in use can only be retired."""
    used = db.session.scalar(select(func.count()).where(Company.status_id == status.id))
    if used:
        raise ConfigError(
            _(
                "%(name)s is in use (companies: %(count)d). Retire it instead: it is then no "
                "longer offered, and those companies keep it.",
                name=status.name,
                count=used,
            )
        )
    record_change("status", status.id, "deleted", status.name, None, user)
    db.session.delete(status)
    db.session.flush()
