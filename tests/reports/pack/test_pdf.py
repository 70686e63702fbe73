"""The pack's PDF, from hand-built sections: what a reader finds on its pages."""

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports import charts
from reports.pack import Chart, PackScope, Paragraph, Section, Table
from reports.pack.render import PackContent, PackPart, pack_html, render_pdf

OCTOBER = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
BUILT_ON = datetime.date(2026, 11, 2)
MONTHS = ["Nov 25", "Dec 25", "Jan 26", "Feb 26", "Mar 26", "Apr 26"]


def scope(label: str, key: str, team_ids: tuple[int, ...]) -> PackScope:
    return PackScope(label, key, team_ids, *OCTOBER, today=BUILT_ON, region_id=1)


def cohort_section(fixed: int, flex: int) -> Section:
    sizes = Table(
        key="cohort-sizes",
        title="People on IOM by cohort",
        columns=["Cohort", "People", "Share %"],
        rows=[["Fixed", fixed, 75.0], ["Flex", flex, 25.0], ["Free", 0, None]],
        count_columns=frozenset({1}),
        total=["All cohorts", fixed + flex, 100.0],
        note="Counted on 31 October 2026.",
    )
    trend = Table(
        key="cohort-trend",
        title="People on IOM by month",
        columns=["Month", "Fixed", "Flex"],
        rows=[[month, fixed - 5 + index, flex] for index, month in enumerate(MONTHS)],
        count_columns=frozenset({1, 2}),
    )
    return Section(
        key="cohorts",
        title="Cohorts",
        blocks=[
            sizes,
            Chart(
                "bar",
                "People on IOM by cohort",
                ["Fixed", "Flex"],
                [("People", [fixed, flex])],
                "cohort-sizes",
            ),
            trend,
            Chart(
                "line",
                "People on IOM by month",
                MONTHS,
                [("Fixed", [fixed - 5 + i for i in range(6)]), ("Flex", [flex] * 6)],
                "cohort-trend",
            ),
            Paragraph("Cohort sizes are counted on the last day of each month."),
        ],
        headlines=[("people on IOM", f"{fixed + flex:,}", "up 4 on September")],
    )


def contacts_section(made: int) -> Section:
    return Section(
        key="contacts",
        title="Contact compliance",
        blocks=[
            Table(
                "compliance",
                "Contacts against the cohort standard",
                ["Cohort", "Contacts"],
                [["Fixed", made]],
                frozenset({1}),
            )
        ],
        headlines=[("contacts made", f"{made:,}", "")],
    )


def regional_content(requested_by: str = "Rhona Lead") -> PackContent:
    city = scope("City IOM", "team-1", (1,))
    county = scope("County IOM", "team-2", (2,))
    region = scope("Northshire (all teams)", "region-1", (1, 2))
    return PackContent(
        kind="Regional governance pack",
        scope_name="Northshire",
        period_start=OCTOBER[0],
        period_end=OCTOBER[1],
        built_on=BUILT_ON,
        requested_by=requested_by,
        parts=[
            PackPart(city, [cohort_section(fixed=1234, flex=3), contacts_section(88)]),
            PackPart(county, [cohort_section(fixed=20, flex=7), contacts_section(2)]),
            PackPart(region, [cohort_section(fixed=1254, flex=10), contacts_section(90)]),
        ],
    )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (Debian package poppler-utils) is needed to read the PDF")
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def regional_pdf() -> tuple[bytes, int]:
    return render_pdf(regional_content())


def pages_of(text: str) -> list[str]:
    return text.split("\f")


def test_the_pdf_is_tagged_for_screen_readers(regional_pdf, tmp_path):
    path = tmp_path / "tagged.pdf"
    path.write_bytes(regional_pdf[0])
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)


def test_the_page_count_is_the_pdfs(regional_pdf, tmp_path):
    pdf, page_count = regional_pdf
    assert pdf.startswith(b"%PDF")
    # Cover, contents, summary, 3 scopes x 2 sections each on a new page, about: at least 10.
    assert page_count >= 10
    assert pdf_pages(pdf, tmp_path) == page_count


def test_the_cover_names_the_pack_its_period_and_who_asked(regional_pdf, tmp_path):
    cover = pages_of(pdf_text(regional_pdf[0], tmp_path))[0]
    assert "Regional governance pack: Northshire" in cover
    assert "1 October 2026 to 31 October 2026" in cover
    assert "2 November 2026" in cover
    assert "Rhona Lead" in cover
    assert "OFFICIAL-SENSITIVE" in cover


def test_a_scheduled_pack_says_the_schedule_asked(tmp_path):
    pdf, _ = render_pdf(regional_content(requested_by=""))
    assert "the monthly schedule" in pages_of(pdf_text(pdf, tmp_path))[0]


def test_every_page_has_the_classification_and_page_x_of_y(regional_pdf, tmp_path):
    pdf, page_count = regional_pdf
    pages = [page for page in pages_of(pdf_text(pdf, tmp_path)) if page.strip()]
    assert len(pages) == page_count
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {page_count}" in page
        assert "OFFICIAL-SENSITIVE" in page


def test_the_contents_lists_each_scope_and_section_with_the_page_it_starts_on(regional_pdf, tmp_path):
    pages = pages_of(pdf_text(regional_pdf[0], tmp_path))
    contents = pages[1]
    listed = dict(re.findall(r"^\s*(\S[^.\n]*?)\s*\.{3,}\s*(\d+)\s*$", contents, re.MULTILINE))
    assert list(listed)[:4] == ["Summary", "City IOM", "Cohorts", "Contact compliance"]
    assert "Northshire (all teams)" in listed
    assert "About this pack" in listed
    # Each listed page really shows what the contents says it does.
    assert "Summary: Northshire (all teams)" in pages[int(listed["Summary"]) - 1]
    city_page = pages[int(listed["City IOM"]) - 1]
    assert "City IOM" in city_page
    assert "People on IOM by cohort" in city_page
    assert "Small numbers" in pages[int(listed["About this pack"]) - 1]


def test_each_scope_has_its_own_part_in_pack_order(regional_pdf, tmp_path):
    pages = pages_of(pdf_text(regional_pdf[0], tmp_path))
    section_pages = {
        label: [
            number
            for number, page in enumerate(pages)
            if number > 2 and f"{label}\n" in page and "People on IOM by cohort" in page
        ]
        for label in ("City IOM", "County IOM", "Northshire (all teams)")
    }
    firsts = [numbers[0] for numbers in section_pages.values()]
    assert firsts == sorted(firsts)
    about = max(number for number, page in enumerate(pages) if "About this pack" in page)
    assert about > firsts[-1]


def test_a_table_shows_its_values_totals_and_suppresses_small_counts(regional_pdf, tmp_path):
    text = pdf_text(regional_pdf[0], tmp_path)
    lines = [line.split() for line in text.splitlines()]
    # City IOM: Fixed 1,234 (75.0%), Flex 3 → "<5", Free 0 stays 0 with no share, total 1,237.
    assert ["Fixed", "1,234", "75.0"] in lines
    assert ["Flex", "<5", "25.0"] in lines
    assert ["Free", "0", "\u2013"] in lines
    assert ["All", "cohorts", "1,237", "100.0"] in lines
    assert "3" not in {line[1] for line in lines if len(line) == 3 and line[0] == "Flex"}
    assert "Counted on 31 October 2026." in text
    assert "Cohort sizes are counted on the last day of each month." in text


def test_the_summary_shows_the_widest_scopes_headlines_and_each_teams_figures(regional_pdf, tmp_path):
    pages = pages_of(pdf_text(regional_pdf[0], tmp_path))
    summary = pages[2]
    assert "Summary: Northshire (all teams)" in summary
    lines = [line.split() for line in summary.splitlines()]
    # The widest scope's headlines: area (first of its section), figure, value, trend.
    assert ["Cohorts", "people", "on", "IOM", "1,264", "up", "4", "on", "September"] in lines
    assert ["Contact", "compliance", "contacts", "made", "90"] in lines
    # Then each part's first headline of each section, side by side: City, County, region.
    assert ["people", "on", "IOM", "1,237", "27", "1,264"] in lines
    assert ["contacts", "made", "88", "2", "90"] in lines


def test_the_about_page_gives_sources_the_suppression_rule_and_definitions(regional_pdf, tmp_path):
    about = " ".join(pages_of(pdf_text(regional_pdf[0], tmp_path))[-2].split())
    assert "About this pack" in about
    assert 'Counts of people or events from 1 to 4 are shown as "<5"' in about
    assert "Research Report 99, 2018" in about
    assert "Joint visit" in about


def test_charts_are_inline_svg_images_with_a_label_and_no_script():
    html = pack_html(regional_content())
    assert "<script" not in html
    assert html.count("<svg") == 6  # two charts in each of three scopes
    assert html.count('role="img"') == 6
    assert 'aria-label="People on IOM by month. The figures are in the table' in html
    assert "<title>People on IOM by cohort." in html
    # The bar chart prints the suppressed value, not the count.
    bar = html[html.index("<svg") : html.index("</svg>")]
    assert ">&lt;5</text>" in bar
    assert ">3</text>" not in bar
    # Every chart sits just before the table it draws.
    assert html.index("<svg") < html.index("People on IOM by cohort</caption>")


def test_numeric_columns_are_right_aligned_and_the_first_column_is_not():
    html = pack_html(regional_content())
    assert '<th scope="col">Cohort</th><th scope="col" class="num">People</th>' in html
    assert '<td>Fixed</td><td class="num">1,234</td><td class="num">75.0</td>' in html


def test_a_line_chart_draws_one_line_and_marker_per_point_for_each_series():
    svg = charts.line_chart(
        ["Jan", "Feb", "Mar"], [("Fixed", [10, 20, 40]), ("Flex", [0, 5, 5])], label="People by month"
    )
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 3 + 1  # Fixed's three points and its key
    assert svg.count("<rect") == 3 + 1  # Flex's three square markers and its key
    assert 'aria-label="People by month"' in svg
    # The axis runs 0 to 40 in steps of 10, and the largest point sits on the top gridline.
    assert list(re.findall(r'text-anchor="end">([\d,.]+)<', svg)) == [
        "0",
        "10",
        "20",
        "30",
        "40",
    ]
    top = re.findall(r'<line x1="44" y1="([\d.]+)"', svg)[-1]
    assert f",{top}" in svg.split('points="')[1].split('"')[0].split()[-1]


def test_a_grouped_bar_chart_draws_a_bar_per_series_in_each_group():
    svg = charts.grouped_bar_chart(
        ["Housing", "Mental health"],
        [("Made", [10, 4]), ("Accepted", [5, 0])],
        label="Referrals by pathway",
    )
    assert svg.count("<rect") == 4 + 2  # four bars and a key of two
    assert ">Housing</text>" in svg
    assert ">Made</text>" in svg
    assert ">Accepted</text>" in svg
    widths = [
        float(width) for width in re.findall(r'<rect x="0" y="[\d.]+" width="([\d.]+)" height="11"', svg)
    ]
    assert widths[0] == max(widths)
    assert widths[-1] == 0.0


def test_a_line_chart_leaves_a_gap_where_a_value_is_not_to_be_drawn():
    svg = charts.line_chart(["Jan", "Feb", "Mar", "Apr", "May"], [("Flex", [8, 9, None, 7, 6])], label="Flex")
    assert svg.count("<polyline") == 2  # Jan-Feb and Apr-May
    assert svg.count("<circle") == 4 + 1  # four points and the key


def test_the_packs_charts_draw_no_count_under_5_and_say_so():
    html = pack_html(regional_content())
    # City IOM's Flex cohort is 3 in every month: its line is left out, and its bar.
    city = html[html.index('id="part-1-1"') : html.index('id="part-1-2"')]
    line = city[
        city.index("People on IOM by month. The figures") : city.index("</svg>", city.index("<polyline"))
    ]
    assert line.count("<polyline") == 1  # Fixed only
    assert "Counts under 5 are not drawn (a gap in the line)." in city
    assert "Counts under 5 are not drawn (no bar)." in city
    # County IOM's Flex is 7: drawn.
    county = html[html.index('id="part-2-1"') : html.index('id="part-2-2"')]
    assert county.count("<polyline") == 2
    assert "Counts under 5 are not drawn" not in county


def test_a_chart_of_nothing_but_zeros_and_small_counts_is_left_out_and_its_table_kept():
    zeros = Section(
        "exits",
        "Exits",
        [
            Table(
                "exit-reasons",
                "Exits by reason",
                ["Reason", "Exits"],
                [["Died", 0], ["Other", 3]],
                frozenset({1}),
            ),
            Chart("bar", "Exits by reason", ["Died", "Other"], [("Exits", [0, 3])], "exit-reasons"),
        ],
    )
    content = regional_content()
    html = pack_html(
        PackContent(**{**content.__dict__, "parts": [PackPart(content.parts[0].scope, [zeros])]})
    )
    assert "<svg" not in html
    assert "Exits by reason</caption>" in html
