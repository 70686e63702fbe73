"""A referral addresses a need on a pathway and moves it: sent → being addressed, achieved → met,
anything else back to identified unless something else still addresses it. With no service at all,
the need is recorded as unmet, "no service available"."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cohorts.models import Need, NeedStatus, NeedUpdate, TimelineEvent, UnmetReason
from cohorts.services import update_need
from iom.core.models import Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from tests.actors import World, build_world, member


class Scene:
    def __init__(self) -> None:
        self.world: World = build_world()
        self.worker: User = member(Role.PROBATION_PRACTITIONER, team=self.world.own_team)
        self.world.nominal.probation_practitioner = self.worker
        self.world.nominal.save()
        organisation = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
        self.partner: User = member(Role.PARTNER, organisation=organisation)
        self.service: PartnerService = PartnerServiceFactory.create(
            organisation=organisation, name="Tenancy support", pathways=["accommodation", "finance"]
        )
        other = PartnerOrganisationFactory.create(name="Shelter Northshire")
        self.other_partner: User = member(Role.PARTNER, organisation=other)
        self.other_service: PartnerService = PartnerServiceFactory.create(
            organisation=other, name="Housing advice", pathways=["accommodation"]
        )

    def refer(
        self, *, service: PartnerService | None = None, pathway: str = "accommodation", send: bool = True
    ):
        return services.create_referral(
            actor=self.worker,
            nominal=self.world.nominal,
            service=service or self.service,
            pathway=pathway,
            reason="Needs a tenancy",
            lawful_basis=Referral.LawfulBasis.CONSENT,
            consent_given_on=timezone.localdate() - dt.timedelta(days=1),
            send=send,
        )

    def accepted(self, **kwargs) -> Referral:
        return services.accept_referral(actor=self.partner, referral=self.refer(**kwargs))

    def need(self, pathway: str = "accommodation") -> Need:
        return Need.objects.get(nominal=self.world.nominal, pathway=pathway)

    def updates(self, pathway: str = "accommodation") -> list[tuple[str, User, str]]:
        return [
            (update.status, update.updated_by, update.note)
            for update in NeedUpdate.objects.filter(need__pathway=pathway).order_by("id")
        ]


@pytest.fixture
def scene(db) -> Scene:
    return Scene()


def test_sending_marks_the_need_as_being_addressed_by_the_worker(scene):
    scene.refer()
    need = scene.need()
    assert (need.status, need.unmet_reason, need.updated_on) == (
        NeedStatus.BEING_ADDRESSED,
        "",
        timezone.localdate(),
    )
    assert scene.updates() == [("being_addressed", scene.worker, "Referred to Tenancy support")]
    assert TimelineEvent.objects.filter(kind="need", summary="Accommodation: being addressed").count() == 1


def test_a_need_already_recorded_moves_rather_than_being_added_again(scene):
    update_need(
        actor=scene.worker,
        nominal=scene.world.nominal,
        pathway="accommodation",
        status=NeedStatus.IDENTIFIED,
        updated_on=timezone.localdate(),
    )
    scene.refer()
    assert Need.objects.filter(nominal=scene.world.nominal).count() == 1
    assert [status for status, _, _ in scene.updates()] == ["identified", "being_addressed"]


def test_a_draft_does_not_touch_the_need(scene):
    draft = scene.refer(send=False)
    services.withdraw_referral(actor=scene.worker, referral=draft, reason="Not needed")
    assert not Need.objects.exists()


def test_achieved_meets_the_need_in_the_partners_name(scene):
    referral = scene.accepted()
    services.complete_referral(actor=scene.partner, referral=referral, outcome="achieved", summary="Housed")
    assert scene.need().status == NeedStatus.MET
    assert scene.updates()[-1] == ("met", scene.partner, "Northshire Housing Trust: achieved")


@pytest.mark.parametrize("outcome", ["partially_achieved", "not_achieved"])
def test_a_need_not_fully_met_goes_back_to_identified(scene, outcome):
    referral = scene.accepted()
    services.complete_referral(actor=scene.partner, referral=referral, outcome=outcome, summary="Stopped")
    label = Referral.Outcome(outcome).label.lower()
    assert scene.need().status == NeedStatus.IDENTIFIED
    assert scene.updates()[-1] == ("identified", scene.partner, f"Northshire Housing Trust: {label}")


def test_a_declined_referral_puts_the_need_back_in_the_partners_name(scene):
    services.decline_referral(actor=scene.partner, referral=scene.refer(), reason="Full")
    assert scene.need().status == NeedStatus.IDENTIFIED
    assert scene.updates()[-1] == (
        "identified",
        scene.partner,
        "Northshire Housing Trust declined the referral",
    )


@pytest.mark.parametrize("accepted_first", [False, True])
def test_a_withdrawn_referral_puts_the_need_back_in_the_workers_name(scene, accepted_first):
    referral = scene.accepted() if accepted_first else scene.refer()
    services.withdraw_referral(actor=scene.worker, referral=referral, reason="Moved away")
    assert scene.need().status == NeedStatus.IDENTIFIED
    assert scene.updates()[-1] == ("identified", scene.worker, "Referral to Tenancy support withdrawn")


@pytest.mark.parametrize(
    "other_status", [Referral.Status.SENT, Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS]
)
def test_another_open_referral_on_the_pathway_keeps_the_need_being_addressed(scene, other_status):
    other = scene.refer(service=scene.other_service)
    if other_status != Referral.Status.SENT:
        services.accept_referral(actor=scene.other_partner, referral=other)
    if other_status == Referral.Status.IN_PROGRESS:
        services.add_progress_update(actor=scene.other_partner, referral=other, note="Met")
    referral = scene.refer()
    services.decline_referral(actor=scene.partner, referral=referral, reason="Full")
    assert scene.need().status == NeedStatus.BEING_ADDRESSED
    assert scene.updates()[-1][0] == "being_addressed"  # nothing written for the declined one


def test_an_open_referral_on_another_pathway_does_not_count(scene):
    scene.refer(pathway="finance")
    services.decline_referral(actor=scene.partner, referral=scene.refer(), reason="Full")
    assert scene.need().status == NeedStatus.IDENTIFIED
    assert scene.need("finance").status == NeedStatus.BEING_ADDRESSED


def test_a_draft_or_closed_referral_on_the_pathway_does_not_count(scene):
    scene.refer(service=scene.other_service, send=False)
    services.decline_referral(
        actor=scene.other_partner, referral=scene.refer(service=scene.other_service), reason="No"
    )
    services.decline_referral(actor=scene.partner, referral=scene.refer(), reason="Full")
    assert scene.need().status == NeedStatus.IDENTIFIED


def test_what_the_worker_decided_meanwhile_stands(scene):
    referral = scene.accepted()
    update_need(
        actor=scene.worker,
        nominal=scene.world.nominal,
        pathway="accommodation",
        status=NeedStatus.UNMET,
        unmet_reason=UnmetReason.WAITING_LIST,
        updated_on=timezone.localdate(),
        note="On the council's list as well",
    )
    updates = len(scene.updates())
    services.complete_referral(
        actor=scene.partner, referral=referral, outcome="not_achieved", summary="Stopped"
    )
    need = scene.need()
    assert (need.status, need.unmet_reason) == (NeedStatus.UNMET, UnmetReason.WAITING_LIST)
    assert len(scene.updates()) == updates


# No service available ----------------------------------------------------------------------------


def test_no_service_available_records_the_need_as_unmet_with_that_reason(scene):
    need = services.record_no_service_available(
        actor=scene.worker, nominal=scene.world.nominal, pathway="health"
    )
    need.refresh_from_db()
    assert (need.pathway, need.status, need.unmet_reason) == (
        "health",
        NeedStatus.UNMET,
        UnmetReason.NO_SERVICE,
    )
    assert scene.updates("health") == [
        ("unmet", scene.worker, "No service available in the partner directory")
    ]
    assert TimelineEvent.objects.filter(
        kind="need", summary="Health, including mental health: unmet (no service available)"
    ).exists()


def test_no_service_available_keeps_the_workers_own_words(scene):
    services.record_no_service_available(
        actor=scene.worker,
        nominal=scene.world.nominal,
        pathway="health",
        note="  Nearest clinic is 40 miles away ",
    )
    assert scene.updates("health") == [("unmet", scene.worker, "Nearest clinic is 40 miles away")]


def test_no_service_available_belongs_to_those_who_may_refer(scene):
    not_allocated = member(Role.POLICE_OFFENDER_MANAGER, team=scene.world.own_team)
    for actor in (not_allocated, scene.partner):
        with pytest.raises(PermissionDenied):
            services.record_no_service_available(actor=actor, nominal=scene.world.nominal, pathway="health")
    assert not Need.objects.exists()


def test_no_service_available_needs_a_real_pathway(scene):
    with pytest.raises(ValidationError) as refused:
        services.record_no_service_available(
            actor=scene.worker, nominal=scene.world.nominal, pathway="hobbies"
        )
    assert refused.value.message_dict == {"pathway": ["Select a pathway"]}
    assert not Need.objects.exists()
