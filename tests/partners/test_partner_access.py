"""Partner access to a person is an object permission held by the organisation: granted when a
referral is accepted, taken back when the last accepted referral closes. Outside that, 404."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone
from guardian.models import GroupObjectPermission

from cohorts.models import Nominal
from iom.core import access
from iom.core.models import Organisation, Role, User
from partners import selectors, services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from tests.actors import World, build_world, member


class Scene:
    def __init__(self) -> None:
        self.world: World = build_world()
        self.worker: User = member(Role.PROBATION_PRACTITIONER, team=self.world.own_team)
        self.world.nominal.probation_practitioner = self.worker
        self.world.nominal.save()
        # The other team's manager refers the other team's person.
        self.other_manager = member(Role.MANAGER, team=self.world.other_team)
        self.organisation: Organisation = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
        self.partner: User = member(Role.PARTNER, organisation=self.organisation)
        self.colleague: User = member(Role.PARTNER, organisation=self.organisation)
        self.tenancy: PartnerService = PartnerServiceFactory.create(
            organisation=self.organisation, name="Tenancy support"
        )
        self.floating: PartnerService = PartnerServiceFactory.create(
            organisation=self.organisation, name="Floating support"
        )
        self.other_organisation: Organisation = PartnerOrganisationFactory.create(name="Shelter Northshire")
        self.other_partner: User = member(Role.PARTNER, organisation=self.other_organisation)
        self.other_service: PartnerService = PartnerServiceFactory.create(
            organisation=self.other_organisation, name="Housing advice"
        )

    def refer(self, service: PartnerService | None = None, nominal: Nominal | None = None) -> Referral:
        nominal = nominal or self.world.nominal
        return services.create_referral(
            actor=self.worker if nominal == self.world.nominal else self.other_manager,
            nominal=nominal,
            service=service or self.tenancy,
            pathway="accommodation",
            reason="Needs a tenancy",
            lawful_basis=Referral.LawfulBasis.CONSENT,
            consent_given_on=timezone.localdate() - dt.timedelta(days=1),
            send=True,
        )

    def accepted(self, service: PartnerService | None = None, nominal: Nominal | None = None) -> Referral:
        referral = self.refer(service, nominal)
        partner = self.other_partner if referral.organisation == self.other_organisation else self.partner
        return services.accept_referral(actor=partner, referral=referral)

    def complete(self, referral: Referral) -> None:
        partner = self.other_partner if referral.organisation == self.other_organisation else self.partner
        services.complete_referral(actor=partner, referral=referral, outcome="achieved", summary="Housed")


@pytest.fixture
def scene(db) -> Scene:
    return Scene()


def sees(user: User, nominal: Nominal) -> bool:
    return access.partner_sees_nominal(user, nominal)


def fetch(user: User, referral: Referral) -> Referral:
    return selectors.get_referral_for_partner(user=user, referral_id=referral.pk)


# Granting and revoking ------------------------------------------------------------------------


def test_accepting_grants_the_organisation_access_to_the_person(scene):
    nominal = scene.world.nominal
    referral = scene.refer()
    assert not sees(scene.partner, nominal)
    services.accept_referral(actor=scene.partner, referral=referral)
    # The grant belongs to the organisation: whoever accepted, every member of its staff sees the person.
    assert sees(scene.partner, nominal)
    assert sees(scene.colleague, nominal)
    assert sees(member(Role.PARTNER, organisation=scene.organisation), nominal)
    assert GroupObjectPermission.objects.count() == 1


def test_another_organisation_never_gets_the_grant(scene):
    scene.accepted()
    assert not sees(scene.other_partner, scene.world.nominal)
    assert not access.nominals_granted_to_partner(scene.other_partner, Nominal.objects.all()).exists()


def test_team_staff_are_not_partners_and_hold_no_grant(scene):
    scene.accepted()
    assert not sees(scene.worker, scene.world.nominal)
    assert not access.nominals_granted_to_partner(scene.worker, Nominal.objects.all()).exists()


@pytest.mark.parametrize(
    "close",
    [
        lambda scene, referral: scene.complete(referral),
        lambda scene, referral: services.withdraw_referral(
            actor=scene.worker, referral=referral, reason="Recalled to prison"
        ),
    ],
    ids=["completed", "withdrawn"],
)
@pytest.mark.parametrize("working", [Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS])
def test_closing_the_accepted_referral_takes_the_access_back(scene, close, working):
    referral = scene.accepted()
    if working == Referral.Status.IN_PROGRESS:
        services.add_progress_update(actor=scene.partner, referral=referral, note="Met at the hostel")
    close(scene, referral)
    assert not sees(scene.partner, scene.world.nominal)
    assert GroupObjectPermission.objects.count() == 0


def test_access_stays_while_another_accepted_referral_from_the_organisation_remains(scene):
    tenancy = scene.accepted(scene.tenancy)
    floating = scene.accepted(scene.floating)
    scene.complete(tenancy)
    assert sees(scene.partner, scene.world.nominal)
    scene.complete(floating)
    assert not sees(scene.partner, scene.world.nominal)


def test_a_declined_referral_leaves_the_access_another_referral_gave(scene):
    scene.accepted(scene.tenancy)
    second = scene.refer(scene.floating)
    services.decline_referral(actor=scene.partner, referral=second, reason="Already supported by us")
    assert sees(scene.partner, scene.world.nominal)


def test_a_sent_referral_to_the_same_organisation_does_not_keep_the_access(scene):
    tenancy = scene.accepted(scene.tenancy)
    scene.refer(scene.floating)  # sent, not yet accepted
    scene.complete(tenancy)
    assert not sees(scene.partner, scene.world.nominal)


def test_each_organisations_access_ends_with_its_own_referrals(scene):
    ours = scene.accepted(scene.tenancy)
    scene.accepted(scene.other_service)
    scene.complete(ours)
    assert not sees(scene.partner, scene.world.nominal)
    assert sees(scene.other_partner, scene.world.nominal)


def test_access_is_to_the_person_referred_not_to_the_team(scene):
    scene.accepted()
    assert not sees(scene.partner, scene.world.other_nominal)


def test_nominals_granted_to_partner_lists_the_people_the_organisation_works_with_now(scene):
    world = scene.world
    first = scene.accepted(nominal=world.nominal)
    scene.accepted(nominal=world.other_nominal)
    everyone = Nominal.objects.all()
    granted = access.nominals_granted_to_partner(scene.colleague, everyone)
    assert set(granted) == {world.nominal, world.other_nominal}
    # It narrows the queryset it is given, never widens it.
    assert list(access.nominals_granted_to_partner(scene.partner, everyone.filter(pk=world.nominal.pk))) == [
        world.nominal
    ]
    scene.complete(first)
    assert list(access.nominals_granted_to_partner(scene.partner, everyone)) == [world.other_nominal]


def test_an_organisation_that_never_accepted_anything_has_no_grants(scene):
    assert not sees(scene.partner, scene.world.nominal)
    assert not access.nominals_granted_to_partner(scene.partner, Nominal.objects.all()).exists()


# Fetching a referral as a partner ----------------------------------------------------------------


def test_the_partner_fetches_a_sent_referral_to_decide_on_it(scene):
    referral = scene.refer()
    assert fetch(scene.partner, referral) == referral
    assert fetch(scene.colleague, referral) == referral


def test_the_partner_fetches_an_accepted_referral_while_it_is_open(scene):
    referral = scene.accepted()
    assert fetch(scene.partner, referral) == referral
    services.add_progress_update(actor=scene.partner, referral=referral, note="Met")
    assert fetch(scene.colleague, referral).status == Referral.Status.IN_PROGRESS


def test_another_partner_gets_404(scene):
    for referral in (scene.refer(), scene.accepted(scene.floating)):
        with pytest.raises(Http404):
            fetch(scene.other_partner, referral)


@pytest.mark.parametrize(
    "ending", ["completed", "withdrawn after acceptance", "declined", "withdrawn unanswered"]
)
def test_the_same_partner_gets_404_once_the_referral_is_closed(scene, ending):
    if ending == "completed":
        referral = scene.accepted()
        scene.complete(referral)
    elif ending == "withdrawn after acceptance":
        referral = scene.accepted()
        services.withdraw_referral(actor=scene.worker, referral=referral, reason="Recalled")
    elif ending == "declined":
        referral = scene.refer()
        services.decline_referral(actor=scene.partner, referral=referral, reason="Full")
    else:
        referral = scene.refer()
        services.withdraw_referral(actor=scene.worker, referral=referral, reason="Housed by family")
    for user in (scene.partner, scene.colleague):
        with pytest.raises(Http404):
            fetch(user, referral)


def test_a_closed_referral_is_404_even_while_another_keeps_the_access(scene):
    closed = scene.accepted(scene.tenancy)
    scene.accepted(scene.floating)
    scene.complete(closed)
    assert sees(scene.partner, scene.world.nominal)
    with pytest.raises(Http404):
        fetch(scene.partner, closed)


def test_a_draft_was_never_sent_so_the_partner_gets_404(scene):
    draft = services.create_referral(
        actor=scene.worker,
        nominal=scene.world.nominal,
        service=scene.tenancy,
        pathway="accommodation",
        reason="Needs a tenancy",
    )
    with pytest.raises(Http404):
        fetch(scene.partner, draft)


def test_an_accepted_referral_without_the_grant_is_404(scene):
    """Belt and braces: the grant, not the referral's status alone, opens the person to the partner."""
    referral = scene.accepted()
    access.revoke_partner_access(organisation_id=scene.organisation.pk, nominal=scene.world.nominal)
    with pytest.raises(Http404):
        fetch(scene.partner, referral)


def test_team_staff_do_not_read_referrals_through_the_partner_door(scene):
    referral = scene.accepted()
    with pytest.raises(Http404):
        fetch(scene.worker, referral)


def test_a_referral_that_does_not_exist_is_404(scene):
    with pytest.raises(Http404):
        selectors.get_referral_for_partner(user=scene.partner, referral_id=987654)


def test_an_inactive_partner_sees_nothing(scene):
    sent = scene.refer(scene.floating)
    accepted = scene.accepted(scene.tenancy)
    scene.partner.is_active = False
    scene.partner.save()
    partner = User.objects.get(pk=scene.partner.pk)  # a fresh object, as the next request would load
    assert access.partner_organisation_id(partner) is None
    assert not sees(partner, scene.world.nominal)
    assert not access.nominals_granted_to_partner(partner, Nominal.objects.all()).exists()
    assert not selectors.inbox_for(user=partner, filters=selectors.InboxFilters()).exists()
    assert selectors.inbox_counts(user=partner) == {"new": 0, "working": 0}
    for referral in (sent, accepted):
        with pytest.raises(Http404):
            fetch(partner, referral)
    # The organisation's access is untouched: the colleague still works with the person.
    assert fetch(scene.colleague, accepted) == accepted
