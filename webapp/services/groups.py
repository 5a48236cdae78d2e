"""Group rules shared by the card, the list and the reports."""

import re
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import Company, Status
from webapp.models.group import APPLIES_TO, Group, GroupOption, GroupValue
from webapp.models.user import utcnow
from webapp.services.audit import record_change, record_changes, snapshot
from webapp.services.statuses import ConfigError, move_in_order

# A group "required from" a kind is required for that kind and the kinds after it.
REQUIRED_KINDS = {
    "prospect": {"prospect", "customer", "former_customer"},
    "customer": {"customer", "former_customer"},
    "former_customer": {"former_customer"},
    "inactive": {"inactive"},
}


def required_groups_for_kind(kind: str, groups) -> list[Group]:
    return [g for g in groups if g.required_from and kind in REQUIRED_KINDS[g.required_from]]


def missing_required_groups(company_ids) -> dict[int, list[Group]]:
    """For each company id, the active required company groups that have no value: 2 queries."""
    company_ids = list(company_ids)
    if not company_ids:
        return {}
    groups = db.session.scalars(
        select(Group)
        .where(Group.active, Group.applies_to == "company", Group.required_from.is_not(None))
        .order_by(Group.position, Group.id)
    ).all()
    if not groups:
        return {}
    rows = db.session.execute(
        select(Company.id, Status.kind).join(Status).where(Company.id.in_(company_ids))
    ).all()
    filled = defaultdict(set)
    for company_id, group_id in db.session.execute(
        select(GroupValue.company_id, GroupValue.group_id)
        .where(GroupValue.company_id.in_(company_ids))
        .distinct()
    ):
        filled[company_id].add(group_id)
    result = {}
    for company_id, kind in rows:
        missing = [
            g for g in required_groups_for_kind(kind, groups) if g.id not in filled[company_id]
        ]
        if missing:
            result[company_id] = missing
    return result


# --- The card's group section: what each group shows and offers -------------------------


@dataclass
class GroupRow:
    """One group as the card shows it: its options, the company's choice and who made it."""

    group: Group
    options: list  # the group's active options, in order
    values: list  # the company's GroupValue rows for this group
    status_kind: str

    @property
    def chosen_ids(self) -> set[int]:
        return {value.option_id for value in self.values}

    @property
    def chosen(self) -> list[GroupOption]:
        return sorted((v.option for v in self.values), key=lambda o: (o.position, o.id))

    @property
    def offered(self) -> list[GroupOption]:
        """Active options, plus retired ones the company still has (shown marked retired)."""
        retired = [o for o in self.chosen if not o.active]
        return sorted([*self.options, *retired], key=lambda o: (o.position, o.id))

    @property
    def last_value(self) -> GroupValue | None:
        return max(self.values, key=lambda v: (v.set_at, v.id), default=None)

    @property
    def required(self) -> bool:
        required_from = self.group.required_from
        return bool(required_from) and self.status_kind in REQUIRED_KINDS[required_from]

    @property
    def missing(self) -> bool:
        return self.required and not self.values

    @property
    def as_buttons(self) -> bool:
        """A short single-choice scale (satisfaction 1-5, yes/no) is one click per option."""
        return not self.group.multiple and len(self.offered) <= 5

    @property
    def shown(self) -> str:
        """The chosen option ids as the user saw them, sent back to detect a colleague's change."""
        return ",".join(str(i) for i in sorted(self.chosen_ids))


def group_rows(company, group_id=None) -> list[GroupRow]:
    """The active company groups with their options and the company's values: 3 queries."""
    query = (
        select(Group)
        .where(Group.active, Group.applies_to == "company")
        .order_by(Group.position, Group.id)
    )
    if group_id is not None:
        query = query.where(Group.id == group_id)
    groups = db.session.scalars(query).all()
    if not groups:
        return []
    ids = [g.id for g in groups]
    options = defaultdict(list)
    for option in db.session.scalars(
        select(GroupOption)
        .where(GroupOption.group_id.in_(ids), GroupOption.active)
        .order_by(GroupOption.position, GroupOption.id)
    ):
        options[option.group_id].append(option)
    values = defaultdict(list)
    for value in db.session.scalars(
        select(GroupValue)
        .options(joinedload(GroupValue.set_by))
        .where(GroupValue.company_id == company.id, GroupValue.group_id.in_(ids))
    ).unique():
        values[value.group_id].append(value)
    kind = company.status.kind
    return [GroupRow(g, options[g.id], values[g.id], kind) for g in groups]


# --- Saving a company's choice -------------------------------------------------------------


class GroupValueError(ValueError):
    """A choice could not be saved; the message says why."""


class StaleGroupValue(GroupValueError):
    """Someone changed the group after the user saw it; nothing was saved."""


def option_labels(options) -> str | None:
    labels = [o.label for o in sorted(options, key=lambda o: (o.position, o.id))]
    return ", ".join(labels) or None


def last_group_change(company, group) -> Change | None:
    return db.session.scalar(
        select(Change)
        .options(joinedload(Change.user))
        .where(Change.company_id == company.id, Change.field == f"group:{group.id}")
        .order_by(Change.changed_at.desc(), Change.id.desc())
        .limit(1)
    )


def _stale_message(group, change: Change | None) -> str:
    if change is None:
        return _(
            "%(group)s was changed by someone else after you opened the card. Nothing was "
            "saved: check the current choice and choose again.",
            group=group.name,
        )
    return _(
        "%(user)s changed %(group)s to “%(value)s” (%(when)s) after you opened the card. "
        "Nothing was saved: check the current choice and choose again.",
        user=change.user.name if change.user else _("Someone"),
        group=group.name,
        value=change.new or _("nothing"),
        when=format_datetime(change.changed_at, "short"),
    )


def set_group_options(company, group, option_ids, user, shown_ids=None) -> bool:
    """Make option_ids the company's choice in group; record the change; flush.

    shown_ids are the options the user saw chosen; when the stored choice differs because a
    colleague changed it in between, StaleGroupValue is raised rather than overwriting their
    change. The user's own quick successive clicks (the page had not caught up) are no conflict.
    Returns False when the choice was already the stored one.
    """
    if not group.active or group.applies_to != "company":
        raise GroupValueError(_("%(group)s is no longer in use.", group=group.name))
    wanted = list(dict.fromkeys(int(i) for i in option_ids))
    current = db.session.scalars(
        select(GroupValue).where(
            GroupValue.company_id == company.id, GroupValue.group_id == group.id
        )
    ).all()
    current_ids = {value.option_id for value in current}
    if shown_ids is not None and set(shown_ids) != current_ids:
        change = last_group_change(company, group)
        if change is None or user is None or change.user_id != user.id:
            raise StaleGroupValue(_stale_message(group, change))
    if not group.multiple and len(wanted) > 1:
        raise GroupValueError(_("Choose only one option for %(group)s.", group=group.name))
    options = {
        o.id: o
        for o in db.session.scalars(
            select(GroupOption).where(
                GroupOption.group_id == group.id, GroupOption.id.in_(set(wanted) | current_ids)
            )
        )
    }
    for option_id in wanted:
        option = options.get(option_id)
        if option is None:
            raise GroupValueError(_("That option does not belong to %(group)s.", group=group.name))
        if not option.active and option_id not in current_ids:
            raise GroupValueError(
                _("%(option)s is retired and can no longer be chosen.", option=option.label)
            )
    if set(wanted) == current_ids:
        return False
    old = option_labels(options[i] for i in current_ids)
    now = utcnow()
    for value in current:
        if value.option_id not in wanted:
            db.session.delete(value)
    for option_id in wanted:
        if option_id not in current_ids:
            db.session.add(
                GroupValue(
                    company_id=company.id,
                    group_id=group.id,
                    option_id=option_id,
                    set_by_id=user.id if user is not None else None,
                    set_at=now,
                )
            )
    new = option_labels(options[i] for i in wanted)
    record_change("group", group.id, f"group:{group.id}", old, new, user, company_id=company.id)
    db.session.flush()
    return True


# --- Administration of groups and their options ---------------------------------------------

KEY = re.compile(r"^[A-Za-z0-9_]+$")
GROUP_FIELDS = ("name", "help_text", "multiple", "applies_to", "required_from", "key", "active")


def ordered_groups() -> list[Group]:
    return list(db.session.scalars(select(Group).order_by(Group.position, Group.id)))


def option_counts() -> dict[int, tuple[int, int]]:
    """Per group id: (active options, all options), in one query."""
    rows = db.session.execute(
        select(
            GroupOption.group_id,
            func.count().filter(GroupOption.active),
            func.count(),
        ).group_by(GroupOption.group_id)
    )
    return {group_id: (active, total) for group_id, active, total in rows}


def _clean_group(data: dict, group: Group | None = None) -> dict:
    name = (data.get("name") or "").strip()
    key = (data.get("key") or "").strip() or None
    applies_to = data.get("applies_to") or "company"
    required_from = data.get("required_from") or None
    if not name:
        raise ConfigError(_("Enter a name for the group."), "name")
    if applies_to not in APPLIES_TO:
        raise ConfigError(_("Choose what the group applies to."), "applies_to")
    if required_from is not None and required_from not in REQUIRED_KINDS:
        raise ConfigError(_("Choose a status kind, or none."), "required_from")
    same_name = select(Group.id).where(
        func.lower(Group.name) == name.lower(), Group.applies_to == applies_to
    )
    if group is not None:
        same_name = same_name.where(Group.id != group.id)
    if db.session.scalar(same_name) is not None:
        raise ConfigError(_("A group called %(name)s already exists.", name=name), "name")
    if key is not None:
        if not KEY.match(key):
            raise ConfigError(_("Use only letters, digits and underscores in the key."), "key")
        same_key = select(Group.id).where(Group.key == key)
        if group is not None:
            same_key = same_key.where(Group.id != group.id)
        if db.session.scalar(same_key) is not None:
            raise ConfigError(_("Another group already has the key %(key)s.", key=key), "key")
    multiple = bool(data.get("multiple"))
    if group is not None and group.multiple and not multiple:
        several = db.session.scalar(
            select(func.count()).select_from(
                select(GroupValue.company_id)
                .where(GroupValue.group_id == group.id)
                .group_by(GroupValue.company_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        if several:
            raise ConfigError(
                _(
                    "Companies with several options chosen: %(count)d. Leave it as multiple "
                    "choice, or reduce their choices to one first.",
                    count=several,
                ),
                "multiple",
            )
    return {
        "name": name,
        "help_text": (data.get("help_text") or "").strip() or None,
        "multiple": multiple,
        "applies_to": applies_to,
        "required_from": required_from,
        "key": key,
        "active": bool(data.get("active", True)),
    }


def create_group(data: dict, user) -> Group:
    values = _clean_group(data)
    last = db.session.scalar(select(func.max(Group.position))) or 0
    group = Group(position=last + 1, **values)
    db.session.add(group)
    db.session.flush()
    record_change("group", group.id, "created", None, group.name, user)
    return group


def update_group(group: Group, data: dict, user) -> list:
    values = _clean_group(data, group)
    before = snapshot(group, GROUP_FIELDS)
    for field, value in values.items():
        setattr(group, field, value)
    db.session.flush()
    return record_changes("group", group, before, user)


def move_group(group: Group, direction: str, user) -> bool:
    old = group.position
    moved = move_in_order(ordered_groups(), group, direction)
    if moved:
        record_change("group", group.id, "position", old, group.position, user)
        db.session.flush()
    return moved


def group_options(group: Group) -> list[GroupOption]:
    return list(
        db.session.scalars(
            select(GroupOption)
            .where(GroupOption.group_id == group.id)
            .order_by(GroupOption.position, GroupOption.id)
        )
    )


def _clean_label(group: Group, label: str, option: GroupOption | None = None) -> str:
    label = (label or "").strip()
    if not label:
        raise ConfigError(_("Enter the option's label."), "label")
    if len(label) > 120:
        raise ConfigError(_("Use at most 120 characters."), "label")
    query = select(GroupOption.id).where(
        GroupOption.group_id == group.id, func.lower(GroupOption.label) == label.lower()
    )
    if option is not None:
        query = query.where(GroupOption.id != option.id)
    if db.session.scalar(query) is not None:
        raise ConfigError(
            _("%(group)s already has an option called %(label)s.", group=group.name, label=label),
            "label",
        )
    return label


def add_option(group: Group, label: str, user) -> GroupOption:
    label = _clean_label(group, label)
    last = db.session.scalar(
        select(func.max(GroupOption.position)).where(GroupOption.group_id == group.id)
    )
    option = GroupOption(group_id=group.id, label=label, position=(last or 0) + 1, active=True)
    db.session.add(option)
    db.session.flush()
    record_change("group_option", option.id, "created", None, label, user)
    return option


def rename_option(option: GroupOption, label: str, user) -> None:
    label = _clean_label(option.group, label, option)
    old, option.label = option.label, label
    record_change("group_option", option.id, "label", old, label, user)
    db.session.flush()


def move_option(option: GroupOption, direction: str, user) -> bool:
    old = option.position
    moved = move_in_order(group_options(option.group), option, direction)
    if moved:
        record_change("group_option", option.id, "position", old, option.position, user)
        db.session.flush()
    return moved


def set_option_active(option: GroupOption, active: bool, user) -> None:
    if option.active == active:
        return
    option.active = active
    record_change("group_option", option.id, "active", not active, active, user)
    db.session.flush()
