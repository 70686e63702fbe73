import datetime

import pytest

from cohorts.factories import NominalFactory
from iom.core.factories import TeamFactory
from reports.metrics import region_summary, suppressed
from supervision.factories import ContactFactory
from tests.actors import build_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (1234, "1,234")])
def test_small_counts_are_suppressed(count, shown):
    assert suppressed(count) == shown


def test_region_summary_counts_people_and_contacts_in_the_period_by_team():
    world = build_world()
    NominalFactory.create_batch(2, team=world.other_team)
    TeamFactory.create(name="Another region's team", region=world.other_region)
    ContactFactory.create(nominal=world.nominal, date=datetime.date(2026, 10, 1))
    ContactFactory.create(nominal=world.nominal, date=datetime.date(2026, 10, 31))
    ContactFactory.create(nominal=world.nominal, date=datetime.date(2026, 11, 1))
    ContactFactory.create(nominal=world.other_nominal, date=datetime.date(2026, 10, 15))
    summary = region_summary(
        region_id=world.region.pk,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
    )
    assert [(t.team_name, t.nominals, t.contacts) for t in summary.teams] == [
        ("City IOM", 1, 2),
        ("County IOM", 3, 1),
    ]
    assert (summary.nominals, summary.contacts) == (4, 3)


def test_region_summary_takes_a_constant_number_of_queries(django_assert_num_queries):
    world = build_world()
    for _ in range(5):
        TeamFactory.create(region=world.region)
    # region, teams with counts, contacts by team
    with django_assert_num_queries(3):
        region_summary(
            region_id=world.region.pk,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 10, 31),
        )
