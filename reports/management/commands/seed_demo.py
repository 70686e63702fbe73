"""Demo data for `make run`: one region, two IOM teams, a user per role, and 60 nominals with
a full record: identifiers, case teams, cohort memberships through proposal and panel, risk,
needs, offences, custody and release dates, goals and feedback in their own words, and contacts.

It lives in `reports` because it is the one app allowed to reach every other. Everything about a
person is written through the services, so the timeline and the audit trail are as real use leaves
them. Running it twice changes nothing: every row is found by a natural key before it is created,
and a nominal's record is only filled in when the nominal is first created (so a demo database made
before the record grew keeps its people as they were, and gains only the new demo users).
"""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cohorts import identifiers, services
from cohorts.models import (
    Allocation,
    Assessment,
    Cohort,
    CohortMembership,
    CohortReview,
    Ethnicity,
    Feedback,
    Gender,
    Goal,
    Need,
    NeedStatus,
    Nominal,
    Offence,
    OffenceCategory,
    Pathway,
    StatutoryStatus,
    UnmetReason,
)
from cohorts.periods import add_months
from iom.core.models import Membership, Organisation, Region, Role, Team, User
from supervision.models import Contact
from supervision.services import log_contact

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


@dataclass(frozen=True)
class Plan:
    """What one demo person's record holds, drawn once for all 60 so the spread is exact."""

    cohort: str  # fixed, flex or free (active), "proposed", or "none"
    variant: str = ""  # "overdue" or "reviewed" (active); "ended" or "not_accepted" (none)
    custody: str = ""  # "soon" (released within 8 weeks) or "later"
    allocated: bool = True


def demo_plans(rng: random.Random) -> list[Plan]:
    """20 Fixed, 15 Flex and 15 Free active (4 overdue a review), 5 awaiting panel, 5 not on a cohort
    (2 who left, 1 the panel turned down, 2 never proposed)."""
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
    return [
        Plan(
            cohort=cohort,
            variant=variant,
            custody="soon" if i in custody_soon else "later" if i in custody_later else "",
            allocated=i not in unallocated,
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
            self.stdout.write(f"  {role.label:<28} {where:<24} {user.email}")


def _build(nominals_per_team: int) -> tuple[list[tuple[User, Role, str]], int]:
    """The region, teams and users (found or made), and every nominal not there yet, with its record."""
    region, _ = Region.objects.get_or_create(name="Northshire")
    police = _organisation("Northshire Police", Organisation.Kind.POLICE_FORCE, region)
    probation = _organisation(
        "Northshire Probation Delivery Unit", Organisation.Kind.PROBATION_DELIVERY_UNIT, region
    )
    housing = _organisation("Northshire Housing Advice", Organisation.Kind.LOCAL_AUTHORITY, region)
    # A second partner organisation, for referrals once they exist.
    _organisation("Riverside Recovery Service", Organisation.Kind.VOLUNTARY_COMMUNITY, region)
    city, _ = Team.objects.get_or_create(region=region, name="Northshire City IOM")
    county, _ = Team.objects.get_or_create(region=region, name="Northshire County IOM")
    for team in (city, county):
        team.organisations.add(police, probation)

    logins = [
        _user("police.om", "Sam Carter", police, Role.POLICE_OFFENDER_MANAGER, team=city),
        _user("probation", "Priya Shah", probation, Role.PROBATION_PRACTITIONER, team=city),
        _user("support", "Jordan Lee", probation, Role.SUPPORT_WORKER, team=city),
        _user("manager", "Chris Nolan", police, Role.MANAGER, team=city),
        _user("police.om.county", "Dana Reid", police, Role.POLICE_OFFENDER_MANAGER, team=county),
        _user("probation.county", "Ravi Patel", probation, Role.PROBATION_PRACTITIONER, team=county),
        _user("ya.support", "Amira Khan", probation, Role.YOUNG_ADULT_SUPPORT_WORKER, team=county),
        _user("manager.county", "Helen Dodd", probation, Role.MANAGER, team=county),
        _user("partner", "Morgan Hall", housing, Role.PARTNER),
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
    # The record's own draws, apart from the names and contacts, so those stay as they always were.
    record_rng = random.Random(2026)  # noqa: S311 - as above
    plans = demo_plans(record_rng)
    categories = list(OffenceCategory.objects.all())
    created = 0
    for team_number, team in enumerate((city, county)):
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
            _log_demo_contacts(nominal, staff[team].police_om, rng)
            _fill_record(nominal, plans[index % len(plans)], index, staff[team], categories, record_rng)

    return logins, created


def _summary() -> str:
    memberships = Counter(CohortMembership.objects.values_list("cohort", "status"))
    active = ", ".join(
        f"{label} {memberships[(value, CohortMembership.Status.ACTIVE)]}" for value, label in Cohort.choices
    )
    proposed = sum(n for (_, status), n in memberships.items() if status == CohortMembership.Status.PROPOSED)
    ended = sum(n for (_, status), n in memberships.items() if status == CohortMembership.Status.ENDED)
    overdue = CohortMembership.objects.filter(
        status=CohortMembership.Status.ACTIVE, review_due__lt=timezone.localdate()
    ).count()
    return (
        f"On a cohort: {active} ({overdue} overdue a review); awaiting panel {proposed}; left {ended}.\n"
        f"Allocations {Allocation.objects.count()}, assessments {Assessment.objects.count()}, "
        f"needs {Need.objects.count()} ({Need.objects.filter(unmet_reason=UnmetReason.NO_SERVICE).count()} "
        f"unmet for want of a service), offences {Offence.objects.count()}, goals {Goal.objects.count()}, "
        f"feedback {Feedback.objects.count()}, in custody {Nominal.objects.filter(in_custody=True).count()}, "
        f"contacts {Contact.objects.count()}."
    )


def _organisation(name: str, kind: str, region: Region) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "region": region})
    return organisation


_password_hash: list[str] = []


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
    if is_new:
        # One hash for every demo user: hashing is slow on purpose, and the password is shared anyway.
        if not _password_hash:
            _password_hash.append(make_password(DEMO_PASSWORD))
        user.password = _password_hash[0]
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, role=role, team=team, region=region)
    where = team.name if team else region.name if region else ""
    return user, role, where


def _log_demo_contacts(nominal: Nominal, worker: User, rng: random.Random) -> None:
    today = timezone.localdate()
    outcomes = [choice for choice, _ in Contact.Outcome.choices]
    weights = [70, 6, 8, 8, 5, 3]
    for _ in range(rng.randrange(3, 12)):
        log_contact(
            actor=worker,
            nominal=nominal,
            happened_on=today - timedelta(days=rng.randrange(0, 90)),
            kind=rng.choice([choice for choice, _ in Contact.Kind.choices]),
            outcome=rng.choices(outcomes, weights)[0],
            notes=rng.choice(NOTES),
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
    _cohort_history(nominal, plan, staff, officer, rng)
    _risk(nominal, practitioner, rng)
    _needs(nominal, helper, rng)
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


def _cohort_history(nominal: Nominal, plan: Plan, staff: Staff, proposer: User, rng: random.Random) -> None:
    """Proposal, panel, reviews and exits, dated in the past so reviews fall due (or are overdue)."""
    today = timezone.localdate()
    if plan.cohort == "none" and not plan.variant:
        return
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
        return
    # How long ago they were proposed: long enough for a review to be overdue, held, or an exit.
    ago = {"overdue": (130, 200), "reviewed": (120, 170), "ended": (250, 330), "not_accepted": (30, 60)}
    cohort = Cohort(plan.cohort) if plan.cohort != "none" else rng.choice(list(Cohort))
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
        services.record_review(
            actor=staff.manager,
            membership=membership,
            reviewed_on=panel_date + timedelta(days=rng.randrange(100, 130)),
            outcome=CohortReview.Outcome.EXIT,
            rationale=EXIT_RATIONALES[reason],
            exit_reason=reason,
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


def _offences(nominal: Nominal, actor: User, categories: list[OffenceCategory], rng: random.Random) -> None:
    if not categories or rng.random() < 0.25:
        return
    today = timezone.localdate()
    weights = [4 if category.is_neighbourhood_crime else 1 for category in categories]
    for _ in range(rng.randrange(1, 4)):
        services.record_offence(
            actor=actor,
            nominal=nominal,
            kind=rng.choices([Offence.Kind.PROVEN, Offence.Kind.ARREST], [60, 40])[0],
            category=rng.choices(categories, weights)[0],
            occurred_on=today - timedelta(days=rng.randrange(10, 3 * 365)),
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
        services.record_feedback(
            actor=actor,
            nominal=nominal,
            given_on=today - timedelta(days=rng.randrange(1, 60)),
            what_helps=rng.choice(WHAT_HELPS),
            what_does_not_help=rng.choice(WHAT_DOES_NOT_HELP),
        )
