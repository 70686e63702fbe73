"""ETags and If-Match: a change must name the version it was made against."""

import datetime
from types import SimpleNamespace

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from iom.core.api.concurrency import etag_for, require_if_match, version_from_if_match
from iom.core.api.problems import PreconditionFailed, PreconditionRequired

NOMINAL = SimpleNamespace(pk=12, version=3)
CHANGED = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
CONTACT = SimpleNamespace(pk=40, updated_at=CHANGED)


def request_with(if_match: str | None = None) -> Request:
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    return Request(APIRequestFactory().patch("/api/v1/anything/12/", **headers))


def test_a_versioned_records_etag_names_its_version():
    assert etag_for(NOMINAL) == '"12-v3"'


def test_other_records_etag_follows_when_they_last_changed():
    tag = etag_for(CONTACT)

    assert tag.startswith('"')
    assert tag.endswith('"')
    assert etag_for(SimpleNamespace(pk=40, updated_at=CHANGED)) == tag
    assert etag_for(SimpleNamespace(pk=40, updated_at=CHANGED + datetime.timedelta(microseconds=1))) != tag
    assert etag_for(SimpleNamespace(pk=41, updated_at=CHANGED)) != tag


def test_a_record_with_neither_has_no_etag():
    with pytest.raises(TypeError):
        etag_for(SimpleNamespace(pk=1))


@pytest.mark.parametrize("header", [None, "", "   ", "*", '"12-v1", *'])
def test_a_change_without_if_match_is_428(header):
    with pytest.raises(PreconditionRequired):
        require_if_match(request_with(header), NOMINAL)


# A weak tag never matches: If-Match compares strongly (RFC 9110 13.1.1), and ours are strong.
@pytest.mark.parametrize(
    "header", ['"12-v2"', '"12-v4"', '"13-v3"', "12-v3", '"*"', "W/", ",", 'W/"12-v3"', '"12-v1",W/"12-v3"']
)
def test_a_change_against_another_version_is_412(header):
    with pytest.raises(PreconditionFailed):
        require_if_match(request_with(header), NOMINAL)


@pytest.mark.parametrize(
    "header",
    [
        '"12-v3"',
        ' "12-v3" ',
        '"12-v2", "12-v3"',
        'W/"12-v1", "12-v3"',
    ],
)
def test_a_change_against_the_current_version_goes_ahead(header):
    require_if_match(request_with(header), NOMINAL)


def test_a_service_that_checks_versions_itself_gets_the_version_named():
    assert version_from_if_match(request_with('"12-v3"'), NOMINAL) == 3
    with pytest.raises(PreconditionFailed):
        version_from_if_match(request_with('"12-v2"'), NOMINAL)
    with pytest.raises(PreconditionRequired):
        version_from_if_match(request_with(), NOMINAL)


def test_the_problems_say_what_to_do():
    assert PreconditionRequired.status_code == 428
    assert "If-Match" in str(PreconditionRequired.default_detail)
    assert PreconditionFailed.status_code == 412
    assert "new ETag" in str(PreconditionFailed.default_detail)
