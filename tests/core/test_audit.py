import pytest

from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def test_a_recorded_event_carries_the_request_id_and_address(client):
    world = build_world()
    user = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    client.force_login(user)
    response = client.get(
        f"/people/{world.nominal.pk}/", HTTP_X_REQUEST_ID="req-abc-12345", REMOTE_ADDR="10.1.2.3"
    )
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert response["X-Request-ID"] == "req-abc-12345"
    assert (event.request_id, event.ip_address, event.actor, event.nominal_id) == (
        "req-abc-12345",
        "10.1.2.3",
        user,
        world.nominal.pk,
    )
    assert (event.target_type, event.target_id) == ("cohorts.nominal", str(world.nominal.pk))


def test_a_malformed_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
    assert len(response["X-Request-ID"]) == 32


def test_forwarded_for_is_trusted_only_for_configured_proxies(client, settings):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    client.get(f"/people/{world.nominal.pk}/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.9")
    settings.IOM_TRUSTED_PROXY_HOPS = 1
    client.get(
        f"/people/{world.nominal.pk}/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.9"
    )
    addresses = list(
        AuditEvent.objects.filter(action="nominal.viewed").order_by("id").values_list("ip_address", flat=True)
    )
    assert addresses == ["10.0.0.9", "203.0.113.7"]
