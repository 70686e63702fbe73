"""API permission matrix rows for the supervision endpoints (contract in tests/api/matrix.py).

They match the page rows for `supervision:*` in tests/test_permission_matrix.py: the person's
contacts, a contact, logging, planning and changing appointments are for the person's team (all
of whom may log contacts, so no one in scope is refused with 403); the diary is for everyone with a
caseload, each reading their own. To anyone else the person and their contacts are not found.
An empty body from someone who may act is refused field by field (400) and changes nothing.
"""

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from iom.core.api.concurrency import etag_for
from supervision.factories import ContactFactory
from tests.api.matrix import Call
from tests.test_permission_matrix import TEAM_ALL, TEAM_OWN, each, row

UNAUTHORISED = 401
NOT_ALLOWED = 405

_CHANGES = ("api:contact-outcome", "api:contact-move", "api:contact-cancel")
_PLANNING = ("api:nominal-appointments-list", "api:nominal-appointment-series-list")

ENDPOINTS: dict[str, dict[str, dict[str, int]]] = {
    "api:nominal-contacts-list": {
        "GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_OWN, 200)),
        "POST": row(404, anonymous=UNAUTHORISED, **each(TEAM_OWN, 400)),
    },
    **{
        name: {
            "GET": row(NOT_ALLOWED, anonymous=UNAUTHORISED),
            "POST": row(404, anonymous=UNAUTHORISED, **each(TEAM_OWN, 400)),
        }
        for name in _PLANNING
    },
    "api:contact-detail": {"GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_OWN, 200))},
    # Sent with the appointment's current ETag, so the empty body is what is refused.
    **{
        name: {
            "GET": row(NOT_ALLOWED, anonymous=UNAUTHORISED),
            "POST": row(404, anonymous=UNAUTHORISED, **each(TEAM_OWN, 400)),
        }
        for name in _CHANGES
    },
    "api:diary-list": {"GET": row(404, anonymous=UNAUTHORISED, **each(TEAM_ALL, 200))},
}


def prepare(name: str, method: str, world, user) -> Call:
    data: dict[str, Any] | None = {} if method == "POST" else None
    if name == "api:diary-list":
        today = timezone.localdate()
        return Call(url=f"{reverse(name)}?start={today}&end={today + datetime.timedelta(days=6)}")
    if name.startswith("api:nominal-"):
        return Call(url=reverse(name, args=[world.nominal.pk]), data=data)
    # A planned appointment of the world's person, due yesterday, so its outcome is needed.
    appointment = ContactFactory.create(
        nominal=world.nominal, outcome="", date=timezone.localdate() - datetime.timedelta(days=1)
    )
    headers = {"HTTP_IF_MATCH": etag_for(appointment)} if name in _CHANGES else {}
    return Call(url=reverse(name, args=[appointment.pk]), data=data, headers=headers)
