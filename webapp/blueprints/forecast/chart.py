"""The forecast's bar chart as plain geometry for an SVG template (no JavaScript charting)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_compact_decimal
from flask_babel import format_date, get_locale

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 24, 44
NICE_STEPS = (1, 2, 2.5, 5, 10)


@dataclass
class Bar:
    x: float
    width: float
    centre: float
    label: str
    won_y: float
    won_height: float
    weighted_y: float
    weighted_height: float
    total_y: float
    value_y: float
    total_text: str
    budget_y: float | None
    budget_text: str | None
    title: str


def nice_ceiling(value: float, ticks: int = 4) -> float:
    """The smallest round axis top (1, 2, 2.5 or 5 × 10^n per tick) at or above value."""
    if value <= 0:
        return float(ticks)
    raw = value / ticks
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    for step in NICE_STEPS:
        if step * magnitude >= raw:
            return step * magnitude * ticks
    return 10 * magnitude * ticks


def value_label_y(total_y: float, budget_y: float | None) -> float:
    """Above the bar, and above the budget mark too when the two are close."""
    if budget_y is not None and abs(total_y - budget_y) < 16:
        return min(total_y, budget_y) - 8
    return total_y - 6


def compact(amount) -> str:
    return format_compact_decimal(
        Decimal(amount).quantize(Decimal("1"), rounding=ROUND_HALF_UP),
        locale=str(get_locale() or "en"),
        fraction_digits=1,
    )


def bar_chart(months, figures, money, ticks: int = 4) -> dict:
    """Stacked won + weighted bars with a budget mark per month, and the axis lines."""
    top_value = max(
        [float(f.total) for f in figures] + [float(f.budget or 0) for f in figures] + [0.0]
    )
    axis_top = nice_ceiling(top_value, ticks)
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(len(months), 1)
    base = TOP + plot_height

    def y(value) -> float:
        return round(base - float(value) / axis_top * plot_height, 1)

    grid = [
        {"y": y(axis_top * n / ticks), "label": compact(axis_top * n / ticks)}
        for n in range(ticks + 1)
    ]
    bars = []
    for n, (month, f) in enumerate(zip(months, figures, strict=True)):
        width = round(slot * 0.56, 1)
        x = round(LEFT + slot * n + (slot - width) / 2, 1)
        won_top, total_top = y(f.won), y(f.total)
        title = f"{format_date(month, 'MMMM yyyy')}: {money(f.total)}"
        if f.budget is not None:
            title += f" / {money(f.budget)}"
        bars.append(
            Bar(
                x=x,
                width=width,
                centre=round(x + width / 2, 1),
                label=format_date(month, "MMM yyyy"),
                won_y=won_top,
                won_height=round(base - won_top, 1),
                weighted_y=total_top,
                weighted_height=round(won_top - total_top, 1),
                total_y=total_top,
                value_y=round(
                    value_label_y(total_top, y(f.budget) if f.budget is not None else None), 1
                ),
                total_text=compact(f.total),
                budget_y=y(f.budget) if f.budget is not None else None,
                budget_text=compact(f.budget) if f.budget is not None else None,
                title=title,
            )
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "base": base,
        "slot": slot,
        "grid": grid,
        "bars": bars,
    }
