"""Pipeline stages as the admin defines them: create, edit, reorder, retire, entry rules."""

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models.activity import ACTIVITY_KINDS
from webapp.models.pipeline import Deal, Stage, StageRequirement
from webapp.services.audit import record_change, record_changes, snapshot
from webapp.services.pipeline import MissingRequirement
from webapp.services.statuses import ConfigError, move_in_order

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
STAGE_FIELDS = ("name", "probability", "colour", "rot_days")


def all_stages() -> list[Stage]:
    """Every stage, retired ones too, in board order."""
    return list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)))


def open_deal_counts() -> dict[int, int]:
    """How many open deals sit in each stage: one query."""
    rows = db.session.execute(
        select(Deal.stage_id, func.count()).where(Deal.outcome == "open").group_by(Deal.stage_id)
    )
    return dict(rows.all())


def describe_rule(requirement: StageRequirement) -> str:
    """An entry rule in words, as the board says it when a move is refused."""
    return MissingRequirement(requirement.stage, requirement).describe()


def _check(name, probability, colour, rot_days, stage: Stage | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ConfigError(_("Enter a name for the stage."), "name")
    if probability is None or not 0 <= probability <= 100:
        raise ConfigError(_("Enter a probability from 0 to 100."), "probability")
    if not COLOUR.match(colour or ""):
        raise ConfigError(_("Choose a colour like #2563eb."), "colour")
    if rot_days is not None and not 1 <= rot_days <= 3650:
        raise ConfigError(
            _("Enter a number of days from 1 to 3650, or leave it empty."), "rot_days"
        )
    query = select(Stage.id).where(func.lower(Stage.name) == name.lower())
    if stage is not None:
        query = query.where(Stage.id != stage.id)
    if db.session.scalar(query) is not None:
        raise ConfigError(_("A stage called %(name)s already exists.", name=name), "name")
    return name


def create_stage(name, probability, colour, rot_days, user) -> Stage:
    """Add a stage at the end of the board, without entry rules."""
    name = _check(name, probability, colour, rot_days)
    last = db.session.scalar(select(func.max(Stage.position))) or 0
    stage = Stage(
        name=name,
        probability=probability,
        colour=colour.lower(),
        rot_days=rot_days,
        position=last + 1,
        active=True,
    )
    db.session.add(stage)
    db.session.flush()
    record_change("stage", stage.id, "created", None, name, user)
    return stage


def update_stage(stage: Stage, name, probability, colour, rot_days, user) -> list:
    name = _check(name, probability, colour, rot_days, stage)
    before = snapshot(stage, STAGE_FIELDS)
    stage.name, stage.probability, stage.colour = name, probability, colour.lower()
    stage.rot_days = rot_days
    db.session.flush()
    return record_changes("stage", stage, before, user)


def move_stage(stage: Stage, direction: str, user) -> bool:
    """Swap a stage with its neighbour; the order decides which rules a forward move passes."""
    stages = all_stages()
    old = stage.position
    moved = move_in_order(stages, stage, direction)
    if moved:
        record_change("stage", stage.id, "position", old, stage.position, user)
        db.session.flush()
    return moved


def set_stage_active(stage: Stage, active: bool, user) -> None:
    """Retire a stage (only once no open deal is in it) or bring it back."""
    if stage.active == active:
        return
    if not active:
        waiting = open_deal_counts().get(stage.id, 0)
        if waiting:
            raise ConfigError(
                _(
                    "%(name)s still has open deals (%(count)d). Move them to another stage "
                    "first; then it can be retired.",
                    name=stage.name,
                    count=waiting,
                )
            )
    stage.active = active
    record_change("stage", stage.id, "active", not active, active, user)
    db.session.flush()


def add_requirement(stage: Stage, kinds, with_contact: bool, with_minutes: bool, user):
    """Add an entry rule: one of `kinds` must be logged before a deal may enter the stage."""
    kinds = [k for k in ACTIVITY_KINDS if k in set(kinds or ())]
    if not kinds:
        raise ConfigError(_("Tick at least one kind of activity."), "kinds")
    requirement = StageRequirement(
        stage=stage, kinds=",".join(kinds), with_contact=with_contact, with_minutes=with_minutes
    )
    db.session.add(requirement)
    db.session.flush()
    record_change("stage", stage.id, "requirement", None, describe_rule(requirement), user)
    return requirement


def remove_requirement(requirement: StageRequirement, user) -> None:
    stage = requirement.stage
    record_change("stage", stage.id, "requirement", describe_rule(requirement), None, user)
    stage.requirements.remove(requirement)
    db.session.flush()
