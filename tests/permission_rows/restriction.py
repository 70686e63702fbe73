"""Permission-matrix rows for restricted cases and break-glass access (cohorts/views/restriction.py).

In the ordinary world the person is not restricted: the team's manager may restrict the record (an
empty POST re-shows the form with its errors), the rest of the team can see it and are refused (403);
there is no allow-list to change or restriction to lift yet (404 for the manager). Break-glass on a
record the team may open already sends them to it (302). Everyone with a caseload may look for a
restricted record by identifier; the managers of any team read their teams' break-glass log.

RESTRICTED_ROWS: on a restricted case with an empty allow-list, the break-glass page is for the team
(200; an empty POST re-shows the form), everyone else 404; the allow-list and lifting pages answer
404 to all, as every record URL does (they are here so the allow-list matrix leaves them to
tests/cohorts/test_restriction_views.py, since their answers there depend on who is named).
"""

from django.urls import reverse

from iom.core.models import Role
from tests.actors import member
from tests.permission_rows.common import SIGN_IN_FIRST, TEAM_ALL, TEAM_OWN, each, row

MANAGER_ONLY_SEEN_BY_TEAM = row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200})
# Nothing to change until the record is restricted: the manager gets 404, the rest of the team 403.
NOTHING_TO_CHANGE = row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 404})
ALL_NOT_FOUND = row(404, anonymous=SIGN_IN_FIRST)

ROWS: dict[str, dict[str, dict[str, int]]] = {
    "cohorts:restriction": {"GET": MANAGER_ONLY_SEEN_BY_TEAM, "POST": MANAGER_ONLY_SEEN_BY_TEAM},
    "cohorts:restriction-lift": {"GET": NOTHING_TO_CHANGE, "POST": NOTHING_TO_CHANGE},
    "cohorts:allow-list-remove": {"GET": NOTHING_TO_CHANGE, "POST": NOTHING_TO_CHANGE},
    "cohorts:break-glass": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 302)),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 302)),
    },
    "cohorts:break-glass-search": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200)),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200)),
    },
    "cohorts:break-glass-log": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, manager_own=200, manager_other=200),
    },
}

RESTRICTED_ROWS: dict[str, dict[str, dict[str, int]]] = {
    "cohorts:break-glass": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200)),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200)),
    },
    "cohorts:restriction-lift": {"GET": ALL_NOT_FOUND, "POST": ALL_NOT_FOUND},
    "cohorts:allow-list-remove": {"GET": ALL_NOT_FOUND, "POST": ALL_NOT_FOUND},
}


def url_for(name: str, world, user) -> str | None:
    if name not in ROWS:
        return None
    if name in ("cohorts:break-glass-search", "cohorts:break-glass-log"):
        return reverse(name)
    if name == "cohorts:allow-list-remove":
        named = user if user is not None else member(Role.MANAGER, team=world.own_team)
        return reverse(name, args=[world.nominal.pk, named.pk])
    return reverse(name, args=[world.nominal.pk])
