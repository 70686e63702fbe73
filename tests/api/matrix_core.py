"""API permission matrix rows for the account endpoints (contract in tests/api/matrix.py)."""

from django.urls import reverse

from tests.api.matrix import Call
from tests.test_permission_matrix import row

UNAUTHORISED = 401

ENDPOINTS: dict[str, dict[str, dict[str, int]]] = {
    # Everyone signed in may ask who they are, administrators and partners included; it is read-only.
    "api:me": {"GET": row(200, anonymous=UNAUTHORISED), "POST": row(405, anonymous=UNAUTHORISED)},
}


def prepare(name: str, method: str, world, user) -> Call:
    return Call(url=reverse(name), data={} if method == "POST" else None)
