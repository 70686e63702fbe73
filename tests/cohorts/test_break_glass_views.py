"""Break-glass pages: opening a restricted record by its identifier or from its link, and the
managers' log of openings (cohorts/views/restriction.py)."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.factories import NominalFactory
from iom.core import audit
from iom.core.models import AuditEvent, CaseAccessGrant, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

SEARCH = reverse("cohorts:break-glass-search")
LOG = reverse("cohorts:break-glass-log")
REASON = "Urgent call from the custody suite about him"


@pytest.fixture
def world():
    world: Any = build_world()  # with the people these tests name added
    world.manager = member(Role.MANAGER, team=world.own_team, full_name="Maya Shah")
    services.restrict_case(
        actor=world.manager, nominal=world.nominal, allowed_users=[], reason="Staff member"
    )
    world.nominal.refresh_from_db()
    return world


@pytest.fixture
def officer(world):
    return member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Tom Reed")


def test_the_caseload_links_to_the_break_glass_search_and_shows_nothing_of_the_restricted_record(
    client, world, officer
):
    client.force_login(officer)
    response = client.get(reverse("cohorts:caseload"))
    html = response.content.decode()
    assert SEARCH in html
    assert "Robson" not in html
    assert response.context["page"].paginator.count == 0


def test_an_identifier_and_a_reason_open_the_record_with_a_warning(client, world, officer):
    client.force_login(officer)
    response = client.post(SEARCH, {"identifier": world.nominal.crn.lower(), "reason": REASON}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cohorts:nominal-detail", args=[world.nominal.pk])
    html = response.content.decode()
    grant = CaseAccessGrant.objects.get(kind="break_glass", user=officer)
    until = timezone.localtime(grant.expires_at).strftime("%H:%M")
    assert f"You opened this restricted record with break-glass access until {until}." in html
    assert "Your reason and every page you open are recorded and shown to the team&#x27;s managers." in html


def test_no_match_gives_one_answer_and_is_logged(client, world, officer):
    NominalFactory.create(team=world.other_team, crn="B222222", access_restricted=True)
    client.force_login(officer)
    for identifier in ("B222222", "Z999999"):
        response = client.post(SEARCH, {"identifier": identifier, "reason": REASON})
        assert response.status_code == 200
        assert "No restricted record in your teams has that identifier." in response.content.decode()
    assert AuditEvent.objects.filter(action="break_glass.no_match", actor=officer).count() == 2


def test_the_search_needs_a_reason_of_ten_characters(client, world, officer):
    client.force_login(officer)
    html = client.post(SEARCH, {"identifier": world.nominal.crn, "reason": "urgent"}).content.decode()
    assert "There is a problem" in html
    assert "at least 10 characters" in html
    assert not CaseAccessGrant.objects.filter(kind="break_glass").exists()


def test_the_search_is_for_people_with_a_caseload(client, world):
    client.force_login(member(Role.NATIONAL))
    assert client.get(SEARCH).status_code == 404


def test_the_break_glass_page_of_a_record_opens_it_for_the_team(client, world, officer):
    client.force_login(officer)
    url = reverse("cohorts:break-glass", args=[world.nominal.pk])
    html = client.get(url).content.decode()
    assert f"CRN {world.nominal.crn}" in html
    assert "Robson" not in html  # the name stays hidden until the glass is broken
    response = client.post(url, {"reason": REASON})
    assert response["Location"] == reverse("cohorts:nominal-detail", args=[world.nominal.pk])
    assert client.get(response["Location"]).status_code == 200


def test_showing_the_break_glass_form_with_the_crn_is_logged_as_a_consultation(client, world, officer):
    client.force_login(officer)
    url = reverse("cohorts:break-glass", args=[world.nominal.pk])

    client.get(url)
    client.post(url, {"reason": "short"})  # refused: the form again, not a second look logged

    viewed = AuditEvent.objects.get(action="break_glass.form_viewed")
    assert (viewed.actor, viewed.nominal_id) == (officer, world.nominal.pk)
    assert audit.kind_of(viewed.action) == audit.CONSULTATION


def test_the_break_glass_page_of_another_teams_record_is_not_found_and_the_attempt_logged(client, world):
    outsider = member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team)
    client.force_login(outsider)
    assert client.get(reverse("cohorts:break-glass", args=[world.nominal.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="nominal.access_denied", actor=outsider).exists()
    assert not AuditEvent.objects.filter(action="break_glass.form_viewed").exists()


def _opening(world, user, *, reason=REASON, days_ago=0):
    grant = services.break_glass(actor=user, nominal=world.nominal, reason=reason)
    if days_ago:
        earlier = timezone.now() - dt.timedelta(days=days_ago)
        CaseAccessGrant.objects.filter(pk=grant.pk).update(
            granted_at=earlier, expires_at=earlier + dt.timedelta(hours=4)
        )
    return grant


def test_managers_see_the_openings_of_their_teams_newest_first_with_the_reason(client, world, officer):
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Ann Cole")
    _opening(world, officer, reason="Custody suite called at night", days_ago=2)
    _opening(world, worker, reason="Court tomorrow, need the risk")
    client.force_login(world.manager)
    response = client.get(LOG)
    rows = response.context["rows"]
    assert [grant.user.full_name for grant, _ in rows] == ["Ann Cole", "Tom Reed"]
    html = response.content.decode()
    assert "Custody suite called at night" in html
    # The manager is on the allow-list, so the record is named and linked.
    assert [person for _, person in rows] == [world.nominal, world.nominal]
    assert reverse("cohorts:nominal-detail", args=[world.nominal.pk]) in html


def test_a_manager_not_on_the_allow_list_sees_the_crn_not_the_name(client, world, officer):
    _opening(world, officer)
    other_manager = member(Role.MANAGER, team=world.own_team)
    client.force_login(other_manager)
    html = client.get(LOG).content.decode()
    assert f"Restricted record, CRN {world.nominal.crn}" in html
    assert "Robson" not in html


def test_the_log_counts_the_pages_opened_while_the_glass_was_broken(client, world, officer):
    _opening(world, officer)
    client.force_login(officer)
    client.get(reverse("cohorts:nominal-detail", args=[world.nominal.pk]))
    client.get(reverse("cohorts:nominal-timeline", args=[world.nominal.pk]))
    client.force_login(world.manager)
    [(grant, _)] = client.get(LOG).context["rows"]
    assert grant.pages_opened == 2


def test_the_log_filters_by_user_identifier_and_date(client, world, officer):
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Ann Cole")
    _opening(world, officer, days_ago=10)
    _opening(world, worker)
    client.force_login(world.manager)

    def users(query):
        return [grant.user.full_name for grant, _ in client.get(LOG, query).context["rows"]]

    assert users({"user": officer.pk}) == ["Tom Reed"]
    assert users({"identifier": world.nominal.crn.lower()}) == ["Ann Cole", "Tom Reed"]
    assert users({"identifier": "Z999999"}) == []
    since = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert users({"since": since}) == ["Ann Cole"]


def test_the_log_shows_nothing_of_other_teams(client, world, officer):
    _opening(world, officer)
    client.force_login(member(Role.MANAGER, team=world.other_team))
    response = client.get(LOG)
    assert response.context["rows"] == []
    assert "No one has used break-glass access" in response.content.decode()


def test_the_log_is_for_managers(client, world, officer):
    client.force_login(officer)
    assert client.get(LOG).status_code == 404


def test_the_log_reads_a_page_in_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    for number in range(30):
        _opening(world, member(Role.SUPPORT_WORKER, team=world.own_team, full_name=f"Worker {number:02d}"))
    client.force_login(world.manager)
    client.get(LOG)  # warm the session
    # The session, the user, the user's memberships, the users who broke the glass (the filter), the
    # count, the page of openings (each with its CRN and pages opened as subqueries), the names of the
    # people the manager may open, and the audit row of this viewing.
    with django_assert_num_queries(8):
        response = client.get(LOG)
    assert len(response.context["rows"]) == 25
