"""One row in every table that can hold something about a person: what erasure must delete and a
subject access export must hold. Each test module adds the rows of its own feature's tables."""

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType

from cohorts.models import (
    Alias,
    Allocation,
    Assessment,
    CohortMembership,
    CohortReview,
    Feedback,
    Goal,
    Need,
    NeedUpdate,
    NominalChange,
    Offence,
    OffenceCategory,
    TimelineEvent,
)
from iom.core import audit
from iom.core.models import CaseAccessGrant, Role, User
from partners import services as partner_services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory, ReferralFactory
from supervision.models import AppointmentSeries, Contact, ContactAttendee, ContactStandard, EnforcementAction
from tests.actors import member

NOTE = "Talked about the new tenancy."


def one_of_everything(
    world,
    *,
    manager: User,
    day: datetime.date,
    membership: CohortMembership | None = None,
    note: str = NOTE,
    police_note: str | None = None,
) -> dict[str, Any]:
    """The world's person with a row in every table that can hold something about them, recorded on
    `day` by an offender manager of the team and by `manager`, and a referral sent and accepted
    through the services (so the disclosure, its recipient and the partner's access are real).

    `membership` is the person's cohort membership (an active one from `day` if not given). With
    `police_note`, a second contact holds police intelligence and is the one on the timeline;
    without it, the one contact is."""
    nominal = world.nominal
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    Alias.objects.create(nominal=nominal, name="Deano")
    NominalChange.objects.create(
        nominal=nominal, version=2, field="address_area", old_value="LS1", new_value="LS2", changed_by=officer
    )
    Allocation.objects.create(
        nominal=nominal, role="police_offender_manager", worker=officer, started_on=day, allocated_by=manager
    )
    if membership is None:
        membership = CohortMembership.objects.create(
            nominal=nominal,
            cohort="fixed",
            status="active",
            proposed_by=officer,
            proposed_on=day,
            proposal_reason="Persistent burglary",
            entry_date=day,
            review_due=day + datetime.timedelta(days=90),
        )
    CohortReview.objects.create(
        membership=membership,
        reviewed_on=day,
        outcome="continue",
        rationale="Engaging well",
        reviewed_by=manager,
    )
    Assessment.objects.create(
        nominal=nominal, kind="rosh", level="high", assessed_on=day, assessed_by=officer
    )
    Offence.objects.create(
        nominal=nominal,
        kind="proven",
        category=OffenceCategory.objects.earliest("pk"),
        occurred_on=day,
        recorded_by=officer,
    )
    need = Need.objects.create(nominal=nominal, pathway="accommodation", status="identified", updated_on=day)
    NeedUpdate.objects.create(
        need=need, status="identified", note="Sofa surfing", updated_on=day, updated_by=officer
    )
    Goal.objects.create(nominal=nominal, in_their_words="Get my own flat", set_on=day, recorded_by=officer)
    Feedback.objects.create(
        nominal=nominal,
        given_on=day,
        what_helps="My worker listens",
        helps_themes=["worker"],
        recorded_by=officer,
    )
    series = AppointmentSeries.objects.create(
        nominal=nominal,
        kind="office",
        purpose="monitoring",
        weekdays="024",
        time=datetime.time(10, 0),
        starts_on=day,
        ends_on=day + datetime.timedelta(weeks=4),
        created_by=officer,
    )
    contact = Contact.objects.create(
        nominal=nominal,
        series=series,
        date=day,
        time=datetime.time(10, 0),
        kind="office",
        purpose="monitoring",
        outcome="attended_complied",
        notes=note,
        logged_by=officer,
    )
    ContactAttendee.objects.create(contact=contact, user=officer, organisation=officer.organisation)
    if police_note is None:
        TimelineEvent.objects.create(
            nominal=nominal,
            kind="contact",
            occurred_on=day,
            summary="Office visit: attended and complied",
            source_type=ContentType.objects.get_for_model(Contact),
            source_id=contact.pk,
            recorded_by=officer,
        )
    else:
        police_contact = Contact.objects.create(
            nominal=nominal,
            date=day,
            time=datetime.time(15, 0),
            kind="home_visit",
            purpose="monitoring",
            outcome="attended_complied",
            notes=police_note,
            sensitivity="police",
            logged_by=officer,
        )
        TimelineEvent.objects.create(
            nominal=nominal,
            kind="contact",
            occurred_on=day,
            summary="Home visit: attended and complied",
            body=police_note,
            visibility="police",
            source_type=ContentType.objects.get_for_model(Contact),
            source_id=police_contact.pk,
            recorded_by=officer,
        )
    ContactStandard.objects.create(
        nominal=nominal, contacts_per_week=2, reason="Stable housing", set_on=day, set_by=manager
    )
    EnforcementAction.objects.create(
        nominal=nominal, kind="first_warning", reason="Two absences", decided_on=day, recorded_by=manager
    )
    housing = PartnerOrganisationFactory.create(name="Northshire Housing Advice")
    service = PartnerServiceFactory.create(organisation=housing, name="Tenancy support")
    referral = ReferralFactory.create(nominal=nominal, service=service, referred_by=manager)
    partner_services.send_referral(actor=manager, referral=referral)
    partner = member(Role.PARTNER, organisation=housing)
    partner_services.accept_referral(actor=partner, referral=referral)
    CaseAccessGrant.objects.create(nominal_id=nominal.pk, user=officer, kind="allow_list", granted_by=manager)
    audit.record(actor=officer, action="nominal.viewed", target=nominal, nominal_id=nominal.pk)
    return {
        "manager": manager,
        "officer": officer,
        "partner": partner,
        "housing": housing,
        "referral": referral,
    }
