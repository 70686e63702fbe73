"""Sending a referral is a disclosure (DPA 2018 Part 3): audited once, with its recipient, the fields
shared and the basis for sharing them. Every later step is audited too, and so is the end of access."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.utils import timezone

from iom.core.models import AuditEvent, Role
from partners import selectors, services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from tests.actors import build_world, member

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=LONDON)
TODAY = NOW.date()


@pytest.fixture
def scene(db, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    world.nominal.probation_practitioner = worker
    world.nominal.save()
    organisation = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
    partner = member(Role.PARTNER, organisation=organisation)
    service = PartnerServiceFactory.create(organisation=organisation, name="Tenancy support")
    return world, worker, organisation, partner, service


def refer(scene, *, send=True, **changes):
    world, worker, _, _, service = scene
    return services.create_referral(
        **{
            "actor": worker,
            "nominal": world.nominal,
            "service": service,
            "pathway": "accommodation",
            "reason": "Needs a tenancy",
            "lawful_basis": Referral.LawfulBasis.CONSENT,
            "consent_given_on": TODAY - dt.timedelta(days=1),
            "shared_fields": ["address_area", "date_of_birth"],
            "send": send,
            **changes,
        }
    )


def rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_sending_writes_one_disclosure_row_naming_the_recipient_the_fields_and_the_basis(scene):
    world, worker, organisation, _, _ = scene
    referral = refer(scene)
    [sent] = rows("referral.sent")
    assert (sent.actor, sent.actor_label) == (worker, worker.email)
    assert (sent.target_type, sent.target_id) == ("partners.referral", str(referral.pk))
    assert sent.nominal_id == world.nominal.pk
    assert sent.recipient == organisation
    assert sent.detail == {
        "shared_fields": ["name", "date_of_birth", "address_area"],
        "lawful_basis": "consent",
        "consent_given_on": (TODAY - dt.timedelta(days=1)).isoformat(),
        "sharing_agreement": "",
        "service": "Tenancy support",
    }
    # Only the disclosure names a recipient: creating the draft disclosed nothing.
    [created] = rows("referral.created")
    assert created.recipient is None
    assert AuditEvent.objects.filter(recipient__isnull=False).count() == 1


def test_another_basis_is_recorded_with_its_agreement(scene):
    refer(scene, lawful_basis=Referral.LawfulBasis.LAW_ENFORCEMENT, sharing_agreement="Northshire IOM ISA")
    [sent] = rows("referral.sent")
    assert sent.detail["lawful_basis"] == "law_enforcement"
    assert sent.detail["consent_given_on"] is None
    assert sent.detail["sharing_agreement"] == "Northshire IOM ISA"


def test_a_draft_discloses_nothing_until_it_is_sent(scene):
    _, worker, organisation, _, _ = scene
    draft = refer(scene, send=False)
    assert rows("referral.sent") == []
    services.send_referral(actor=worker, referral=draft)
    [sent] = rows("referral.sent")
    assert sent.recipient == organisation


def test_the_recipient_stays_the_organisation_that_received_it_when_the_service_moves(scene):
    _, worker, organisation, _, service = scene
    referral = refer(scene)
    service.organisation = PartnerOrganisationFactory.create(name="Northshire Homes Ltd")
    service.save()
    services.withdraw_referral(actor=worker, referral=referral, reason="Housed by family")
    assert [row.recipient for row in rows("referral.sent") + rows("referral.withdrawn")] == [organisation] * 2


def test_a_failure_after_sending_leaves_no_disclosure_row_and_no_referral(scene, monkeypatch):
    def need_update_fails(**kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record_need_status", need_update_fails)
    with pytest.raises(RuntimeError):
        refer(scene)
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="referral.").exists()


def test_withdrawing_a_sent_referral_records_the_organisation_that_had_it(scene):
    world, worker, organisation, _, _ = scene
    referral = refer(scene)
    services.withdraw_referral(actor=worker, referral=referral, reason="Recalled")
    [withdrawn] = rows("referral.withdrawn")
    assert (withdrawn.actor, withdrawn.recipient, withdrawn.nominal_id) == (
        worker,
        organisation,
        world.nominal.pk,
    )


def test_withdrawing_a_draft_names_no_recipient(scene):
    _, worker, _, _, _ = scene
    services.withdraw_referral(actor=worker, referral=refer(scene, send=False), reason="Changed my mind")
    [withdrawn] = rows("referral.withdrawn")
    assert withdrawn.recipient is None


def test_each_partner_step_is_audited_as_the_partner(scene):
    world, _, _, partner, _ = scene
    referral = refer(scene)
    services.accept_referral(actor=partner, referral=referral)
    services.record_session(actor=partner, referral=referral, session_on=TODAY, attendance="cancelled")
    services.add_progress_update(actor=partner, referral=referral, note="Rebooked")
    services.complete_referral(actor=partner, referral=referral, outcome="achieved", summary="Housed")
    steps = [
        (row.action, row.actor, row.nominal_id, row.detail)
        for row in AuditEvent.objects.filter(actor=partner, action__startswith="referral.").order_by("id")
    ]
    assert steps == [
        ("referral.accepted", partner, world.nominal.pk, {"access": "granted"}),
        ("referral.session_recorded", partner, world.nominal.pk, {"attendance": "cancelled"}),
        ("referral.progress_updated", partner, world.nominal.pk, {}),
        ("referral.completed", partner, world.nominal.pk, {"outcome": "achieved"}),
    ]


@pytest.mark.parametrize(
    "close",
    [
        lambda worker, partner, referral: services.complete_referral(
            actor=partner, referral=referral, outcome="not_achieved", summary="Stopped coming"
        ),
        lambda worker, partner, referral: services.withdraw_referral(
            actor=worker, referral=referral, reason="Recalled to prison"
        ),
    ],
    ids=["completed", "withdrawn"],
)
def test_the_end_of_access_is_audited_with_the_organisation_that_loses_it(scene, close):
    world, worker, organisation, partner, _ = scene
    referral = refer(scene)
    services.accept_referral(actor=partner, referral=referral)
    close(worker, partner, referral)
    [revoked] = rows("partner_access.revoked")
    assert (revoked.target_type, revoked.target_id) == ("partners.referral", str(referral.pk))
    assert (revoked.nominal_id, revoked.recipient) == (world.nominal.pk, organisation)


def test_closing_a_referral_that_never_gave_access_revokes_nothing(scene):
    _, worker, _, partner, _ = scene
    services.decline_referral(actor=partner, referral=refer(scene), reason="Full")
    services.withdraw_referral(actor=worker, referral=refer(scene), reason="Found a place")
    assert rows("partner_access.revoked") == []


def test_the_partner_reading_the_referral_is_logged_as_a_consultation_of_the_person(scene):
    world, _, _, partner, _ = scene
    referral = refer(scene)
    selectors.open_referral_for_partner(user=partner, referral_id=referral.pk)
    [viewed] = rows("nominal.viewed")
    assert (viewed.actor, viewed.nominal_id, viewed.target_id) == (
        partner,
        world.nominal.pk,
        str(world.nominal.pk),
    )
    assert viewed.detail == {
        "page": "referral",
        "referral": referral.pk,
        "shared_fields": ["name", "date_of_birth", "address_area"],
    }


def test_the_team_reading_a_referral_is_logged(scene):
    world, worker, _, _, _ = scene
    referral = refer(scene)
    selectors.open_referral(user=worker, referral_id=referral.pk)
    [viewed] = rows("referral.viewed")
    assert (viewed.actor, viewed.nominal_id, viewed.target_id) == (worker, world.nominal.pk, str(referral.pk))


def test_a_refused_look_at_a_real_referral_is_logged_and_a_missing_one_is_not(scene):
    world, _, _, _, _ = scene
    referral = refer(scene)
    other_partner = member(Role.PARTNER, organisation=PartnerOrganisationFactory.create())
    outsider = member(Role.PROBATION_PRACTITIONER, team=world.other_team)
    for user, fetch in (
        (other_partner, selectors.open_referral_for_partner),
        (outsider, selectors.open_referral),
    ):
        with pytest.raises(Http404):
            fetch(user=user, referral_id=referral.pk)
        with pytest.raises(Http404):
            fetch(user=user, referral_id=referral.pk + 1000)
    denied = [(row.actor, row.target_id, row.nominal_id) for row in rows("referral.access_denied")]
    assert denied == [
        (other_partner, str(referral.pk), world.nominal.pk),
        (outsider, str(referral.pk), world.nominal.pk),
    ]
    assert rows("nominal.viewed") == rows("referral.viewed") == []


def test_a_draft_goes_to_whoever_runs_the_service_when_it_is_sent(scene):
    """A service moved to another organisation after the draft was made: the disclosure, its audit
    row and the right to accept follow the service, not the organisation the draft first named."""
    _, worker, _, old_partner, service = scene
    draft = refer(scene, send=False)
    successor = PartnerOrganisationFactory.create(name="Harbour Housing")
    new_partner = member(Role.PARTNER, organisation=successor)
    PartnerService.objects.filter(pk=service.pk).update(organisation=successor)

    sent = services.send_referral(actor=worker, referral=draft)

    assert sent.organisation == successor
    assert Referral.objects.get(pk=draft.pk).organisation == successor
    [disclosure] = rows("referral.sent")
    assert disclosure.recipient == successor
    with pytest.raises(Http404):
        selectors.get_referral_for_partner(user=old_partner, referral_id=draft.pk)
    assert selectors.get_referral_for_partner(user=new_partner, referral_id=draft.pk) == draft
