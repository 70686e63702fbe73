from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cohorts.models import Nominal, TimelineEvent
from cohorts.services import add_timeline_event
from iom.core import access, audit
from iom.core.models import User
from supervision.models import Contact

# Contacts are logged as they happen; a late entry older than this is a data-quality problem.
OLDEST_LOGGABLE = timedelta(days=366)


@transaction.atomic
def log_contact(
    *,
    actor: User,
    nominal: Nominal,
    happened_on: date,
    kind: str,
    outcome: str,
    notes: str = "",
) -> Contact:
    access.require_log_contact(actor, nominal)
    today = timezone.localdate()
    if happened_on > today:
        raise ValidationError({"happened_on": "Date of contact must be today or in the past"})
    if happened_on < today - OLDEST_LOGGABLE:
        raise ValidationError({"happened_on": "Date of contact must be within the last year"})
    contact = Contact(
        nominal=nominal,
        happened_on=happened_on,
        kind=kind,
        outcome=outcome,
        notes=notes.strip(),
        logged_by=actor,
    )
    contact.full_clean()
    contact.save()
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.CONTACT,
        occurred_on=happened_on,
        summary=contact.summary(),
        body=contact.notes,
        source=contact,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="contact.logged",
        target=contact,
        nominal_id=nominal.pk,
        detail={"kind": kind, "outcome": outcome},
    )
    return contact
