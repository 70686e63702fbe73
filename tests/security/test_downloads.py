"""Downloads: safe file names, files only from MEDIA_ROOT and only through the audited views,
and never sniffed as something else by the browser."""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from iom.core.models import AuditEvent, Role
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from tests.actors import build_world, member
from tests.api.clients import problem_of, token_client
from tests.security.common import built_subject_access_export, patterns_by_name

pytestmark = pytest.mark.django_db

HOSTILE_NAME = '../"Evil"; filename=x.exe\\..\r\nX-Injected: 1'


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _built_run(world, *, team_name: str | None = None) -> ReportRun:
    if team_name is not None:
        world.own_team.name = team_name
        world.own_team.save(update_fields=["name"])
    run = ReportRunFactory.create(
        kind="team_pack", region=world.region, team=world.own_team, status=ReportRun.Status.SUCCEEDED
    )
    run.file.save(f"security-{run.pk}.pdf", ContentFile(b"%PDF-1.7 the pack"), save=False)
    run.csv_file.save(f"security-{run.pk}-tables.zip", ContentFile(b"PK\x03\x04 the tables"), save=False)
    run.save()
    return run


def _attachment_name(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert "\r" not in disposition
    assert "\n" not in disposition
    quoted = re.search(r'filename="((?:[^"\\]|\\.)*)"', disposition)
    encoded = re.search(r"filename\*=utf-8''([^;]+)", disposition)
    assert quoted or encoded, disposition
    match = quoted or encoded
    assert match is not None
    return match.group(1)


def _assert_safe_name(name: str) -> None:
    assert "/" not in name, name
    assert "\\" not in name.replace('\\"', ""), name
    assert ".." not in name, name
    assert not re.search(r'(?<!\\)"', name), f"an unescaped quote in {name!r}"


@pytest.mark.parametrize("name", ["reports:download", "reports:download-csv"])
def test_a_report_download_has_a_safe_name_and_is_not_sniffed(name):
    world = build_world()
    run = _built_run(world, team_name=HOSTILE_NAME)
    client = _signed_in(member(Role.MANAGER, team=world.own_team))

    response = client.get(reverse(name, args=[run.pk]))

    assert response.status_code == 200
    _assert_safe_name(_attachment_name(response))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action__startswith="report.download", actor__isnull=False).exists()


@pytest.mark.parametrize(
    "stored_name",
    [
        "../../etc/passwd",
        "../../../../../../etc/passwd",
        "/etc/passwd",
        "reports/../../outside.pdf",
        "reports/%2e%2e/%2e%2e/outside.pdf",
    ],
)
@pytest.mark.parametrize("field", ["file", "csv_file"])
def test_a_report_file_outside_media_root_is_never_read(settings, tmp_path, stored_name, field):
    world = build_world()
    run = _built_run(world)
    # A file just outside MEDIA_ROOT, where "../outside.pdf" would reach.
    (tmp_path / "outside.pdf").write_bytes(b"secret outside the media root")
    ReportRun.objects.filter(pk=run.pk).update(**{field: stored_name})
    client = _signed_in(member(Role.MANAGER, team=world.own_team))
    downloads = AuditEvent.objects.filter(action__startswith="report.download").count()

    name = "reports:download" if field == "file" else "reports:download-csv"
    response = client.get(reverse(name, args=[run.pk]))

    assert response.status_code == 404
    assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))
    # Nothing was disclosed, so no download is recorded.
    assert AuditEvent.objects.filter(action__startswith="report.download").count() == downloads


def test_a_report_whose_file_has_gone_answers_404():
    world = build_world()
    run = _built_run(world)
    run.file.storage.delete(str(run.file.name))
    client = _signed_in(member(Role.MANAGER, team=world.own_team))
    assert client.get(reverse("reports:download", args=[run.pk])).status_code == 404


def test_media_files_are_not_served_at_all():
    world = build_world()
    run = _built_run(world)
    client = _signed_in(member(Role.MANAGER, team=world.own_team))
    for url in (f"/media/{run.file.name}", f"/media/{run.csv_file.name}", "/media/", "/media/../etc/passwd"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"%PDF" not in response.content


def test_the_caseload_export_has_a_safe_name_and_is_not_sniffed():
    world = build_world()
    client = _signed_in(member(Role.MANAGER, team=world.own_team))
    response = client.get(reverse("cohorts:caseload-export"), {"q": '../"x"\r\n'})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    _assert_safe_name(_attachment_name(response))
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_diary_file_has_a_safe_name_and_is_not_sniffed():
    world = build_world()
    client = _signed_in(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    response = client.get(reverse("supervision:my-diary-ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    _assert_safe_name(_attachment_name(response))
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "token",
    ["..", "...", "%2e%2e", "..%2f..%2fetc%2fpasswd", "..%5c..%5cetc%5cpasswd", "%00", "a" * 500, "x.json"],
)
def test_a_tracker_import_token_cannot_be_a_path(token):
    world = build_world()
    client = _signed_in(member(Role.MANAGER, team=world.own_team))
    url = reverse("cohorts:tracker-import-confirm", args=["TOKEN"]).replace("TOKEN", token)
    assert client.get(url).status_code == 404
    assert client.post(url, {"skip_failing_rows": "on"}).status_code == 404


# Subject access exports (dataprotection), once they exist.
SUBJECT_ACCESS_DOWNLOAD = "dataprotection:subject-access-download" in patterns_by_name()
needs_subject_access = pytest.mark.skipif(
    not SUBJECT_ACCESS_DOWNLOAD, reason="no subject access download yet"
)


@needs_subject_access
@pytest.mark.parametrize("export_format", ["json", "pdf"])
def test_a_subject_access_download_has_a_safe_name_and_is_not_sniffed(export_format):
    world = build_world()
    world.nominal.family_name = HOSTILE_NAME[:90]
    world.nominal.save(update_fields=["family_name"])
    manager = member(Role.MANAGER, team=world.own_team)
    export = built_subject_access_export(world.nominal, by=manager)

    response = _signed_in(manager).get(
        reverse("dataprotection:subject-access-download", args=[export.pk, export_format])
    )

    assert response.status_code == 200
    _assert_safe_name(_attachment_name(response))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "html" not in response["Content-Type"]


@needs_subject_access
@pytest.mark.parametrize("stored_name", ["../../etc/passwd", "/etc/passwd", "exports/../../outside.pdf"])
def test_a_subject_access_file_outside_media_root_is_never_read(tmp_path, stored_name):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    export = built_subject_access_export(world.nominal, by=manager)
    (tmp_path / "outside.pdf").write_bytes(b"secret outside the media root")
    type(export).objects.filter(pk=export.pk).update(pdf_file=stored_name, json_file=stored_name)
    client = _signed_in(manager)
    for export_format in ("json", "pdf", "..", "%2e%2e", "..%2fpasswd"):
        url = reverse("dataprotection:subject-access-download", args=[export.pk, "FORMAT"])
        response = client.get(url.replace("FORMAT", export_format))
        assert response.status_code == 404, export_format
        assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))


@pytest.mark.parametrize("name", ["api:report-run-pdf", "api:report-run-csv"])
def test_the_api_never_reads_a_report_file_outside_media_root(name):
    world = build_world()
    run = _built_run(world)
    ReportRun.objects.filter(pk=run.pk).update(file="../../etc/passwd", csv_file="/etc/passwd")
    client = token_client(member(Role.MANAGER, team=world.own_team))
    response = client.get(reverse(name, args=[run.pk]))
    assert response.status_code == 404
    problem_of(response)
