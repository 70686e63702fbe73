"""My diary and the team diary: what each shows, to whom, and what it costs."""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from iom.core.factories import MembershipFactory, TeamFactory
from iom.core.models import AuditEvent, Role, User
from supervision.compliance import week_starting
from supervision.factories import ContactFactory
from supervision.models import Contact, ContactAttendee
from tests.actors import build_world, member, member_of_world

pytestmark = pytest.mark.django_db

MY_DIARY = "/diary/"
TEAM_DIARY = "/diary/team/"


def appointment(nominal, day: dt.date, time: dt.time, *attendees: User, **fields) -> Contact:
    """A hand-built appointment (planned unless an outcome is given) and who attends it."""
    fields.setdefault("outcome", "")
    contact = ContactFactory.create(nominal=nominal, date=day, time=time, **fields)
    for user in attendees:
        ContactAttendee.objects.create(contact=contact, user=user, organisation=user.organisation)
    return contact


def a_future_week() -> dt.date:
    # Two weeks ahead: every appointment in it is still planned, whatever the time of day.
    return week_starting(timezone.localdate()) + dt.timedelta(weeks=2)


def diary_of_one_week(world):
    """3 appointments for me, 1 for a colleague, 1 in another team, 1 the week after."""
    me = member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Mo Probation")
    colleague = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Cal Police")
    elsewhere = member(Role.PROBATION_PRACTITIONER, team=world.other_team, full_name="Ola Elsewhere")
    week = a_future_week()
    nominal = world.nominal
    mine = [
        appointment(nominal, week, dt.time(9, 30), me, location="Probation office"),
        appointment(nominal, week + dt.timedelta(days=2), dt.time(14, 0), me, kind=Contact.Kind.HOME_VISIT),
        appointment(nominal, week + dt.timedelta(days=4), dt.time(11, 0), me, colleague, kind="joint_visit"),
    ]
    colleagues = appointment(nominal, week + dt.timedelta(days=1), dt.time(10, 0), colleague)
    # Attended by me, but the person belongs to a team I am not in: never mine to see.
    other_team = appointment(world.other_nominal, week + dt.timedelta(days=1), dt.time(15, 0), elsewhere, me)
    next_week = appointment(nominal, week + dt.timedelta(days=7), dt.time(9, 0), me)
    return me, colleague, week, mine, colleagues, other_team, next_week


def rows_in(html: str) -> int:
    return html.count('<tr class="govuk-table__row">')


def test_my_week_lists_exactly_my_appointments_in_the_week(client):
    world = build_world()
    me, _, week, mine, colleagues, other_team, next_week = diary_of_one_week(world)
    client.force_login(me)
    response = client.get(MY_DIARY, {"view": "week", "week": week.isoformat()})
    assert response.status_code == 200
    listed = [entry.contact.pk for day in response.context["days"] for entry in day.entries]
    assert listed == [contact.pk for contact in mine]
    assert [day.date for day in response.context["days"]] == [week + dt.timedelta(days=n) for n in range(7)]
    html = response.content.decode()
    assert "Probation office" in html
    assert "Home visit" in html
    assert "Cal Police (Northshire Police)" in html  # the joint visit's other attendee
    assert f'href="/people/{world.nominal.pk}/"' in html
    assert "Kerr" not in html  # the other team's person
    # Four days without appointments say so.
    assert html.count("No appointments.") == 4
    assert colleagues.pk not in listed
    assert other_team.pk not in listed
    assert next_week.pk not in listed


def test_the_next_week_holds_the_next_weeks_appointment(client):
    world = build_world()
    me, _, week, _, _, _, next_week = diary_of_one_week(world)
    client.force_login(me)
    response = client.get(MY_DIARY, {"view": "week", "week": (week + dt.timedelta(weeks=1)).isoformat()})
    assert [e.contact.pk for day in response.context["days"] for e in day.entries] == [next_week.pk]


def test_today_is_the_default_view_and_lists_todays_appointments(client):
    world = build_world()
    me = member(Role.SUPPORT_WORKER, team=world.own_team)
    today = timezone.localdate()
    todays = appointment(world.nominal, today, dt.time(0, 0), me, outcome="attended_complied")
    appointment(world.nominal, today + dt.timedelta(days=1), dt.time(9, 0), me)
    client.force_login(me)
    response = client.get(MY_DIARY)
    assert response.context["view"] == "today"
    assert [e.contact.pk for day in response.context["days"] for e in day.entries] == [todays.pk]
    html = response.content.decode()
    assert f"Today, {today:%A} {today.day} {today:%b %Y}" in html
    assert "(today)" not in html  # the heading names the day
    assert "Attended and complied" in html
    assert 'href="?view=today" aria-current="page"' in html


def test_an_empty_day_and_an_empty_week_say_so(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    html = client.get(MY_DIARY).content.decode()
    assert "You have no appointments today." in html
    assert "None: every appointment you attended has its outcome recorded." in html
    assert "Your team has no custody visits planned in the next 4 weeks." in html
    assert "No one your team manages is due out of custody in the next 4 weeks." in html
    html = client.get(MY_DIARY, {"view": "week"}).content.decode()
    assert "You have no appointments this week." in html
    assert html.count("No appointments.") == 7
    assert html.count("(today)") == 1


def test_a_past_appointment_without_an_outcome_needs_one_and_links_to_recording_it(client):
    world = build_world()
    me = member(Role.SUPPORT_WORKER, team=world.own_team)
    past_week = week_starting(timezone.localdate()) - dt.timedelta(weeks=2)
    missed = appointment(world.nominal, past_week, dt.time(10, 0), me)
    held = appointment(
        world.nominal, past_week + dt.timedelta(days=1), dt.time(10, 0), me, outcome="attended_failed"
    )
    planned = appointment(world.nominal, a_future_week(), dt.time(10, 0), me)
    client.force_login(me)

    response = client.get(MY_DIARY, {"week": past_week.isoformat()})
    entries = {e.contact.pk: e.outcome_needed for day in response.context["days"] for e in day.entries}
    assert entries == {missed.pk: True, held.pk: False}
    html = response.content.decode()
    assert html.count("Outcome needed") == 1
    assert "Attended and failed to comply" in html
    assert f'href="/contacts/{missed.pk}/outcome/"' in html

    # Listed under "Outcomes to record" whatever week is shown.
    response = client.get(MY_DIARY)
    assert [contact.pk for contact in response.context["outcomes_due"]] == [missed.pk]
    assert "1 appointment whose time has passed with no outcome recorded" in response.content.decode()

    response = client.get(MY_DIARY, {"week": a_future_week().isoformat()})
    html = response.content.decode()
    assert [e.contact.pk for day in response.context["days"] for e in day.entries] == [planned.pk]
    assert "Planned" in html
    assert "govuk-tag--orange" not in html


def test_only_the_oldest_twenty_outcomes_due_are_listed_with_the_total(client):
    world = build_world()
    me = member(Role.SUPPORT_WORKER, team=world.own_team)
    first = timezone.localdate() - dt.timedelta(days=60)
    for day in range(25):
        appointment(world.nominal, first + dt.timedelta(days=day), dt.time(9, 0), me)
    client.force_login(me)
    response = client.get(MY_DIARY)
    assert len(response.context["outcomes_due"]) == 20
    assert response.context["outcomes_due"][0].date == first
    assert "25 appointments whose time has passed with no outcome recorded: the oldest 20 are shown" in (
        response.content.decode()
    )


def test_upcoming_custody_visits_are_the_teams_planned_ones_in_the_next_four_weeks(client):
    world = build_world()
    me = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    colleague = member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Pat Practitioner")
    today = timezone.localdate()
    custody = {"kind": Contact.Kind.CUSTODY_VISIT, "location": "HMP Northshire, legal visits"}
    soon = appointment(world.nominal, today + dt.timedelta(days=3), dt.time(10, 0), colleague, **custody)
    appointment(world.nominal, today + dt.timedelta(days=40), dt.time(10, 0), me, **custody)
    appointment(world.nominal, today + dt.timedelta(days=5), dt.time(10, 0), me, kind=Contact.Kind.OFFICE)
    appointment(
        world.nominal,
        today + dt.timedelta(days=6),
        dt.time(10, 0),
        me,
        outcome=Contact.Outcome.CANCELLED_BY_SERVICE,
        **custody,
    )
    appointment(world.other_nominal, today + dt.timedelta(days=3), dt.time(10, 0), **custody)
    client.force_login(me)
    response = client.get(MY_DIARY)
    assert [contact.pk for contact in response.context["custody_visits"]] == [soon.pk]
    html = response.content.decode()
    assert "HMP Northshire, legal visits" in html
    assert "Pat Practitioner" in html


def test_upcoming_releases_show_the_date_and_establishment(client):
    world = build_world()
    me = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    today = timezone.localdate()

    def in_custody(team, days, **fields):
        return NominalFactory.create(
            team=team, in_custody=True, conditional_release_date=today + dt.timedelta(days=days), **fields
        )

    due = in_custody(world.own_team, 10, establishment="HMP Leeds", family_name="Zubair", given_name="Ali")
    later = in_custody(world.own_team, 3, family_name="Young", given_name="Bo")
    in_custody(world.own_team, 60)
    in_custody(world.other_team, 5)
    NominalFactory.create(team=world.own_team, conditional_release_date=today + dt.timedelta(days=4))
    client.force_login(me)
    response = client.get(MY_DIARY)
    assert [nominal.pk for nominal in response.context["releases"]] == [later.pk, due.pk]
    html = response.content.decode()
    assert "Zubair, Ali" in html
    assert "HMP Leeds" in html
    assert (today + dt.timedelta(days=10)).strftime("%-d %b %Y") in html
    assert f'href="/people/{due.pk}/"' in html


def test_week_navigation_links_to_the_weeks_either_side_and_back(client):
    world = build_world()
    me = member(Role.SUPPORT_WORKER, team=world.own_team)
    client.force_login(me)
    week = a_future_week()
    html = client.get(MY_DIARY, {"view": "week", "week": week.isoformat()}).content.decode()
    before, after = week - dt.timedelta(weeks=1), week + dt.timedelta(weeks=1)
    assert f'href="?view=week&amp;week={before.isoformat()}" rel="prev"' in html
    assert f'href="?view=week&amp;week={after.isoformat()}" rel="next"' in html
    this_week = week_starting(timezone.localdate())
    assert f'href="?view=week&amp;week={this_week.isoformat()}">Go to this week' in html


def test_a_day_inside_a_week_shows_its_whole_week(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    week = a_future_week()
    response = client.get(MY_DIARY, {"week": (week + dt.timedelta(days=3)).isoformat()})
    assert response.context["view"] == "week"
    assert response.context["week"] == week


@pytest.mark.parametrize(
    "params",
    [
        {"week": "next tuesday"},
        {"week": "2026-02-30"},
        {"week": "0001-01-01"},
        {"week": "9999-12-31"},
        {"week": ""},
        {"week": "2026-13-01", "view": "week"},
        {"view": "fortnight"},
        {"view": "week", "week": "1" * 5000},
    ],
)
def test_bad_parameters_fall_back_to_this_week_or_today(client, params):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    for url in (MY_DIARY, TEAM_DIARY):
        response = client.get(url, {**params, "worker": "nobody", "team": "x"})
        assert response.status_code == 200
        assert response.context["week"] == week_starting(timezone.localdate())
    assert client.get(MY_DIARY, params).context["view"] in ("today", "week")


@pytest.mark.parametrize("count", [5, 30])
def test_my_diary_costs_the_same_number_of_queries_however_full(client, django_assert_num_queries, count):
    world = build_world()
    me = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    colleague = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    week = week_starting(timezone.localdate())
    people = NominalFactory.create_batch(count, team=world.own_team, in_custody=True)
    for n, nominal in enumerate(people):
        appointment(nominal, week + dt.timedelta(days=n % 7), dt.time(9, n), me, colleague)
        appointment(nominal, week - dt.timedelta(days=n + 1), dt.time(9, 0), me)  # outcome needed
        # Upcoming from today, not from the week's start, so the visits are listed on any weekday.
        appointment(
            nominal,
            timezone.localdate() + dt.timedelta(days=n % 20),
            dt.time(11, 0),
            colleague,
            kind="custody_visit",
        )
        nominal.conditional_release_date = timezone.localdate() + dt.timedelta(days=n % 20)
        nominal.save()
    client.force_login(me)
    # Session and user; memberships; the week and its attendance; the audit row; the oldest
    # outcomes due and their attendance, and how many are due; custody visits and their
    # attendance; releases.
    with django_assert_num_queries(12):
        response = client.get(MY_DIARY, {"view": "week"})
    assert response.context["appointments"] == count


@pytest.mark.parametrize("count", [5, 30])
def test_the_team_diary_costs_the_same_number_of_queries_however_full(
    client, django_assert_num_queries, count
):
    world = build_world()
    me = member(Role.MANAGER, team=world.own_team)
    workers = [member(Role.SUPPORT_WORKER, team=world.own_team) for _ in range(3)]
    week = week_starting(timezone.localdate())
    for n in range(count):
        appointment(world.nominal, week + dt.timedelta(days=n % 7), dt.time(8, n), *workers[: n % 3 + 1])
    client.force_login(me)
    # Session and user; memberships; teams; staff; the count and the page of the week with its attendance;
    # the audit row.
    with django_assert_num_queries(9):
        response = client.get(TEAM_DIARY)
    assert response.context["appointments"] == count


def test_the_team_diary_shows_the_teams_week_sorted_by_day_and_time(client):
    world = build_world()
    _, colleague, week, mine, colleagues, *_ = diary_of_one_week(world)
    unattended = appointment(world.nominal, week, dt.time(8, 0))
    client.force_login(colleague)
    response = client.get(TEAM_DIARY, {"week": week.isoformat()})
    listed = [e.contact.pk for day in response.context["days"] for e in day.entries]
    assert listed == [unattended.pk, mine[0].pk, colleagues.pk, mine[1].pk, mine[2].pk]
    html = response.content.decode()
    assert "No one recorded" in html
    assert "Kerr" not in html
    assert "5 appointments." in html


def test_the_team_diary_filters_by_worker_and_ignores_a_worker_outside_the_team(client):
    world = build_world()
    me, colleague, week, mine, colleagues, other_team, _ = diary_of_one_week(world)
    client.force_login(me)

    def listed(**params):
        response = client.get(TEAM_DIARY, {"week": week.isoformat(), **params})
        assert response.status_code == 200
        return [e.contact.pk for day in response.context["days"] for e in day.entries]

    assert listed(worker=colleague.pk) == [colleagues.pk, mine[2].pk]
    assert listed(worker=me.pk) == [c.pk for c in mine]
    everyone = [mine[0].pk, colleagues.pk, mine[1].pk, mine[2].pk]
    outsider = other_team.attendance.exclude(user=me).get().user
    assert listed(worker=outsider.pk) == everyone
    assert listed(worker="999999") == everyone
    html = client.get(TEAM_DIARY, {"week": week.isoformat(), "worker": colleague.pk}).content.decode()
    assert f'<option value="{colleague.pk}" selected>' in html
    assert "attended by Cal Police" in html
    assert 'name="team"' not in html  # one team: no team filter


def test_someone_in_two_teams_can_narrow_the_team_diary_to_one(client):
    world = build_world()
    _, _, week, _, _, other_team, _ = diary_of_one_week(world)
    manager = member(Role.MANAGER, team=world.own_team)
    MembershipFactory.create(user=manager, role=Role.MANAGER, team=world.other_team)
    client.force_login(manager)

    def listed(**params):
        response = client.get(TEAM_DIARY, {"week": week.isoformat(), **params})
        return [e.contact.pk for day in response.context["days"] for e in day.entries]

    both = listed()
    assert other_team.pk in both
    assert len(both) == 5
    assert listed(team=world.other_team.pk) == [other_team.pk]
    assert other_team.pk not in listed(team=world.own_team.pk)
    assert listed(team=TeamFactory.create().pk) == both
    html = client.get(TEAM_DIARY).content.decode()
    assert 'name="team"' in html
    assert "All your teams" in html


def test_viewing_a_diary_is_audited_once_per_request(client):
    world = build_world()
    me, _, week, *_ = diary_of_one_week(world)
    client.force_login(me)
    client.get(MY_DIARY, {"week": week.isoformat()})
    event = AuditEvent.objects.get(action="diary.viewed")
    assert event.actor == me
    assert event.detail == {
        "diary": "mine",
        "view": "week",
        "from": week.isoformat(),
        "to": (week + dt.timedelta(days=6)).isoformat(),
    }
    client.get(TEAM_DIARY, {"week": week.isoformat(), "worker": me.pk})
    events = AuditEvent.objects.filter(action="diary.viewed").order_by("id")
    assert events.count() == 2
    assert events[1].detail == {
        "diary": "team",
        "page": 1,
        "from": week.isoformat(),
        "to": (week + dt.timedelta(days=6)).isoformat(),
        "team_id": None,
        "worker_id": me.pk,
    }
    # One event for the page, none per person shown.
    assert not AuditEvent.objects.filter(action="nominal.viewed").exists()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REGIONAL_LEAD, Role.NATIONAL, Role.ADMINISTRATOR])
@pytest.mark.parametrize("url", [MY_DIARY, TEAM_DIARY, "/diary/my-diary.ics"])
def test_people_without_a_caseload_are_told_there_is_no_such_page(client, role, url):
    world = build_world()
    client.force_login(member_of_world(role, world))
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="diary.").exists()


@pytest.mark.parametrize("url", [MY_DIARY, TEAM_DIARY])
def test_the_diaries_answer_get_only(client, url):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert client.post(url).status_code == 405


def navigation(client, url):
    return {item["text"]: item["current"] for item in client.get(url).context["primary_navigation"]}


def test_workers_have_a_diary_item_current_on_both_diaries(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    others = {"Referrals": False, "Partner directory": False}
    assert navigation(client, MY_DIARY) == {"Caseload": False, "Diary": True, **others}
    assert navigation(client, TEAM_DIARY) == {"Caseload": False, "Diary": True, **others}
    assert navigation(client, "/people/") == {"Caseload": True, "Diary": False, **others}
    assert navigation(client, f"/people/{world.nominal.pk}/") == {"Caseload": True, "Diary": False, **others}
    # The person's supervision pages are part of their record, so under Caseload.
    assert navigation(client, f"/people/{world.nominal.pk}/contacts/new/") == {
        "Caseload": True,
        "Diary": False,
        **others,
    }


def test_managers_see_the_diary_beside_their_other_items(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    others = {"Referrals": False, "Partner directory": False, "Retention": False, "Audit": False}
    assert navigation(client, MY_DIARY) == {
        "Caseload": False,
        "Diary": True,
        "Dashboard": False,
        "Panel": False,
        "Governance reports": False,
        **others,
    }
    assert navigation(client, "/people/panel/") == {
        "Caseload": False,
        "Diary": False,
        "Dashboard": False,
        "Panel": True,
        "Governance reports": False,
        **others,
    }


@pytest.mark.parametrize("role", [Role.REGIONAL_LEAD, Role.PARTNER, Role.ADMINISTRATOR])
def test_people_without_a_caseload_have_no_diary_item(client, role):
    world = build_world()
    client.force_login(member_of_world(role, world))
    items = client.get("/", follow=True).context["primary_navigation"]
    assert "Diary" not in [item["text"] for item in items]


def test_a_busy_teams_week_is_paged_and_a_later_page_shows_only_its_own_days(client):
    world = build_world()
    me = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    week = a_future_week()
    # 100 on Monday, 2 on Wednesday: the second page starts on Wednesday.
    Contact.objects.bulk_create(
        [
            Contact(
                nominal=world.nominal,
                date=week,
                time=dt.time(8 + n // 60, n % 60),
                kind="office",
                purpose="monitoring",
                logged_by=me,
            )
            for n in range(100)
        ]
    )
    appointment(world.nominal, week + dt.timedelta(days=2), dt.time(9, 0), me)
    appointment(world.nominal, week + dt.timedelta(days=2), dt.time(10, 0), me)
    client.force_login(me)

    first = client.get(TEAM_DIARY, {"week": week.isoformat()})
    second = client.get(TEAM_DIARY, {"week": week.isoformat(), "page": 2})

    assert first.context["appointments"] == 102
    assert sum(len(day.entries) for day in first.context["days"]) == 100
    assert "Page 1 of 2" in first.content.decode()
    # Monday and Tuesday are on the first page, not "empty" on the second; Thursday to Sunday are.
    assert [(day.date, len(day.entries)) for day in second.context["days"]] == [
        (week + dt.timedelta(days=offset), 2 if offset == 2 else 0) for offset in range(2, 7)
    ]
    assert [day.date for day in first.context["days"]] == [week]
    assert 'rel="prev"' in second.content.decode()
