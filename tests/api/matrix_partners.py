"""API permission matrix rows for the partners API (contract in tests/api/matrix.py).

They match the page rows for `partners:*` in tests/test_permission_matrix.py: the team reads its
people's referrals, and of the team only the manager may refer (the world's person has no case
team); a referral's partner endpoints answer its recipient alone, and only until it closes; the
directory is for everyone with a caseload and administrators. Writes send a body that is allowed
but invalid, so whoever may act gets 400 and nothing changes.
"""

from django.urls import reverse

from iom.core.api.concurrency import etag_for
from iom.core.models import Role
from partners.api.versions import version_of
from partners.factories import PartnerServiceFactory, ReferralFactory
from partners.models import Referral
from tests.actors import member
from tests.api.matrix import Call
from tests.test_permission_matrix import (
    PARTNERS,
    TEAM_ALL,
    TEAM_OWN,
    each,
    recipient,
    referral_for,
    row,
)

UNAUTHORISED = 401
# Seen, but only the manager may change it (the world's person has no case team).
MANAGER_ONLY = {**each(TEAM_OWN, 403), "manager_own": 400}
NOT_HERE = 405

ENDPOINTS: dict[str, dict[str, dict[str, int]]] = {
    "api:referral-list": {
        "GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_ALL, 200)),
        # The person's id alone: another team's person is not found, one's own team is told who may refer.
        "POST": row(404, anonymous=UNAUTHORISED, **MANAGER_ONLY),
    },
    "api:referral-detail": {
        "GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_OWN, 200)),
        "PATCH": row(404, anonymous=UNAUTHORISED, **MANAGER_ONLY),
    },
    # A draft without its lawful basis: sending it is refused and nothing is disclosed.
    "api:referral-send": {
        "GET": row(NOT_HERE, anonymous=UNAUTHORISED),
        "POST": row(404, anonymous=UNAUTHORISED, **MANAGER_ONLY),
    },
    "api:referral-withdraw": {
        "GET": row(NOT_HERE, anonymous=UNAUTHORISED),
        "POST": row(404, anonymous=UNAUTHORISED, **MANAGER_ONLY),
    },
    "api:nominal-referrals": {"GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_OWN, 200))},
    # Every partner has an inbox, holding only referrals to their organisation.
    "api:partner-referral-list": {"GET": row(404, anonymous=UNAUTHORISED, **each(PARTNERS, 200))},
    "api:partner-referral-detail": {"GET": row(404, anonymous=UNAUTHORISED, partner_referred=200)},
    "api:partner-referral-notes": {"GET": row(404, anonymous=UNAUTHORISED, partner_referred=200)},
    **{
        name: {
            "GET": row(NOT_HERE, anonymous=UNAUTHORISED),
            "POST": row(404, anonymous=UNAUTHORISED, partner_referred=400),
        }
        for name in (
            "api:partner-referral-accept",
            "api:partner-referral-decline",
            "api:partner-referral-updates",
            "api:partner-referral-sessions",
            "api:partner-referral-complete",
        )
    },
    "api:partner-service-list": {
        "GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_ALL, 200), administrator=200)
    },
    "api:partner-service-detail": {
        "GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_ALL, 200), administrator=200)
    },
}

# The page whose referral state (tests.test_permission_matrix.REFERRAL_STATE) each endpoint needs.
PAGE_OF = {
    "api:referral-detail": "partners:referral-edit",
    "api:referral-withdraw": "partners:referral-withdraw",
    "api:partner-referral-accept": "partners:accept",
    "api:partner-referral-decline": "partners:decline",
}
# Changes that need If-Match: the referral's current ETag passes the check, so the call reaches the
# rule it tests.
IF_MATCH = {
    "api:referral-detail",
    "api:referral-send",
    "api:referral-withdraw",
    "api:partner-referral-accept",
    "api:partner-referral-decline",
    "api:partner-referral-complete",
}
# Accepting needs no input; a note longer than any allowed makes it an invalid one.
BODIES = {"api:partner-referral-accept": {"note": "x" * 5001}}


def _unsendable_draft(world):
    service = PartnerServiceFactory.create(organisation=recipient(world), name="Housing advice")
    return ReferralFactory.create(
        nominal=world.nominal,
        service=service,
        referred_by=member(Role.MANAGER, team=world.own_team),
        lawful_basis="",
        consent_given_on=None,
    )


def prepare(name: str, method: str, world, user) -> Call:
    writing = method in ("POST", "PATCH")
    data = BODIES.get(name, {}) if writing else None
    if name in ("api:referral-list", "api:partner-referral-list", "api:partner-service-list"):
        if name == "api:referral-list" and method == "POST":
            data = {"nominal": world.nominal.pk}
        return Call(url=reverse(name), data=data)
    if name == "api:nominal-referrals":
        return Call(url=reverse(name, args=[world.nominal.pk]))
    if name == "api:partner-service-detail":
        return Call(url=reverse(name, args=[PartnerServiceFactory.create(name="Housing advice").pk]))
    if name == "api:referral-send":
        referral = _unsendable_draft(world)
    else:
        page = PAGE_OF.get(name, "partners:referral-detail")
        referral = referral_for(page if name != "api:referral-detail" or writing else "", world)
    current = Referral.objects.get(pk=referral.pk)  # as the services left it
    headers = {"HTTP_IF_MATCH": etag_for(version_of(current))} if writing and name in IF_MATCH else {}
    return Call(url=reverse(name, args=[referral.pk]), data=data, headers=headers)
