"""Report charts: round axes, the shapes of each kind, and SVG that parses and says its numbers."""

import xml.etree.ElementTree as ET

import pytest
from flask import get_template_attribute
from flask_babel import force_locale

from webapp.blueprints.reports.base import Chart, Series
from webapp.blueprints.reports.charts import chart_shapes, clip, nice_scale, wrap
from webapp.blueprints.reports.values import ValueFormat

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def fmt(app):
    with app.test_request_context(), force_locale("en"):
        yield ValueFormat("en")


def svg_of(shapes) -> ET.Element:
    markup = get_template_attribute("reports/_chart.html", "svg_markup")(shapes, "t")
    return ET.fromstring(str(markup))  # noqa: S314 - our own markup, not untrusted input


def texts(shapes) -> list[str]:
    return [t["text"] for t in shapes.texts]


@pytest.mark.parametrize(
    ("low", "high", "whole", "expected"),
    [
        (0, 2, False, (0, 2, 0.5)),
        (0, 2, True, (0, 2, 1)),  # counts: no half deals on the axis
        (0, 0.58, False, (0, 0.6, 0.2)),
        (0, 1_646_500, False, (0, 2_000_000, 500_000)),
        (-3, 7, True, (-5, 10, 5)),
        (0, 0, False, (0, 1, 0.25)),  # nothing yet: an axis all the same
        (0, 8, True, (0, 8, 2)),
    ],
)
def test_is_the_value_axis_round_and_holds_every_value(low, high, whole, expected):
    lo, hi, step = nice_scale(low, high, whole=whole)
    assert (lo, round(hi, 6), step) == pytest.approx(expected)
    assert lo <= low
    assert hi >= high


def test_are_long_labels_wrapped_and_clipped_with_an_ellipsis():
    assert clip("Information and communication", 60) == "Informa…"
    assert wrap("Meeting → proposal", 80) == ["Meeting →", "proposal"]
    assert wrap("A very long label that will not fit at all", 60, lines=2)[-1].endswith("…")


def test_does_a_grouped_bar_chart_draw_a_bar_and_a_value_per_number(fmt):
    chart = Chart(
        "bar",
        ["Line", "Mette", "Søren"],
        [Series("Met", [90, 12, 83]), Series("Won", [17, 3, None])],
        "count",
        "Met and won",
    )
    shapes = chart_shapes(chart, fmt)
    assert len(shapes.rects) == 5  # no bar for None
    assert {"90", "12", "83", "17", "3"} <= set(texts(shapes))
    assert [item["label"] for item in shapes.legend] == ["Met", "Won"]
    assert "Line — Won: 17" in [r["title"] for r in shapes.rects]
    root = svg_of(shapes)
    assert root.find(f"{SVG}title").text == "Met and won"
    assert "Søren: –" in root.find(f"{SVG}desc").text


def test_does_a_negative_bar_hang_below_the_zero_line(fmt):
    shapes = chart_shapes(
        Chart("bar", ["Up", "Down"], [Series("ROI", [0.5, -0.25])], "percent"), fmt
    )
    up, down = shapes.rects
    zero = next(g["y1"] for g in shapes.grid if g["zero"] and g["y1"] == g["y2"])
    assert up["y"] + up["height"] == pytest.approx(zero, abs=0.2)
    assert down["y"] == pytest.approx(zero, abs=0.2)
    assert "-25%" in texts(shapes)


def test_does_a_stacked_bar_show_its_total_on_top(fmt):
    chart = Chart(
        "stacked",
        ["Aug", "Sep"],
        [Series("Referral", [1, 1]), Series("Other", [4, 4])],
        "count",
    )
    shapes = chart_shapes(chart, fmt)
    assert len(shapes.rects) == 4
    assert texts(shapes).count("5") == 2  # the totals
    aug_referral, aug_other = shapes.rects[0], shapes.rects[1]
    assert aug_other["y"] + aug_other["height"] == pytest.approx(aug_referral["y"], abs=0.2)


def test_does_a_horizontal_bar_chart_grow_with_its_labels(fmt):
    few = chart_shapes(Chart("hbar", ["A", "B"], [Series("Revenue", [10, 20])], "money"), fmt)
    many = chart_shapes(
        Chart("hbar", [f"Industry {n}" for n in range(12)], [Series("Revenue", list(range(12)))]),
        fmt,
    )
    assert many.height > few.height
    assert "DKK" in texts(few)  # the unit under the money axis


def test_does_a_line_break_where_a_value_is_missing(fmt):
    chart = Chart(
        "line",
        ["Jan", "Feb", "Mar", "Apr", "May"],
        [Series("Average", [3.5, 3.8, None, 4.1, 4.0]), Series("Count", [1, 2, 3, 4, 5])],
        "rating",
    )
    shapes = chart_shapes(chart, fmt)
    rating_lines = [line for line in shapes.lines if line["stroke"] == shapes.legend[0]["colour"]]
    assert len(rating_lines) == 2  # Jan–Feb and Apr–May
    assert [m["shape"] for m in shapes.marks[:4]] == ["circle"] * 4
    assert shapes.marks[-1]["shape"] == "square"  # the second series has its own mark
    assert shapes.legend[1]["dash"]  # and its own dash
    svg_of(shapes)


def test_does_the_funnel_print_each_steps_share(fmt):
    chart = Chart(
        "funnel", ["Contact", "Meeting", "Proposal"], [Series("Deals", [200, 50, 0])], "count"
    )
    shapes = chart_shapes(chart, fmt)
    words = texts(shapes)
    assert "25% of previous" in words
    assert "0% of previous" in words
    assert "0% of first" in words
    widths = [r["width"] for r in shapes.rects]
    assert widths[0] > widths[1] > widths[2] > 0
    assert "Meeting: 50 (25% of previous)" in shapes.desc


@pytest.mark.parametrize("kind", ["bar", "hbar", "stacked", "line", "funnel"])
def test_is_a_chart_without_numbers_a_readable_box(fmt, kind):
    for chart in (
        Chart(kind, [], [], "count", "Nothing yet"),
        Chart(kind, ["A", "B"], [Series("x", [0, None])], "count", "Zeros"),
    ):
        shapes = chart_shapes(chart, fmt)
        assert shapes.empty
        assert "Nothing to chart for these filters." in texts(shapes)
        svg_of(shapes)


@pytest.mark.parametrize("kind", ["bar", "hbar", "stacked", "line", "funnel"])
def test_does_every_kind_make_svg_that_parses(fmt, kind):
    chart = Chart(
        kind,
        ["Sjælland & øerne", "<Jylland>", "Fyn"],
        [Series("Won", [3, 5, 2]), Series("Lost", [1, 0, 4])],
        "money",
        "Won & lost",
    )
    root = svg_of(chart_shapes(chart, fmt))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Won & lost"
    drawn = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Jylland" in drawn or kind == "funnel"


def test_are_values_written_the_danish_way(app):
    with app.test_request_context(), force_locale("da"):
        fmt = ValueFormat("da")
        assert fmt(1234567.5, "money") == "1.234.568\xa0kr."
        assert fmt(0.034, "percent") == "3,4\xa0%"
        assert fmt(3.66, "rating") == "3,7"
        assert fmt(None, "count") == "–"
        assert fmt.short(1_200_000, "money") == "1,2\xa0mio."


def test_are_values_written_the_english_way(fmt):
    assert fmt(1234567.5, "money") == "DKK\xa01,234,568"
    assert fmt(-2500, "money") == "-DKK\xa02,500"
    assert fmt(0.25, "percent") == "25%"
    assert fmt(42.4, "days") == "42 days"
    assert fmt(1, "days") == "1 day"
    assert fmt(12345, "count") == "12,345"
    assert fmt("Referral", "text") == "Referral"
    assert fmt.short(125_000, "money") == "125K"
