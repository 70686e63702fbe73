"""The report pages: list with filters, request form, progress, retry and downloads."""

import datetime

import pytest

from iom.core.models import AuditEvent, Role
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.services import build_report
from tests.actors import build_world, member
from tests.reports.conftest import FAKE_PDF, FAKE_ZIP

pytestmark = pytest.mark.django_db


def listed(response) -> list[ReportRun]:
    return list(response.context["page"].object_list)


def test_a_regional_lead_lists_their_regions_packs_and_team_packs_only(client):
    world = build_world()
    regional = ReportRunFactory.create(region=world.region)
    team = ReportRunFactory.create(kind="team_pack", region=world.region, team=world.other_team)
    ReportRunFactory.create(region=world.other_region)
    ReportRunFactory.create(kind="national_summary", region=None)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    assert listed(client.get("/reports/")) == [team, regional]


def test_a_manager_lists_their_teams_packs_only(client):
    world = build_world()
    own = ReportRunFactory.create(kind="team_pack", region=world.region, team=world.own_team)
    ReportRunFactory.create(kind="team_pack", region=world.region, team=world.other_team)
    ReportRunFactory.create(region=world.region)
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.get("/reports/")
    assert listed(response) == [own]
    html = response.content.decode()
    assert "City IOM, October 2026" in html
    assert "Team monthly pack" in html


def test_a_national_user_lists_every_run(client):
    world = build_world()
    runs = [
        ReportRunFactory.create(region=world.region),
        ReportRunFactory.create(region=world.other_region),
        ReportRunFactory.create(kind="national_summary", region=None),
    ]
    client.force_login(member(Role.NATIONAL))
    assert listed(client.get("/reports/")) == runs[::-1]


def test_the_list_filters_by_kind_status_region_team_and_month(client):
    world = build_world()
    regional = ReportRunFactory.create(region=world.region, status="succeeded")
    team = ReportRunFactory.create(
        kind="team_pack", region=world.region, team=world.own_team, status="failed"
    )
    other = ReportRunFactory.create(region=world.other_region)
    september = ReportRunFactory.create(
        region=world.region, period_start=datetime.date(2026, 9, 1), period_end=datetime.date(2026, 9, 30)
    )
    client.force_login(member(Role.NATIONAL))
    assert listed(client.get("/reports/?kind=team_pack")) == [team]
    assert listed(client.get("/reports/?status=succeeded")) == [regional]
    assert listed(client.get(f"/reports/?region={world.other_region.pk}")) == [other]
    assert listed(client.get(f"/reports/?team={world.own_team.pk}")) == [team]
    assert listed(client.get("/reports/?month=2026-09")) == [september]
    assert listed(client.get(f"/reports/?region={world.region.pk}&month=2026-10&kind=regional_pack")) == [
        regional
    ]
    response = client.get("/reports/?kind=team_pack&status=queued")
    assert listed(response) == []
    assert "No reports match your filters" in response.content.decode()


def test_a_filter_that_makes_no_sense_is_reported_and_ignored(client):
    world = build_world()
    mine = ReportRunFactory.create(region=world.region)
    ReportRunFactory.create(region=world.other_region)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    response = client.get(f"/reports/?region={world.other_region.pk}&status=lost")
    assert listed(response) == [mine]
    html = response.content.decode()
    assert '<a href="#id_region">Select a region from the list</a>' in html
    assert '<a href="#id_status">Select a status from the list</a>' in html


def test_an_empty_list_says_so(client):
    world = build_world()
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    assert "No reports yet" in client.get("/reports/").content.decode()


def test_the_list_pages_by_twenty_and_keeps_the_filters(client):
    world = build_world()
    ReportRunFactory.create_batch(25, region=world.region, status="succeeded")
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    response = client.get("/reports/?status=succeeded&page=2")
    assert len(listed(response)) == 5
    assert 'href="?status=succeeded&amp;page=1"' in response.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_takes_a_constant_number_of_queries(client, django_assert_num_queries, size):
    world = build_world()
    ReportRunFactory.create_batch(size, region=world.region)
    ReportRunFactory.create_batch(size, kind="team_pack", region=world.region, team=world.own_team)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    # session, user, memberships, the filter's regions, its teams, count, page of runs with region,
    # team and requester
    with django_assert_num_queries(7):
        response = client.get("/reports/")
    assert len(listed(response)) == min(20, 2 * size)


def test_the_request_form_offers_the_users_kinds_regions_and_teams(client):
    world = build_world()
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    form = client.get("/reports/new/").context["form"]
    assert [value for value, _ in form.fields["kind"].choices] == ["regional_pack", "team_pack"]
    assert [region.name for region in form.fields["region"].queryset] == ["Northshire"]
    assert [team.name for team in form.fields["team"].queryset] == ["City IOM", "County IOM"]


def test_a_manager_is_offered_their_team_pack_only(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.get("/reports/new/")
    form = response.context["form"]
    assert [value for value, _ in form.fields["kind"].choices] == ["team_pack"]
    assert [team.name for team in form.fields["team"].queryset] == ["City IOM"]
    html = response.content.decode()
    assert '<input type="hidden" name="kind" value="team_pack"' in html
    assert "What kind of report?" not in html


def test_requesting_a_pack_builds_it_and_shows_the_run(client, django_capture_on_commit_callbacks, fake_pack):
    world = build_world()
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/new/",
            # The team select is always sent; only the region counts for a regional pack.
            {
                "kind": "regional_pack",
                "region": world.region.pk,
                "team": world.own_team.pk,
                "month": "2026-10",
            },
        )
    run = ReportRun.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/reports/{run.pk}/")
    assert (run.kind, run.region, run.team) == ("regional_pack", world.region, None)
    assert (run.period_start.isoformat(), run.period_end.isoformat()) == ("2026-10-01", "2026-10-31")
    # Tasks run eagerly in tests, so the run is finished by the time the page shows.
    html = client.get(response["Location"]).content.decode()
    assert "Download PDF" in html
    assert "Download tables as CSV" in html
    assert "3 pages" in html


def test_a_team_pack_request_names_the_team(client, django_capture_on_commit_callbacks, fake_pack):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/new/", {"kind": "team_pack", "team": world.own_team.pk, "month": "2026-11"})
    run = ReportRun.objects.get()
    assert (run.kind, run.team, run.region, run.status) == (
        "team_pack",
        world.own_team,
        world.region,
        "succeeded",
    )


def test_the_form_refuses_what_the_user_may_not_choose_and_says_where(client):
    world = build_world()
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    response = client.post(
        "/reports/new/", {"kind": "regional_pack", "region": world.other_region.pk, "month": "1999-01"}
    )
    html = response.content.decode()
    assert '<a href="#id_region">Select one of your regions</a>' in html
    assert '<a href="#id_month">Select a month from the list</a>' in html
    response = client.post("/reports/new/", {"kind": "national_summary", "month": "2026-10"})
    assert '<a href="#id_kind_0">Select the kind of report</a>' in response.content.decode()
    response = client.post("/reports/new/", {"month": "2026-10"})
    assert '<a href="#id_kind_0">Select the kind of report</a>' in response.content.decode()
    assert not ReportRun.objects.exists()


def test_a_running_report_polls_for_its_progress_and_htmx_gets_only_the_panel(client):
    world = build_world()
    run = ReportRunFactory.create(
        region=world.region, status=ReportRun.Status.RUNNING, progress=40, progress_note="Counting cohorts"
    )
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    page = client.get(f"/reports/{run.pk}/")
    html = page.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert '<progress id="report-progress" class="app-progress" max="100" value="40">40%</progress>' in html
    assert 'role="status" aria-live="polite"' in html
    assert "Building the report: 40% done. Counting cohorts" in html
    panel = client.get(f"/reports/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith('<div id="report-status"')
    assert "<html" not in panel
    assert '<span id="report-status-text" hx-swap-oob="innerHTML">' in panel
    # A poll that has seen this state already gets nothing to swap.
    seen = page.context["seen"]
    assert client.get(f"/reports/{run.pk}/?seen={seen}", HTTP_HX_REQUEST="true").status_code == 204
    ReportRun.objects.filter(pk=run.pk).update(progress=60)
    assert client.get(f"/reports/{run.pk}/?seen={seen}", HTTP_HX_REQUEST="true").status_code == 200


def test_a_finished_report_stops_polling(client, fake_pack):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    build_report(report_run_id=run.pk)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    assert "hx-trigger" not in client.get(f"/reports/{run.pk}/").content.decode()


def test_a_failed_report_says_why_and_offers_to_try_again(
    client, django_capture_on_commit_callbacks, fake_pack
):
    world = build_world()
    run = ReportRunFactory.create(
        region=world.region, status=ReportRun.Status.FAILED, attempts=3, failure_reason="It broke."
    )
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    client.force_login(lead)
    html = client.get(f"/reports/{run.pk}/").content.decode()
    assert "It broke." in html
    assert f'<form method="post" action="/reports/{run.pk}/retry/"' in html
    assert "Try again" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{run.pk}/retry/")
    assert (response.status_code, response["Location"]) == (302, f"/reports/{run.pk}/")
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("succeeded", 1)
    assert AuditEvent.objects.get(action="report.retried").actor == lead


def test_retrying_a_run_that_has_not_failed_says_so(client):
    world = build_world()
    run = ReportRunFactory.create(region=world.region, status=ReportRun.Status.SUCCEEDED)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    response = client.post(f"/reports/{run.pk}/retry/", follow=True)
    assert "Only a report that failed can be tried again" in response.content.decode()
    run.refresh_from_db()
    assert run.status == "succeeded"


@pytest.mark.parametrize(
    ("path", "what", "content_type", "filename", "content"),
    [
        ("download/", "pdf", "application/pdf", "iom-regional-pack-northshire-2026-10.pdf", FAKE_PDF),
        (
            "download/tables/",
            "csv",
            "application/zip",
            "iom-regional-pack-northshire-2026-10-tables.zip",
            FAKE_ZIP,
        ),
    ],
)
def test_downloading_is_audited_as_a_disclosure_to_the_downloader(
    client, fake_pack, path, what, content_type, filename, content
):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    client.force_login(lead)
    response = client.get(f"/reports/{run.pk}/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == content
    event = AuditEvent.objects.get(action="report.downloaded")
    assert (event.actor, event.target_id) == (lead, str(run.pk))
    sha256 = run.file_sha256 if what == "pdf" else run.csv_sha256
    assert event.detail == {"what": what, "bytes": len(content), "sha256": sha256}


def test_a_report_that_is_not_ready_has_nothing_to_download(client):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    assert client.get(f"/reports/{run.pk}/download/").status_code == 404
    assert client.get(f"/reports/{run.pk}/download/tables/").status_code == 404
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_another_regions_or_teams_report_is_not_found(client, fake_pack):
    world = build_world()
    run = ReportRunFactory.create(region=world.other_region)
    team_run = ReportRunFactory.create(kind="team_pack", region=world.region, team=world.other_team)
    for each in (run, team_run):
        build_report(report_run_id=each.pk)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    for path in ("", "download/", "download/tables/"):
        assert client.get(f"/reports/{run.pk}/{path}").status_code == 404
    client.force_login(member(Role.MANAGER, team=world.own_team))
    for path in ("", "download/", "download/tables/"):
        assert client.get(f"/reports/{team_run.pk}/{path}").status_code == 404
    assert client.post(f"/reports/{team_run.pk}/retry/").status_code == 404
