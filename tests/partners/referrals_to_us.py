"""The people and referrals the tests of the partner's "Referrals to us" pages share.

Referrals are moved on with the services, so their events, grants, audit rows and need changes are
the real ones.
"""

import datetime as dt

from django.utils import timezone

from cohorts.models import TimelineEvent
from cohorts.services import add_timeline_event
from iom.core.models import Organisation, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from tests.actors import World, build_world, member

DATE_OF_BIRTH = dt.date(1990, 3, 14)
DATE_OF_BIRTH_SHOWN = "14 March 1990"
SHARED = ["name", "address_area"]


class Scene:
    """A worker in the own team allocated to Dean Robson, and a housing partner with one member of staff."""

    def __init__(self) -> None:
        self.world: World = build_world()
        nominal = self.world.nominal
        self.worker: User = member(
            Role.POLICE_OFFENDER_MANAGER,
            team=self.world.own_team,
            full_name="Pat Officer",
            email="pat.officer@police.example.org",
        )
        nominal.police_offender_manager = self.worker
        nominal.date_of_birth = DATE_OF_BIRTH
        nominal.address_area = "Eastfield"
        nominal.save()
        self.organisation: Organisation = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
        self.world.recipient = self.organisation
        self.service: PartnerService = PartnerServiceFactory.create(
            organisation=self.organisation, name="Tenancy support", pathways=["accommodation"]
        )
        self.partner: User = member(Role.PARTNER, organisation=self.organisation, full_name="Sam Housing")

    def refer(
        self, *, shared_fields: list[str] | None = None, reason: str = "Sofa surfing since release"
    ) -> Referral:
        return services.create_referral(
            actor=self.worker,
            nominal=self.world.nominal,
            service=self.service,
            pathway="accommodation",
            reason=reason,
            lawful_basis=Referral.LawfulBasis.CONSENT,
            consent_given_on=timezone.localdate() - dt.timedelta(days=2),
            shared_fields=SHARED if shared_fields is None else shared_fields,
            send=True,
        )

    def accepted(self, **kwargs: object) -> Referral:
        referral = self.refer(**kwargs)  # type: ignore[arg-type]
        return services.accept_referral(actor=self.partner, referral=referral, note="We will call this week")

    def completed(self) -> Referral:
        referral = self.accepted()
        return services.complete_referral(
            actor=self.partner, referral=referral, outcome=Referral.Outcome.ACHIEVED, summary="Housed"
        )

    def other_partner(self) -> User:
        return member(Role.PARTNER, organisation=PartnerOrganisationFactory.create(name="Eastfield Recovery"))

    def team_member(self) -> User:
        return member(Role.PROBATION_PRACTITIONER, team=self.world.own_team)

    def note(self, summary: str, visibility: TimelineEvent.Visibility, body: str = "") -> TimelineEvent:
        """A note on the person's timeline; its source is the worker's own user row, as any row will do."""
        return add_timeline_event(
            nominal=self.world.nominal,
            kind=TimelineEvent.Kind.CONTACT,
            occurred_on=timezone.localdate(),
            summary=summary,
            body=body,
            source=self.worker,
            recorded_by=self.worker,
            visibility=visibility,
        )
