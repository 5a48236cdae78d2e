"""A small report the framework's tests register (and remove): won and lost deals by category.

Its figures come from real aggregate SQL over the test's data, so the page, the drill-down,
the exports and the PDF can be checked against numbers worked out by hand.
"""

from contextlib import contextmanager

from sqlalchemy import case, func, select

from webapp.blueprints.reports.base import (
    REPORTS,
    Chart,
    Column,
    Drill,
    KeyFigure,
    Report,
    ReportSpec,
    Row,
    Series,
    Table,
    deal_conditions,
    ratio,
    register,
)
from webapp.extensions import db
from webapp.models.customer import Company
from webapp.models.pipeline import Deal

SLUG = "example-won-by-category"
CATEGORY_ORDER = ("A", "B", "C", "none")


def _closed(filters):
    return (
        select(Deal.id)
        .join(Company, Company.id == Deal.company_id)
        .where(Deal.outcome.in_(("won", "lost")), Deal.closed_at.is_not(None))
        .where(filters.in_period(Deal.closed_at, is_datetime=False), *deal_conditions(filters))
    )


def build(filters) -> Report:
    category = func.coalesce(Company.category, "none")
    won = Deal.outcome == "won"
    rows = db.session.execute(
        select(
            category,
            func.sum(case((won, 1), else_=0)),
            func.sum(case((won, Deal.value), else_=0)),
            func.count(),
        )
        .select_from(Deal)
        .join(Company, Company.id == Deal.company_id)
        .where(Deal.id.in_(_closed(filters)))
        .group_by(category)
    ).all()
    by_category = {c: (int(w or 0), value or 0, int(n)) for c, w, value, n in rows}
    table_rows = []
    for key in CATEGORY_ORDER:
        if key not in by_category:
            continue
        won_count, value, closed = by_category[key]
        label = "No category" if key == "none" else f"Category {key}"
        table_rows.append(
            Row(
                label=label,
                values={
                    "won": won_count,
                    "revenue": value,
                    "closed": closed,
                    "rate": ratio(won_count, closed),
                },
                drill={
                    "label": f"closed:{key}",
                    "won": f"won:{key}",
                    "revenue": f"won:{key}",
                    "closed": f"closed:{key}",
                    "rate": f"closed:{key}",
                },
            )
        )
    won_total = sum(w for w, _v, _n in by_category.values())
    revenue = sum(v for _w, v, _n in by_category.values())
    closed_total = sum(n for _w, _v, n in by_category.values())
    total = Row(
        label="All categories",
        values={
            "won": won_total,
            "revenue": revenue,
            "closed": closed_total,
            "rate": ratio(won_total, closed_total),
        },
        drill={
            "won": "won:all",
            "revenue": "won:all",
            "closed": "closed:all",
            "rate": "closed:all",
        },
    )
    table = Table(
        columns=[
            Column("label", "Category"),
            Column("won", "Won deals", "count"),
            Column("revenue", "Won revenue", "money"),
            Column("closed", "Closed deals", "count"),
            Column("rate", "Win rate", "percent"),
        ],
        rows=table_rows,
        total=total if table_rows else None,
        title="Closed deals by category",
        empty="No deals were won or lost in this period.",
    )
    return Report(
        key_figures=[
            KeyFigure("Won revenue", revenue, "money", "won:all"),
            KeyFigure("Won deals", won_total, "count", "won:all"),
            KeyFigure(
                "Win rate",
                ratio(won_total, closed_total),
                "percent",
                "closed:all",
                note=f"of {closed_total} closed deals",
            ),
        ],
        tables=[table],
        charts=[
            Chart(
                "bar",
                [r.label for r in table_rows],
                [Series("Won revenue", [float(r.values["revenue"]) for r in table_rows])],
                "money",
                "Won revenue by category",
            ),
            Chart(
                "funnel",
                ["Closed", "Won"],
                [Series("Deals", [closed_total, won_total])],
                "count",
                "From closed to won",
            ),
        ],
        notes=["Deals without a close date are left out."],
    )


def drill(filters, key) -> Drill | None:
    kind, _sep, category = key.partition(":")
    if kind not in ("won", "closed") or category not in (*CATEGORY_ORDER, "all"):
        return None
    ids = _closed(filters)
    if kind == "won":
        ids = ids.where(Deal.outcome == "won")
    if category == "none":
        ids = ids.where(Company.category.is_(None))
    elif category != "all":
        ids = ids.where(Company.category == category)
    title = "Won deals" if kind == "won" else "Closed deals"
    return Drill("deals", title, ids)


SPEC = ReportSpec(
    slug=SLUG,
    title="Example: won deals by category",
    question="Which categories do we win, and how often?",
    definition="A closed deal is one won or lost with a close date in the period. "
    "Won revenue is the sum of the values of the won deals.",
    build=build,
    drill=drill,
    order=5,
    filters=("period", "owner", "category"),
)


@contextmanager
def example_report():
    """Register the example report for the duration of a test."""
    register(SPEC)
    try:
        yield SPEC
    finally:
        REPORTS.pop(SLUG, None)
