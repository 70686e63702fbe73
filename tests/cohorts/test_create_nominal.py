import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cohorts.models import Alias, Nominal, TimelineEvent
from cohorts.services import create_nominal
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def refused(**values):
    with pytest.raises(ValidationError) as refusal:
        create_nominal(**values)
    return refusal.value.message_dict


def test_it_creates_the_person_with_aliases_a_timeline_event_and_an_audit_row():
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    nominal = create_nominal(
        actor=worker,
        team=world.own_team,
        given_name="Ellie",
        family_name="Scott",
        crn=" a123456 ",
        pnc_id="2012/0052494q",
        nomis_number="a1234 bc",
        cro_number="",
        aliases=["Ell Scott", "Elle Scot"],
    )
    nominal.refresh_from_db()
    assert (nominal.team, nominal.full_name, nominal.version) == (world.own_team, "Ellie Scott", 1)
    # Identifiers are kept in one form, and an empty one is no identifier at all.
    assert (nominal.crn, nominal.pnc_id, nominal.nomis_number, nominal.cro_number) == (
        "A123456",
        "2012/0052494Q",
        "A1234BC",
        None,
    )
    assert list(nominal.aliases.values_list("name", flat=True)) == ["Ell Scott", "Elle Scot"]
    event = TimelineEvent.objects.get(nominal=nominal)
    assert (event.kind, event.summary, event.recorded_by, event.source_id) == (
        "record",
        "Record created",
        worker,
        nominal.pk,
    )
    audit = AuditEvent.objects.get(action="nominal.created")
    assert (audit.actor, audit.nominal_id, audit.target_id) == (worker, nominal.pk, str(nominal.pk))


def test_every_team_role_may_add_a_person_to_their_own_team():
    world = build_world()
    for role in (
        Role.PROBATION_PRACTITIONER,
        Role.SUPPORT_WORKER,
        Role.YOUNG_ADULT_SUPPORT_WORKER,
        Role.MANAGER,
    ):
        create_nominal(
            actor=member(role, team=world.own_team), team=world.own_team, given_name=role, family_name="X"
        )
    assert Nominal.objects.filter(team=world.own_team).count() == 5


def test_a_duplicate_identifier_in_the_same_team_links_to_the_existing_record():
    world = build_world()
    world.nominal.pnc_id = "2012/0052494Q"
    world.nominal.save()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    errors = refused(
        actor=worker, team=world.own_team, given_name="Dean", family_name="Robson", pnc_id="2012/0052494q"
    )
    assert errors == {
        "pnc_id": [
            "PNC ID 2012/0052494Q is already recorded for "
            f'<a class="govuk-link" href="/people/{world.nominal.pk}/">Dean Robson</a>'
        ]
    }
    assert Nominal.objects.count() == 2
    assert not AuditEvent.objects.filter(action="nominal.created").exists()


def test_a_duplicate_held_by_another_team_names_neither_the_person_nor_their_team():
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    errors = refused(
        actor=worker, team=world.own_team, given_name="Wes", family_name="Kerr", crn=world.other_nominal.crn
    )
    assert errors == {
        "crn": [
            f"CRN {world.other_nominal.crn} is already recorded for another person. "
            "Ask your IOM manager to resolve the duplicate."
        ]
    }
    assert "<a" not in errors["crn"][0]
    assert "Kerr" not in errors["crn"][0]


def test_the_link_escapes_the_existing_persons_name():
    world = build_world()
    world.nominal.given_name = "<script>alert(1)</script>"
    world.nominal.save()
    errors = refused(
        actor=member(Role.MANAGER, team=world.own_team),
        team=world.own_team,
        given_name="Someone",
        family_name="Else",
        crn=world.nominal.crn,
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Robson</a>" in errors["crn"][0]


def test_bad_identifiers_are_field_errors_and_nothing_is_saved():
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    errors = refused(
        actor=worker,
        team=world.own_team,
        given_name="Ellie",
        family_name="Scott",
        crn="123",
        pnc_id="2012/0052494A",
        nomis_number="A1234",
        cro_number="123456/08M",
        aliases=["Ell"],
    )
    assert errors == {
        "crn": ["Enter a CRN as a capital letter followed by six digits, like X123456"],
        "pnc_id": ["The PNC ID's check letter is wrong: check the number (it should end in Q)"],
        "nomis_number": ["Enter a NOMIS number as a letter, four digits and two letters, like A1234BC"],
        "cro_number": ["The CRO number's check letter is wrong: check the number (it should end in T)"],
    }
    assert Nominal.objects.count() == 2
    assert not Alias.objects.exists()
    assert not TimelineEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="nominal.created").exists()


def test_an_alias_longer_than_the_record_holds_is_a_field_error():
    world = build_world()
    errors = refused(
        actor=member(Role.MANAGER, team=world.own_team),
        team=world.own_team,
        given_name="Ellie",
        family_name="Scott",
        aliases=["x" * 201],
    )
    assert errors == {"aliases": ["Each alias must be 200 characters or fewer"]}
    assert Nominal.objects.count() == 2


@pytest.mark.parametrize("role", [Role.PARTNER, Role.NATIONAL, Role.ADMINISTRATOR])
def test_a_role_without_a_team_may_not_add_a_person(role):
    world = build_world()
    with pytest.raises(PermissionDenied):
        create_nominal(actor=member(role), team=world.own_team, given_name="Ellie", family_name="Scott")
    assert Nominal.objects.count() == 2


def test_a_regional_lead_may_not_add_a_person():
    world = build_world()
    with pytest.raises(PermissionDenied):
        create_nominal(
            actor=member(Role.REGIONAL_LEAD, region=world.region),
            team=world.own_team,
            given_name="Ellie",
            family_name="Scott",
        )


def test_a_worker_may_not_add_a_person_to_another_team():
    world = build_world()
    with pytest.raises(PermissionDenied):
        create_nominal(
            actor=member(Role.MANAGER, team=world.own_team),
            team=world.other_team,
            given_name="Ellie",
            family_name="Scott",
        )
    assert not Nominal.objects.filter(given_name="Ellie").exists()
