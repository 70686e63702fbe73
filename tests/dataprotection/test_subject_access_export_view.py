"""An export's own page: its progress (polled by htmx every 2 s), then its downloads or its failure."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dataprotection.models import SubjectAccessExport
from iom.core import audit
from iom.core.models import AuditEvent, Role
from tests.actors import member
from tests.dataprotection.test_subject_access_views import download_url, fast_pdf, page_url, prepare  # noqa: F401

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def status_url(export: SubjectAccessExport) -> str:
    return reverse("dataprotection:subject-access-export", args=[export.pk])


@pytest.fixture
def manager(world, client):
    user = member(Role.MANAGER, team=world.own_team)
    client.force_login(user)
    return user


def _building(world, manager, **fields) -> SubjectAccessExport:
    defaults = {
        "status": "building",
        "progress": 35,
        "stage": "Laying out the PDF",
        "started_at": timezone.now(),
    }
    return SubjectAccessExport.objects.create(
        nominal=world.nominal, team=world.own_team, requested_by=manager, **{**defaults, **fields}
    )


def test_an_export_being_built_shows_its_progress_and_polls_every_two_seconds(client, world, manager):
    export = _building(world, manager)

    response = client.get(status_url(export))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert f'hx-get="{status_url(export)}?seen=' in html
    assert 'value="35"' in html
    assert "Laying out the PDF" in html
    assert 'role="status"' in html
    assert "Download PDF" not in html


def test_opening_the_page_is_logged_as_a_consultation_but_its_polls_are_not(client, world, manager):
    export = _building(world, manager)

    client.get(status_url(export))
    client.get(status_url(export), **HTMX)
    client.get(status_url(export), **HTMX)

    viewed = AuditEvent.objects.get(action="subject_access.export_viewed")
    assert (viewed.actor, viewed.nominal_id, viewed.target_id) == (manager, world.nominal.pk, str(export.pk))
    assert viewed.detail == {"status": "building"}
    assert audit.kind_of(viewed.action) == audit.CONSULTATION


def test_a_poll_gets_the_progress_panel_alone(client, world, manager):
    export = _building(world, manager)

    response = client.get(status_url(export), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="export-status"')
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html  # the live region's text, replaced out of band


def test_a_poll_that_has_seen_this_state_gets_204(client, world, manager):
    export = _building(world, manager)
    seen = client.get(status_url(export)).context["seen"]

    assert client.get(f"{status_url(export)}?seen={seen}", **HTMX).status_code == 204

    SubjectAccessExport.objects.filter(pk=export.pk).update(progress=95, stage="Saving the PDF")
    assert client.get(f"{status_url(export)}?seen={seen}", **HTMX).status_code == 200


@pytest.mark.usefixtures("fast_pdf")
def test_a_ready_export_offers_both_downloads_and_stops_polling(
    client, world, manager, django_capture_on_commit_callbacks
):
    export = prepare(client, world.nominal, django_capture_on_commit_callbacks)

    html = client.get(status_url(export)).content.decode()

    assert "hx-trigger" not in html
    assert download_url(export, "pdf") in html
    assert download_url(export, "json") in html
    assert export.pdf_sha256 in html
    assert "data protection officer" in html


@pytest.mark.usefixtures("fast_pdf")
def test_a_failed_export_shows_the_reason_and_try_again_prepares_a_new_one(
    client, world, manager, django_capture_on_commit_callbacks
):
    export = _building(
        world, manager, status="failed", failure_reason="The export took too long to build and was stopped."
    )

    html = client.get(status_url(export)).content.decode()

    assert "hx-trigger" not in html
    assert "The export took too long to build and was stopped." in html
    assert f'action="{page_url(world.nominal)}"' in html
    assert "Try again" in html
    again = prepare(client, world.nominal, django_capture_on_commit_callbacks)
    assert again.pk != export.pk
    assert again.status == "succeeded"


def test_asking_again_while_an_export_is_being_built_shows_that_one(client, world, manager):
    export = _building(world, manager)

    response = client.post(page_url(world.nominal))

    assert response["Location"] == status_url(export)
    assert SubjectAccessExport.objects.count() == 1


def test_another_teams_manager_gets_404(client, world, manager):
    export = _building(world, manager)
    client.force_login(member(Role.MANAGER, team=world.other_team))

    assert client.get(status_url(export)).status_code == 404
    assert client.get(status_url(export), **HTMX).status_code == 404
