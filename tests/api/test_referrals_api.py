"""/api/v1/referrals/ and /api/v1/nominals/{id}/referrals/: the team's side of referrals over the API,
with the pages' rules, audit rows and messages."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iom.core.api.concurrency import etag_for
from iom.core.models import AuditEvent, Role
from partners import services
from partners.api.versions import version_of
from partners.factories import PartnerServiceFactory, ReferralFactory
from partners.models import Capacity, Referral
from tests.actors import member
from tests.api.clients import problem_of, session_client, token_client
from tests.partners.referrals_to_us import Scene

pytestmark = pytest.mark.django_db


def etag(referral: Referral) -> str:
    """The referral's ETag as it stands now, as a client that has just read it would send it."""
    return etag_for(version_of(Referral.objects.get(pk=referral.pk)))


@pytest.fixture
def scene():
    return Scene()


def detail_url(referral: Referral) -> str:
    return f"/api/v1/referrals/{referral.pk}/"


def new_referral(scene: Scene, **changes: object) -> dict:
    body = {
        "nominal": scene.world.nominal.pk,
        "pathway": "accommodation",
        "service": scene.service.pk,
        "reason": "Sofa surfing since release",
        "shared_fields": ["date_of_birth"],
        "lawful_basis": "consent",
        "consent_given_on": str(timezone.localdate() - dt.timedelta(days=1)),
    }
    body.update(changes)
    return body


def draft(scene: Scene) -> Referral:
    return services.create_referral(
        actor=scene.worker,
        nominal=scene.world.nominal,
        service=scene.service,
        pathway="accommodation",
        reason="Needs a tenancy",
        send=False,
    )


# The list -----------------------------------------------------------------------------------------


def test_the_list_holds_the_teams_referrals_and_its_reading_is_audited(scene):
    referral = scene.refer()
    ReferralFactory.create(nominal=scene.world.other_nominal)  # another team's person

    response = token_client(scene.team_member()).get("/api/v1/referrals/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    body = response.json()
    assert [row["id"] for row in body["results"]] == [referral.pk]
    row = body["results"][0]
    assert row["reference"] == referral.reference
    assert row["status"] == "sent"
    assert row["nominal"] == {"id": scene.world.nominal.pk, "full_name": "Dean Robson"}
    assert row["organisation"]["name"] == "Northshire Housing Trust"
    assert row["outcome"] is None
    assert row["overdue"] is False
    viewed = AuditEvent.objects.get(action="team_referrals.viewed")
    assert viewed.detail["page"] == 1
    assert viewed.detail["via"] == "api:referral-list"


def test_the_list_takes_the_same_number_of_queries_for_one_referral_or_many(scene, django_assert_num_queries):
    client = token_client(scene.team_member())
    scene.refer()
    # token, memberships, count, page, audit (the token's last use is noted once a minute at most)
    client.get("/api/v1/referrals/")
    with django_assert_num_queries(5) as one:
        client.get("/api/v1/referrals/")
    for _ in range(5):
        scene.refer()
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/api/v1/referrals/")
    assert response.json()["count"] == 6


def test_filters_narrow_the_list_as_the_page_does(scene):
    sent = scene.refer()
    kept_back = draft(scene)
    client = token_client(scene.team_member())

    assert [r["id"] for r in client.get("/api/v1/referrals/?status=open").json()["results"]] == [sent.pk]
    assert [r["id"] for r in client.get("/api/v1/referrals/?status=draft").json()["results"]] == [
        kept_back.pk
    ]
    oldest_first = client.get("/api/v1/referrals/?ordering=created_at").json()["results"]
    assert [r["id"] for r in oldest_first] == [sent.pk, kept_back.pk]
    narrowed = AuditEvent.objects.filter(action="team_referrals.viewed").order_by("id").first()
    assert narrowed is not None
    assert narrowed.detail["filtered"] is True


def test_a_filter_that_cannot_be_read_is_a_problem_naming_the_parameter(scene):
    response = token_client(scene.team_member()).get("/api/v1/referrals/?status=lost&since=yesterday")

    assert response.status_code == 400
    problem = problem_of(response)
    assert {error["parameter"] for error in problem["errors"]} == {"status", "since"}
    assert any("lost is not one" in error["detail"] for error in problem["errors"])


def test_sparse_fields_return_only_those_asked_for(scene):
    scene.refer()

    response = token_client(scene.team_member()).get("/api/v1/referrals/?fields=id,status")

    assert response.json()["results"][0].keys() == {"id", "status"}


@pytest.mark.parametrize("role", [Role.PARTNER, Role.NATIONAL])
def test_the_list_does_not_exist_for_people_without_a_caseload(scene, role):
    scene.refer()

    response = token_client(member(role)).get("/api/v1/referrals/")

    assert response.status_code == 404
    problem_of(response)


# One referral -------------------------------------------------------------------------------------


def test_a_referral_is_read_with_its_history_and_etag_and_the_reading_is_audited(scene):
    referral = scene.refer()

    response = token_client(scene.team_member()).get(detail_url(referral))

    assert response.status_code == 200
    body = response.json()
    assert body["reason"] == "Sofa surfing since release"
    assert body["shared_fields"] == ["name", "address_area"]
    assert [event["to_status"] for event in body["history"]] == ["draft", "sent"]
    assert body["can_withdraw"] is False  # a probation practitioner not on the case team
    assert response["ETag"]
    assert AuditEvent.objects.filter(action="referral.viewed", target_id=str(referral.pk)).count() == 1


def test_another_teams_referral_is_not_found_and_the_attempt_is_logged(scene):
    referral = scene.refer()
    outsider = member(Role.POLICE_OFFENDER_MANAGER, team=scene.world.other_team)

    response = token_client(outsider).get(detail_url(referral))

    assert response.status_code == 404
    problem_of(response)
    assert AuditEvent.objects.filter(action="referral.access_denied", actor=outsider).exists()


# Referring ----------------------------------------------------------------------------------------


def test_referring_sends_the_referral_and_answers_with_it(scene):
    response = token_client(scene.worker).post("/api/v1/referrals/", new_referral(scene), format="json")

    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert response["Location"] == detail_url(referral)
    assert response["ETag"]
    assert response.json()["status"] == "sent"
    assert referral.shared_fields == ["name", "date_of_birth"]
    assert AuditEvent.objects.filter(action="referral.sent", recipient=scene.organisation).exists()


def test_a_draft_is_saved_without_sending_and_may_lack_its_lawful_basis(scene):
    body = new_referral(scene, send=False, lawful_basis="", consent_given_on=None)

    response = token_client(scene.worker).post("/api/v1/referrals/", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    assert response.json()["can_change_draft"] is True


def test_sending_the_same_referral_twice_refers_once(scene):
    body = new_referral(scene, submission_id=str(uuid.uuid4()))
    client = token_client(scene.worker)

    first = client.post("/api/v1/referrals/", body, format="json")
    second = client.post("/api/v1/referrals/", body, format="json")

    assert first.json()["id"] == second.json()["id"]
    assert Referral.objects.count() == 1


def test_what_is_missing_is_said_against_each_field(scene):
    response = token_client(scene.worker).post(
        "/api/v1/referrals/", {"nominal": scene.world.nominal.pk, "pathway": "space"}, format="json"
    )

    assert response.status_code == 400
    errors = {error["pointer"]: error["detail"] for error in problem_of(response)["errors"]}
    assert errors["#/pathway"] == "Select the pathway the referral is for"
    assert errors["#/reason"] == "Say why you are referring the person and what they need"
    assert errors["#/service"] == "Select the service to refer the person to"
    assert not Referral.objects.exists()


def test_the_services_rules_come_back_as_field_errors_and_nothing_is_saved(scene):
    body = new_referral(scene, lawful_basis="public_task", consent_given_on=None)

    response = token_client(scene.worker).post("/api/v1/referrals/", body, format="json")

    assert response.status_code == 400
    assert problem_of(response)["errors"] == [
        {
            "pointer": "#/sharing_agreement",
            "detail": "Enter the information sharing agreement this sharing rests on",
        }
    ]
    assert not Referral.objects.exists()


def test_a_service_not_taking_referrals_cannot_be_chosen(scene):
    closed = PartnerServiceFactory.create(capacity=Capacity.CLOSED, name="Full up")

    response = token_client(scene.worker).post(
        "/api/v1/referrals/", new_referral(scene, service=closed.pk), format="json"
    )

    assert response.status_code == 400
    assert problem_of(response)["errors"][0] == {
        "pointer": "#/service",
        "detail": "Full up is not taking referrals; choose another service",
    }


def test_someone_in_the_team_but_not_on_the_case_team_may_not_refer(scene):
    response = token_client(scene.team_member()).post(
        "/api/v1/referrals/", new_referral(scene), format="json"
    )

    assert response.status_code == 403
    problem_of(response)


def test_a_person_in_another_team_is_not_found(scene):
    outsider = member(Role.MANAGER, team=scene.world.other_team)

    response = token_client(outsider).post("/api/v1/referrals/", new_referral(scene), format="json")

    assert response.status_code == 404


def test_the_browser_session_needs_its_csrf_token(scene):
    response = session_client(scene.worker).post("/api/v1/referrals/", new_referral(scene), format="json")

    assert response.status_code == 403
    assert not Referral.objects.exists()


# Changing a draft, sending, withdrawing -----------------------------------------------------------


def test_a_draft_is_changed_with_the_etag_last_read(scene):
    referral = draft(scene)
    client = token_client(scene.worker)
    etag = client.get(detail_url(referral))["ETag"]

    response = client.patch(
        detail_url(referral), {"reason": "Needs a tenancy and a deposit"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.content
    assert response.json()["reason"] == "Needs a tenancy and a deposit"
    assert response["ETag"] != etag
    referral.refresh_from_db()
    assert referral.reason == "Needs a tenancy and a deposit"


def test_a_change_without_if_match_is_refused(scene):
    referral = draft(scene)

    response = token_client(scene.worker).patch(detail_url(referral), {"reason": "Changed"}, format="json")

    assert response.status_code == 428
    assert problem_of(response)["type"] == "urn:iom:problem:if-match-required"


def test_a_change_to_a_draft_someone_else_has_changed_is_refused(scene):
    referral = draft(scene)
    client = token_client(scene.worker)
    etag = client.get(detail_url(referral))["ETag"]
    services.update_draft_referral(
        actor=scene.worker, referral=referral, service=scene.service, pathway="accommodation", reason="Theirs"
    )

    response = client.patch(detail_url(referral), {"reason": "Mine"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert "changed since you read it" in problem_of(response)["detail"]
    referral.refresh_from_db()
    assert referral.reason == "Theirs"


def test_an_empty_change_is_a_problem(scene):
    referral = draft(scene)

    response = token_client(scene.worker).patch(
        detail_url(referral), {}, format="json", HTTP_IF_MATCH=etag(referral)
    )

    assert response.status_code == 400
    assert "Send at least one of" in problem_of(response)["detail"]


def test_only_a_draft_can_be_changed(scene):
    referral = scene.refer()

    response = token_client(scene.worker).patch(
        detail_url(referral), {"reason": "Changed"}, format="json", HTTP_IF_MATCH=etag(referral)
    )

    assert response.status_code == 400
    assert problem_of(response)["detail"] == "This referral is sent; only a draft can be changed"


def test_a_draft_is_sent(scene):
    referral = draft(scene)
    services.update_draft_referral(
        actor=scene.worker,
        referral=referral,
        service=scene.service,
        pathway="accommodation",
        reason="Needs a tenancy",
        lawful_basis="consent",
        consent_given_on=timezone.localdate(),
    )
    client = token_client(scene.worker)
    etag = client.get(detail_url(referral))["ETag"]

    response = client.post(f"{detail_url(referral)}send/", format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "sent"


def test_a_draft_without_its_lawful_basis_is_not_sent(scene):
    referral = draft(scene)

    response = token_client(scene.worker).post(f"{detail_url(referral)}send/", HTTP_IF_MATCH=etag(referral))

    assert response.status_code == 400
    assert problem_of(response)["errors"][0]["pointer"] == "#/lawful_basis"


def test_a_referral_is_withdrawn_with_a_reason(scene):
    referral = scene.refer()
    client = token_client(scene.worker)

    missing = client.post(f"{detail_url(referral)}withdraw/", {}, format="json", HTTP_IF_MATCH=etag(referral))
    withdrawn = client.post(
        f"{detail_url(referral)}withdraw/",
        {"reason": "Housed by the council"},
        format="json",
        HTTP_IF_MATCH=etag(referral),
    )

    assert problem_of(missing)["errors"] == [
        {"pointer": "#/reason", "detail": "Say why the referral is withdrawn"}
    ]
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"


def test_a_team_member_not_on_the_case_team_may_read_but_not_withdraw(scene):
    referral = scene.refer()

    response = token_client(scene.team_member()).post(
        f"{detail_url(referral)}withdraw/", {"reason": "No"}, format="json", HTTP_IF_MATCH=etag(referral)
    )

    assert response.status_code == 403


# A person's referrals -----------------------------------------------------------------------------


def test_a_persons_referrals_are_read_as_their_referrals_tab_and_audited(scene, django_assert_num_queries):
    referral = scene.refer()
    client = token_client(scene.team_member())
    url = f"/api/v1/nominals/{scene.world.nominal.pk}/referrals/"

    response = client.get(url)

    assert [row["id"] for row in response.json()["results"]] == [referral.pk]
    viewed = AuditEvent.objects.get(action="nominal.viewed")
    assert viewed.detail == {"page": "api:nominal-referrals"}
    # As many queries for five referrals as for one.
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        scene.refer()
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).json()["count"] == 5


def test_another_teams_person_has_no_referrals_to_read(scene):
    outsider = member(Role.POLICE_OFFENDER_MANAGER, team=scene.world.other_team)

    response = token_client(outsider).get(f"/api/v1/nominals/{scene.world.nominal.pk}/referrals/")

    assert response.status_code == 404
