"""The gathering behind a subject access export: everything held on the person, nothing else."""

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from cohorts.models import Alias, Nominal
from dataprotection.models import RetentionDecision, SubjectAccessExport
from dataprotection.selectors.subject_access import POLICE_INTELLIGENCE, subject_access_data
from dataprotection.services.subject_access import subject_access_json
from iom.core import audit
from iom.core.models import AuditEvent, Role
from partners.factories import ReferralFactory
from partners.models import ReferralEvent
from supervision.models import AppointmentSeries, Contact
from tests.actors import build_world, member
from tests.dataprotection import everything

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 4)
POLICE_NOTE = "Seen with two known burglars outside the pawn shop"


def one_of_everything(world, *, note: str = everything.NOTE) -> dict[str, Any]:
    """The world's person with a row in every table that can hold something about them
    (tests/dataprotection/everything.py) on DAY, police intelligence among them, a retention
    decision and an earlier export."""
    manager = member(Role.MANAGER, team=world.own_team)
    made = everything.one_of_everything(world, manager=manager, day=DAY, note=note, police_note=POLICE_NOTE)
    RetentionDecision.objects.create(
        nominal_id=world.nominal.pk,
        team=world.own_team,
        decision="keep",
        reason="Still in touch with probation",
        next_review_on=DAY + datetime.timedelta(days=365),
        decided_by=manager,
    )
    # An earlier export, answered: its files are a copy of the record, so only its facts are exported.
    SubjectAccessExport.objects.create(
        nominal=world.nominal,
        team=world.own_team,
        requested_by=manager,
        status="succeeded",
        progress=100,
        json_file=f"subject-access/0/earlier-{world.nominal.pk}.json",
        pdf_file=f"subject-access/0/earlier-{world.nominal.pk}.pdf",
        json_sha256="a" * 64,
        pdf_sha256="b" * 64,
    )
    return made


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
