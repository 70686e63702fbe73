"""The OpenAPI schema: valid, warning-free, and saying every answer each operation can give."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from iom.core.models import Role
from tests.actors import build_world, member
from tests.api.clients import problem_of, session_client, token_client

METHODS = ("get", "post", "put", "patch", "delete")
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def test_the_schema_is_valid_openapi_3_without_warnings(tmp_path):
    """What CI's `spectacular --validate --fail-on-warn` does: any warning from any endpoint fails."""
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    assert out.read_text().startswith("openapi: 3.")


def test_every_operation_has_an_id_a_tag_and_the_errors_every_call_can_meet(schema):
    ids = []
    for label, operation in operations(schema):
        ids.append(operation.get("operationId"))
        assert operation.get("operationId"), label
        assert operation.get("tags"), label
        for code in ("401", "404", "406", "429"):
            assert PROBLEM in operation["responses"].get(code, {}).get("content", {}), f"{label} {code}"
        assert operation.get("security"), f"{label} must need a token or a session"
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    assert "me" in ids


def test_operations_with_input_document_400_and_415(schema):
    for label, operation in operations(schema):
        if label.startswith(("POST", "PUT", "PATCH")):
            for code in ("400", "415"):
                assert PROBLEM in operation["responses"][code]["content"], f"{label} {code}"


def test_changes_to_records_need_if_match_and_say_412_and_428(schema):
    for label, operation in operations(schema):
        if label.startswith(("PUT", "PATCH")):
            headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
            assert [(p["name"], p["required"]) for p in headers] == [("If-Match", True)], label
            for code in ("412", "428"):
                assert PROBLEM in operation["responses"][code]["content"], f"{label} {code}"


def test_the_problem_component_matches_what_errors_hold(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status"}
    assert set(problem["properties"]) == {"type", "title", "status", "detail", "instance", "errors"}


def test_tokens_are_the_documented_security_scheme(schema):
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from Account → API tokens: `Authorization: Bearer iom_…`.",
    }


@pytest.mark.django_db
def test_the_schema_needs_authentication():
    response = APIClient().get("/api/schema/")

    assert response.status_code == 401
    assert problem_of(response)["title"] == "Unauthorized"


@pytest.mark.django_db
def test_a_token_holder_reads_the_schema():
    client = token_client(member(Role.PARTNER))

    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "IOM case manager API"
    assert "/api/v1/me/" in response.json()["paths"]


@pytest.mark.django_db
def test_the_docs_page_loads_everything_from_this_site():
    world = build_world()

    response = session_client(member(Role.MANAGER, team=world.own_team)).get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger" in page.lower()
    assert "https://" not in page
    assert "http://" not in page


def test_request_bodies_take_no_field_the_operation_does_not_name(schema):
    requests = {name: c for name, c in schema["components"]["schemas"].items() if name.endswith("Request")}
    assert len(requests) > 10
    assert all(component.get("additionalProperties") is False for component in requests.values())


def test_lists_taking_fields_promise_no_field_in_their_answers(schema):
    """`?fields=` may leave any field out, so a sparse serializer's component requires none."""
    listed = schema["paths"]["/api/v1/nominals/"]["get"]
    assert any(parameter["name"] == "fields" for parameter in listed["parameters"])
    page = listed["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    item = schema["components"]["schemas"][page]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
    assert "required" not in schema["components"]["schemas"][item]
    assert "required" in schema["components"]["schemas"]["Problem"]


def test_the_headers_a_client_relies_on_are_documented(schema):
    """ETag on a record the API can change, Location on what it creates, Retry-After on a 429."""
    detail = schema["paths"]["/api/v1/nominals/{id}/"]
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    assert "ETag" in detail["patch"]["responses"]["200"]["headers"]
    assert "Location" in schema["paths"]["/api/v1/nominals/"]["post"]["responses"]["201"]["headers"]
    for _label, operation in operations(schema):
        assert "Retry-After" in operation["responses"]["429"]["headers"]
