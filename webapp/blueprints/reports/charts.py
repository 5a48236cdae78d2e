"""A report's charts as plain geometry for one SVG template (reports/_chart.html).

Every kind (bar, hbar, stacked, line, funnel) becomes the same few shapes — grid lines,
rectangles, polylines, point marks and texts — with colours, sizes and fonts written as
SVG attributes rather than CSS, so the browser and WeasyPrint draw the same picture.
Colour is never the only signal: every bar and point carries its value in text, line
series differ in dash and mark as well as colour, and the legend names each series.
"""

import math
import re
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _

from webapp.blueprints.reports.base import Chart
from webapp.blueprints.reports.values import (
    ValueFormat,
    as_number,
    shared_prefix,
    with_prefix,
    without_prefix,
)

WIDTH = 720
NARROW = 340  # a phone's chart: about 310 px wide, so 12-unit text stays near 11 px
FONT = 12  # px in the SVG's own units; the SVG scales with the page
CHAR = 0.56  # the average width of a character, as a share of the font size
TEXT = "#1f1b16"
MUTED = "#5f5750"
GRID = "#ddd6ce"
AXIS = "#8a8178"
# Series colours: each takes white text at WCAG AA contrast and differs from its neighbours.
PALETTE = ("#8d4419", "#2b5d87", "#8a6200", "#2e6b3a", "#6d3f7a", "#4a5560", "#1f6f6b", "#a4262c")
DASHES = ("", "6 4", "2 3", "10 3 2 3", "", "6 4", "2 3", "10 3 2 3")
MARKS = ("circle", "square", "triangle", "diamond", "circle", "square", "triangle", "diamond")
NICE_STEPS = (1, 2, 2.5, 5, 10)
YEAR = re.compile(r"^(.*\S)\s+(\d{4})$")  # "dec. 2025": a month on a time axis


@dataclass
class Shapes:
    """What the template draws, in this order: grid, rects, lines, marks, texts."""

    width: int
    height: int
    title: str
    desc: str
    grid: list[dict] = field(default_factory=list)
    rects: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    marks: list[dict] = field(default_factory=list)
    texts: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    empty: bool = False


def colour(n: int) -> str:
    return PALETTE[n % len(PALETTE)]


def fits(text: str, width: float, size: float = FONT) -> bool:
    return len(text) * size * CHAR <= width


def clip(text: str, width: float, size: float = FONT) -> str:
    """The text cut to what fits in width, with an ellipsis when cut."""
    room = max(int(width / (size * CHAR)), 1)
    return text if len(text) <= room else text[: max(room - 1, 1)].rstrip() + "…"


def wrap(text: str, width: float, lines: int = 2, size: float = FONT) -> list[str]:
    """Up to `lines` lines of words that fit in width; the last one clipped."""
    room = max(int(width / (size * CHAR)), 1)
    words, out, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= room or not line:
            line = candidate
        else:
            out.append(line)
            line = word
    out.append(line)
    if len(out) > lines:
        out = out[: lines - 1] + [" ".join(out[lines - 1 :])]
    return [clip(part, width, size) for part in out]


def nice_scale(
    low: float, high: float, ticks: int = 4, whole: bool = False
) -> tuple[float, float, float]:
    """A round axis from at most `low` to at least `high` (zero always inside): lo, hi, step.

    `whole`: the step is a whole number (counts have no half deals).
    """
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        high = 1.0
    raw = (high - low) / ticks
    if whole:
        raw = max(raw, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = [s for s in NICE_STEPS if not whole or float(s * magnitude).is_integer()]
    step = next(s * magnitude for s in steps if s * magnitude >= raw * (1 - 1e-9))
    lo = math.floor(low / step + 1e-9) * step
    hi = math.ceil(high / step - 1e-9) * step
    return lo, hi, step


def _values(chart: Chart) -> list[list[float | None]]:
    return [[as_number(v) for v in series.values] for series in chart.series]


def _has_data(values: list[list[float | None]]) -> bool:
    return any(v for row in values for v in row if v is not None)


def _desc(chart: Chart, fmt: ValueFormat) -> str:
    """The chart in words, for screen readers: "Label: value; …" per series."""
    parts = []
    for series in chart.series:
        items = "; ".join(
            f"{label}: {fmt(value, chart.value_kind)}"
            for label, value in zip(chart.labels, series.values, strict=False)
        )
        parts.append(f"{series.label} — {items}" if len(chart.series) > 1 else items)
    return " | ".join(parts)


def _legend(chart: Chart, line: bool = False) -> list[dict]:
    if len(chart.series) < 2:
        return []
    return [
        {
            "label": s.label,
            "colour": colour(n),
            "dash": DASHES[n % len(DASHES)] if line else "",
            "mark": MARKS[n % len(MARKS)] if line else "square",
        }
        for n, s in enumerate(chart.series)
    ]


def _text(x, y, text, anchor="middle", size=FONT, weight="normal", fill=TEXT) -> dict:
    return {
        "x": round(x, 1),
        "y": round(y, 1),
        "text": text,
        "anchor": anchor,
        "size": size,
        "weight": weight,
        "fill": fill,
    }


def _value_axis(shapes, fmt, kind, lo, hi, step, to_px, left, right, vertical=True, top=0):
    """Grid lines and their labels; the unit (DKK) above the axis."""
    count = round((hi - lo) / step)
    for n in range(count + 1):
        value = lo + n * step
        pos = to_px(value)
        label = fmt.short(value, kind)
        if vertical:
            shapes.grid.append(
                {"x1": left, "x2": right, "y1": pos, "y2": pos, "zero": abs(value) < 1e-12}
            )
            shapes.texts.append(_text(left - 6, pos + 4, label, "end", 11, fill=MUTED))
        else:
            shapes.grid.append(
                {"x1": pos, "x2": pos, "y1": left, "y2": right, "zero": abs(value) < 1e-12}
            )
            shapes.texts.append(_text(pos, right + 15, label, "middle", 11, fill=MUTED))
    unit = fmt.unit(kind)
    if unit and vertical:
        shapes.texts.append(_text(left - 6, top - 10, unit, "end", 11, fill=MUTED))
    elif unit:
        shapes.texts.append(_text(to_px(hi), right + 29, unit, "end", 11, fill=MUTED))


def empty_shapes(chart: Chart, width: int = WIDTH) -> Shapes:
    shapes = Shapes(width, 90, chart.title, _("Nothing to chart."), empty=True)
    shapes.texts.append(_text(width / 2, 50, _("Nothing to chart for these filters."), fill=MUTED))
    return shapes


# --- vertical bars, grouped or stacked ----------------------------------------------------


def bar_shapes(chart: Chart, fmt: ValueFormat, stacked: bool = False, width: int = WIDTH) -> Shapes:
    values = _values(chart)
    n_labels, n_series = len(chart.labels), max(len(values), 1)
    label_lines = 2
    left, right, top, bottom = 64, width - 12, 30, 18 + 15 * label_lines
    height = 300 if n_labels > 1 else 240
    base_h = height - bottom
    if stacked:
        tops = [sum(max(v or 0, 0) for v in column) for column in zip(*values, strict=False)]
        low, high = 0.0, max(tops or [0.0])
    else:
        flat = [v for row in values for v in row if v is not None]
        low, high = min(flat or [0.0]), max(flat or [0.0])
    lo, hi, step = nice_scale(low, high, whole=chart.value_kind == "count")
    span = hi - lo

    def y(value: float) -> float:
        return round(top + (hi - value) / span * (base_h - top), 1)

    shapes = Shapes(width, height, chart.title, _desc(chart, fmt), legend=_legend(chart))
    _value_axis(shapes, fmt, chart.value_kind, lo, hi, step, y, left, right, top=top)
    slot = (right - left) / max(n_labels, 1)
    group = slot * (0.62 if n_series == 1 or stacked else 0.8)
    bar_w = group if stacked else group / n_series
    zero = y(0)
    value_texts: list[dict] = []
    # A narrow chart (a phone's) names every k-th bar where the names would be cut short.
    every = 1
    if width < WIDTH:
        words = max((len(w) for label in chart.labels for w in str(label).split()), default=1)
        every = max(1, math.ceil((words * FONT * CHAR + 4) / slot))
    # Months over time name their year once, under its first month (fewer texts to print).
    matches = [YEAR.match(str(label)) for label in chart.labels]
    years = [m.groups() for m in matches] if n_labels > 1 and all(matches) else []
    shown_year = None
    for i, label in enumerate(chart.labels):
        x0 = left + slot * i + (slot - group) / 2
        running = 0.0
        column_title = []
        for s, row in enumerate(values):
            value = row[i] if i < len(row) else None
            column_title.append(f"{chart.series[s].label}: {fmt(value, chart.value_kind)}")
            if value is None:
                continue
            if stacked:
                value = max(value, 0.0)
                y_top, y_bottom = y(running + value), y(running)
                running += value
                x = x0
            else:
                y_top, y_bottom = (y(value), zero) if value >= 0 else (zero, y(value))
                x = x0 + s * bar_w
            title = f"{label} — {chart.series[s].label}: {fmt(value, chart.value_kind)}"
            shapes.rects.append(
                {
                    "x": round(x + (0.5 if n_series > 1 and not stacked else 0), 1),
                    "y": y_top,
                    "width": round(max(bar_w - (1 if n_series > 1 and not stacked else 0), 1), 1),
                    "height": round(max(y_bottom - y_top, 0), 1),
                    "fill": colour(s),
                    "title": title,
                }
            )
            text = fmt.short(value, chart.value_kind)
            if stacked:
                if y_bottom - y_top >= 16 and fits(text, bar_w - 4, 11):
                    shapes.texts.append(
                        _text(x + bar_w / 2, (y_top + y_bottom) / 2 + 4, text, size=11, fill="#fff")
                    )
            else:
                above = y_top - 5 if value >= 0 else y_bottom + 13
                size = 11 if n_series > 1 else FONT
                value_texts.append(
                    {**_text(x + bar_w / 2, above, text, size=size, weight="bold"), "column": i}
                )
        if stacked and running > 0:
            total = fmt.short(running, chart.value_kind)
            if fits(total, slot, 11):
                shapes.texts.append(
                    _text(x0 + group / 2, y(running) - 5, total, size=11, weight="bold")
                )
        if i % every:
            continue
        if years:  # the year under its first month only: "dec. / 2025", "jan. / 2026", "feb."
            month, year = years[i]
            lines = [clip(month, slot * every - 4)] + ([year] if year != shown_year else [])
            shown_year = year
        else:
            lines = wrap(label, slot * every - 4, label_lines)
        for k, line in enumerate(lines):
            shapes.texts.append(_text(left + slot * (i + 0.5), base_h + 17 + 14 * k, line))
    shapes.texts.extend(thinned(value_texts, bar_w, n_labels))
    shapes.grid.append({"x1": left, "x2": right, "y1": zero, "y2": zero, "zero": True})
    return shapes


def _overlap(a: dict, b: dict) -> bool:
    width_a = len(a["text"]) * a["size"] * CHAR
    width_b = len(b["text"]) * b["size"] * CHAR
    return (
        abs(a["x"] - b["x"]) < (width_a + width_b) / 2 + 6
        and abs(a["y"] - b["y"]) < max(a["size"], b["size"]) * 2
    )


def thinned(texts: list[dict], bar_w: float, columns: int) -> list[dict]:
    """Values over the bars: all when each fits over its bar; otherwise those of every
    k-th column (the first, then every k-th), the smallest k whose columns' labels do not
    overlap. Within a column, a series' label that would overlap another's is left out.

    A regular step reads as a choice (every other month) where labels missing here and
    there would read as missing values; the table and each bar's tooltip have them all.
    """
    if all(fits(t["text"], bar_w + 6, t["size"]) for t in texts):
        return [_plain(t) for t in texts]
    for step in range(2, columns + 1):
        placed: list[dict] = []
        for text in (t for t in texts if t["column"] % step == 0):
            clash = [p for p in placed if _overlap(p, text)]
            if any(p["column"] != text["column"] for p in clash):
                break
            if not clash:
                placed.append(text)
        else:
            return [_plain(t) for t in placed]
    return []


def _plain(text: dict) -> dict:
    return {k: v for k, v in text.items() if k != "column"}


# --- horizontal bars ----------------------------------------------------------------------


def hbar_shapes(chart: Chart, fmt: ValueFormat, width: int = WIDTH) -> Shapes:
    values = _values(chart)
    n_series = max(len(values), 1)
    longest = max((len(label) for label in chart.labels), default=0)
    label_w = min(max(longest * FONT * CHAR + 8, 90), 280, width * 0.38)
    left, right, top = label_w + 10, width - 70, 10
    bar_h = 18 if n_series == 1 else 13
    band = n_series * bar_h + 10
    height = top + band * len(chart.labels) + 34
    base = height - 30
    flat = [v for row in values for v in row if v is not None]
    lo, hi, step = nice_scale(
        min(flat or [0.0]), max(flat or [0.0]), whole=chart.value_kind == "count"
    )

    def x(value: float) -> float:
        return round(left + (value - lo) / (hi - lo) * (right - left), 1)

    shapes = Shapes(width, height, chart.title, _desc(chart, fmt), legend=_legend(chart))
    _value_axis(shapes, fmt, chart.value_kind, lo, hi, step, x, top, base, vertical=False)
    zero = x(0)
    for i, label in enumerate(chart.labels):
        y0 = top + band * i + 5
        shapes.texts.append(
            _text(left - 8, y0 + (band - 10) / 2 + 4, clip(label, label_w), "end", FONT)
        )
        for s, row in enumerate(values):
            value = row[i] if i < len(row) else None
            if value is None:
                continue
            x_left, x_right = (zero, x(value)) if value >= 0 else (x(value), zero)
            y = y0 + s * bar_h
            shapes.rects.append(
                {
                    "x": x_left,
                    "y": round(y, 1),
                    "width": round(max(x_right - x_left, 0), 1),
                    "height": bar_h - 2,
                    "fill": colour(s),
                    "title": f"{label} — {chart.series[s].label}: {fmt(value, chart.value_kind)}",
                }
            )
            text = fmt.short(value, chart.value_kind)
            size = FONT if n_series == 1 else 11
            if value >= 0:
                shapes.texts.append(
                    _text(x_right + 5, y + bar_h / 2 + 3, text, "start", size, "bold")
                )
            else:
                shapes.texts.append(_text(x_left - 5, y + bar_h / 2 + 3, text, "end", size, "bold"))
    shapes.grid.append({"x1": zero, "x2": zero, "y1": top, "y2": base, "zero": True})
    return shapes


# --- lines over time ----------------------------------------------------------------------


def line_shapes(chart: Chart, fmt: ValueFormat, width: int = WIDTH) -> Shapes:
    values = _values(chart)
    n = len(chart.labels)
    left, right, top, base = 64, width - 24, 30, 250
    height = 290
    flat = [v for row in values for v in row if v is not None]
    # Ratings (1–5) read best on an axis of whole steps up to 5.
    lo, hi, step = nice_scale(
        min(flat or [0.0]),
        max(flat or [0.0]),
        ticks=5 if chart.value_kind == "rating" else 4,
        whole=chart.value_kind == "count",
    )

    def y(value: float) -> float:
        return round(top + (hi - value) / (hi - lo) * (base - top), 1)

    def x(i: int) -> float:
        return round(left + (right - left) * (i + 0.5) / max(n, 1), 1)

    shapes = Shapes(width, height, chart.title, _desc(chart, fmt), legend=_legend(chart, True))
    _value_axis(shapes, fmt, chart.value_kind, lo, hi, step, y, left, right, top=top)
    slot = (right - left) / max(n, 1)
    widest = max((len(label) for label in chart.labels), default=1) * 11 * CHAR + 6
    every = max(1, math.ceil(widest / slot))
    for i, label in enumerate(chart.labels):
        if i % every == 0 or i == n - 1 and every == 1:
            shapes.texts.append(_text(x(i), base + 18, clip(label, slot * every), size=11))
    label_each = len(values) == 1 and n <= 13
    for s, row in enumerate(values):
        run: list[tuple[float, float]] = []
        runs = [run]
        for i, value in enumerate(row[:n]):
            if value is None:
                run = []
                runs.append(run)
                continue
            point = (x(i), y(value))
            run.append(point)
            shapes.marks.append(
                {
                    "shape": MARKS[s % len(MARKS)],
                    "x": point[0],
                    "y": point[1],
                    "fill": colour(s),
                    "title": f"{chart.labels[i]} — {chart.series[s].label}: "
                    f"{fmt(value, chart.value_kind)}",
                }
            )
            last = i == max(k for k, v in enumerate(row[:n]) if v is not None)
            if label_each or last:
                shapes.texts.append(
                    _text(
                        point[0],
                        point[1] - 9,
                        fmt.short(value, chart.value_kind),
                        size=11,
                        weight="bold",
                        fill=colour(s),
                    )
                )
        for part in runs:
            if len(part) > 1:
                shapes.lines.append(
                    {
                        "points": " ".join(f"{px},{py}" for px, py in part),
                        "stroke": colour(s),
                        "dash": DASHES[s % len(DASHES)],
                    }
                )
    return shapes


# --- the funnel ---------------------------------------------------------------------------


def funnel_shapes(chart: Chart, fmt: ValueFormat, width: int = WIDTH) -> Shapes:
    row = _values(chart)[0] if chart.series else []
    steps = [
        (label, max(value or 0.0, 0.0)) for label, value in zip(chart.labels, row, strict=False)
    ]
    label_w = min(max((len(label) for label, _v in steps), default=8) * 13 * CHAR + 8, 200)
    label_w = min(label_w, width * 0.25)
    left, right = label_w + 12, width - 150
    band, top = 46, 8
    height = top + band * len(steps) + 4
    widest = max((value for _label, value in steps), default=0.0) or 1.0
    centre = (left + right) / 2
    shapes = Shapes(width, height, chart.title, "")
    words = []
    previous = None
    first = steps[0][1] if steps else 0.0
    for i, (label, value) in enumerate(steps):
        y = top + band * i
        width = max((right - left) * value / widest, 2.0)
        text = fmt(value, chart.value_kind)
        shapes.rects.append(
            {
                "x": round(centre - width / 2, 1),
                "y": y,
                "width": round(width, 1),
                "height": band - 8,
                "fill": colour(0),
                "title": f"{label}: {text}",
            }
        )
        inside = fits(text, width - 8, 13)
        shapes.texts.append(
            _text(
                centre if inside else centre + width / 2 + 6,
                y + (band - 8) / 2 + 5,
                text,
                "middle" if inside else "start",
                13,
                "bold",
                "#fff" if inside else TEXT,
            )
        )
        shapes.texts.append(
            _text(left - 10, y + (band - 8) / 2 + 5, clip(label, label_w, 13), "end", 13)
        )
        words.append(f"{label}: {text}")
        if previous is not None:
            step_share = fmt.percent(value / previous) if previous else "–"
            of_first = fmt.percent(value / first) if first else "–"
            shapes.texts.append(
                _text(right + 12, y + 14, _("%(p)s of previous", p=step_share), "start", 12, "bold")
            )
            shapes.texts.append(
                _text(right + 12, y + 30, _("%(p)s of first", p=of_first), "start", 11, fill=MUTED)
            )
            words[-1] += f" ({_('%(p)s of previous', p=step_share)})"
        previous = value
    shapes.desc = "; ".join(words)
    return shapes


KINDS = {
    "bar": bar_shapes,
    "stacked": lambda chart, fmt, width=WIDTH: bar_shapes(chart, fmt, stacked=True, width=width),
    "hbar": hbar_shapes,
    "line": line_shapes,
    "funnel": funnel_shapes,
}


def chart_shapes(chart: Chart, fmt: ValueFormat, width: int = WIDTH) -> Shapes:
    """The shapes of a chart of any kind; a readable box when there is nothing to draw.

    ``width`` in the SVG's units: WIDTH for a page and the PDF, NARROW for a phone (the
    page draws both and shows one), so that text keeps its size where the chart is small.
    """
    if not chart.labels or not chart.series or not _has_data(_values(chart)):
        return empty_shapes(chart, width)
    prefix = shared_prefix(chart.labels)
    if prefix:  # "too small", "no need" under "Deals lost, by reason (Inactive – …)"
        chart = replace(
            chart,
            labels=[without_prefix(label, prefix) for label in chart.labels],
            title=with_prefix(chart.title, prefix) if chart.title else chart.title,
        )
    draw = KINDS.get(chart.kind, bar_shapes)
    return draw(chart, fmt, width=width)
