"""Charts as SVG markup, drawn on the server from numbers.

No JavaScript and no style attributes: the Content-Security-Policy forbids inline styles, so
colours are SVG presentation attributes and the rest comes from `.app-chart` in scss/app.scss.
Each chart is one `role="img"` with a label that states its totals; the numbers themselves are
in the table that every chart sits beside, which is what assistive technology reads.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# GOV.UK Frontend's palette (blue, magenta, black tint-25): each has at least 3:1 contrast
# against white, as WCAG 1.4.11 asks of the parts of a chart.
BLUE = "#1d70b8"
PINK = "#ca357c"
DARK_GREY = "#484949"

# viewBox widths near the width each chart is laid out at, so its text draws at about
# the size written here: bar charts sit in half a column, the flow chart in two thirds.
BAR_CHART_WIDTH = 460
FLOW_CHART_WIDTH = 640


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
        ' xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        width,
        height,
        label,
        label,
        body,
    )


def _scale(value: int, largest: int, length: float) -> float:
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
