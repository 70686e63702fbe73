"""factory-boy factories for people and teams, used by the tests and the demo data."""

import factory

from iom.core.models import Membership, Organisation, Region, Role, Team, User


class RegionFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Region {n}")


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.POLICE_FORCE
    region = factory.SubFactory(RegionFactory)


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team
        django_get_or_create = ["region", "name"]

    name = factory.Sequence(lambda n: f"IOM unit {n}")
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.POLICE_OFFENDER_MANAGER
    team = factory.SubFactory(TeamFactory)
    region = None
