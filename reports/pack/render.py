"""Lay a pack's sections out as the PDF (WeasyPrint) and as the CSV bundle (a zip of one CSV per table).

Both read the same `Table.shown_rows()`/`shown_total()`, so a figure, and its "<5", is the same in
the PDF and the CSV.
"""

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.text import slugify

from reports import charts
from reports.pack import (
    SUPPRESSION_THRESHOLD,
    Cell,
    Chart,
    PackScope,
    Paragraph,
    Section,
    Table,
    is_small,
    shown,
)

# A zip entry's timestamp is fixed, so the same tables give the same bytes and checksum.
ZIP_TIMESTAMP = (2000, 1, 1, 0, 0, 0)
TAGGED_PDF = True
# Tables up to this many rows are kept on one page (moved whole to the next page if need be).
SMALL_TABLE_ROWS = 30

SUPPRESSION_RULE = (
    f"Counts of people or events from 1 to {SUPPRESSION_THRESHOLD - 1} are shown as "
    f'"<{SUPPRESSION_THRESHOLD}" so that no one can be identified; zero is shown as 0. '
    "A percentage of such a count is not shown either (\u2013). Medians and costs are not suppressed: "
    "where they rest on small counts the table says so."
)
SOURCES = (
    "People, cohort memberships, reviews, needs, offences, goals and feedback: "
    "the IOM case manager's records.",
    "Contacts, attendance and enforcement actions: supervision records in the IOM case manager.",
    "Referrals and partner services: referrals and their events as recorded by IOM and partner staff.",
    "Cost of crime: the unit-cost table kept by administrators, seeded from the Home Office's "
    "The economic and social costs of crime, second edition (Research Report 99, 2018); "
    "each cost shows its source and price year.",
    "Area baselines: the reference table of each team area's population kept by administrators "
    "(source and year shown with each figure).",
)
DEFINITIONS = (
    (
        "Period",
        "The calendar month the pack reports on; people on caseloads are counted as at its last day "
        "unless a table says otherwise.",
    ),
    (
        "Fixed, Flex, Free",
        "The IOM cohorts since the 2021 IOM Refresh: Fixed (people on probation assessed as highest "
        "risk of neighbourhood crime, entry by criteria), Flex (selected by local panel judgement), "
        "Free (local priorities, e.g. domestic abuse or young adults; many are voluntary).",
    ),
    (
        "Contact compliance",
        "Contacts held against the standard set for the person's cohort (by default 3 appointments "
        "a week for Fixed; set per person for Flex and Free), week by week.",
    ),
    ("Joint visit", "A contact attended by staff of two or more agencies."),
    ("Unmet need (no service)", "A need recorded as unmet because no service exists to meet it."),
    (
        "Reoffending before and after",
        "Proven offences in the 12 months before entry against the 12 months "
        "after, for people with at least 12 months on IOM. There is no comparison group, so the difference "
        "is not the effect of IOM.",
    ),
    (
        "Data quality",
        "Missing identifiers (CRN, PNC ID, NOMIS number, CRO number), reviews past due, and "
        "records not touched in 90 days.",
    ),
)


@dataclass(frozen=True)
class PackPart:
    """One scope of the pack and its sections, in order."""

    scope: PackScope
    sections: Sequence[Section]


@dataclass(frozen=True)
class PackContent:
    kind: str  # "Regional governance pack"
    scope_name: str  # "Northshire"
    period_start: date
    period_end: date
    built_on: date
    requested_by: str  # a name, or "" when the schedule asked for it
    parts: Sequence[PackPart]


def csv_file_names(content: PackContent) -> list[tuple[str, Table]]:
    """Each table's path in the bundle: a folder per scope in pack order, a file per section and table."""
    named: list[tuple[str, Table]] = []
    for number, part in enumerate(content.parts, start=1):
        folder = f"{number:02d}-{slugify(part.scope.label)}"
        used: set[str] = set()
        for section in part.sections:
            for table in section.tables():
                stem = slugify(f"{section.key}-{table.key}")
                name, copy = stem, 1
                while name in used:  # never overwrite: keys are unique per module, not per scope
                    copy += 1
                    name = f"{stem}-{copy}"
                used.add(name)
                named.append((f"{folder}/{name}.csv", table))
    return named


def table_csv(table: Table) -> bytes:
    """The table as Excel opens it: UTF-8 with a byte-order mark, the header row, the shown values."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_as_text(column) for column in table.columns])
    for row, shown_row in zip(table.rows, table.shown_rows(), strict=True):
        writer.writerow(_csv_row(row, shown_row))
    total = table.shown_total()
    if table.total is not None and total is not None:
        writer.writerow(_csv_row(table.total, total))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# A cell a spreadsheet would run as a formula (CSV injection): =, +, - or @ first, or a tab or
# carriage return before one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: str) -> str:
    """Typed text (an organisation's name, say) opened with an apostrophe when it would start a
    formula, so a spreadsheet shows it as text."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _csv_row(row: Sequence[Cell], shown_row: Sequence[str]) -> list[str]:
    # Only text is neutralised: a number shown as "-3" stays a number.
    return [
        _as_text(shown) if isinstance(value, str) else shown
        for value, shown in zip(row, shown_row, strict=True)
    ]


def render_csv_zip(content: PackContent) -> bytes:
    files = csv_file_names(content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        _add(bundle, "README.txt", _readme(content, files).encode("utf-8"))
        for name, table in files:
            _add(bundle, name, table_csv(table))
    return buffer.getvalue()


def _add(bundle: zipfile.ZipFile, name: str, data: bytes) -> None:
    entry = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    bundle.writestr(entry, data)


def _readme(content: PackContent, files: Sequence[tuple[str, Table]]) -> str:
    lines = [
        f"IOM case manager: {content.kind}, {content.scope_name}",
        f"Period: {content.period_start:%-d %B %Y} to {content.period_end:%-d %B %Y}",
        f"Built on {content.built_on:%-d %B %Y}, "
        f"requested by {content.requested_by or 'the monthly schedule'}",
        "OFFICIAL-SENSITIVE",
        "",
        "Every table of the PDF pack, one CSV file each (UTF-8), in a folder per scope.",
        "",
        "Suppression: " + SUPPRESSION_RULE,
        "",
        "Files:",
    ]
    for name, table in files:
        lines.append(f"  {name}: {table.title}" + (f" ({table.note})" if table.note else ""))
    return "\r\n".join(lines) + "\r\n"


# The PDF ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ChartView:
    title: str
    svg: SafeString
    wide: bool  # a line chart takes the page's width; bars take most of it
    hides_small: bool = False  # some counts under 5 are not drawn


@dataclass(frozen=True)
class _TableView:
    anchor: str
    title: str
    note: str
    columns: Sequence[tuple[str, bool]]  # (heading, is numeric)
    rows: Sequence[Sequence[tuple[str, bool]]]
    total: Sequence[tuple[str, bool]] | None
    small: bool
    first_width: int  # percent of the width for the column that names the rows
    chart: _ChartView | None  # the chart drawn from this table, set beside it


@dataclass(frozen=True)
class _BlockView:
    table: _TableView | None = None
    chart: _ChartView | None = None  # a chart whose table is not in the section
    paragraph: str = ""


@dataclass(frozen=True)
class _SectionView:
    anchor: str
    title: str
    blocks: Sequence[_BlockView]


@dataclass(frozen=True)
class _PartView:
    anchor: str
    label: str
    sections: Sequence[_SectionView]


def render_pdf(content: PackContent) -> tuple[bytes, int]:
    from weasyprint import HTML  # imported here: it takes about a second, and only workers need it

    html = pack_html(content)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    # Tagged, so a screen reader follows headings and tables: about 15% more time and memory.
    return document.write_pdf(pdf_tags=TAGGED_PDF), len(document.pages)


def pack_html(content: PackContent) -> str:
    parts = [_part_view(number, part) for number, part in enumerate(content.parts, start=1)]
    widest = content.parts[-1] if content.parts else None
    return render_to_string(
        "reports/pdf/pack.html",
        {
            "content": content,
            "parts": parts,
            "summary_scope": widest.scope.label if widest else "",
            "headlines": [
                (section.title if number == 0 else "", label, value, trend)
                for section in (widest.sections if widest else ())
                for number, (label, value, trend) in enumerate(section.headlines)
            ],
            "comparison": _comparison(content.parts),
            "comparison_caption": "Headline figures of each part of the pack, side by side",
            "suppression_rule": SUPPRESSION_RULE,
            "sources": SOURCES,
            "definitions": DEFINITIONS,
        },
    )


def _comparison(parts: Sequence[PackPart]) -> dict[str, object] | None:
    """Each scope's first headline of each section, side by side: a team-by-team view for the summary."""
    if len(parts) < 2 or len(parts) > 8:
        return None
    rows: list[tuple[str, list[str]]] = []
    index: dict[str, int] = {}
    for number, part in enumerate(parts):
        for section in part.sections:
            if not section.headlines:
                continue
            label, value, _ = section.headlines[0]
            if label not in index:
                index[label] = len(rows)
                rows.append((label, [""] * len(parts)))
            rows[index[label]][1][number] = value
    if not rows:
        return None
    return {"columns": [part.scope.label for part in parts], "rows": rows}


def _part_view(number: int, part: PackPart) -> _PartView:
    anchor = f"part-{number}"
    return _PartView(
        anchor=anchor,
        label=part.scope.label,
        sections=[
            _section_view(f"{anchor}-{index}", section)
            for index, section in enumerate(part.sections, start=1)
        ],
    )


def _section_view(anchor: str, section: Section) -> _SectionView:
    tables = {table.key: table for table in section.tables()}
    charts_by_table = {
        block.table_key: _chart_svg(block, tables.get(block.table_key))
        for block in section.blocks
        if isinstance(block, Chart) and block.table_key in tables and _has_something_to_draw(block)
    }
    blocks: list[_BlockView] = []
    for index, block in enumerate(section.blocks):
        if isinstance(block, Table):
            blocks.append(
                _BlockView(table=_table_view(f"{anchor}-{index}", block, charts_by_table.get(block.key)))
            )
        elif isinstance(block, Chart):
            if block.table_key not in tables and _has_something_to_draw(block):
                blocks.append(_BlockView(chart=_chart_svg(block, None)))
        elif isinstance(block, Paragraph):
            blocks.append(_BlockView(paragraph=block.text))
    return _SectionView(anchor=anchor, title=section.title, blocks=blocks)


def _table_view(anchor: str, table: Table, chart: _ChartView | None) -> _TableView:
    numeric = [
        index in table.count_columns
        # A column of figures (and en dashes for none): a column of nothing but dashes too.
        or all(isinstance(row[index], int | float) for row in table.rows if row[index] is not None)
        for index in range(len(table.columns))
    ]
    numeric[0] = numeric[0] and len(table.columns) == 1  # the first column names the row

    def cells(values: Sequence[str]) -> list[tuple[str, bool]]:
        return [
            (value, numeric[index] if index < len(numeric) else False) for index, value in enumerate(values)
        ]

    total = table.shown_total()
    return _TableView(
        anchor=anchor,
        title=table.title,
        note=table.note,
        columns=cells(list(table.columns)),
        rows=[cells(row) for row in table.shown_rows()],
        total=cells(total) if total is not None else None,
        small=len(table.rows) <= SMALL_TABLE_ROWS,
        # Wide enough for a pathway's or a reason's name; the figures share the rest equally.
        first_width=max(22, min(50, 100 - (len(table.columns) - 1) * 11)),
        chart=chart,
    )


def _chart_svg(chart: Chart, table: Table | None) -> _ChartView:
    label = (
        f"{chart.title}. The figures are in the table \u201c{table.title}\u201d." if table else chart.title
    )
    # A count under 5 is drawn as nothing (a gap in a line, no bar) and a bar's text says "<5", so
    # the chart tells no more than its table does.
    series = [
        (name, [None if _suppressed(value) else value for value in values]) for name, values in chart.series
    ]
    hides_small = any(value is None for _, values in series for value in values)
    if chart.kind == "line":
        svg = charts.line_chart(chart.labels, series, label=label)
    else:
        svg = charts.grouped_bar_chart(chart.labels, series, label=label, value_text=_chart_value)
    return _ChartView(chart.title, svg, wide=chart.kind == "line", hides_small=hides_small)


def _suppressed(value: int | float | None) -> bool:
    return is_small(value)


def _has_something_to_draw(chart: Chart) -> bool:
    """A chart of nothing but zeros and counts under 5 is left out: its table says so more plainly."""
    return any(value and not _suppressed(value) for _, values in chart.series for value in values)


def _chart_value(value: int | float | None) -> str:
    if value is None:
        return f"<{SUPPRESSION_THRESHOLD}"
    return shown(value, count=True) if isinstance(value, int) else f"{value:,.1f}"
