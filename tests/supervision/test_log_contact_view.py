import pytest
from django.utils import timezone

from iom.core.models import AuditEvent, Role
from supervision.models import Contact
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def url(nominal):
    return f"/people/{nominal.pk}/contacts/new/"


def test_the_form_opens_with_todays_date_and_the_view_is_audited(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    response = client.get(url(world.nominal))
    assert response.status_code == 200
    assert timezone.localdate().strftime("%d/%m/%Y") in response.content.decode()
    assert AuditEvent.objects.get(action="nominal.viewed").detail == {"page": "log-contact"}


def test_logging_a_contact_returns_to_the_person_with_a_banner(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    today = timezone.localdate().strftime("%d/%m/%Y")
    response = client.post(
        url(world.nominal),
        {
            "happened_on": today,
            "kind": "phone",
            "outcome": "attended_complied",
            "notes": "Rang about the bus pass.",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/people/{world.nominal.pk}/", 302)]
    html = response.content.decode()
    assert "Contact logged for Dean Robson" in html
    assert "Phone call: attended and complied" in html
    assert Contact.objects.get().notes == "Rang about the bus pass."


def test_errors_are_shown_field_by_field_and_nothing_is_saved(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    response = client.post(url(world.nominal), {"happened_on": "31/02/2026", "notes": "x" * 5001})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    for anchor, message in [
        ("#id_happened_on", "Date of contact must be a real date, like 17/11/2026"),
        ("#id_kind_0", "Select the type of contact"),
        ("#id_outcome_0", "Select the outcome"),
        ("#id_notes", "Note must be 5,000 characters or fewer"),
    ]:
        assert f'<a href="{anchor}">{message}</a>' in html
    assert "govuk-input--error" in html
    assert not Contact.objects.exists()


def test_a_future_date_from_the_service_is_shown_on_the_form(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    response = client.post(
        url(world.nominal), {"happened_on": "01/01/2099", "kind": "phone", "outcome": "attended_complied"}
    )
    assert "Date of contact must be today or in the past" in response.content.decode()
    assert not Contact.objects.exists()


def test_another_teams_person_is_not_found_for_get_and_post(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert client.get(url(world.other_nominal)).status_code == 404
    assert client.post(url(world.other_nominal), {"kind": "phone"}).status_code == 404
    assert AuditEvent.objects.filter(action="nominal.access_denied").count() == 2
