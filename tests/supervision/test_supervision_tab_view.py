"""The person's Supervision tab and the "Supervision this week" panel on their overview.

Dates are relative to today: MONDAY is the start of this week (weeks run Monday to Sunday),
so a contact dated MONDAY is always this week and never in the future.
"""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.models import CohortMembership, Nominal
from iom.core.factories import UserFactory
from iom.core.models import AuditEvent, Role, User
from supervision import services
from supervision.compliance import week_starting
from supervision.factories import ContactFactory
from supervision.models import Contact, ContactAttendee, EnforcementAction, Outcome
from supervision.views.person import supervision_overview
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONDAY = week_starting(TODAY)
LAST_MONDAY = MONDAY - dt.timedelta(weeks=1)


def url(nominal: Nominal) -> str:
    return f"/people/{nominal.pk}/supervision/"


def on_cohort(nominal: Nominal, cohort: str = "fixed", *, days_ago: int = 90) -> CohortMembership:
    return CohortMembership.objects.create(
        nominal=nominal,
        cohort=cohort,
        status=CohortMembership.Status.ACTIVE,
        proposed_by=UserFactory.create(),
        proposed_on=TODAY - dt.timedelta(days=days_ago + 10),
        proposal_reason="Prolific burglary",
        entry_date=TODAY - dt.timedelta(days=days_ago),
        review_due=TODAY + dt.timedelta(days=60),
    )


def contact(nominal: Nominal, day: dt.date, *, outcome: str = Outcome.ATTENDED_COMPLIED, **fields) -> Contact:
    return ContactFactory.create(nominal=nominal, date=day, time=dt.time(0, 5), outcome=outcome, **fields)


def attended_by(row: Contact, *users: User) -> Contact:
    for user in users:
        ContactAttendee.objects.create(contact=row, user=user, organisation=user.organisation)
    return row


def case_worker(world, role: Role = Role.POLICE_OFFENDER_MANAGER, **fields) -> User:
    worker = member(role, team=world.own_team, **fields)
    world.nominal.police_offender_manager = worker
    world.nominal.save()
    return worker


def test_a_fixed_person_with_two_contacts_this_week_has_one_to_go_and_met_last_week(client):
    world = build_world()
    on_cohort(world.nominal, "fixed")
    for _ in range(2):
        contact(world.nominal, MONDAY)
    for _ in range(3):
        contact(world.nominal, LAST_MONDAY)
    contact(world.nominal, LAST_MONDAY, outcome=Outcome.UNACCEPTABLE_ABSENCE)  # does not count
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.get(url(world.nominal))

    assert response.status_code == 200
    weeks = response.context["weeks"]
    assert len(weeks) == 8
    assert [
        (row.week.starts, row.week.required, row.week.achieved, row.status, row.colour) for row in weeks[:3]
    ] == [
        (MONDAY, 3, 2, "1 to go", "blue"),
        (LAST_MONDAY, 3, 3, "Met", "green"),
        (LAST_MONDAY - dt.timedelta(weeks=1), 3, 0, "Below: 3 short", "red"),
    ]
    html = response.content.decode()
    assert "3 a week: Fixed cohort default" in html
    assert f'Week of {MONDAY:%-d %b %Y} <span class="govuk-body-s">(this week, so far)</span>' in html
    assert '<strong class="govuk-tag govuk-tag--blue">1 to go</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--green">Met</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--red">Below: 3 short</strong>' in html
    assert "Contacts count when the person attended" in html
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--s">Contacts against the standard' in html
    )


def test_a_flex_person_with_no_standard_is_not_assessed_and_the_case_team_is_asked_to_set_one(client):
    world = build_world()
    on_cohort(world.nominal, "flex")
    worker = case_worker(world)
    client.force_login(worker)

    html = client.get(url(world.nominal)).content.decode()

    assert "No standard set. The Flex cohort has no default" in html
    assert html.count('<strong class="govuk-tag govuk-tag--grey">Not assessed: No standard set</strong>') == 8
    assert f'href="/people/{world.nominal.pk}/supervision/standard/">Set a contact standard</a>' in html


def test_someone_outside_the_case_team_sees_the_standard_but_no_link_to_change_it(client):
    world = build_world()
    on_cohort(world.nominal, "flex")
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    html = client.get(url(world.nominal)).content.decode()
    assert "No standard set" in html
    assert "/supervision/standard/" not in html
    assert "Record an enforcement decision" not in html


def test_a_standard_set_for_the_person_says_who_set_it_when_and_why(client):
    world = build_world()
    on_cohort(world.nominal, "flex")
    worker = case_worker(world, full_name="Priya Shah")
    services.set_contact_standard(
        actor=worker, nominal=world.nominal, contacts_per_week=2, reason="Working full time <b>days</b>"
    )
    contact(world.nominal, MONDAY)
    client.force_login(worker)

    response = client.get(url(world.nominal))

    html = response.content.decode()
    assert (
        f"2 a week, set by Priya Shah on {TODAY:%-d %b %Y}: Working full time &lt;b&gt;days&lt;/b&gt;" in html
    )
    assert "Change the contact standard" in html
    assert "Standards set for Dean Robson, newest first" in html
    # This week takes the new standard; the weeks before had none.
    assert [row.status for row in response.context["weeks"][:2]] == [
        "1 to go",
        "Not assessed: No standard set",
    ]


def test_someone_not_on_a_cohort_has_no_standard(client):
    world = build_world()
    client.force_login(case_worker(world))
    html = client.get(url(world.nominal)).content.decode()
    assert "No standard applies: Dean is not on a cohort." in html
    assert "Not assessed: Not on a cohort" in html
    assert "/supervision/standard/" not in html


def test_the_enforcement_prompt_appears_at_the_threshold_and_goes_once_the_team_decides(client):
    world = build_world()
    on_cohort(world.nominal, "fixed")
    worker = case_worker(world)
    first = contact(world.nominal, TODAY - dt.timedelta(days=40), outcome=Outcome.UNACCEPTABLE_ABSENCE)
    client.force_login(worker)

    # One absence: the team should decide, but the threshold (2) is not reached.
    html = client.get(url(world.nominal)).content.decode()
    assert "1 unacceptable absence and no enforcement decision recorded. The case team should decide" in html
    assert "Enforcement threshold reached" not in html

    second = contact(world.nominal, TODAY - dt.timedelta(days=3), outcome=Outcome.UNACCEPTABLE_ABSENCE)
    html = client.get(url(world.nominal)).content.decode()
    assert (
        "Enforcement threshold reached: 2 unacceptable absences in the last 365 days (threshold 2). "
        "Consider a warning, breach or recall referral." in html
    )
    assert '<div class="govuk-notification-banner" role="region"' in html
    assert (
        f'href="/people/{world.nominal.pk}/supervision/enforcement/">Record an enforcement decision' in html
    )
    for absence in (first, second):
        assert f"<li>{absence.date:%-d %b %Y}</li>" in html

    services.record_enforcement_action(
        actor=worker,
        nominal=world.nominal,
        kind=EnforcementAction.Kind.FIRST_WARNING,
        reason="Missed two appointments",
        decided_on=TODAY,
    )
    html = client.get(url(world.nominal)).content.decode()
    assert "Enforcement threshold reached" not in html
    assert "The case team should decide" not in html
    assert "2 unacceptable absences in the last 365 days" in html  # still listed, for context
    assert "First warning" in html
    assert "Missed two appointments" in html


def test_appointments_whose_time_has_passed_need_an_outcome(client):
    world = build_world()
    worker = case_worker(world, full_name="Olly Police")
    past = attended_by(contact(world.nominal, TODAY - dt.timedelta(days=1), outcome=""), worker)
    future = contact(world.nominal, TODAY + dt.timedelta(days=2), outcome="", kind=Contact.Kind.HOME_VISIT)
    client.force_login(worker)

    response = client.get(url(world.nominal))

    assert response.context["planned"] == [(past, True), (future, False)]
    html = response.content.decode()
    assert html.count("Outcome needed") == 1
    assert f'href="/contacts/{past.pk}/outcome/">Record outcome' in html
    assert f'href="/contacts/{future.pk}/">View' in html
    assert "Olly Police (Northshire Police)" in html
    for name, label in [
        ("contacts/new", "Log a contact"),
        ("appointments/new", "Plan an appointment"),
        ("appointments/series/new", "Plan a series"),
    ]:
        assert f'href="/people/{world.nominal.pk}/{name}/"' in html, label
        assert label in html


def test_contacts_are_listed_newest_first_with_their_attendees_and_agencies(client):
    world = build_world()
    police = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Olly Police")
    probation = member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Pam Probation")
    older = contact(world.nominal, TODAY - dt.timedelta(days=9), kind=Contact.Kind.PHONE)
    joint = attended_by(
        contact(world.nominal, TODAY - dt.timedelta(days=2), kind=Contact.Kind.JOINT_VISIT), police, probation
    )
    client.force_login(probation)

    response = client.get(url(world.nominal))

    assert list(response.context["page"].object_list) == [joint, older]
    html = response.content.decode()
    assert "Olly Police (Northshire Police)<br>Pam Probation (Northshire Probation Delivery Unit)" in html
    assert "Joint visit" in html
    assert "Attended and complied" in html
    assert f'href="/contacts/{joint.pk}/">View' in html
    assert "No appointments planned." in html


def test_an_empty_record_says_so(client):
    world = build_world()
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    html = client.get(url(world.nominal)).content.decode()
    assert "No contacts recorded yet." in html
    assert "No appointments planned." in html
    assert "No enforcement decisions recorded." in html
    assert "No unacceptable absences in the last 365 days." in html
    assert 'class="govuk-pagination"' not in html


def test_opening_the_tab_is_audited(client):
    world = build_world()
    user = member(Role.SUPPORT_WORKER, team=world.own_team)
    client.force_login(user)
    client.get(url(world.nominal))
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.nominal_id, event.detail) == (user, world.nominal.pk, {"page": "supervision"})


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REGIONAL_LEAD, Role.ADMINISTRATOR])
def test_anyone_outside_the_team_gets_404(client, role):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.other_team))
    assert client.get(url(world.nominal)).status_code == 404
    client.force_login(member(role, region=world.region if role == Role.REGIONAL_LEAD else None))
    assert client.get(url(world.nominal)).status_code == 404


def busy_record(world, contacts: int) -> User:
    """A Fixed person with `contacts` contacts (each with two attendees), absences, standards,
    decisions and planned appointments."""
    on_cohort(world.nominal, "fixed")
    worker = case_worker(world)
    probation = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    for index in range(contacts):
        attended_by(contact(world.nominal, TODAY - dt.timedelta(days=index % 50)), worker, probation)
    for days in (5, 6):
        contact(world.nominal, TODAY - dt.timedelta(days=days), outcome=Outcome.UNACCEPTABLE_ABSENCE)
    for days in (-1, 1, 3):
        attended_by(contact(world.nominal, TODAY + dt.timedelta(days=days), outcome=""), worker)
    services.set_contact_standard(
        actor=worker, nominal=world.nominal, contacts_per_week=4, reason="Higher risk"
    )
    services.record_enforcement_action(
        actor=worker,
        nominal=world.nominal,
        kind=EnforcementAction.Kind.NO_FURTHER_ACTION,
        reason="Illness",
        decided_on=TODAY - dt.timedelta(days=30),
    )
    return worker


@pytest.mark.parametrize(("contacts", "page", "rows"), [(3, 1, 5), (40, 1, 20), (40, 2, 20)])
def test_the_query_count_does_not_grow_with_contacts_or_attendees(
    client, django_assert_num_queries, contacts, page, rows
):
    world = build_world()
    client.force_login(busy_record(world, contacts))
    # session, user, memberships; nominal with team and case team; audit insert;
    # standard in force (membership with its cohort default; the person's latest standard);
    # standard history; compliance (cohort settings, memberships, standards, counting contacts);
    # enforcement (cohort settings, cohorts, absences, decisions); enforcement history;
    # planned appointments and their attendees; contacts count, page, and their attendees
    with django_assert_num_queries(22):
        response = client.get(url(world.nominal), {"page": page})
    assert len(response.context["page"].object_list) == rows  # the absences are contacts too
    assert response.context["page"].paginator.count == contacts + 2


# The overview panel ----------------------------------------------------------------------


def test_the_overview_summarises_this_week_the_next_appointment_and_the_prompt(client):
    world = build_world()
    on_cohort(world.nominal, "fixed")
    worker = case_worker(world)
    contact(world.nominal, MONDAY)
    contact(world.nominal, TODAY - dt.timedelta(days=10), outcome=Outcome.UNACCEPTABLE_ABSENCE)
    contact(world.nominal, TODAY + dt.timedelta(days=9), outcome="", kind=Contact.Kind.OFFICE)
    visit = contact(world.nominal, TODAY + dt.timedelta(days=2), outcome="", kind=Contact.Kind.HOME_VISIT)
    client.force_login(worker)

    html = client.get(f"/people/{world.nominal.pk}/").content.decode()

    assert "Supervision this week" in html
    assert '1 of 3 <strong class="govuk-tag govuk-tag--blue">2 to go</strong>' in html
    assert f"Home visit, {visit.date:%a %-d %b %Y} at 00:05" in html
    assert "1 unacceptable absence and no enforcement decision recorded. The case team should decide" in html
    assert f'href="/people/{world.nominal.pk}/supervision/">See supervision' in html


def test_the_overview_panel_without_a_cohort_or_appointments(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    html = client.get(f"/people/{world.nominal.pk}/").content.decode()
    assert '<strong class="govuk-tag govuk-tag--grey">Not assessed: Not on a cohort</strong>' in html
    assert "None planned" in html
    assert "The case team should decide" not in html


@pytest.mark.parametrize("contacts", [3, 40])
def test_the_overview_panel_takes_nine_queries_however_busy_the_record(
    rf, django_assert_num_queries, contacts
):
    world = build_world()
    worker = busy_record(world, contacts)
    request = rf.get(f"/people/{world.nominal.pk}/")
    request.user = worker
    # this week's compliance (cohort settings, memberships, standards, counting contacts);
    # the next appointment; enforcement (cohort settings, cohorts, absences, decisions)
    with django_assert_num_queries(9):
        panel = supervision_overview(request, world.nominal)
    assert (panel["week"].week.required, panel["next_appointment"].date) == (4, TODAY + dt.timedelta(days=1))
    assert panel["enforcement"].unanswered == 2
