"""The report tasks: what they call, their delivery options, their queues and beat's schedule."""

import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from celery.beat import ScheduleEntry
from celery.exceptions import Retry
from celery.schedules import crontab
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from iom.celery import app as celery_app
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.tasks import build_report_task, resend_stalled_reports_task, schedule_monthly_packs_task

LONDON = ZoneInfo("Europe/London")


@pytest.mark.django_db
def test_the_build_task_hands_the_run_id_to_the_service(mocker):
    build_report = mocker.patch("reports.services.build_report")
    retry = mocker.patch.object(build_report_task, "retry")
    build_report_task.delay(41)
    build_report.assert_called_once_with(report_run_id=41)
    retry.assert_not_called()


@pytest.mark.django_db
def test_a_run_another_attempt_holds_is_tried_again_when_its_lease_ends(mocker):
    """A pool process killed mid-build has its message handed straight back, while its lease runs:
    the claim declines, so the task must come back after the lease, not drop the run."""
    now = timezone.now()
    run = ReportRunFactory.create(
        status=ReportRun.Status.RUNNING, attempts=1, lease_expires_at=now + timedelta(minutes=9)
    )
    build_report = mocker.patch("reports.services.build_report")  # the claim declines: nothing happens
    retry = mocker.patch.object(build_report_task, "retry", side_effect=Retry())
    with pytest.raises(Retry):
        build_report_task.run(run.pk)
    build_report.assert_called_once_with(report_run_id=run.pk)
    retry.assert_called_once_with(eta=now + timedelta(minutes=9, seconds=5))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "lease_minutes"),
    [
        (ReportRun.Status.SUCCEEDED, None),  # finished, by this attempt or another
        (ReportRun.Status.FAILED, None),
        (ReportRun.Status.RUNNING, -1),  # a lease already ended (the database went away mid-build)
    ],
)
def test_a_finished_or_released_run_is_not_tried_again_by_the_task(mocker, status, lease_minutes):
    lease = None if lease_minutes is None else timezone.now() + timedelta(minutes=lease_minutes)
    run = ReportRunFactory.create(status=status, attempts=1, lease_expires_at=lease)
    mocker.patch("reports.services.build_report")
    retry = mocker.patch.object(build_report_task, "retry")
    build_report_task.run(run.pk)
    retry.assert_not_called()


def test_the_build_task_is_acknowledged_only_when_done_and_handed_back_if_its_worker_dies():
    assert build_report_task.acks_late is True
    assert build_report_task.reject_on_worker_lost is True
    # The attempt cap is the run's counter in the database; Celery's retries only ride out a database
    # that is briefly away, and stay well inside the Redis visibility timeout.
    task: Any = build_report_task
    assert set(task.autoretry_for) == {OperationalError, InterfaceError}
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    assert task.soft_time_limit < task.time_limit < visibility_timeout


def test_the_schedule_task_asks_the_service_about_todays_date_in_london(mocker, settings):
    schedule = mocker.patch("reports.services.schedule_monthly_packs")
    mocker.patch(
        "django.utils.timezone.now", return_value=datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
    )
    schedule_monthly_packs_task.delay()
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    schedule.assert_called_once_with(today=datetime.date(2026, 7, 1))


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("reports.tasks.build_report_task", "reports"),
        ("reports.tasks.schedule_monthly_packs_task", "default"),
        ("reports.tasks.resend_stalled_reports_task", "default"),
        ("partners.tasks.resend_lost_notices_task", "default"),
    ],
)
def test_builds_go_to_the_reports_queue_and_the_scheduler_does_not_wait_behind_them(task, queue):
    assert celery_app.amqp.router.route({}, task)["queue"].name == queue


def monthly_entry() -> ScheduleEntry:
    entry: dict[str, Any] = settings.CELERY_BEAT_SCHEDULE["schedule-monthly-packs"]
    return ScheduleEntry(name="schedule-monthly-packs", app=celery_app, **entry)


def next_run_after(moment: datetime.datetime) -> datetime.datetime:
    schedule = monthly_entry().schedule
    assert isinstance(schedule, crontab)
    start, delta, _ = schedule.remaining_delta(moment)
    return (start + delta).astimezone(LONDON)


def test_beat_asks_about_the_monthly_packs_at_six_in_the_morning_london_time():
    assert monthly_entry().task == "reports.tasks.schedule_monthly_packs_task"
    # Summer time: 06:00 BST is 05:00 UTC.
    after = next_run_after(datetime.datetime(2026, 6, 30, 12, 0, tzinfo=LONDON))
    assert after == datetime.datetime(2026, 7, 1, 6, 0, tzinfo=LONDON)
    assert after.utcoffset() == datetime.timedelta(hours=1)
    # Winter: 06:00 GMT.
    after = next_run_after(datetime.datetime(2026, 12, 31, 23, 0, tzinfo=LONDON))
    assert after == datetime.datetime(2027, 1, 1, 6, 0, tzinfo=LONDON)
    assert after.utcoffset() == datetime.timedelta(0)


def test_beat_asks_every_day_of_the_first_week_and_then_not_until_next_month():
    """The service decides which of these is the first working day (4 January in 2022: New Year's
    Day on a Saturday, its bank holiday on Monday the 3rd), so beat must ask on each of them."""
    moment = datetime.datetime(2021, 12, 31, 12, 0, tzinfo=LONDON)
    asked = []
    for _ in range(8):
        moment = next_run_after(moment)
        asked.append(moment.date())
    assert asked == [datetime.date(2022, 1, day) for day in range(1, 8)] + [datetime.date(2022, 2, 1)]


def test_the_referral_sweep_is_still_scheduled():
    assert settings.CELERY_BEAT_SCHEDULE["resend-lost-referral-notices"]["task"] == (
        "partners.tasks.resend_lost_notices_task"
    )


@pytest.mark.django_db
def test_the_sweep_sends_again_the_runs_nothing_is_building(mocker):
    now = timezone.now()
    running = ReportRun.Status.RUNNING
    dead_worker = ReportRunFactory.create(
        status=running, attempts=1, lease_expires_at=now - timedelta(seconds=30)
    )
    out_of_attempts = ReportRunFactory.create(
        status=running, attempts=3, lease_expires_at=now - timedelta(hours=2)
    )
    lost_message = ReportRunFactory.create(requested_at=now - timedelta(minutes=31))
    # Left alone: a build under way, a request just made, finished runs.
    ReportRunFactory.create(status=running, attempts=1, lease_expires_at=now + timedelta(minutes=10))
    ReportRunFactory.create(requested_at=now - timedelta(minutes=29))
    ReportRunFactory.create(status=ReportRun.Status.SUCCEEDED, requested_at=now - timedelta(days=2))
    ReportRunFactory.create(status=ReportRun.Status.FAILED, requested_at=now - timedelta(days=2))
    delay = mocker.patch.object(build_report_task, "delay")

    assert resend_stalled_reports_task.run() == 3

    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(
        [dead_worker.pk, out_of_attempts.pk, lost_message.pk]
    )


def test_beat_runs_the_sweep_every_quarter_of_an_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["resend-stalled-report-runs"]
    assert entry == {"task": "reports.tasks.resend_stalled_reports_task", "schedule": 15 * 60}


@pytest.mark.django_db
def test_a_run_the_sweep_finds_out_of_attempts_fails_and_says_why():
    """The resent build does not try a fourth time: the claim fails the run, with its reason."""
    run = ReportRunFactory.create(
        status=ReportRun.Status.RUNNING, attempts=3, lease_expires_at=timezone.now() - timedelta(hours=2)
    )
    resend_stalled_reports_task.delay()  # eager in the tests: the builds it sends run here too
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "after 3 attempts" in run.failure_reason
