"""Building a pack from a run: which scopes, which sections in which order, progress, both files."""

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from iom.core.factories import RegionFactory, TeamFactory
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.pack import PackScope, Section, Table, cohorts, impact, partners, people, supervision
from reports.pack.build import build_pack, pack_scopes
from tests.actors import build_world

pytestmark = pytest.mark.django_db

MODULES = {
    "cohorts": cohorts,
    "supervision": supervision,
    "partners": partners,
    "impact": impact,
    "people": people,
}


def test_a_regional_pack_covers_each_team_by_name_then_the_region():
    world = build_world()
    zeta = TeamFactory.create(name="Zeta IOM", region=world.region)
    TeamFactory.create(name="Elsewhere IOM", region=world.other_region)
    run = ReportRunFactory.create(region=world.region)
    scopes = pack_scopes(run)
    assert [(s.label, s.key, s.team_ids, s.region_id) for s in scopes] == [
        ("City IOM", f"team-{world.own_team.pk}", (world.own_team.pk,), world.region.pk),
        ("County IOM", f"team-{world.other_team.pk}", (world.other_team.pk,), world.region.pk),
        ("Zeta IOM", f"team-{zeta.pk}", (zeta.pk,), world.region.pk),
        (
            "Northshire (all teams)",
            f"region-{world.region.pk}",
            (world.own_team.pk, world.other_team.pk, zeta.pk),
            world.region.pk,
        ),
    ]
    assert {(s.period_start, s.period_end, s.today) for s in scopes} == {
        (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31), timezone.localdate())
    }


def test_a_team_pack_covers_the_team():
    world = build_world()
    run = ReportRunFactory.create(kind=ReportRun.Kind.TEAM_PACK, region=world.region, team=world.other_team)
    assert [(s.label, s.key, s.team_ids) for s in pack_scopes(run)] == [
        ("County IOM", f"team-{world.other_team.pk}", (world.other_team.pk,))
    ]


def test_a_national_summary_covers_each_region_then_the_nation():
    world = build_world()
    south = TeamFactory.create(name="Port IOM", region=world.other_region)
    empty = RegionFactory.create(name="Eastshire")
    run = ReportRunFactory.create(kind=ReportRun.Kind.NATIONAL_SUMMARY, region=None)
    scopes = pack_scopes(run)
    assert [(s.label, s.key, s.team_ids, s.region_id) for s in scopes] == [
        ("Eastshire (all teams)", f"region-{empty.pk}", (), empty.pk),
        (
            "Northshire (all teams)",
            f"region-{world.region.pk}",
            (world.own_team.pk, world.other_team.pk),
            world.region.pk,
        ),
        ("Southshire (all teams)", f"region-{world.other_region.pk}", (south.pk,), world.other_region.pk),
        ("England and Wales", "nation", (world.own_team.pk, world.other_team.pk, south.pk), None),
    ]


@pytest.fixture
def stand_in_sections(monkeypatch):
    """Each module returns one section naming itself and the scope; the calls are recorded."""
    calls: list[tuple[str, str]] = []

    def stand_in(name):
        def sections(scope: PackScope) -> list[Section]:
            calls.append((name, scope.label))
            table = Table(
                f"{name}-figures", f"{name} figures", ["Figure", "Count"], [[name, 3]], frozenset({1})
            )
            return [Section(name, name.title(), [table], headlines=[(f"{name} count", "<5", "")])]

        return sections

    for name, module in MODULES.items():
        monkeypatch.setattr(module, "sections", stand_in(name))
    return calls


def test_it_asks_each_module_for_each_scope_in_the_packs_order(stand_in_sections):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    progress: list[tuple[int, str]] = []
    built = build_pack(run, progress=lambda percent, note: progress.append((percent, note)))
    order = ["cohorts", "supervision", "partners", "impact", "people"]
    assert stand_in_sections == [
        (name, label) for label in ("City IOM", "County IOM", "Northshire (all teams)") for name in order
    ]
    names = zipfile.ZipFile(io.BytesIO(built.csv_zip)).namelist()
    assert names[:3] == [
        "README.txt",
        "01-city-iom/cohorts-cohorts-figures.csv",
        "01-city-iom/supervision-supervision-figures.csv",
    ]
    assert names[-1] == "03-northshire-all-teams/people-people-figures.csv"
    assert len(names) == 1 + 3 * 5
    assert built.pdf.startswith(b"%PDF")
    # Cover, contents, summary, 15 sections each on its own page, about.
    assert built.page_count == 19


def test_progress_moves_up_through_the_build_to_90(stand_in_sections):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    progress: list[tuple[int, str]] = []
    build_pack(run, progress=lambda percent, note: progress.append((percent, note)))
    percents = [percent for percent, _ in progress]
    assert percents == sorted(percents)
    assert percents[0] == 5
    assert percents[-1] == 90
    assert max(percent for percent, note in progress if note != "PDF written") <= 80
    assert progress[0] == (5, "Counting cohorts for City IOM")
    # The 15th of 15 steps (5 modules x 3 scopes) starts at 5 + 70 x 14/15.
    assert (70, "Describing who is on IOM for Northshire (all teams)") in progress
    assert len(set(percents)) >= 10  # the bar moves in steps, not one jump


def test_a_pack_builds_from_the_real_sections():
    """The five modules and the renderer together, on a small world: both files, and the same tables."""
    world = build_world()
    run = ReportRunFactory.create(kind=ReportRun.Kind.TEAM_PACK, region=world.region, team=world.own_team)
    built = build_pack(run, progress=lambda percent, note: None)
    assert built.pdf.startswith(b"%PDF")
    assert built.page_count >= 8  # cover, contents, summary, a page for each module's section(s), about
    names = zipfile.ZipFile(io.BytesIO(built.csv_zip)).namelist()
    assert names[0] == "README.txt"
    assert names[1:]
    assert all(name.startswith("01-city-iom/") for name in names[1:])
