"""/api/v1/partner/referrals/: the partner's side over the API, with the pages' rules: only referrals
to the partner's organisation while they are open, only the fields shared, every reading audited."""

import datetime

import pytest
from django.utils import timezone

from cohorts.models import TimelineEvent
from iom.core import access
from iom.core.api.concurrency import etag_for
from iom.core.models import AuditEvent, Role
from partners import services
from partners.api.versions import version_of
from partners.factories import PartnerServiceFactory
from partners.models import Referral
from tests.actors import member
from tests.api.clients import problem_of, token_client
from tests.partners.referrals_to_us import Scene

pytestmark = pytest.mark.django_db


def etag(referral: Referral) -> str:
    """The referral's ETag as it stands now, as a client that has just read it would send it."""
    return etag_for(version_of(Referral.objects.get(pk=referral.pk)))


@pytest.fixture
def scene():
    return Scene()


def url(referral: Referral, action: str = "") -> str:
    return f"/api/v1/partner/referrals/{referral.pk}/{action + '/' if action else ''}"


# The inbox ----------------------------------------------------------------------------------------


def test_the_inbox_lists_open_referrals_to_the_organisation(scene):
    new = scene.refer()
    working = scene.accepted()
    scene.completed()  # closed: gone with the access it gave
    elsewhere = PartnerServiceFactory.create(name="Recovery group", pathways=["accommodation"])
    services.create_referral(  # to another organisation
        actor=scene.worker,
        nominal=scene.world.nominal,
        service=elsewhere,
        pathway="accommodation",
        reason="Needs support",
        lawful_basis="consent",
        consent_given_on=timezone.localdate(),
        send=True,
    )

    response = token_client(scene.partner).get("/api/v1/partner/referrals/?ordering=sent_at")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [new.pk, working.pk]
    assert rows[0]["person_name"] == "Dean Robson"
    assert rows[0]["team_name"] == "City IOM"
    assert "nominal" not in rows[0]


def test_the_inbox_filters_new_and_working_referrals(scene):
    new = scene.refer()
    working = scene.accepted()
    client = token_client(scene.partner)

    assert [r["id"] for r in client.get("/api/v1/partner/referrals/?status=new").json()["results"]] == [
        new.pk
    ]
    assert [r["id"] for r in client.get("/api/v1/partner/referrals/?status=working").json()["results"]] == [
        working.pk
    ]
    wrong = client.get("/api/v1/partner/referrals/?status=closed&service=999999")
    assert wrong.status_code == 400
    assert {error["parameter"] for error in problem_of(wrong)["errors"]} == {"status", "service"}


def test_the_inbox_takes_the_same_number_of_queries_for_one_referral_or_many(
    scene, django_assert_num_queries
):
    client = token_client(scene.partner)
    scene.refer()
    client.get("/api/v1/partner/referrals/")
    # token, memberships, count, page
    with django_assert_num_queries(4):
        client.get("/api/v1/partner/referrals/")
    for _ in range(5):
        scene.refer()
    with django_assert_num_queries(4):
        assert client.get("/api/v1/partner/referrals/").json()["count"] == 6


def test_the_inbox_does_not_exist_for_the_team(scene):
    scene.refer()

    assert token_client(scene.worker).get("/api/v1/partner/referrals/").status_code == 404


# One referral -------------------------------------------------------------------------------------


def test_a_referral_shows_only_the_fields_shared_read_now_and_the_reading_is_audited(scene):
    referral = scene.refer(shared_fields=["name", "date_of_birth"])

    response = token_client(scene.partner).get(url(referral))

    assert response.status_code == 200
    body = response.json()
    assert body["shared"] == [
        {"label": "Name", "value": "Dean Robson"},
        {"label": "Date of birth", "value": "14 March 1990"},
    ]
    assert body["referred_by"] == {"full_name": "Pat Officer", "email": "pat.officer@police.example.org"}
    assert body["lawful_basis"] == "consent"
    assert "Eastfield" not in response.content.decode()  # the area was not shared
    assert response["ETag"]
    viewed = AuditEvent.objects.get(action="nominal.viewed", actor=scene.partner)
    assert viewed.detail["referral"] == referral.pk
    assert viewed.detail["page"] == "api:partner-referral-detail"


def test_another_organisations_referral_and_a_closed_one_are_not_found(scene):
    referral = scene.refer()
    closed = scene.completed()

    assert token_client(scene.other_partner()).get(url(referral)).status_code == 404
    assert token_client(scene.partner).get(url(closed)).status_code == 404
    assert token_client(scene.worker).get(url(referral)).status_code == 404


def test_notes_shared_with_partners_are_read_once_the_referral_is_accepted(scene):
    referral = scene.refer()
    scene.note("Keen to move nearer his sister", TimelineEvent.Visibility.PARTNERS)
    scene.note("Discussed at the team meeting", TimelineEvent.Visibility.TEAM)
    client = token_client(scene.partner)

    before = client.get(url(referral, "notes")).json()
    services.accept_referral(actor=scene.partner, referral=referral)
    after = client.get(url(referral, "notes")).json()

    assert before["results"] == []
    assert [note["summary"] for note in after["results"]] == ["Keen to move nearer his sister"]
    assert after["results"][0]["recorded_by"] == "Pat Officer"


# Answers and updates ------------------------------------------------------------------------------


def test_accepting_needs_the_etag_last_read(scene):
    referral = scene.refer()
    client = token_client(scene.partner)

    missing = client.post(url(referral, "accept"), {}, format="json")
    etag = client.get(url(referral))["ETag"]
    accepted = client.post(
        url(referral, "accept"), {"note": "We will call"}, format="json", HTTP_IF_MATCH=etag
    )

    assert missing.status_code == 428
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted["ETag"] != etag
    assert access.partner_sees_nominal(scene.partner, scene.world.nominal)


def test_an_answer_to_a_referral_a_colleague_has_answered_is_refused(scene):
    referral = scene.refer()
    client = token_client(scene.partner)
    etag = client.get(url(referral))["ETag"]
    colleague = member(Role.PARTNER, organisation=scene.organisation)
    services.accept_referral(actor=colleague, referral=referral)

    stale = client.post(url(referral, "decline"), {"reason": "Full"}, format="json", HTTP_IF_MATCH=etag)
    fresh = client.post(
        url(referral, "accept"), {}, format="json", HTTP_IF_MATCH=client.get(url(referral))["ETag"]
    )

    assert stale.status_code == 412
    assert problem_of(stale)["type"] == "urn:iom:problem:stale-record"
    assert fresh.status_code == 400
    assert problem_of(fresh)["detail"] == f"Referral {referral.reference} has already been accepted"


def test_declining_needs_a_reason_said_against_the_field(scene):
    referral = scene.refer()
    client = token_client(scene.partner)

    missing = client.post(url(referral, "decline"), {}, format="json", HTTP_IF_MATCH=etag(referral))
    declined = client.post(
        url(referral, "decline"), {"reason": "No capacity"}, format="json", HTTP_IF_MATCH=etag(referral)
    )

    assert problem_of(missing)["errors"] == [
        {
            "pointer": "#/reason",
            "detail": "Enter why you are declining the referral, so the worker can find another way",
        }
    ]
    assert declined.json()["status"] == "declined"
    assert client.get(url(referral)).status_code == 404  # closed: the partner's pages are gone


def test_updates_and_sessions_are_recorded_on_an_accepted_referral(scene):
    referral = scene.accepted()
    client = token_client(scene.partner)
    today = str(timezone.localdate())

    update = client.post(url(referral, "updates"), {"note": "Viewed a flat"}, format="json")
    session = client.post(
        url(referral, "sessions"), {"session_on": today, "attendance": "did_not_attend"}, format="json"
    )

    assert update.status_code == 201, update.content
    assert update.json()["kind"] == "progress"
    assert session.status_code == 201, session.content
    assert session.json()["attendance"] == "did_not_attend"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.IN_PROGRESS


def test_an_update_on_a_new_referral_is_refused_before_its_body_is_read(scene):
    referral = scene.refer()

    response = token_client(scene.partner).post(url(referral, "updates"), {}, format="json")

    assert response.status_code == 400
    assert problem_of(response)["detail"] == (
        f"Referral {referral.reference} is new, so you cannot add an update until it is accepted"
    )


def test_a_session_in_the_future_is_said_against_its_date(scene):
    referral = scene.accepted()
    tomorrow = str(timezone.localdate() + datetime.timedelta(days=1))

    response = token_client(scene.partner).post(
        url(referral, "sessions"), {"session_on": tomorrow, "attendance": "attended"}, format="json"
    )

    assert problem_of(response)["errors"] == [
        {"pointer": "#/session_on", "detail": "The date must be today or in the past"}
    ]


def test_completing_closes_the_referral_and_ends_the_partners_access(scene):
    referral = scene.accepted()
    client = token_client(scene.partner)

    response = client.post(
        url(referral, "complete"),
        {"outcome": "achieved", "summary": "Housed"},
        format="json",
        HTTP_IF_MATCH=etag(referral),
    )

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "achieved"
    assert not access.partner_sees_nominal(scene.partner, scene.world.nominal)


def test_another_organisation_cannot_answer(scene):
    referral = scene.refer()

    response = token_client(scene.other_partner()).post(
        url(referral, "accept"), {}, format="json", HTTP_IF_MATCH=etag(referral)
    )

    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
