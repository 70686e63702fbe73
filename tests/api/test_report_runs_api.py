"""/api/v1/report-runs/: the list and its filters, asking for a pack, its status, retry and the
downloads, with the pages' rules and audit."""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from iom.core.models import AuditEvent, Role
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.pack.build import BuiltPack
from tests.actors import build_world, member
from tests.api.clients import problem_of, session_client, token_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/report-runs/"
PDF = b"%PDF-1.7 a stand-in pack"
ZIP = b"PK\x03\x04 a stand-in bundle"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [run["id"] for run in response.json()["results"]]


def ready(run: ReportRun) -> ReportRun:
    """The run built, with both files stored as the build stores them."""
    run.status = ReportRun.Status.SUCCEEDED
    run.file.save(f"api-run-{run.pk}.pdf", ContentFile(PDF), save=False)
    run.csv_file.save(f"api-run-{run.pk}-tables.zip", ContentFile(ZIP), save=False)
    run.file_size, run.file_sha256 = len(PDF), hashlib.sha256(PDF).hexdigest()
    run.csv_size, run.csv_sha256 = len(ZIP), hashlib.sha256(ZIP).hexdigest()
    run.page_count = 3
    run.save()
    return run


# The list


def test_a_regional_lead_lists_their_regions_packs_and_team_packs_newest_first():
    world = build_world()
    regional = ReportRunFactory.create(region=world.region)
    team = ReportRunFactory.create(kind="team_pack", region=world.region, team=world.other_team)
    ReportRunFactory.create(region=world.other_region)
    ReportRunFactory.create(kind="national_summary", region=None)
    client = token_client(member(Role.REGIONAL_LEAD, region=world.region))
    assert ids(client.get(LIST)) == [team.pk, regional.pk]


def test_a_manager_lists_their_teams_packs_only():
    world = build_world()
    own = ReportRunFactory.create(kind="team_pack", region=world.region, team=world.own_team)
    ReportRunFactory.create(kind="team_pack", region=world.region, team=world.other_team)
    ReportRunFactory.create(region=world.region)
    response = token_client(member(Role.MANAGER, team=world.own_team)).get(LIST)
    assert ids(response) == [own.pk]
    (shown,) = response.json()["results"]
    assert shown["kind"] == "team_pack"
    assert shown["kind_label"] == "Team monthly pack"
    assert shown["scope_name"] == "City IOM"
    assert (shown["region"], shown["team"]) == (world.region.pk, world.own_team.pk)
    assert (shown["period_start"], shown["period_end"]) == ("2026-10-01", "2026-10-31")
    assert (shown["status"], shown["pdf_url"], shown["csv_url"]) == ("queued", None, None)


def test_a_national_user_lists_every_run():
    world = build_world()
    runs = [
        ReportRunFactory.create(region=world.region),
        ReportRunFactory.create(region=world.other_region),
        ReportRunFactory.create(kind="national_summary", region=None),
    ]
    assert ids(token_client(member(Role.NATIONAL)).get(LIST)) == [run.pk for run in runs[::-1]]


@pytest.mark.parametrize("role", [Role.POLICE_OFFENDER_MANAGER, Role.PARTNER, Role.ADMINISTRATOR])
def test_roles_that_do_not_use_governance_reports_have_no_list(role):
    world = build_world()
    ReportRunFactory.create(region=world.region)
    user = member(role, team=world.own_team) if role == Role.POLICE_OFFENDER_MANAGER else member(role)
    response = token_client(user).get(LIST)
    assert response.status_code == 404
    problem_of(response)


def test_the_list_filters_by_kind_status_region_team_and_month():
    world = build_world()
    regional = ReportRunFactory.create(region=world.region, status="succeeded")
    team = ReportRunFactory.create(
        kind="team_pack", region=world.region, team=world.own_team, status="failed"
    )
    other = ReportRunFactory.create(region=world.other_region)
    september = ReportRunFactory.create(
        region=world.region, period_start=datetime.date(2026, 9, 1), period_end=datetime.date(2026, 9, 30)
    )
    client = token_client(member(Role.NATIONAL))
    assert ids(client.get(LIST, {"kind": "team_pack"})) == [team.pk]
    assert ids(client.get(LIST, {"status": "succeeded"})) == [regional.pk]
    assert ids(client.get(LIST, {"region": world.other_region.pk})) == [other.pk]
    assert ids(client.get(LIST, {"team": world.own_team.pk})) == [team.pk]
    assert ids(client.get(LIST, {"month": "2026-09"})) == [september.pk]
    assert ids(
        client.get(LIST, {"region": str(world.region.pk), "month": "2026-10", "kind": "regional_pack"})
    ) == [regional.pk]
    assert ids(client.get(LIST, {"kind": "team_pack", "status": "queued"})) == []


def test_a_filter_that_makes_no_sense_is_a_problem_naming_the_parameter():
    world = build_world()
    ReportRunFactory.create(region=world.region)
    client = token_client(member(Role.REGIONAL_LEAD, region=world.region))
    response = client.get(
        LIST, {"region": str(world.other_region.pk), "status": "lost", "kind": "yearly", "month": "2026-13"}
    )
    assert response.status_code == 400
    errors = {error["parameter"]: error["detail"] for error in problem_of(response)["errors"]}
    assert errors == {
        "region": "Choose one of the regions you report on",
        "status": "Choose a status: lost is not one",
        "kind": "Choose a kind of report: yearly is not one",
        "month": "Give the month as YYYY-MM, e.g. 2026-10",
    }


def test_a_manager_may_not_filter_by_another_team():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    response = client.get(LIST, {"team": world.other_team.pk})
    assert response.status_code == 400
    assert problem_of(response)["errors"] == [
        {"parameter": "team", "detail": "Choose one of the teams you report on"}
    ]


def test_the_list_orders_and_pages():
    world = build_world()
    older = ReportRunFactory.create(
        region=world.region, period_start=datetime.date(2026, 8, 1), period_end=datetime.date(2026, 8, 31)
    )
    newer = ReportRunFactory.create(region=world.region)
    ReportRunFactory.create_batch(3, region=world.region)
    client = token_client(member(Role.REGIONAL_LEAD, region=world.region))
    assert ids(client.get(LIST, {"ordering": "period_start"}))[0] == older.pk
    assert ids(client.get(LIST, {"ordering": "-requested_at"}))[-1] == older.pk
    page = client.get(LIST, {"page_size": 2, "page": 3}).json()
    assert (page["count"], len(page["results"]), page["next"]) == (5, 1, None)
    assert newer.pk in ids(client.get(LIST, {"page_size": 2, "page": 2}))


@pytest.mark.parametrize("size", [1, 30])
def test_the_list_takes_a_constant_number_of_queries(django_assert_num_queries, size):
    world = build_world()
    ReportRunFactory.create_batch(size, region=world.region)
    ReportRunFactory.create_batch(size, kind="team_pack", region=world.region, team=world.own_team)
    client = token_client(member(Role.REGIONAL_LEAD, region=world.region))
    # token with its user, noting the token used, memberships, count, the page of runs with region,
    # team and requester
    with django_assert_num_queries(5):
        response = client.get(LIST)
    assert len(ids(response)) == min(50, 2 * size)


def test_the_browser_reads_the_list_with_its_session():
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    assert ids(session_client(member(Role.REGIONAL_LEAD, region=world.region)).get(LIST)) == [run.pk]


def test_no_one_signed_in_gets_401():
    response = APIClient().get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    problem_of(response)


# Asking for a pack


def test_a_regional_lead_asks_for_their_regions_pack(django_capture_on_commit_callbacks, mocker):
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    delay = mocker.patch("reports.services.build_report_task.delay")
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(lead).post(
            LIST, {"kind": "regional_pack", "region": world.region.pk, "month": "2026-10"}
        )
    assert response.status_code == 201, response.content
    run = ReportRun.objects.get()
    assert response["Location"] == f"/api/v1/report-runs/{run.pk}/"
    body = response.json()
    assert (body["id"], body["status"], body["kind"], body["region"], body["team"]) == (
        run.pk,
        "queued",
        "regional_pack",
        world.region.pk,
        None,
    )
    assert (body["period_start"], body["period_end"]) == ("2026-10-01", "2026-10-31")
    assert (body["requested_by"], body["requested_by_name"]) == (lead.pk, lead.full_name)
    # The build is queued once the run is committed, as from the page.
    delay.assert_called_once_with(run.pk)
    assert AuditEvent.objects.get(action="report.requested").actor == lead


def test_a_pack_asked_for_is_built_and_then_offers_its_files(django_capture_on_commit_callbacks, mocker):
    world = build_world()
    mocker.patch("reports.pack.build.build_pack", return_value=BuiltPack(pdf=PDF, csv_zip=ZIP, page_count=3))
    client = token_client(member(Role.MANAGER, team=world.own_team))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST, {"kind": "team_pack", "team": world.own_team.pk, "month": "2026-11"})
    assert response.status_code == 201, response.content
    run = client.get(response["Location"]).json()
    assert (run["status"], run["region"], run["team"], run["page_count"]) == (
        "succeeded",
        world.region.pk,
        world.own_team.pk,
        3,
    )
    assert (run["pdf_size"], run["pdf_sha256"]) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert (run["csv_size"], run["csv_sha256"]) == (len(ZIP), hashlib.sha256(ZIP).hexdigest())
    assert run["pdf_url"] == f"http://testserver/api/v1/report-runs/{run['id']}/pdf/"
    assert client.get(run["pdf_url"]).getvalue() == PDF
    assert client.get(run["csv_url"]).getvalue() == ZIP


def test_an_empty_request_says_what_is_missing_and_where():
    world = build_world()
    response = token_client(member(Role.REGIONAL_LEAD, region=world.region)).post(LIST, {})
    assert response.status_code == 400
    problem = problem_of(response)
    assert problem["type"] == "urn:iom:problem:validation-error"
    assert {error["pointer"] for error in problem["errors"]} == {"#/kind", "#/month"}
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize(
    ("who", "ask", "pointer", "message"),
    [
        (
            "regional",
            {"kind": "regional_pack", "region": "other_region", "month": "2026-10"},
            "#/region",
            "Choose one of the regions you report on.",
        ),
        (
            "regional",
            {"kind": "national_summary", "month": "2026-10"},
            "#/kind",
            "Choose a kind of report you may request: regional_pack, team_pack.",
        ),
        ("regional", {"kind": "yearly", "month": "2026-10"}, "#/kind", '"yearly" is not a kind of report.'),
        (
            "regional",
            {"kind": "regional_pack", "region": "region", "month": "1999-01"},
            "#/month",
            None,
        ),
        (
            "regional",
            {"kind": "regional_pack", "region": "region", "month": "October"},
            "#/month",
            "Give the month as YYYY-MM, e.g. 2026-10.",
        ),
        # The service's own rules, answered at the field they concern.
        (
            "regional",
            {"kind": "regional_pack", "month": "2026-10"},
            "#/region",
            "Select the region the pack is for",
        ),
        (
            "regional",
            {"kind": "regional_pack", "region": "region", "team": "own_team", "month": "2026-10"},
            "#/team",
            "A regional pack covers every team of the region: leave out the team",
        ),
        (
            "manager",
            {"kind": "team_pack", "team": "other_team", "month": "2026-10"},
            "#/team",
            "Choose one of the teams you may request a pack for.",
        ),
    ],
)
def test_a_request_the_user_may_not_make_is_refused_at_its_field(who, ask, pointer, message):
    world = build_world()
    user = (
        member(Role.REGIONAL_LEAD, region=world.region)
        if who == "regional"
        else member(Role.MANAGER, team=world.own_team)
    )
    body = {
        key: getattr(world, value).pk if key in ("region", "team") else value for key, value in ask.items()
    }
    response = token_client(user).post(LIST, body)
    assert response.status_code == 400, response.content
    (error,) = problem_of(response)["errors"]
    assert error["pointer"] == pointer
    if message is not None:
        assert error["detail"] == message
    assert not ReportRun.objects.exists()


def test_a_month_outside_the_last_two_years_names_the_months_offered():
    world = build_world()
    response = token_client(member(Role.REGIONAL_LEAD, region=world.region)).post(
        LIST, {"kind": "regional_pack", "region": world.region.pk, "month": "1999-01"}
    )
    today = timezone.localdate()
    (error,) = problem_of(response)["errors"]
    assert error["detail"].endswith(f"to {today:%Y-%m}.")


def test_roles_that_do_not_use_governance_reports_may_not_ask_for_one():
    world = build_world()
    response = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)).post(
        LIST, {"kind": "team_pack", "team": world.own_team.pk, "month": "2026-10"}
    )
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


def test_the_browser_must_send_its_csrf_token_to_ask():
    world = build_world()
    client = session_client(member(Role.REGIONAL_LEAD, region=world.region))
    response = client.post(LIST, {"kind": "regional_pack", "region": world.region.pk, "month": "2026-10"})
    assert response.status_code == 403
    assert "CSRF" in problem_of(response)["detail"]
    assert not ReportRun.objects.exists()


# One run: status and retry


def test_a_run_shows_its_progress_and_has_no_files_until_ready():
    world = build_world()
    run = ReportRunFactory.create(
        region=world.region, status=ReportRun.Status.RUNNING, progress=40, progress_note="Counting cohorts"
    )
    response = token_client(member(Role.REGIONAL_LEAD, region=world.region)).get(f"{LIST}{run.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert (body["status"], body["progress"], body["progress_note"]) == ("running", 40, "Counting cohorts")
    assert (body["pdf_url"], body["csv_url"], body["pdf_size"], body["page_count"]) == (
        None,
        None,
        None,
        None,
    )


def test_another_regions_or_teams_run_is_not_found():
    world = build_world()
    run = ready(ReportRunFactory.create(region=world.other_region))
    team_run = ready(ReportRunFactory.create(kind="team_pack", region=world.region, team=world.other_team))
    lead = token_client(member(Role.REGIONAL_LEAD, region=world.region))
    manager = token_client(member(Role.MANAGER, team=world.own_team))
    for client, each in ((lead, run), (manager, team_run)):
        for path in ("", "pdf/", "csv/"):
            response = client.get(f"{LIST}{each.pk}/{path}")
            assert response.status_code == 404, path
            problem_of(response)
        assert client.post(f"{LIST}{each.pk}/retry/").status_code == 404
    assert not AuditEvent.objects.filter(action__in=["report.downloaded", "report.retried"]).exists()


def test_a_failed_run_is_queued_again(django_capture_on_commit_callbacks, mocker):
    world = build_world()
    run = ReportRunFactory.create(
        region=world.region, status=ReportRun.Status.FAILED, attempts=3, failure_reason="It broke."
    )
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    delay = mocker.patch("reports.services.build_report_task.delay")
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(lead).post(f"{LIST}{run.pk}/retry/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["attempts"], body["failure_reason"]) == ("queued", 0, "")
    assert body["scope_name"] == "Northshire"
    delay.assert_called_once_with(run.pk)
    event = AuditEvent.objects.get(action="report.retried")
    assert (event.actor, event.detail) == (lead, {"failure_reason": "It broke."})


def test_retrying_a_run_that_has_not_failed_is_a_problem():
    world = build_world()
    run = ready(ReportRunFactory.create(region=world.region))
    response = token_client(member(Role.REGIONAL_LEAD, region=world.region)).post(f"{LIST}{run.pk}/retry/")
    assert response.status_code == 400
    assert problem_of(response)["detail"] == "Only a report that failed can be tried again"
    run.refresh_from_db()
    assert run.status == "succeeded"


# Downloads


@pytest.mark.parametrize(
    ("path", "what", "content_type", "filename", "content"),
    [
        ("pdf/", "pdf", "application/pdf", "iom-regional-pack-northshire-2026-10.pdf", PDF),
        ("csv/", "csv", "application/zip", "iom-regional-pack-northshire-2026-10-tables.zip", ZIP),
    ],
)
@pytest.mark.parametrize("accept", ["*/*", "exact"])
def test_downloading_is_audited_as_a_disclosure_to_the_downloader(
    path, what, content_type, filename, content, accept
):
    world = build_world()
    run = ready(ReportRunFactory.create(region=world.region))
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    response = token_client(lead).get(
        f"{LIST}{run.pk}/{path}", HTTP_ACCEPT=content_type if accept == "exact" else accept
    )
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]
    assert response.getvalue() == content
    event = AuditEvent.objects.get(action="report.downloaded")
    assert (event.actor, event.target_id) == (lead, str(run.pk))
    assert event.detail == {
        "what": what,
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def test_a_download_asked_for_as_json_is_not_acceptable():
    world = build_world()
    run = ready(ReportRunFactory.create(region=world.region))
    response = token_client(member(Role.REGIONAL_LEAD, region=world.region)).get(
        f"{LIST}{run.pk}/pdf/", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 406
    assert problem_of(response)["status"] == 406
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


@pytest.mark.parametrize("accept", ["*/*", "exact"])
def test_a_run_that_is_not_ready_has_nothing_to_download(accept):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    client = token_client(member(Role.REGIONAL_LEAD, region=world.region))
    for path, content_type in (("pdf/", "application/pdf"), ("csv/", "application/zip")):
        response = client.get(
            f"{LIST}{run.pk}/{path}", HTTP_ACCEPT=content_type if accept == "exact" else accept
        )
        assert response.status_code == 404
        assert problem_of(response)["detail"] == "Not found."
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_a_file_gone_from_storage_is_not_found():
    world = build_world()
    run = ready(ReportRunFactory.create(region=world.region))
    run.file.storage.delete(str(run.file.name))
    response = token_client(member(Role.REGIONAL_LEAD, region=world.region)).get(f"{LIST}{run.pk}/pdf/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_ids_too_large_for_the_database_are_simply_not_found():
    world = build_world()
    huge = "9" * 30
    client = token_client(member(Role.NATIONAL))
    assert client.get(f"{LIST}{huge}/").status_code == 404
    response = client.get(LIST, {"region": huge, "team": huge})
    assert {error["parameter"] for error in problem_of(response)["errors"]} == {"region", "team"}
    response = client.post(LIST, {"kind": "regional_pack", "region": int(huge), "month": "2026-10"})
    assert [error["pointer"] for error in problem_of(response)["errors"]] == ["#/region"]
    assert world.region.report_runs.count() == 0
