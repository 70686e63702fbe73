from datetime import date, timedelta

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import CohortMembership, Need, NeedStatus, Nominal, Pathway, UnmetReason
from iom.core.factories import MembershipFactory, TeamFactory, UserFactory
from iom.core.models import AuditEvent, CaseAccessGrant, Role, Team
from supervision.factories import ContactFactory
from supervision.models import Outcome
from tests.actors import build_world, member, member_of_world

pytestmark = pytest.mark.django_db

URL = "/reports/dashboard/"


def on_cohort(
    nominal: Nominal, *, cohort: str = "fixed", status: str = "active", **dates
) -> CohortMembership:
    today = timezone.localdate()
    if status == "active":
        dates.setdefault("entry_date", today - timedelta(days=60))
        dates.setdefault("review_due", today + timedelta(days=60))
    return CohortMembership.objects.create(
        nominal=nominal,
        cohort=cohort,
        status=status,
        proposed_by=UserFactory.create(email="proposer@example.org"),
        proposed_on=today - timedelta(days=90),
        proposal_reason="Prolific burglary",
        **dates,
    )


def manager_of(*teams: Team, **user_fields):
    user = member(Role.MANAGER, team=teams[0], **user_fields)
    for team in teams[1:]:
        MembershipFactory.create(user=user, role=Role.MANAGER, team=team)
    return user


def test_a_manager_sees_their_teams_figures(client):
    world = build_world()
    on_cohort(world.nominal, cohort="fixed")
    on_cohort(NominalFactory.create(team=world.own_team), cohort="flex", status="proposed")
    on_cohort(world.other_nominal, cohort="free")
    client.force_login(manager_of(world.own_team))

    response = client.get(URL)

    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.people, figures.cohorts.fixed, figures.cohorts.free, figures.cohorts.proposed) == (
        2,
        1,
        0,
        1,
    )
    assert response.context["team"] == world.own_team
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">City IOM</h1>' in html
    assert 'name="team"' not in html  # one team: nothing to switch between


def test_every_figure_links_to_the_caseload_filtered_to_its_people(client):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    world.nominal.police_offender_manager = worker
    world.nominal.save()
    on_cohort(world.nominal)
    Need.objects.create(
        nominal=world.nominal,
        pathway=Pathway.ACCOMMODATION,
        status=NeedStatus.UNMET,
        unmet_reason=UnmetReason.NO_SERVICE,
        updated_on=timezone.localdate(),
    )
    client.force_login(manager_of(world.own_team))

    html = client.get(URL).content.decode()

    team = f"/people/?team={world.own_team.pk}&amp;"
    for query in [
        "cohort=fixed",
        "cohort=flex",
        "cohort=free",
        "cohort=proposed",
        "review=overdue",
        "review=due_soon",
        "custody=pre_release",
        "allocated=none",
        f"worker={worker.pk}",
        *(f"need={pathway.value}" for pathway in Pathway),
    ]:
        assert f'href="{team}{query}"' in html, query


def test_a_manager_of_several_teams_sees_the_first_by_name_and_may_switch(client):
    world = build_world()
    client.force_login(manager_of(world.other_team, world.own_team))

    first = client.get(URL)
    assert first.context["team"] == world.own_team  # City IOM before County IOM
    assert [team.name for team in first.context["teams"]] == ["City IOM", "County IOM"]
    html = first.content.decode()
    assert f'<option value="{world.own_team.pk}" selected>City IOM</option>' in html
    assert f'<option value="{world.other_team.pk}">County IOM</option>' in html

    assert client.get(URL, {"team": world.other_team.pk}).context["team"] == world.other_team


def test_a_manager_asking_for_a_team_they_do_not_manage_gets_404(client):
    world = build_world()
    client.force_login(manager_of(world.own_team))
    assert client.get(URL, {"team": world.other_team.pk}).status_code == 404
    assert client.get(URL, {"team": "not-a-number"}).status_code == 404


@pytest.mark.parametrize(
    "role",
    [
        Role.POLICE_OFFENDER_MANAGER,
        Role.PROBATION_PRACTITIONER,
        Role.SUPPORT_WORKER,
        Role.REGIONAL_LEAD,
        Role.NATIONAL,
        Role.PARTNER,
        Role.ADMINISTRATOR,
    ],
)
def test_anyone_but_a_manager_gets_404(client, role):
    world = build_world()
    client.force_login(member_of_world(role, world))
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"team": world.own_team.pk}).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_viewing_the_dashboard_is_audited(client):
    world = build_world()
    user = manager_of(world.own_team)
    client.force_login(user)
    client.get(URL)
    event = AuditEvent.objects.get(action="dashboard.viewed")
    assert (event.actor, event.detail) == (user, {"team_id": world.own_team.pk})


def test_a_team_with_no_people_says_so(client):
    world = build_world()
    empty = TeamFactory.create(name="Empty IOM", region=world.region)
    client.force_login(manager_of(empty))
    html = client.get(URL).content.decode()
    assert "Empty IOM has no people on its caseload yet" in html
    assert "<svg" not in html


def test_charts_are_labelled_images_beside_tables_and_carry_no_inline_styles(client):
    world = build_world()
    member(Role.SUPPORT_WORKER, team=world.own_team, full_name="<script>alert(1)</script>")
    on_cohort(
        world.nominal,
        exit_date=timezone.localdate(),
        exit_reason="completed",
        status="ended",
        entry_date=date(2025, 1, 6),
    )
    Need.objects.create(
        nominal=world.nominal,
        pathway=Pathway.HEALTH,
        status=NeedStatus.UNMET,
        unmet_reason=UnmetReason.NO_SERVICE,
        updated_on=timezone.localdate(),
    )
    client.force_login(manager_of(world.own_team))

    html = client.get(URL).content.decode()

    # Flows, exits by reason, caseload by worker, unmet needs: each an image with a table. Dean
    # was on the Fixed cohort all last week with no contacts: a fifth table lists him as below.
    assert html.count('role="img"') == 4
    assert html.count('<table class="govuk-table') == 5
    assert "0 entries and 1 exits in all." in html
    assert "style=" not in html  # the Content-Security-Policy forbids inline styles
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_navigation_offers_the_dashboard_to_managers_and_marks_it_current(client):
    world = build_world()
    user = manager_of(world.own_team)
    MembershipFactory.create(user=user, role=Role.REGIONAL_LEAD, team=None, region=world.region)
    client.force_login(user)

    def current(url):
        items = client.get(url).context["primary_navigation"]
        return {item["text"]: item["current"] for item in items}

    # Supervision adds the diary, current on none of these pages.
    assert current(URL) == {
        "Caseload": False,
        "Diary": False,
        "Referrals": False,
        "Dashboard": True,
        "Panel": False,
        "Governance reports": False,
        "Partner directory": False,
        "Retention": False,
        "Audit": False,
    }
    assert current("/reports/") == {
        "Caseload": False,
        "Diary": False,
        "Referrals": False,
        "Dashboard": False,
        "Panel": False,
        "Governance reports": True,
        "Partner directory": False,
        "Retention": False,
        "Audit": False,
    }
    assert current("/people/panel/") == {
        "Caseload": False,
        "Diary": False,
        "Referrals": False,
        "Dashboard": False,
        "Panel": True,
        "Governance reports": False,
        "Partner directory": False,
        "Retention": False,
        "Audit": False,
    }
    assert current("/people/") == {
        "Caseload": True,
        "Diary": False,
        "Referrals": False,
        "Dashboard": False,
        "Panel": False,
        "Governance reports": False,
        "Partner directory": False,
        "Retention": False,
        "Audit": False,
    }


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_team(client, django_assert_num_queries, size):
    world = build_world()
    workers = [
        member(role, team=world.own_team) for role in (Role.POLICE_OFFENDER_MANAGER, Role.SUPPORT_WORKER)
    ]
    today = timezone.localdate()
    for index, nominal in enumerate(NominalFactory.create_batch(size, team=world.own_team)):
        nominal.police_offender_manager = workers[index % 2]
        nominal.save()
        on_cohort(nominal, cohort=("fixed", "flex", "free")[index % 3])
        Need.objects.create(
            nominal=nominal,
            pathway=list(Pathway)[index % 7],
            status=NeedStatus.UNMET,
            unmet_reason=UnmetReason.WAITING_LIST,
            updated_on=timezone.localdate(),
        )
        ContactFactory.create(nominal=nominal, date=last_monday(today) + timedelta(days=index % 7))
        for days in (10, 20):
            ContactFactory.create(
                nominal=nominal, date=today - timedelta(days=days), outcome=Outcome.UNACCEPTABLE_ABSENCE
            )
    client.force_login(manager_of(world.own_team))
    # session, user, memberships, managed teams; eight figures (people, cohort sizes, flows,
    # reviews, releases, unallocated, caseload by worker, unmet needs); below the contact standard
    # (people, cohort settings, memberships, standards, contacts, those short); enforcement (people,
    # cohort settings, cohorts, absences, decisions, those due); referrals past their due date;
    # break-glass openings of the last 7 days; audit insert
    with django_assert_num_queries(27):
        response = client.get(URL)
    figures = response.context["figures"]
    assert figures.cohorts.active == size
    # Only the Fixed cohort has a default standard: one contact of three is short.
    assert len(figures.below_standard) == len(range(0, size, 3))
    assert len(figures.enforcement_due) == size


def last_monday(today: date) -> date:
    return today - timedelta(days=today.weekday() + 7)


def test_people_below_the_standard_last_week_and_awaiting_a_decision_link_to_their_supervision(client):
    world = build_world()
    today = timezone.localdate()
    on_cohort(world.nominal, cohort="fixed")
    ContactFactory.create(nominal=world.nominal, date=last_monday(today))
    ContactFactory.create(nominal=world.nominal, date=last_monday(today) + timedelta(days=6))
    met = NominalFactory.create(team=world.own_team, given_name="Mo", family_name="Met")
    on_cohort(met, cohort="fixed")
    for day in range(3):
        ContactFactory.create(nominal=met, date=last_monday(today) + timedelta(days=day))
    absent = NominalFactory.create(team=world.own_team, given_name="Abe", family_name="Absent")
    on_cohort(absent, cohort="flex")
    for days in (3, 30):
        ContactFactory.create(
            nominal=absent, date=today - timedelta(days=days), outcome=Outcome.UNACCEPTABLE_ABSENCE
        )
    client.force_login(manager_of(world.own_team))

    response = client.get(URL)

    figures = response.context["figures"]
    assert [
        (row.name, row.cohort, row.required, row.contacts, row.short) for row in figures.below_standard
    ] == [("Dean Robson", "Fixed", 3, 2, 1)]
    assert [(row.name, row.absences, row.threshold) for row in figures.enforcement_due] == [
        ("Abe Absent", 2, 2)
    ]
    html = " ".join(response.content.decode().split())  # the cells of a row, on one line
    assert f"The week of {last_monday(today):%-d %B %Y}, Monday to Sunday." in html
    for nominal, cells in [
        (world.nominal, '</th> <td class="govuk-table__cell">Fixed</td>'),
        (absent, '</th> <td class="govuk-table__cell govuk-table__cell--numeric">2<span'),
    ]:
        assert (
            f'<a class="govuk-link" href="/people/{nominal.pk}/supervision/">{nominal.full_name}'
            f'<span class="govuk-visually-hidden">: supervision</span></a>{cells}'
        ) in html
    assert "Mo Met" not in html
    # The summary cards count them and lead to the lists.
    assert '<a class="govuk-link govuk-link--no-visited-state" href="#below-standard">' in html
    assert '<a class="govuk-link govuk-link--no-visited-state" href="#enforcement-due">' in html
    assert "Everyone met their contact standard last week" not in html


def test_when_everyone_met_the_standard_and_no_decision_is_due_the_dashboard_says_so(client):
    world = build_world()
    on_cohort(world.nominal, cohort="flex")  # no standard set: not assessed
    client.force_login(manager_of(world.own_team))
    response = client.get(URL)
    html = response.content.decode()
    assert (response.context["figures"].below_standard, response.context["figures"].enforcement_due) == (
        [],
        [],
    )
    assert "Everyone met their contact standard last week." in html
    assert "No one is waiting for an enforcement decision." in html


def test_managers_see_how_often_restricted_records_were_opened_with_break_glass(client):
    world = build_world()
    manager = manager_of(world.own_team)
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    other_team_person = NominalFactory.create(team=world.other_team)
    for nominal, days_ago in (
        (world.nominal, 1),
        (world.nominal, 3),
        (world.nominal, 9),
        (other_team_person, 1),
    ):
        CaseAccessGrant.objects.create(
            nominal_id=nominal.pk,
            user=officer,
            kind=CaseAccessGrant.Kind.BREAK_GLASS,
            reason="Urgent safeguarding call from the hospital",
            granted_by=officer,
            granted_at=timezone.now() - timedelta(days=days_ago),
            expires_at=timezone.now() - timedelta(days=days_ago) + timedelta(hours=4),
        )
    client.force_login(manager)

    response = client.get(URL)

    assert response.context["break_glass"] == 2  # the own team's, in the last 7 days
    html = response.content.decode()
    assert "restricted records opened with break-glass access in the last 7 days" in html
    assert 'href="/people/restricted/break-glass-log/"' in html
