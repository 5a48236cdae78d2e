"""Read-only queries of the segments blueprint: the list, the builder's choices, summaries."""

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models.customer import STATUS_KINDS, Status
from webapp.models.group import Group, GroupOption
from webapp.models.marketing import Industry, Segment
from webapp.models.user import User
from webapp.services.segments import SegmentDefinition, visible_to

SATISFACTION = "satisfaction"


def visible_segments(user) -> list[Segment]:
    """Shared segments and the user's own private ones, by name, with their owners."""
    return db.session.scalars(
        select(Segment)
        .where(visible_to(user))
        .options(joinedload(Segment.owner))
        .order_by(func.lower(Segment.name), Segment.id)
    ).all()


def builder_choices() -> dict:
    """Statuses, owners, company groups and satisfaction options for the builder: 3 queries."""
    statuses = db.session.scalars(select(Status).order_by(Status.position, Status.name)).all()
    owners = db.session.scalars(
        select(User).where(User.active).order_by(func.lower(User.name))
    ).all()
    rows = db.session.execute(
        select(GroupOption, Group)
        .join(Group, Group.id == GroupOption.group_id)
        .where(Group.active, Group.applies_to == "company")
        .order_by(Group.position, Group.id, GroupOption.position, GroupOption.id)
    ).all()
    groups: dict[int, tuple[Group, list[GroupOption]]] = {}
    satisfaction: list[GroupOption] = []
    for option, group in rows:
        if group.key == SATISFACTION:
            satisfaction.append(option)
        else:
            groups.setdefault(group.id, (group, []))[1].append(option)
    return {
        "statuses": statuses,
        "kinds": STATUS_KINDS,
        "owners": owners,
        "option_groups": list(groups.values()),
        "satisfaction_options": satisfaction,
    }


def industry_title(industry: Industry) -> str:
    danish = str(get_locale() or "en").startswith("da")
    return (industry.title_da if danish else industry.title_en) or industry.title_en or ""


def summary(definition: SegmentDefinition) -> list[str]:
    """The definition in words, one line per filter ("Status: Lead, Customer")."""
    d = definition
    lines = []
    names = {}
    if d.status:
        names = dict(db.session.execute(select(Status.id, Status.name)).all())
        lines.append(_("Status: %(v)s", v=", ".join(names.get(i, "?") for i in d.status)))
    if d.kind:
        lines.append(_("Status kind: %(v)s", v=", ".join(str(STATUS_KINDS[k]) for k in d.kind)))
    if d.category:
        labels = [_("none") if c == "none" else c for c in d.category]
        lines.append(_("Category: %(v)s", v=", ".join(labels)))
    if d.industry:
        found = {
            i.code: i
            for i in db.session.scalars(select(Industry).where(Industry.code.in_(d.industry)))
        }
        shown = [
            f"{code} {industry_title(found[code])}".strip() if code in found else code
            for code in d.industry
        ]
        lines.append(_("Industry: %(v)s", v="; ".join(shown)))
    if d.employees_min is not None and d.employees_max is not None:
        lines.append(_("Employees: %(a)s–%(b)s", a=d.employees_min, b=d.employees_max))
    elif d.employees_min is not None:
        lines.append(_("Employees: at least %(a)s", a=d.employees_min))
    elif d.employees_max is not None:
        lines.append(_("Employees: at most %(b)s", b=d.employees_max))
    if d.owner:
        people = dict(
            db.session.execute(select(User.id, User.name).where(User.id.in_(d.owner))).all()
        )
        shown = [_("nobody") if i == 0 else people.get(i, "?") for i in d.owner]
        lines.append(_("Owner: %(v)s", v=", ".join(shown)))
    if d.country:
        lines.append(_("Country: %(v)s", v=", ".join(d.country)))
    if d.city:
        lines.append(_("City: %(v)s", v=", ".join(d.city)))
    chosen = [*d.options, *d.satisfaction]
    if chosen:
        labels = {
            option_id: (group_name, label)
            for option_id, group_name, label in db.session.execute(
                select(GroupOption.id, Group.name, GroupOption.label)
                .join(Group, Group.id == GroupOption.group_id)
                .where(GroupOption.id.in_(chosen))
            )
        }
        if d.options:
            shown = ", ".join(
                "{}: {}".format(*labels[i]) if i in labels else "?" for i in d.options
            )
            if d.options_mode == "all" and len(d.options) > 1:
                lines.append(_("All of: %(v)s", v=shown))
            else:
                lines.append(_("Any of: %(v)s", v=shown))
        if d.satisfaction:
            shown = ", ".join(labels[i][1] if i in labels else "?" for i in d.satisfaction)
            lines.append(_("Satisfaction: %(v)s", v=shown))
    if d.activity_after:
        lines.append(_("Last activity on or after %(d)s", d=d.activity_after.isoformat()))
    if d.activity_before:
        lines.append(_("Last activity before %(d)s", d=d.activity_before.isoformat()))
    if d.open_deal:
        lines.append(_("Has an open deal") if d.open_deal == "yes" else _("No open deal"))
    if d.consent:
        lines.append(
            _("Has a contact with marketing consent")
            if d.consent == "yes"
            else _("No contact with marketing consent")
        )
    return lines
