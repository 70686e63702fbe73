"""The audit viewer: administrators read everything, managers their teams' people and staff; filters,
pagination, constant queries, and viewing audited."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iom.core import audit
from iom.core.factories import OrganisationFactory
from iom.core.models import AuditEvent, Role
from tests.actors import member

pytestmark = pytest.mark.django_db

URL = reverse("dataprotection:audit")


@pytest.fixture
def staff(world):
    return {
        "own_worker": member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Priya Shah"),
        "other_worker": member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team, full_name="Owen Hale"),
        "manager": member(Role.MANAGER, team=world.own_team),
        "administrator": member(Role.ADMINISTRATOR),
    }


def event(actor, action="nominal.viewed", *, nominal=None, when=None, **fields):
    recorded = audit.record(
        actor=actor, action=action, nominal_id=nominal.pk if nominal is not None else None, **fields
    )
    if when is not None:
        # The table refuses UPDATE (append-only), so a past event is written as one.
        recorded = AuditEvent.objects.create(
            occurred_at=when,
            actor=actor,
            actor_label=actor.email if actor else "",
            action=action,
            nominal_id=nominal.pk if nominal is not None else None,
        )
    return recorded


def shown(response) -> list[AuditEvent]:
    return [row.event for row in response.context["rows"]]


def test_an_administrator_sees_every_event(client, world, staff):
    mine = event(staff["own_worker"], nominal=world.nominal)
    theirs = event(staff["other_worker"], nominal=world.other_nominal)
    client.force_login(staff["administrator"])
    response = client.get(URL)
    assert response.status_code == 200
    assert {mine, theirs} <= set(shown(response))


def test_a_manager_sees_events_about_their_teams_people_and_by_their_staff_only(client, world, staff):
    about_own_person = event(staff["other_worker"], "nominal.access_denied", nominal=world.nominal)
    by_own_staff = event(staff["own_worker"], "user.signed_in")
    elsewhere = event(staff["other_worker"], nominal=world.other_nominal)
    client.force_login(staff["manager"])
    response = client.get(URL)
    events = shown(response)
    assert about_own_person in events
    assert by_own_staff in events
    assert elsewhere not in events


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFENDER_MANAGER, Role.PARTNER, Role.REGIONAL_LEAD, Role.NATIONAL]
)
def test_people_who_are_neither_managers_nor_administrators_get_404(client, world, role):
    region = world.region if role == Role.REGIONAL_LEAD else None
    team = world.own_team if role == Role.POLICE_OFFENDER_MANAGER else None
    client.force_login(member(role, team=team, region=region))
    assert client.get(URL).status_code == 404
    assert client.get(reverse("dataprotection:audit-export")).status_code == 404


def test_viewing_the_audit_is_itself_audited_with_the_filters(client, world, staff):
    client.force_login(staff["manager"])
    client.get(URL, {"user": "priya", "kind": "consultation", "date_from": "01/11/2026"})
    viewed = AuditEvent.objects.get(action="audit.viewed")
    assert viewed.actor == staff["manager"]
    assert viewed.detail["user"] == "priya"
    assert viewed.detail["kind"] == "consultation"
    assert viewed.detail["date_from"] == "2026-11-01"
    assert audit.kind_of("audit.viewed") == audit.COMBINATION


def test_the_page_is_never_cached(client, staff):
    client.force_login(staff["administrator"])
    assert "no-store" in client.get(URL)["Cache-Control"]


def test_events_are_newest_first(client, world, staff):
    now = timezone.now()
    old = event(staff["own_worker"], nominal=world.nominal, when=now - dt.timedelta(days=3))
    new = event(staff["own_worker"], nominal=world.nominal, when=now - dt.timedelta(days=1))
    client.force_login(staff["administrator"])
    events = shown(client.get(URL, {"action": "nominal.viewed"}))
    assert events.index(new) < events.index(old)


def test_the_user_filter_matches_part_of_an_email_or_name(client, world, staff):
    priya = event(staff["own_worker"], nominal=world.nominal)
    owen = event(staff["other_worker"], nominal=world.other_nominal)
    client.force_login(staff["administrator"])
    events = shown(client.get(URL, {"user": "PRIYA"}))
    assert priya in events
    assert owen not in events


def test_the_person_filter_takes_a_record_number(client, world, staff):
    about = event(staff["own_worker"], nominal=world.nominal)
    other = event(staff["other_worker"], nominal=world.other_nominal)
    client.force_login(staff["administrator"])
    events = shown(client.get(URL, {"person": str(world.nominal.pk)}))
    assert events == [about]
    assert other not in events


def test_a_manager_finds_their_teams_person_by_crn(client, world, staff):
    world.nominal.crn = "A123456"
    world.nominal.save(update_fields=["crn"])
    about = event(staff["own_worker"], nominal=world.nominal)
    client.force_login(staff["manager"])
    assert shown(client.get(URL, {"person": "a123456"})) == [about]


def test_a_crn_of_another_teams_person_is_answered_as_if_nobody_had_it(client, world, staff):
    world.other_nominal.crn = "B654321"
    world.other_nominal.save(update_fields=["crn"])
    client.force_login(staff["manager"])
    elsewhere = client.get(URL, {"person": "B654321"})
    nowhere = client.get(URL, {"person": "Z999999"})
    assert elsewhere.context["form"].errors == nowhere.context["form"].errors
    assert "person" in elsewhere.context["form"].errors
    assert elsewhere.context["rows"] == []


def test_an_administrator_looks_people_up_by_record_number_only(client, world, staff):
    world.nominal.crn = "A123456"
    world.nominal.save(update_fields=["crn"])
    client.force_login(staff["administrator"])
    response = client.get(URL, {"person": "A123456"})
    assert response.context["form"].errors["person"] == ["Enter the person's record number"]


def test_the_kind_filter_shows_only_that_kind(client, world, staff):
    viewed = event(staff["own_worker"], "nominal.viewed", nominal=world.nominal)
    changed = event(staff["own_worker"], "nominal.changed", nominal=world.nominal)
    client.force_login(staff["administrator"])
    events = shown(client.get(URL, {"kind": "alteration"}))
    assert changed in events
    assert viewed not in events


def test_the_action_filter_matches_the_start_of_an_action(client, world, staff):
    sent = event(staff["own_worker"], "referral.sent", nominal=world.nominal)
    viewed = event(staff["own_worker"], "nominal.viewed", nominal=world.nominal)
    client.force_login(staff["administrator"])
    events = shown(client.get(URL, {"action": "referral."}))
    assert sent in events
    assert viewed not in events


def test_the_dates_include_both_whole_days(client, world, staff):
    day = dt.date(2026, 11, 10)

    def at(date, hour):
        return timezone.make_aware(dt.datetime.combine(date, dt.time(hour)))

    before = event(staff["own_worker"], nominal=world.nominal, when=at(day - dt.timedelta(days=1), 23))
    first = event(staff["own_worker"], nominal=world.nominal, when=at(day, 0))
    last = event(staff["own_worker"], nominal=world.nominal, when=at(day + dt.timedelta(days=1), 23))
    after = event(staff["own_worker"], nominal=world.nominal, when=at(day + dt.timedelta(days=2), 0))
    client.force_login(staff["administrator"])
    events = shown(
        client.get(URL, {"date_from": "10/11/2026", "date_to": "11/11/2026", "action": "nominal."})
    )
    assert set(events) == {first, last}
    assert before not in events
    assert after not in events


def test_a_to_date_before_the_from_date_is_refused_with_a_message(client, staff):
    client.force_login(staff["administrator"])
    response = client.get(URL, {"date_from": "12/11/2026", "date_to": "10/11/2026"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"] == ["Date to must be the same as or after date from"]
    assert response.context["rows"] == []
    assert b"There is a problem" in response.content


def test_something_that_is_not_a_date_is_refused_with_a_message(client, staff):
    client.force_login(staff["administrator"])
    response = client.get(URL, {"date_from": "31/02/2026"})
    assert response.context["form"].errors["date_from"] == ["Date from must be a real date, like 17/11/2026"]
    assert not AuditEvent.objects.filter(action="audit.viewed").exists()


def test_a_hostile_action_filter_is_refused(client, staff):
    client.force_login(staff["administrator"])
    response = client.get(URL, {"action": "x' OR 1=1 --"})
    assert "action" in response.context["form"].errors


def test_the_person_links_to_the_record_only_for_a_viewer_who_may_open_it(client, world, staff):
    event(staff["own_worker"], nominal=world.nominal)
    record = reverse("cohorts:nominal-detail", args=[world.nominal.pk])
    client.force_login(staff["manager"])
    assert record in client.get(URL, {"action": "nominal.viewed"}).content.decode()
    client.force_login(staff["administrator"])
    page = client.get(URL, {"action": "nominal.viewed"}).content.decode()
    assert record not in page
    assert f"Record {world.nominal.pk}" in page


def test_the_detail_and_recipient_are_shown(client, world, staff):
    housing = OrganisationFactory.create(name="Northshire Housing Trust")
    event(
        staff["own_worker"],
        "referral.sent",
        nominal=world.nominal,
        recipient=housing,
        detail={"shared_fields": ["date_of_birth"]},
    )
    client.force_login(staff["administrator"])
    page = client.get(URL, {"action": "referral.sent"}).content.decode()
    assert "<details" in page
    assert "date_of_birth" in page
    assert "Disclosure" in page
    assert "Northshire Housing Trust" in page


def test_fifty_events_to_a_page(client, world, staff):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=staff["own_worker"], action="nominal.viewed", nominal_id=world.nominal.pk)
        for _ in range(60)
    )
    client.force_login(staff["administrator"])
    first = client.get(URL, {"action": "nominal.viewed"})
    assert len(first.context["rows"]) == 50
    assert len(client.get(URL, {"action": "nominal.viewed", "page": 2}).context["rows"]) == 10


def test_the_query_count_does_not_grow_with_the_page(client, world, staff, django_assert_num_queries):
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=staff["own_worker"] if i % 2 else staff["other_worker"],
            action="referral.sent",
            nominal_id=world.nominal.pk if i % 2 else world.other_nominal.pk,
            recipient=staff["own_worker"].organisation,
            detail={"n": i},
        )
        for i in range(40)
    )
    client.force_login(staff["manager"])
    # 1-2 the session and the user (middleware; the second factor is marked in the session); 3 the
    # viewer's memberships (access); 4 the count of matching events; 5 the page of events with actor and
    # recipient; 6 the people on the page the viewer may open (their names and links); 7 the
    # audit.viewed insert.
    with django_assert_num_queries(7):
        response = client.get(URL, {"action": "referral."})
    assert len(response.context["rows"]) == 20  # the other team's events are not the manager's


# Free text about a person: only for a viewer who may open the record ----------------------------------

REASON = "His sister is the victim"


def _export(client, **params) -> str:
    response = client.get(reverse("dataprotection:audit-export"), params)
    return b"".join(response.streaming_content).decode()


def test_a_reason_about_a_person_is_shown_to_a_viewer_who_may_open_the_record(client, world, staff):
    event(staff["manager"], "restriction.added", nominal=world.nominal, detail={"reason": REASON})
    client.force_login(staff["manager"])
    assert REASON in client.get(URL, {"action": "restriction."}).content.decode()
    assert REASON in _export(client, action="restriction.")


def test_a_reason_about_a_person_is_withheld_from_an_administrator(client, world, staff):
    event(
        staff["manager"],
        "restriction.added",
        nominal=world.nominal,
        detail={"reason": REASON, "allowed_user_ids": [staff["manager"].pk]},
    )
    client.force_login(staff["administrator"])
    page = client.get(URL, {"action": "restriction."}).content.decode()
    assert REASON not in page
    assert "withheld" in page
    assert "allowed_user_ids" in page  # ids and counts stay
    exported = _export(client, action="restriction.")
    assert REASON not in exported
    assert "withheld" in exported


def test_a_break_glass_reason_is_withheld_from_a_manager_not_on_the_allow_list(client, world, staff):
    event(staff["own_worker"], "nominal.break_glass", nominal=world.nominal, detail={"reason": REASON})
    world.nominal.access_restricted = True
    world.nominal.save(update_fields=["access_restricted"])
    client.force_login(staff["manager"])
    page = client.get(URL, {"action": "nominal.break_glass"}).content.decode()
    assert "nominal.break_glass" in page
    assert REASON not in page
    assert REASON not in _export(client, action="nominal.break_glass")


def test_an_identifier_searched_for_without_a_match_is_withheld(client, world, staff):
    event(
        staff["own_worker"],
        "break_glass.no_match",
        detail={"identifier": "X765432", "reason": "Checking a name from the police briefing"},
    )
    for viewer in ("manager", "administrator"):
        client.force_login(staff[viewer])
        page = client.get(URL, {"action": "break_glass."}).content.decode()
        assert "break_glass.no_match" in page
        assert "X765432" not in page
        assert "police briefing" not in page
