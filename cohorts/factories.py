import factory

from cohorts.models import Nominal
from iom.core.factories import TeamFactory


class NominalFactory(factory.django.DjangoModelFactory[Nominal]):
    class Meta:
        model = Nominal

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=60)
    crn = factory.Sequence(lambda n: f"X{n:06d}")
    team = factory.SubFactory(TeamFactory)
