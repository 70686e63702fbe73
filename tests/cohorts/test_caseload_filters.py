import csv
import datetime
import io

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import Allocation, CohortMembership, Need, Nominal
from cohorts.services import (
    add_alias,
    allocate_worker,
    propose_for_cohort,
    record_assessment,
    record_panel_decision,
    record_review,
    update_need,
)
from iom.core.factories import MembershipFactory
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def days(offset):
    return TODAY() + datetime.timedelta(days=offset)


def names(response):
    assert response.status_code == 200
    return sorted(nominal.full_name for nominal in response.context["page"].object_list)


def ordered(response):
    return [nominal.full_name for nominal in response.context["page"].object_list]


def person(team, given_name, family_name="Test", **fields):
    return NominalFactory.create(team=team, given_name=given_name, family_name=family_name, **fields)


def propose(manager, nominal, cohort="fixed"):
    return propose_for_cohort(
        actor=manager, nominal=nominal, cohort=cohort, reason="Persistent burglary", proposed_on=days(-90)
    )


def on_cohort(manager, nominal, cohort="fixed", *, review_due=None):
    membership = record_panel_decision(
        actor=manager,
        membership=propose(manager, nominal, cohort),
        accepted=True,
        panel_date=days(-80),
        attendees="Panel",
        rationale="Meets the criteria",
    )
    if review_due is not None:
        # The panel sets the date from the cohort's interval; the boundaries need exact dates.
        CohortMembership.objects.filter(pk=membership.pk).update(review_due=review_due)
    return membership


def rosh(manager, nominal, level, on):
    return record_assessment(actor=manager, nominal=nominal, kind="rosh", level=level, assessed_on=on)


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def manager(world):
    return member(Role.MANAGER, team=world.own_team)


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


def test_the_cohort_filter_separates_fixed_flex_proposed_and_none(world, manager, signed_in):
    on_cohort(manager, person(world.own_team, "Fixed"), "fixed")
    on_cohort(manager, person(world.own_team, "Flex"), "flex")
    propose(manager, person(world.own_team, "Proposed"), "fixed")
    declined = person(world.own_team, "Declined")
    record_panel_decision(
        actor=manager,
        membership=propose(manager, declined),
        accepted=False,
        panel_date=days(-1),
        attendees="Panel",
        rationale="No",
    )
    left = person(world.own_team, "Left")
    record_review(
        actor=manager,
        membership=on_cohort(manager, left),
        reviewed_on=days(-1),
        outcome="exit",
        exit_reason="completed",
        rationale="Done",
    )
    assert names(signed_in.get("/people/?cohort=fixed")) == ["Fixed Test"]
    assert names(signed_in.get("/people/?cohort=flex")) == ["Flex Test"]
    assert names(signed_in.get("/people/?cohort=free")) == []
    assert names(signed_in.get("/people/?cohort=proposed")) == ["Proposed Test"]
    assert names(signed_in.get("/people/?cohort=none")) == ["Dean Robson", "Declined Test", "Left Test"]


def test_the_team_filter_narrows_a_worker_in_two_teams(world, client):
    worker = member(Role.MANAGER, team=world.own_team)
    MembershipFactory.create(user=worker, role=Role.PROBATION_PRACTITIONER, team=world.other_team)
    client.force_login(worker)
    assert names(client.get("/people/")) == ["Dean Robson", "Wes Kerr"]
    assert names(client.get(f"/people/?team={world.own_team.pk}")) == ["Dean Robson"]
    assert names(client.get(f"/people/?team={world.other_team.pk}")) == ["Wes Kerr"]


def test_a_team_that_is_not_yours_is_refused_and_reaches_no_one(world, manager, signed_in):
    response = signed_in.get(f"/people/?team={world.other_team.pk}")
    assert names(response) == ["Dean Robson"]
    assert "There is a problem" in response.content.decode()


def test_the_worker_filter_finds_people_in_any_place_on_the_case_team(world, manager, signed_in):
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    both = person(world.own_team, "Both")
    police_only = person(world.own_team, "Police")
    for nominal in (both, police_only):
        allocate_worker(
            actor=manager,
            nominal=nominal,
            role=Allocation.Role.POLICE_OFFENDER_MANAGER,
            worker=officer,
            started_on=days(-5),
        )
    allocate_worker(
        actor=manager,
        nominal=both,
        role=Allocation.Role.PROBATION_PRACTITIONER,
        worker=practitioner,
        started_on=days(-5),
    )
    assert names(signed_in.get(f"/people/?worker={officer.pk}")) == ["Both Test", "Police Test"]
    assert names(signed_in.get(f"/people/?worker={practitioner.pk}")) == ["Both Test"]


def test_the_worker_filter_works_for_someone_who_has_since_left_the_team(world, manager, signed_in):
    # The team dashboard links each allocated worker's figure here, whoever they are now.
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    nominal = person(world.own_team, "Kept")
    allocate_worker(
        actor=manager,
        nominal=nominal,
        role=Allocation.Role.POLICE_OFFENDER_MANAGER,
        worker=officer,
        started_on=days(-5),
    )
    officer.memberships.update(team=world.other_team)
    officer.is_active = False
    officer.save()
    response = signed_in.get(f"/people/?team={world.own_team.pk}&worker={officer.pk}")
    assert names(response) == ["Kept Test"]
    assert "There is a problem" not in response.content.decode()


def test_the_statutory_status_filter(world, signed_in):
    person(world.own_team, "Licence", statutory_status="licence")
    person(world.own_team, "Order", statutory_status="community_order")
    assert names(signed_in.get("/people/?statutory_status=licence")) == ["Licence Test"]
    assert names(signed_in.get("/people/?statutory_status=none")) == ["Dean Robson"]


def test_the_risk_filter_uses_only_the_latest_rosh(world, manager, signed_in):
    lowered = person(world.own_team, "Lowered")
    rosh(manager, lowered, "high", days(-30))
    rosh(manager, lowered, "low", days(-2))
    raised = person(world.own_team, "Raised")
    rosh(manager, raised, "medium", days(-30))
    rosh(manager, raised, "very_high", days(-2))
    # An older assessment recorded later does not replace the newer one.
    rosh(manager, raised, "low", days(-60))
    other_kind = person(world.own_team, "Scored")
    record_assessment(
        actor=manager, nominal=other_kind, kind="neighbourhood_crime", level="high", assessed_on=days(-1)
    )
    assert names(signed_in.get("/people/?risk=low")) == ["Lowered Test"]
    assert names(signed_in.get("/people/?risk=high")) == []
    assert names(signed_in.get("/people/?risk=very_high")) == ["Raised Test"]
    assert names(signed_in.get("/people/?risk=medium")) == []
    assert "RoSH Very high" in signed_in.get("/people/?risk=very_high").content.decode()


def test_the_custody_filter_and_the_eight_week_release_boundary(world, signed_in):
    person(world.own_team, "Today", in_custody=True, conditional_release_date=days(0))
    person(world.own_team, "Eight", in_custody=True, conditional_release_date=days(56))
    person(world.own_team, "Beyond", in_custody=True, conditional_release_date=days(57))
    person(world.own_team, "Passed", in_custody=True, conditional_release_date=days(-1))
    person(world.own_team, "Undated", in_custody=True)
    person(world.own_team, "Released", in_custody=False, conditional_release_date=days(10))
    assert names(signed_in.get("/people/?custody=pre_release")) == ["Eight Test", "Today Test"]
    assert names(signed_in.get("/people/?custody=in")) == [
        "Beyond Test",
        "Eight Test",
        "Passed Test",
        "Today Test",
        "Undated Test",
    ]
    assert names(signed_in.get("/people/?custody=out")) == ["Dean Robson", "Released Test"]


def test_the_review_filter_boundaries(world, manager, signed_in):
    for given_name, due in (("Yesterday", -1), ("Today", 0), ("Fortnight", 14), ("Later", 15)):
        on_cohort(manager, person(world.own_team, given_name), review_due=days(due))
    propose(manager, person(world.own_team, "Proposed"))
    assert names(signed_in.get("/people/?review=overdue")) == ["Yesterday Test"]
    assert names(signed_in.get("/people/?review=due_soon")) == ["Fortnight Test", "Today Test"]
    html = signed_in.get("/people/?review=overdue").content.decode()
    assert "Overdue" in html


def test_the_unallocated_filter_lists_people_on_a_cohort_with_no_one_on_their_case_team(
    world, manager, signed_in
):
    on_cohort(manager, person(world.own_team, "Alone"))
    propose(manager, person(world.own_team, "Proposed"))
    covered = person(world.own_team, "Covered")
    on_cohort(manager, covered)
    allocate_worker(
        actor=manager,
        nominal=covered,
        role=Allocation.Role.SUPPORT_WORKER,
        worker=member(Role.SUPPORT_WORKER, team=world.own_team),
        started_on=days(-1),
    )
    # Dean Robson is on no cohort, so is not counted as waiting for a case team.
    assert names(signed_in.get("/people/?allocated=none")) == ["Alone Test", "Proposed Test"]


def test_the_need_filter_lists_unmet_needs_on_that_pathway_only(world, manager, signed_in):
    def need(nominal, pathway, status, reason=""):
        update_need(
            actor=manager,
            nominal=nominal,
            pathway=pathway,
            status=status,
            unmet_reason=reason,
            updated_on=days(-1),
        )

    need(person(world.own_team, "Homeless"), "accommodation", "unmet", "no_service")
    need(person(world.own_team, "Waiting"), "accommodation", "identified")
    need(person(world.own_team, "Jobless"), "ete", "unmet", "waiting_list")
    housed = person(world.own_team, "Housed")
    need(housed, "accommodation", "unmet", "no_service")
    need(housed, "accommodation", "met")
    assert names(signed_in.get("/people/?need=accommodation")) == ["Homeless Test"]
    assert names(signed_in.get("/people/?need=ete")) == ["Jobless Test"]


def unmet_need(manager, nominal, pathway, reason):
    update_need(
        actor=manager,
        nominal=nominal,
        pathway=pathway,
        status="unmet",
        unmet_reason=reason,
        updated_on=days(-1),
    )


def test_the_need_reason_filter_narrows_unmet_needs_to_those_unmet_for_that_reason(world, manager, signed_in):
    unmet_need(manager, person(world.own_team, "Nowhere"), "accommodation", "no_service")
    unmet_need(manager, person(world.own_team, "Queued"), "accommodation", "waiting_list")
    unmet_need(manager, person(world.own_team, "Untreated"), "health", "no_service")
    met = person(world.own_team, "Met")
    unmet_need(manager, met, "accommodation", "no_service")
    update_need(actor=manager, nominal=met, pathway="accommodation", status="met", updated_on=days(-1))
    # With a pathway: the reason on that pathway. The pathway alone keeps its meaning.
    assert names(signed_in.get("/people/?need=accommodation&need_reason=no_service")) == ["Nowhere Test"]
    assert names(signed_in.get("/people/?need=accommodation&need_reason=waiting_list")) == ["Queued Test"]
    assert names(signed_in.get("/people/?need=accommodation")) == ["Nowhere Test", "Queued Test"]
    assert names(signed_in.get("/people/?need=health&need_reason=waiting_list")) == []
    # Alone: that reason on any pathway.
    assert names(signed_in.get("/people/?need_reason=no_service")) == ["Nowhere Test", "Untreated Test"]
    rows = export_rows(signed_in.get("/people/export.csv?need=accommodation&need_reason=no_service"))
    assert [row[1] for row in rows[1:]] == ["Nowhere"]


@pytest.mark.parametrize("reason", ["nonsense", "", "NO_SERVICE", "no_service'--"])
def test_an_unknown_need_reason_is_ignored(world, manager, signed_in, reason):
    unmet_need(manager, person(world.own_team, "Nowhere"), "accommodation", "no_service")
    unmet_need(manager, person(world.own_team, "Queued"), "accommodation", "waiting_list")
    response = signed_in.get("/people/", {"need": "accommodation", "need_reason": reason})
    assert names(response) == ["Nowhere Test", "Queued Test"]
    assert response.context["filters"].need_reason == ""
    assert "There is a problem" not in response.content.decode()


def test_the_need_filter_is_shown_in_words_and_kept_when_other_filters_are_applied(world, manager, signed_in):
    unmet_need(manager, person(world.own_team, "Nowhere"), "accommodation", "no_service")
    html = signed_in.get("/people/?need=accommodation&need_reason=no_service").content.decode()
    assert "Unmet need: Accommodation (no service available)" in html
    assert '<input type="hidden" name="need" value="accommodation"' in html
    assert '<input type="hidden" name="need_reason" value="no_service">' in html
    assert (
        "Unmet need on any pathway (on a waiting list)"
        in signed_in.get("/people/?need_reason=waiting_list").content.decode()
    )
    # A pathway that does not exist matches no one and is not described.
    response = signed_in.get("/people/?need=nowhere&need_reason=no_service")
    assert names(response) == []
    assert "Unmet need" not in response.content.decode()


def test_search_finds_aliases_and_every_identifier(world, manager, signed_in):
    known = person(
        world.own_team,
        "Ellie",
        "Scott",
        pnc_id="2012/0052494Q",
        nomis_number="A1234BC",
        cro_number="123456/08T",
    )
    add_alias(actor=manager, nominal=known, name="Ellie 'Sparks' Smith")
    for search in (
        "sparks",
        "SMITH",
        "2012/0052494q",
        "a1234 bc",
        "A1234BC",
        "123456/08T",
        known.crn.lower(),
    ):
        assert names(signed_in.get("/people/", {"q": search})) == ["Ellie Scott"], search
    assert names(signed_in.get("/people/", {"q": "2012/0052494"})) == []


def test_sorting_by_review_due_puts_people_without_a_review_last_both_ways(world, manager, signed_in):
    on_cohort(manager, person(world.own_team, "Soon", "A"), review_due=days(3))
    on_cohort(manager, person(world.own_team, "Later", "B"), review_due=days(30))
    on_cohort(manager, person(world.own_team, "Late", "C"), review_due=days(-3))
    assert ordered(signed_in.get("/people/?sort=review_due")) == [
        "Late C",
        "Soon A",
        "Later B",
        "Dean Robson",
    ]
    assert ordered(signed_in.get("/people/?sort=-review_due")) == [
        "Later B",
        "Soon A",
        "Late C",
        "Dean Robson",
    ]


def test_filters_combine(world, manager, signed_in):
    on_cohort(manager, person(world.own_team, "Match", in_custody=True, conditional_release_date=days(5)))
    on_cohort(manager, person(world.own_team, "Community"))
    propose(manager, person(world.own_team, "Proposed", in_custody=True, conditional_release_date=days(5)))
    assert names(signed_in.get("/people/?cohort=fixed&custody=pre_release")) == ["Match Test"]


@pytest.mark.parametrize(
    "query",
    [
        "cohort=fixed",
        "cohort=proposed",
        "risk=high",
        "custody=pre_release",
        "review=overdue",
        "allocated=none",
        "need=accommodation",
        "need=accommodation&need_reason=no_service",
        "need_reason=no_service",
        "statutory_status=licence",
        "q=Kerr",
        "q=kerralias",
        "q=2012/0052494Q",
    ],
)
def test_no_filter_reaches_another_teams_people(world, client, query):
    other_manager = member(Role.MANAGER, team=world.other_team)
    kerr = world.other_nominal
    kerr.statutory_status = "licence"
    kerr.in_custody = True
    kerr.conditional_release_date = days(5)
    kerr.pnc_id = "2012/0052494Q"
    kerr.save()
    add_alias(actor=other_manager, nominal=kerr, name="Kerralias")
    if query == "cohort=proposed":
        propose(other_manager, kerr)
    else:
        on_cohort(other_manager, kerr, review_due=days(-1))
    rosh(other_manager, kerr, "high", days(-1))
    update_need(
        actor=other_manager,
        nominal=kerr,
        pathway="accommodation",
        status="unmet",
        unmet_reason="no_service",
        updated_on=days(-1),
    )
    # The other team's manager finds Kerr, so the filter itself matches.
    client.force_login(other_manager)
    assert names(client.get(f"/people/?{query}")) == ["Wes Kerr"]
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert "Wes Kerr" not in names(client.get(f"/people/?{query}"))
    assert "Kerr" not in client.get(f"/people/export.csv?{query}").getvalue().decode()


def export_rows(response):
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def test_the_export_is_the_filtered_list_with_a_header_row(world, manager, signed_in):
    on_cohort(manager, person(world.own_team, "Ellie", "Scott", crn="A000001", statutory_status="licence"))
    propose(manager, person(world.own_team, "Paul", "Proposed", crn="A000002"), "flex")
    response = signed_in.get("/people/export.csv?cohort=fixed")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == f'attachment; filename="caseload-{TODAY():%Y-%m-%d}.csv"'
    header, *rows = export_rows(response)
    assert header == [
        "Family name",
        "Given name",
        "CRN",
        "PNC ID",
        "NOMIS number",
        "Team",
        "Cohort",
        "Review due",
        "Risk of serious harm",
        "Statutory status",
        "In custody",
        "Conditional release date",
        "Latest activity",
    ]
    assert [row[:7] for row in rows] == [["Scott", "Ellie", "A000001", "", "", "City IOM", "Fixed"]]
    assert rows[0][9:11] == ["On licence", "No"]


def test_the_export_says_when_someone_is_only_proposed_and_spells_out_their_risk(world, manager, signed_in):
    proposed = person(world.own_team, "Paul", "Proposed")
    propose(manager, proposed, "flex")
    rosh(manager, proposed, "very_high", days(-1))
    rows = export_rows(signed_in.get("/people/export.csv?cohort=proposed"))
    assert rows[1][6] == "Flex (proposed)"
    assert rows[1][8] == "Very high"


def test_the_export_defuses_spreadsheet_formulas(world, signed_in):
    person(world.own_team, '=HYPERLINK("http://evil")', "-2+3")
    rows = export_rows(signed_in.get("/people/export.csv?q=evil"))
    assert rows[1][:2] == ["'-2+3", '\'=HYPERLINK("http://evil")']


def test_the_export_is_audited(world, manager, signed_in):
    on_cohort(manager, person(world.own_team, "Ellie"))
    response = signed_in.get("/people/export.csv?cohort=fixed")
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="caseload.exported")
    assert (event.actor, event.detail) == (manager, {"filtered": True, "rows": 1})


def test_the_export_is_sorted_as_the_page_is(world, manager, signed_in):
    on_cohort(manager, person(world.own_team, "Soon", "A"), review_due=days(3))
    on_cohort(manager, person(world.own_team, "Late", "C"), review_due=days(-3))
    rows = export_rows(signed_in.get("/people/export.csv?sort=review_due"))
    assert [row[1] for row in rows[1:]] == ["Late", "Soon", "Dean"]
    assert rows[1][7] == str(days(-3))


def build_caseload(world, manager, count):
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    support = member(Role.SUPPORT_WORKER, team=world.own_team)
    for index, nominal in enumerate(NominalFactory.create_batch(count, team=world.own_team)):
        on_cohort(manager, nominal, ("fixed", "flex", "free")[index % 3])
        rosh(manager, nominal, "medium", days(-10))
        rosh(manager, nominal, "high", days(-2))
        allocate_worker(
            actor=manager,
            nominal=nominal,
            role=Allocation.Role.POLICE_OFFENDER_MANAGER,
            worker=officer,
            started_on=days(-5),
        )
        allocate_worker(
            actor=manager,
            nominal=nominal,
            role=Allocation.Role.SUPPORT_WORKER,
            worker=support,
            started_on=days(-5),
        )


def test_the_caseload_query_count_does_not_grow_with_the_caseload(
    world, manager, client, django_assert_num_queries
):
    viewer = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    client.force_login(viewer)
    build_caseload(world, manager, 30)
    # session, user, memberships, workers for the filter, count, page of nominals (team, case team,
    # cohort, review date, RoSH and latest activity in one query), audit insert
    with django_assert_num_queries(7):
        response = client.get("/people/?sort=review_due")
    assert len(response.context["page"].object_list) == 25
    build_caseload(world, manager, 30)
    with django_assert_num_queries(7):
        response = client.get("/people/?sort=review_due&risk=high")
    assert response.context["page"].paginator.count == 60
    assert "RoSH High" in response.content.decode()
    Need.objects.bulk_create(
        Need(
            nominal=nominal,
            pathway="accommodation",
            status="unmet",
            unmet_reason="no_service",
            updated_on=days(-1),
        )
        for nominal in Nominal.objects.filter(team=world.own_team)
    )
    with django_assert_num_queries(7):
        response = client.get("/people/?need=accommodation&need_reason=no_service")
    assert response.context["page"].paginator.count == 61
