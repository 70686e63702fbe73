"""Demo data for `make run`: one region, two IOM teams, a user per role, and 60 nominals with
a full record: identifiers, case teams, cohort memberships through proposal and panel (eight in
each team more than a year old, reviewed every quarter since, with the proven offences of the year
before entry and the year after that the pack compares), risk, needs, offences, custody and
release dates, goals and feedback in their own words, and their supervision: contacts (joint and
custody visits among them, notes for the team, for partners or police only), contact standards,
weekly compliance with some short, unacceptable absences and an enforcement decision, and
appointments ahead (weekly series, custody visits before release, something in every frontline
worker's diary today and an appointment still waiting for its outcome).
Around them, a partner directory (one pathway or two with no service at all), partner staff, and
referrals in every state of their lifecycle, with needs recorded as having no service available.

It lives in `reports` because it is the one app allowed to reach every other. Everything about a
person is written through the services, so the timeline and the audit trail are as real use leaves
them (a referral's steps are then moved back to the days they happened, as services date them
today). Running it twice changes nothing: every row is found by a natural key before it is created,
and a nominal's record is only filled in when the nominal is first created (so a demo database made
before the record grew keeps its people as they were, and gains only the new demo users). The one
exception is the diary: each run plans what a frontline worker is missing today and in the week
ahead, so an old demo database still has a diary, and a second run on the same day finds it there.
"""

import math
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cohorts import identifiers, services
from cohorts.models import (
    Allocation,
    Assessment,
    Cohort,
    CohortMembership,
    CohortReview,
    Ethnicity,
    Feedback,
    FeedbackTheme,
    Gender,
    Goal,
    Need,
    NeedStatus,
    NeedUpdate,
    Nominal,
    Offence,
    OffenceCategory,
    Pathway,
    StatutoryStatus,
    TimelineEvent,
    UnmetReason,
)
from cohorts.periods import add_months
from iom.core import services as core_services
from iom.core.models import ApiToken, Membership, Organisation, Region, Role, Team, User
from partners import services as partner_services
from partners.models import Capacity, PartnerService, Referral, ReferralEvent
from partners.response_times import add_working_days
from reports.models import AreaBaseline
from reports.pack.impact import WINDOW_MONTHS
from supervision.compliance import week_starting
from supervision.models import AppointmentSeries, Contact, ContactStandard, EnforcementAction, Sensitivity
from supervision.selectors import COMPLIANCE_WEEKS
from supervision.services import (
    log_contact,
    plan_appointment,
    plan_series,
    record_enforcement_action,
    set_contact_standard,
)

DEMO_PASSWORD = "demo-password-iom-2026"  # noqa: S105 - printed for the demo; never used outside it
DOMAIN = "demo.iom.example"

GIVEN_NAMES = [
    "Aaron",
    "Bradley",
    "Callum",
    "Dean",
    "Ellie",
    "Farhan",
    "Gemma",
    "Harvey",
    "Imran",
    "Jade",
    "Kieran",
    "Liam",
    "Mason",
    "Nathan",
    "Olivia",
    "Priya",
    "Reece",
    "Shannon",
    "Tyler",
    "Wes",
]
FAMILY_NAMES = [
    "Armstrong",
    "Bell",
    "Charlton",
    "Dodds",
    "Elliott",
    "Forster",
    "Graham",
    "Hussain",
    "Irving",
    "Johnson",
    "Kerr",
    "Lowes",
    "Milburn",
    "Nixon",
    "Okafor",
    "Pattinson",
    "Robson",
    "Scott",
    "Thompson",
    "Walker",
]
NOTES = [
    "Attended on time. Talked about the tenancy application and travel to the job centre.",
    "Not at the address. Left a card and rang the mobile: no answer.",
    "Drug test negative. Engaging well with the recovery worker.",
    "Joint visit with the police offender manager. Discussed licence conditions and a bus pass.",
    "Rearranged at his request: hospital appointment, letter seen.",
    "Raised worries about benefits being stopped. Referred to the welfare rights adviser.",
    "",
]


FEMALE_NAMES = frozenset({"Ellie", "Gemma", "Jade", "Olivia", "Priya", "Shannon"})
AREAS = [
    "Byker",
    "Walker",
    "Benwell",
    "Elswick",
    "Blyth",
    "Cowpen",
    "Ashington",
    "Hirst",
    "Wallsend",
    "Jarrow",
]
ESTABLISHMENTS = ["HMP Durham", "HMP Northumberland", "HMP Holme House", "HMP Deerbolt"]
WOMENS_ESTABLISHMENT = "HMP Low Newton"
PROPOSAL_REASONS = {
    Cohort.FIXED: [
        "Repeat burglary and robbery since release; high likelihood of reoffending on OGRS.",
        "Prolific neighbourhood crime over the last year and poor compliance with the licence.",
        "Vehicle crime series across the city; statutory supervision for two more years.",
    ],
    Cohort.FLEX: [
        "Emerging pattern of shoplifting and theft linked to drug use; local priority for the team.",
        "Domestic abuse concerns alongside acquisitive offending: partnership response needed.",
    ],
    Cohort.FREE: [
        "Voluntary engagement offered after the sentence ended; wants help with housing and work.",
        "Young adult moving on from youth justice with escalating anti-social behaviour.",
    ],
}
PANEL_RATIONALES = [
    "Meets the cohort criteria on offending and risk; the partnership can add value now.",
    "Agreed by all agencies: offending is rising and supervision alone has not held it.",
    "Criteria met. Housing and substance misuse services to be involved from the start.",
]
NOT_ACCEPTED_RATIONALE = "Offending has fallen since the proposal; manage under standard supervision."
REVIEW_RATIONALES = [
    "Still meets the criteria: engagement is improving but offending has not stopped.",
    "Progress with the recovery worker; keep on the cohort to support the housing move.",
]
EXIT_RATIONALES = {
    CohortMembership.ExitReason.RISK_REDUCED: "No offending for six months, settled housing and in work.",
    CohortMembership.ExitReason.COMPLETED: "Licence ended; no further statutory supervision and doing well.",
}
GOALS = [
    "Get my own flat so my kids can come and stay.",
    "Stay off the gear and keep going to my group on a Tuesday.",
    "Get my forklift licence and a proper job.",
    "Sort my debts out so the bailiffs stop coming round.",
    "Be there for my daughter's birthday, not inside.",
    "Get back on my methadone script and stick to it.",
    "Learn to read properly so I can fill in forms myself.",
]
WHAT_HELPS = [
    "Having the same worker every time, and being rung back when they say they will.",
    "Meeting somewhere that isn't the police station.",
    "Help with bus fares to get to appointments.",
    "Someone coming with me to the housing office.",
]
WHAT_DOES_NOT_HELP = [
    "Being told different things by different people.",
    "Appointments first thing in the morning when I'm on my script.",
    "Letters I can't read. Ring me instead.",
    "",
]
# The themes a worker would tick for each of the words above (the pack counts themes, not words).
THEMES_OF = {
    WHAT_HELPS[0]: [FeedbackTheme.WORKER, FeedbackTheme.LISTENED_TO],
    WHAT_HELPS[1]: [FeedbackTheme.WORKER],
    WHAT_HELPS[2]: [FeedbackTheme.MONEY, FeedbackTheme.TRAVEL],
    WHAT_HELPS[3]: [FeedbackTheme.HOUSING],
    WHAT_DOES_NOT_HELP[0]: [FeedbackTheme.WORKER],
    WHAT_DOES_NOT_HELP[1]: [FeedbackTheme.DRUGS_ALCOHOL, FeedbackTheme.DEMANDS],
    WHAT_DOES_NOT_HELP[2]: [FeedbackTheme.LISTENED_TO],
    WHAT_DOES_NOT_HELP[3]: [],
}
# Each team's area, adults (18 and over), for "who is on IOM": plausible shares for a northern
# city and the county around it, made up for the demo and labelled so.
AREA_SOURCE = "Demo figures, not census data"
AREA_YEAR = 2021
AREA_BASELINES: dict[str, dict[str, dict[str, float]]] = {
    "Northshire City IOM": {
        AreaBaseline.Dimension.ETHNICITY: {"asian": 11, "black": 3.5, "mixed": 2.5, "white": 80, "other": 3},
        AreaBaseline.Dimension.AGE_BAND: {"18-24": 16, "25-34": 19, "35-44": 15.5, "45-54": 15, "55+": 34.5},
        AreaBaseline.Dimension.GENDER: {Gender.MALE: 49.5, Gender.FEMALE: 50.5},
    },
    "Northshire County IOM": {
        AreaBaseline.Dimension.ETHNICITY: {
            "asian": 1.5,
            "black": 0.5,
            "mixed": 1,
            "white": 96.5,
            "other": 0.5,
        },
        AreaBaseline.Dimension.AGE_BAND: {"18-24": 8.5, "25-34": 14, "35-44": 14, "45-54": 16.5, "55+": 47},
        AreaBaseline.Dimension.GENDER: {Gender.MALE: 48.8, Gender.FEMALE: 51.2},
    },
}
NEED_NOTES = {
    NeedStatus.UNMET: "Referral made, but nothing available locally at the moment.",
    NeedStatus.IDENTIFIED: "Talked about it at the last appointment; referral to follow.",
    NeedStatus.BEING_ADDRESSED: "Attending the service; next review in a month.",
    NeedStatus.MET: "Sorted: nothing more needed for now.",
}
# Weights, roughly as a northern IOM caseload.
ETHNICITIES = {
    Ethnicity.WHITE_BRITISH: 75,
    Ethnicity.ASIAN_PAKISTANI: 8,
    Ethnicity.BLACK_AFRICAN: 6,
    Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: 6,
    Ethnicity.NOT_SAID: 5,
}
STATUSES = {
    StatutoryStatus.LICENCE: 40,
    StatutoryStatus.COMMUNITY_ORDER: 30,
    StatutoryStatus.POST_SENTENCE_SUPERVISION: 10,
    StatutoryStatus.NONE: 20,
}
ROSH_LEVELS = ["low", "medium", "high", "very_high"]
ROSH_WEIGHTS = [25, 45, 25, 5]

ROBBERY = "Robbery (personal)"
VEHICLE = "Theft of a vehicle"
FROM_VEHICLE = "Theft from a vehicle"
DAMAGE = "Criminal damage and arson"
BURGLARY = "Burglary (dwelling)"
OTHER_BURGLARY = "Burglary (non-dwelling)"
SHOPLIFTING = "Shoplifting"


@dataclass(frozen=True)
class History:
    """Someone on IOM for more than a year, for the pack's reoffending before and after entry: how
    many months ago they entered (give or take a few weeks), and their proven offences by category
    in the 12 months before entry and the 12 months from it."""

    months: int
    before: tuple[tuple[str, int], ...]
    after: tuple[tuple[str, int], ...] = ()


# Each team's eight, the first for someone who left IOM (so entered long enough ago to have had a
# year on it and left within the last year). Offending falls for most, by different amounts; two
# offend more after; the categories mix ones with a unit cost and ones without.
HISTORIES: list[list[History]] = [
    [
        History(22, ((BURGLARY, 3), (FROM_VEHICLE, 2)), ((FROM_VEHICLE, 1),)),
        History(29, ((ROBBERY, 2), (BURGLARY, 2), (DAMAGE, 1)), ((BURGLARY, 1), (DAMAGE, 1))),
        History(26, ((VEHICLE, 2), (FROM_VEHICLE, 3)), ((FROM_VEHICLE, 2), (VEHICLE, 1))),
        History(24, ((BURGLARY, 2), (DAMAGE, 2), (SHOPLIFTING, 2)), ((SHOPLIFTING, 2), (DAMAGE, 1))),
        History(20, ((FROM_VEHICLE, 3), (VEHICLE, 1)), ((FROM_VEHICLE, 1),)),
        History(18, ((ROBBERY, 1), (BURGLARY, 1)), ((ROBBERY, 1), (BURGLARY, 2), (DAMAGE, 1))),
        History(
            16, ((SHOPLIFTING, 2), (DAMAGE, 1), (FROM_VEHICLE, 1)), ((SHOPLIFTING, 2), (FROM_VEHICLE, 1))
        ),
        History(14, ((BURGLARY, 2), (VEHICLE, 1), (FROM_VEHICLE, 2)), ((BURGLARY, 1), (FROM_VEHICLE, 1))),
    ],
    [
        History(19, ((VEHICLE, 2), (FROM_VEHICLE, 2)), ((FROM_VEHICLE, 1),)),
        History(29, ((BURGLARY, 3), (ROBBERY, 1), (OTHER_BURGLARY, 1)), ((BURGLARY, 2),)),
        History(27, ((DAMAGE, 3), (FROM_VEHICLE, 2)), ((DAMAGE, 2),)),
        History(23, ((ROBBERY, 1), (VEHICLE, 1), (BURGLARY, 2)), ((BURGLARY, 1), (VEHICLE, 1))),
        History(21, ((FROM_VEHICLE, 2), (DAMAGE, 1)), ((FROM_VEHICLE, 2), (DAMAGE, 1), (VEHICLE, 1))),
        History(
            18, ((BURGLARY, 2), (OTHER_BURGLARY, 1), (FROM_VEHICLE, 2)), ((BURGLARY, 1), (FROM_VEHICLE, 1))
        ),
        History(
            15,
            ((VEHICLE, 1), (FROM_VEHICLE, 2), (DAMAGE, 2), (SHOPLIFTING, 1)),
            ((FROM_VEHICLE, 1), (SHOPLIFTING, 2)),
        ),
        History(13, ((BURGLARY, 2), (ROBBERY, 1), (DAMAGE, 1)), ((DAMAGE, 1),)),
    ],
]


@dataclass(frozen=True)
class Plan:
    """What one demo person's record holds, drawn once for all 60 so the spread is exact."""

    cohort: str  # fixed, flex or free (active), "proposed", or "none"
    variant: str = ""  # "overdue" or "reviewed" (active); "ended" or "not_accepted" (none)
    custody: str = ""  # "soon" (released within 8 weeks) or "later"
    allocated: bool = True
    history: History | None = None  # on IOM for more than a year (active, or "ended")


def demo_plans(rng: random.Random) -> list[Plan]:
    """20 Fixed, 15 Flex and 15 Free active (4 overdue a review), 5 awaiting panel, 5 not on a cohort
    (2 who left, 1 the panel turned down, 2 never proposed). In each team, eight entered IOM more
    than a year ago: those who left, and people on a cohort, out of custody and with a case team."""
    spread: list[tuple[str, str]] = [
        *[(Cohort.FIXED.value, "overdue")] * 2,
        (Cohort.FIXED.value, "reviewed"),
        *[(Cohort.FIXED.value, "")] * 17,
        (Cohort.FLEX.value, "overdue"),
        (Cohort.FLEX.value, "reviewed"),
        *[(Cohort.FLEX.value, "")] * 13,
        (Cohort.FREE.value, "overdue"),
        (Cohort.FREE.value, "reviewed"),
        *[(Cohort.FREE.value, "")] * 13,
        *[("proposed", "")] * 5,
        *[("none", "ended")] * 2,
        ("none", "not_accepted"),
        *[("none", "")] * 2,
    ]
    rng.shuffle(spread)
    custody_soon: set[int] = set()
    custody_later: set[int] = set()
    unallocated: set[int] = set()
    # The first half is the City team's people and the second the County team's: each team gets
    # three due out of custody within 8 weeks, one due out later, and two people with no case team.
    half = len(spread) // 2
    for team in (range(half), range(half, len(spread))):
        settled = [i for i in team if spread[i][0] in ("fixed", "flex") and not spread[i][1]]
        custody = rng.sample(settled, 4)
        custody_soon.update(custody[:3])
        custody_later.update(custody[3:])
        open_ones = [i for i in team if spread[i][0] in ("proposed", "free") and not spread[i][1]]
        unallocated.update(rng.sample(open_ones, 2))
    unallocated.add(
        rng.choice([i for i, (cohort, variant) in enumerate(spread) if (cohort, variant) == ("none", "")])
    )
    # No draws here, so the people above stay as they were: the team's order is shuffled already.
    histories: dict[int, History] = {}
    for team_number, team in enumerate((range(half), range(half, len(spread)))):
        left = [i for i in team if spread[i] == ("none", "ended")]
        settled = [
            i
            for i in team
            if spread[i][0] in Cohort.values
            and not spread[i][1]
            and i not in custody_soon | custody_later | unallocated
        ]
        histories.update(zip(left + settled, HISTORIES[team_number], strict=False))
    return [
        Plan(
            cohort=cohort,
            variant=variant,
            custody="soon" if i in custody_soon else "later" if i in custody_later else "",
            allocated=i not in unallocated,
            history=histories.get(i),
        )
        for i, (cohort, variant) in enumerate(spread)
    ]


@dataclass
class Staff:
    """A team's demo workers: who proposes, allocates, assesses and records."""

    manager: User
    police_om: User
    probation: User
    support: User


class Command(BaseCommand):
    help = "Load demo data: one region, two IOM teams, a user per role, and 60 people with a full record."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--nominals-per-team", type=int, default=30)

    def handle(self, *args: Any, nominals_per_team: int, **options: Any) -> None:
        started, started_cpu = time.monotonic(), time.process_time()
        # All or nothing; and the report is written after the commit, so a closed pipe loses nothing.
        with transaction.atomic():
            logins, created = _build(nominals_per_team)
            summary = _summary()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {created} new nominals, {Nominal.objects.count()} in all "
                f"(in {time.monotonic() - started:.1f} s, {time.process_time() - started_cpu:.1f} s of CPU)."
            )
        )
        self.stdout.write(summary)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for user, role, where in logins:
            self.stdout.write(f"  {role.label:<28} {where:<28} {user.email}")
        self.stdout.write(
            f"\nSecond factor: every demo user has the same authenticator key, {DEMO_TOTP_KEY_BASE32}\n"
            "  (add it to an authenticator app), or print the current code with\n"
            "  .venv/bin/python manage.py second_factor_code <email>   (development only: DJANGO_DEBUG on)"
        )
        manager = next(user for user, role, _ in logins if role == Role.MANAGER)
        token = _demo_api_token(manager)
        self.stdout.write(
            f"\nAPI token for {manager.email} (30 days; API reference at /api/docs/):\n  {token}\n"
            f"  e.g. curl -H 'Authorization: Bearer {token}' http://127.0.0.1:8000/api/v1/nominals/"
        )


DEMO_TOKEN_LABEL = "Demo (seed_demo)"  # noqa: S105 (a label, not a secret)


def _demo_api_token(holder: User) -> str:
    """A fresh token to try the API with; the one from the last seeding is revoked, so they don't pile up."""
    for old in ApiToken.objects.filter(user=holder, name=DEMO_TOKEN_LABEL, revoked_at__isnull=True):
        core_services.revoke_api_token(actor=holder, token=old)
    return core_services.create_api_token(actor=holder, name=DEMO_TOKEN_LABEL, lifetime_days=30).raw


def _build(nominals_per_team: int) -> tuple[list[tuple[User, Role, str]], int]:
    """The region, teams and users (found or made), and every nominal not there yet, with its record."""
    region, _ = Region.objects.get_or_create(name="Northshire")
    police = _organisation("Northshire Police", Organisation.Kind.POLICE_FORCE, region)
    probation = _organisation(
        "Northshire Probation Delivery Unit", Organisation.Kind.PROBATION_DELIVERY_UNIT, region
    )
    # The support workers' own agency: a joint visit is two agencies, such as police and probation.
    support = _organisation("Northshire Support Services", Organisation.Kind.VOLUNTARY_COMMUNITY, region)
    partners = {
        name: _organisation(name, kind, None if name in NATIONAL_PARTNERS else region)
        for name, kind in PARTNER_ORGANISATIONS.items()
    }
    housing = partners[HOUSING]
    city, _ = Team.objects.get_or_create(region=region, name="Northshire City IOM")
    county, _ = Team.objects.get_or_create(region=region, name="Northshire County IOM")
    for team in (city, county):
        team.organisations.add(police, probation, support)
    _area_baselines((city, county))

    # The city manager works for the police (the IOM sergeant, who reads police intelligence);
    # the county manager for probation (the senior probation officer, who does not).
    logins = [
        _user("police.om", "Sam Carter", police, Role.POLICE_OFFENDER_MANAGER, team=city),
        _user("probation", "Priya Shah", probation, Role.PROBATION_PRACTITIONER, team=city),
        _user("support", "Jordan Lee", support, Role.SUPPORT_WORKER, team=city),
        _user("manager", "Chris Nolan", police, Role.MANAGER, team=city),
        _user("police.om.county", "Dana Reid", police, Role.POLICE_OFFENDER_MANAGER, team=county),
        _user("probation.county", "Ravi Patel", probation, Role.PROBATION_PRACTITIONER, team=county),
        _user("ya.support", "Amira Khan", support, Role.YOUNG_ADULT_SUPPORT_WORKER, team=county),
        _user("manager.county", "Helen Dodd", probation, Role.MANAGER, team=county),
        _user("partner", "Morgan Hall", housing, Role.PARTNER),
        *(
            _user(local_part, full_name, partners[organisation], Role.PARTNER)
            for local_part, full_name, organisation in PARTNER_STAFF
        ),
        _user("regional", "Alex Morgan", probation, Role.REGIONAL_LEAD, region=region),
        _user("national", "Robin Ellis", None, Role.NATIONAL),
        _user("admin", "Kim Taylor", None, Role.ADMINISTRATOR),
    ]
    users = {user.email.split("@")[0]: user for user, _, _ in logins}
    staff = {
        city: Staff(users["manager"], users["police.om"], users["probation"], users["support"]),
        county: Staff(
            users["manager.county"],
            users["police.om.county"],
            users["probation.county"],
            users["ya.support"],
        ),
    }

    rng = random.Random(2026)  # noqa: S311 - demo data, not secrets: a fixed seed gives the same people every time
    # The record's own draws and supervision's, apart from the names, so each stays as it is when
    # the other grows.
    record_rng = random.Random(2026)  # noqa: S311 - as above
    supervision_rng = random.Random(2027)  # noqa: S311 - as above
    partners_rng = random.Random(2028)  # noqa: S311 - as above
    directory = _directory(users["admin"], partners, region)
    partner_staff = {
        user.organisation_id: user
        for user, role, _ in logins
        if role == Role.PARTNER and user.organisation_id
    }
    plans = demo_plans(record_rng)
    categories = list(OffenceCategory.objects.all())
    created = 0
    for team_number, team in enumerate((city, county)):
        new_people: list[Nominal] = []
        for n in range(nominals_per_team):
            crn = f"{'CN'[team_number]}{100001 + n:06d}"
            given_name = rng.choice(GIVEN_NAMES)
            family_name = rng.choice(FAMILY_NAMES)
            date_of_birth = date(1975, 1, 1) + timedelta(days=rng.randrange(0, 365 * 30))
            if Nominal.objects.filter(crn=crn).exists():
                continue
            index = team_number * nominals_per_team + n
            nominal = services.create_nominal(
                actor=staff[team].manager,
                team=team,
                given_name=given_name,
                family_name=family_name,
                date_of_birth=date_of_birth,
                crn=crn,
                pnc_id=_pnc_id(index, date_of_birth, record_rng),
                gender=Gender.FEMALE if given_name in FEMALE_NAMES else Gender.MALE,
                ethnicity=record_rng.choices(list(ETHNICITIES), list(ETHNICITIES.values()))[0],
                address_area=record_rng.choice(AREAS),
                statutory_status=record_rng.choices(list(STATUSES), list(STATUSES.values()))[0],
            )
            created += 1
            _fill_record(nominal, plans[index % len(plans)], index, staff[team], categories, record_rng)
            new_people.append(nominal)
        _supervise(new_people, staff[team], supervision_rng)
        _keep_diaries_current(team, staff[team])
        _refer(new_people, staff[team], REFERRALS[team_number], directory, partner_staff, partners_rng)
    _restrict_a_staff_case(city, staff[city])

    return logins, created


def _restrict_a_staff_case(team: Team, staff: Staff) -> None:
    """One City person is a member of police staff: a restricted case, open to the manager and the
    police offender manager alone (docs/decisions/0013-restricted-cases.md). Someone with no referral,
    so the partners' demo is unchanged; once, so a later seeding finds it restricted already."""
    people = Nominal.objects.filter(team=team, retention_status="")
    if people.filter(access_restricted=True).exists():
        return
    nominal = people.filter(referrals__isnull=True).order_by("crn").first()
    if nominal is None:
        return
    services.restrict_case(
        actor=staff.manager,
        nominal=nominal,
        allowed_users=[staff.police_om],
        reason="A member of Northshire Police staff: kept to the IOM sergeant and the offender manager.",
    )


def _summary() -> str:
    today = timezone.localdate()
    held, planned = Contact.objects.exclude(outcome=""), Contact.objects.filter(outcome="")
    memberships = Counter(CohortMembership.objects.values_list("cohort", "status"))
    active = ", ".join(
        f"{label} {memberships[(value, CohortMembership.Status.ACTIVE)]}" for value, label in Cohort.choices
    )
    proposed = sum(n for (_, status), n in memberships.items() if status == CohortMembership.Status.PROPOSED)
    ended = sum(n for (_, status), n in memberships.items() if status == CohortMembership.Status.ENDED)
    overdue = CohortMembership.objects.filter(
        status=CohortMembership.Status.ACTIVE, review_due__lt=today
    ).count()
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    by_status = ", ".join(
        f"{label.lower()} {statuses[value]}" for value, label in Referral.Status.choices if statuses[value]
    )
    overdue_referrals = Referral.objects.filter(status=Referral.Status.SENT, response_due__lt=today).count()
    closed = PartnerService.objects.filter(capacity=Capacity.CLOSED).count()
    return (
        f"On a cohort: {active} ({overdue} overdue a review); awaiting panel {proposed}; left {ended}.\n"
        f"Allocations {Allocation.objects.count()}, assessments {Assessment.objects.count()}, "
        f"needs {Need.objects.count()} ({Need.objects.filter(unmet_reason=UnmetReason.NO_SERVICE).count()} "
        f"unmet for want of a service), offences {Offence.objects.count()}, goals {Goal.objects.count()}, "
        f"feedback {Feedback.objects.count()}, in custody {Nominal.objects.filter(in_custody=True).count()}."
        "\n"
        f"Contacts {held.count()} (joint visits {held.filter(kind=Contact.Kind.JOINT_VISIT).count()}, "
        f"custody visits {held.filter(kind=Contact.Kind.CUSTODY_VISIT).count()}, police intelligence notes "
        f"{held.filter(sensitivity=Sensitivity.POLICE).count()}, shareable with partners "
        f"{held.filter(sensitivity=Sensitivity.PARTNERS).count()}); appointments {planned.count()} "
        f"({planned.filter(date__lt=today).count()} awaiting an outcome, "
        f"{AppointmentSeries.objects.count()} weekly series); contact standards "
        f"{ContactStandard.objects.count()}, enforcement decisions {EnforcementAction.objects.count()}."
        "\n"
        f"Partner services {PartnerService.objects.count()} ({closed} not taking referrals); referrals "
        f"{sum(statuses.values())}: {by_status} ({overdue_referrals} sent ones overdue an answer)."
    )


def _area_baselines(teams: tuple[Team, ...]) -> None:
    """Each demo team's area shares, any missing added and none changed: an administrator's edit stays."""
    have = set(AreaBaseline.objects.filter(team__in=teams).values_list("team_id", "dimension", "category"))
    AreaBaseline.objects.bulk_create(
        AreaBaseline(
            team=team,
            dimension=dimension,
            category=category,
            share=Decimal(str(share)),
            source=AREA_SOURCE,
            year=AREA_YEAR,
        )
        for team in teams
        for dimension, shares in AREA_BASELINES[team.name].items()
        for category, share in shares.items()
        if (team.pk, dimension, category) not in have
    )


def _organisation(name: str, kind: str, region: Region | None) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "region": region})
    return organisation


_password_hash: list[str] = []

# Every demo user's authenticator app has this key: RFC 6238's published test key, so no one can
# mistake it for a secret (docs/decisions/0011-second-factor.md). Real users set up their own.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # hex of b"12345678901234567890"
DEMO_TOTP_KEY_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def _demo_authenticator(user: User) -> None:
    """A confirmed authenticator app with the demo key, so the demo logins can pass the second factor."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)


def _user(
    local_part: str,
    full_name: str,
    organisation: Organisation | None,
    role: Role,
    *,
    team: Team | None = None,
    region: Region | None = None,
) -> tuple[User, Role, str]:
    user, is_new = User.objects.get_or_create(
        email=f"{local_part}@{DOMAIN}",
        defaults={
            "full_name": full_name,
            "organisation": organisation,
            "is_staff": role == Role.ADMINISTRATOR,
            "is_superuser": role == Role.ADMINISTRATOR,
        },
    )
    if not is_new and user.organisation_id != (organisation.pk if organisation else None):
        # A demo database from before the support workers had an agency of their own.
        user.organisation = organisation
        user.save(update_fields=["organisation"])
    if is_new:
        # One hash for every demo user: hashing is slow on purpose, and the password is shared anyway.
        if not _password_hash:
            _password_hash.append(make_password(DEMO_PASSWORD))
        user.password = _password_hash[0]
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, role=role, team=team, region=region)
    _demo_authenticator(user)
    where = team.name if team else region.name if region else ""
    if role == Role.PARTNER and organisation is not None:
        where = organisation.name  # partner staff work for their organisation, not a team
    return user, role, where


# Supervision: contacts, appointments, contact standards and enforcement -------------------------

# Notes by who may read them (Contact.sensitivity).
ATTENDED_NOTES = [
    "Attended on time. Talked about the tenancy application and travel to the job centre.",
    "Drug test negative. Engaging well with the recovery worker.",
    "Went through the licence conditions again; understands the curfew.",
    "Low mood this week; agreed to see the GP. Will check in by phone on Friday.",
    "",
]
SHAREABLE_NOTES = [
    "Housing application in; the support worker will go with him to the housing office on Tuesday.",
    "Wants help with a CV and a forklift course: referral to the employment adviser agreed.",
    "Universal Credit payment stopped; appointment booked with the welfare rights adviser.",
    "Registered with a GP at last; first appointment with the recovery worker next week.",
]
INTELLIGENCE_NOTES = [
    "Seen with two known burglars outside the bookmakers on Shields Road on Friday night.",
    "Passenger in a car stopped on the coast road; the car is linked to a theft series. Reg noted.",
    "Information that he is dealing from the flat again; not yet corroborated.",
    "Associating with the group named in the last tasking briefing.",
]
NOT_HELD_NOTES: dict[str, str] = {
    Contact.Outcome.ACCEPTABLE_ABSENCE: "Rang in sick before the appointment; GP letter seen.",
    Contact.Outcome.RESCHEDULED: "Rearranged at his request: hospital appointment, letter seen.",
}
JOINT_VISIT_NOTE = (
    "Joint visit with police and probation. Went through the licence conditions and a bus pass."
)
ABSENCE_NOTE = "Did not attend and no contact since. Rang twice and left a card at the address."
CUSTODY_NOTE = "Release plan started: housing referral sent, GP and bank account to sort before release."
CUSTODY_STANDARD_REASON = (
    "In custody: seen by custody visits before release, three a week again from release."
)
STANDARD_REASONS = {
    Cohort.FLEX: "Twice a week while the drug use is unstable; the panel will review it at three months.",
    Cohort.FREE: "Voluntary engagement: a weekly check-in agreed with him, by phone if he is working.",
}
STANDARD_FOR = {Cohort.FLEX: 2, Cohort.FREE: 1}
ENFORCEMENT_REASON = "Two unacceptable absences in a month. Warned in writing; next absence goes to breach."
# Mostly in person; a joint visit is a police offender manager and a probation practitioner together.
KIND_WEIGHTS = {
    Contact.Kind.OFFICE: 38,
    Contact.Kind.HOME_VISIT: 20,
    Contact.Kind.PHONE: 14,
    Contact.Kind.DRUG_TEST: 10,
    Contact.Kind.VIDEO: 6,
    Contact.Kind.JOINT_VISIT: 10,
    Contact.Kind.OTHER: 2,
}
PURPOSES = {
    Contact.Kind.OFFICE: [
        Contact.Purpose.MONITORING,
        Contact.Purpose.INTERVENTION,
        Contact.Purpose.PRACTICAL_SUPPORT,
        Contact.Purpose.RELATIONAL_SUPPORT,
    ],
    Contact.Kind.HOME_VISIT: [
        Contact.Purpose.MONITORING,
        Contact.Purpose.RELATIONAL_SUPPORT,
        Contact.Purpose.PRACTICAL_SUPPORT,
    ],
    Contact.Kind.PHONE: [Contact.Purpose.RELATIONAL_SUPPORT, Contact.Purpose.PRACTICAL_SUPPORT],
    Contact.Kind.VIDEO: [Contact.Purpose.INTERVENTION, Contact.Purpose.RELATIONAL_SUPPORT],
    Contact.Kind.DRUG_TEST: [Contact.Purpose.MONITORING],
    Contact.Kind.JOINT_VISIT: [Contact.Purpose.MONITORING, Contact.Purpose.ENFORCEMENT],
    Contact.Kind.CUSTODY_VISIT: [Contact.Purpose.PRACTICAL_SUPPORT, Contact.Purpose.RELATIONAL_SUPPORT],
    Contact.Kind.OTHER: [Contact.Purpose.PRACTICAL_SUPPORT],
}
LATEST_PLANNED_TODAY = time_of_day(19, 0)


@dataclass
class Supervised:
    """A new demo person as supervision sees them: their cohort now and who works with them."""

    nominal: Nominal
    cohort: str  # the active cohort, or "" when not on one
    entry: date | None
    exit: date | None  # when they left IOM, for people who have
    workers: list[User]

    @property
    def pk(self) -> int:
        return self.nominal.pk


def _supervised(nominals: list[Nominal], staff: Staff) -> list[Supervised]:
    memberships: dict[int, tuple[str, date | None, date | None]] = {}
    for nominal_id, cohort, status, entry, exit_ in CohortMembership.objects.filter(
        nominal__in=nominals, status__in=[CohortMembership.Status.ACTIVE, CohortMembership.Status.ENDED]
    ).values_list("nominal_id", "cohort", "status", "entry_date", "exit_date"):
        if status == CohortMembership.Status.ACTIVE:
            memberships[nominal_id] = (cohort, entry, None)
        elif nominal_id not in memberships:
            memberships[nominal_id] = ("", entry, exit_)
    people = []
    for nominal in Nominal.objects.filter(pk__in=[n.pk for n in nominals]).order_by("crn"):
        cohort, entry, exit_ = memberships.get(nominal.pk, ("", None, None))
        workers = [staff.police_om, staff.probation]
        if nominal.support_worker_id:
            workers.append(staff.support)
        people.append(Supervised(nominal, cohort, entry, exit_, workers))
    return people


def _supervise(nominals: list[Nominal], staff: Staff, rng: random.Random) -> None:
    """Supervision of a team's new demo people, written through supervision's services.

    Fixed people were seen about three times a week since they joined, Flex and Free people at the
    standard their case team set (one of them is left without one); two Fixed people fell short
    last week. Two have two unacceptable absences: one has a warning recorded, one awaits the case
    team's decision. People in custody have custody visits, and one before release is planned for
    those due out. Ahead: weekly series for some Fixed people from today, joint home visits, and an
    appointment whose time has passed without an outcome for each frontline worker.
    """
    if not nominals:
        return
    today = timezone.localdate()
    last_week = week_starting(today) - timedelta(days=7)
    people = _supervised(nominals, staff)
    free = [p for p in people if p.cohort and not p.nominal.in_custody]
    fixed = [p for p in free if p.cohort == Cohort.FIXED]
    flex_free = [p for p in free if p.cohort != Cohort.FIXED]
    in_custody = [p for p in people if p.nominal.in_custody]

    # Contact standards: Fixed has the cohort's default; Flex and Free are set per person.
    rates: dict[int, tuple[int, date]] = {p.pk: (3, p.entry or today) for p in fixed}
    without = {p.pk for p in rng.sample(flex_free, min(1, len(flex_free)))}
    for person in flex_free:
        if person.pk in without or person.entry is None:
            continue
        per_week = STANDARD_FOR[Cohort(person.cohort)]
        set_on = max(person.entry, today - timedelta(days=rng.randrange(14, 36)))
        set_contact_standard(
            actor=_case_worker(person, staff),
            nominal=person.nominal,
            contacts_per_week=per_week,
            reason=STANDARD_REASONS[Cohort(person.cohort)],
            set_on=set_on,
        )
        rates[person.pk] = (per_week, set_on)
    for person in in_custody:
        if person.cohort == Cohort.FIXED and person.entry is not None:
            set_contact_standard(
                actor=_case_worker(person, staff),
                nominal=person.nominal,
                contacts_per_week=0,
                reason=CUSTODY_STANDARD_REASON,
                set_on=max(person.entry, today - timedelta(days=56)),
            )

    # Two with unacceptable absences (the first has a decision), two others short last week.
    settled = [p for p in fixed if p.entry is not None and p.entry <= today - timedelta(days=21)]
    chosen = rng.sample(settled, min(4, len(settled)))
    absences: dict[int, list[date]] = {}
    decided: dict[int, date] = {}
    if chosen:
        warned = chosen[0]
        # Within the compliance weeks, where the weekly contacts are logged.
        since = max(warned.entry or today, week_starting(today) - timedelta(weeks=COMPLIANCE_WEEKS - 1))
        first, second = sorted(rng.sample(_weekdays(since, today - timedelta(days=5)), 2))
        absences[warned.pk] = [first, second]
        decided[warned.pk] = min(second + timedelta(days=2), today)
    if len(chosen) > 1:
        waiting = chosen[1]
        since = max(waiting.entry or today, today - timedelta(days=28))
        absences[waiting.pk] = sorted(rng.sample(_weekdays(since, today - timedelta(days=1)), 2))
    short_last_week = {p.pk: rng.choice([1, 2]) for p in chosen[2:] if (p.entry or today) <= last_week}

    for person in people:
        if person.nominal.in_custody:
            _custody_visits(person, staff, rng)
        elif person.pk in rates:
            per_week, since = rates[person.pk]
            _weekly_contacts(
                person,
                staff,
                rng,
                per_week=per_week,
                since=since,
                absences=absences.get(person.pk, []),
                short_last_week=short_last_week.get(person.pk, 0),
            )
            if since > (person.entry or since) + timedelta(days=7):
                # Before the standard was set: seen now and then.
                _occasional_contacts(person, staff, rng, first=person.entry or since, last=since)
        else:
            last = person.exit or today - timedelta(days=1)
            _occasional_contacts(person, staff, rng, first=last - timedelta(days=90), last=last)
    for person in fixed:
        if person.pk in decided:
            record_enforcement_action(
                actor=_case_worker(person, staff),
                nominal=person.nominal,
                kind=EnforcementAction.Kind.FIRST_WARNING,
                reason=ENFORCEMENT_REASON,
                decided_on=decided[person.pk],
            )

    _plan_ahead(people, fixed, in_custody, staff, rng)


def _plan_ahead(
    people: list[Supervised],
    fixed: list[Supervised],
    in_custody: list[Supervised],
    staff: Staff,
    rng: random.Random,
) -> None:
    today = timezone.localdate()
    office = f"{staff.probation.organisation or 'Probation'} office"
    # The Fixed cohort's three a week, as a series: Monday, Wednesday and Friday from today.
    for person, at in zip(
        rng.sample(fixed, min(3, len(fixed))),
        [time_of_day(10), time_of_day(11, 30), time_of_day(14)],
        strict=False,
    ):
        plan_series(
            actor=staff.probation,
            nominal=person.nominal,
            kind=Contact.Kind.OFFICE,
            purpose=Contact.Purpose.MONITORING,
            weekdays=[0, 2, 4],
            time=at,
            starts_on=today,
            weeks=4,
            location=office,
            attendee_ids=[staff.probation.pk],
        )
    # Joint home visits in the next week.
    for person, days_ahead in zip(rng.sample(fixed, min(2, len(fixed))), (2, 5), strict=False):
        plan_appointment(
            actor=staff.police_om,
            nominal=person.nominal,
            kind=Contact.Kind.JOINT_VISIT,
            purpose=Contact.Purpose.MONITORING,
            date=_weekday_on_or_after(today + timedelta(days=days_ahead)),
            time=time_of_day(11),
            location="Home address",
            attendee_ids=[staff.police_om.pk, staff.probation.pk],
        )
    # A custody visit before release for everyone due out within eight weeks.
    for person in in_custody:
        release = person.nominal.conditional_release_date
        if release is None or release > today + timedelta(weeks=8) or release <= today + timedelta(days=1):
            continue
        visit = min(today + timedelta(days=rng.randrange(1, 15)), release - timedelta(days=1))
        plan_appointment(
            actor=staff.probation,
            nominal=person.nominal,
            kind=Contact.Kind.CUSTODY_VISIT,
            purpose=Contact.Purpose.PRACTICAL_SUPPORT,
            date=visit,
            time=time_of_day(10, 30),
            duration_minutes=90,
            location=person.nominal.establishment,
            attendee_ids=[staff.police_om.pk, staff.probation.pk],
        )
    # For each frontline worker, an appointment whose time has passed with no outcome recorded.
    for worker, kind in (
        (staff.police_om, Contact.Kind.HOME_VISIT),
        (staff.probation, Contact.Kind.OFFICE),
        (staff.support, Contact.Kind.OTHER),
    ):
        theirs = [p for p in people if p.cohort and not p.nominal.in_custody and worker in p.workers]
        if theirs:
            _appointment_without_outcome(
                worker, rng.choice(theirs), kind, today - timedelta(days=rng.randrange(1, 5)), rng
            )


def _appointment_without_outcome(
    worker: User, person: Supervised, kind: str, day: date, rng: random.Random
) -> None:
    """Services plan only what is still ahead, so this one is planned for tomorrow and moved back
    to its day: the diary then holds what it would had the appointment been planned last week."""
    appointment = plan_appointment(
        actor=worker,
        nominal=person.nominal,
        kind=kind,
        purpose=rng.choice(PURPOSES[Contact.Kind(kind)]),
        date=timezone.localdate() + timedelta(days=1),
        time=time_of_day(rng.randrange(10, 16)),
        location=_location(kind, person),
    )
    Contact.objects.filter(pk=appointment.pk).update(date=day)


def _weekly_contacts(
    person: Supervised,
    staff: Staff,
    rng: random.Random,
    *,
    per_week: int,
    since: date,
    absences: list[date],
    short_last_week: int,
) -> None:
    """The weeks of the compliance table, each met (short where asked), up to yesterday."""
    today = timezone.localdate()
    current = week_starting(today)
    entry = person.entry or since
    for back in range(COMPLIANCE_WEEKS - 1, -1, -1):
        starts = current - timedelta(weeks=back)
        if starts + timedelta(days=6) < since:
            continue
        first, last = max(starts, entry), min(starts + timedelta(days=6), today - timedelta(days=1))
        if back == 0:  # the week so far
            wanted = per_week * (today - starts).days // 7
        else:  # the share of the standard for the days on the cohort, as the calculation takes it
            wanted = math.ceil(per_week * ((starts + timedelta(days=6) - first).days + 1) / 7)
        if back == 1:
            wanted -= short_last_week
        missed = [day for day in absences if week_starting(day) == starts]
        for day in _days(first, last, max(0, wanted - len(missed)), rng):
            _log(person, staff, rng, day)
        for day in missed:
            _log(
                person,
                staff,
                rng,
                day,
                kind=Contact.Kind.OFFICE,
                outcome=Contact.Outcome.UNACCEPTABLE_ABSENCE,
                notes=ABSENCE_NOTE,
            )
        if first <= last and rng.random() < 0.1:  # one that did not go ahead, and so does not count
            outcome = rng.choice([Contact.Outcome.ACCEPTABLE_ABSENCE, Contact.Outcome.RESCHEDULED])
            _log(person, staff, rng, _days(first, last, 1, rng)[0], outcome=outcome)


def _occasional_contacts(
    person: Supervised, staff: Staff, rng: random.Random, *, first: date, last: date
) -> None:
    first = max(first, timezone.localdate() - timedelta(days=365))
    if first > last:
        return
    outcomes = [
        Contact.Outcome.ATTENDED_COMPLIED,
        Contact.Outcome.ACCEPTABLE_ABSENCE,
        Contact.Outcome.RESCHEDULED,
    ]
    for day in _days(first, last, rng.randrange(2, 7), rng):
        _log(person, staff, rng, day, outcome=rng.choices(outcomes, [85, 8, 7])[0])


def _custody_visits(person: Supervised, staff: Staff, rng: random.Random) -> None:
    today = timezone.localdate()
    for day in _days(today - timedelta(days=60), today - timedelta(days=1), rng.randrange(1, 3), rng):
        _log(
            person,
            staff,
            rng,
            day,
            kind=Contact.Kind.CUSTODY_VISIT,
            attendees=[staff.probation] if rng.random() < 0.5 else [staff.probation, staff.police_om],
            notes=CUSTODY_NOTE,
            sensitivity=Sensitivity.TEAM,
        )


def _log(
    person: Supervised,
    staff: Staff,
    rng: random.Random,
    day: date,
    *,
    kind: str | None = None,
    outcome: str | None = None,
    attendees: list[User] | None = None,
    notes: str | None = None,
    sensitivity: str | None = None,
) -> None:
    """A contact held on `day`, logged by its first attendee, with a note some may not read."""
    kind = kind or rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
    if attendees is None:
        if kind == Contact.Kind.JOINT_VISIT:
            attendees = rng.sample([staff.police_om, staff.probation], 2)
        else:
            attendees = [rng.choice(person.workers)]
    if outcome is None:
        outcome = (
            Contact.Outcome.ATTENDED_FAILED if rng.random() < 0.08 else Contact.Outcome.ATTENDED_COMPLIED
        )
    if notes is None and outcome in NOT_HELD_NOTES:
        notes = NOT_HELD_NOTES[outcome]
    if sensitivity is None:
        draw = rng.random()
        if notes is not None:
            sensitivity = Sensitivity.TEAM
        elif attendees[0] == staff.police_om and draw < 0.06:
            sensitivity, notes = Sensitivity.POLICE, rng.choice(INTELLIGENCE_NOTES)
        elif draw < 0.3:
            sensitivity, notes = Sensitivity.PARTNERS, rng.choice(SHAREABLE_NOTES)
        else:
            sensitivity = Sensitivity.TEAM
    if notes is None:
        notes = JOINT_VISIT_NOTE if kind == Contact.Kind.JOINT_VISIT else rng.choice(ATTENDED_NOTES)
    log_contact(
        actor=attendees[0],
        nominal=person.nominal,
        date=day,
        time=time_of_day(rng.randrange(9, 17), rng.choice([0, 15, 30, 45])),
        kind=kind,
        purpose=rng.choice(PURPOSES[Contact.Kind(kind)]),
        outcome=outcome,
        location=_location(kind, person),
        notes=notes,
        sensitivity=sensitivity,
        attendee_ids=[attendee.pk for attendee in attendees],
    )


def _location(kind: str, person: Supervised) -> str:
    if kind == Contact.Kind.CUSTODY_VISIT:
        return person.nominal.establishment
    if kind in (Contact.Kind.HOME_VISIT, Contact.Kind.JOINT_VISIT):
        return f"Home address, {person.nominal.address_area}".rstrip(", ")
    if kind in (Contact.Kind.OFFICE, Contact.Kind.DRUG_TEST):
        return "IOM hub"
    return ""


def _case_worker(person: Supervised, staff: Staff) -> User:
    """Who sets a standard or records a decision: the probation practitioner, else the manager."""
    return (
        staff.probation if person.nominal.probation_practitioner_id == staff.probation.pk else staff.manager
    )


def _weekdays(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]


def _days(first: date, last: date, count: int, rng: random.Random) -> list[date]:
    """`count` different days from `first` to `last`, weekdays first, in date order."""
    weekdays = _weekdays(first, last)
    weekend = [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() >= 5
    ]
    pool = weekdays if len(weekdays) >= count else weekdays + weekend
    return sorted(rng.sample(pool, min(count, len(pool))))


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _keep_diaries_current(team: Team, staff: Staff) -> None:
    """Something in each frontline worker's diary today and in the week ahead.

    Runs every time, so a demo database made last month still has a diary today. It adds only
    what is missing, so a second run on the same day changes nothing; its draws are seeded by
    the worker and the day."""
    now = timezone.localtime()
    today = now.date()
    people = list(
        Nominal.objects.filter(
            team=team, in_custody=False, cohort_memberships__status=CohortMembership.Status.ACTIVE
        ).order_by("crn")
    )
    if not people:
        return
    for worker, kind in (
        (staff.police_om, Contact.Kind.HOME_VISIT),
        (staff.probation, Contact.Kind.OFFICE),
        (staff.support, Contact.Kind.HOME_VISIT),
    ):
        rng = random.Random(f"{worker.email} {today.isoformat()}")  # noqa: S311 - demo data, not secrets
        theirs = [
            nominal
            for nominal in people
            if worker.pk
            in (
                nominal.police_offender_manager_id,
                nominal.probation_practitioner_id,
                nominal.support_worker_id,
            )
        ] or people
        attended = Contact.objects.filter(attendance__user=worker, nominal__team=team)
        purpose = Contact.Purpose.PRACTICAL_SUPPORT if worker == staff.support else Contact.Purpose.MONITORING
        if not attended.filter(date=today).exists():
            if now.time() >= time_of_day(10):
                log_contact(
                    actor=worker,
                    nominal=rng.choice(theirs),
                    date=today,
                    time=time_of_day(9, 30),
                    kind=Contact.Kind.PHONE,
                    purpose=Contact.Purpose.RELATIONAL_SUPPORT,
                    outcome=Contact.Outcome.ATTENDED_COMPLIED,
                    notes="Rang to check in before the visit later this week.",
                )
            later = (now + timedelta(minutes=60 - now.minute % 30)).replace(second=0, microsecond=0)
            if later.date() == today and later.time() <= LATEST_PLANNED_TODAY:
                plan_appointment(
                    actor=worker,
                    nominal=rng.choice(theirs),
                    kind=kind,
                    purpose=purpose,
                    date=today,
                    time=later.time(),
                    location="IOM hub" if kind == Contact.Kind.OFFICE else "Home address",
                )
        ahead = attended.filter(
            outcome="", date__range=(today + timedelta(days=1), today + timedelta(days=7))
        )
        days = _weekdays(today + timedelta(days=1), today + timedelta(days=7))
        missing = max(0, 3 - ahead.count())
        for day, at in zip(sorted(rng.sample(days, missing)), (10, 13, 15), strict=False):
            plan_appointment(
                actor=worker,
                nominal=rng.choice(theirs),
                kind=kind,
                purpose=purpose,
                date=day,
                time=time_of_day(at, 30),
                location="IOM hub" if kind == Contact.Kind.OFFICE else "Home address",
            )


def _pnc_id(index: int, date_of_birth: date, rng: random.Random) -> str:
    """A well-formed PNC ID with the right check letter, first recorded in their late teens."""
    year = str(min(date_of_birth.year + rng.randrange(16, 21), timezone.localdate().year))
    serial = f"{(index + 1) * 104729 % 10_000_000:07d}"
    return f"{year}/{serial}{identifiers.check_character(year, serial)}"


def _nomis_number(index: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return (
        f"A{1000 + index:04d}{letters[index // len(letters) % len(letters)]}{letters[index % len(letters)]}"
    )


def _fill_record(
    nominal: Nominal,
    plan: Plan,
    index: int,
    staff: Staff,
    categories: list[OffenceCategory],
    rng: random.Random,
) -> None:
    """Everything about a newly created demo person, written through the services."""
    today = timezone.localdate()
    if plan.allocated:
        started_on = today - timedelta(days=rng.randrange(30, 400))
        places = [
            (Allocation.Role.POLICE_OFFENDER_MANAGER, staff.police_om),
            (Allocation.Role.PROBATION_PRACTITIONER, staff.probation),
        ]
        if rng.random() < 0.35:
            places.append((Allocation.Role.SUPPORT_WORKER, staff.support))
        for role, worker in places:
            services.allocate_worker(
                actor=staff.manager, nominal=nominal, role=role, worker=worker, started_on=started_on
            )
    # Each piece of the record is written by whoever would write it: the case team, or the manager.
    practitioner = staff.probation if plan.allocated else staff.manager
    officer = staff.police_om if plan.allocated else staff.manager
    helper = staff.support if nominal.support_worker_id else practitioner

    if plan.custody:
        nominal = _put_in_custody(nominal, plan, index, practitioner, rng)
    membership = _cohort_history(nominal, plan, staff, officer, rng)
    _risk(nominal, practitioner, rng)
    _needs(nominal, helper, rng)
    if plan.history is not None and membership is not None and membership.entry_date is not None:
        # The year either side of entry holds the history's offences and no others.
        entry = membership.entry_date
        around = (add_months(entry, -WINDOW_MONTHS), add_months(entry, WINDOW_MONTHS))
        _offences(nominal, officer, categories, rng, leave_out=around)
        _offences_around_entry(nominal, officer, plan.history, membership, categories, rng)
    else:
        _offences(nominal, officer, categories, rng)
    _voice(nominal, helper, rng)


def _put_in_custody(nominal: Nominal, plan: Plan, index: int, actor: User, rng: random.Random) -> Nominal:
    today = timezone.localdate()
    release = today + timedelta(
        days=rng.randrange(3, 55) if plan.custody == "soon" else rng.randrange(90, 240)
    )
    sentence = today - timedelta(days=rng.randrange(120, 500))
    women = nominal.gender == Gender.FEMALE
    return services.update_nominal(
        actor=actor,
        nominal=nominal,
        expected_version=nominal.version,
        changes={
            "in_custody": True,
            "establishment": WOMENS_ESTABLISHMENT if women else rng.choice(ESTABLISHMENTS),
            "nomis_number": _nomis_number(index),
            "sentence_date": sentence,
            "conditional_release_date": release,
            "hdc_eligibility_date": release - timedelta(days=rng.choice([28, 56, 90])),
            "licence_expiry_date": add_months(release, rng.choice([6, 12, 18])),
            "sentence_expiry_date": add_months(release, rng.choice([12, 18, 24])),
        },
    )


def _cohort_history(
    nominal: Nominal, plan: Plan, staff: Staff, proposer: User, rng: random.Random
) -> CohortMembership | None:
    """Proposal, panel, reviews and exits, dated in the past so reviews fall due (or are overdue).
    People with a history entered that many months ago and have been reviewed every quarter since,
    a few days early; one who left did so at a review a year or more after entry."""
    today = timezone.localdate()
    if plan.cohort == "none" and not plan.variant:
        return None
    attendees = (
        f"{staff.manager.full_name} (IOM manager), {staff.police_om.full_name} (police), "
        f"{staff.probation.full_name} (probation), Riverside Recovery Service"
    )
    if plan.cohort == "proposed":
        cohort = rng.choice(list(Cohort))
        services.propose_for_cohort(
            actor=proposer,
            nominal=nominal,
            cohort=cohort,
            reason=rng.choice(PROPOSAL_REASONS[cohort]),
            proposed_on=today - timedelta(days=rng.randrange(1, 20)),
        )
        return None
    # How long ago they were proposed: long enough for a review to be overdue, held, or an exit.
    ago = {"overdue": (130, 200), "reviewed": (120, 170), "ended": (250, 330), "not_accepted": (30, 60)}
    cohort = Cohort(plan.cohort) if plan.cohort != "none" else rng.choice(list(Cohort))
    if plan.history is not None:
        proposed_on = add_months(today, -plan.history.months) - timedelta(days=rng.randrange(14, 30))
    else:
        proposed_on = today - timedelta(days=rng.randrange(*ago.get(plan.variant, (20, 80))))
    membership = services.propose_for_cohort(
        actor=proposer,
        nominal=nominal,
        cohort=cohort,
        reason=rng.choice(PROPOSAL_REASONS[cohort]),
        proposed_on=proposed_on,
    )
    accepted = plan.variant != "not_accepted"
    panel_date = min(proposed_on + timedelta(days=rng.randrange(3, 14)), today)
    services.record_panel_decision(
        actor=staff.manager,
        membership=membership,
        accepted=accepted,
        panel_date=panel_date,
        attendees=attendees,
        rationale=rng.choice(PANEL_RATIONALES) if accepted else NOT_ACCEPTED_RATIONALE,
    )
    if plan.variant == "reviewed":
        services.record_review(
            actor=staff.manager,
            membership=membership,
            reviewed_on=add_months(panel_date, 3) - timedelta(days=2),
            outcome=CohortReview.Outcome.CONTINUE,
            rationale=rng.choice(REVIEW_RATIONALES),
        )
    elif plan.variant == "ended":
        reason = rng.choice(list(EXIT_RATIONALES))
        if plan.history is None:
            left_on = panel_date + timedelta(days=rng.randrange(100, 130))
        else:
            left_on = min(add_months(panel_date, WINDOW_MONTHS) + timedelta(days=rng.randrange(7, 60)), today)
            _quarterly_reviews(membership, staff.manager, before=left_on, rng=rng)
        services.record_review(
            actor=staff.manager,
            membership=membership,
            reviewed_on=left_on,
            outcome=CohortReview.Outcome.EXIT,
            rationale=EXIT_RATIONALES[reason],
            exit_reason=reason,
        )
    elif plan.history is not None:
        # Due next after today, so none of them is overdue.
        _quarterly_reviews(membership, staff.manager, before=today, rng=rng)
    return membership if accepted else None


def _quarterly_reviews(
    membership: CohortMembership, actor: User, *, before: date, rng: random.Random
) -> None:
    """A review to continue each time one fell due, a few days early, until the next falls on or
    after `before`."""
    interval = services.review_interval_months(membership.cohort)
    reviewed_on = membership.entry_date or before
    while True:
        reviewed_on = add_months(reviewed_on, interval) - timedelta(days=rng.randrange(0, 8))
        if reviewed_on >= before:
            return
        services.record_review(
            actor=actor,
            membership=membership,
            reviewed_on=reviewed_on,
            outcome=CohortReview.Outcome.CONTINUE,
            rationale=rng.choice(REVIEW_RATIONALES),
        )


def _risk(nominal: Nominal, actor: User, rng: random.Random) -> None:
    today = timezone.localdate()
    if rng.random() < 0.2:  # an earlier assessment, so the risk tab has history
        services.record_assessment(
            actor=actor,
            nominal=nominal,
            kind=Assessment.Kind.ROSH,
            level=rng.choices(ROSH_LEVELS, ROSH_WEIGHTS)[0],
            assessed_on=today - timedelta(days=rng.randrange(200, 400)),
        )
    if rng.random() < 0.92:
        services.record_assessment(
            actor=actor,
            nominal=nominal,
            kind=Assessment.Kind.ROSH,
            level=rng.choices(ROSH_LEVELS, ROSH_WEIGHTS)[0],
            assessed_on=today - timedelta(days=rng.randrange(5, 150)),
            notes="Reviewed with the case team at the last supervision.",
        )
    if rng.random() < 0.4:
        services.record_assessment(
            actor=actor,
            nominal=nominal,
            kind=Assessment.Kind.OGRS,
            score=rng.randrange(25, 96),
            assessed_on=today - timedelta(days=rng.randrange(5, 150)),
        )


def _needs(nominal: Nominal, actor: User, rng: random.Random) -> None:
    """Two or three pathways; accommodation and health are often unmet for want of a service."""
    today = timezone.localdate()
    statuses = [NeedStatus.IDENTIFIED, NeedStatus.BEING_ADDRESSED, NeedStatus.MET, NeedStatus.UNMET]
    for pathway in rng.sample(list(Pathway), rng.randrange(2, 4)):
        status = rng.choices(statuses, [25, 30, 15, 30])[0]
        reason = ""
        if status == NeedStatus.UNMET:
            structural = pathway in (Pathway.ACCOMMODATION, Pathway.HEALTH) and rng.random() < 0.8
            reason = (
                UnmetReason.NO_SERVICE
                if structural
                else rng.choice([UnmetReason.WAITING_LIST, UnmetReason.INELIGIBLE, UnmetReason.DECLINED])
            )
        updated_on = today - timedelta(days=rng.randrange(1, 60))
        if status != NeedStatus.IDENTIFIED and rng.random() < 0.2:
            services.update_need(
                actor=actor,
                nominal=nominal,
                pathway=pathway,
                status=NeedStatus.IDENTIFIED,
                updated_on=updated_on - timedelta(days=rng.randrange(20, 90)),
                note=NEED_NOTES[NeedStatus.IDENTIFIED],
            )
        services.update_need(
            actor=actor,
            nominal=nominal,
            pathway=pathway,
            status=status,
            unmet_reason=reason,
            updated_on=updated_on,
            note=NEED_NOTES[status],
        )


def _offences(
    nominal: Nominal,
    actor: User,
    categories: list[OffenceCategory],
    rng: random.Random,
    *,
    leave_out: tuple[date, date] | None = None,
) -> None:
    """Arrests and proven offences over the last three years; proven ones from the first day of
    `leave_out` up to its last are drawn but not recorded."""
    if not categories or rng.random() < 0.25:
        return
    today = timezone.localdate()
    weights = [4 if category.is_neighbourhood_crime else 1 for category in categories]
    for _ in range(rng.randrange(1, 4)):
        kind = rng.choices([Offence.Kind.PROVEN, Offence.Kind.ARREST], [60, 40])[0]
        category = rng.choices(categories, weights)[0]
        occurred_on = today - timedelta(days=rng.randrange(10, 3 * 365))
        if leave_out and kind == Offence.Kind.PROVEN and leave_out[0] <= occurred_on < leave_out[1]:
            continue
        services.record_offence(
            actor=actor, nominal=nominal, kind=kind, category=category, occurred_on=occurred_on
        )


def _offences_around_entry(
    nominal: Nominal,
    actor: User,
    history: History,
    membership: CohortMembership,
    categories: list[OffenceCategory],
    rng: random.Random,
) -> None:
    """The history's proven offences: in the 12 months up to the day before entry, and in the 12
    months from the entry date (for someone who left, in their first six months or so, as they left
    with none for six months)."""
    entry = membership.entry_date
    if entry is None:
        return
    by_name = {category.name: category for category in categories}
    before_from = add_months(entry, -WINDOW_MONTHS)
    after_until = min(add_months(entry, WINDOW_MONTHS), timezone.localdate())
    if membership.exit_date is not None:
        after_until = min(after_until, membership.exit_date - timedelta(days=183))
    for offences, first, last in ((history.before, before_from, entry), (history.after, entry, after_until)):
        for name, count in offences:
            category = by_name.get(name)
            if category is None:
                continue  # renamed or removed by an administrator
            for _ in range(count):
                services.record_offence(
                    actor=actor,
                    nominal=nominal,
                    kind=Offence.Kind.PROVEN,
                    category=category,
                    occurred_on=first + timedelta(days=rng.randrange((last - first).days)),
                )


def _voice(nominal: Nominal, actor: User, rng: random.Random) -> None:
    """Goals and feedback in their own words, for some."""
    today = timezone.localdate()
    if rng.random() < 0.45:
        for words in rng.sample(GOALS, rng.randrange(1, 3)):
            goal = services.add_goal(
                actor=actor,
                nominal=nominal,
                in_their_words=words,
                set_on=today - timedelta(days=rng.randrange(10, 120)),
            )
            if rng.random() < 0.2:
                services.set_goal_status(actor=actor, goal=goal, status=Goal.Status.ACHIEVED)
    if rng.random() < 0.3:
        given_on = today - timedelta(days=rng.randrange(1, 60))
        helps, does_not_help = rng.choice(WHAT_HELPS), rng.choice(WHAT_DOES_NOT_HELP)
        services.record_feedback(
            actor=actor,
            nominal=nominal,
            given_on=given_on,
            what_helps=helps,
            what_does_not_help=does_not_help,
            helps_themes=THEMES_OF[helps],
            does_not_help_themes=THEMES_OF[does_not_help],
        )


# Partners: the directory, partner staff and referrals in every state ------------------------------

HOUSING = "Northshire Housing Advice"
MIND = "Northshire Mind"
RECOVERY = "Riverside Recovery Service"
WORKS = "Northshire Works"
ADVICE = "Citizens Advice Northshire"
DEBTLINE = "National Debt Advice Line"
PARTNER_ORGANISATIONS = {
    HOUSING: Organisation.Kind.LOCAL_AUTHORITY,
    MIND: Organisation.Kind.VOLUNTARY_COMMUNITY,
    RECOVERY: Organisation.Kind.VOLUNTARY_COMMUNITY,
    WORKS: Organisation.Kind.LOCAL_AUTHORITY,
    ADVICE: Organisation.Kind.VOLUNTARY_COMMUNITY,
    DEBTLINE: Organisation.Kind.VOLUNTARY_COMMUNITY,
}
NATIONAL_PARTNERS = frozenset({DEBTLINE})
# Partner staff besides the housing worker above: someone to answer each organisation's referrals.
PARTNER_STAFF = [
    ("partner.mind", "Jo Whitfield", MIND),
    ("partner.recovery", "Sam Okafor", RECOVERY),
    ("partner.works", "Lee Fenwick", WORKS),
    ("partner.advice", "Pat Gibson", ADVICE),
    ("partner.debtline", "Dev Malik", DEBTLINE),
]
SHARING_AGREEMENT = "Northshire IOM Information Sharing Agreement (2025)"


@dataclass(frozen=True)
class DemoService:
    organisation: str
    name: str
    pathways: tuple[str, ...]
    description: str
    area_covered: str
    eligibility: str
    typical_wait_days: int | None
    capacity: str
    response_working_days: int
    referral_email: str = ""
    # What the team usually shares with this service, besides the name.
    shares: tuple[str, ...] = ("date_of_birth", "address_area", "case_team")


HOW_TO_REFER = "Refer through the IOM case manager; the service answers within its working days."
# Children and families, and attitudes, thinking and behaviour, have no service on purpose: the
# demo's "no service available" needs are real gaps in the directory.
DIRECTORY = {
    "housing": DemoService(
        HOUSING,
        "Housing advice and tenancy support",
        (Pathway.ACCOMMODATION,),
        "Housing options, homelessness prevention and help to keep a tenancy, including for people "
        "leaving prison.",
        "Northshire: city and county",
        "Adults who live in Northshire, or are due to be released to it, and are homeless or at risk "
        "of losing their home.",
        14,
        Capacity.OPEN,
        5,
        referral_email=f"housing.referrals@{DOMAIN}",
        shares=("date_of_birth", "address_area", "custody", "needs", "case_team"),
    ),
    "lodgings": DemoService(
        HOUSING,
        "Supported lodgings",
        (Pathway.ACCOMMODATION,),
        "A room with a host household and weekly support, for young adults moving on from custody or care.",
        "Northshire: city and county",
        "Young adults aged 18 to 25.",
        None,
        Capacity.CLOSED,
        5,
        referral_email=f"housing.referrals@{DOMAIN}",
    ),
    "mind": DemoService(
        MIND,
        "Mental health support",
        (Pathway.HEALTH,),
        "One-to-one support, talking therapies and peer groups for anxiety, depression and trauma.",
        "Northshire: city and county",
        "Adults with a mental health need who are not under a community mental health team.",
        42,
        Capacity.WAITING_LIST,
        10,
        shares=("date_of_birth", "gender", "needs", "risk", "case_team"),
    ),
    "recovery": DemoService(
        RECOVERY,
        "Drug and alcohol recovery",
        (Pathway.DRUGS_ALCOHOL,),
        "Assessment, prescribing, recovery groups and mutual aid for drug and alcohol use.",
        "Northshire: city and county",
        "Adults using drugs or alcohol who want to cut down or stop.",
        7,
        Capacity.OPEN,
        3,
        referral_email=f"referrals.riverside@{DOMAIN}",
        shares=("date_of_birth", "address_area", "statutory_status", "risk", "case_team"),
    ),
    "works": DemoService(
        WORKS,
        "Employment, training and money skills",
        (Pathway.EDUCATION_EMPLOYMENT, Pathway.FINANCE),
        "Job coaching, CVs, licences and short courses, and budgeting help for people starting work.",
        "Northshire: city and county",
        "Adults of working age who are unemployed or in insecure work.",
        21,
        Capacity.LIMITED,
        5,
        referral_email=f"northshire.works@{DOMAIN}",
    ),
    "advice": DemoService(
        ADVICE,
        "Debt and benefits advice",
        (Pathway.FINANCE,),
        "Benefit claims and appeals, debt advice and help with bailiffs and rent arrears.",
        "Northshire: city and county",
        "Anyone living in Northshire.",
        10,
        Capacity.OPEN,
        5,
        referral_email=f"advice.referrals@{DOMAIN}",
    ),
    "debtline": DemoService(
        DEBTLINE,
        "Debt advice by phone and online",
        (Pathway.FINANCE,),
        "Free, confidential debt advice by phone, web chat and email, with debt solutions set up for you.",
        "England and Wales, by phone and online",
        "Adults in England and Wales with debts they cannot manage.",
        3,
        Capacity.OPEN,
        2,
        referral_email=f"debtline.referrals@{DOMAIN}",
    ),
}


@dataclass(frozen=True)
class DemoReferral:
    """One referral of the demo, by where it ends: draft, sent, accepted, in_progress, completed,
    declined, withdrawn (before an answer) or withdrawn_working (after the partner accepted)."""

    service: str
    ends: str
    sent_days_ago: int
    outcome: str = ""
    # Someone with notes shareable with partners, so the partner working with them reads some.
    shareable: bool = False
    lawful_basis: str = Referral.LawfulBasis.CONSENT


# Each team's referrals. The housing partner (the demo's partner login) has new referrals waiting,
# two overdue, and two it works on; Mind (the second partner login) has one of each kind too.
REFERRALS: list[list[DemoReferral]] = [
    [
        DemoReferral("housing", "in_progress", 30, shareable=True),
        DemoReferral("housing", "sent", 1),
        DemoReferral("housing", "sent", 11),
        DemoReferral("housing", "draft", 0),
        DemoReferral("recovery", "in_progress", 40, lawful_basis=Referral.LawfulBasis.LAW_ENFORCEMENT),
        DemoReferral("recovery", "completed", 60, outcome=Referral.Outcome.NOT_ACHIEVED),
        DemoReferral("mind", "sent", 20),
        DemoReferral("mind", "declined", 25),
        DemoReferral("advice", "completed", 55, outcome=Referral.Outcome.ACHIEVED),
        DemoReferral("works", "completed", 70, outcome=Referral.Outcome.PARTIALLY_ACHIEVED),
        DemoReferral("works", "withdrawn", 15),
    ],
    [
        DemoReferral("housing", "accepted", 6, shareable=True),
        DemoReferral("housing", "sent", 2),
        DemoReferral("housing", "sent", 9),
        DemoReferral("housing", "completed", 65, outcome=Referral.Outcome.ACHIEVED),
        DemoReferral("housing", "declined", 18),
        DemoReferral("mind", "in_progress", 45),
        DemoReferral("mind", "sent", 3),
        DemoReferral("recovery", "accepted", 5, lawful_basis=Referral.LawfulBasis.PUBLIC_TASK),
        DemoReferral("advice", "sent", 16),
        DemoReferral("advice", "draft", 1, lawful_basis=""),
        DemoReferral("debtline", "completed", 35, outcome=Referral.Outcome.PARTIALLY_ACHIEVED),
        DemoReferral("works", "withdrawn_working", 28),
    ],
]
# For each team, people whose need has no service in the directory.
NO_SERVICE_PATHWAYS = [Pathway.FAMILIES, Pathway.ATTITUDES]
NO_SERVICE_NOTES = {
    Pathway.FAMILIES: "Wants help to see his children again; no family support service takes IOM referrals.",
    Pathway.ATTITUDES: "Needs work on thinking skills; the programme takes only people on licence.",
}
REFERRAL_REASONS = {
    Pathway.ACCOMMODATION: "Sofa surfing at his sister's since release and has to leave by the end of "
    "the month. Needs a tenancy, or supported housing first.",
    Pathway.HEALTH: "Low mood and panic attacks since release, worse at night. GP has prescribed; he "
    "asked for someone to talk to.",
    Pathway.DRUGS_ALCOHOL: "Using heroin again after six months clean; wants to get back on a script "
    "and into the recovery group.",
    Pathway.EDUCATION_EMPLOYMENT: "Wants a forklift licence and steady work; left school at 15 with no "
    "qualifications.",
    Pathway.FINANCE: "Universal Credit stopped after a missed appointment; rent arrears and a letter "
    "from bailiffs.",
}
ACCEPT_NOTES = {
    "housing": "Accepted. Housing officer allocated; first appointment at the housing office.",
    "mind": "Accepted onto the waiting list for one-to-one support; peer group open now.",
    "recovery": "Accepted. Assessment booked with a recovery worker this week.",
    "works": "Accepted. Job coach allocated.",
    "advice": "Accepted. Adviser will ring to book an appointment.",
    "debtline": "Accepted. Debt adviser assigned.",
}
UPDATES = {
    Pathway.ACCOMMODATION: [
        "Homeless application made; placed on the housing register in band B.",
        "Viewed a one-bedroom flat in Walker; waiting to hear from the landlord.",
    ],
    Pathway.HEALTH: [
        "Assessment done: anxiety and low mood. Six sessions of one-to-one support agreed.",
        "Coping better; started the Thursday peer group.",
    ],
    Pathway.DRUGS_ALCOHOL: [
        "Back on a methadone script from Monday; daily pick-up at the chemist for now.",
        "Two clear tests in a row. Now on weekly pick-up.",
    ],
    Pathway.EDUCATION_EMPLOYMENT: [
        "CV done; booked onto the forklift course next month.",
        "Passed the forklift test; applying for warehouse jobs.",
    ],
    Pathway.FINANCE: [
        "Universal Credit reinstated with back pay; bailiff action on hold.",
        "Debt relief order application in.",
    ],
}
SESSION_NOTES = {
    ReferralEvent.Attendance.ATTENDED: "Attended on time and engaged well.",
    ReferralEvent.Attendance.DID_NOT_ATTEND: "Did not attend; rang twice, no answer. Rebooked for next week.",
}
COMPLETION_SUMMARIES = {
    Referral.Outcome.ACHIEVED: "Work complete: what the referral asked for is in place. Closing our file.",
    Referral.Outcome.PARTIALLY_ACHIEVED: "Some progress, but he stopped coming before the end. He can "
    "refer himself back at any time.",
    Referral.Outcome.NOT_ACHIEVED: "Did not engage after the first sessions despite several tries. "
    "Closing; happy to take a new referral.",
}
DECLINE_REASONS = {
    "housing": "He has a tenancy with us already, with rent arrears; refer to the tenancy "
    "sustainment team instead.",
    "mind": "His needs are beyond what our service offers; please refer to the community mental "
    "health team through his GP.",
}
WITHDRAW_REASONS = {
    "withdrawn": "Found a job through a friend and no longer wants the course.",
    "withdrawn_working": "Recalled to custody; the course cannot go ahead. We will refer again on release.",
}


def _directory(admin: User, partners: dict[str, Organisation], region: Region) -> dict[str, PartnerService]:
    """The region's partner services, found by organisation and name, or made through the service
    an administrator would use, so each has its audit row."""
    services: dict[str, PartnerService] = {}
    for key, demo in DIRECTORY.items():
        organisation = partners[demo.organisation]
        found = PartnerService.objects.filter(organisation=organisation, name=demo.name).first()
        services[key] = found or partner_services.create_partner_service(
            actor=admin,
            organisation=organisation,
            pathways=demo.pathways,
            name=demo.name,
            description=demo.description,
            region=None if demo.organisation in NATIONAL_PARTNERS else region,
            area_covered=demo.area_covered,
            eligibility=demo.eligibility,
            how_to_refer=HOW_TO_REFER,
            typical_wait_days=demo.typical_wait_days,
            capacity=demo.capacity,
            response_working_days=demo.response_working_days,
            referral_email=demo.referral_email,
        )
    return services


class _Clock:
    """Services date what they write today. The demo's referrals have a history, so each step's
    rows are moved back to the day it happened: the referral's own dates, its events, its timeline
    entries and the need it changed. Audit rows keep the time they were written: the trail is
    append-only, and it is true that the demo wrote them today."""

    def __init__(self, nominal: Nominal) -> None:
        self.nominal = nominal
        self.steps = 0

    @contextmanager
    def on(self, day: date) -> Iterator[None]:
        self.steps += 1
        moment = min(
            timezone.make_aware(datetime.combine(day, time_of_day(9))) + timedelta(minutes=37 * self.steps),
            timezone.now(),
        )
        # Rows stamped from here on are this step's: anything older was written before it, or has
        # already been moved back.
        started = timezone.now()
        yield
        TimelineEvent.objects.filter(nominal=self.nominal, recorded_at__gte=started).update(
            occurred_on=day, recorded_at=moment
        )
        ReferralEvent.objects.filter(referral__nominal=self.nominal, recorded_at__gte=started).update(
            occurred_on=day, recorded_at=moment
        )
        changed = NeedUpdate.objects.filter(need__nominal=self.nominal, recorded_at__gte=started)
        Need.objects.filter(pk__in=changed.values("need")).update(updated_on=day)
        changed.update(updated_on=day, recorded_at=moment)
        Referral.objects.filter(nominal=self.nominal).update(
            **{
                name: Case(When(**{f"{name}__gte": started}, then=Value(moment)), default=F(name))
                for name in ("created_at", "sent_at", "responded_at", "closed_at")
            }
        )


def _refer(
    nominals: list[Nominal],
    staff: Staff,
    plans: list[DemoReferral],
    directory: dict[str, PartnerService],
    partner_staff: dict[int, User],
    rng: random.Random,
) -> None:
    """A team's referrals, made and answered through the partners' services, so events, the
    timeline, needs, partner access and the disclosure audit are as real use leaves them; and a
    need or two with no service in the directory."""
    if not nominals:
        return
    today = timezone.localdate()
    people = list(
        Nominal.objects.filter(
            pk__in=[nominal.pk for nominal in nominals],
            in_custody=False,
            probation_practitioner__isnull=False,
            cohort_memberships__status=CohortMembership.Status.ACTIVE,
        )
        .distinct()
        .order_by("crn")
    )
    rng.shuffle(people)
    with_shareable_notes = set(
        TimelineEvent.objects.filter(
            nominal__in=people, visibility=TimelineEvent.Visibility.PARTNERS
        ).values_list("nominal_id", flat=True)
    )
    needs = {
        (nominal_id, pathway): (status, updated_on)
        for nominal_id, pathway, status, updated_on in Need.objects.filter(nominal__in=people).values_list(
            "nominal_id", "pathway", "status", "updated_on"
        )
    }

    def person_for(pathway: str, day: date, *, shareable: bool = False) -> Nominal | None:
        """Someone not referred yet whose need on the pathway, if any, is still open and older."""
        for nominal in people:
            status, updated_on = needs.get((nominal.pk, pathway), (None, day))
            if status in (NeedStatus.MET, NeedStatus.NO_NEED) or updated_on > day:
                continue
            if shareable and nominal.pk not in with_shareable_notes:
                continue
            people.remove(nominal)
            return nominal
        return None

    made: list[int] = []
    for number, plan in enumerate(plans):
        service = directory[plan.service]
        pathway = DIRECTORY[plan.service].pathways[0]
        sent_on = _weekday_on_or_before(today - timedelta(days=plan.sent_days_ago))
        nominal = person_for(pathway, sent_on, shareable=plan.shareable)
        if nominal is None:
            continue
        case_team = [staff.probation, staff.police_om] + (
            [staff.support] if nominal.support_worker_id else []
        )
        referral = _demo_referral(
            plan,
            nominal=nominal,
            service=service,
            pathway=pathway,
            sent_on=sent_on,
            referrer=case_team[number % len(case_team)],
            partner=partner_staff[service.organisation_id],
        )
        made.append(referral.pk)
    for pathway in NO_SERVICE_PATHWAYS:
        day = _weekday_on_or_before(today - timedelta(days=rng.randrange(3, 30)))
        nominal = person_for(pathway, day)
        if nominal is None:
            continue
        with _Clock(nominal).on(day):
            partner_services.record_no_service_available(
                actor=staff.probation, nominal=nominal, pathway=pathway, note=NO_SERVICE_NOTES[pathway]
            )
    # The notices for this history went out when it happened: the worker finds them claimed and
    # sends nothing, so `make run` does not open with a burst of old emails on the console.
    Referral.objects.filter(pk__in=made, partner_notified_at__isnull=True).exclude(sent_at=None).update(
        partner_notified_at=F("sent_at")
    )
    ReferralEvent.objects.filter(
        referral__in=made, by_partner=True, case_worker_notified_at__isnull=True
    ).update(case_worker_notified_at=F("recorded_at"))
    ReferralEvent.objects.filter(
        referral__in=made, to_status=Referral.Status.WITHDRAWN, partner_notified_at__isnull=True
    ).exclude(from_status=Referral.Status.DRAFT).update(partner_notified_at=F("recorded_at"))


def _demo_referral(
    plan: DemoReferral,
    *,
    nominal: Nominal,
    service: PartnerService,
    pathway: str,
    sent_on: date,
    referrer: User,
    partner: User,
) -> Referral:
    """One referral, taken through the lifecycle to where its plan ends, each step on its own day."""
    today = timezone.localdate()
    clock = _Clock(nominal)
    consent = plan.lawful_basis == Referral.LawfulBasis.CONSENT
    with clock.on(sent_on):
        referral = partner_services.create_referral(
            actor=referrer,
            nominal=nominal,
            service=service,
            pathway=pathway,
            reason=REFERRAL_REASONS[Pathway(pathway)],
            lawful_basis=plan.lawful_basis,
            consent_given_on=sent_on - timedelta(days=2) if consent else None,
            sharing_agreement="" if consent or not plan.lawful_basis else SHARING_AGREEMENT,
            shared_fields=DIRECTORY[plan.service].shares,
            send=plan.ends != "draft",
        )
    if plan.ends == "draft":
        return referral
    Referral.objects.filter(pk=referral.pk).update(
        response_due=add_working_days(sent_on, service.response_working_days)
    )

    def day(after: int) -> date:
        return min(sent_on + timedelta(days=after), today)

    if plan.ends == "declined":
        with clock.on(day(3)):
            partner_services.decline_referral(
                actor=partner, referral=referral, reason=DECLINE_REASONS[plan.service]
            )
        return referral
    if plan.ends == "withdrawn":
        with clock.on(day(2)):
            partner_services.withdraw_referral(
                actor=referrer, referral=referral, reason=WITHDRAW_REASONS[plan.ends]
            )
        return referral
    if plan.ends == "sent":
        return referral

    with clock.on(day(2)):
        partner_services.accept_referral(actor=partner, referral=referral, note=ACCEPT_NOTES[plan.service])
    if plan.ends == "accepted":
        return referral
    if plan.ends == "withdrawn_working":
        with clock.on(day(9)):
            partner_services.withdraw_referral(
                actor=referrer, referral=referral, reason=WITHDRAW_REASONS[plan.ends]
            )
        return referral

    # The partner's work: sessions (one missed) and updates, up to a few days ago.
    last = plan.sent_days_ago - 3
    updates = UPDATES[Pathway(pathway)]
    work: list[tuple[int, str, str]] = [
        (7, "session", ReferralEvent.Attendance.ATTENDED),
        (9, "update", updates[0]),
        (14, "session", ReferralEvent.Attendance.DID_NOT_ATTEND),
        (21, "session", ReferralEvent.Attendance.ATTENDED),
        (28, "update", updates[1]),
        (35, "session", ReferralEvent.Attendance.ATTENDED),
    ]
    done = 2
    for after, kind, detail in work:
        if after > last:
            break
        done = after
        with clock.on(day(after)):
            if kind == "session":
                partner_services.record_session(
                    actor=partner,
                    referral=referral,
                    session_on=day(after),
                    attendance=detail,
                    note=SESSION_NOTES[ReferralEvent.Attendance(detail)],
                )
            else:
                partner_services.add_progress_update(
                    actor=partner, referral=referral, note=detail, occurred_on=day(after)
                )
    if plan.ends == "completed":
        # A week or so after the last session or update, within the days the plan allows.
        with clock.on(day(min(done + 6, plan.sent_days_ago))):
            partner_services.complete_referral(
                actor=partner,
                referral=referral,
                outcome=plan.outcome,
                summary=COMPLETION_SUMMARIES[Referral.Outcome(plan.outcome)],
            )
    return referral


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day
