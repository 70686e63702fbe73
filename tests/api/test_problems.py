"""Every API error is RFC 9457 problem details, with field errors pointing at what was wrong."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path, reverse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient

from iom.core.api.problems import PreconditionFailed, QueryValidationError
from iom.core.api.viewsets import ApiView
from iom.core.models import Role
from tests.actors import build_world, member
from tests.api.clients import problem_of, token_client

pytestmark = pytest.mark.django_db


class AddressSerializer(serializers.Serializer):
    postcode = serializers.RegexField(r"^[A-Z0-9 ]+$")


class AliasSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)


class PersonSerializer(serializers.Serializer):
    given_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    address = AddressSerializer()
    aliases = AliasSerializer(many=True, required=False)

    def validate(self, attrs):
        if attrs.get("given_name") == "Nobody":
            raise serializers.ValidationError("A person needs a name we can use.")
        return attrs


class PersonView(ApiView):
    def post(self, request: Request) -> Response:
        PersonSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({})


# What a service (or a selector's fetch-and-authorise helper) may let escape into a view.
SERVICE_ERRORS = {
    "fields": DjangoValidationError(
        {"date_of_birth": ["Enter a date in the past"], "__all__": ["Not like this"]}
    ),
    "plain": DjangoValidationError("This referral has already been sent"),
    "denied": PermissionDenied(),
    "missing": Http404("Nominal 12 is restricted"),
    "query": QueryValidationError({"status": "Choose one of: open, closed"}),
    "stale": PreconditionFailed(),
}


class FailingServiceView(ApiView):
    """Stands in for a view that calls a service and lets its errors escape."""

    def post(self, request: Request, kind: str) -> Response:
        raise SERVICE_ERRORS[kind]


urlpatterns = [
    path("people/", PersonView.as_view()),
    path("failing/<str:kind>/", FailingServiceView.as_view()),
]
with_test_views = pytest.mark.urls(__name__)


@pytest.fixture
def client():
    return token_client(member(Role.MANAGER, team=build_world().own_team))


def test_a_problem_has_the_rfc_9457_shape():
    response = APIClient().get("/api/v1/me/")

    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Authentication credentials were not provided.",
        "instance": "/api/v1/me/",
    }


@with_test_views
def test_field_errors_point_into_the_body_including_nested_fields(client):
    response = client.post(
        "/people/?x=1",
        {"given_name": "", "date_of_birth": "31/02/1990", "address": {"postcode": "ls1 4ap!"}},
    )

    assert response.status_code == 400
    body = problem_of(response)
    assert body["type"] == "urn:iom:problem:validation-error"
    assert body["title"] == "Bad Request"
    assert body["detail"] == "The request has errors: see `errors`."
    assert body["instance"] == "/people/?x=1"
    assert {error["pointer"] for error in body["errors"]} == {
        "#/given_name",
        "#/date_of_birth",
        "#/address/postcode",
    }
    assert all(error["detail"] for error in body["errors"])


@with_test_views
def test_errors_in_a_list_point_at_the_item(client):
    response = client.post(
        "/people/",
        {
            "given_name": "Dean",
            "date_of_birth": "1990-02-01",
            "address": {"postcode": "LS1 4AP"},
            "aliases": [{"name": "Deano"}, {"name": "Much too long a name"}],
        },
    )

    errors = problem_of(response)["errors"]
    assert [error["pointer"] for error in errors] == ["#/aliases/1/name"]


@with_test_views
def test_errors_about_the_whole_request_are_the_detail(client):
    response = client.post(
        "/people/", {"given_name": "Nobody", "date_of_birth": "1990-02-01", "address": {"postcode": "LS1"}}
    )

    body = problem_of(response)
    assert body["detail"] == "A person needs a name we can use."
    assert body["errors"] == []


@with_test_views
def test_a_services_validation_error_names_its_fields(client):
    body = problem_of(client.post("/failing/fields/", {}))

    assert body["status"] == 400
    assert body["detail"] == "Not like this"
    assert body["errors"] == [{"pointer": "#/date_of_birth", "detail": "Enter a date in the past"}]


@with_test_views
def test_a_services_plain_validation_error_is_the_detail(client):
    body = problem_of(client.post("/failing/plain/", {}))

    assert body["status"] == 400
    assert body["detail"] == "This referral has already been sent"
    assert body["errors"] == []


@with_test_views
def test_a_services_permission_denied_is_403(client):
    body = problem_of(client.post("/failing/denied/", {}))

    assert body["status"] == 403
    assert body["title"] == "Forbidden"


@with_test_views
def test_not_found_from_a_service_is_404_and_tells_nothing_more(client):
    body = problem_of(client.post("/failing/missing/", {}))

    assert body["status"] == 404
    # Out of scope looks the same as missing: the reason is not told.
    assert "restricted" not in str(body)


@with_test_views
def test_query_parameter_errors_name_the_parameter(client):
    body = problem_of(client.post("/failing/query/", {}))

    assert body["errors"] == [{"parameter": "status", "detail": "Choose one of: open, closed"}]


@with_test_views
def test_a_stale_record_has_its_own_problem_type(client):
    body = problem_of(client.post("/failing/stale/", {}))

    assert body["status"] == 412
    assert body["type"] == "urn:iom:problem:stale-record"
    assert "changed since you read it" in body["detail"]


@with_test_views
def test_a_form_body_is_415(client):
    response = client.post("/people/", "given_name=Dean", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert problem_of(response)["title"] == "Unsupported Media Type"


@with_test_views
def test_a_malformed_json_body_is_a_400_problem(client):
    response = client.post("/people/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert problem_of(response)["detail"].startswith("JSON parse error")


@pytest.mark.parametrize(
    "path", ["/api/nothing-here", "/api/", "/api/v1/anything", "/api/v1/", "/api/v2/me/"]
)
def test_unknown_api_addresses_are_problems_not_pages(path):
    response = APIClient().get(path)

    assert response.status_code == 404
    assert problem_of(response)["detail"] == "There is no API endpoint at this address."


def test_a_signed_in_caller_gets_the_same_404_for_unknown_addresses(client):
    assert problem_of(client.get("/api/v1/anything"))["instance"] == "/api/v1/anything"


def test_asking_for_html_gets_a_406_problem_in_json(client):
    response = client.get("/api/v1/me/", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert problem_of(response)["title"] == "Not Acceptable"


def test_the_schemas_own_errors_are_json_problems_too():
    """The schema view renders YAML; its 401 must still be a JSON problem."""
    response = APIClient().get("/api/schema/")

    assert response.status_code == 401
    assert problem_of(response)["title"] == "Unauthorized"


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_a_write_to_an_unknown_address_is_a_404_problem_not_a_csrf_page(method):
    response = getattr(APIClient(enforce_csrf_checks=True), method)("/api/v1/referrals/Scunthorpe/", {})

    assert response.status_code == 404
    assert problem_of(response)["detail"] == "There is no API endpoint at this address."


@pytest.mark.parametrize("path", ["/api/v1/no-such\nthing/", "/api/x\ny"])
def test_an_address_with_a_line_break_is_still_an_api_404(path):
    """Found by schemathesis: `.` stops at a newline, so the catch-all must match any character."""
    response = APIClient().post(path, {})

    assert response.status_code == 404
    assert problem_of(response)["detail"] == "There is no API endpoint at this address."


def test_the_catch_all_keeps_the_api_urls_reversible():
    """`(?s)` in a URL pattern breaks reverse() for the whole namespace (every Location header)."""
    assert reverse("api:me") == "/api/v1/me/"
    assert reverse("api-not-found").startswith("/api/")
