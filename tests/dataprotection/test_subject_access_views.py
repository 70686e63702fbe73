"""The subject access page (what the export holds, "Prepare the export", the person's earlier exports)
and the two downloads of a prepared export: who may use them, what they send, what is logged.

The worker builds the files (CELERY_TASK_ALWAYS_EAGER in tests): preparing an export runs the build
when the request's transaction commits, which `django_capture_on_commit_callbacks(execute=True)` does.
"""

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Nominal
from dataprotection.models import SubjectAccessExport
from dataprotection.services import subject_access as services
from iom.core.models import AuditEvent, CaseAccessGrant, Membership, Role
from tests.actors import build_world, member
from tests.dataprotection.test_subject_access_data import POLICE_NOTE, one_of_everything

pytestmark = pytest.mark.django_db

HOSTILE_NOTE = 'He said <script>alert("x")</script> and then </table><h1>Forged</h1> & left'


@pytest.fixture
def fast_pdf(monkeypatch):
    """A stand-in PDF, for tests about something else: laying out the real one takes seconds."""
    monkeypatch.setattr(services, "subject_access_pdf", lambda data, **kwargs: b"%PDF-1.7 stand-in")


def page_url(nominal: Nominal) -> str:
    return reverse("dataprotection:subject-access", args=[nominal.pk])


def download_url(export: SubjectAccessExport, export_format: str) -> str:
    return reverse("dataprotection:subject-access-download", args=[export.pk, export_format])


def manager_of(world):
    return member(Role.MANAGER, team=world.own_team)


def prepare(client, nominal: Nominal, capture) -> SubjectAccessExport:
    """Press "Prepare the export" and let the worker build it, as the commit hands it over."""
    with capture(execute=True):
        response = client.post(page_url(nominal))
    export = SubjectAccessExport.objects.filter(nominal=nominal).latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("dataprotection:subject-access-export", args=[export.pk])
    export.refresh_from_db()
    return export


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def _pdf_text(content: bytes, tmp_path, *options: str) -> str:
    path = tmp_path / "export.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# The page ---------------------------------------------------------------------------------------


def test_the_page_lists_each_section_with_its_count_the_review_duty_and_a_prepare_button(client):
    world = build_world()
    one_of_everything(world)
    client.force_login(manager_of(world))

    response = client.get(page_url(world.nominal))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Subject access export" in html
    assert "data protection officer" in html
    for title in (
        "Contacts and appointments",
        "Referral events",
        "Who used or received the record (audit trail)",
    ):
        assert title in html
    assert f'action="{page_url(world.nominal)}"' in html
    assert "Prepare the export" in html
    assert 'href="{}"'.format(reverse("cohorts:nominal-detail", args=[world.nominal.pk])) in html
    assert "csrfmiddlewaretoken" in html
    assert "no-store" in response["Cache-Control"]


def test_the_page_says_when_no_export_has_been_prepared(client):
    world = build_world()
    client.force_login(manager_of(world))

    html = client.get(page_url(world.nominal)).content.decode()

    assert "No export has been prepared for Dean Robson yet." in html


def test_opening_the_page_is_logged_with_the_counts(client):
    world = build_world()
    one_of_everything(world)
    manager = manager_of(world)
    client.force_login(manager)

    client.get(page_url(world.nominal))

    event = AuditEvent.objects.get(action="subject_access.viewed")
    assert event.actor == manager
    assert event.nominal_id == world.nominal.pk
    assert event.detail["counts"]["supervision.contact"] == 2


def test_preparing_the_export_builds_both_files_and_logs_the_request_and_the_build(
    client, django_capture_on_commit_callbacks
):
    world = build_world()
    one_of_everything(world)
    manager = manager_of(world)
    client.force_login(manager)

    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)

    assert export.status == SubjectAccessExport.Status.SUCCEEDED
    assert export.progress == 100
    assert export.requested_by == manager
    assert export.team == world.own_team
    media = Path(settings.MEDIA_ROOT)
    assert sorted(p.name for p in (media / f"subject-access/{export.pk}").iterdir()) == [
        f"subject-access-{export.pk}.json",
        f"subject-access-{export.pk}.pdf",
    ]
    requested = AuditEvent.objects.get(action="subject_access.requested")
    assert (requested.actor, requested.nominal_id) == (manager, world.nominal.pk)
    built = AuditEvent.objects.get(action="subject_access.built")
    assert built.nominal_id == world.nominal.pk
    assert built.detail["pdf_sha256"] == export.pdf_sha256
    assert built.detail["counts"]["partners.referral"] == 1


def test_the_page_lists_earlier_exports_with_who_asked_their_status_and_downloads(
    client, django_capture_on_commit_callbacks
):
    world = build_world()
    manager = manager_of(world)
    client.force_login(manager)
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)
    SubjectAccessExport.objects.create(nominal=world.nominal, team=world.own_team, requested_by=manager)

    html = client.get(page_url(world.nominal)).content.decode()

    assert reverse("dataprotection:subject-access-export", args=[export.pk]) in html
    assert download_url(export, "json") in html
    assert download_url(export, "pdf") in html
    assert manager.full_name in html
    assert "Ready" in html
    assert "Queued" in html


def test_the_page_reads_as_many_queries_for_thirty_exports_as_for_one(client, django_assert_num_queries):
    world = build_world()
    one_of_everything(world)  # one earlier export
    manager = manager_of(world)
    client.force_login(manager)
    url = page_url(world.nominal)
    client.get(url)  # warm the content type cache
    # Session, user, second factor, memberships and grants; the person; one query per table and per
    # kind of row referred to (the exports table among them, with who asked); the audit row; then the
    # list: a count of the person's exports and one page of them with who asked and their organisation.
    with CaptureQueriesContext(connection) as one_export:
        client.get(url)
    SubjectAccessExport.objects.bulk_create(
        SubjectAccessExport(
            nominal=world.nominal,
            team=world.own_team,
            requested_by=member(Role.MANAGER, team=world.own_team),
            status="succeeded",
        )
        for _ in range(29)
    )

    with django_assert_num_queries(len(one_export.captured_queries)):
        response = client.get(url)

    assert response.content.decode().count("subject-access/") >= 10  # a page of exports, paginated


# The downloads ----------------------------------------------------------------------------------


def test_the_json_download_is_an_attachment_with_schema_version_and_is_logged(
    client, django_capture_on_commit_callbacks
):
    world = build_world()
    one_of_everything(world)
    manager = manager_of(world)
    client.force_login(manager)
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)

    response = client.get(download_url(export, "json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="subject-access-{world.nominal.pk}-'
    )
    assert response["Content-Disposition"].endswith('.json"')
    assert "no-store" in response["Cache-Control"]
    content = body(response)
    document = json.loads(content)
    assert document["schema_version"] == 1
    assert document["generated_at"]
    assert document["about"] == {"record_number": world.nominal.pk, "name": "Dean Robson"}
    contacts = next(s for s in document["sections"] if s["table"] == "supervision.contact")
    flagged = [row for row in contacts["rows"] if "review" in row]
    assert [row["fields"]["notes"] for row in flagged] == [POLICE_NOTE]
    event = AuditEvent.objects.get(action="subject_access.exported")
    assert event.actor == manager
    assert event.nominal_id == world.nominal.pk
    assert event.recipient is None
    assert event.detail["format"] == "json"
    assert event.detail["counts"]["partners.referral"] == 1
    assert event.detail["sha256"] == export.json_sha256 == hashlib.sha256(content).hexdigest()


def test_the_pdf_names_the_person_and_has_each_section_heading(
    client, tmp_path, django_capture_on_commit_callbacks
):
    world = build_world()
    one_of_everything(world)
    client.force_login(manager_of(world))
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)

    response = client.get(download_url(export, "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    assert "no-store" in response["Cache-Control"]
    text = _pdf_text(body(response), tmp_path, "-layout")
    assert "Everything held on Dean Robson" in text
    assert "Review before disclosure" in text
    for heading in (
        "The person's record",
        "Aliases",
        "Cohort reviews",
        "Contacts and appointments",
        "Referrals to partners",
        "Referral events",
        "Retention decisions",
        "Subject access exports prepared",
        "Who used or received the record (audit trail)",
    ):
        assert heading in text
    assert "Police intelligence: review before disclosure" in text
    assert "Page 1 of" in text
    assert AuditEvent.objects.get(action="subject_access.exported").detail["format"] == "pdf"


def test_hostile_text_in_a_note_is_printed_as_text_in_the_pdf(
    client, tmp_path, django_capture_on_commit_callbacks
):
    world = build_world()
    one_of_everything(world, note=HOSTILE_NOTE)
    client.force_login(manager_of(world))
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)

    response = client.get(download_url(export, "pdf"))

    # In reading order, so a note's lines come one after another; a narrow column may wrap anywhere.
    text = "".join(_pdf_text(body(response), tmp_path, "-raw").split())
    assert '<script>alert("x")</script>' in text
    assert "</table><h1>Forged</h1>&left" in text


def test_hostile_text_is_kept_as_text_in_the_json(client, django_capture_on_commit_callbacks, fast_pdf):
    world = build_world()
    one_of_everything(world, note=HOSTILE_NOTE)
    client.force_login(manager_of(world))
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)

    document = json.loads(body(client.get(download_url(export, "json"))))

    contacts = next(s for s in document["sections"] if s["table"] == "supervision.contact")
    assert HOSTILE_NOTE in [row["fields"]["notes"] for row in contacts["rows"]]


def test_an_export_not_yet_built_has_nothing_to_download(client):
    world = build_world()
    manager = manager_of(world)
    client.force_login(manager)
    export = SubjectAccessExport.objects.create(
        nominal=world.nominal, team=world.own_team, requested_by=manager
    )

    assert client.get(download_url(export, "pdf")).status_code == 404
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


@pytest.mark.parametrize("export_format", ["exe", "..", "PDF"])
def test_an_unknown_format_gets_404(client, export_format, django_capture_on_commit_callbacks, fast_pdf):
    world = build_world()
    client.force_login(manager_of(world))
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)

    assert client.get(download_url(export, export_format)).status_code == 404


def test_a_stored_name_outside_the_media_folder_answers_404_and_is_never_read(
    client, django_capture_on_commit_callbacks, fast_pdf
):
    world = build_world()
    client.force_login(manager_of(world))
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)
    SubjectAccessExport.objects.filter(pk=export.pk).update(pdf_file="../../../../etc/passwd")

    assert client.get(download_url(export, "pdf")).status_code == 404
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


def test_downloads_answer_get_only(client, django_capture_on_commit_callbacks, fast_pdf):
    world = build_world()
    client.force_login(manager_of(world))
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)

    assert client.post(download_url(export, "json")).status_code == 405


# Who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFENDER_MANAGER, Role.PROBATION_PRACTITIONER, Role.SUPPORT_WORKER]
)
def test_team_members_who_are_not_managers_get_404_and_the_attempt_is_logged(
    client, role, django_capture_on_commit_callbacks, fast_pdf
):
    world = build_world()
    client.force_login(manager_of(world))
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)
    user = member(role, team=world.own_team)
    client.force_login(user)

    assert client.get(page_url(world.nominal)).status_code == 404
    assert client.post(page_url(world.nominal)).status_code == 404
    assert client.get(reverse("dataprotection:subject-access-export", args=[export.pk])).status_code == 404
    assert client.get(download_url(export, "pdf")).status_code == 404
    assert AuditEvent.objects.filter(action="nominal.access_denied", actor=user).count() == 4
    assert SubjectAccessExport.objects.count() == 1
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


def test_another_teams_manager_gets_404(client, django_capture_on_commit_callbacks, fast_pdf):
    world = build_world()
    client.force_login(manager_of(world))
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)
    client.force_login(member(Role.MANAGER, team=world.other_team))

    assert client.get(page_url(world.nominal)).status_code == 404
    assert client.post(page_url(world.nominal)).status_code == 404
    assert client.get(download_url(export, "json")).status_code == 404


def test_a_manager_who_has_left_the_team_cannot_download_what_they_prepared(
    client, django_capture_on_commit_callbacks, fast_pdf
):
    world = build_world()
    manager = manager_of(world)
    client.force_login(manager)
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)
    Membership.objects.filter(user=manager).update(team=world.other_team)

    assert client.get(reverse("dataprotection:subject-access-export", args=[export.pk])).status_code == 404
    assert client.get(download_url(export, "pdf")).status_code == 404
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


def test_a_person_or_export_that_does_not_exist_gets_404_and_nothing_is_logged(client):
    world = build_world()
    client.force_login(manager_of(world))

    assert client.get(reverse("dataprotection:subject-access", args=[999999])).status_code == 404
    assert client.post(reverse("dataprotection:subject-access", args=[999999])).status_code == 404
    assert client.get(reverse("dataprotection:subject-access-export", args=[999999])).status_code == 404
    assert (
        client.get(reverse("dataprotection:subject-access-download", args=[999999, "pdf"])).status_code == 404
    )
    assert not AuditEvent.objects.filter(action="nominal.access_denied").exists()


def test_a_restricted_case_is_exported_only_by_a_manager_on_its_allow_list(
    client, django_capture_on_commit_callbacks, fast_pdf
):
    world = build_world()
    manager = manager_of(world)
    world.nominal.access_restricted = True
    world.nominal.save(update_fields=["access_restricted"])
    client.force_login(manager)
    assert client.post(page_url(world.nominal)).status_code == 404

    CaseAccessGrant.objects.create(
        nominal_id=world.nominal.pk, user=manager, kind="allow_list", granted_by=manager
    )

    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)
    assert client.get(download_url(export, "json")).status_code == 200


def test_a_record_restricted_after_retention_review_is_still_exported(
    client, django_capture_on_commit_callbacks, fast_pdf
):
    world = build_world()
    one_of_everything(world)
    world.nominal.retention_status = "restricted"
    world.nominal.save(update_fields=["retention_status"])
    client.force_login(manager_of(world))

    page = client.get(page_url(world.nominal))

    assert page.status_code == 200
    assert "hidden from normal use" in page.content.decode()
    assert reverse("dataprotection:retention-review", args=[world.nominal.pk]) in page.content.decode()
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)
    assert client.get(download_url(export, "json")).status_code == 200


def test_an_erased_record_has_no_export(client, django_capture_on_commit_callbacks, fast_pdf):
    world = build_world()
    client.force_login(manager_of(world))
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)
    world.nominal.retention_status = "erased"
    world.nominal.save(update_fields=["retention_status"])

    assert client.get(page_url(world.nominal)).status_code == 404
    assert client.post(page_url(world.nominal)).status_code == 404
    assert client.get(download_url(export, "json")).status_code == 404


def test_preparing_refuses_a_post_without_the_csrf_token(client):
    world = build_world()
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(manager_of(world))

    assert csrf_client.post(page_url(world.nominal)).status_code == 403
    assert not SubjectAccessExport.objects.exists()
    assert not AuditEvent.objects.filter(action="subject_access.requested").exists()


def test_the_record_links_the_export_for_the_teams_managers_only(client):
    world = build_world()
    link = reverse("dataprotection:subject-access", args=[world.nominal.pk])
    record = reverse("cohorts:nominal-detail", args=[world.nominal.pk])
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert f'href="{link}"' in client.get(record).content.decode()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert f'href="{link}"' not in client.get(record).content.decode()
