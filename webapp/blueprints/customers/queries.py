"""Read-only queries of the customers blueprint: the list, search, the card and its history."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    and_,
    any_,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.company_words import CompanyWord
from webapp.models.customer import CATEGORIES, STATUS_KINDS, Company, Contact, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.pipeline import Deal, Stage
from webapp.models.user import User, utcnow
from webapp.services.companies import name_key_for
from webapp.services.industries import subtree_ids
from webapp.services.segments import segment_conditions

PAGE_SIZE = 50
# Counting stops here: beyond it the list says "More than 10,000 companies" rather than
# scanning everything.
COUNT_CAP = 10_000
# A searched or filtered list counts at most this many ("More than 1,000 companies"):
# nobody pages through thousands of matches, and counting them is most of the work.
NARROWED_COUNT_CAP = 1_000
# From this many matches on, SQLite finds a page sooner by walking the sort order's index
# and checking each row against the set of matches than by sorting the whole set.
MANY_MATCHES = 1_000
SORTS = ("name", "status", "owner", "city", "updated")


@dataclass
class CompanyFilters:
    """What the company list shows: the whole state lives in the URL."""

    q: str = ""
    status: int | None = None
    kind: str = ""
    category: str = ""
    owner: int | None = None
    industry: int | None = None
    options: list[int] = field(default_factory=list)
    # A saved segment's id (the view checks the user may see it) and its definition.
    segment: int | None = None
    segment_definition: str | None = None
    archived: bool = False
    sort: str = "name"
    desc: bool = False
    page: int = 1
    # (q, SearchParts) once a query has worked them out (see _search_parts).
    search_parts: tuple | None = field(default=None, init=False, repr=False, compare=False)

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
            industry=as_int(args.get("industry")),
            options=options,
            segment=as_int(args.get("segment")),
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
            "industry": self.industry,
            "option": list(self.options) or None,
            "segment": self.segment,
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
            self.q
            or self.status
            or self.kind
            or self.category
            or self.owner
            or self.industry
            or self.options
            or self.segment
        )


# Above every character: "prefix" <= value < prefix + TOP is "value starts with prefix"
# in SQLite's binary and PostgreSQL's C collation, and both walk a plain index for it.
TOP = "\U0010ffff"


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# Database URL → whether its default collation orders text by code point ("C", "POSIX").
_code_point_order: dict[str, bool] = {}


def _ranges_are_exact() -> bool:
    """Whether a range on a text column is exactly "starts with": always in SQLite; in
    PostgreSQL only under a code-point collation (asked once per database, on the raw
    connection so that it counts as none of a page's queries)."""
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        return True
    key = str(bind.engine.url)
    if key not in _code_point_order:
        cursor = db.session.connection().connection.cursor()
        cursor.execute("SELECT 'Z' < 'a' AND 'aa' < 'ab'")
        _code_point_order[key] = bool(cursor.fetchone()[0])
        cursor.close()
    return _code_point_order[key]


def starts_with(column, prefix: str):
    """column starts with prefix, as a range on the column's index.

    Under a linguistic PostgreSQL collation the range is not exact: a Danish one sorts
    "aa" as "å", after "z", so "aarhus" is not in the range of "a" and "århus" is in the
    range of "aar" (and others skip punctuation). There a prefix ending in "a" also reads
    the range of its "aa" words, and LIKE, which compares characters as SQLite's ranges
    do, keeps the rows that really start with the prefix.
    """
    condition = and_(column >= prefix, column < prefix + TOP)
    if not prefix or _ranges_are_exact():
        return condition
    if prefix[-1] in "aA":
        aa = prefix + "a"
        condition = or_(condition, and_(column >= aa, column < aa + TOP))
    return and_(condition, column.startswith(prefix, autoescape=True))


def _case_variants(key: str) -> set[str]:
    """How a lower-cased term may be stored in a column that keeps the user's capitals."""
    return {key, key.capitalize(), key.title(), key.upper()}


def contact_conditions(key: str) -> list:
    """A contact matches on the start of "first last email", of the surname or the e-mail."""
    return [
        starts_with(Contact.search_key, key),
        *(starts_with(Contact.last_name, v) for v in sorted(_case_variants(key))),
        starts_with(Contact.email, key),
    ]


# Shorter searches (the first keystrokes) look at company names only.
SHORT_QUERY = 3
# Words inside names are searched from this many letters on: one letter is the start of
# half the words there are, and the whole names starting with it fill any page already.
WORD_QUERY = 2


def contact_match(key: str):
    """The contact search as one condition (for queries that pick contacts, not companies)."""
    return or_(*contact_conditions(key))


def word_ids(key: str):
    """Ids of the companies with a word (after the first) of the name starting with key:
    a range on ix_company_word_suffix, read from the index alone."""
    return select(CompanyWord.company_id).where(starts_with(CompanyWord.suffix, key))


def has_word(key: str):
    """The company has a word (after the first) starting with key: one probe of
    company_word's primary key (company_id, suffix) per company looked at."""
    return exists().where(
        CompanyWord.company_id == Company.id, starts_with(CompanyWord.suffix, key)
    )


# From this many companies with a word of the name starting with the term (5 % at 200,000),
# their set is not gathered: a page walks the name index and probes each company's words,
# which finds a page of such common words at once (ApS, Holding, Søn). Fewer are read from
# the word index and sorted: the walk would be long when they gather far down the alphabet.
COMMON_WORD = 10_000


def common_word(key: str) -> bool:
    """Whether at least COMMON_WORD companies have a word starting with key (counted from
    ix_company_word_suffix alone, up to COMMON_WORD)."""
    found = db.session.scalar(
        select(func.count()).select_from(word_ids(key).limit(COMMON_WORD).subquery())
    )
    return found >= COMMON_WORD


@dataclass
class SearchParts:
    """A search of the company list, in parts that each read their own index."""

    # The name starts with the term: a range on (archived, name_key).
    name: object
    # The other matches as one set of ids (None: there are none to look for): words of the
    # name (unless common), the city, the contacts' names and e-mails, the CVR number.
    others: object | None
    # A common word of the name, as a probe per company (see COMMON_WORD); else None.
    words: object | None = None

    def spread(self, walk: bool) -> list:
        """Conditions: matched otherwise than by the start of the name.

        With a common word the companies are read in some index's order and each is
        probed (its words, and the set of the others, which is kept whole): many match,
        so a count or a page is found after a few thousand rows."""
        if self.words is None:
            return [not_(self.name), _in(self.others, walk)]
        found = [self.words] if self.others is None else [self.words, _in(self.others, True)]
        return [not_(self.name), or_(*found)]


def _search_parts(filters: CompanyFilters) -> SearchParts:
    """The search's parts, worked out once for the list's state."""
    if filters.search_parts is None or filters.search_parts[0] != filters.q:
        filters.search_parts = (filters.q, _build_search_parts(filters.q))
    return filters.search_parts[1]


def _build_search_parts(q: str) -> SearchParts:
    key = name_key_for(q)
    name = starts_with(Company.name_key, key)
    parts, words = [], None
    if len(key) >= WORD_QUERY:
        if common_word(key):
            words = has_word(key)
        else:
            parts.append(word_ids(key))
    if len(key) >= SHORT_QUERY:
        # Shorter ones would match half the contacts: names only, along their indexes.
        parts.append(
            select(Company.id).where(
                or_(*(starts_with(Company.city, v) for v in _case_variants(key)))
            )
        )
        # One part per contact index (not an OR), so each is read from its index alone.
        parts += [
            select(Contact.company_id).where(condition, Contact.archived == false())
            for condition in contact_conditions(key)
        ]
        digits = key.replace(" ", "")
        if digits.isdigit():
            parts.append(select(Company.id).where(starts_with(Company.cvr, digits)))
    return SearchParts(name, union(*parts) if parts else None, words)


def _flag(value: bool):
    return true() if value else false()


def _in(ids, walk: bool):
    """company.id IN (ids). With walk, the query walks the sort order's index and probes
    the set, stopping after a page, instead of fetching and sorting every match: SQLite
    is kept from driving the query from the set by "id + 0 IN"; PostgreSQL, given
    "… OR false", keeps the set as a hashed subplan rather than joining it."""
    if not walk:
        return Company.id.in_(ids)
    if _postgresql():
        return or_(Company.id.in_(ids), literal_column("false"))
    return (Company.id + literal_column("0")).in_(ids)


def _where(filters: CompanyFilters, walk: bool = False, search=None, joined_option=None) -> list:
    """The list's conditions. `search` replaces the search condition (a part of it);
    `walk` writes the id sets so that SQLite walks the sort order (see `_in`);
    `joined_option` is an option the caller joins group_value on instead."""
    where = [Company.archived == _flag(filters.archived)]
    if search is not None:
        where += search
    elif filters.q:
        parts = _search_parts(filters)
        if parts.others is None and parts.words is None:
            where.append(parts.name)
        elif parts.words is None:
            by_name = select(Company.id).where(
                Company.archived == _flag(filters.archived), parts.name
            )
            where.append(_in(union(by_name, *parts.others.selects), walk))
        else:  # a common word: matches are many, found by walking and probing
            found = [parts.name, parts.words]
            if parts.others is not None:
                found.append(_in(parts.others, walk=True))
            where.append(or_(*found))
    if filters.status:
        where.append(Company.status_id == filters.status)
    if filters.kind:
        where.append(Company.status_id.in_(select(Status.id).where(Status.kind == filters.kind)))
    if filters.category:
        where.append(Company.category == filters.category)
    if filters.owner:
        where.append(Company.owner_id == filters.owner)
    if filters.industry:
        # The industry and everything below it: a section holds its divisions, classes, ...
        where.append(Company.industry_id.in_(subtree_ids(filters.industry)))
    for option_id in filters.options:
        if option_id == joined_option:
            continue
        if walk:
            # Probed per walked row along ix_group_value_option_company: no list to build.
            where.append(
                exists().where(
                    GroupValue.option_id == option_id, GroupValue.company_id == Company.id
                )
            )
        else:
            where.append(
                Company.id.in_(
                    select(GroupValue.company_id).where(GroupValue.option_id == option_id)
                )
            )
    if filters.segment and filters.segment_definition is not None:
        # The segment's own clauses also leave out archived companies.
        where += segment_conditions(filters.segment_definition)
    return where


def _sort_columns(filters: CompanyFilters) -> list:
    """What a page is sorted by, along an index; always ending in the id.

    Status and owner sort by their id within the (status|owner, archived, name) indexes:
    each status's or owner's companies together, by name.
    """
    columns = {
        "status": [Company.status_id, Company.name_key],
        "owner": [Company.owner_id, Company.name_key],
        "city": [Company.city],
        "updated": [Company.updated_at],
        "name": [Company.name_key],
    }[filters.sort]
    return [*columns, Company.id]


def _order(filters: CompanyFilters, stmt, along_index: bool = True):
    """The sort order. Without `along_index` each column is written as coalesce(c, c) — the
    same values, NULLs included — which no index serves, so the database sorts the matches
    rather than walking the sort order's index in search of them."""
    columns = _sort_columns(filters)
    if not along_index:
        columns = [func.coalesce(c, c) for c in columns]
    return stmt.order_by(*(c.desc() if filters.desc else c.asc() for c in columns))


def _load(ids) -> list[Company]:
    """The companies of these ids, in this order, with status and owner: one query."""
    loaded = {
        company.id: company
        for company in db.session.scalars(
            select(Company).where(Company.id.in_(ids)).options(joinedload(Company.owner))
        ).unique()
    }
    return [loaded[i] for i in ids if i in loaded]


def _count(filters: CompanyFilters, limit: int, search=None) -> int:
    """How many companies match, counting no further than `limit`.

    With an option filter SQLite counts from that option's rows in group_value (one per
    company) and stops after `limit`, instead of first gathering every company that has it;
    PostgreSQL counts the "IN" form as a merge join along both primary keys (the join form
    makes it hash the option's rows and scan the company table).
    """
    if filters.options and not _postgresql():
        first = filters.options[0]
        capped = (
            select(literal_column("1"))
            .select_from(GroupValue)
            .join(Company, Company.id == GroupValue.company_id)
            .where(
                GroupValue.option_id == first,
                *_where(filters, search=search, joined_option=first),
            )
        )
    else:
        capped = (
            select(literal_column("1")).select_from(Company).where(*_where(filters, search=search))
        )
    return db.session.scalar(select(func.count()).select_from(capped.limit(limit).subquery()))


def _page_ids(
    filters: CompanyFilters, where, start: int, size: int, along_index: bool = True
) -> list[int]:
    return db.session.scalars(
        _order(filters, select(Company.id).where(*where), along_index).limit(size).offset(start)
    ).all()


def _split_search_page(filters: CompanyFilters, limit: int, start: int):
    """A search sorted by name, as two disjoint halves merged.

    Name matches sit together in name order: they are read straight from their range of
    the name index. The other matches (words inside names, cities, contacts, CVR numbers)
    are spread over the alphabet: with many of them, walking the name index finds a page
    at once; with few, sorting them is cheap. The database merges the two (in its own collation).
    Returns (ids, number of matches up to `limit`)."""
    parts = _search_parts(filters)
    named = _count(filters, limit, search=[parts.name])
    spread = _count(filters, limit, search=parts.spread(walk=False))
    walk = spread >= MANY_MATCHES
    need = start + PAGE_SIZE
    halves = [
        _order(filters, select(Company.name_key, Company.id).where(*where)).limit(need).subquery()
        for where in (
            _where(filters, walk=True, search=[parts.name]),
            _where(filters, walk=walk, search=parts.spread(walk)),
        )
    ]
    merged = union_all(*(select(half.c.name_key, half.c.id) for half in halves)).subquery()
    columns = (merged.c.name_key, merged.c.id)
    ids = db.session.scalars(
        select(merged.c.id)
        .order_by(*(c.desc() if filters.desc else c.asc() for c in columns))
        .limit(PAGE_SIZE)
        .offset(start)
    ).all()
    return ids, named + spread


def company_page(filters: CompanyFilters):
    """One page of companies, the number of matches (capped) and whether there are more.

    The count stops at COUNT_CAP, or at NARROWED_COUNT_CAP for a searched or filtered
    list (further on a later page, so the last page knows it is the last). The page walks
    the sort order's index: a plain list stops after a page; a filtered list with few
    matches sorts them; with many it walks the index and probes the set of
    matches (`_in`; an option filter only on SQLite), and a search sorted by name reads
    its name matches apart (`_split_search_page`).
    """
    start = (filters.page - 1) * PAGE_SIZE
    cap = max(NARROWED_COUNT_CAP if filters.narrowed else COUNT_CAP, start + PAGE_SIZE)
    sqlite = not _postgresql()
    name_search = (
        filters.q and filters.sort == "name" and len(name_key_for(filters.q)) >= WORD_QUERY
    )
    if name_search:
        ids, total = _split_search_page(filters, cap + 1, start)
    else:
        total = _count(filters, cap + 1)
        walk = sqlite and total >= MANY_MATCHES and bool(filters.q or filters.options)
        # Few matches of a filtered list are sorted: SQLite's planner, with averages and no
        # histograms, may otherwise walk the whole sort index looking for them (a segment of
        # one city with no companies: 200 ms instead of 2).
        few = sqlite and filters.narrowed and total < MANY_MATCHES
        ids = _page_ids(filters, _where(filters, walk=walk), start, PAGE_SIZE, not few)
    return _load(ids), min(total, cap), total > cap


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


def _first_hits(statements, limit: int) -> list:
    """Rows from each statement in turn, each along its own index, until there are enough.

    A statement may be a function that returns one: it is built only when its turn comes."""
    hits, seen = [], set()
    for stmt in statements:
        if callable(stmt):
            stmt = stmt()
        for row in db.session.execute(stmt.limit(limit)):
            if row[0].id not in seen:
                seen.add(row[0].id)
                hits.append(row)
        if len(hits) >= limit:
            break
    return hits[:limit]


def _word_hits(key: str, live, whole_name):
    """Companies with a word of the name (not the first) starting with key, by name.

    A common word (see COMMON_WORD) walks the name index and probes each company's words
    until a page is found; a rarer one reads its companies from the word index and sorts
    them: either way a few milliseconds at 200,000 companies."""
    if common_word(key):
        found = has_word(key)
    elif _postgresql():
        # As an IN, PostgreSQL too would walk the name index and probe; an array of the ids
        # makes it fetch them by primary key and sort them.
        ids = select(func.array_agg(CompanyWord.company_id)).where(
            starts_with(CompanyWord.suffix, key)
        )
        found = Company.id == any_(cast(ids.scalar_subquery(), ARRAY(Integer)))
    else:
        found = Company.id.in_(word_ids(key))
    return select(Company).where(live, not_(whole_name), found).order_by(Company.name_key)


def company_hits(q: str, limit: int = 6) -> list[Company]:
    """Companies for the header search and the deal form's company picker: those whose
    name starts with q first, then those with a word of the name starting with q (each by
    name), then by CVR number and by city."""
    key = name_key_for(q)
    if not key:
        return []
    live = Company.archived == false()
    whole_name = starts_with(Company.name_key, key)
    statements = [select(Company).where(live, whole_name).order_by(Company.name_key)]
    if len(key) >= WORD_QUERY:
        statements.append(lambda: _word_hits(key, live, whole_name))
    digits = key.replace(" ", "")
    if digits.isdigit():
        statements.append(
            select(Company).where(live, starts_with(Company.cvr, digits)).order_by(Company.cvr)
        )
    for variant in sorted(_case_variants(key)):
        statements.append(
            select(Company).where(live, starts_with(Company.city, variant)).order_by(Company.city)
        )
    return [row[0] for row in _first_hits(statements, limit)]


# Deals closed this recently still show in the header search, after the open ones: those
# closed in the last RECENT_DEAL_DAYS, at most the latest RECENT_DEAL_ROWS won and as many
# lost (a few days' worth at 100,000 deals), so a term that matches none costs the same.
RECENT_DEAL_DAYS = 90
RECENT_DEAL_ROWS = 500


@dataclass
class DealHit:
    id: int
    title: str
    value: Decimal
    currency: str
    outcome: str
    closed_at: date | None
    stage_name: str
    stage_colour: str
    company_name: str


def _like_escape(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def title_match(key: str):
    """The deal's title, or a word of it, starts with key (a lower-cased search term).

    The title with a space before it and its hyphens as spaces is compared with
    "% key%": SQLite's LIKE ignores the case of A–Z only, so a term with other letters
    (æ, ø, å) is also compared in its usual capitalisations; PostgreSQL's ILIKE ignores
    any case."""
    spaced = literal(" ", String).concat(func.replace(Deal.title, "-", " ", type_=String))
    key = key.replace("-", " ")
    if _postgresql():
        return spaced.ilike(f"% {_like_escape(key)}%", escape="/")
    variants = {key} if key.isascii() else _case_variants(key)
    return or_(*(spaced.like(f"% {_like_escape(v)}%", escape="/") for v in sorted(variants)))


def deal_hits(q: str, limit: int = 5) -> list[DealHit]:
    """Open deals whose title (or a word of it) starts with q, by title and company, then
    the recently closed ones (see RECENT_DEAL_DAYS), latest first: two queries at most.

    Titles are compared as the deals are read: the open ones along an index on the
    outcome (a few thousand at most, the board's), the closed ones newest first along
    ix_deal_outcome_closed, RECENT_DEAL_ROWS of each outcome at most."""
    key = name_key_for(q)
    if not key:
        return []
    base = (
        select(
            Deal.id,
            Deal.title,
            Deal.value,
            Deal.currency,
            Deal.outcome,
            Deal.closed_at,
            Stage.name,
            Stage.colour,
            Company.name,
        )
        .join(Company, Company.id == Deal.company_id)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(title_match(key), Company.archived == false())
    )
    since = (utcnow() - timedelta(days=RECENT_DEAL_DAYS)).date()
    latest = [
        select(Deal.id)
        .where(Deal.outcome == outcome, Deal.closed_at >= since)
        .order_by(Deal.closed_at.desc())  # along the index: no sort of a busy day's deals
        .limit(RECENT_DEAL_ROWS)
        .subquery()
        for outcome in ("won", "lost")
    ]
    recent = union_all(*(select(part.c.id) for part in latest))
    statements = [
        base.where(Deal.outcome == "open").order_by(Deal.title, Company.name_key, Deal.id),
        base.where(Deal.id.in_(recent)).order_by(Deal.closed_at.desc(), Deal.id.desc()),
    ]
    hits = []
    for stmt in statements:
        hits += [DealHit(*row) for row in db.session.execute(stmt.limit(limit - len(hits)))]
        if len(hits) >= limit:
            break
    return hits


def top_hits(q: str, limit: int = 6):
    """Companies (by name, a word of the name, CVR or city), contacts and deals for the
    header search.

    Each kind of match is its own short walk along an index, names first, so a common
    term and a rare one cost the same few milliseconds.
    """
    key = name_key_for(q)
    if not key:
        return [], [], []
    companies = company_hits(key, limit)
    live = Company.archived == false()

    def people(condition, column):
        return (
            select(Contact, Company.name)
            .join(Company, Company.id == Contact.company_id)
            .where(condition, Contact.archived == false(), live)
            .order_by(column)
        )

    contact_queries = [people(starts_with(Contact.search_key, key), Contact.search_key)]
    contact_queries += [
        people(starts_with(Contact.last_name, v), Contact.last_name)
        for v in sorted(_case_variants(key))
    ]
    contact_queries.append(people(starts_with(Contact.email, key), Contact.email))
    contacts = [tuple(row) for row in _first_hits(contact_queries, limit)]
    return companies, contacts, deal_hits(key)


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
