import datetime

import factory
from django.utils import timezone

from cohorts.factories import NominalFactory
from iom.core.factories import UserFactory
from supervision.models import Contact


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    """A contact row on its own. Tests of the timeline use services.log_contact instead."""

    class Meta:
        model = Contact

    nominal = factory.SubFactory(NominalFactory)
    date = factory.LazyFunction(timezone.localdate)
    time = datetime.time(10, 0)
    kind = Contact.Kind.OFFICE
    purpose = Contact.Purpose.MONITORING
    outcome = Contact.Outcome.ATTENDED_COMPLIED
    notes = "Discussed housing and the next appointment."
    logged_by = factory.SubFactory(UserFactory)
