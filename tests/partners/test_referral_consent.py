"""What a referral must say before it is sent: its lawful basis, the fields it shares, a service
that takes it. A draft may be unfinished; sending checks everything again."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import NeedUpdate, TimelineEvent
from iom.core.factories import RegionFactory
from iom.core.models import AuditEvent, Role
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import Capacity, Referral, ReferralEvent
from tests.actors import build_world, member

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=LONDON)  # a Wednesday
TODAY = NOW.date()
Basis = Referral.LawfulBasis


@pytest.fixture
def clock(monkeypatch):
    """The services' clock, fixed at NOW; move it with clock.set(datetime)."""

    class Clock:
        def set(self, moment: dt.datetime) -> None:
            monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))

    fixed = Clock()
    fixed.set(NOW)
    return fixed


@pytest.fixture
def scene(db, clock):
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    world.nominal.probation_practitioner = worker
    world.nominal.save()
    organisation = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
    service = PartnerServiceFactory.create(
        organisation=organisation, name="Tenancy support", pathways=["accommodation", "finance"]
    )
    return world, worker, service


def refer(scene, **changes):
    world, worker, service = scene
    arguments = {
        "actor": worker,
        "nominal": world.nominal,
        "service": service,
        "pathway": "accommodation",
        "reason": "Sofa surfing since release; needs a tenancy.",
        "lawful_basis": Basis.CONSENT,
        "consent_given_on": TODAY - dt.timedelta(days=3),
        "sharing_agreement": "",
        "shared_fields": ["date_of_birth"],
        "send": True,
        **changes,
    }
    return services.create_referral(**arguments)


def nothing_written() -> bool:
    return not (
        Referral.objects.exists()
        or ReferralEvent.objects.exists()
        or TimelineEvent.objects.exists()
        or NeedUpdate.objects.exists()
        or AuditEvent.objects.filter(action__startswith="referral.").exists()
    )


def refused(scene, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        refer(scene, **changes)
    assert nothing_written()
    return error.value.message_dict


# The lawful basis ------------------------------------------------------------------------------


def test_consent_is_recorded_with_its_date_and_needs_no_agreement(scene):
    referral = refer(scene, sharing_agreement="Typed before switching to consent")
    assert (referral.lawful_basis, referral.consent_given_on, referral.sharing_agreement) == (
        "consent",
        TODAY - dt.timedelta(days=3),
        "",
    )


@pytest.mark.parametrize(
    "basis", [Basis.LAW_ENFORCEMENT, Basis.PUBLIC_TASK, Basis.LEGAL_OBLIGATION, Basis.VITAL_INTERESTS]
)
def test_another_basis_rests_on_a_named_sharing_agreement_and_drops_any_consent_date(scene, basis):
    referral = refer(scene, lawful_basis=basis, sharing_agreement="  Northshire IOM ISA (2026)  ")
    assert (referral.lawful_basis, referral.consent_given_on, referral.sharing_agreement) == (
        basis,
        None,
        "Northshire IOM ISA (2026)",
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"lawful_basis": ""}, {"lawful_basis": ["Select the lawful basis for sharing"]}),
        ({"lawful_basis": "legitimate_interests"}, {"lawful_basis": ["Select the lawful basis for sharing"]}),
        ({"consent_given_on": None}, {"consent_given_on": ["Enter the date the person gave consent"]}),
        (
            {"lawful_basis": Basis.PUBLIC_TASK, "sharing_agreement": "   "},
            {"sharing_agreement": ["Enter the information sharing agreement this sharing rests on"]},
        ),
        (
            {"consent_given_on": TODAY + dt.timedelta(days=1)},
            {"consent_given_on": ["The date must be today or in the past"]},
        ),
        (
            # A year and a day before 18 November 2026.
            {"consent_given_on": dt.date(2025, 11, 17)},
            {"consent_given_on": ["Consent given more than a year ago must be asked for again"]},
        ),
    ],
)
def test_a_referral_is_sent_only_on_a_complete_lawful_basis(scene, changes, errors):
    assert refused(scene, **changes) == errors


@pytest.mark.parametrize("given_on", [TODAY, dt.date(2025, 11, 18)])  # today, and exactly a year ago
def test_consent_given_within_the_last_year_is_enough(scene, given_on):
    assert refer(scene, consent_given_on=given_on).consent_given_on == given_on


def test_on_29_february_a_year_ago_is_28_february(scene, clock):
    clock.set(dt.datetime(2028, 2, 29, 10, 0, tzinfo=LONDON))
    assert refer(scene, consent_given_on=dt.date(2027, 2, 28)).status == Referral.Status.SENT
    with pytest.raises(ValidationError):
        refer(scene, consent_given_on=dt.date(2027, 2, 27))


def test_a_draft_may_be_saved_before_the_basis_is_known_but_not_sent(scene):
    _, worker, _ = scene
    draft = refer(scene, lawful_basis="", consent_given_on=None, send=False)
    assert (draft.status, draft.lawful_basis) == (Referral.Status.DRAFT, "")
    events, audit_rows = ReferralEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.send_referral(actor=worker, referral=draft)
    assert error.value.message_dict == {"lawful_basis": ["Select the lawful basis for sharing"]}
    draft.refresh_from_db()
    assert (draft.status, draft.sent_at) == (Referral.Status.DRAFT, None)
    assert (ReferralEvent.objects.count(), AuditEvent.objects.count()) == (events, audit_rows)


def test_consent_that_has_gone_stale_in_a_draft_must_be_asked_for_again_before_sending(scene, clock):
    _, worker, _ = scene
    draft = refer(scene, consent_given_on=TODAY - dt.timedelta(days=300), send=False)
    clock.set(NOW + dt.timedelta(days=100))
    with pytest.raises(ValidationError) as error:
        services.send_referral(actor=worker, referral=draft)
    assert error.value.message_dict == {
        "consent_given_on": ["Consent given more than a year ago must be asked for again"]
    }


def test_the_database_refuses_a_sent_referral_without_a_lawful_basis(scene):
    referral = refer(scene)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(lawful_basis="", consent_given_on=None)


# The fields shared -----------------------------------------------------------------------------


def test_the_name_is_always_shared_and_the_fields_are_kept_in_the_catalogues_order(scene):
    referral = refer(scene, shared_fields=["risk", "date_of_birth", "risk", "address_area"])
    assert referral.shared_fields == ["name", "date_of_birth", "address_area", "risk"]
    assert refer(scene, shared_fields=[]).shared_fields == ["name"]


@pytest.mark.parametrize("keys", [["police_intelligence"], ["date_of_birth", "notes"], [""]])
def test_a_field_outside_the_catalogue_cannot_be_shared(scene, keys):
    assert refused(scene, shared_fields=keys) == {
        "shared_fields": ["Select the information to share from the list"]
    }


# The service -----------------------------------------------------------------------------------


def test_a_service_not_taking_referrals_cannot_be_sent_to(scene):
    _, _, service = scene
    service.capacity = Capacity.CLOSED
    service.save()
    assert refused(scene) == {"service": ["Tenancy support is not taking referrals; choose another service"]}


def test_a_service_no_longer_listed_cannot_be_sent_to(scene):
    _, _, service = scene
    service.is_active = False
    service.save()
    assert refused(scene) == {"service": ["Tenancy support is not taking referrals; choose another service"]}


@pytest.mark.parametrize("capacity", [Capacity.LIMITED, Capacity.WAITING_LIST])
def test_a_service_with_limited_capacity_or_a_waiting_list_still_takes_referrals(scene, capacity):
    _, _, service = scene
    service.capacity = capacity
    service.save()
    assert refer(scene).status == Referral.Status.SENT


def test_a_draft_to_a_service_that_then_closes_cannot_be_sent(scene):
    _, worker, service = scene
    draft = refer(scene, send=False)
    service.capacity = Capacity.CLOSED
    service.save()
    with pytest.raises(ValidationError) as error:
        services.send_referral(actor=worker, referral=draft)
    assert error.value.message_dict == {
        "service": ["Tenancy support is not taking referrals; choose another service"]
    }


def test_the_service_must_work_on_the_referrals_pathway(scene):
    assert refused(scene, pathway="drugs_alcohol") == {
        "service": ["Tenancy support does not work on drugs and alcohol; choose another service"]
    }
    assert refer(scene, pathway="finance").pathway == "finance"


def test_the_pathway_must_be_one_of_the_seven(scene):
    assert refused(scene, pathway="gardening") == {"pathway": ["Select the pathway the referral is for"]}


def test_a_service_of_another_region_does_not_take_the_persons_referral(scene):
    world, _, service = scene
    service.region = world.other_region
    service.save()
    assert refused(scene) == {"service": ["Tenancy support does not take referrals from this region"]}
    service.region = world.region
    service.save()
    assert refer(scene).status == Referral.Status.SENT


def test_a_service_for_every_region_takes_referrals_from_any(scene):
    world, _, service = scene
    world.own_team.region = RegionFactory.create(name="Eastshire")
    world.own_team.save()
    assert service.region is None
    assert refer(scene).status == Referral.Status.SENT


def test_a_draft_moved_to_a_service_of_another_region_is_refused(scene):
    world, worker, service = scene
    draft = refer(scene, send=False)
    elsewhere = PartnerServiceFactory.create(region=world.other_region, pathways=["accommodation"])
    with pytest.raises(ValidationError) as error:
        services.update_draft_referral(
            actor=worker, referral=draft, service=elsewhere, pathway="accommodation", reason="Needs a tenancy"
        )
    assert error.value.message_dict == {
        "service": [f"{elsewhere.name} does not take referrals from this region"]
    }
    draft.refresh_from_db()
    assert draft.service == service


# The reason ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "errors"),
    [
        ("  ", {"reason": ["Say why you are referring the person and what they need"]}),
        ("x" * 5001, {"reason": ["Keep it to 5,000 characters; this has 5,001"]}),
    ],
)
def test_the_reason_is_required_and_kept_to_a_readable_length(scene, reason, errors):
    assert refused(scene, reason=reason) == errors
