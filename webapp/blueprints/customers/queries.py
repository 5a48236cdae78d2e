"""Read-only queries of the customers blueprint: the list, search, the card and its history."""

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.customer import CATEGORIES, STATUS_KINDS, Company, Contact, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.user import User
from webapp.services.companies import name_key_for

PAGE_SIZE = 50
# Counting stops here: beyond it the list says "10,000+" rather than scanning everything.
COUNT_CAP = 10_000
SORTS = ("name", "status", "owner", "city", "updated")


@dataclass
class CompanyFilters:
    """What the company list shows: the whole state lives in the URL."""

    q: str = ""
    status: int | None = None
    kind: str = ""
    category: str = ""
    owner: int | None = None
    options: list[int] = field(default_factory=list)
    archived: bool = False
    sort: str = "name"
    desc: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "CompanyFilters":
        def as_int(value):
            try:
                return int(value) if value not in (None, "") else None
            except ValueError:
                return None

        kind = args.get("kind", "")
        category = args.get("category", "")
        sort = args.get("sort", "name")
        options = []
        for value in args.getlist("option"):
            number = as_int(value)
            if number is not None and number not in options:
                options.append(number)
        return cls(
            q=" ".join(args.get("q", "").split())[:100],
            status=as_int(args.get("status")),
            kind=kind if kind in STATUS_KINDS else "",
            category=category if category in CATEGORIES else "",
            owner=as_int(args.get("owner")),
            options=options,
            archived=args.get("archived") == "1",
            sort=sort if sort in SORTS else "name",
            desc=args.get("dir") == "desc",
            page=max(as_int(args.get("page")) or 1, 1),
        )

    def to_args(self, **changes) -> dict:
        """URL parameters of this state with some changed (None removes one)."""
        state = {
            "q": self.q or None,
            "status": self.status,
            "kind": self.kind or None,
            "category": self.category or None,
            "owner": self.owner,
            "option": list(self.options) or None,
            "archived": "1" if self.archived else None,
            "sort": self.sort if self.sort != "name" else None,
            "dir": "desc" if self.desc else None,
            "page": self.page if self.page > 1 else None,
        }
        state.update(changes)
        return {key: value for key, value in state.items() if value not in (None, "", [])}

    @property
    def narrowed(self) -> bool:
        return bool(
            self.q or self.status or self.kind or self.category or self.owner or self.options
        )


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_condition(q: str):
    """A company matches on its name, CVR start, city start, or a contact's name or e-mail."""
    key = name_key_for(q)
    contains = "%" + escape_like(key) + "%"
    conditions = [
        Company.name_key.like(contains, escape="\\"),
        func.lower(Company.city).like(escape_like(key) + "%", escape="\\"),
        # IN (not a correlated EXISTS): both databases scan the contacts once, then probe.
        Company.id.in_(
            select(Contact.company_id).where(
                Contact.search_key.like(contains, escape="\\"), Contact.archived.is_(False)
            )
        ),
    ]
    digits = key.replace(" ", "")
    if digits.isdigit():
        conditions.append(Company.cvr.like(digits + "%"))
    return or_(*conditions)


def _where(filters: CompanyFilters) -> list:
    where = [Company.archived.is_(filters.archived)]
    if filters.q:
        where.append(search_condition(filters.q))
    if filters.status:
        where.append(Company.status_id == filters.status)
    if filters.kind:
        where.append(Company.status_id.in_(select(Status.id).where(Status.kind == filters.kind)))
    if filters.category:
        where.append(Company.category == filters.category)
    if filters.owner:
        where.append(Company.owner_id == filters.owner)
    for option_id in filters.options:
        where.append(
            Company.id.in_(select(GroupValue.company_id).where(GroupValue.option_id == option_id))
        )
    return where


def _order(filters: CompanyFilters, stmt):
    def direction(column):
        return column.desc() if filters.desc else column.asc()

    if filters.sort == "status":
        stmt = stmt.join(Status, Status.id == Company.status_id)
        order = [direction(Status.position), direction(Status.name), Company.name_key]
    elif filters.sort == "owner":
        stmt = stmt.outerjoin(User, User.id == Company.owner_id)
        order = [direction(User.name), Company.name_key]
    elif filters.sort == "city":
        order = [direction(Company.city), Company.name_key]
    elif filters.sort == "updated":
        order = [direction(Company.updated_at)]
    else:
        order = [direction(Company.name_key)]
    return stmt.order_by(*order, direction(Company.id))


def company_page(filters: CompanyFilters):
    """One page of companies and the (capped) number of matches: two queries."""
    where = _where(filters)
    capped = select(Company.id).where(*where).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped))
    stmt = _order(filters, select(Company).where(*where)).options(joinedload(Company.owner))
    stmt = stmt.limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)
    rows = db.session.scalars(stmt).unique().all()
    return rows, min(total, COUNT_CAP), total > COUNT_CAP


def filter_choices():
    """Statuses, owners and group options the list can be filtered by: three queries."""
    statuses = db.session.scalars(select(Status).order_by(Status.position, Status.name)).all()
    owners = db.session.scalars(
        select(User).where(User.active).order_by(func.lower(User.name))
    ).all()
    options = db.session.execute(
        select(GroupOption, Group.name)
        .join(Group, Group.id == GroupOption.group_id)
        .where(Group.active, Group.applies_to == "company")
        .order_by(Group.position, Group.id, GroupOption.position, GroupOption.id)
    ).all()
    groups: dict[str, list[GroupOption]] = {}
    for option, group_name in options:
        groups.setdefault(group_name, []).append(option)
    return statuses, owners, groups


def option_labels(option_ids) -> dict[int, str]:
    """ "Group: option" for the chosen options, for the filter chips."""
    if not option_ids:
        return {}
    rows = db.session.execute(
        select(GroupOption.id, Group.name, GroupOption.label)
        .join(Group, Group.id == GroupOption.group_id)
        .where(GroupOption.id.in_(option_ids))
    ).all()
    return {option_id: f"{group}: {label}" for option_id, group, label in rows}


def top_hits(q: str, limit: int = 6):
    """Companies and contacts for the header search: two queries."""
    key = name_key_for(q)
    if not key:
        return [], []
    prefix = escape_like(key) + "%"
    # Names that start with the query first, then the rest in name order.
    companies = db.session.scalars(
        select(Company)
        .where(Company.archived.is_(False), search_condition(q))
        .order_by(Company.name_key.like(prefix, escape="\\").desc(), Company.name_key)
        .limit(limit)
    ).all()
    contains = "%" + escape_like(key) + "%"
    contacts = db.session.execute(
        select(Contact, Company.name)
        .join(Company, Company.id == Contact.company_id)
        .where(
            Contact.search_key.like(contains, escape="\\"),
            Contact.archived.is_(False),
            Company.archived.is_(False),
        )
        .order_by(Contact.search_key)
        .limit(limit)
    ).all()
    return companies, contacts


def company_contacts(company_id: int) -> list[Contact]:
    return db.session.scalars(
        select(Contact)
        .where(Contact.company_id == company_id)
        .order_by(Contact.archived, Contact.last_name, Contact.first_name, Contact.id)
    ).all()


def active_statuses(current_id=None) -> list[Status]:
    return db.session.scalars(
        select(Status)
        .where(or_(Status.active, Status.id == current_id))
        .order_by(Status.position, Status.name)
    ).all()


def active_owners(current_id=None) -> list[User]:
    return db.session.scalars(
        select(User).where(or_(User.active, User.id == current_id)).order_by(func.lower(User.name))
    ).all()


def company_history(company_id: int, limit: int = 500):
    """The card's history rows, newest first, with who made them; group names by id."""
    rows = db.session.scalars(
        select(Change)
        .where(Change.company_id == company_id)
        .options(joinedload(Change.user))
        .order_by(Change.changed_at.desc(), Change.id.desc())
        .limit(limit)
    ).all()
    group_ids = {
        int(row.field.split(":", 1)[1])
        for row in rows
        if row.field.startswith("group:") and row.field.split(":", 1)[1].isdigit()
    }
    contact_ids = {row.entity_id for row in rows if row.entity == "contact" and row.entity_id}
    groups = (
        dict(db.session.execute(select(Group.id, Group.name).where(Group.id.in_(group_ids))).all())
        if group_ids
        else {}
    )
    contacts = (
        {
            c.id: c.name
            for c in db.session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))
        }
        if contact_ids
        else {}
    )
    return rows, groups, contacts
