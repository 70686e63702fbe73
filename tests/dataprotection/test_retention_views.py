"""The retention review pages: the list, a person's review, and the erasure confirmation."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import Nominal, RetentionStatus
from dataprotection.factories import RetentionDecisionFactory, left_iom
from dataprotection.models import RetentionDecision
from dataprotection.services import retention as services
from iom.core.models import AuditEvent, Role
from tests.actors import member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SEVEN_YEARS_AGO = datetime.date(TODAY.year - 7, TODAY.month, min(TODAY.day, 28))
NEXT_YEAR = TODAY + datetime.timedelta(days=365)
LIST = reverse("dataprotection:retention")


@pytest.fixture
def due(world, manager):
    left_iom(world.nominal, on=SEVEN_YEARS_AGO, by=manager)
    return world.nominal


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


def review_url(nominal: Nominal) -> str:
    return reverse("dataprotection:retention-review", args=[nominal.pk])


def erase_url(nominal: Nominal) -> str:
    return reverse("dataprotection:retention-erase", args=[nominal.pk])


# The list ---------------------------------------------------------------------------------------


def test_the_list_shows_who_is_due_with_when_they_left(signed_in, due):
    response = signed_in.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Robson, Dean" in page
    assert due.crn in page
    assert f"{SEVEN_YEARS_AGO.day} {SEVEN_YEARS_AGO:%b %Y}" in page
    assert "7\xa0years ago" in page  # timesince keeps the number and its unit together
    assert review_url(due) in page
    assert "no-store" in response["Cache-Control"]
    viewed = AuditEvent.objects.get(action="retention.list_viewed")
    assert viewed.detail == {"view": "due", "filtered": False, "page": 1}


def test_the_list_says_when_no_one_is_due(signed_in):
    assert "No one is due for review" in signed_in.get(LIST).content.decode()


def test_the_list_says_people_never_on_a_cohort_count_from_their_record(signed_in, world):
    NominalFactory.create(team=world.own_team, created_at=timezone.now() - datetime.timedelta(days=8 * 365))
    page = signed_in.get(LIST).content.decode()
    assert "never on a cohort: record made" in page


def test_the_restricted_tab_lists_restricted_records_only(signed_in, due, manager):
    services.restrict_after_review(actor=manager, nominal=due, reason="No longer needed")
    assert "Robson" not in signed_in.get(LIST).content.decode()
    page = signed_in.get(LIST, {"view": "restricted"}).content.decode()
    assert "Robson, Dean" in page
    assert "1 person restricted after review" in page


def test_the_decisions_tab_names_people_and_hides_erased_names(signed_in, due, manager, world):
    services.keep_after_review(
        actor=manager, nominal=due, reason="Open investigation", next_review_on=NEXT_YEAR
    )
    other = NominalFactory.create(team=world.own_team, family_name="Maddox")
    left_iom(other, on=SEVEN_YEARS_AGO, by=manager)
    services.erase_personal_data(actor=manager, nominal=other, reason="Retention period over")
    page = signed_in.get(LIST, {"view": "decisions"}).content.decode()
    assert "Dean Robson" in page
    assert "Open investigation" in page
    assert "Erased record" in page
    assert "Maddox" not in page


def test_the_decisions_tab_withholds_the_reason_on_a_restricted_case_the_manager_may_not_open(
    signed_in, due, manager, world
):
    services.keep_after_review(
        actor=manager, nominal=due, reason="Robson's sister is the victim", next_review_on=NEXT_YEAR
    )
    Nominal.objects.filter(pk=due.pk).update(access_restricted=True)  # the manager is not on its allow-list

    page = signed_in.get(LIST, {"view": "decisions"}).content.decode()

    assert "Restricted case" in page
    assert "Reason withheld: restricted record" in page
    assert "sister" not in page


@pytest.mark.parametrize("role", [Role.POLICE_OFFENDER_MANAGER, Role.NATIONAL, Role.ADMINISTRATOR])
def test_the_list_is_not_there_for_anyone_but_managers(client, world, role):
    client.force_login(member(role, team=world.own_team if role == Role.POLICE_OFFENDER_MANAGER else None))
    assert client.get(LIST).status_code == 404


def _many_due(world, manager, count: int) -> None:
    for _ in range(count):
        person = NominalFactory.create(team=world.own_team)
        left_iom(person, on=SEVEN_YEARS_AGO, by=manager)
        RetentionDecisionFactory.create(
            nominal_id=person.pk,
            team=world.own_team,
            decision="keep",
            next_review_on=TODAY,
            decided_by=manager,
        )


# Queries for a page of the "Due for review" and "Restricted" tabs, whatever its size: session,
# user, the user's memberships, the teams they manage (filter form), their open
# case grants (restricted cases), count, the page of people with their facts (subqueries), and the
# audit row (insert).
LIST_QUERIES = 8


@pytest.mark.parametrize("count", [1, 30])
def test_the_due_list_reads_a_fixed_number_of_queries(
    signed_in, world, manager, count, django_assert_num_queries
):
    _many_due(world, manager, count)
    with django_assert_num_queries(LIST_QUERIES):
        assert signed_in.get(LIST).status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_the_restricted_list_reads_a_fixed_number_of_queries(
    signed_in, world, manager, count, django_assert_num_queries
):
    _many_due(world, manager, count)
    Nominal.objects.filter(team=world.own_team).update(retention_status=RetentionStatus.RESTRICTED)
    with django_assert_num_queries(LIST_QUERIES):
        assert signed_in.get(LIST, {"view": "restricted"}).status_code == 200


# The decisions tab: session, user, memberships, teams, count, the page of decisions (with
# who made them), the user's open case grants, the people the page names (one query), the audit row.
DECISION_QUERIES = 9


@pytest.mark.parametrize("count", [1, 30])
def test_the_decisions_list_reads_a_fixed_number_of_queries(
    signed_in, world, manager, count, django_assert_num_queries
):
    _many_due(world, manager, count)
    with django_assert_num_queries(DECISION_QUERIES):
        assert signed_in.get(LIST, {"view": "decisions"}).status_code == 200


def test_the_list_pages_through_many_people(signed_in, world, manager):
    _many_due(world, manager, 30)
    first = signed_in.get(LIST).content.decode()
    assert "Showing 1 to 25 of 30" in first
    assert signed_in.get(LIST, {"page": 2}).status_code == 200


# A person's review ------------------------------------------------------------------------------


def test_the_review_page_offers_keep_restrict_and_erase_for_a_due_record(signed_in, due):
    response = signed_in.get(review_url(due))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Due for review" in page
    for label in ("Keep until a later review", "Restrict: hide from normal use", "Erase personal data"):
        assert label in page
    assert "Return to normal use" not in page
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="retention.review_viewed", nominal_id=due.pk).exists()


def test_keeping_a_record_sets_its_next_review(signed_in, due):
    response = signed_in.post(
        review_url(due),
        {
            "decision": "keep",
            "reason": "Linked to an open case",
            "next_review_on": NEXT_YEAR.strftime("%d/%m/%Y"),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == LIST
    assert "record kept until its next review" in response.content.decode()
    decision = RetentionDecision.objects.get()
    assert (decision.decision, decision.next_review_on) == ("keep", NEXT_YEAR)


def test_keeping_without_a_reason_or_a_date_shows_the_errors(signed_in, due):
    response = signed_in.post(review_url(due), {"decision": "keep"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter the reason for the decision" in page
    assert "Enter the date of the next review" in page
    assert not RetentionDecision.objects.exists()


def test_a_next_review_in_the_past_is_refused_with_the_services_words(signed_in, due):
    response = signed_in.post(
        review_url(due),
        {"decision": "keep", "reason": "Needed", "next_review_on": TODAY.strftime("%d/%m/%Y")},
    )
    assert "The next review must be after today" in response.content.decode()


def test_restricting_hides_the_record_from_the_team(signed_in, due, world):
    response = signed_in.post(review_url(due), {"decision": "restrict", "reason": "No longer needed"})
    assert response.status_code == 302
    assert Nominal.objects.get(pk=due.pk).retention_status == RetentionStatus.RESTRICTED
    officer = Client()
    officer.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert "Robson" not in officer.get(reverse("cohorts:caseload")).content.decode()
    assert officer.get(reverse("cohorts:nominal-detail", args=[due.pk])).status_code == 404
    assert signed_in.get(reverse("cohorts:nominal-detail", args=[due.pk])).status_code == 404


def test_choosing_to_erase_goes_to_the_confirmation(signed_in, due):
    response = signed_in.post(review_url(due), {"decision": "erase"})
    assert response.status_code == 302
    assert response["Location"] == erase_url(due)
    assert Nominal.objects.get(pk=due.pk).family_name == "Robson"


def test_a_restricted_record_offers_return_to_use_and_erase(signed_in, due, manager):
    services.restrict_after_review(actor=manager, nominal=due, reason="No longer needed")
    page = signed_in.get(review_url(due)).content.decode()
    assert "Restricted after review" in page
    assert "Return to normal use" in page
    assert "Keep until a later review" not in page
    response = signed_in.post(
        review_url(due),
        {
            "decision": "return_to_use",
            "reason": "Arrested again",
            "next_review_on": NEXT_YEAR.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    assert Nominal.objects.get(pk=due.pk).retention_status == ""


def test_a_record_not_due_has_nothing_to_decide(signed_in, world):
    response = signed_in.get(review_url(world.nominal))
    page = response.content.decode()
    assert "Not due for review" in page
    assert 'name="decision"' not in page
    signed_in.post(review_url(world.nominal), {"decision": "restrict", "reason": "x"})
    assert not RetentionDecision.objects.exists()


def test_another_teams_person_is_not_found_and_the_attempt_logged(signed_in, world, manager):
    left_iom(world.other_nominal, on=SEVEN_YEARS_AGO, by=manager)
    assert signed_in.get(review_url(world.other_nominal)).status_code == 404
    assert AuditEvent.objects.filter(
        action="nominal.access_denied", nominal_id=world.other_nominal.pk
    ).exists()


def test_an_erased_record_is_not_found(signed_in, due, manager):
    services.erase_personal_data(actor=manager, nominal=due, reason="Retention period over")
    assert signed_in.get(review_url(due)).status_code == 404
    assert signed_in.get(erase_url(due)).status_code == 404


# Erasure ----------------------------------------------------------------------------------------


def test_the_erasure_page_says_what_will_be_deleted(signed_in, due, manager):
    page = signed_in.get(erase_url(due)).content.decode()
    assert "This cannot be undone" in page
    assert "Cohort memberships" in page
    assert "Type the person&#x27;s family name to confirm" in page
    assert AuditEvent.objects.filter(action="retention.erasure_viewed", nominal_id=due.pk).exists()


def test_erasure_needs_the_family_name_typed(signed_in, due):
    response = signed_in.post(erase_url(due), {"reason": "Retention period over", "family_name": "Robinson"})
    assert response.status_code == 200
    assert "does not match" in response.content.decode()
    assert Nominal.objects.get(pk=due.pk).retention_status == ""


def test_erasing_removes_the_personal_data_and_says_so(signed_in, due):
    response = signed_in.post(
        erase_url(due), {"reason": "Retention period over", "family_name": " robson "}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{LIST}?view=decisions"
    page = response.content.decode()
    assert "Dean Robson&#x27;s personal data erased" in page
    erased = Nominal.objects.get(pk=due.pk)
    assert (erased.retention_status, erased.family_name) == (RetentionStatus.ERASED, "record")
    assert AuditEvent.objects.filter(action="nominal.erased", nominal_id=due.pk).exists()


def test_a_record_not_due_cannot_be_erased_from_the_page(signed_in, world):
    response = signed_in.get(erase_url(world.nominal))
    assert response.status_code == 302
    assert response["Location"] == review_url(world.nominal)
    signed_in.post(erase_url(world.nominal), {"reason": "x", "family_name": "Robson"})
    assert Nominal.objects.get(pk=world.nominal.pk).retention_status == ""
