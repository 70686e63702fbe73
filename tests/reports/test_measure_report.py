"""measure_report on a tiny seed_scale region: it builds the pack in a child process as the worker
does, prints the figures, and fails when a target is missed. Timings are never asserted: the targets
are passed as options, so a pass or a fail here does not depend on the machine's speed."""

import re
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from iom.core.models import Membership, Region, Role
from reports.management.commands.measure_report import _month
from reports.management.commands.seed_scale import REGION
from reports.models import ReportRun

# The child opens its own connection to the test database, so the data must be committed; the
# migrations' rows (offence categories, unit costs) are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EASY = {"max_seconds": 3600, "max_mb": 100_000, "min_pages": 1}


@pytest.fixture
def region():
    call_command(
        "seed_scale", nominals=12, years=1, contacts_per_year=300, allow_sqlite=True, stdout=StringIO()
    )


def measure(**options):
    out = StringIO()
    try:
        call_command("measure_report", stdout=out, stderr=out, **options)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def figure(output: str, name: str) -> str:
    found = re.search(rf"^{name}\s+([\d,.]+)", output, re.MULTILINE)
    assert found, f"{name} not printed:\n{output}"
    return found[1]


def test_it_builds_the_last_complete_month_in_a_child_and_prints_every_figure(region):
    output, error = measure(**EASY)

    assert error is None, output
    run = ReportRun.objects.select_related("region").get()
    region = Region.objects.get(name=REGION)
    first, last = _month(None, timezone.localdate())
    assert (run.kind, run.region, run.team) == (ReportRun.Kind.REGIONAL_PACK, region, None)
    assert (run.period_start, run.period_end) == (first, last)
    lead = Membership.objects.get(role=Role.REGIONAL_LEAD, region=region).user
    assert run.requested_by == lead
    # Built by the service in the child: the parent sees the finished run it left.
    assert run.status == ReportRun.Status.SUCCEEDED
    assert float(figure(output, "Wall time")) > 0
    assert float(figure(output, "Peak RSS")) > 50  # a Django process with WeasyPrint loaded
    assert run.page_count
    assert int(figure(output, "Pages").replace(",", "")) == run.page_count
    assert int(figure(output, "PDF size").replace(",", "")) == run.file_size
    assert int(figure(output, "CSV zip size").replace(",", "")) == run.csv_size
    pdf = Path(run.file.path)
    assert f"PDF: {pdf}" in output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert output.count("PASS") == 3
    assert "FAIL" not in output
    # Each progress step the build reported, per team and for the region, with its queries.
    for team in region.teams.all():
        assert re.search(rf"Counting cohorts for {team.name}\s+[\d.]+\s+[\d,]+\s+[\d.]+", output), output
    assert f"for {REGION} (all teams)" in output
    assert "Laying out the PDF" in output
    assert "Storing the files and finishing the run" in output
    assert "By kind of step, over all scopes:" in output
    # The five slowest queries, each with the step it ran in.
    slowest = output.split("Slowest queries:\n")[1].split("Wall time")[0].splitlines()
    assert len(slowest) == 5
    assert all(
        re.match(r"\s+[\d.]+ s  .+: (SELECT|UPDATE|INSERT|WITH|SAVEPOINT|RELEASE)", line) for line in slowest
    )
    assert "Load average" in output


def test_a_missed_target_fails_and_names_it_and_a_short_pack_is_not_padded(region):
    output, error = measure(month="2026-01", max_seconds=3600, max_mb=1, min_pages=10_000)

    assert error is not None
    assert str(error) == "The pack missed 2 target(s): peak memory, pages"
    assert re.search(r"^Wall time .* PASS$", output, re.MULTILINE)
    assert re.search(r"^Peak RSS .* FAIL$", output, re.MULTILINE)
    assert re.search(r"^Pages .* FAIL$", output, re.MULTILINE)
    run = ReportRun.objects.get()
    assert (run.period_start, run.period_end) == (date(2026, 1, 1), date(2026, 1, 31))
    assert f"The pack has {run.page_count} pages: the target is for a 10000-page pack" in output


def test_time_over_the_target_fails(region):
    output, error = measure(max_seconds=0, max_mb=100_000, min_pages=1, slowest=0)

    assert str(error) == "The pack missed 1 target(s): wall time"
    assert re.search(r"^Wall time .* FAIL$", output, re.MULTILINE)
    assert "Slowest queries" not in output


def test_a_build_that_fails_in_the_child_is_reported_with_its_reason(region, monkeypatch):
    def broken(scope):
        raise ValueError("cohort figures went wrong")

    # Patched before the fork, so the child inherits it.
    monkeypatch.setattr("reports.pack.cohorts.sections", broken)

    output, error = measure(**EASY)

    assert error is not None
    assert "was not built" in str(error)
    assert "cohort figures went wrong" in output
    assert "Wall time" not in output


def test_an_unknown_region_is_refused():
    with pytest.raises(CommandError, match="No region 'Nowhere'"):
        call_command("measure_report", region="Nowhere", stdout=StringIO())


@pytest.mark.parametrize(
    ("month", "today", "expected"),
    [
        (None, date(2026, 12, 6), (date(2026, 11, 1), date(2026, 11, 30))),
        (None, date(2027, 1, 1), (date(2026, 12, 1), date(2026, 12, 31))),
        ("2024-02", date(2026, 12, 6), (date(2024, 2, 1), date(2024, 2, 29))),
        ("2026-12", date(2026, 12, 6), (date(2026, 12, 1), date(2026, 12, 31))),
    ],
)
def test_the_month_is_the_last_complete_one_unless_given(month, today, expected):
    assert _month(month, today) == expected


def test_a_month_not_written_as_year_and_month_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM"):
        _month("November", date(2026, 12, 6))
