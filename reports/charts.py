"""Charts as SVG markup, drawn on the server from numbers.

No JavaScript and no style attributes: the Content-Security-Policy forbids inline styles, so
colours are SVG presentation attributes and the rest comes from `.app-chart` in scss/app.scss.
Each chart is one `role="img"` with a label that states its totals; the numbers themselves are
in the table that every chart sits beside, which is what assistive technology reads.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# GOV.UK Frontend's palette (blue, magenta, black tint-25): each has at least 3:1 contrast
# against white, as WCAG 1.4.11 asks of the parts of a chart.
BLUE = "#1d70b8"
PINK = "#ca357c"
DARK_GREY = "#484949"
GREEN = "#00703c"
PURPLE = "#4c2c92"
LIGHT_GREY = "#b1b4b6"  # gridlines only: not a part of the data
# Series colours in order, for charts with several series; lines also differ by marker.
SERIES_COLOURS = (BLUE, PINK, GREEN, PURPLE, DARK_GREY)

# viewBox widths near the width each chart is laid out at, so its text draws at about
# the size written here: bar charts sit in half a column, the flow chart in two thirds.
BAR_CHART_WIDTH = 460
FLOW_CHART_WIDTH = 640
LINE_CHART_WIDTH = 640


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    secondary: int = 0  # drawn over the start of the bar, e.g. "of which no service"


@dataclass(frozen=True)
class FlowColumn:
    label: str
    entries: int
    exits: int


def _svg(*, width: int, height: int, label: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="app-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" focusable="false"'
        ' font-family="Liberation Sans, Arial, sans-serif" fill="#0b0c0c"'
        ' xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        width,
        height,
        label,
        label,
        body,
    )


def _scale(value: int | float, largest: int | float, length: float) -> float:
    return round(value / largest * length, 1) if largest else 0.0


def bar_chart(
    bars: Sequence[Bar],
    *,
    label: str,
    colour: str = BLUE,
    secondary_colour: str = PINK,
    key: tuple[str, str] | None = None,
) -> SafeString:
    """Horizontal bars, each with its label above it so long names never clip.

    `key` names the whole bar and its secondary part, for a chart that draws both.
    """
    row_height, bar_height, value_room = 44, 18, 48
    key_room = 28 if key else 0
    length = BAR_CHART_WIDTH - value_room
    largest = max((bar.value for bar in bars), default=0)
    parts = [_key(key[0], colour, key[1], secondary_colour)] if key else []
    for index, bar in enumerate(bars):
        top = key_room + index * row_height
        width = _scale(bar.value, largest, length)
        parts.append(
            format_html(
                '<text class="app-chart__label" x="0" y="{}">{}</text>'
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"></rect>',
                top + 14,
                bar.label,
                top + 20,
                width,
                bar_height,
                colour,
            )
        )
        if bar.secondary:
            parts.append(
                format_html(
                    '<rect x="0" y="{}" width="{}" height="{}" fill="{}"></rect>',
                    top + 20,
                    _scale(bar.secondary, largest, length),
                    bar_height,
                    secondary_colour,
                )
            )
        parts.append(
            format_html(
                '<text class="app-chart__value" x="{}" y="{}">{}</text>',
                width + 6,
                top + 34,
                f"{bar.value:,}",
            )
        )
    return _svg(
        width=BAR_CHART_WIDTH,
        height=key_room + max(len(bars), 1) * row_height,
        label=label,
        body=_join(parts),
    )


def flow_chart(columns: Sequence[FlowColumn], *, label: str) -> SafeString:
    """Entries rise above a middle line and exits fall below it, one column per period."""
    # Tall enough to stand beside its table of twelve weeks.
    legend_room, top_room, half, label_room = 24, 16, 200, 22
    axis = legend_room + top_room + half
    height = axis + half + top_room + label_room
    slot = FLOW_CHART_WIDTH / max(len(columns), 1)
    bar_width = round(slot * 0.5, 1)
    largest = max((max(column.entries, column.exits) for column in columns), default=0)
    parts = [
        format_html(
            '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"></line>',
            axis,
            FLOW_CHART_WIDTH,
            axis,
            DARK_GREY,
        ),
        _key("Entries (above the line)", BLUE, "Exits (below the line)", PINK),
    ]
    for index, column in enumerate(columns):
        left = round(index * slot + (slot - bar_width) / 2, 1)
        middle = round(index * slot + slot / 2, 1)
        up = _scale(column.entries, largest, half)
        down = _scale(column.exits, largest, half)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
                left,
                axis - up,
                bar_width,
                up,
                BLUE,
                left,
                axis,
                bar_width,
                down,
                PINK,
            )
        )
        if column.entries:
            parts.append(_centred(middle, axis - up - 4, column.entries))
        if column.exits:
            parts.append(_centred(middle, axis + down + 13, column.exits))
        parts.append(
            format_html(
                '<text class="app-chart__axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                middle,
                height - 4,
                column.label,
            )
        )
    return _svg(width=FLOW_CHART_WIDTH, height=height, label=label, body=_join(parts))


# A value of None is one not to draw: the pack's counts under 5, shown only as "<5".
Point = int | float | None


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    label: str,
) -> SafeString:
    """Series over time, one point per label (month), on a y axis from zero with light gridlines.

    Each series has its own colour and marker shape, so the lines can be told apart in grey.
    A None value leaves a gap in its line.
    """
    legend_room, top_room, plot_height, axis_room = (
        8 + 20 * _legend_rows(series, LINE_CHART_WIDTH),
        12,
        160,
        44,
    )
    plot_width = LINE_CHART_WIDTH - axis_room - 8
    slot = plot_width / max(len(labels), 1)
    # Labels too wide for their slot ("Dec 2025" twelve times) break at their last space onto two lines.
    two_lines = any(len(text) * 6.2 > slot - 4 and " " in text for text in labels)
    label_room = 36 if two_lines else 22
    top = legend_room + top_room
    bottom = top + plot_height
    height = bottom + label_room
    largest = max((value for _, values in series for value in values if value is not None), default=0)
    step = _tick_step(largest)
    ceiling = step * 4
    parts = [_legend(series, width=LINE_CHART_WIDTH, marker=True)]
    for tick in range(5):
        y = round(bottom - plot_height * tick / 4, 1)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"></line>'
                '<text class="app-chart__axis" font-size="11" fill="#505a5f" x="{}" y="{}"'
                ' text-anchor="end">{}</text>',
                axis_room,
                y,
                LINE_CHART_WIDTH - 8,
                y,
                DARK_GREY if tick == 0 else LIGHT_GREY,
                1 if tick == 0 else 0.5,
                axis_room - 6,
                y + 4,
                _number(step * tick),
            )
        )
    for index, text in enumerate(labels):
        x = round(axis_room + slot * (index + 0.5), 1)
        if two_lines and " " in text:
            first, second = text.rsplit(" ", 1)
            parts.append(
                format_html(
                    '<text class="app-chart__axis" font-size="11" fill="#505a5f" x="{}" y="{}"'
                    ' text-anchor="middle">{}<tspan x="{}" dy="13">{}</tspan></text>',
                    x,
                    bottom + 16,
                    first,
                    x,
                    second,
                )
            )
        else:
            parts.append(
                format_html(
                    '<text class="app-chart__axis" font-size="11" fill="#505a5f" x="{}" y="{}"'
                    ' text-anchor="middle">{}</text>',
                    x,
                    bottom + 16,
                    text,
                )
            )
    for number, (_, values) in enumerate(series):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(
                (
                    round(axis_room + slot * (index + 0.5), 1),
                    round(bottom - _scale(value, ceiling, plot_height), 1),
                )
            )
        for run in runs:
            if len(run) > 1:
                parts.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"></polyline>',
                        " ".join(f"{x},{y}" for x, y in run),
                        colour,
                    )
                )
            parts.extend(_marker(number, x, y, colour) for x, y in run)
    return _svg(width=LINE_CHART_WIDTH, height=height, label=label, body=_join(parts))


def grouped_bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    label: str,
    value_text: Callable[[Point], str] | None = None,
) -> SafeString:
    """Horizontal bars, one group per label (its name above it), one bar per series in the group.

    `value_text` writes the number at the end of each bar (the pack passes its "<5" rule); a None
    value draws no bar, only its text.
    """
    bar_height, gap, name_room = 11, 2, 17
    legend_room = 8 + 20 * _legend_rows(series, BAR_CHART_WIDTH) if len(series) > 1 else 0
    group_height = name_room + len(series) * (bar_height + gap) + 6
    value_room = 56
    length = BAR_CHART_WIDTH - value_room
    largest = max((value for _, values in series for value in values if value is not None), default=0)
    write = value_text or _number
    parts = [_legend(series, width=BAR_CHART_WIDTH, marker=False)] if len(series) > 1 else []
    for index, text in enumerate(labels):
        top = legend_room + index * group_height
        parts.append(
            format_html(
                '<text class="app-chart__label" font-size="13" x="0" y="{}">{}</text>', top + 14, text
            )
        )
        for number, (_, values) in enumerate(series):
            value = values[index] if index < len(values) else 0
            y = top + name_room + number * (bar_height + gap)
            width = 0.0 if value is None else _scale(value, largest, length)
            parts.append(
                format_html(
                    '<rect x="0" y="{}" width="{}" height="{}" fill="{}"></rect>'
                    '<text class="app-chart__value" font-size="11" x="{}" y="{}">{}</text>',
                    y,
                    width,
                    bar_height,
                    SERIES_COLOURS[number % len(SERIES_COLOURS)],
                    width + 4,
                    y + bar_height - 1.5,
                    write(value),
                )
            )
    return _svg(
        width=BAR_CHART_WIDTH,
        height=legend_room + max(len(labels), 1) * group_height,
        label=label,
        body=_join(parts),
    )


def _number(value: Point) -> str:
    if value is None:
        return ""
    return (
        f"{value:,}"
        if isinstance(value, int) or (float(value).is_integer() and value >= 10)
        else f"{value:,.1f}"
    )


def _tick_step(largest: int | float) -> int | float:
    """A round step so that four steps reach past the largest value: 1, 2, 2.5 or 5 times a power of ten."""
    if largest <= 0:
        return 1
    rough = largest / 4
    power = 10 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 2.5, 5, 10):
        if power * multiple >= rough:
            step = power * multiple
            return int(step) if float(step).is_integer() else step
    return power * 10  # not reached


def _legend_places(series: Sequence[tuple[str, Sequence[Point]]], width: int) -> list[tuple[float, int]]:
    """Where each key entry starts: in a row while it fits, measured at about 7 units a character."""
    places: list[tuple[float, int]] = []
    x, row = 0.0, 0
    for name, _ in series:
        entry = 24 + len(name) * 7 + 20
        if x and x + entry - 20 > width:
            x, row = 0.0, row + 1
        places.append((x, row))
        x += entry
    return places


def _legend_rows(series: Sequence[tuple[str, Sequence[Point]]], width: int) -> int:
    return max((row for _, row in _legend_places(series, width)), default=-1) + 1


def _legend(series: Sequence[tuple[str, Sequence[Point]]], *, width: int, marker: bool) -> SafeString:
    """A key: each series' swatch (or line and marker) and name, in rows as wide as the chart."""
    parts = []
    for number, ((name, _), (x, row)) in enumerate(zip(series, _legend_places(series, width), strict=True)):
        y = row * 20
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        if marker:
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"></line>',
                    x,
                    y + 9,
                    x + 18,
                    y + 9,
                    colour,
                )
            )
            parts.append(_marker(number, x + 9, y + 9, colour))
        else:
            parts.append(
                format_html('<rect x="{}" y="{}" width="14" height="14" fill="{}"></rect>', x, y + 2, colour)
            )
        parts.append(
            format_html(
                '<text class="app-chart__label" font-size="13" x="{}" y="{}">{}</text>', x + 24, y + 14, name
            )
        )
    return _join(parts)


def _marker(number: int, x: float, y: float, colour: str) -> SafeString:
    shape = number % 3
    if shape == 0:
        return format_html('<circle cx="{}" cy="{}" r="3.5" fill="{}"></circle>', x, y, colour)
    if shape == 1:
        return format_html(
            '<rect x="{}" y="{}" width="7" height="7" fill="{}"></rect>',
            round(x - 3.5, 1),
            round(y - 3.5, 1),
            colour,
        )
    return format_html(
        '<polygon points="{},{} {},{} {},{}" fill="{}"></polygon>',
        x,
        round(y - 4.5, 1),
        round(x - 4, 1),
        round(y + 3, 1),
        round(x + 4, 1),
        round(y + 3, 1),
        colour,
    )


def _centred(x: float, y: float, value: int) -> SafeString:
    return format_html(
        '<text class="app-chart__value" x="{}" y="{}" text-anchor="middle">{}</text>', x, y, value
    )


def _key(first: str, first_colour: str, second: str, second_colour: str) -> SafeString:
    # The second entry starts after the first's text, measured at Arial's average width.
    second_x = 20 + round(len(first) * 7.5) + 24
    return format_html(
        '<rect x="0" y="2" width="14" height="14" fill="{}"></rect>'
        '<text class="app-chart__label" x="20" y="14">{}</text>'
        '<rect x="{}" y="2" width="14" height="14" fill="{}"></rect>'
        '<text class="app-chart__label" x="{}" y="14">{}</text>',
        first_colour,
        first,
        second_x,
        second_colour,
        second_x + 20,
        second,
    )


def _join(parts: Sequence[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))
