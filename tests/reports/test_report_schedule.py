"""services.schedule_monthly_packs: every region's pack for last month, on the first working day only."""

import datetime

import pytest

from iom.core.factories import RegionFactory, TeamFactory
from iom.core.models import AuditEvent
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.services import is_first_working_day, schedule_monthly_packs
from tests.actors import build_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "first"),
    [
        ("2026-10-01", True),  # a Thursday
        ("2026-10-02", False),
        ("2026-08-01", False),  # a Saturday
        ("2026-08-02", False),  # a Sunday
        ("2026-08-03", True),  # the Monday after
        ("2026-08-04", False),
        ("2027-01-01", False),  # New Year's Day, a Friday
        ("2027-01-04", True),
        ("2028-01-03", False),  # New Year's Day fell on a Saturday: the Monday after is the holiday
        ("2028-01-04", True),
        ("2028-05-01", False),  # the early May bank holiday
        ("2028-05-02", True),
        ("2024-04-01", False),  # Easter Monday
        ("2024-04-02", True),
        ("2026-06-01", True),  # a Monday with no holiday
    ],
)
def test_the_first_working_day_of_the_month(day, first):
    assert is_first_working_day(datetime.date.fromisoformat(day)) is first


def test_on_the_first_working_day_each_region_with_teams_gets_last_months_pack(
    django_capture_on_commit_callbacks, mocker
):
    world = build_world()
    RegionFactory.create(name="Empty region")  # no teams: nothing to report
    TeamFactory.create(name="Coast IOM", region=world.other_region)
    delay = mocker.patch("reports.services.build_report_task.delay")
    with django_capture_on_commit_callbacks(execute=True):
        runs = schedule_monthly_packs(today=datetime.date(2026, 8, 3))
    assert [(run.region, run.kind, run.requested_by) for run in runs] == [
        (world.region, "regional_pack", None),
        (world.other_region, "regional_pack", None),
    ]
    assert {(run.period_start.isoformat(), run.period_end.isoformat()) for run in runs} == {
        ("2026-07-01", "2026-07-31")
    }
    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(run.pk for run in runs)
    events = AuditEvent.objects.filter(action="report.requested")
    assert [(event.actor, event.actor_label, event.detail["scheduled"]) for event in events] == [
        (None, "schedule", True)
    ] * len(runs)


def test_the_region_list_is_every_region_with_a_team():
    world = build_world()  # Southshire has no team
    RegionFactory.create(name="Empty region")
    runs = schedule_monthly_packs(today=datetime.date(2026, 8, 3))
    assert [run.region for run in runs] == [world.region]


def test_on_other_days_nothing_is_asked_for(mocker):
    build_world()
    delay = mocker.patch("reports.services.build_report_task.delay")
    for day in ("2026-08-01", "2026-08-02", "2026-08-04", "2026-08-31"):
        assert schedule_monthly_packs(today=datetime.date.fromisoformat(day)) == []
    assert not ReportRun.objects.exists()
    delay.assert_not_called()


def test_asking_twice_on_the_day_makes_no_second_pack(django_capture_on_commit_callbacks, mocker):
    world = build_world()
    delay = mocker.patch("reports.services.build_report_task.delay")
    with django_capture_on_commit_callbacks(execute=True):
        first = schedule_monthly_packs(today=datetime.date(2026, 10, 1))
        second = schedule_monthly_packs(today=datetime.date(2026, 10, 1))
    assert [run.region for run in first] == [world.region]
    assert second == []
    assert ReportRun.objects.count() == 1
    assert delay.call_count == 1
    assert AuditEvent.objects.filter(action="report.requested").count() == 1


def test_a_pack_a_person_asked_for_does_not_stop_the_scheduled_one():
    world = build_world()
    ReportRunFactory.create(
        region=world.region, period_start=datetime.date(2026, 9, 1), period_end=datetime.date(2026, 9, 30)
    )
    runs = schedule_monthly_packs(today=datetime.date(2026, 10, 1))
    assert [run.region for run in runs] == [world.region]
    assert ReportRun.objects.filter(region=world.region, period_start=datetime.date(2026, 9, 1)).count() == 2
