"""Demo data for `make run`: one region, two IOM teams, a user per role, about 60 nominals with contacts.

It lives in `reports` because it is the one app allowed to reach every other. Running it
twice changes nothing: every row is found by a natural key before it is created, and a
nominal's contacts are only logged when the nominal is first created.
"""

import random
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cohorts.models import Nominal
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


class Command(BaseCommand):
    help = "Load demo data: one region, two IOM teams, a user per role, about 60 nominals with contacts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--nominals-per-team", type=int, default=30)

    @transaction.atomic
    def handle(self, *args: Any, nominals_per_team: int, **options: Any) -> None:
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
            _user("ya.support", "Amira Khan", probation, Role.YOUNG_ADULT_SUPPORT_WORKER, team=county),
            _user("manager", "Chris Nolan", police, Role.MANAGER, team=city),
            _user("police.om.county", "Dana Reid", police, Role.POLICE_OFFENDER_MANAGER, team=county),
            _user("partner", "Morgan Hall", housing, Role.PARTNER),
            _user("regional", "Alex Morgan", probation, Role.REGIONAL_LEAD, region=region),
            _user("national", "Robin Ellis", None, Role.NATIONAL),
            _user("admin", "Kim Taylor", None, Role.ADMINISTRATOR),
        ]

        rng = random.Random(2026)  # noqa: S311 - demo data, not secrets: a fixed seed gives the same people every time
        created = 0
        workers = {city: logins[0][0], county: logins[5][0]}
        for team_number, team in enumerate((city, county)):
            for n in range(nominals_per_team):
                crn = f"{'CN'[team_number]}{100001 + n:06d}"
                nominal, is_new = Nominal.objects.get_or_create(
                    crn=crn,
                    defaults={
                        "given_name": rng.choice(GIVEN_NAMES),
                        "family_name": rng.choice(FAMILY_NAMES),
                        "date_of_birth": date(1975, 1, 1) + timedelta(days=rng.randrange(0, 365 * 30)),
                        "team": team,
                    },
                )
                if is_new:
                    created += 1
                    _log_demo_contacts(nominal, workers[team], rng)

        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {created} new nominals, {Nominal.objects.count()} in all.")
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for user, role in logins:
            self.stdout.write(f"  {role.label:<28} {user.email}")


def _organisation(name: str, kind: str, region: Region) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "region": region})
    return organisation


def _user(
    local_part: str,
    full_name: str,
    organisation: Organisation | None,
    role: Role,
    *,
    team: Team | None = None,
    region: Region | None = None,
) -> tuple[User, Role]:
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
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, role=role, team=team, region=region)
    return user, role


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
