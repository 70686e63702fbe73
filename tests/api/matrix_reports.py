"""API permission matrix rows for /api/v1/report-runs/ (contract in tests/api/matrix.py).

They match the page rows for `reports:*` in tests/test_permission_matrix.py: the list and the request
are for everyone who uses governance reports; the run in a URL is the own team's October pack, for
its manager, the region's lead and national users; to anyone else it is not found.
"""

from django.urls import reverse

from tests.api.matrix import Call
from tests.test_permission_matrix import REPORTS_PAGES, TEAM_PACK_READERS, each, row, team_pack_for

UNAUTHORISED = 401

ENDPOINTS: dict[str, dict[str, dict[str, int]]] = {
    # An empty request is refused field by field: nothing is queued.
    "api:report-run-list": {
        "GET": row(404, anonymous=UNAUTHORISED, **each(REPORTS_PAGES, 200)),
        "POST": row(404, anonymous=UNAUTHORISED, **each(REPORTS_PAGES, 400)),
    },
    "api:report-run-detail": {"GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_PACK_READERS, 200))},
    "api:report-run-pdf": {"GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_PACK_READERS, 200))},
    "api:report-run-csv": {"GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_PACK_READERS, 200))},
    # The run is built already, so a reader's retry is refused (400) and changes nothing.
    "api:report-run-retry": {
        "GET": row(405, anonymous=UNAUTHORISED),
        "POST": row(404, anonymous=UNAUTHORISED, **each(TEAM_PACK_READERS, 400)),
    },
}

_ACCEPT = {
    "api:report-run-pdf": {"HTTP_ACCEPT": "application/pdf"},
    "api:report-run-csv": {"HTTP_ACCEPT": "application/zip"},
}


def prepare(name: str, method: str, world, user) -> Call:
    if name == "api:report-run-list":
        return Call(url=reverse(name), data={} if method == "POST" else None)
    # A built pack with both files (the page matrix's "reports:detail" run) serves every run URL.
    run = team_pack_for("reports:detail", world)
    return Call(url=reverse(name, args=[run.pk]), headers=dict(_ACCEPT.get(name, {})))
