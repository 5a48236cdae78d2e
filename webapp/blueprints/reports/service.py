"""Service and data-quality reports: customer satisfaction (80) and data quality per owner (130).

Satisfaction
    The scale is the options of the group with the key ``satisfaction``, in their order: the
    first option scores 1, the next 2 … (the default scale 1 Very unhappy … 5 Very happy).
    Unhappy is the lower half of the scale (1–2 of 5), happy the upper half (4–5 of 5).
    "Rated" companies are the active (not archived) cards that have a satisfaction option
    chosen now. The trend reads the history: every change of the satisfaction group is a
    Change row (field ``group:<id>``, ``new`` the chosen option's label, or empty when the
    rating was removed); a rating stands from its change until the company's next one.

Data quality (as of today; the period does not apply)
    cards      active cards, counted for their owner
    missing    cards whose status kind needs a required group that has no option chosen
    quiet      cards in the sales process or customers (status kind prospect or customer)
               with no activity dated in the last 180 days
    debt       meetings in the past without minutes, counted for their author (as on the
               author's home page)
    duplicate  cards sharing their CVR number, website domain or name (ignoring case and
               spacing) with another active card
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, format_number, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    and_,
    any_,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from webapp.blueprints.reports.base import (
    Chart,
    Column,
    Drill,
    KeyFigure,
    Report,
    ReportFilters,
    ReportSpec,
    Row,
    Series,
    Table,
    company_conditions,
    on_postgresql,
    ratio,
    register,
)
from webapp.extensions import db
from webapp.indexed import along_index
from webapp.models.activity import Activity
from webapp.models.audit import Change
from webapp.models.customer import Company, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.marketing import Industry
from webapp.models.user import User, utcnow
from webapp.services.groups import REQUIRED_KINDS

SATISFACTION_KEY = "satisfaction"
QUIET_DAYS = 180
# Status kinds whose cards should see activity: in the sales process, or customers.
WORKING_KINDS = ("prospect", "customer")
NONE = "none"
# The satisfaction values: an alias, so the lead-source filter's own EXISTS over group values
# still correlates to the company alone.
Rating = aliased(GroupValue, name="rating")


# Read along a named index on SQLite (webapp/indexed.py):
# - "history": the group values' history with the columns the trend reads (company, new and
#   old label), for group changes only. Otherwise ix_change_field_at, and every history row
#   read from the table: a third of the trend's time at full scale. A statement on it must
#   state the index's own condition, GROUP_CHANGES.
# - "chosen": whether a card has a value in a group, probed card by card in id order: along
#   (company, group) the probes move forward through one part of the index; along
#   ix_group_value_group_company, which the statistics favour, data quality's scan of every
#   card takes ~15% longer.
Chosen = along_index(GroupValue.__table__, "chosen", "ix_group_value_company_group")


def _split_key(key: str) -> tuple[str, str | None, str | None]:
    """ "what:dim=value" → (what, dim, value); "what" → (what, None, None)."""
    what, _sep, rest = (key or "").partition(":")
    dim, _eq, value = rest.partition("=")
    return what, (dim or None), (value if rest else None)


def _with_dim(what: str, dim: str | None = None, value=None) -> str:
    return what if dim is None else f"{what}:{dim}={value if value is not None else NONE}"


def _active_company(filters: ReportFilters) -> list:
    return [Company.archived.is_(False), *company_conditions(filters)]


def _is_danish() -> bool:
    return str(get_locale() or "en").startswith("da")


def _country_name(code: str | None) -> str:
    if not code:
        return _("No country")
    locale = get_locale()
    name = locale.territories.get(code.upper()) if locale is not None else None
    return name or code


def _section_labels() -> dict[str, str]:
    """The NACE sections' titles in the user's language, by letter: one small query."""
    danish = _is_danish()
    rows = db.session.execute(
        select(Industry.section, Industry.title_en, Industry.title_da).where(Industry.level == 0)
    )
    return {
        section: f"{section} · {(title_da if danish else title_en) or title_en or ''}".rstrip(" ·")
        for section, title_en, title_da in rows
    }


def _category_label(category: str | None) -> str:
    return _("Category %(category)s", category=category) if category else _("No category")


# =========================================================================================
# Satisfaction


@dataclass
class Scale:
    """The satisfaction group's options in order; rank 1 is the first (lowest) option."""

    group_id: int
    group_name: str
    options: list[tuple[int, str, bool]]  # (id, label, active), in scale order
    rank_by_label: dict[str, int]  # current labels and labels an option had before

    @property
    def size(self) -> int:
        return len(self.options)

    @property
    def rank_by_id(self) -> dict[int, int]:
        return {option_id: n for n, (option_id, _label, _active) in enumerate(self.options, 1)}

    @property
    def low_ranks(self) -> range:
        """Unhappy: the lower half of the scale (1–2 of 5, 1 of 3)."""
        return range(1, self.size // 2 + 1)

    @property
    def high_ranks(self) -> range:
        """Happy: the upper half of the scale (4–5 of 5, 3 of 3)."""
        return range(self.size - self.size // 2 + 1, self.size + 1)

    def option_rank(self, column):
        """SQL: the rank of the option id in column (NULL for an option not on the scale)."""
        return case(self.rank_by_id, value=column, else_=None)

    def label_rank(self, column):
        """SQL: the rank of the option label in column (history stores labels)."""
        if not self.rank_by_label:
            return literal_column("NULL")
        return case(self.rank_by_label, value=column, else_=None)

    def ranks_label(self, ranks: range) -> str:
        if not ranks:
            return ""
        return f"{ranks[0]}–{ranks[-1]}" if len(ranks) > 1 else str(ranks[0])


def satisfaction_scale() -> Scale | None:
    """The scale, with every label its options have had (renames are in the history): 3 queries."""
    group = db.session.scalar(
        select(Group).where(Group.key == SATISFACTION_KEY, Group.applies_to == "company")
    )
    if group is None:
        return None
    options = db.session.execute(
        select(GroupOption.id, GroupOption.label, GroupOption.active)
        .where(GroupOption.group_id == group.id)
        .order_by(GroupOption.position, GroupOption.id)
    ).all()
    rank_of = {option_id: n for n, (option_id, _label, _active) in enumerate(options, 1)}
    by_label = {label: rank_of[option_id] for option_id, label, _active in options}
    if options:
        renamed = db.session.execute(
            select(Change.entity_id, Change.old)
            .where(
                Change.entity == "group_option",
                Change.field == "label",
                Change.entity_id.in_(list(rank_of)),
                Change.old.is_not(None),
            )
            .order_by(Change.changed_at.desc(), Change.id.desc())
        )
        for option_id, old in renamed:
            by_label.setdefault(old, rank_of[option_id])  # a current label always wins
    return Scale(group.id, group.name, [tuple(o) for o in options], by_label)


@dataclass
class Bucket:
    start: date  # first day counted
    end: date  # first day after
    label: str

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time.min)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def trend_buckets(filters: ReportFilters) -> list[Bucket]:
    """The period cut in months (up to 24 of them), else quarters (up to 96 months), else years."""
    first = filters.start.replace(day=1)
    months = (filters.end.year - first.year) * 12 + filters.end.month - first.month + 1
    if months <= 24:
        step = 1
    elif months <= 96:
        step = 3
        first = first.replace(month=(first.month - 1) // 3 * 3 + 1)
    else:
        step = 12
        first = first.replace(month=1)
    last_day = filters.end + timedelta(days=1)
    buckets = []
    cursor = first
    while cursor < last_day:
        following = _add_months(cursor, step)
        if step == 1:
            label = format_date(cursor, "MMM yyyy")
        elif step == 3:
            label = _(
                "Q%(quarter)d %(year)d", quarter=(cursor.month - 1) // 3 + 1, year=cursor.year
            )
        else:
            label = str(cursor.year)
        buckets.append(Bucket(max(cursor, filters.start), min(following, last_day), label))
        cursor = following
    return buckets


def _bucket_for(filters: ReportFilters, value: str | None) -> Bucket | None:
    for bucket in trend_buckets(filters):
        if bucket.start.isoformat() == value:
            return bucket
    return None


History = along_index(Change.__table__, "history", "ix_change_group_history")
# The partial index's condition, word for word as the index states it.
GROUP_CHANGES = History.c.field.like(literal_column("'group:%'"))


def _changes(scale: Scale, filters: ReportFilters, *conditions):
    """Subquery: the satisfaction changes on matching cards, each with the rank it set and the
    rank it replaced (NULL for none) — the history row holds both labels. ``conditions`` are
    on History (the change table).

    A rating stands from its change until the card's next change, so the ratings standing at
    a moment add up from the changes before it: each adds its new rank and takes away the
    old one. That needs no ordering of the changes, only sums.
    """
    stmt = select(
        History.c.company_id.label("company_id"),
        History.c.changed_at.label("at"),
        scale.label_rank(History.c.new).label("new_rank"),
        scale.label_rank(History.c.old).label("old_rank"),
    ).where(
        History.c.field == f"group:{scale.group_id}",
        GROUP_CHANGES,
        History.c.company_id.is_not(None),
        *conditions,
    )
    return _on_cards(stmt, History.c.company_id, filters).subquery("changes")


def _on_cards(stmt, company_id, filters: ReportFilters):
    """Keep the rows of active cards that match the filters. Without a company filter the few
    archived cards are left out by their ids, so no card has to be read."""
    narrowing = company_conditions(filters)
    if narrowing:
        return stmt.join(Company, Company.id == company_id).where(
            Company.archived.is_(False), *narrowing
        )
    archived = select(Company.id).where(Company.archived.is_(True))
    return stmt.where(company_id.not_in(archived))


def _net(changes):
    """SQL: (change in the sum of ranks, change in the number of ratings) a change makes."""
    rank = func.coalesce(changes.c.new_rank, 0) - func.coalesce(changes.c.old_rank, 0)
    rated = case((changes.c.new_rank.is_not(None), 1), else_=0) - case(
        (changes.c.old_rank.is_not(None), 1), else_=0
    )
    return rank, rated


def _bucket_index(column, filters: ReportFilters, buckets: list[Bucket]):
    """SQL: -1 before the period, n inside bucket n, len(buckets) after it.

    A binary search over the buckets' boundaries written as nested CASEs: about four
    comparisons a row rather than one per bucket.
    """
    bounds = [filters.start_at] + [bucket.end_at for bucket in buckets]

    def index(lo: int, hi: int):
        # The value is at or after bounds[lo - 1] and before bounds[hi]: the answer is lo - 1
        # plus how many of bounds[lo:hi] it has reached.
        if hi == lo:
            return literal_column(str(lo - 1))
        if hi - lo == 1:
            return case(
                (column < bounds[lo], literal_column(str(lo - 1))), else_=literal_column(str(lo))
            )
        mid = (lo + hi) // 2
        return case((column < bounds[mid], index(lo, mid)), else_=index(mid + 1, hi))

    return index(0, len(bounds))


def _trend_figures(scale: Scale, filters: ReportFilters, buckets: list[Bucket]) -> dict:
    """The trend in two queries over the history.

    Per bucket: the rated companies at its end and the sum of their ranks (the changes before
    the period, then each bucket's, added up in order), and the companies rated in it. Over
    the period: the companies whose rating at its end is higher or lower than at its start —
    rated at both moments, their net change in rank is up or down.
    """
    changes = _changes(scale, filters, History.c.changed_at < filters.end_before)
    net_rank, net_rated = _net(changes)
    per_bucket = select(
        _bucket_index(changes.c.at, filters, buckets).label("bucket"),
        net_rank.label("net_rank"),
        net_rated.label("net_rated"),
        # Companies rated in a bucket; none needed for the changes before the period.
        case(
            (
                and_(changes.c.new_rank.is_not(None), changes.c.at >= filters.start_at),
                changes.c.company_id,
            )
        ).label("rated_id"),
    ).subquery("per_bucket")
    rows = db.session.execute(
        select(
            per_bucket.c.bucket,
            func.sum(per_bucket.c.net_rank),
            func.sum(per_bucket.c.net_rated),
            func.count(per_bucket.c.rated_id.distinct()),
        ).group_by(per_bucket.c.bucket)
    ).all()
    by_bucket = {bucket: (rank, rated, rated_in) for bucket, rank, rated, rated_in in rows}
    rank_sums, rated, rated_in = [], [], []
    running_rank, running_rated, _ = by_bucket.get(-1, (0, 0, 0))
    for n in range(len(buckets)):
        rank, count, companies = by_bucket.get(n, (0, 0, 0))
        running_rank += rank or 0
        running_rated += count or 0
        rank_sums.append(running_rank)
        rated.append(running_rated)
        rated_in.append(companies)
    per_company = _net_per_company(scale, filters)
    improved, worsened = db.session.execute(
        select(
            func.coalesce(func.sum(case((_moved(per_company, "up"), 1), else_=0)), 0),
            func.coalesce(func.sum(case((_moved(per_company, "down"), 1), else_=0)), 0),
        )
    ).one()
    return {
        "rated": rated,
        "rank_sums": rank_sums,
        "rated_in": rated_in,
        "improved": improved,
        "worsened": worsened,
    }


def _net_per_company(scale: Scale, filters: ReportFilters, *conditions):
    """Subquery per company changed in the period: its net change in rank and in ratings."""
    changes = _changes(
        scale,
        filters,
        History.c.changed_at >= filters.start_at,
        History.c.changed_at < filters.end_before,
        *conditions,
    )
    net_rank, net_rated = _net(changes)
    return (
        select(
            changes.c.company_id,
            func.sum(net_rank).label("net_rank"),
            func.sum(net_rated).label("net_rated"),
        )
        .group_by(changes.c.company_id)
        .subquery("per_company")
    )


def _moved(per_company, direction: str):
    """Rated at the start and at the end of the period (no rating gained or lost on the
    whole), and the rank rose or fell."""
    net_rank = per_company.c.net_rank
    return and_(per_company.c.net_rated == 0, net_rank > 0 if direction == "up" else net_rank < 0)


def _rating_values(scale: Scale):
    """Condition on Rating: a value of the satisfaction group. Written as its options, so the
    values are found along the (option, company) index without reading their rows."""
    return Rating.option_id.in_([option_id for option_id, _label, _active in scale.options])


def _current_ratings(scale: Scale, filters: ReportFilters):
    """(option id, country, section, category, companies) of the ratings on the cards now.

    Counted per industry first, so each rated card is read once and only the few hundred
    (industry, …) combinations look up their industry's section.
    """
    rated = (
        select(
            Company.industry_id.label("industry_id"),
            Rating.option_id.label("option_id"),
            Company.category.label("category"),
            Company.country.label("country"),
        )
        .join(Company, Company.id == Rating.company_id)
        .where(_rating_values(scale), *_active_company(filters))
    )
    if on_postgresql():
        # In id order (OFFSET 0 keeps the order), so PostgreSQL merges the sorted ratings
        # with the cards read along ix_company_rating instead of hashing the ratings and
        # reading every card's row: ~125 → ~60 ms at full scale. SQLite looks each rated
        # card up by id either way (the subquery is merged into the statement).
        rated = rated.order_by(Company.id).offset(0)
    rated = rated.subquery("rated")
    per_industry = (
        select(
            rated.c.industry_id,
            rated.c.option_id,
            rated.c.category,
            rated.c.country,
            func.count().label("companies"),
        )
        .group_by(rated.c.industry_id, rated.c.option_id, rated.c.category, rated.c.country)
        .subquery("per_industry")
    )
    return db.session.execute(
        select(
            per_industry.c.option_id,
            per_industry.c.country,
            Industry.section,
            per_industry.c.category,
            cast(func.sum(per_industry.c.companies), Integer),
        )
        .outerjoin(Industry, Industry.id == per_industry.c.industry_id)
        .group_by(
            per_industry.c.option_id,
            per_industry.c.country,
            Industry.section,
            per_industry.c.category,
        )
    ).all()


@dataclass
class _Tally:
    """Counts of rated companies, the sum of their ranks, and the happy and unhappy ones."""

    rated: int = 0
    rank_sum: int = 0
    happy: int = 0
    unhappy: int = 0

    def add(self, rank: int, count: int, scale: Scale) -> None:
        self.rated += count
        self.rank_sum += rank * count
        if rank in scale.high_ranks:
            self.happy += count
        if rank in scale.low_ranks:
            self.unhappy += count

    @property
    def average(self) -> float | None:
        return ratio(self.rank_sum, self.rated)


def _breakdown_table(title, heading, tallies: dict, labels: dict, dim: str, scale: Scale, empty):
    """Rated, average, happy and unhappy per key; ``tallies`` in the order to show them."""
    rows = [
        Row(
            label=labels[key],
            values={
                "label": labels[key],
                "rated": tally.rated,
                "average": tally.average,
                "happy": ratio(tally.happy, tally.rated),
                "unhappy": ratio(tally.unhappy, tally.rated),
            },
            drill={
                column: _with_dim("rated", dim, key)
                for column in ("label", "rated", "average", "happy", "unhappy")
            },
        )
        for key, tally in tallies.items()
    ]
    return Table(
        title=title,
        columns=[
            Column("label", heading),
            Column("rated", _("Rated companies"), "count"),
            Column("average", _("Average rating"), "rating"),
            Column(
                "happy",
                _("Happy (%(ranks)s)", ranks=scale.ranks_label(scale.high_ranks)),
                "percent",
            ),
            Column(
                "unhappy",
                _("Unhappy (%(ranks)s)", ranks=scale.ranks_label(scale.low_ranks)),
                "percent",
            ),
        ],
        rows=rows,
        empty=empty,
    )


def build_satisfaction(filters: ReportFilters) -> Report:
    scale = satisfaction_scale()
    if scale is None or not scale.options:
        return Report(
            tables=[Table(columns=[Column("label", _("Rating"))], rows=[], empty=_no_scale())],
            notes=[_no_scale()],
        )
    rank_by_id = scale.rank_by_id
    no_ratings = _("No company has a satisfaction rating yet.")

    # --- The ratings on the cards now: distribution and breakdowns (one query).
    overall = _Tally()
    per_option: dict[int, int] = {}
    by_country: dict[str, _Tally] = {}
    by_section: dict[str, _Tally] = {}
    by_category: dict[str, _Tally] = {}
    for option_id, country, section, category, count in _current_ratings(scale, filters):
        rank = rank_by_id[option_id]
        per_option[option_id] = per_option.get(option_id, 0) + count
        overall.add(rank, count, scale)
        by_country.setdefault(country or NONE, _Tally()).add(rank, count, scale)
        by_section.setdefault(section or NONE, _Tally()).add(rank, count, scale)
        by_category.setdefault(category or NONE, _Tally()).add(rank, count, scale)

    distribution_rows = []
    if overall.rated:
        for option_id, label, active in scale.options:
            count = per_option.get(option_id, 0)
            if not active and not count:
                continue
            shown = label if active else _("%(label)s (retired)", label=label)
            key = f"option-{option_id}"
            distribution_rows.append(
                Row(
                    label=shown,
                    values={
                        "label": shown,
                        "companies": count,
                        "share": ratio(count, overall.rated),
                    },
                    drill={"label": key, "companies": key, "share": "rated"},
                )
            )
    distribution = Table(
        title=_("Ratings on the cards now"),
        columns=[
            Column("label", _("Rating")),
            Column("companies", _("Companies"), "count"),
            Column("share", _("Share"), "percent"),
        ],
        rows=distribution_rows,
        total=Row(
            label=_("All rated companies"),
            values={
                "label": _("All rated companies"),
                "companies": overall.rated,
                "share": 1.0 if overall.rated else None,
            },
            drill={"companies": "rated", "share": "rated"},
        )
        if overall.rated
        else None,
        empty=no_ratings,
    )

    # --- The trend from the history (one query).
    buckets = trend_buckets(filters)
    trend_figures = _trend_figures(scale, filters, buckets)
    trend_rows = []
    averages = []
    for n, bucket in enumerate(buckets):
        rated = trend_figures["rated"][n]
        average = ratio(trend_figures["rank_sums"][n], rated)
        averages.append(average)
        month_key = f"month:start={bucket.start.isoformat()}"
        set_key = f"set:start={bucket.start.isoformat()}"
        trend_rows.append(
            Row(
                label=bucket.label,
                values={
                    "label": bucket.label,
                    "rated": rated,
                    "average": average,
                    "rated_in": trend_figures["rated_in"][n],
                },
                drill={"rated": month_key, "average": month_key, "rated_in": set_key},
            )
        )
    n_improved, n_worsened = trend_figures["improved"], trend_figures["worsened"]
    rated_at_end = trend_figures["rated"][-1] if buckets else 0
    has_history = any(row.values["rated"] or row.values["rated_in"] for row in trend_rows)
    trend = Table(
        title=_("Trend from the history"),
        columns=[
            Column("label", _("Period")),
            Column("rated", _("Rated companies at the end"), "count"),
            Column("average", _("Average rating"), "rating"),
            Column("rated_in", _("Companies rated in it"), "count"),
        ],
        rows=trend_rows if has_history else [],
        empty=_("The history holds no satisfaction ratings for this period."),
    )

    def biggest_first(tallies, labels):
        return dict(sorted(tallies.items(), key=lambda item: (-item[1].rated, labels[item[0]])))

    country_labels = {key: _country_name(None if key == NONE else key) for key in by_country}
    sections = _section_labels()
    section_labels = {key: sections.get(key, key) for key in by_section}
    section_labels[NONE] = _("No industry")
    tables = [
        distribution,
        trend,
        _breakdown_table(
            _("By country"),
            _("Country"),
            biggest_first(by_country, country_labels),
            country_labels,
            "country",
            scale,
            no_ratings,
        ),
        _breakdown_table(
            _("By industry (NACE section)"),
            _("Industry"),
            biggest_first(by_section, section_labels),
            section_labels,
            "section",
            scale,
            no_ratings,
        ),
        _breakdown_table(
            _("By category"),
            _("Category"),
            {key: by_category[key] for key in ("A", "B", "C", NONE) if key in by_category},
            {key: _category_label(None if key == NONE else key) for key in by_category},
            "category",
            scale,
            no_ratings,
        ),
    ]

    scale_text = _("on a scale of 1–%(size)d", size=scale.size)
    key_figures = [
        KeyFigure(_("Rated companies"), overall.rated, "count", "rated", _("active cards")),
        KeyFigure(_("Average rating"), overall.average, "rating", "rated", scale_text),
        KeyFigure(
            _("Happy"),
            ratio(overall.happy, overall.rated),
            "percent",
            "rated",
            _("rated %(ranks)s", ranks=scale.ranks_label(scale.high_ranks)),
        ),
        KeyFigure(
            _("Unhappy companies"),
            overall.unhappy,
            "count",
            "unhappy",
            _("rated %(ranks)s", ranks=scale.ranks_label(scale.low_ranks)),
        ),
        KeyFigure(_("Improved in the period"), n_improved, "count", "improved", _("rating rose")),
        KeyFigure(_("Worsened in the period"), n_worsened, "count", "worsened", _("rating fell")),
    ]
    charts = []
    if overall.rated:
        charts.append(
            Chart(
                kind="bar",
                labels=[row.label for row in distribution_rows],
                series=[
                    Series(_("Companies"), [row.values["companies"] for row in distribution_rows])
                ],
                title=_("Ratings on the cards now"),
            )
        )
    if has_history:
        charts.append(
            Chart(
                kind="line",
                labels=[bucket.label for bucket in buckets],
                series=[Series(_("Average rating"), averages)],
                value_kind="rating",
                title=_("Average rating over time"),
            )
        )
    notes = []
    if filters.end >= utcnow().date() and rated_at_end != overall.rated:
        notes.append(
            _(
                "%(cards)d companies are rated on their cards, but the history says "
                "%(history)d: ratings set without a history row (e.g. imported) are not in "
                "the trend.",
                cards=overall.rated,
                history=rated_at_end,
            )
        )
    return Report(key_figures=key_figures, tables=tables, charts=charts, notes=notes)


def _no_scale() -> str:
    return _(
        "No company group has the key “satisfaction”: give the satisfaction scale that key "
        "under Administration → Groups."
    )


def _rated_ids(scale: Scale, filters: ReportFilters, *conditions):
    return (
        select(Rating.company_id)
        .join(Company, Company.id == Rating.company_id)
        .where(_rating_values(scale), *_active_company(filters), *conditions)
    )


def _dimension_condition(dim: str | None, value: str | None):
    """A condition on Company for a breakdown row's key, or False for an unknown dimension."""
    if dim is None:
        return None
    if dim == "country":
        return Company.country.is_(None) if value == NONE else Company.country == value
    if dim == "category":
        return Company.category.is_(None) if value == NONE else Company.category == value
    if dim == "section":
        if value == NONE:
            return Company.industry_id.is_(None)
        return Company.industry_id.in_(select(Industry.id).where(Industry.section == value))
    return false()


def drill_satisfaction(filters: ReportFilters, key: str) -> Drill | None:
    scale = satisfaction_scale()
    if scale is None:
        return None
    what, dim, value = _split_key(key)
    condition = _dimension_condition(dim, value)
    extra = [condition] if condition is not None else []
    if what in ("month", "set", "improved", "worsened"):
        extra = []
    if what == "rated":
        return Drill("companies", _("Rated companies"), _rated_ids(scale, filters, *extra))
    if what.startswith("option-") and what[7:].isdigit():
        option_id = int(what[7:])
        label = next((lbl for oid, lbl, _a in scale.options if oid == option_id), None)
        if label is None:
            return None
        return Drill(
            "companies",
            _("Companies rated %(rating)s", rating=label),
            _rated_ids(scale, filters, Rating.option_id == option_id, *extra),
        )
    if what in ("happy", "unhappy"):
        ranks = scale.high_ranks if what == "happy" else scale.low_ranks
        ids = [oid for oid, rank in scale.rank_by_id.items() if rank in ranks]
        title = _("Happy companies") if what == "happy" else _("Unhappy companies")
        return Drill(
            "companies", title, _rated_ids(scale, filters, Rating.option_id.in_(ids), *extra)
        )
    if what in ("month", "set"):
        bucket = _bucket_for(filters, value) if dim == "start" else None
        if bucket is None:
            return None
        if what == "month":
            # Rated at the bucket's end: the changes before it leave the company one rating.
            changes = _changes(scale, filters, History.c.changed_at < bucket.end_at)
            _net_rank, net_rated = _net(changes)
            stmt = (
                select(changes.c.company_id)
                .group_by(changes.c.company_id)
                .having(func.sum(net_rated) > 0)
            )
            title = _("Companies rated at the end of %(period)s", period=bucket.label)
        else:
            changes = _changes(
                scale,
                filters,
                History.c.changed_at >= bucket.start_at,
                History.c.changed_at < bucket.end_at,
            )
            stmt = select(changes.c.company_id).where(changes.c.new_rank.is_not(None)).distinct()
            title = _("Companies rated in %(period)s", period=bucket.label)
        return Drill("companies", title, stmt)
    if what in ("improved", "worsened"):
        per_company = _net_per_company(scale, filters)
        if what == "improved":
            title = _("Companies whose rating rose in the period")
            condition = _moved(per_company, "up")
        else:
            title = _("Companies whose rating fell in the period")
            condition = _moved(per_company, "down")
        return Drill("companies", title, select(per_company.c.company_id).where(condition))
    return None


# =========================================================================================
# Data quality per owner


@dataclass
class QualityRules:
    required: list[tuple[Group, list[int]]]  # each required group and the status ids needing it
    working_status_ids: list[int]  # statuses of kind prospect or customer

    def problems(self, since: datetime, chosen: list | None = None):
        """SQL on Company: the card's problems as bits — 1 when it is quiet, 2 << n when its
        status needs the n-th required group and the group has no option chosen; 0 for a card
        in order (leaving likely duplicates aside). Each group is probed at most once a card,
        and only when the card's status needs it; or, given ``chosen`` (see chosen_joins),
        read from the n-th joined column."""
        quiet = case((_quiet(self, since), 1), else_=0)
        return sum(
            (
                case(
                    (
                        _missing(group, ids)
                        if chosen is None
                        else and_(Company.status_id.in_(ids), chosen[n].is_(None)),
                        2 << n,
                    ),
                    else_=0,
                )
                for n, (group, ids) in enumerate(self.required)
            ),
            quiet,
        )

    def chosen_joins(self, stmt):
        """stmt (on Company) outer-joined to the ids of the cards with an option chosen in
        each required group, and those columns (NULL for a card without). PostgreSQL merges
        them with the cards read in id order, where for an EXISTS it would hash every chosen
        card's id (data quality's main statement ~190 → ~150 ms at full scale)."""
        columns = []
        for n, (group, _ids) in enumerate(self.required):
            chosen = (
                select(GroupValue.company_id)
                .where(GroupValue.group_id == group.id)
                .distinct()
                .subquery(f"chosen_{n}")
            )
            stmt = stmt.outerjoin(chosen, chosen.c.company_id == Company.id)
            columns.append(chosen.c.company_id)
        return stmt, columns

    @staticmethod
    def is_quiet(code: int) -> bool:
        return bool(code & 1)

    def missing_of(self, code: int) -> list[bool]:
        """For each required group: whether the card of this problems() code lacks it."""
        return [bool(code & (2 << n)) for n in range(len(self.required))]


def quality_rules() -> QualityRules:
    """The required groups and the statuses they apply to: 2 small queries."""
    statuses = db.session.execute(select(Status.id, Status.kind)).all()
    groups = db.session.scalars(
        select(Group)
        .where(Group.active, Group.applies_to == "company", Group.required_from.is_not(None))
        .order_by(Group.position, Group.id)
    ).all()
    required = []
    for group in groups:
        kinds = REQUIRED_KINDS.get(group.required_from, set())
        ids = [status_id for status_id, kind in statuses if kind in kinds]
        if ids:
            required.append((group, ids))
    working = [status_id for status_id, kind in statuses if kind in WORKING_KINDS]
    return QualityRules(required, working)


def quiet_since() -> datetime:
    return utcnow() - timedelta(days=QUIET_DAYS)


def _missing(group: Group, status_ids: list[int]):
    """Condition on Company: its status needs the group and the group has no option chosen.

    "EXISTS (SELECT 1 …)", not "SELECT *": SQLite then probes the (company, group) index
    alone instead of also positioning on the group value's row (about a tenth of the data
    quality report's time at 200,000 cards).
    """
    chosen = (
        select(literal_column("1"))
        .where(Chosen.c.company_id == Company.id, Chosen.c.group_id == group.id)
        .exists()
    )
    return and_(Company.status_id.in_(status_ids), ~chosen)


def _working(rules: QualityRules):
    return Company.status_id.in_(rules.working_status_ids) if rules.working_status_ids else false()


def _quiet(rules: QualityRules, since: datetime):
    """Condition on Company: in the sales process or a customer, on file since before the
    cut-off (a card made last month has not been quiet for 180 days), and no activity since."""
    return and_(
        _working(rules),
        Company.created_at < since,
        # The latest live activity, kept on the card (webapp/models/last_activity.py).
        or_(Company.last_activity_at.is_(None), Company.last_activity_at < since),
    )


DUPLICATE_RULES = ("cvr", "domain", "name")
DUPLICATE_COLUMNS = {"cvr": "cvr", "domain": "website_domain", "name": "name_key"}


def _duplicate_ids(rule: str):
    """select(id): the active cards that are likely duplicates by the rule.

    A CVR number two active cards share. A domain or a name two active cards share when one
    of those cards has no CVR number; between cards whose CVR numbers differ a shared domain
    or name is no duplicate (a group's subsidiaries, namesakes).

    The CVR numbers any two cards share are found along the CVR index alone; only the few
    cards holding one are read, and counted per number (a window over those cards), so a
    number two active cards share makes each of them a duplicate. The cards without a CVR
    number are few and found along the CVR index: each is checked for another active card
    with its domain or name, and only then are the cards with that domain or name read.
    """
    name = DUPLICATE_COLUMNS[rule]
    card = Company.__table__.alias(f"{rule}_card")
    if rule == "cvr":
        anywhere = Company.__table__.alias("any_card")
        shared_anywhere = (
            select(anywhere.c.cvr)
            .where(anywhere.c.cvr.is_not(None), anywhere.c.cvr != "")
            .group_by(anywhere.c.cvr)
            .having(func.count() > 1)
        )
        shared = card.c.cvr.in_(shared_anywhere)
        if on_postgresql():
            # PostgreSQL cannot tell how few numbers the HAVING keeps (it guesses a third:
            # 65,000 against 2,400 at full scale) and would read every card to join them; as
            # an array the numbers are looked up along the CVR index (~135 → ~80 ms).
            shared = card.c.cvr == any_(func.array(shared_anywhere.scalar_subquery()))
        sharing = (
            select(
                card.c.id.label("id"),
                func.count().over(partition_by=card.c.cvr).label("sharing"),
            )
            .where(shared, card.c.archived.is_(False))
            .subquery("cvr_sharing")
        )
        return select(sharing.c.id).where(sharing.c.sharing > 1)
    cvrless = Company.__table__.alias(f"cvrless_{rule}_card")
    other = Company.__table__.alias(f"other_{rule}_card")
    another = (
        select(literal_column("1"))
        .where(
            other.c[name] == cvrless.c[name],
            other.c.archived.is_(False),
            other.c.id != cvrless.c.id,
        )
        .exists()
    )
    values = select(cvrless.c[name]).where(
        cvrless.c.cvr.is_(None),
        cvrless.c.archived.is_(False),
        cvrless.c[name].is_not(None),
        cvrless.c[name] != "",
        another,
    )
    return select(card.c.id).where(card.c[name].in_(values), card.c.archived.is_(False))


def _duplicate(rule: str):
    """Condition on Company: a likely duplicate of another active card by the rule."""
    return Company.id.in_(_duplicate_ids(rule))


def _debt_conditions():
    """A meeting in the past without minutes: the author's home page rule, written term for
    term as the partial index ix_activity_minutes_debt states it, so the index is used."""
    return (
        Activity.kind == literal_column("'meeting'"),
        Activity.deleted == false(),
        or_(Activity.body.is_(None), Activity.body == literal_column("''")),
        Activity.occurred_at < utcnow(),
    )


def _owner_condition(column, value):
    """column is the owner (id), or empty for "none"."""
    if value == NONE:
        return column.is_(None)
    return column == int(value)


def _flag(condition):
    return case((condition, literal_column("1")), else_=literal_column("0"))


def _count_grouped(stmt) -> list:
    """Rows of stmt's columns with how many rows have them: SELECT a, b, count(*) FROM
    (stmt) GROUP BY a, b. Grouping the subquery's columns keeps expressions with bound
    parameters out of GROUP BY, which PostgreSQL cannot match to the select list."""
    inner = stmt.subquery("grouped")
    columns = list(inner.c)
    return db.session.execute(select(*columns, func.count()).group_by(*columns)).all()


def _owner_names(ids) -> dict[int, str]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.active).where(User.id.in_(ids)))
    return {
        user_id: name if active else _("%(name)s (inactive)", name=name)
        for user_id, name, active in rows
    }


@dataclass
class _OwnerTally:
    cards: int = 0
    working: int = 0
    missing: int = 0
    quiet: int = 0
    duplicate: int = 0
    in_order: int = 0
    debt: int = 0


def build_quality(filters: ReportFilters) -> Report:
    rules = quality_rules()
    since = quiet_since()
    owner_key = func.coalesce(Company.owner_id, literal_column("0"))
    problems = rules.problems(since)
    active = [Company.archived.is_not(True), *company_conditions(filters)]
    # Every card's problems() code, in one scan of the cards in id order (SQLite reads
    # ix_company_quality so, and its probes of the group value index move forward), worked
    # out once a card: OFFSET 0 keeps the database from merging this into the outer
    # statement, where the filter would probe again.
    if on_postgresql():
        # PostgreSQL counts every card by owner, code and whether it is in sales or a
        # customer: the cards per owner and in sales come from this one scan (two statements
        # fewer, ~60 ms at full scale). The stated order has it read the covering index
        # ix_company_quality rather than the table's wide rows (~230 → ~160 ms) and merge
        # the required groups' joins (chosen_joins).
        joined, chosen = rules.chosen_joins(select(Company.id))
        coded = (
            joined.with_only_columns(
                owner_key.label("owner"),
                rules.problems(since, chosen).label("code"),
                _flag(_working(rules)).label("working"),
                maintain_column_froms=True,
            )
            .where(*active)
            .order_by(Company.id)
            .offset(0)
            .subquery("coded")
        )
        counted = db.session.execute(
            select(coded.c.owner, coded.c.code, coded.c.working, func.count()).group_by(
                coded.c.owner, coded.c.code, coded.c.working
            )
        ).all()
        owners: dict[int, int] = {}
        coded_cards: dict[tuple[int, int], int] = {}
        working = 0
        for owner, code, in_sales, count in counted:
            owners[owner] = owners.get(owner, 0) + count
            working += count if in_sales else 0
            if code:
                coded_cards[(owner, code)] = coded_cards.get((owner, code), 0) + count
        per_owner = list(owners.items())
        cards = [(owner, code, count) for (owner, code), count in coded_cards.items()]
    else:
        # SQLite would sort every card for that GROUP BY (~+90 ms). It counts the cards per
        # owner along the (owner, archived, name) index without sorting ("IS NOT true"
        # rather than "IS false": it would otherwise prefer the (archived, name) index and
        # read the cards in name order), those in sales along the status index, and groups
        # only the cards with a problem, on two integers.
        per_owner = db.session.execute(
            select(Company.owner_id, func.count()).where(*active).group_by(Company.owner_id)
        ).all()
        working = db.session.scalar(select(func.count(Company.id)).where(*active, _working(rules)))
        coded = (
            select(owner_key.label("owner"), problems.label("code"))
            .where(*active)
            .offset(0)
            .subquery("coded")
        )
        cards = db.session.execute(
            select(coded.c.owner, coded.c.code, func.count())
            .where(coded.c.code != 0)
            .group_by(coded.c.owner, coded.c.code)
        ).all()
    # The likely duplicates: few cards, found along the CVR, domain and name indexes, each
    # set worked out once; a card sharing by several rules is one card with several flags.
    found = union_all(
        *(
            select(
                ids.c.id.label("id"),
                *(
                    literal_column("1" if rule == other else "0").label(other)
                    for other in DUPLICATE_RULES
                ),
            )
            for rule in DUPLICATE_RULES
            for ids in [_duplicate_ids(rule).subquery(f"{rule}_duplicate")]
        )
    ).subquery("found")
    per_card = (
        select(found.c.id, *(func.max(found.c[rule]).label(rule) for rule in DUPLICATE_RULES))
        .group_by(found.c.id)
        .subquery("duplicate_card")
    )
    rule_flags = [per_card.c[rule] for rule in DUPLICATE_RULES]
    duplicates = _count_grouped(
        select(owner_key, problems, *rule_flags)
        .join(per_card, per_card.c.id == Company.id)
        .where(*company_conditions(filters))
    )
    debt_stmt = select(func.coalesce(Activity.author_id, literal_column("0"))).where(
        *_debt_conditions()
    )
    if filters.owner_id:
        debt_stmt = debt_stmt.where(Activity.author_id == filters.owner_id)
    narrowing = company_conditions(filters, owner=False, joined=True)
    if narrowing:
        debt_stmt = debt_stmt.join(Company, Company.id == Activity.company_id).where(*narrowing)
    debt_rows = _count_grouped(debt_stmt)

    tallies: dict[int, _OwnerTally] = {}
    per_group = [0] * len(rules.required)
    per_rule = dict.fromkeys(DUPLICATE_RULES, 0)
    total = _OwnerTally()
    total.working = working or 0
    for owner, count in per_owner:
        for tally in (tallies.setdefault(owner or 0, _OwnerTally()), total):
            tally.cards += count
            tally.in_order += count
    for owner, code, count in cards:
        missing = rules.missing_of(code)
        for tally in (tallies.setdefault(owner, _OwnerTally()), total):
            tally.quiet += count if rules.is_quiet(code) else 0
            tally.missing += count if any(missing) else 0
            tally.in_order -= count
        for n, lacking in enumerate(missing):
            per_group[n] += count if lacking else 0
    for owner, code, *flags, count in duplicates:
        otherwise_in_order = not code
        for tally in (tallies.setdefault(owner, _OwnerTally()), total):
            tally.duplicate += count
            tally.in_order -= count if otherwise_in_order else 0
        for rule, flag in zip(DUPLICATE_RULES, flags, strict=True):
            per_rule[rule] += flag * count
    for author, count in debt_rows:
        tallies.setdefault(author, _OwnerTally()).debt += count
        total.debt += count

    names = _owner_names(tallies)
    unassigned = _("Unassigned")

    def owner_label(owner: int) -> str:
        return names.get(owner, unassigned) if owner else unassigned

    def keyed(what: str, owner: int | None) -> str:
        if owner is None:
            return what
        return f"{what}:owner={owner or NONE}"

    def values(label, tally: _OwnerTally) -> dict:
        return {
            "label": label,
            "cards": tally.cards,
            "missing": tally.missing,
            "quiet": tally.quiet,
            "duplicate": tally.duplicate,
            "debt": tally.debt,
            "in_order": ratio(tally.in_order, tally.cards),
        }

    def drills(owner: int | None) -> dict:
        return {
            "label": keyed("cards", owner),
            "cards": keyed("cards", owner),
            "missing": keyed("missing", owner),
            "quiet": keyed("quiet", owner),
            "duplicate": keyed("dup", owner),
            "debt": keyed("debt", owner),
            "in_order": keyed("cards", owner),
        }

    ordered = sorted(
        tallies.items(),
        key=lambda item: (
            ratio(item[1].in_order, item[1].cards) if item[1].cards else 2.0,
            owner_label(item[0]).lower(),
        ),
    )
    owner_rows = [
        Row(owner_label(owner), values(owner_label(owner), tally), drills(owner))
        for owner, tally in ordered
    ]
    quiet_label = _("No activity in %(days)d days", days=QUIET_DAYS)
    per_owner = Table(
        title=_("Data quality per owner"),
        columns=[
            Column("label", _("Owner")),
            Column("cards", _("Cards"), "count"),
            Column("missing", _("Missing groups"), "count"),
            Column("quiet", _("No activity %(days)d d", days=QUIET_DAYS), "count"),
            Column("duplicate", _("Duplicates"), "count"),
            Column("debt", _("Minutes debt"), "count"),
            Column("in_order", _("In order"), "percent"),
        ],
        rows=owner_rows,
        total=Row(_("All owners"), values(_("All owners"), total), drills(None))
        if owner_rows
        else None,
        empty=_("There are no cards and no meetings without minutes."),
    )
    status_names = dict(
        db.session.execute(
            select(Status.id, Status.name).order_by(Status.position, Status.id)
        ).all()
    )
    group_rows = [
        Row(
            group.name,
            {
                "label": group.name,
                "applies": ", ".join(name for i, name in status_names.items() if i in ids),
                "cards": per_group[n],
            },
            {"label": f"missing-{group.id}", "cards": f"missing-{group.id}"},
        )
        for n, (group, ids) in enumerate(rules.required)
    ]
    missing_table = Table(
        title=_("Missing required groups"),
        columns=[
            Column("label", _("Group")),
            Column("applies", _("Required for")),
            Column("cards", _("Cards without it"), "count"),
        ],
        rows=group_rows if total.cards else [],
        empty=_("No group is required, or there are no cards.")
        if not rules.required
        else _("There are no cards."),
    )
    rule_labels = {
        "cvr": _("Same CVR number"),
        "domain": _("Same website domain"),
        "name": _("Same name"),
    }
    duplicate_table = Table(
        title=_("Likely duplicates"),
        columns=[
            Column("label", _("Shared with another card")),
            Column("cards", _("Cards"), "count"),
        ],
        rows=[
            Row(
                rule_labels[rule],
                {"label": rule_labels[rule], "cards": per_rule[rule]},
                {"label": f"dup-{rule}", "cards": f"dup-{rule}"},
            )
            for rule in DUPLICATE_RULES
        ]
        if total.cards
        else [],
        total=Row(
            _("Any of them"),
            {"label": _("Any of them"), "cards": total.duplicate},
            {"cards": "dup"},
        )
        if total.cards
        else None,
        empty=_("There are no cards."),
    )
    key_figures = [
        KeyFigure(_("Cards"), total.cards, "count", "cards", _("active cards")),
        KeyFigure(
            _("Cards in order"),
            ratio(total.in_order, total.cards),
            "percent",
            "cards",
            _("no missing group, recent activity, no likely duplicate"),
        ),
        KeyFigure(_("Missing required groups"), total.missing, "count", "missing", _("cards")),
        KeyFigure(
            quiet_label,
            total.quiet,
            "count",
            "quiet",
            _("of %(count)s cards in sales or customers", count=format_number(total.working))
            if total.working
            else None,
        ),
        KeyFigure(_("Likely duplicates"), total.duplicate, "count", "dup", _("cards")),
        KeyFigure(_("Minutes debt"), total.debt, "count", "debt", _("meetings without minutes")),
    ]
    charts = []
    charted = [(row.label, row.values["in_order"]) for row in owner_rows if row.values["cards"]]
    if charted:
        charts.append(
            Chart(
                kind="hbar",
                labels=[label for label, _share in charted],
                series=[Series(_("Cards in order"), [share for _label, share in charted])],
                value_kind="percent",
                title=_("Cards in order per owner"),
            )
        )
    notes = []
    if not rules.required:
        notes.append(
            _("No group is required: set “required from” on a group under Administration.")
        )
    return Report(
        key_figures=key_figures,
        tables=[per_owner, missing_table, duplicate_table],
        charts=charts,
        notes=notes,
    )


def drill_quality(filters: ReportFilters, key: str) -> Drill | None:
    what, dim, value = _split_key(key)
    conditions = [Company.archived.is_(False), *company_conditions(filters)]
    owner_value = None
    if dim is not None:
        if dim != "owner" or not (value == NONE or (value or "").isdigit()):
            return None
        owner_value = value
        conditions.append(_owner_condition(Company.owner_id, value))
    rules = quality_rules()
    if what == "debt":
        stmt = select(Activity.company_id).where(*_debt_conditions())
        if owner_value is not None:
            stmt = stmt.where(_owner_condition(Activity.author_id, owner_value))
        elif filters.owner_id:
            stmt = stmt.where(Activity.author_id == filters.owner_id)
        narrowing = company_conditions(filters, owner=False, joined=True)
        if narrowing:
            stmt = stmt.join(Company, Company.id == Activity.company_id).where(*narrowing)
        return Drill("companies", _("Companies with meetings without minutes"), stmt.distinct())
    if what == "cards":
        title, condition = _("Cards"), None
    elif what == "missing":
        title = _("Cards missing a required group")
        condition = (
            or_(*[_missing(g, ids) for g, ids in rules.required]) if rules.required else false()
        )
    elif what.startswith("missing-") and what[8:].isdigit():
        found = [(g, ids) for g, ids in rules.required if g.id == int(what[8:])]
        if not found:
            return None
        group, ids = found[0]
        title = _("Cards missing %(group)s", group=group.name)
        condition = _missing(group, ids)
    elif what == "quiet":
        title = _("Cards with no activity in %(days)d days", days=QUIET_DAYS)
        condition = _quiet(rules, quiet_since())
    elif what == "dup":
        title = _("Cards with a likely duplicate")
        condition = or_(*[_duplicate(rule) for rule in DUPLICATE_RULES])
    elif what.startswith("dup-") and what[4:] in DUPLICATE_RULES:
        rule = what[4:]
        title = {
            "cvr": _("Cards sharing their CVR number"),
            "domain": _("Cards sharing their website domain"),
            "name": _("Cards sharing their name"),
        }[rule]
        condition = _duplicate(rule)
    else:
        return None
    if condition is not None:
        conditions.append(condition)
    return Drill("companies", title, select(Company.id).where(*conditions))


# =========================================================================================
# Registration

register(
    ReportSpec(
        slug="satisfaction",
        title=_l("Customer satisfaction"),
        question=_l("How satisfied are our customers on our satisfaction scale?"),
        definition=_l(
            "The scale is the options of the Satisfaction group in their order: the first "
            "scores 1, the last the scale's size (1 Very unhappy … 5 Very happy). The "
            "distribution, the average and the breakdowns by country, industry (NACE section) "
            "and category count the rating on each active card now; happy is the upper half of "
            "the scale, unhappy the lower half. The trend comes from the history: a rating "
            "counts from the moment it was set until the card's next rating, so each month shows "
            "the ratings that stood at its end and the companies rated during it. Improved and "
            "worsened compare a card's rating at the start and at the end of the period."
        ),
        build=build_satisfaction,
        drill=drill_satisfaction,
        order=80,
        filters=("period", "owner", "category", "industry", "lead_source"),
    )
)

register(
    ReportSpec(
        slug="data-quality",
        title=_l("Data quality per owner"),
        question=_l("Who keeps their customer cards complete and current, and who does not?"),
        definition=_l(
            "As of today, over the active (not archived) cards of each owner. Missing required "
            "groups: cards whose status needs a group (its “required from”) that has no option "
            "chosen. No activity in 180 days: cards in the sales process or customers, created "
            "more than 180 days ago, with nothing logged (any kind of activity, including "
            "planned ones) in the last 180 days. "
            "Likely duplicates: cards that share their CVR number with another active card, or "
            "their website domain or name (ignoring case and spacing) with one that has no CVR "
            "number; cards with different CVR numbers are different companies. Minutes debt: "
            "meetings in the past without minutes, counted for their author as on the author's "
            "home page. Cards in order have none of the first three problems."
        ),
        build=build_quality,
        drill=drill_quality,
        order=130,
        filters=("owner", "category", "industry", "lead_source"),
    )
)
