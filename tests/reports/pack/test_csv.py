"""The pack's CSV bundle: every table of the PDF, as Excel opens it, the same bytes every time."""

import hashlib
import io
import zipfile

from reports.pack import Section, Table
from reports.pack.render import PackContent, PackPart, render_csv_zip
from tests.reports.pack.test_pdf import BUILT_ON, OCTOBER, regional_content, scope


def bundle(content: PackContent) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(render_csv_zip(content)))


def test_the_bundle_has_a_readme_and_a_folder_per_scope_with_a_csv_per_table():
    assert bundle(regional_content()).namelist() == [
        "README.txt",
        "01-city-iom/cohorts-cohort-sizes.csv",
        "01-city-iom/cohorts-cohort-trend.csv",
        "01-city-iom/contacts-compliance.csv",
        "02-county-iom/cohorts-cohort-sizes.csv",
        "02-county-iom/cohorts-cohort-trend.csv",
        "02-county-iom/contacts-compliance.csv",
        "03-northshire-all-teams/cohorts-cohort-sizes.csv",
        "03-northshire-all-teams/cohorts-cohort-trend.csv",
        "03-northshire-all-teams/contacts-compliance.csv",
    ]


def test_a_csv_holds_the_header_the_shown_values_and_the_total_with_a_bom():
    data = bundle(regional_content()).read("01-city-iom/cohorts-cohort-sizes.csv")
    assert data == (
        "\ufeffCohort,People,Share %\r\n"
        'Fixed,"1,234",75.0\r\n'
        "Flex,<5,25.0\r\n"
        "Free,0,\u2013\r\n"
        'All cohorts,"1,237",100.0\r\n'
    ).encode("utf-8")


def test_small_counts_are_suppressed_in_the_csv_as_in_the_pdf():
    data = bundle(regional_content()).read("02-county-iom/contacts-compliance.csv").decode("utf-8-sig")
    assert data == "Cohort,Contacts\r\nFixed,<5\r\n"


def test_the_readme_names_the_pack_the_period_and_the_suppression_rule():
    readme = bundle(regional_content()).read("README.txt").decode("utf-8")
    assert readme.startswith("IOM case manager: Regional governance pack, Northshire\r\n")
    assert "Period: 1 October 2026 to 31 October 2026" in readme
    assert "Built on 2 November 2026, requested by Rhona Lead" in readme
    assert 'Counts of people or events from 1 to 4 are shown as "<5"' in readme
    assert (
        "01-city-iom/cohorts-cohort-sizes.csv: People on IOM by cohort (Counted on 31 October 2026.)"
        in readme
    )


def test_the_same_tables_give_the_same_bytes():
    first = render_csv_zip(regional_content())
    second = render_csv_zip(regional_content())
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert {entry.date_time for entry in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {
        (2000, 1, 1, 0, 0, 0)
    }


def test_different_figures_give_different_bytes():
    assert render_csv_zip(regional_content()) != render_csv_zip(regional_content(requested_by="Someone Else"))


def test_two_tables_with_one_key_in_a_scope_are_both_kept():
    table = Table("counts", "Counts", ["What", "Count"], [["Things", 9]], frozenset({1}))
    content = PackContent(
        kind="Team monthly pack",
        scope_name="City IOM",
        period_start=OCTOBER[0],
        period_end=OCTOBER[1],
        built_on=BUILT_ON,
        requested_by="",
        parts=[PackPart(scope("City IOM", "team-1", (1,)), [Section("needs", "Needs", [table, table])])],
    )
    assert bundle(content).namelist() == [
        "README.txt",
        "01-city-iom/needs-counts.csv",
        "01-city-iom/needs-counts-2.csv",
    ]
