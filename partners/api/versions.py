"""A referral's ETag, and the check that a change is made to the referral the client last read.

A referral keeps neither a version nor `updated_at`, and editing a draft changes no timestamp, so
its version is a digest of everything a change can alter: its own fields and its newest event
(status changes, progress updates and sessions are all events).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Max
from rest_framework.request import Request

from iom.core.api.concurrency import StateVersion, require_if_match
from partners import services
from partners.models import Referral, ReferralEvent

_CHANGEABLE = (
    "status",
    "service_id",
    "organisation_id",
    "pathway",
    "reason",
    "lawful_basis",
    "consent_given_on",
    "sharing_agreement",
    "shared_fields",
    "outcome",
)


def version_of(referral: Referral, *, history: Iterable[ReferralEvent] | None = None) -> StateVersion:
    """The referral's version; pass the history when it has been read already, to save a query."""
    if history is not None:
        newest = max((event.pk for event in history), default=None)
    else:
        newest = referral.events.aggregate(newest=Max("id"))["newest"]
    return StateVersion.of(referral.pk, newest, *(getattr(referral, name) for name in _CHANGEABLE))


@contextmanager
def unchanged_since_read(request: Request, referral: Referral) -> Iterator[Referral]:
    """Lock the referral as the services do (the person first, then the referral: see
    services.locked_referral), check If-Match against it, and keep the lock while the service writes."""
    with transaction.atomic():
        locked = services.locked_referral(referral)
        require_if_match(request, version_of(locked))
        yield locked
