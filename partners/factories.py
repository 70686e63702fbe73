"""factory-boy factories for partner services and referrals, used by the tests and the demo data.

A referral built here is a draft; tests that need one further on use the services
(send_referral, accept_referral ...), so events, grants and audit rows are real.
"""

import datetime

import factory
from django.utils import timezone

from cohorts.factories import NominalFactory
from iom.core.factories import OrganisationFactory, UserFactory
from iom.core.models import Organisation
from partners.models import PartnerService, Referral, ServicePathway


class PartnerOrganisationFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    kind = Organisation.Kind.VOLUNTARY_COMMUNITY


class PartnerServiceFactory(factory.django.DjangoModelFactory[PartnerService]):
    class Meta:
        model = PartnerService
        skip_postgeneration_save = True

    organisation = factory.SubFactory(PartnerOrganisationFactory)
    name = factory.Sequence(lambda n: f"Partner service {n}")
    area_covered = "Northshire"
    eligibility = "Adults on an IOM cohort"
    how_to_refer = "Through the IOM case manager"
    typical_wait_days = 10
    region = None

    @factory.post_generation
    def pathways(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if not create:
            return
        for pathway in extracted if extracted is not None else ["accommodation"]:
            ServicePathway.objects.get_or_create(service=self, pathway=pathway)  # type: ignore[misc]


class ReferralFactory(factory.django.DjangoModelFactory[Referral]):
    class Meta:
        model = Referral

    nominal = factory.SubFactory(NominalFactory)
    service = factory.SubFactory(PartnerServiceFactory)
    organisation = factory.SelfAttribute("service.organisation")
    pathway = "accommodation"
    reason = "Sofa surfing since release; needs a tenancy."
    lawful_basis = Referral.LawfulBasis.CONSENT
    consent_given_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    shared_fields = factory.LazyFunction(lambda: ["name", "date_of_birth", "address_area"])
    referred_by = factory.SubFactory(UserFactory)
