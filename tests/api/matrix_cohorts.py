"""API permission matrix rows for the cohorts API (contract in tests/api/matrix.py).

They match the page rows for the equivalent `cohorts:*` pages in tests/test_permission_matrix.py:
the caseload and adding a person for everyone with a caseload; a person's record, memberships,
assessments and needs for their own team; proposing for the team's frontline and managers; changes to
the record for its case team and the team's managers (the world's person has no case team, so of the
team only its manager: the rest can see and are refused); the panel's decision for the team's manager
alone, as on the panel page. Allowed writes send `{}` and are refused field by field (400).
"""

from typing import Any

from django.urls import reverse

from cohorts import services
from cohorts.api.memberships import version_of
from cohorts.models import CohortMembership
from iom.core.api.concurrency import etag_for
from iom.core.models import Role
from tests.actors import member
from tests.api.matrix import Call
from tests.test_permission_matrix import TEAM_ALL, TEAM_OWN, each, row

UNAUTHORISED = 401
NOT_ALLOWED = 405
# Seen by the team; changed by the case team and managers.
TEAM_SEES = row(404, anonymous=UNAUTHORISED, **each(TEAM_OWN, 200))
MANAGER_CHANGES = row(404, anonymous=UNAUTHORISED, **{**each(TEAM_OWN, 403), "manager_own": 400})
POST_ONLY = row(NOT_ALLOWED, anonymous=UNAUTHORISED)

ENDPOINTS: dict[str, dict[str, dict[str, int]]] = {
    "api:nominal-list": {
        "GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_ALL, 200)),
        "POST": row(404, anonymous=UNAUTHORISED, **each(TEAM_ALL, 400)),
    },
    "api:nominal-detail": {"GET": TEAM_SEES, "PATCH": MANAGER_CHANGES},
    "api:cohort-membership-list": {
        "GET": TEAM_SEES,
        # Any frontline worker or manager of the team may propose; the panel decides.
        "POST": row(404, anonymous=UNAUTHORISED, **each(TEAM_OWN, 400)),
    },
    "api:cohort-membership-detail": {"GET": TEAM_SEES},
    # As the panel page: a proposal in the own team is decided by that team's manager alone.
    "api:cohort-membership-decision": {
        "GET": POST_ONLY,
        "POST": row(404, anonymous=UNAUTHORISED, manager_own=400),
    },
    "api:cohort-membership-review": {"GET": POST_ONLY, "POST": MANAGER_CHANGES},
    "api:assessment-list": {"GET": TEAM_SEES, "POST": MANAGER_CHANGES},
    "api:need-list": {"GET": TEAM_SEES},
    "api:need-status": {"GET": POST_ONLY, "POST": MANAGER_CHANGES},
}


def _proposal(world) -> CohortMembership:
    proposer = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    return services.propose_for_cohort(
        actor=proposer, nominal=world.nominal, cohort="fixed", reason="Persistent burglary"
    )


def _active_membership(world) -> CohortMembership:
    membership = _proposal(world)
    return services.record_panel_decision(
        actor=member(Role.MANAGER, team=world.own_team),
        membership=membership,
        accepted=True,
        panel_date=membership.proposed_on,
        attendees="DS Hall (police), J. Okoro (probation)",
        rationale="Meets the Fixed criteria",
    )


def prepare(name: str, method: str, world, user) -> Call:
    data: dict[str, Any] | None = {} if method in ("POST", "PATCH") else None
    if name == "api:nominal-list":
        return Call(url=reverse(name), data=data)
    if name == "api:nominal-detail":
        # The current ETag, so the row tests who may change the record, not the precondition.
        headers = {"HTTP_IF_MATCH": etag_for(world.nominal)} if method == "PATCH" else {}
        return Call(url=reverse(name, args=[world.nominal.pk]), data=data, headers=headers)
    if name in ("api:cohort-membership-detail", "api:cohort-membership-decision"):
        return Call(url=reverse(name, args=[_proposal(world).pk]), data=data)
    if name == "api:cohort-membership-review":
        membership = _active_membership(world)
        headers = {"HTTP_IF_MATCH": etag_for(version_of(membership))} if method == "POST" else {}
        return Call(url=reverse(name, args=[membership.pk]), data=data, headers=headers)
    if name == "api:need-status":
        return Call(url=reverse(name, args=[world.nominal.pk, "accommodation"]), data=data)
    return Call(url=reverse(name, args=[world.nominal.pk]), data=data)
