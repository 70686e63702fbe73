"""The people and places most tests need, built from the factories.

Two teams in one region (own and other), a second region, and one user per role.
"""

from dataclasses import dataclass

from cohorts.factories import NominalFactory
from cohorts.models import Nominal
from iom.core.factories import MembershipFactory, OrganisationFactory, RegionFactory, TeamFactory, UserFactory
from iom.core.models import REGION_ROLES, TEAM_ROLES, Organisation, Region, Role, Team, User


@dataclass
class World:
    region: Region
    other_region: Region
    own_team: Team
    other_team: Team
    nominal: Nominal
    other_nominal: Nominal
    # Filled in by tests of partners: the organisation the world's referral goes to, and whether
    # that referral has closed by the time the partner asks.
    recipient: Organisation | None = None
    referral_closed: bool = False


def build_world() -> World:
    region = RegionFactory.create(name="Northshire")
    other_region = RegionFactory.create(name="Southshire")
    own_team = TeamFactory.create(name="City IOM", region=region)
    other_team = TeamFactory.create(name="County IOM", region=region)
    return World(
        region=region,
        other_region=other_region,
        own_team=own_team,
        other_team=other_team,
        nominal=NominalFactory.create(team=own_team, given_name="Dean", family_name="Robson"),
        other_nominal=NominalFactory.create(team=other_team, given_name="Wes", family_name="Kerr"),
    )


# The agency a frontline worker attends for: a joint visit needs two of them. Managers have
# none by default; give one (a police force makes them the IOM sergeant) where it matters.
AGENCY_OF_ROLE = {
    Role.POLICE_OFFENDER_MANAGER: ("Northshire Police", Organisation.Kind.POLICE_FORCE),
    Role.PROBATION_PRACTITIONER: (
        "Northshire Probation Delivery Unit",
        Organisation.Kind.PROBATION_DELIVERY_UNIT,
    ),
    Role.SUPPORT_WORKER: ("Northshire Support Services", Organisation.Kind.VOLUNTARY_COMMUNITY),
    Role.YOUNG_ADULT_SUPPORT_WORKER: ("Northshire Support Services", Organisation.Kind.VOLUNTARY_COMMUNITY),
}


def member(role: Role, *, team: Team | None = None, region: Region | None = None, **user_fields) -> User:
    """A user holding one membership. Administrators are staff, as the admin requires."""
    if role == Role.ADMINISTRATOR:
        user_fields.setdefault("is_staff", True)
        user_fields.setdefault("is_superuser", True)
    if role == Role.PARTNER:
        user_fields.setdefault(
            "organisation", OrganisationFactory.create(kind=Organisation.Kind.VOLUNTARY_COMMUNITY)
        )
    elif role in AGENCY_OF_ROLE and "organisation" not in user_fields:
        name, kind = AGENCY_OF_ROLE[role]
        user_fields["organisation"] = OrganisationFactory.create(name=name, kind=kind)
    user = UserFactory.create(**user_fields)
    MembershipFactory.create(user=user, role=role, team=team, region=region)
    return user


def member_of_world(role: Role, world: World) -> User:
    """A user in the role's natural scope: the own team, the region, or none."""
    return member(
        role,
        team=world.own_team if role in TEAM_ROLES else None,
        region=world.region if role in REGION_ROLES else None,
    )
