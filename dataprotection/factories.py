"""factory-boy factories and builders for retention review, used by the tests and the demo data."""

import datetime

import factory

from cohorts.models import CohortMembership, Nominal
from dataprotection.models import RetentionDecision
from iom.core.factories import TeamFactory, UserFactory
from iom.core.models import User


class RetentionDecisionFactory(factory.django.DjangoModelFactory[RetentionDecision]):
    class Meta:
        model = RetentionDecision

    nominal_id = 0
    team = factory.SubFactory(TeamFactory)
    decision = RetentionDecision.Decision.RESTRICT
    reason = "No longer needed for a policing purpose."
    decided_by = factory.SubFactory(UserFactory)


def left_iom(nominal: Nominal, *, on: datetime.date, by: User, years_on_iom: int = 2) -> CohortMembership:
    """An ended cohort membership: the person joined the Fixed cohort `years_on_iom` years before
    `on` and left IOM that day."""
    joined = on.replace(year=on.year - years_on_iom)
    return CohortMembership.objects.create(
        nominal=nominal,
        cohort="fixed",
        status=CohortMembership.Status.ENDED,
        proposed_by=by,
        proposed_on=joined,
        proposal_reason="Persistent burglary and vehicle crime",
        panel_date=joined,
        panel_attendees="Police, probation",
        panel_rationale="Meets the Fixed cohort criteria",
        panel_recorded_by=by,
        entry_date=joined,
        review_due=joined + datetime.timedelta(days=91),
        exit_date=on,
        exit_reason=CohortMembership.ExitReason.COMPLETED,
    )
