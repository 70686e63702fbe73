"""Retention decisions: keep, restrict, return to use and erase, each checked, recorded and audited."""

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from guardian.models import GroupObjectPermission, UserObjectPermission

from cohorts import selectors as cohort_selectors
from cohorts.models import CohortReview, NeedUpdate, Nominal, RetentionStatus
from dataprotection.factories import left_iom
from dataprotection.models import RetentionDecision, SubjectAccessExport
from dataprotection.selectors.retention import HeldRows, erasure_counts, rows_held_on
from dataprotection.services import retention as services
from iom.core import access
from iom.core.models import AuditEvent, CaseAccessGrant, Role
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from supervision.models import ContactAttendee
from tests.actors import member
from tests.dataprotection import everything

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SEVEN_YEARS_AGO = TODAY - datetime.timedelta(days=7 * 365)
NEXT_YEAR = TODAY + datetime.timedelta(days=365)


@pytest.fixture
def due(world, manager):
    """The world's person, who left IOM seven years ago."""
    left_iom(world.nominal, on=SEVEN_YEARS_AGO, by=manager)
    return world.nominal


def one_of_everything(world, manager) -> dict[str, Any]:
    """The world's person, gone from IOM seven years, with a row in every table that holds something
    about them (tests/dataprotection/everything.py) and a subject access export asked for."""
    membership = left_iom(world.nominal, on=SEVEN_YEARS_AGO, by=manager)
    made = everything.one_of_everything(
        world, manager=manager, day=SEVEN_YEARS_AGO - datetime.timedelta(days=100), membership=membership
    )
    SubjectAccessExport.objects.create(nominal=world.nominal, team=world.own_team, requested_by=manager)
    return made


# Keep -------------------------------------------------------------------------------------------


def test_keeping_a_due_record_records_the_decision_and_its_next_review(due, manager):
    decision = services.keep_after_review(
        actor=manager, nominal=due, reason="Linked to an open investigation", next_review_on=NEXT_YEAR
    )
    assert (decision.decision, decision.next_review_on, decision.team_id) == ("keep", NEXT_YEAR, due.team_id)
    event = AuditEvent.objects.get(action="retention.reviewed")
    assert event.nominal_id == due.pk
    assert event.detail == {"decision": "keep", "next_review_on": NEXT_YEAR.isoformat()}
    due.refresh_from_db()
    assert due.retention_status == ""


def test_keeping_needs_a_next_review_after_today(due, manager):
    with pytest.raises(ValidationError) as error:
        services.keep_after_review(actor=manager, nominal=due, reason="Needed", next_review_on=TODAY)
    assert "next_review_on" in error.value.message_dict
    assert not RetentionDecision.objects.exists()


def test_every_decision_needs_a_reason(due, manager):
    with pytest.raises(ValidationError) as error:
        services.restrict_after_review(actor=manager, nominal=due, reason="  ")
    assert error.value.message_dict == {"reason": ["Enter the reason for the decision"]}


def test_a_record_not_due_for_review_cannot_be_kept_or_restricted(world, manager):
    left_iom(world.nominal, on=TODAY - datetime.timedelta(days=365), by=manager)
    with pytest.raises(ValidationError, match="not due for retention review"):
        services.keep_after_review(actor=manager, nominal=world.nominal, reason="x", next_review_on=NEXT_YEAR)
    with pytest.raises(ValidationError, match="not due for retention review"):
        services.restrict_after_review(actor=manager, nominal=world.nominal, reason="x")


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFENDER_MANAGER, Role.PROBATION_PRACTITIONER, Role.SUPPORT_WORKER]
)
def test_only_the_teams_managers_review(due, world, role):
    worker = member(role, team=world.own_team)
    with pytest.raises(PermissionDenied):
        services.keep_after_review(actor=worker, nominal=due, reason="x", next_review_on=NEXT_YEAR)


def test_managers_of_another_team_may_not_review(due, world):
    other_manager = member(Role.MANAGER, team=world.other_team)
    with pytest.raises(PermissionDenied):
        services.restrict_after_review(actor=other_manager, nominal=due, reason="x")


def test_a_restricted_case_is_reviewed_only_by_a_manager_on_its_allow_list(due, manager):
    Nominal.objects.filter(pk=due.pk).update(access_restricted=True)
    due.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.restrict_after_review(actor=manager, nominal=due, reason="x")
    CaseAccessGrant.objects.create(nominal_id=due.pk, user=manager, kind="allow_list", granted_by=manager)
    access.forget_cached_access(manager)
    services.restrict_after_review(actor=manager, nominal=due, reason="No longer needed")


# Restrict and return to use ---------------------------------------------------------------------


def test_restricting_hides_the_record_from_the_caseload(due, manager, world):
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    assert due in cohort_selectors.caseload_for(officer)
    services.restrict_after_review(actor=manager, nominal=due, reason="No longer needed for policing")
    due.refresh_from_db()
    assert due.retention_status == RetentionStatus.RESTRICTED
    assert due not in cohort_selectors.caseload_for(officer)
    assert due not in cohort_selectors.caseload_for(manager)
    assert not access.can_view_nominal(manager, due)
    event = AuditEvent.objects.get(action="retention.restricted")
    assert event.nominal_id == due.pk
    assert RetentionDecision.objects.get().decision == "restrict"


def test_a_restricted_record_cannot_be_restricted_again(due, manager):
    services.restrict_after_review(actor=manager, nominal=due, reason="No longer needed")
    due.refresh_from_db()
    with pytest.raises(ValidationError, match="already restricted"):
        services.restrict_after_review(actor=manager, nominal=due, reason="Again")


def test_returning_to_use_brings_the_record_back_until_its_next_review(due, manager, world):
    services.restrict_after_review(actor=manager, nominal=due, reason="No longer needed")
    services.return_to_use(actor=manager, nominal=due, reason="Arrested again", next_review_on=NEXT_YEAR)
    due.refresh_from_db()
    assert due.retention_status == ""
    assert access.can_view_nominal(manager, due)
    event = AuditEvent.objects.get(action="retention.returned_to_use")
    assert event.detail == {"next_review_on": NEXT_YEAR.isoformat()}


def test_only_a_restricted_record_is_returned_to_use(due, manager):
    with pytest.raises(ValidationError, match="not restricted"):
        services.return_to_use(actor=manager, nominal=due, reason="Needed", next_review_on=NEXT_YEAR)


# Erase ------------------------------------------------------------------------------------------


def _rows_pointing_at(nominal_id: int) -> dict[str, int]:
    """Rows of every model with a relation to Nominal that still name the person."""
    found = {}
    for relation in Nominal._meta.related_objects:
        model = relation.related_model
        count = model._base_manager.filter(**{relation.field.name: nominal_id}).count()
        if count:
            found[model._meta.label] = count
    return found


def test_erasure_deletes_every_row_held_on_the_person_and_keeps_the_audit_trail(world, manager):
    made = one_of_everything(world, manager)
    nominal = world.nominal
    audit_before = set(AuditEvent.objects.filter(nominal_id=nominal.pk).values_list("pk", flat=True))
    other_before = _rows_pointing_at(world.other_nominal.pk)
    assert len(_rows_pointing_at(nominal.pk)) == len(Nominal._meta.related_objects)  # one of everything

    erasure = services.erase_personal_data(actor=manager, nominal=nominal, reason="Retention period over")

    assert _rows_pointing_at(nominal.pk) == {}
    assert not CohortReview.objects.exists()
    assert not NeedUpdate.objects.exists()
    assert not ContactAttendee.objects.exists()
    assert not made["referral"].events.exists()
    assert _rows_pointing_at(world.other_nominal.pk) == other_before
    # The audit trail about the person stays, and the erasure joins it.
    assert audit_before < set(AuditEvent.objects.filter(nominal_id=nominal.pk).values_list("pk", flat=True))
    erased = AuditEvent.objects.get(action="nominal.erased")
    assert erased.nominal_id == nominal.pk
    assert erased.detail["deleted"] == erasure.deleted
    assert erased.detail["deleted"]["supervision.Contact"] == 1
    assert erased.detail["deleted"]["cohorts.CohortMembership"] == 1
    assert erased.detail["case_access_grants_revoked"] == 1
    assert "Robson" not in str(erased.detail)
    assert RetentionDecision.objects.get().decision == "erase"


def test_an_erased_record_holds_no_personal_data(due, manager, world):
    Nominal.objects.filter(pk=due.pk).update(
        pnc_id="2009/0123456A",
        nomis_number="A1234BC",
        address_area="LS6",
        gender="male",
        in_custody=True,
        establishment="HMP Leeds",
        licence_expiry_date=TODAY,
        police_offender_manager=member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team),
    )
    services.erase_personal_data(actor=manager, nominal=due, reason="Retention period over")
    erased = Nominal.objects.get(pk=due.pk)
    assert erased.full_name == "Erased record"
    assert (erased.crn, erased.pnc_id, erased.nomis_number, erased.cro_number) == (None, None, None, None)
    assert (erased.date_of_birth, erased.address_area, erased.gender, erased.ethnicity) == (None, "", "", "")
    assert (erased.in_custody, erased.establishment, erased.licence_expiry_date) == (False, "", None)
    assert erased.police_offender_manager_id is None
    assert erased.retention_status == RetentionStatus.ERASED
    assert erased.team_id == world.own_team.pk


def test_erasure_removes_partners_access_and_revokes_case_grants(world, manager):
    made = one_of_everything(world, manager)
    nominal = world.nominal
    assert access.partner_sees_nominal(made["partner"], nominal)
    services.erase_personal_data(actor=manager, nominal=nominal, reason="Retention period over")
    nominal_type = ContentType.objects.get_for_model(Nominal)
    for permissions in (UserObjectPermission, GroupObjectPermission):
        assert not permissions.objects.filter(content_type=nominal_type, object_pk=str(nominal.pk)).exists()
    grant = CaseAccessGrant.objects.get(nominal_id=nominal.pk)
    assert grant.revoked_at is not None
    assert grant.revoked_by == manager


def test_erasure_overwrites_the_reasons_held_on_case_grants(due, manager):
    """The restriction's reason is copied to every allow-list grant, and a break-glass reason says why
    someone opened the record: both may name the person, so neither survives the erasure."""
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=due.team)
    CaseAccessGrant.objects.create(
        nominal_id=due.pk, user=manager, kind="allow_list", reason="Victim is his sister", granted_by=manager
    )
    CaseAccessGrant.objects.create(
        nominal_id=due.pk,
        user=officer,
        kind="break_glass",
        reason="Checking the address of Mr Robson's sister",
        granted_by=officer,
        expires_at=timezone.now(),
    )
    CaseAccessGrant.objects.create(nominal_id=due.pk, user=officer, kind="allow_list", granted_by=manager)

    services.erase_personal_data(actor=manager, nominal=due, reason="Retention period over")

    reasons = sorted(CaseAccessGrant.objects.filter(nominal_id=due.pk).values_list("reason", flat=True))
    assert reasons == ["", services.ERASED_REASON, services.ERASED_REASON]


def test_a_restricted_record_may_be_erased(due, manager):
    services.restrict_after_review(actor=manager, nominal=due, reason="No longer needed")
    due.refresh_from_db()
    services.erase_personal_data(actor=manager, nominal=due, reason="Restricted a year; now erased")
    assert Nominal.objects.get(pk=due.pk).retention_status == RetentionStatus.ERASED


def test_a_record_neither_due_nor_restricted_may_not_be_erased(world, manager):
    with pytest.raises(ValidationError, match="may be erased only"):
        services.erase_personal_data(actor=manager, nominal=world.nominal, reason="Tidying up")
    assert Nominal.objects.get(pk=world.nominal.pk).family_name == "Robson"
    assert not AuditEvent.objects.filter(action="nominal.erased").exists()


def test_a_record_is_erased_once(due, manager):
    services.erase_personal_data(actor=manager, nominal=due, reason="Retention period over")
    due.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.erase_personal_data(actor=manager, nominal=due, reason="Again")


def test_only_the_teams_managers_erase(due, world):
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    with pytest.raises(PermissionDenied):
        services.erase_personal_data(actor=worker, nominal=due, reason="Retention period over")


def test_the_erasure_preview_counts_each_kind_of_row_once(world, manager):
    one_of_everything(world, manager)
    counts = {label: count for label, _, count in erasure_counts(rows_held_on(world.nominal))}
    # The contact belongs to a series too: reached twice, counted once.
    assert counts["supervision.Contact"] == 1
    assert counts["cohorts.CohortReview"] == 1
    assert counts["partners.ReferralEvent"] >= 2


def test_files_of_erased_rows_leave_storage_once_the_erasure_commits(
    due, manager, monkeypatch, django_capture_on_commit_callbacks
):
    # No model holding a file hangs off a person yet; a report run stands in for one added later.
    run = ReportRunFactory.create()
    run.file.save("about-the-person.pdf", ContentFile(b"%PDF-1.7"))
    name = str(run.file.name)
    held_on = services.rows_held_on
    monkeypatch.setattr(
        services, "rows_held_on", lambda nominal: [*held_on(nominal), HeldRows(model=ReportRun, pks=[run.pk])]
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        erasure = services.erase_personal_data(actor=manager, nominal=due, reason="Retention period over")
    assert default_storage.exists(name)  # still there until the transaction commits
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)
    assert erasure.deleted["reports.ReportRun"] == 1
    assert AuditEvent.objects.get(action="nominal.erased").detail["files_deleted"] == 1
