"""The API keeps the promises its schema makes, under inputs nobody thought of.

Schemathesis reads /api/schema/ from the app in-process (WSGI, no server) and sends every operation
generated requests, valid and invalid, as a manager of a seeded team (and the partner endpoints as
partner staff with referrals). Every answer must be no server error, with a status code, content
type, headers and body the schema documents. Bounded and deterministic, so CI can afford it.
"""

import re
from collections import defaultdict
from contextlib import contextmanager
from io import StringIO

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from iom.core import services
from iom.core.models import Role, User
from partners.models import Referral

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CONFIG = schemathesis.Config.from_dict(
    {"seed": 20261206, "generation": {"deterministic": True, "database": "none", "max-examples": 12}}
)
# Per operation and input mode. No shrinking: the first failing input is reported as found.
FUZZING = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
PARAMETER = re.compile(r"{(\w+)}")


@pytest.fixture
def demo(db):
    """The demo data (`make run`'s) in the test's transaction: people with full records, contacts,
    referrals in every state, partner staff. Fewer people than the demo, the same variety."""
    call_command("seed_demo", "--nominals-per-team", "4", stdout=StringIO())


@contextmanager
def through_wsgi():
    """Requests reach Django through WSGI rather than its test client, so stop Django closing the
    test's connection (and with it, its transaction) at the start and end of each, as the test
    client does. (The test client connects the signals again after each of its own requests.)"""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def bearer(user: User) -> dict[str, str]:
    raw = services.create_api_token(actor=user, name="Schemathesis", lifetime_days=30).raw
    return {"Authorization": f"Bearer {raw}"}


def manager() -> User:
    return User.objects.filter(memberships__role=Role.MANAGER, memberships__team__isnull=False).earliest("pk")


def partner() -> User:
    """Partner staff of the organisation with the most open referrals."""
    referral = (
        Referral.objects.filter(status=Referral.Status.ACCEPTED).select_related("service").earliest("pk")
    )
    return User.objects.filter(
        memberships__role=Role.PARTNER, organisation=referral.service.organisation_id
    ).earliest("pk")


def collection(path: str, parameter: str) -> str:
    """The collection a path parameter names a member of: `contacts` for /contacts/{id}/."""
    before = path.split("{" + parameter + "}")[0].rstrip("/")
    return before.rsplit("/", 1)[-1]


def known_ids(raw_schema: dict, headers: dict[str, str]) -> dict[str, list[int]]:
    """The ids each collection's lists show this user, so generated calls reach real records and
    not only 404s. Nested lists are read with the first ids their parents gave."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=headers["Authorization"])
    ids: dict[str, set[int]] = defaultdict(set)
    lists = [path for path, item in raw_schema["paths"].items() if "get" in item and path.endswith("s/")]
    for _ in range(2):
        for path in lists:
            url = path
            for parameter in PARAMETER.findall(path):
                parents = sorted(ids.get(collection(path, parameter), ()))
                if not parents:
                    break
                url = url.replace("{" + parameter + "}", str(parents[0]))
            else:
                response = client.get(url, {"page_size": 200})
                if response.status_code == 200 and isinstance(response.json(), dict):
                    rows = response.json().get("results", [])
                    ids[path.rstrip("/").rsplit("/", 1)[-1]].update(row["id"] for row in rows if "id" in row)
    return {name: sorted(values) for name, values in ids.items()}


def load(headers: dict[str, str]):
    with through_wsgi():
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", get_wsgi_application(), config=CONFIG, headers=headers
        )
    known = known_ids(schema.raw_schema, headers)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters:
            return st.just(path_parameters)
        choices = {}
        for name, value in path_parameters.items():
            real = known.get(collection(context.operation.path, name), [])
            choices[name] = st.sampled_from([*real[:5], value]) if real else st.just(value)
        return st.fixed_dictionaries(choices)

    return schema


def call_and_check(case, auth: dict[str, str]) -> None:
    # Each request's writes are undone, so every example meets the same seeded records.
    with through_wsgi(), transaction.atomic():
        response = case.call(headers=auth)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS, headers=auth)


def failures_of(schema, auth: dict[str, str], *, only: str = "") -> tuple[list[str], int]:
    """Every operation, valid and invalid inputs; what failed, and how many operations ran.

    One test walks them all (schemathesis' own pytest loader needs an older pytest), so the
    seed is built once; each failure keeps schemathesis' report, with a curl line to replay it."""
    failures: list[str] = []
    count = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"The schema is wrong: {result.err()}")
            continue
        operation = result.ok()
        if not operation.path.startswith(only):
            continue
        count += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZING
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                call_and_check(case, auth)

            try:
                run()
            except (Exception, BaseExceptionGroup) as error:  # every failure is reported, then the test fails
                notes = "\n".join(getattr(error, "__notes__", []))
                failures.append(f"{operation.label} ({mode.value} inputs):\n{error}\n{notes}")
    return failures, count


def test_every_operation_keeps_its_schema(demo):
    auth = bearer(manager())
    failures, operations = failures_of(load(auth), auth)

    assert operations > 1
    assert not failures, "\n\n".join(failures)


def test_partner_operations_keep_their_schema_for_partner_staff(demo):
    auth = bearer(partner())
    failures, operations = failures_of(load(auth), auth, only="/api/v1/partner/")

    assert operations > 1
    assert not failures, "\n\n".join(failures)
