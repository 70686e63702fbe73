"""The catalogue of what a referral may share: the partner sees the chosen fields, in the catalogue's
order, read from the record as it is now, and nothing else."""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.models import Assessment, CohortMembership, Need, Nominal, TimelineEvent
from cohorts.services import add_timeline_event
from iom.core.models import Role
from partners import disclosure
from tests.actors import build_world, member

CATALOGUE = [
    "name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address_area",
    "identifiers",
    "custody",
    "cohort",
    "statutory_status",
    "needs",
    "risk",
    "case_team",
]


def test_the_catalogue_is_the_agreed_list_and_the_name_is_always_shared():
    assert list(disclosure.SHAREABLE_FIELDS) == CATALOGUE
    assert frozenset({"name"}) == disclosure.ALWAYS_SHARED
    assert [key for key, _ in disclosure.field_choices()] == CATALOGUE


def test_labels_follow_the_catalogue_not_the_order_given():
    assert disclosure.labels(["risk", "date_of_birth", "unknown"]) == [
        "Date of birth",
        "Risk of serious harm",
    ]


@pytest.fixture
def nominal(db) -> Nominal:
    world = build_world()
    nominal = world.nominal
    nominal.date_of_birth = dt.date(1990, 5, 17)
    nominal.address_area = "Byker, NE6"
    nominal.crn = "X123456"
    nominal.pnc_id = "2001/0012345A"
    nominal.cro_number = "012345/01A"
    nominal.in_custody = True
    nominal.establishment = "HMP Durham"
    nominal.conditional_release_date = dt.date(2027, 3, 1)
    nominal.police_offender_manager = member(
        Role.POLICE_OFFENDER_MANAGER,
        team=world.own_team,
        full_name="Sam Patel",
        email="sam@police.example.org",
    )
    nominal.save()
    return nominal


def test_only_the_chosen_fields_are_shown_with_the_name_first(nominal):
    view = disclosure.shared_view(nominal, ["custody", "identifiers", "date_of_birth"])
    assert view == [
        ("Name", "Dean Robson"),
        ("Date of birth", "17 May 1990"),
        ("Identifiers", "CRN X123456, PNC ID 2001/0012345A"),
        ("Custody and release date", "In custody at HMP Durham, release expected 1 March 2027"),
    ]


def test_nothing_chosen_still_shows_the_name_and_unknown_keys_are_ignored(nominal):
    assert disclosure.shared_view(nominal, []) == [("Name", "Dean Robson")]
    assert disclosure.shared_view(nominal, ["police_intelligence", "offences"]) == [("Name", "Dean Robson")]


def test_fields_with_nothing_recorded_say_so(nominal):
    nominal.in_custody = False
    values = dict(disclosure.shared_view(nominal, CATALOGUE))
    assert values["Gender"] == values["Ethnicity"] == "Not recorded"
    assert values["Custody and release date"] == "In the community"
    assert values["IOM cohort"] == "Not on a cohort"
    assert values["Needs on every pathway"] == "None recorded"
    assert values["Risk of serious harm"] == "Not assessed"
    assert values["Case team contacts"] == "Sam Patel (police offender manager, sam@police.example.org)"


def test_values_are_read_from_the_record_as_it_is_now(nominal):
    worker = nominal.police_offender_manager
    assert worker is not None
    today = timezone.localdate()
    Need.objects.create(nominal=nominal, pathway="accommodation", status="being_addressed", updated_on=today)
    Need.objects.create(
        nominal=nominal, pathway="health", status="unmet", unmet_reason="no_service", updated_on=today
    )
    Assessment.objects.create(
        nominal=nominal, kind="rosh", level="medium", assessed_on=dt.date(2026, 1, 5), assessed_by=worker
    )
    Assessment.objects.create(
        nominal=nominal, kind="rosh", level="high", assessed_on=dt.date(2026, 6, 1), assessed_by=worker
    )
    CohortMembership.objects.create(
        nominal=nominal,
        cohort="fixed",
        status=CohortMembership.Status.ACTIVE,
        proposed_by=worker,
        proposed_on=dt.date(2026, 1, 1),
        proposal_reason="Burglary",
        entry_date=dt.date(2026, 1, 10),
        review_due=dt.date(2026, 4, 10),
    )
    values = dict(disclosure.shared_view(nominal, ["needs", "risk", "cohort"]))
    assert values == {
        "Name": "Dean Robson",
        "IOM cohort": "Fixed",
        "Needs on every pathway": "Accommodation: Being addressed; Health, including mental health: Unmet",
        "Risk of serious harm": "High (assessed 1 June 2026)",
    }


def test_a_proposal_the_panel_has_not_decided_is_not_shown_as_a_cohort(nominal):
    worker = nominal.police_offender_manager
    assert worker is not None
    CohortMembership.objects.create(
        nominal=nominal,
        cohort="fixed",
        status=CohortMembership.Status.PROPOSED,
        proposed_by=worker,
        proposed_on=dt.date(2026, 1, 1),
        proposal_reason="Burglary",
    )
    assert dict(disclosure.shared_view(nominal, ["cohort"]))["IOM cohort"] == "Not on a cohort"


def test_police_intelligence_and_other_assessments_never_reach_a_partner(nominal):
    worker = nominal.police_offender_manager
    assert worker is not None
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.RECORD,
        occurred_on=timezone.localdate(),
        summary="Intelligence: associating with OCG-SECRET",
        body="Seen with OCG-SECRET members",
        source=nominal,
        recorded_by=worker,
        visibility=TimelineEvent.Visibility.POLICE,
    )
    Assessment.objects.create(
        nominal=nominal,
        kind="mappa",
        level="C2 L2",
        assessed_on=dt.date(2026, 6, 1),
        assessed_by=worker,
        notes="MAPPA-NOTE",
    )
    Assessment.objects.create(
        nominal=nominal, kind="ogrs", score=87, assessed_on=dt.date(2026, 6, 1), assessed_by=worker
    )
    everything = "\n".join(value for _, value in disclosure.shared_view(nominal, CATALOGUE))
    for secret in (
        "OCG-SECRET",
        "MAPPA",
        "C2 L2",
        "87",
        "012345/01A",
    ):  # the CRO number is not in the catalogue
        assert secret not in everything, secret
    assert TimelineEvent.objects.filter(nominal=nominal, visibility="police").count() == 1


def test_reading_every_field_takes_a_fixed_number_of_queries(nominal, django_assert_num_queries):
    loaded = Nominal.objects.select_related(
        "police_offender_manager", "probation_practitioner", "support_worker"
    ).get(pk=nominal.pk)
    # 1 the current cohort membership, 2 the needs, 3 the assessments; the case team came with the person.
    with django_assert_num_queries(3):
        disclosure.shared_view(loaded, CATALOGUE)
