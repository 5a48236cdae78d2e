"""Deals: create and change them around the pipeline gate, with history and deal groups.

Stages only ever change through webapp.services.pipeline (open_deal, move_deal, win_deal,
lose_deal, reopen_deal); this module adds the fields, the history rows and the deal groups.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.group import Group, GroupOption
from webapp.models.marketing import Campaign
from webapp.models.pipeline import Deal, DealGroupValue, Stage, StageChange
from webapp.models.user import User, utcnow
from webapp.services import pipeline
from webapp.services.audit import record_change

ENTITY = "deal"
MAX_VALUE = Decimal("999999999999.99")


class InvalidAmount(ValueError):
    """An amount Kanel cannot read; the message says how to write it."""


class DealGroupError(ValueError):
    """A deal-group choice that cannot be saved; the message says why."""


class StaleDeal(Exception):
    """The deal was saved by someone else after the form was opened; nothing was changed."""

    def __init__(self, deal: Deal, changes: list["DealChange"]):
        super().__init__("stale deal")
        self.deal = deal
        self.changes = changes
        self.current_version = deal.version


def parse_amount(text: str | None, locale=None) -> Decimal | None:
    """Read an amount as the user types it in their locale: 12.500,50 (da) or 12,500.50 (en)."""
    raw = (text or "").strip()
    if not raw:
        return None
    locale = locale or get_locale() or "en"
    cleaned = re.sub(r"(?i)\b(dkk|kr)\b\.?", "", raw)
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", cleaned)
    if not cleaned or cleaned.startswith("-"):
        raise InvalidAmount(_("Enter the amount as a positive number."))
    try:
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError as error:
        example = f"12{get_group_symbol(locale)}500{get_decimal_symbol(locale)}50"
        raise InvalidAmount(
            _("Write the amount like %(example)s (in kroner).", example=example)
        ) from error
    if value < 0 or value > MAX_VALUE:
        raise InvalidAmount(_("Enter an amount between 0 and 999.999.999.999."))
    return value.quantize(Decimal("0.01"))


def starting_stages() -> list[Stage]:
    """The active stages a new deal may start in: no entry rules up to and including them."""
    stages = pipeline.ordered_stages()
    allowed = []
    for stage in stages:
        if any(s.requirements for s in stages if s.position <= stage.position):
            break
        allowed.append(stage)
    return allowed


def campaign_choices() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.name, Campaign.id)))


def deal_groups() -> list[Group]:
    """Active groups that apply to deals, with their options (2 queries)."""
    groups = list(
        db.session.scalars(
            select(Group)
            .where(Group.active, Group.applies_to == "deal")
            .order_by(Group.position, Group.id)
        )
    )
    if groups:
        by_group = defaultdict(list)
        for option in db.session.scalars(
            select(GroupOption)
            .where(GroupOption.group_id.in_([g.id for g in groups]))
            .order_by(GroupOption.position, GroupOption.id)
        ):
            by_group[option.group_id].append(option)
        for group in groups:
            group.all_options = by_group[group.id]
    return groups


def deal_group_values(deal_id: int | None) -> dict[int, set[int]]:
    """Option ids chosen on a deal, by group id."""
    chosen = defaultdict(set)
    if deal_id is None:
        return chosen
    for group_id, option_id in db.session.execute(
        select(DealGroupValue.group_id, DealGroupValue.option_id).where(
            DealGroupValue.deal_id == deal_id
        )
    ):
        chosen[group_id].add(option_id)
    return chosen


@dataclass
class DealData:
    """What a user typed for a deal, already read by the form."""

    title: str
    value: Decimal
    owner: User | None
    stage: Stage
    expected_close: date | None = None
    probability_override: int | None = None
    campaign_id: int | None = None
    # group id -> chosen option ids (only the groups shown in the form)
    options: dict[int, list[int]] = field(default_factory=dict)


FIELDS = ("title", "value", "owner_id", "expected_close", "probability_override", "campaign_id")


def _history_value(name: str, value):
    if value is None:
        return None
    if name == "owner_id":
        user = db.session.get(User, value)
        return user.name if user is not None else value
    if name == "campaign_id":
        campaign = db.session.get(Campaign, value)
        return campaign.name if campaign is not None else value
    if name == "value":
        return f"{Decimal(value):.2f}"
    return value


def _history_field(name: str) -> str:
    return {"owner_id": "owner", "campaign_id": "campaign"}.get(name, name)


def _check_groups(groups_by_id: dict[int, Group], chosen: dict[int, set[int]], options: dict):
    for group_id, ids in options.items():
        group = groups_by_id.get(group_id)
        if group is None:
            raise DealGroupError(_("That group does not apply to deals."))
        if not group.multiple and len(ids) > 1:
            raise DealGroupError(_("Choose only one option for %(group)s.", group=group.name))
        known = {o.id: o for o in group.all_options}
        for option_id in ids:
            option = known.get(option_id)
            if option is None:
                raise DealGroupError(
                    _("That option does not belong to %(group)s.", group=group.name)
                )
            if not option.active and option_id not in chosen[group_id]:
                raise DealGroupError(
                    _("%(option)s is retired and can no longer be chosen.", option=option.label)
                )


def _labels(group: Group, ids) -> str | None:
    labels = [o.label for o in group.all_options if o.id in ids]
    return ", ".join(labels) or None


def _save_groups(deal: Deal, options: dict, user, now) -> list[Change]:
    if not options:
        return []
    groups = {g.id: g for g in deal_groups()}
    chosen = deal_group_values(deal.id)
    wanted = {gid: list(dict.fromkeys(int(i) for i in ids)) for gid, ids in options.items()}
    _check_groups(groups, chosen, {gid: set(ids) for gid, ids in wanted.items()})
    rows = []
    existing = defaultdict(list)
    for value in db.session.scalars(
        select(DealGroupValue).where(
            DealGroupValue.deal_id == deal.id, DealGroupValue.group_id.in_(list(wanted))
        )
    ):
        existing[value.group_id].append(value)
    for group_id, ids in wanted.items():
        if set(ids) == chosen[group_id]:
            continue
        group = groups[group_id]
        for value in existing[group_id]:
            if value.option_id not in ids:
                db.session.delete(value)
        for option_id in ids:
            if option_id not in chosen[group_id]:
                db.session.add(
                    DealGroupValue(
                        deal_id=deal.id,
                        group_id=group_id,
                        option_id=option_id,
                        set_by_id=user.id if user is not None else None,
                        set_at=now,
                    )
                )
        row = record_change(
            ENTITY,
            deal.id,
            f"group:{group_id}",
            _labels(group, chosen[group_id]),
            _labels(group, set(ids)),
            user,
            deal.company_id,
            now,
        )
        if row is not None:
            rows.append(row)
    db.session.flush()
    return rows


def create_deal(company, data: DealData, user) -> Deal:
    """Open a deal on company (the gate refuses a stage with entry rules) and record it.

    Nothing is added when the stage or a deal-group choice is refused.
    """
    if data.options:
        groups = {g.id: g for g in deal_groups()}
        _check_groups(
            groups, defaultdict(set), {gid: set(ids) for gid, ids in data.options.items()}
        )
    deal = pipeline.open_deal(
        company,
        data.title,
        data.value,
        data.stage,
        data.owner,
        user,
        via="form",
        expected_close=data.expected_close,
        probability_override=data.probability_override,
        campaign_id=data.campaign_id,
    )
    now = deal.created_at
    deal.updated_at = now
    record_change(ENTITY, deal.id, "created", None, deal.title, user, company.id, now)
    _save_groups(deal, data.options, user, now)
    db.session.flush()
    return deal


def update_deal(deal: Deal, data: DealData, user, seen_version) -> list[Change]:
    """Save an edited deal: a stage change goes through the gate first; nothing saved if refused."""
    check_version(deal, seen_version)
    if deal.outcome != "open" and data.stage.id != deal.stage_id:
        raise pipeline.DealStateError(_("Only open deals can move. Reopen the deal first."))
    groups = {g.id: g for g in deal_groups()} if data.options else {}
    if data.options:
        wanted = {gid: set(ids) for gid, ids in data.options.items()}
        _check_groups(groups, deal_group_values(deal.id), wanted)
    before = {name: getattr(deal, name) for name in FIELDS}
    old_stage = deal.stage
    now = utcnow()
    moved = None
    if data.stage.id != deal.stage_id:
        moved = pipeline.move_deal(deal, data.stage, user, via="form")  # raises before changing
    if moved is not None:
        moved.changed_at = now
        deal.stage_entered_at = now
    deal.title = data.title
    deal.value = data.value
    deal.owner_id = data.owner.id if data.owner is not None else None
    deal.expected_close = data.expected_close
    deal.probability_override = data.probability_override
    deal.campaign_id = data.campaign_id
    rows = []
    for name, old in before.items():
        new = getattr(deal, name)
        if name == "value" and Decimal(old or 0) == Decimal(new or 0):
            continue
        if name != "value" and old == new:
            continue
        row = record_change(
            ENTITY,
            deal.id,
            _history_field(name),
            _history_value(name, old),
            _history_value(name, new),
            user,
            deal.company_id,
            now,
        )
        if row is not None:
            rows.append(row)
    if moved is not None:
        rows.append(
            record_change(
                ENTITY,
                deal.id,
                "stage",
                old_stage.name,
                data.stage.name,
                user,
                deal.company_id,
                now,
            )
        )
    rows.extend(_save_groups(deal, data.options, user, now))
    if rows:
        if moved is None:
            deal.version += 1
        deal.updated_at = now
    db.session.flush()
    return rows


def save_deal_groups(deal: Deal, options: dict, user, shown: dict | None = None) -> list[Change]:
    """Save the deal-group choices from the deal page; refuse if a colleague changed them."""
    if shown is not None:
        chosen = deal_group_values(deal.id)
        for group_id, ids in shown.items():
            if set(ids) != chosen[group_id]:
                raise StaleDeal(deal, recent_changes(deal, 1))
    rows = _save_groups(deal, options, user, utcnow())
    if rows:
        # An open edit form of the deal carries the groups too: it must not overwrite these.
        deal.version += 1
        deal.updated_at = utcnow()
        db.session.flush()
    return rows


# --- Won, lost, reopened: the gate's functions plus history rows ---------------------------


def win(deal: Deal, value: Decimal, closed_on: date, user, seen_version=None) -> StageChange:
    """Close the deal as won at value on closed_on (the company becomes a customer)."""
    if seen_version is not None:
        check_version(deal, seen_version)
    old_value = deal.value
    change = pipeline.win_deal(deal, value, closed_on, user)
    now = change.changed_at or utcnow()
    record_change(ENTITY, deal.id, "outcome", "open", "won", user, deal.company_id, now)
    if Decimal(old_value or 0) != Decimal(value):
        record_change(
            ENTITY,
            deal.id,
            "value",
            _history_value("value", old_value),
            _history_value("value", value),
            user,
            deal.company_id,
            now,
        )
    db.session.flush()
    return change


def lose(deal: Deal, reason, competitor, user, seen_version=None) -> StageChange:
    """Close the deal as lost for reason (an inactive status), to competitor when one won it."""
    if seen_version is not None:
        check_version(deal, seen_version)
    change = pipeline.lose_deal(deal, reason, user, competitor=competitor)
    now = change.changed_at or utcnow()
    record_change(ENTITY, deal.id, "outcome", "open", "lost", user, deal.company_id, now)
    record_change(ENTITY, deal.id, "lost_reason", None, reason.name, user, deal.company_id, now)
    if competitor is not None:
        record_change(
            ENTITY, deal.id, "competitor", None, competitor.label, user, deal.company_id, now
        )
    db.session.flush()
    return change


def reopen(deal: Deal, user) -> StageChange:
    """Reopen a closed deal (the gate records the StageChange and the outcome's history row)."""
    return pipeline.reopen_deal(deal, user)


# --- Stale saves ------------------------------------------------------------------------------


@dataclass
class DealChange:
    """One thing a save changed, for the stale-save message."""

    user: User | None
    changed_at: datetime
    field: str
    old: str | None
    new: str | None


def recent_changes(deal: Deal, saves: int) -> list[DealChange]:
    """What the newest `saves` saves of the deal changed (history rows and stage moves)."""
    if saves <= 0:
        return []
    items = []
    for row in db.session.scalars(
        select(Change)
        .options(joinedload(Change.user))
        .where(Change.entity == ENTITY, Change.entity_id == deal.id)
        .order_by(Change.changed_at.desc(), Change.id.desc())
        .limit(100)
    ):
        items.append(DealChange(row.user, row.changed_at, row.field, row.old, row.new))
    recorded = {(i.changed_at.replace(microsecond=0), i.field) for i in items}
    for move in db.session.scalars(
        select(StageChange)
        .options(
            joinedload(StageChange.user),
            joinedload(StageChange.from_stage),
            joinedload(StageChange.to_stage),
        )
        .where(StageChange.deal_id == deal.id)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        .limit(50)
    ):
        if move.outcome in ("won", "lost", "open") or move.from_stage is None:
            continue  # outcomes and the opening have their own history rows
        if (move.changed_at.replace(microsecond=0), "stage") in recorded:
            continue
        items.append(
            DealChange(
                move.user, move.changed_at, "stage", move.from_stage.name, move.to_stage.name
            )
        )
    items.sort(key=lambda i: i.changed_at, reverse=True)
    result, moments = [], []
    for item in items:
        moment = (item.changed_at.replace(microsecond=0), item.user.id if item.user else None)
        if moment not in moments:
            if len(moments) == saves:
                break
            moments.append(moment)
        result.append(item)
    return result


def check_version(deal: Deal, seen_version) -> None:
    """Refuse a save from a form opened before the deal's last save."""
    try:
        seen = int(seen_version)
    except (TypeError, ValueError):
        seen = 0
    if seen != deal.version:
        raise StaleDeal(deal, recent_changes(deal, max(deal.version - seen, 1)))
