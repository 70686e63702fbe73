"""Demo data for retention review: two people who left IOM seven years ago, so the "Due for review"
list has someone on it. seed_demo calls `add_retention_demo` once per team; a second run finds them
by their CRN and adds nothing."""

import datetime

from django.db import transaction
from django.utils import timezone

from cohorts.models import Alias, Nominal
from dataprotection.factories import left_iom
from iom.core.models import Team, User
from supervision.models import Contact

# (given name, family name, alias, CRN letter): made up for the demo.
DEMO_PEOPLE = [
    ("Gary", "Whitlow", "Gaz", "R"),
    ("Lee", "Prentice", "", "S"),
]


@transaction.atomic
def add_retention_demo(*, team: Team, manager: User, today: datetime.date | None = None) -> list[Nominal]:
    """Two people of `team` who left IOM seven years before `today`, each with an ended Fixed
    cohort membership, a contact from their time on IOM and (one of them) an alias. `manager` is
    recorded as the worker who proposed them and logged the contact."""
    today = today or timezone.localdate()
    left_on = today.replace(year=today.year - 7, day=min(today.day, 28))
    people = []
    for index, (given_name, family_name, alias, letter) in enumerate(DEMO_PEOPLE):
        crn = f"{letter}{team.pk:03d}{index + 1:03d}"[:7]
        nominal, created = Nominal.objects.get_or_create(
            crn=crn,
            defaults={
                "given_name": given_name,
                "family_name": family_name,
                "team": team,
                "date_of_birth": datetime.date(1979 + index, 3, 14),
                "address_area": "Northshire city centre",
                "created_at": timezone.now() - datetime.timedelta(days=365 * 10),
            },
        )
        people.append(nominal)
        if not created:
            continue
        left_iom(nominal, on=left_on, by=manager, years_on_iom=2)
        Contact.objects.create(
            nominal=nominal,
            date=left_on - datetime.timedelta(days=30),
            time=datetime.time(10, 0),
            kind=Contact.Kind.OFFICE,
            purpose=Contact.Purpose.MONITORING,
            outcome=Contact.Outcome.ATTENDED_COMPLIED,
            notes="Last office appointment before leaving IOM.",
            logged_by=manager,
        )
        if alias:
            Alias.objects.create(nominal=nominal, name=alias)
    return people
