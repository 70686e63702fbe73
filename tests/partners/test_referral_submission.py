"""The referral form's one-time key: the same form submitted twice makes, sends and discloses one
referral, even when the two submissions race each other."""

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from cohorts.factories import NominalFactory
from cohorts.models import Nominal
from iom.core.models import AuditEvent, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral, ReferralEvent
from tests.actors import build_world, member


def scene() -> tuple[User, PartnerService, Nominal]:
    world = build_world()
    worker = member(Role.MANAGER, team=world.own_team)
    organisation = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
    service = PartnerServiceFactory.create(organisation=organisation, pathways=["accommodation"])
    return worker, service, world.nominal


def refer(worker: User, service: PartnerService, nominal, key: uuid.UUID | None) -> Referral:
    return services.create_referral(
        actor=worker,
        nominal=nominal,
        service=service,
        pathway="accommodation",
        reason="Sofa surfing since release; needs a tenancy.",
        lawful_basis=Referral.LawfulBasis.LAW_ENFORCEMENT,
        sharing_agreement="Northshire IOM ISA 2025",
        send=True,
        submission_id=key,
    )


@pytest.mark.django_db
def test_a_second_submission_returns_the_first_referral_and_records_nothing_more():
    worker, service, nominal = scene()
    key = uuid.uuid4()
    first = refer(worker, service, nominal, key)
    again = refer(worker, service, nominal, key)
    assert again.pk == first.pk
    assert Referral.objects.count() == 1
    assert ReferralEvent.objects.count() == 2  # drafted and sent, once
    assert AuditEvent.objects.filter(action="referral.sent").count() == 1


@pytest.mark.django_db
def test_without_a_key_each_submission_is_a_referral_of_its_own():
    worker, service, nominal = scene()
    refer(worker, service, nominal, None)
    refer(worker, service, nominal, None)
    assert Referral.objects.count() == 2


@pytest.mark.django_db
def test_a_key_used_for_another_person_is_refused():
    worker, service, nominal = scene()
    key = uuid.uuid4()
    refer(worker, service, nominal, key)
    other = NominalFactory.create(team=nominal.team)
    with pytest.raises(ValidationError) as refused:
        refer(worker, service, other, key)
    assert refused.value.messages == [
        "This form has already been used. Open the form again to make another referral."
    ]
    assert Referral.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submissions_racing_make_one_referral(monkeypatch):
    """Both pass the look-up before either commits; the unique key lets one through, and the other
    answers with it."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises whole transactions")
    worker, service, nominal = scene()
    key = uuid.uuid4()
    both_looked = threading.Barrier(2, timeout=10)
    real_lookup = services._earlier_submission
    seen = threading.local()

    def look_together(submission_id: uuid.UUID, person) -> Referral | None:
        found = real_lookup(submission_id, person)
        if not getattr(seen, "looked", False):  # each submission's first look-up waits for the other's
            seen.looked = True
            both_looked.wait()
        return found

    monkeypatch.setattr(services, "_earlier_submission", look_together)
    results: list[object] = []

    def submit() -> None:
        try:
            results.append(refer(worker, service, nominal, key))
        except Exception as error:  # the test reports whatever went wrong
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(isinstance(result, Referral) for result in results), results
    assert len({result.pk for result in results}) == 1  # type: ignore[attr-defined]
    assert Referral.objects.count() == 1
    assert AuditEvent.objects.filter(action="referral.sent").count() == 1
