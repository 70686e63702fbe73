import pytest

from iom.core.models import AuditEvent, Role
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.services import render_governance_report
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def test_the_list_shows_runs_for_my_region_only(client):
    world = build_world()
    mine = ReportRunFactory.create(region=world.region)
    ReportRunFactory.create(region=world.other_region)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    response = client.get("/reports/")
    assert list(response.context["page"].object_list) == [mine]


def test_an_empty_list_says_so(client):
    world = build_world()
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    assert "No reports yet" in client.get("/reports/").content.decode()


def test_the_list_takes_a_constant_number_of_queries(client, django_assert_num_queries):
    world = build_world()
    ReportRunFactory.create_batch(30, region=world.region)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    # session, user, memberships, count, page of runs with region and requester
    with django_assert_num_queries(5):
        response = client.get("/reports/")
    assert len(response.context["page"].object_list) == 20


def test_requesting_a_report_builds_it_and_shows_the_run(client, django_capture_on_commit_callbacks):
    world = build_world()
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    form = client.get("/reports/new/")
    assert [region.name for region in form.context["form"].fields["region"].queryset] == ["Northshire"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/new/", {"region": world.region.pk, "month": "2026-10"})
    run = ReportRun.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/reports/{run.pk}/")
    assert (run.period_start.isoformat(), run.period_end.isoformat()) == ("2026-10-01", "2026-10-31")
    # Tasks run eagerly in tests, so the run is finished by the time the page shows.
    assert "Download PDF" in client.get(response["Location"]).content.decode()


def test_the_form_refuses_another_region_and_unknown_months(client):
    world = build_world()
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    response = client.post("/reports/new/", {"region": world.other_region.pk, "month": "1999-01"})
    html = response.content.decode()
    assert '<a href="#id_region">Select one of your regions</a>' in html
    assert '<a href="#id_month">Select a month from the list</a>' in html
    assert not ReportRun.objects.exists()


def test_a_running_report_polls_for_its_status_and_htmx_gets_only_the_panel(client):
    world = build_world()
    run = ReportRunFactory.create(region=world.region, status=ReportRun.Status.RUNNING, progress=40)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    page = client.get(f"/reports/{run.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "40% done" in page
    panel = client.get(f"/reports/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith('<div id="report-status"')
    assert "<html" not in panel


def test_a_finished_report_stops_polling(client):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    render_governance_report(report_run_id=run.pk)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    assert "hx-trigger" not in client.get(f"/reports/{run.pk}/").content.decode()


def test_a_failed_report_says_why(client):
    world = build_world()
    run = ReportRunFactory.create(
        region=world.region, status=ReportRun.Status.FAILED, failure_reason="It broke."
    )
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    html = client.get(f"/reports/{run.pk}/").content.decode()
    assert "It broke." in html
    assert "Request the report again" in html


def test_downloading_is_audited_as_a_disclosure_to_the_downloader(client):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    render_governance_report(report_run_id=run.pk)
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    client.force_login(lead)
    response = client.get(f"/reports/{run.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="iom-governance-northshire-2026-10.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="report.downloaded")
    assert (event.actor, event.target_id) == (lead, str(run.pk))


def test_a_report_that_is_not_ready_has_nothing_to_download(client):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    assert client.get(f"/reports/{run.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_another_regions_report_is_not_found(client):
    world = build_world()
    run = ReportRunFactory.create(region=world.other_region)
    render_governance_report(report_run_id=run.pk)
    client.force_login(member(Role.REGIONAL_LEAD, region=world.region))
    assert client.get(f"/reports/{run.pk}/").status_code == 404
    assert client.get(f"/reports/{run.pk}/download/").status_code == 404
