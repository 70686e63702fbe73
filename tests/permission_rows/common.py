"""What every permission-matrix row module shares: who asks, and how to write a row.

Rows for each area live beside this module (`tests/permission_rows/<area>.py`, each with `ROWS` and
`url_for`); `tests/test_permission_matrix.py` merges them with its own.
"""

from iom.core.models import Role
from partners import services as partner_services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory, ReferralFactory
from tests.actors import member

# Who asks: a label -> how to build them from the world.
ACTORS = {
    "anonymous": lambda w: None,
    "police_own": lambda w: member(Role.POLICE_OFFENDER_MANAGER, team=w.own_team),
    "probation_own": lambda w: member(Role.PROBATION_PRACTITIONER, team=w.own_team),
    "support_own": lambda w: member(Role.SUPPORT_WORKER, team=w.own_team),
    "ya_support_own": lambda w: member(Role.YOUNG_ADULT_SUPPORT_WORKER, team=w.own_team),
    "manager_own": lambda w: member(Role.MANAGER, team=w.own_team),
    "police_other": lambda w: member(Role.POLICE_OFFENDER_MANAGER, team=w.other_team),
    "manager_other": lambda w: member(Role.MANAGER, team=w.other_team),
    # Partner staff: of an organisation with no referral; of the organisation the referral in the URL
    # went to; of another organisation working with the same person; and of the recipient once the
    # referral has closed.
    "partner": lambda w: member(Role.PARTNER),
    "partner_referred": lambda w: member(Role.PARTNER, organisation=recipient(w)),
    "partner_other": lambda w: other_partner_working_with(w),
    "partner_closed": lambda w: member(Role.PARTNER, organisation=recipient(w, closed=True)),
    "regional_own": lambda w: member(Role.REGIONAL_LEAD, region=w.region),
    "regional_other": lambda w: member(Role.REGIONAL_LEAD, region=w.other_region),
    "national": lambda w: member(Role.NATIONAL),
    "administrator": lambda w: member(Role.ADMINISTRATOR),
}
TEAM_OWN = ("police_own", "probation_own", "support_own", "ya_support_own", "manager_own")
TEAM_OTHER = ("police_other", "manager_other")
TEAM_ALL = (*TEAM_OWN, *TEAM_OTHER)
PARTNERS = ("partner", "partner_referred", "partner_other", "partner_closed")
REPORT_USERS = ("regional_own", "national")
ANY_REGIONAL = (*REPORT_USERS, "regional_other")
# Governance reports: regional leads and national users, and managers for their teams' packs.
REPORTS_PAGES = (*ANY_REGIONAL, "manager_own", "manager_other")
# The run in a report URL is the own team's pack: its manager, the region's lead and national users.
TEAM_PACK_READERS = (*REPORT_USERS, "manager_own")


def recipient(world, *, closed: bool = False):
    """The housing partner the world's referral goes to."""
    if world.recipient is None:
        world.recipient = PartnerOrganisationFactory.create(name="Northshire Housing Advice")
    world.referral_closed = world.referral_closed or closed
    return world.recipient


def _referrer(world):
    return member(Role.MANAGER, team=world.own_team)


def other_partner_working_with(world):
    """A partner with its own accepted referral for the same person: it may see the person, but not
    another organisation's referral."""
    organisation = PartnerOrganisationFactory.create(name="Northshire Mind", kind="health")
    partner = member(Role.PARTNER, organisation=organisation)
    service = PartnerServiceFactory.create(organisation=organisation, name="Wellbeing", pathways=["health"])
    referral = ReferralFactory.create(
        nominal=world.nominal, service=service, pathway="health", referred_by=_referrer(world)
    )
    partner_services.send_referral(actor=referral.referred_by, referral=referral)
    partner_services.accept_referral(actor=partner, referral=referral)
    return partner


def row(default: int, **overrides: int) -> dict[str, int]:
    statuses = dict.fromkeys(ACTORS, default)
    statuses.update(overrides)
    return statuses


def each(names, status):
    return dict.fromkeys(names, status)


SIGN_IN_FIRST = 302
