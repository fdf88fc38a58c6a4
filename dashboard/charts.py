"""Charts drawn on the server as SVG: no script, nothing but 'self' styles.

Only the geometry is computed here; templates/dashboard/_chart.html draws it
with classes whose colours come from the admin's CSS variables
(static/css/dashboard.css), so a chart follows the light and dark themes.
Every chart says in words what it shows (``desc``), and the page puts its
numbers in a table beside it.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format, number_format

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 26
GRIDLINES = 4


@dataclass
class Series:
    label: str
    css: str  # a class of dashboard.css: its stroke or fill colour
    values: list[int]
    points: str = ""  # "x,y x,y ..." for a line


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    width: int = WIDTH
    height: int = HEIGHT
    gridlines: list[tuple[float, str]] = field(default_factory=list)
    xlabels: list[tuple[float, str, str]] = field(default_factory=list)
    lines: list[Series] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    bar_css: str = ""
    legend: list[Series] = field(default_factory=list)
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    right_edge: int = WIDTH - RIGHT


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 (or 4 for quarters) × 10ⁿ at or above
    ``value``, split in GRIDLINES equal whole steps (at least 4)."""
    step = 1
    while True:
        for multiple in (1, 2, 5):
            if step * multiple * GRIDLINES >= value:
                return step * multiple * GRIDLINES
        step *= 10


def _y(value: int, top_value: int) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return round(HEIGHT - BOTTOM - plot * value / top_value, 1)


def _x(index: int, count: int) -> float:
    """The middle of slot ``index`` of ``count`` across the plot."""
    slot = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return round(LEFT + slot * (index + 0.5), 1)


def _frame(chart: Chart, days: list[date], top_value: int) -> None:
    chart.gridlines = [
        (
            _y(top_value * n // GRIDLINES, top_value),
            number_format(top_value * n // GRIDLINES, force_grouping=True),
        )
        for n in range(GRIDLINES + 1)
    ]
    if not days:
        return
    picks = sorted({0, len(days) // 2, len(days) - 1})
    anchors = {0: "start", len(days) - 1: "end"}
    chart.xlabels = [
        (_x(i, len(days)), date_format(days[i], "j M"), anchors.get(i, "middle"))
        for i in picks
    ]


def _span(days: list[date]) -> str:
    if not days:
        return "no days"
    return f"{date_format(days[0], 'j F')} to {date_format(days[-1], 'j F Y')}"


def _peak(series: Series, days: list[date]) -> str:
    if not days or not any(series.values):
        return f"no {series.label}"
    top = max(series.values)
    day = days[series.values.index(top)]
    total = sum(series.values)
    return (
        f"{number_format(total, force_grouping=True)} {series.label} in all, "
        f"most on {date_format(day, 'j F')} ({number_format(top, force_grouping=True)})"
    )


def line_chart(*, id: str, title: str, days: list[date], series: list[Series]) -> Chart:
    """One line per series over the days, on a shared scale from zero."""
    top_value = nice_ceiling(max((max(s.values, default=0) for s in series), default=0))
    for one in series:
        one.points = " ".join(
            f"{_x(i, len(days))},{_y(value, top_value)}"
            for i, value in enumerate(one.values)
        )
    desc = f"{_span(days)}: " + "; ".join(_peak(one, days) for one in series) + "."
    chart = Chart(id=id, title=title, desc=desc, lines=series, legend=series)
    _frame(chart, days, top_value)
    return chart


def bar_chart(*, id: str, title: str, days: list[date], series: Series) -> Chart:
    """One bar per day."""
    top_value = nice_ceiling(max(series.values, default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    width = round(max(slot * 0.7, 1), 1)
    bars = []
    for i, value in enumerate(series.values):
        y = _y(value, top_value)
        bars.append(
            Bar(
                x=round(_x(i, len(days)) - width / 2, 1),
                y=y,
                width=width,
                height=round(HEIGHT - BOTTOM - y, 1),
                title=f"{date_format(days[i], 'j F')}: {value} {series.label}",
            )
        )
    desc = f"{_span(days)}: {_peak(series, days)}."
    chart = Chart(id=id, title=title, desc=desc, bars=bars, bar_css=series.css)
    _frame(chart, days, top_value)
    return chart
