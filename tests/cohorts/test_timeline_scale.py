"""The timeline of a person with thousands of contacts: one indexed, paginated query per page."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.models import CohortMembership, TimelineEvent
from iom.core.models import Role
from supervision.models import Contact
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

CONTACTS = 2000
OTHER_EVENTS = 5
PAGE_SIZE = 20
NEWEST = dt.date(2026, 11, 18)


@pytest.fixture
def busy():
    """A person with 2,000 contacts, three a day going back from 18 November 2026, each with its
    timeline event, and five cohort events among them. Rows are bulk-created: the services would
    take minutes, and what is measured here is the read."""
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    contacts = Contact.objects.bulk_create(
        Contact(
            nominal=world.nominal,
            date=NEWEST - dt.timedelta(days=i // 3),
            time=dt.time(9 + i % 3 * 3, 0),
            kind=Contact.Kind.OFFICE,
            purpose=Contact.Purpose.MONITORING,
            outcome=Contact.Outcome.ATTENDED_COMPLIED,
            notes=f"Contact number {i}",
            logged_by=officer,
        )
        for i in range(CONTACTS)
    )
    contact_type = ContentType.objects.get_for_model(Contact)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            nominal=world.nominal,
            kind=TimelineEvent.Kind.CONTACT,
            occurred_on=contact.date,
            summary=contact.summary(),
            body=contact.notes,
            source_type=contact_type,
            source_id=contact.pk,
            recorded_by=officer,
        )
        for contact in contacts
    )
    membership_type = ContentType.objects.get_for_model(CohortMembership)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            nominal=world.nominal,
            kind=TimelineEvent.Kind.COHORT,
            occurred_on=NEWEST - dt.timedelta(days=100 * n + 1),
            summary=f"Cohort change {n}",
            source_type=membership_type,
            source_id=n + 1,
            recorded_by=None,
        )
        for n in range(OTHER_EVENTS)
    )
    return world, officer


@pytest.fixture
def signed_in(client, busy):
    """The officer, signed in before anything is measured: signing in writes to the session."""
    world, officer = busy
    client.force_login(officer)
    return world


def _get(client, nominal, query: str):
    return client.get(f"/people/{nominal.pk}/timeline/{query}")


def test_page_one_and_page_fifty_take_the_same_number_of_queries(
    client, signed_in, django_assert_num_queries
):
    world = signed_in
    _get(client, world.nominal, "")  # warm Django's content type cache, as any running server has
    with CaptureQueriesContext(connection) as first_page:
        first = _get(client, world.nominal, "")
    with django_assert_num_queries(len(first_page)):
        fiftieth = _get(client, world.nominal, "?page=50")
    assert (first.status_code, fiftieth.status_code) == (200, 200)
    assert fiftieth.context["page"].number == 50
    assert len(fiftieth.context["page"].object_list) == PAGE_SIZE
    assert first.context["page"].paginator.count == CONTACTS + OTHER_EVENTS
    # session, user, memberships, person, audit insert, timeline count, the page with its authors
    assert len(first_page) == 7


def test_events_come_newest_first_across_pages(client, signed_in):
    world = signed_in
    pages = [_get(client, world.nominal, f"?page={n}").context["page"] for n in (1, 2, 50, 101)]
    dates = [[event.occurred_on for event in page.object_list] for page in pages]
    assert dates[0][0] == NEWEST
    for page_dates in dates:
        assert page_dates == sorted(page_dates, reverse=True)
    flattened = [day for page_dates in dates for day in page_dates]
    assert flattened == sorted(flattened, reverse=True)
    # The last page holds the five left over, ending with the oldest contact.
    assert len(pages[-1].object_list) == (CONTACTS + OTHER_EVENTS) % PAGE_SIZE
    assert dates[-1][-1] == NEWEST - dt.timedelta(days=(CONTACTS - 1) // 3)
    html = _get(client, world.nominal, "?page=1").content.decode()
    assert html.index("Contact number 0<") < html.index("Contact number 3<")


def test_the_kind_filter_keeps_to_one_kind_in_the_same_queries(client, signed_in):
    world = signed_in
    _get(client, world.nominal, "")
    with CaptureQueriesContext(connection) as everything:
        _get(client, world.nominal, "?page=3")
    with CaptureQueriesContext(connection) as contacts_only:
        contacts = _get(client, world.nominal, "?kind=contact&page=3").context["page"]
    assert len(contacts_only) == len(everything)
    assert contacts.paginator.count == CONTACTS
    assert {event.kind for event in contacts.object_list} == {"contact"}
    cohort = _get(client, world.nominal, "?kind=cohort").context["page"]
    assert [event.summary for event in cohort.object_list] == [
        f"Cohort change {n}" for n in range(OTHER_EVENTS)
    ]
    # An unknown kind shows everything rather than nothing.
    assert _get(client, world.nominal, "?kind=gossip").context["page"].paginator.count == (
        CONTACTS + OTHER_EVENTS
    )


@pytest.mark.parametrize(
    ("page", "shown"), [("abc", 1), ("0", 101), ("-1", 101), ("999999", 101), ("1.5", 1), ("", 1), ("%00", 1)]
)
def test_a_page_number_that_makes_no_sense_shows_a_page_instead_of_an_error(client, signed_in, page, shown):
    world = signed_in
    response = _get(client, world.nominal, f"?page={page}")
    assert response.status_code == 200
    assert response.context["page"].number == shown


def test_a_kind_filtered_page_beyond_the_end_shows_the_last_page(client, signed_in):
    world = signed_in
    response = _get(client, world.nominal, "?kind=cohort&page=50")
    assert response.status_code == 200
    assert response.context["page"].number == 1
