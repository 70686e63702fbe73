import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Alias, Allocation, Nominal, NominalChange
from cohorts.services import (
    add_alias,
    add_goal,
    allocate_worker,
    propose_for_cohort,
    record_assessment,
    record_feedback,
    record_panel_decision,
    update_need,
    update_nominal,
)
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def details(nominal, **changes):
    """The details form as the browser posts it, from the record as it is."""
    data = {
        "version": nominal.version,
        "given_name": nominal.given_name,
        "family_name": nominal.family_name,
        "date_of_birth": nominal.date_of_birth.strftime("%d/%m/%Y") if nominal.date_of_birth else "",
        "gender": nominal.gender,
        "ethnicity": nominal.ethnicity,
        "address_area": nominal.address_area,
        "crn": nominal.crn or "",
        "pnc_id": nominal.pnc_id or "",
        "nomis_number": nominal.nomis_number or "",
        "cro_number": nominal.cro_number or "",
        "statutory_status": nominal.statutory_status,
    }
    data.update(changes)
    return data


def input_value(html, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def manager(world):
    return member(Role.MANAGER, team=world.own_team, full_name="Mo Manager")


def test_the_details_page_opens_for_a_manager_with_the_record_filled_in(client, world, manager):
    client.force_login(manager)
    response = client.get(f"/people/{world.nominal.pk}/details/")
    assert response.status_code == 200
    html = response.content.decode()
    assert input_value(html, "given_name") == "Dean"
    assert input_value(html, "crn") == world.nominal.crn
    assert input_value(html, "version") == "1"
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.detail) == (manager, {"page": "details-edit"})


def test_saving_a_change_records_it_and_returns_to_the_overview(client, world, manager):
    client.force_login(manager)
    response = client.post(
        f"/people/{world.nominal.pk}/details/", details(world.nominal, family_name="Robertson", pnc_id="")
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.nominal.pk}/"
    world.nominal.refresh_from_db()
    assert (world.nominal.family_name, world.nominal.version) == ("Robertson", 2)
    assert list(NominalChange.objects.values_list("field", "old_value", "new_value")) == [
        ("family_name", "Robson", "Robertson")
    ]
    assert "Changes saved" in client.get(response["Location"]).content.decode()


def test_a_stale_save_shows_the_other_change_and_keeps_what_the_user_typed(client, world, manager):
    other = member(Role.MANAGER, team=world.own_team, full_name="Priya Shah")
    opened = Nominal.objects.get(pk=world.nominal.pk)
    update_nominal(actor=other, nominal=opened, expected_version=1, changes={"family_name": "Robertson"})
    client.force_login(manager)
    response = client.post(
        f"/people/{world.nominal.pk}/details/", details(opened, given_name="Daniel", address_area="LS6")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this record while you were editing it" in html
    assert "Nothing you entered has been saved" in html
    table = html[html.index("What changed since you started") :]
    assert re.search(
        r"Family name</td>\s*<td[^>]*>Robson</td>\s*<td[^>]*>Robertson</td>\s*<td[^>]*>Priya Shah", table
    )
    # What the user typed is kept, and the form now carries the current version.
    assert (input_value(html, "given_name"), input_value(html, "address_area")) == ("Daniel", "LS6")
    assert input_value(html, "version") == "2"
    world.nominal.refresh_from_db()
    assert (world.nominal.given_name, world.nominal.family_name, world.nominal.version) == (
        "Dean",
        "Robertson",
        2,
    )


def test_saving_again_after_a_conflict_does_not_undo_the_other_change(client, world, manager):
    other = member(Role.MANAGER, team=world.own_team)
    opened = Nominal.objects.get(pk=world.nominal.pk)
    update_nominal(actor=other, nominal=opened, expected_version=1, changes={"family_name": "Robertson"})
    client.force_login(manager)
    html = client.post(
        f"/people/{world.nominal.pk}/details/", details(opened, given_name="Daniel")
    ).content.decode()
    # The field the user did not touch now shows the other person's value.
    assert input_value(html, "family_name") == "Robertson"
    resubmitted = details(opened, given_name="Daniel", family_name="Robertson", version=2)
    assert client.post(f"/people/{world.nominal.pk}/details/", resubmitted).status_code == 302
    world.nominal.refresh_from_db()
    assert (world.nominal.given_name, world.nominal.family_name, world.nominal.version) == (
        "Daniel",
        "Robertson",
        3,
    )


def test_when_both_change_the_same_field_the_users_entry_is_kept_for_them_to_decide(client, world, manager):
    other = member(Role.MANAGER, team=world.own_team)
    opened = Nominal.objects.get(pk=world.nominal.pk)
    update_nominal(actor=other, nominal=opened, expected_version=1, changes={"family_name": "Robertson"})
    client.force_login(manager)
    html = client.post(
        f"/people/{world.nominal.pk}/details/", details(opened, family_name="Robinson")
    ).content.decode()
    assert input_value(html, "family_name") == "Robinson"


def test_an_invalid_pnc_id_is_shown_in_the_error_summary_linked_to_the_field(client, world, manager):
    client.force_login(manager)
    response = client.post(
        f"/people/{world.nominal.pk}/details/", details(world.nominal, pnc_id="2012/0052494A")
    )
    assert response.status_code == 200
    html = response.content.decode()
    message = "The PNC ID&#x27;s check letter is wrong: check the number (it should end in Q)"
    assert f'<a href="#id_pnc_id">{message}</a>' in html
    assert 'id="id_pnc_id_error"' in html
    assert input_value(html, "pnc_id") == "2012/0052494A"
    assert NominalChange.objects.count() == 0


def test_a_team_member_off_the_case_team_may_not_edit(client, world):
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert client.get(f"/people/{world.nominal.pk}/details/").status_code == 403
    assert (
        client.post(
            f"/people/{world.nominal.pk}/details/", details(world.nominal, given_name="X")
        ).status_code
        == 403
    )
    assert Nominal.objects.get(pk=world.nominal.pk).given_name == "Dean"


def test_another_teams_manager_gets_404(client, world):
    client.force_login(member(Role.MANAGER, team=world.other_team))
    assert client.get(f"/people/{world.nominal.pk}/details/").status_code == 404
    assert client.post(f"/people/{world.nominal.pk}/details/", details(world.nominal)).status_code == 404


def test_an_allocated_worker_sees_the_change_link_and_others_do_not(client, world, manager):
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    bystander = member(Role.SUPPORT_WORKER, team=world.own_team)
    allocate_worker(
        actor=manager,
        nominal=world.nominal,
        role=Allocation.Role.SUPPORT_WORKER,
        worker=worker,
        started_on=days_ago(1),
    )
    client.force_login(worker)
    assert (
        f"/people/{world.nominal.pk}/details/" in client.get(f"/people/{world.nominal.pk}/").content.decode()
    )
    client.force_login(bystander)
    assert (
        f"/people/{world.nominal.pk}/details/"
        not in client.get(f"/people/{world.nominal.pk}/").content.decode()
    )


def test_adding_an_alias(client, world, manager):
    client.force_login(manager)
    assert client.get(f"/people/{world.nominal.pk}/aliases/new/").status_code == 200
    response = client.post(f"/people/{world.nominal.pk}/aliases/new/", {"name": "  Deano   Robson "})
    assert response.status_code == 302
    assert list(Alias.objects.values_list("name", flat=True)) == ["Deano Robson"]
    assert AuditEvent.objects.get(action="alias.added").nominal_id == world.nominal.pk
    assert "Deano Robson" in client.get(f"/people/{world.nominal.pk}/").content.decode()


def test_an_alias_already_recorded_is_refused(client, world, manager):
    add_alias(actor=manager, nominal=world.nominal, name="Deano")
    client.force_login(manager)
    response = client.post(f"/people/{world.nominal.pk}/aliases/new/", {"name": "deano"})
    assert response.status_code == 200
    assert "deano is already recorded as an alias" in response.content.decode()
    assert Alias.objects.count() == 1


def test_a_team_member_off_the_case_team_may_not_add_an_alias(client, world):
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    assert client.post(f"/people/{world.nominal.pk}/aliases/new/", {"name": "Deano"}).status_code == 403
    assert not Alias.objects.exists()


def test_the_history_lists_changes_newest_first(client, world, manager):
    update_nominal(
        actor=manager, nominal=world.nominal, expected_version=1, changes={"family_name": "Robertson"}
    )
    update_nominal(actor=manager, nominal=world.nominal, expected_version=2, changes={"address_area": "LS6"})
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    response = client.get(f"/people/{world.nominal.pk}/history/")
    assert [change.field for change in response.context["page"].object_list] == [
        "address_area",
        "family_name",
    ]
    table = response.content.decode().split("<tbody", 1)[1]
    assert table.index("LS6") < table.index("Robertson")
    assert "Mo Manager" in table


def test_the_history_says_when_nothing_has_changed(client, world):
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    html = client.get(f"/people/{world.nominal.pk}/history/").content.decode()
    assert "No one has changed Dean's details since the record was created." in html


def test_the_history_names_fields_as_the_form_does(client, world, manager):
    update_nominal(
        actor=manager, nominal=world.nominal, expected_version=1, changes={"pnc_id": "2012/0052494Q"}
    )
    client.force_login(manager)
    assert ">PNC ID<" in client.get(f"/people/{world.nominal.pk}/history/").content.decode()


def test_the_timeline_can_show_one_kind_of_event(client, world, manager):
    update_nominal(
        actor=manager, nominal=world.nominal, expected_version=1, changes={"family_name": "Robertson"}
    )
    propose_for_cohort(actor=manager, nominal=world.nominal, cohort="flex", reason="Emerging risk")
    client.force_login(manager)
    everything = client.get(f"/people/{world.nominal.pk}/timeline/")
    assert [event.kind for event in everything.context["page"].object_list] == ["cohort", "record"]
    cohort = client.get(f"/people/{world.nominal.pk}/timeline/?kind=cohort")
    assert [event.summary for event in cohort.context["page"].object_list] == ["Proposed for the Flex cohort"]
    assert '<option value="cohort" selected>' in cohort.content.decode()
    unknown = client.get(f"/people/{world.nominal.pk}/timeline/?kind=nonsense")
    assert len(unknown.context["page"].object_list) == 2


def test_the_overview_shows_cohort_case_team_assessments_needs_goals_and_feedback(client, world, manager):
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="PC Sam Hill")
    membership = propose_for_cohort(
        actor=manager, nominal=world.nominal, cohort="fixed", reason="Burglary", proposed_on=days_ago(40)
    )
    record_panel_decision(
        actor=manager,
        membership=membership,
        accepted=True,
        panel_date=days_ago(30),
        attendees="Panel",
        rationale="Meets criteria",
    )
    allocate_worker(
        actor=manager,
        nominal=world.nominal,
        role=Allocation.Role.POLICE_OFFENDER_MANAGER,
        worker=officer,
        started_on=days_ago(1),
    )
    record_assessment(
        actor=manager, nominal=world.nominal, kind="rosh", level="medium", assessed_on=days_ago(20)
    )
    record_assessment(
        actor=manager, nominal=world.nominal, kind="rosh", level="very_high", assessed_on=days_ago(2)
    )
    record_assessment(actor=manager, nominal=world.nominal, kind="ogrs", score=72, assessed_on=days_ago(2))
    update_need(
        actor=manager,
        nominal=world.nominal,
        pathway="accommodation",
        status="unmet",
        unmet_reason="no_service",
        updated_on=days_ago(1),
    )
    update_need(actor=manager, nominal=world.nominal, pathway="ete", status="no_need", updated_on=days_ago(1))
    add_goal(actor=manager, nominal=world.nominal, in_their_words="Get my own flat", set_on=days_ago(1))
    record_feedback(
        actor=manager, nominal=world.nominal, given_on=days_ago(1), what_helps="Seeing the same worker"
    )
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    html = client.get(f"/people/{world.nominal.pk}/").content.decode()
    assert "Fixed: on the cohort" in html
    assert "Review due" in html
    assert "Police: PC Sam Hill" in html
    assert "Risk of serious harm (RoSH): Very high" in html
    assert "Risk of serious harm (RoSH): Medium" not in html
    assert "OGRS score: 72%" in html
    assert "Accommodation: unmet" in html
    assert "Education, training and employment" not in html.split("Needs</dt>")[1].split("</dd>")[0]
    assert "“Get my own flat”" in html
    assert "Seeing the same worker" in html


def test_the_overview_says_what_is_missing(client, world):
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    html = client.get(f"/people/{world.nominal.pk}/").content.decode()
    for text in (
        "Not on a cohort",
        "No one allocated",
        "No assessments recorded",
        "None recorded",
        "No goals recorded yet",
    ):
        assert text in html


def test_the_history_query_count_does_not_grow_with_the_changes(
    client, world, manager, django_assert_num_queries
):
    for version in range(1, 31):
        update_nominal(
            actor=manager,
            nominal=world.nominal,
            expected_version=version,
            changes={"address_area": f"LS{version}"},
        )
    client.force_login(manager)
    # session, user, memberships, nominal with team and case team, audit insert, change count,
    # page of changes with who made them
    with django_assert_num_queries(7):
        response = client.get(f"/people/{world.nominal.pk}/history/")
    assert len(response.context["page"].object_list) == 30


def test_the_overview_needs_row_is_not_blank_when_every_need_is_met_or_absent(client, world, manager):
    update_need(actor=manager, nominal=world.nominal, pathway="ete", status="no_need", updated_on=days_ago(1))
    client.force_login(manager)
    html = client.get(f"/people/{world.nominal.pk}/").content.decode()
    assert "None recorded" in html.split("Needs</dt>")[1].split("</dd>")[0]


@pytest.mark.parametrize(
    "page",
    [
        "details-edit",
        "alias-create",
        "cohort-propose",
        "allocate",
        "assessment-create",
        "custody-edit",
        "offence-create",
        "goal-create",
        "feedback-create",
    ],
)
def test_opening_a_form_on_the_record_is_audited_as_a_consultation(client, world, manager, page):
    client.force_login(manager)
    assert client.get(reverse(f"cohorts:{page}", args=[world.nominal.pk])).status_code == 200
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.nominal_id, event.detail) == (manager, world.nominal.pk, {"page": page})
