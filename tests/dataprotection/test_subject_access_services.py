"""Subject access export services: asking, the worker's build (claimed once, files overwritten, failure
recorded), and the download's audit row."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.utils import timezone

from dataprotection.factories import left_iom
from dataprotection.models import SubjectAccessExport
from dataprotection.services import subject_access as services
from dataprotection.services.retention import erase_personal_data
from iom.core.models import AuditEvent, Membership, Role
from tests.actors import member
from tests.dataprotection.test_subject_access_views import fast_pdf  # noqa: F401

pytestmark = pytest.mark.django_db


def _files(export: SubjectAccessExport) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "subject-access" / str(export.pk)
    return sorted(path.name for path in folder.iterdir())


def _queued(world, manager) -> SubjectAccessExport:
    return SubjectAccessExport.objects.create(
        nominal=world.nominal, team=world.own_team, requested_by=manager
    )


def test_asking_creates_a_queued_export_logs_it_and_sends_the_build_on_commit(
    world, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        export = services.request_subject_access_export(actor=manager, nominal=world.nominal)

    assert export.status == "queued"
    assert len(callbacks) == 1
    event = AuditEvent.objects.get(action="subject_access.requested")
    assert (event.actor, event.nominal_id, event.target_id) == (manager, world.nominal.pk, str(export.pk))


@pytest.mark.parametrize("role", [Role.POLICE_OFFENDER_MANAGER, Role.SUPPORT_WORKER])
def test_only_the_teams_managers_may_ask(world, role):
    with pytest.raises(PermissionDenied):
        services.request_subject_access_export(actor=member(role, team=world.own_team), nominal=world.nominal)
    assert not SubjectAccessExport.objects.exists()


@pytest.mark.usefixtures("fast_pdf")
def test_a_build_stores_both_files_named_after_the_export_and_logs_it_once(world, manager):
    export = _queued(world, manager)

    services.build_subject_access_export(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == "succeeded"
    assert export.attempts == 1
    assert _files(export) == [f"subject-access-{export.pk}.json", f"subject-access-{export.pk}.pdf"]
    assert export.json_file.name == f"subject-access/{export.pk}/subject-access-{export.pk}.json"
    assert len(export.json_sha256) == len(export.pdf_sha256) == 64
    assert export.counts["cohorts.nominal"] == 1
    built = AuditEvent.objects.get(action="subject_access.built")
    assert built.actor == manager
    assert built.detail["json_sha256"] == export.json_sha256


@pytest.mark.usefixtures("fast_pdf")
def test_building_twice_builds_once(world, manager):
    export = _queued(world, manager)
    services.build_subject_access_export(export_id=export.pk)
    first = SubjectAccessExport.objects.get(pk=export.pk)

    services.build_subject_access_export(export_id=export.pk)  # a redelivered message

    again = SubjectAccessExport.objects.get(pk=export.pk)
    assert (again.attempts, again.finished_at, again.json_sha256) == (1, first.finished_at, first.json_sha256)
    assert AuditEvent.objects.filter(action="subject_access.built").count() == 1
    assert _files(export) == [f"subject-access-{export.pk}.json", f"subject-access-{export.pk}.pdf"]


def test_a_build_held_under_a_live_lease_is_left_alone(world, manager):
    export = _queued(world, manager)
    assert services.claim_subject_access_export(export.pk) is not None

    assert services.claim_subject_access_export(export.pk) is None


@pytest.mark.usefixtures("fast_pdf")
def test_a_build_whose_worker_died_is_taken_over_and_its_files_overwritten_not_added(world, manager):
    export = _queued(world, manager)
    services.claim_subject_access_export(export.pk)
    # The first attempt wrote a file, then its worker died; its lease ran out.
    folder = Path(settings.MEDIA_ROOT) / "subject-access" / str(export.pk)
    folder.mkdir(parents=True)
    (folder / f"subject-access-{export.pk}.json").write_bytes(b"half a file")
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    services.build_subject_access_export(export_id=export.pk)

    export.refresh_from_db()
    assert (export.status, export.attempts) == ("succeeded", 2)
    assert _files(export) == [f"subject-access-{export.pk}.json", f"subject-access-{export.pk}.pdf"]
    assert (folder / f"subject-access-{export.pk}.json").read_bytes().startswith(b"{")


def test_a_build_out_of_attempts_fails_and_is_logged(world, manager):
    export = _queued(world, manager)
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        status="building",
        attempts=services.MAX_ATTEMPTS,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )

    services.build_subject_access_export(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == "failed"
    assert "after 3 attempts" in export.failure_reason
    assert AuditEvent.objects.get(action="subject_access.failed").nominal_id == world.nominal.pk


def test_a_build_for_a_manager_who_left_the_team_fails_with_a_reason(world, manager):
    export = _queued(world, manager)
    Membership.objects.filter(user=manager).update(team=world.other_team)

    services.build_subject_access_export(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == "failed"
    assert "can no longer be exported" in export.failure_reason
    assert not export.json_file
    failed = AuditEvent.objects.get(action="subject_access.failed")
    assert failed.detail["reason"] == export.failure_reason
    assert not AuditEvent.objects.filter(action="subject_access.built").exists()


def test_a_fault_while_building_fails_the_export_and_names_it_for_the_service_desk(
    world, manager, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(services, "subject_access_pdf", broken)
    export = _queued(world, manager)

    services.build_subject_access_export(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == "failed"
    assert f"subject access export {export.pk}" in export.failure_reason
    assert "layout exploded" not in export.failure_reason


def test_a_database_that_went_away_hands_the_export_back_for_the_retry(world, manager, monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(services, "subject_access_data", unreachable)
    export = _queued(world, manager)

    with pytest.raises(OperationalError):
        services.build_subject_access_export(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == "building"
    assert export.lease_expires_at is not None
    assert export.lease_expires_at < timezone.now()
    assert services.claim_subject_access_export(export.pk) is not None


@pytest.mark.usefixtures("fast_pdf")
def test_a_download_is_logged_as_the_export_with_format_and_sha256_and_no_recipient(world, manager):
    export = _queued(world, manager)
    services.build_subject_access_export(export_id=export.pk)
    export = SubjectAccessExport.objects.select_related("nominal").get(pk=export.pk)

    services.record_subject_access_download(actor=manager, export=export, export_format="pdf")

    event = AuditEvent.objects.get(action="subject_access.exported")
    assert event.recipient is None
    assert event.detail["format"] == "pdf"
    assert event.detail["sha256"] == export.pdf_sha256
    assert event.detail["bytes"] == export.pdf_size


@pytest.mark.usefixtures("fast_pdf")
def test_a_download_by_someone_who_may_not_export_is_refused(world, manager):
    export = _queued(world, manager)

    with pytest.raises(PermissionDenied):
        services.record_subject_access_download(
            actor=member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team),
            export=export,
            export_format="json",
        )


@pytest.mark.usefixtures("fast_pdf")
def test_erasing_the_record_deletes_its_exports_and_their_files_and_keeps_their_audit(
    world, manager, django_capture_on_commit_callbacks
):
    export = _queued(world, manager)
    services.build_subject_access_export(export_id=export.pk)
    folder = Path(settings.MEDIA_ROOT) / "subject-access" / str(export.pk)
    assert len(list(folder.iterdir())) == 2
    left_iom(world.nominal, on=timezone.localdate() - timedelta(days=7 * 365), by=manager)

    with django_capture_on_commit_callbacks(execute=True):
        erase_personal_data(actor=manager, nominal=world.nominal, reason="Retention period over")

    assert not SubjectAccessExport.objects.exists()
    assert list(folder.iterdir()) == []
    erased = AuditEvent.objects.get(action="nominal.erased")
    assert erased.detail["deleted"]["dataprotection.SubjectAccessExport"] == 1
    assert erased.detail["files_deleted"] == 2
    assert AuditEvent.objects.filter(action="subject_access.built", nominal_id=world.nominal.pk).exists()


# Files a build wrote and nobody serves ---------------------------------------------------------------


def _folder(export: SubjectAccessExport) -> Path:
    return Path(settings.MEDIA_ROOT) / "subject-access" / str(export.pk)


def _on_disk(export: SubjectAccessExport) -> list[str]:
    folder = _folder(export)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_build_failing_after_the_json_was_written_leaves_no_file(world, manager, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(services, "subject_access_pdf", broken)
    export = _queued(world, manager)

    services.build_subject_access_export(export_id=export.pk)

    assert SubjectAccessExport.objects.get(pk=export.pk).status == "failed"
    assert _on_disk(export) == []


def test_a_build_out_of_attempts_deletes_what_the_attempts_that_died_wrote(world, manager):
    export = _queued(world, manager)
    _folder(export).mkdir(parents=True)
    (_folder(export) / f"subject-access-{export.pk}.json").write_bytes(b"{}")
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        status="building",
        attempts=services.MAX_ATTEMPTS,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )

    services.build_subject_access_export(export_id=export.pk)

    assert SubjectAccessExport.objects.get(pk=export.pk).status == "failed"
    assert _on_disk(export) == []


def test_a_build_whose_record_was_erased_while_it_ran_deletes_its_files(world, manager, monkeypatch):
    export = _queued(world, manager)

    def erased_while_laying_out(data, **kwargs):
        # The erasure commits between the JSON and the PDF: the export's row is gone.
        SubjectAccessExport.objects.filter(pk=export.pk).delete()
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(services, "subject_access_pdf", erased_while_laying_out)

    services.build_subject_access_export(export_id=export.pk)

    assert not AuditEvent.objects.filter(action="subject_access.built").exists()
    assert _on_disk(export) == []


@pytest.mark.usefixtures("fast_pdf")
def test_an_attempt_that_lost_its_lease_leaves_the_files_of_the_attempt_that_finished(world, manager):
    export = _queued(world, manager)
    stale = services.claim_subject_access_export(export.pk)
    assert stale is not None
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    services.build_subject_access_export(export_id=export.pk)  # the attempt that took over finishes
    progress = services._progress_reporter(stale)

    built = services._build(stale, progress)  # the stale attempt writes the same names, then finishes
    assert services._finish_succeeded(stale, built) is False
    services._discard_files_nobody_serves(export.pk)

    assert SubjectAccessExport.objects.get(pk=export.pk).status == "succeeded"
    assert _on_disk(export) == [f"subject-access-{export.pk}.json", f"subject-access-{export.pk}.pdf"]


def test_erasing_during_a_build_deletes_the_files_its_row_does_not_name_yet(
    world, manager, django_capture_on_commit_callbacks
):
    export = _queued(world, manager)
    SubjectAccessExport.objects.filter(pk=export.pk).update(status="building", attempts=1)
    # The build wrote the JSON (and here the PDF too) but has not finished: the row names neither.
    _folder(export).mkdir(parents=True)
    for export_format in services.FORMATS:
        (Path(settings.MEDIA_ROOT) / services.stored_name(export.pk, export_format)).write_bytes(b"x")
    assert not SubjectAccessExport.objects.get(pk=export.pk).json_file
    left_iom(world.nominal, on=timezone.localdate() - timedelta(days=7 * 365), by=manager)

    with django_capture_on_commit_callbacks(execute=True):
        erase_personal_data(actor=manager, nominal=world.nominal, reason="Retention period over")

    assert _on_disk(export) == []
    assert AuditEvent.objects.get(action="nominal.erased").detail["files_deleted"] == 2
