"""The gathering behind a subject access export: everything held on the person, nothing else."""

import datetime
import json
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cohorts.models import (
    Alias,
    Allocation,
    Assessment,
    CohortMembership,
    CohortReview,
    Feedback,
    Goal,
    Need,
    NeedUpdate,
    Nominal,
    NominalChange,
    Offence,
    OffenceCategory,
    TimelineEvent,
)
from dataprotection.models import RetentionDecision, SubjectAccessExport
from dataprotection.selectors.subject_access import POLICE_INTELLIGENCE, subject_access_data
from dataprotection.services.subject_access import subject_access_json
from iom.core import audit
from iom.core.models import AuditEvent, CaseAccessGrant, Role
from partners import services as partner_services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory, ReferralFactory
from partners.models import ReferralEvent
from supervision.models import (
    AppointmentSeries,
    Contact,
    ContactAttendee,
    ContactStandard,
    EnforcementAction,
)
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 4)
POLICE_NOTE = "Seen with two known burglars outside the pawn shop"


def one_of_everything(world, *, note: str = "Talked about the new tenancy.") -> dict[str, Any]:
    """The world's person with a row in every table that can hold something about them, each made with
    the apps' factories or models, and a referral sent and accepted through the services (so the
    disclosure, its recipient and the partner's access are real)."""
    nominal = world.nominal
    manager = member(Role.MANAGER, team=world.own_team)
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    Alias.objects.create(nominal=nominal, name="Deano")
    NominalChange.objects.create(
        nominal=nominal, version=2, field="address_area", old_value="LS1", new_value="LS2", changed_by=officer
    )
    Allocation.objects.create(
        nominal=nominal, role="police_offender_manager", worker=officer, started_on=DAY, allocated_by=manager
    )
    membership = CohortMembership.objects.create(
        nominal=nominal,
        cohort="fixed",
        status="active",
        proposed_by=officer,
        proposed_on=DAY,
        proposal_reason="Persistent burglary",
        entry_date=DAY,
        review_due=DAY + datetime.timedelta(days=90),
    )
    CohortReview.objects.create(
        membership=membership,
        reviewed_on=DAY,
        outcome="continue",
        rationale="Engaging well",
        reviewed_by=manager,
    )
    Assessment.objects.create(
        nominal=nominal, kind="rosh", level="high", assessed_on=DAY, assessed_by=officer
    )
    Offence.objects.create(
        nominal=nominal,
        kind="proven",
        category=OffenceCategory.objects.earliest("pk"),
        occurred_on=DAY,
        recorded_by=officer,
    )
    need = Need.objects.create(nominal=nominal, pathway="accommodation", status="identified", updated_on=DAY)
    NeedUpdate.objects.create(
        need=need, status="identified", note="Sofa surfing", updated_on=DAY, updated_by=officer
    )
    Goal.objects.create(nominal=nominal, in_their_words="Get my own flat", set_on=DAY, recorded_by=officer)
    Feedback.objects.create(
        nominal=nominal,
        given_on=DAY,
        what_helps="My worker listens",
        helps_themes=["worker"],
        recorded_by=officer,
    )
    series = AppointmentSeries.objects.create(
        nominal=nominal,
        kind="office",
        purpose="monitoring",
        weekdays="024",
        time=datetime.time(10, 0),
        starts_on=DAY,
        ends_on=DAY + datetime.timedelta(weeks=4),
        created_by=officer,
    )
    contact = Contact.objects.create(
        nominal=nominal,
        series=series,
        date=DAY,
        time=datetime.time(10, 0),
        kind="office",
        purpose="monitoring",
        outcome="attended_complied",
        notes=note,
        logged_by=officer,
    )
    ContactAttendee.objects.create(contact=contact, user=officer, organisation=officer.organisation)
    police_contact = Contact.objects.create(
        nominal=nominal,
        date=DAY,
        time=datetime.time(15, 0),
        kind="home_visit",
        purpose="monitoring",
        outcome="attended_complied",
        notes=POLICE_NOTE,
        sensitivity="police",
        logged_by=officer,
    )
    TimelineEvent.objects.create(
        nominal=nominal,
        kind="contact",
        occurred_on=DAY,
        summary="Home visit: attended and complied",
        body=POLICE_NOTE,
        visibility="police",
        source_type=ContentType.objects.get_for_model(Contact),
        source_id=police_contact.pk,
        recorded_by=officer,
    )
    ContactStandard.objects.create(
        nominal=nominal, contacts_per_week=2, reason="Stable housing", set_on=DAY, set_by=manager
    )
    EnforcementAction.objects.create(
        nominal=nominal, kind="first_warning", reason="Two absences", decided_on=DAY, recorded_by=manager
    )
    housing = PartnerOrganisationFactory.create(name="Northshire Housing Advice")
    service = PartnerServiceFactory.create(organisation=housing, name="Tenancy support")
    referral = ReferralFactory.create(nominal=nominal, service=service, referred_by=manager)
    partner_services.send_referral(actor=manager, referral=referral)
    partner = member(Role.PARTNER, organisation=housing)
    partner_services.accept_referral(actor=partner, referral=referral)
    CaseAccessGrant.objects.create(nominal_id=nominal.pk, user=officer, kind="allow_list", granted_by=manager)
    RetentionDecision.objects.create(
        nominal_id=nominal.pk,
        team=world.own_team,
        decision="keep",
        reason="Still in touch with probation",
        next_review_on=DAY + datetime.timedelta(days=365),
        decided_by=manager,
    )
    # An earlier export, answered: its files are a copy of the record, so only its facts are exported.
    SubjectAccessExport.objects.create(
        nominal=nominal,
        team=world.own_team,
        requested_by=manager,
        status="succeeded",
        progress=100,
        json_file=f"subject-access/0/earlier-{nominal.pk}.json",
        pdf_file=f"subject-access/0/earlier-{nominal.pk}.pdf",
        json_sha256="a" * 64,
        pdf_sha256="b" * 64,
    )
    audit.record(actor=officer, action="nominal.viewed", target=nominal, nominal_id=nominal.pk)
    return {
        "manager": manager,
        "officer": officer,
        "partner": partner,
        "housing": housing,
        "referral": referral,
    }


def _section(data, key):
    return next(section for section in data.sections if section.key == key)


def test_every_table_related_to_the_person_is_a_section_with_their_rows():
    world = build_world()
    one_of_everything(world)

    data = subject_access_data(nominal=world.nominal)

    keys = [section.key for section in data.sections]
    assert len(keys) == len(set(keys)), "a table appears once"
    for relation in Nominal._meta.related_objects:
        assert relation.related_model._meta.label_lower in keys
    children = (
        "cohorts.cohortreview",
        "cohorts.needupdate",
        "supervision.contactattendee",
        "partners.referralevent",
    )
    plain_ids = ("core.auditevent", "core.caseaccessgrant", "dataprotection.retentiondecision")
    for key in (*children, *plain_ids, "guardian.groupobjectpermission"):
        assert key in keys
    empty = [section.key for section in data.sections if section.count == 0]
    assert empty == ["guardian.userobjectpermission"], "one of everything was built"
    assert "dataprotection.subjectaccessexport" in keys


def test_child_tables_come_after_their_parent_and_say_so():
    world = build_world()
    one_of_everything(world)

    data = subject_access_data(nominal=world.nominal)

    keys = [section.key for section in data.sections]
    events = _section(data, "partners.referralevent")
    assert events.parent == "partners.referral"
    assert keys.index("partners.referralevent") > keys.index("partners.referral")
    assert [row.values["to_status"] for row in events.rows] == ["Sent", "Accepted"]


def test_another_persons_rows_are_not_in_the_export():
    world = build_world()
    one_of_everything(world)
    Alias.objects.create(nominal=world.other_nominal, name="Kerrsy")
    audit.record(actor=None, action="nominal.viewed", nominal_id=world.other_nominal.pk)

    data = subject_access_data(nominal=world.nominal)

    assert [row.values["name"] for row in _section(data, "cohorts.alias").rows] == ["Deano"]
    assert json.dumps([s.rows for s in data.sections], default=str).count("Kerrsy") == 0
    assert "Wes" not in str([row.values for row in _section(data, "cohorts.nominal").rows])


def test_values_are_readable_labels_names_and_iso_dates():
    world = build_world()
    made = one_of_everything(world)

    data = subject_access_data(nominal=world.nominal)

    contact = _section(data, "supervision.contact").rows[0].values
    assert contact["outcome"] == "Attended and complied"
    assert contact["date"] == "2025-03-04"
    assert contact["logged_by"] == f"{made['officer'].full_name} (Northshire Police)"
    assert contact["series"] == AppointmentSeries.objects.get().pk, (
        "a row of another exported table is its ID"
    )
    assert "nominal" not in contact, "the person is the subject of every row"
    person = _section(data, "cohorts.nominal").rows[0].values
    assert person["given_name"] == "Dean"
    assert person["team"] == "City IOM"
    assert person["statutory_status"] == "None (voluntary)"


def test_police_intelligence_is_included_and_marked_for_review():
    world = build_world()
    one_of_everything(world)

    data = subject_access_data(nominal=world.nominal)

    contacts = _section(data, "supervision.contact").rows
    flagged = [row for row in contacts if row.review]
    assert [row.values["notes"] for row in flagged] == [POLICE_NOTE]
    assert flagged[0].review == (POLICE_INTELLIGENCE,)
    assert _section(data, "cohorts.timelineevent").rows[0].review == (POLICE_INTELLIGENCE,)
    assert data.review_count == 2


def test_disclosures_are_listed_with_their_recipient():
    world = build_world()
    made = one_of_everything(world)

    data = subject_access_data(nominal=world.nominal)

    audit_rows = _section(data, "core.auditevent").rows
    sent = next(row for row in audit_rows if row.values["action"] == "referral.sent")
    assert sent.values["recipient"] == "Northshire Housing Advice"
    assert sent.values["actor"] == f"{made['manager'].full_name}"
    access_now = _section(data, "guardian.groupobjectpermission").rows
    assert access_now[0].values["group"].startswith(f"Partner organisation {made['housing'].pk}")


def test_audit_events_come_in_the_order_they_happened():
    world = build_world()
    one_of_everything(world)
    AuditEvent.objects.create(
        action="nominal.viewed",
        nominal_id=world.nominal.pk,
        occurred_at=timezone.now() - datetime.timedelta(days=400),
    )

    rows = _section(subject_access_data(nominal=world.nominal), "core.auditevent").rows

    times = [row.values["occurred_at"] for row in rows]
    assert times == sorted(times)
    assert rows[0].values["action"] == "nominal.viewed"


def test_secrets_and_technical_keys_are_left_out_and_listed_as_left_out():
    world = build_world()
    one_of_everything(world)

    data = subject_access_data(nominal=world.nominal)

    left_out = {(exclusion.section, exclusion.field) for exclusion in data.excluded}
    assert ("supervision.contact", "submission_id") in left_out
    assert ("core.auditevent", "ip_address") in left_out
    assert ("dataprotection.subjectaccessexport", "pdf_file") in left_out
    assert ("dataprotection.subjectaccessexport", "json_file") in left_out
    for section in data.sections:
        for column in section.columns:
            assert (section.key, column.key) not in left_out
            assert "password" not in column.key


def test_the_same_data_gives_the_same_document_twice():
    world = build_world()
    made = one_of_everything(world)
    when = timezone.now()

    first = subject_access_json(
        subject_access_data(nominal=world.nominal), generated_at=when, generated_by=str(made["manager"])
    )
    second = subject_access_json(
        subject_access_data(nominal=Nominal.objects.get(pk=world.nominal.pk)),
        generated_at=when,
        generated_by=str(made["manager"]),
    )

    assert first == second


def test_gathering_reads_a_fixed_number_of_queries_however_many_rows(django_assert_max_num_queries):
    world = build_world()
    one_of_everything(world)
    data = subject_access_data(nominal=world.nominal)
    tables = len(data.sections)
    # One query per table, one per kind of row referred to (users, organisations, teams, services,
    # offence categories, groups, permissions, content types) and the content type of the person.
    budget = tables + 10
    with django_assert_max_num_queries(budget):
        subject_access_data(nominal=world.nominal)
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    for day in range(40):
        Contact.objects.create(
            nominal=world.nominal,
            date=DAY + datetime.timedelta(days=day),
            time=datetime.time(9, 0),
            kind="phone",
            purpose="relational_support",
            outcome="attended_complied",
            logged_by=member(Role.SUPPORT_WORKER, team=world.own_team),
        )
        Alias.objects.create(nominal=world.nominal, name=f"Alias {day}")
        audit.record(actor=officer, action="nominal.viewed", nominal_id=world.nominal.pk)
    with django_assert_max_num_queries(budget):
        subject_access_data(nominal=world.nominal)


def test_referral_events_are_only_the_persons(django_assert_max_num_queries):
    world = build_world()
    one_of_everything(world)
    other = ReferralFactory.create(nominal=world.other_nominal)
    ReferralEvent.objects.create(referral=other, kind="progress", note="Not Dean", actor=other.referred_by)

    events = _section(subject_access_data(nominal=world.nominal), "partners.referralevent").rows

    assert "Not Dean" not in [row.values["note"] for row in events]
