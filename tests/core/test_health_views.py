from unittest import mock

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_checks_the_database_and_the_broker(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_readyz_is_unavailable_when_the_broker_is_down(client):
    with mock.patch("iom.core.views.celery_app.connection_for_write", side_effect=ConnectionRefusedError):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error: ConnectionRefusedError"
