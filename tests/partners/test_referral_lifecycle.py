"""The referral lifecycle: draft → sent → accepted or declined → in progress → completed, or withdrawn.

Every change is a dated, attributed ReferralEvent. Every change the lifecycle does not allow is
refused with a message that says why, and writes nothing at all.
"""

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone
from guardian.models import GroupObjectPermission

from cohorts.models import NeedUpdate, TimelineEvent
from iom.core.models import AuditEvent, Organisation, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import TRANSITIONS, WORKING_STATUSES, PartnerService, Referral, ReferralEvent
from tests.actors import World, build_world, member

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=LONDON)  # a Wednesday afternoon, GMT
TODAY = NOW.date()
Status = Referral.Status


@pytest.fixture
def now(monkeypatch):
    """Services read the clock through django.utils.timezone; fix it so no test depends on the day."""
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    return NOW


@dataclass
class Scene:
    world: World
    worker: User  # the person's probation practitioner: on the case team, so may refer
    organisation: Organisation
    partner: User
    service: PartnerService


def build_scene() -> Scene:
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    world.nominal.probation_practitioner = worker
    world.nominal.save()
    organisation = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
    return Scene(
        world=world,
        worker=worker,
        organisation=organisation,
        partner=member(Role.PARTNER, organisation=organisation),
        service=PartnerServiceFactory.create(
            organisation=organisation, name="Tenancy support", pathways=["accommodation"]
        ),
    )


def refer(scene: Scene, *, send: bool = True) -> Referral:
    return services.create_referral(
        actor=scene.worker,
        nominal=scene.world.nominal,
        service=scene.service,
        pathway="accommodation",
        reason="Sofa surfing since release; needs a tenancy.",
        lawful_basis=Referral.LawfulBasis.CONSENT,
        consent_given_on=TODAY - dt.timedelta(days=2),
        shared_fields=["date_of_birth", "address_area"],
        send=send,
    )


def referral_in(scene: Scene, status: str) -> Referral:
    """A referral brought to `status` by the services themselves, so its history is real."""
    referral = refer(scene, send=status != Status.DRAFT)
    if status in (Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED):
        services.accept_referral(actor=scene.partner, referral=referral)
    if status == Status.IN_PROGRESS:
        services.add_progress_update(actor=scene.partner, referral=referral, note="First meeting booked")
    if status == Status.COMPLETED:
        services.complete_referral(
            actor=scene.partner, referral=referral, outcome=Referral.Outcome.ACHIEVED, summary="Housed"
        )
    if status == Status.DECLINED:
        services.decline_referral(actor=scene.partner, referral=referral, reason="No rooms until spring")
    if status == Status.WITHDRAWN:
        services.withdraw_referral(actor=scene.worker, referral=referral, reason="Housed by the council")
    referral.refresh_from_db()
    assert referral.status == status
    return referral


def history(referral: Referral) -> list[tuple[str, str, str]]:
    return list(referral.events.order_by("recorded_at", "id").values_list("kind", "from_status", "to_status"))


def written(referral: Referral) -> tuple[object, ...]:
    """Everything an action could write: the referral's own fields and every table it adds to."""
    referral.refresh_from_db()
    return (
        referral.status,
        referral.outcome,
        referral.sent_at,
        referral.response_due,
        referral.responded_at,
        referral.closed_at,
        ReferralEvent.objects.count(),
        TimelineEvent.objects.count(),
        AuditEvent.objects.count(),
        NeedUpdate.objects.count(),
        GroupObjectPermission.objects.count(),
    )


# The actions of the lifecycle: the status each leads to (None: work on an accepted referral).
ACTIONS: dict[str, tuple[str | None, Callable[[Scene, Referral], object]]] = {
    "send": (Status.SENT, lambda s, r: services.send_referral(actor=s.worker, referral=r)),
    "accept": (Status.ACCEPTED, lambda s, r: services.accept_referral(actor=s.partner, referral=r)),
    "decline": (
        Status.DECLINED,
        lambda s, r: services.decline_referral(actor=s.partner, referral=r, reason="Full"),
    ),
    "withdraw": (
        Status.WITHDRAWN,
        lambda s, r: services.withdraw_referral(actor=s.worker, referral=r, reason="Moved away"),
    ),
    "complete": (
        Status.COMPLETED,
        lambda s, r: services.complete_referral(
            actor=s.partner, referral=r, outcome=Referral.Outcome.NOT_ACHIEVED, summary="Stopped engaging"
        ),
    ),
    "add a progress update": (
        None,
        lambda s, r: services.add_progress_update(actor=s.partner, referral=r, note="Viewed a flat"),
    ),
    "record a session": (
        None,
        lambda s, r: services.record_session(
            actor=s.partner, referral=r, session_on=TODAY, attendance="attended"
        ),
    ),
}


def allowed(status: str, action: str) -> bool:
    target = ACTIONS[action][0]
    return status in WORKING_STATUSES if target is None else target in TRANSITIONS[status]


GRID = [(status, action) for status in TRANSITIONS for action in ACTIONS]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "action"), [cell for cell in GRID if not allowed(*cell)], ids=lambda value: str(value)
)
def test_every_change_the_lifecycle_does_not_allow_is_refused_and_writes_nothing(
    now, django_capture_on_commit_callbacks, status, action
):
    scene = build_scene()
    referral = referral_in(scene, status)
    before = written(referral)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as refused:
        ACTIONS[action][1](scene, referral)
    # One plain message, not a field error: there is nothing to correct in a form.
    assert not hasattr(refused.value, "error_dict")
    [message] = refused.value.messages
    assert message.startswith("This referral ")
    assert written(referral) == before
    assert callbacks == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "action"), [cell for cell in GRID if allowed(*cell)], ids=lambda value: str(value)
)
def test_every_change_the_lifecycle_allows_is_made_and_kept_as_an_event(now, status, action):
    scene = build_scene()
    referral = referral_in(scene, status)
    events_before = referral.events.count()
    target, act = ACTIONS[action]
    act(scene, referral)
    referral.refresh_from_db()
    latest = referral.events.order_by("-recorded_at", "-id").first()
    assert latest is not None
    if target is None:
        assert referral.status == Status.IN_PROGRESS
        assert latest.kind in (ReferralEvent.Kind.PROGRESS, ReferralEvent.Kind.SESSION)
    else:
        assert referral.status == target
        assert (latest.kind, latest.from_status, latest.to_status) == ("status", status, target)
    assert referral.events.count() > events_before


def refusal(scene: Scene, referral: Referral, action: str) -> str:
    with pytest.raises(ValidationError) as refused:
        ACTIONS[action][1](scene, referral)
    return refused.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (Status.COMPLETED, "accept", "This referral is completed, so it can no longer be accepted"),
        (Status.DECLINED, "withdraw", "This referral is declined, so it can no longer be withdrawn"),
        (Status.WITHDRAWN, "accept", "This referral is withdrawn, so it can no longer be accepted"),
        (Status.IN_PROGRESS, "decline", "This referral is in progress, so it can no longer be declined"),
        (Status.ACCEPTED, "send", "This referral is accepted, so it can no longer be sent"),
        (Status.ACCEPTED, "accept", "This referral has already been accepted"),
        (Status.SENT, "send", "This referral has already been sent"),
        (Status.DRAFT, "accept", "This referral is still a draft, so it cannot be accepted yet"),
        (
            Status.SENT,
            "complete",
            "This referral is waiting for the partner's answer, so it cannot be completed yet",
        ),
        (
            Status.SENT,
            "add a progress update",
            "This referral is waiting for the partner's answer, "
            "so you cannot add an update until it is accepted",
        ),
        (
            Status.COMPLETED,
            "record a session",
            "This referral is completed, so you can no longer record a session",
        ),
    ],
)
def test_a_refusal_says_where_the_referral_stands_and_why(now, status, action, message):
    scene = build_scene()
    assert refusal(scene, referral_in(scene, status), action) == message


@pytest.mark.django_db
def test_sending_at_once_keeps_the_draft_and_the_sending_as_two_attributed_events(now):
    scene = build_scene()
    referral = refer(scene)
    assert referral.status == Status.SENT
    assert referral.organisation == scene.organisation
    assert referral.sent_at == NOW
    # Five working days from a Wednesday: the next Wednesday.
    assert referral.response_due == dt.date(2026, 11, 25)
    assert history(referral) == [("status", "", "draft"), ("status", "draft", "sent")]
    for event in referral.events.all():
        assert (event.actor, event.organisation_id, event.by_partner) == (
            scene.worker,
            scene.worker.organisation_id,
            False,
        )
        assert event.occurred_on == TODAY
    [on_timeline] = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.REFERRAL)
    assert on_timeline.summary == "Referred to Tenancy support (accommodation)"
    assert on_timeline.body == "Sofa surfing since release; needs a tenancy."
    assert (on_timeline.nominal, on_timeline.recorded_by) == (scene.world.nominal, scene.worker)
    assert on_timeline.visibility == TimelineEvent.Visibility.TEAM


@pytest.mark.django_db
def test_the_response_is_due_in_the_services_own_working_days(now):
    scene = build_scene()
    scene.service.response_working_days = 3
    scene.service.save()
    # Wednesday + 3 working days: Thursday, Friday, Monday.
    assert refer(scene).response_due == dt.date(2026, 11, 23)


@pytest.mark.django_db
def test_a_draft_is_only_a_draft_until_it_is_sent(now):
    scene = build_scene()
    draft = refer(scene, send=False)
    assert (draft.status, draft.sent_at, draft.response_due) == (Status.DRAFT, None, None)
    assert history(draft) == [("status", "", "draft")]
    assert not TimelineEvent.objects.exists()
    assert not NeedUpdate.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["referral.created"]

    sent = services.send_referral(actor=scene.worker, referral=draft)
    assert (sent.status, sent.sent_at) == (Status.SENT, NOW)
    assert history(sent) == [("status", "", "draft"), ("status", "draft", "sent")]


@pytest.mark.django_db
def test_only_a_draft_can_be_changed(now):
    scene = build_scene()
    draft = refer(scene, send=False)
    changed = services.update_draft_referral(
        actor=scene.worker,
        referral=draft,
        service=scene.service,
        pathway="accommodation",
        reason="  Needs a tenancy before the licence ends.  ",
        lawful_basis=Referral.LawfulBasis.PUBLIC_TASK,
        consent_given_on=TODAY,  # ignored: the basis is not consent
        sharing_agreement=" Northshire IOM ISA 2026 ",
        shared_fields=["risk"],
    )
    changed.refresh_from_db()
    assert changed.reason == "Needs a tenancy before the licence ends."
    assert (changed.lawful_basis, changed.consent_given_on, changed.sharing_agreement) == (
        "public_task",
        None,
        "Northshire IOM ISA 2026",
    )
    assert changed.shared_fields == ["name", "risk"]

    sent = services.send_referral(actor=scene.worker, referral=changed)
    before = written(sent)
    with pytest.raises(ValidationError) as refused:
        services.update_draft_referral(
            actor=scene.worker, referral=sent, service=scene.service, pathway="accommodation", reason="Other"
        )
    assert refused.value.messages == ["This referral is sent; only a draft can be changed"]
    assert written(sent) == before


@pytest.mark.django_db
def test_accepting_is_dated_and_attributed_to_the_partner(now):
    scene = build_scene()
    referral = services.accept_referral(
        actor=scene.partner, referral=refer(scene), note="  Assessment next week "
    )
    assert (referral.status, referral.responded_at, referral.closed_at) == (Status.ACCEPTED, NOW, None)
    event = referral.events.order_by("-id").first()
    assert event is not None
    assert (event.from_status, event.to_status, event.note) == ("sent", "accepted", "Assessment next week")
    assert (event.actor, event.organisation, event.by_partner, event.occurred_on) == (
        scene.partner,
        scene.organisation,
        True,
        TODAY,
    )
    summaries = list(
        TimelineEvent.objects.filter(kind=TimelineEvent.Kind.REFERRAL).values_list("summary", flat=True)
    )
    assert "Northshire Housing Trust accepted the referral" in summaries


@pytest.mark.django_db
def test_declining_needs_a_reason_and_closes_the_referral(now):
    scene = build_scene()
    referral = refer(scene)
    with pytest.raises(ValidationError) as refused:
        services.decline_referral(actor=scene.partner, referral=referral, reason="   ")
    assert refused.value.message_dict == {
        "reason": ["Say why the referral is declined, so the worker can find another way"]
    }
    declined = services.decline_referral(
        actor=scene.partner, referral=referral, reason="Not eligible: no local link"
    )
    assert (declined.status, declined.responded_at, declined.closed_at) == (Status.DECLINED, NOW, NOW)
    assert history(declined)[-1] == ("status", "sent", "declined")
    assert declined.events.order_by("-id")[0].note == "Not eligible: no local link"


@pytest.mark.django_db
def test_the_first_update_shows_the_work_has_begun_and_later_ones_only_add_to_it(now):
    scene = build_scene()
    referral = referral_in(scene, Status.ACCEPTED)
    event = services.add_progress_update(
        actor=scene.partner, referral=referral, note="Viewed a flat", occurred_on=TODAY - dt.timedelta(days=0)
    )
    assert (event.kind, event.note, event.by_partner, event.occurred_on) == (
        "progress",
        "Viewed a flat",
        True,
        TODAY,
    )
    services.add_progress_update(actor=scene.partner, referral=referral, note="Signed for it")
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS
    assert history(referral)[2:] == [
        ("status", "sent", "accepted"),
        ("status", "accepted", "in_progress"),
        ("progress", "", ""),
        ("progress", "", ""),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"note": "  "}, {"note": ["Enter the update"]}),
        ({"note": "x" * 5001}, {"note": ["Keep it to 5,000 characters; this has 5,001"]}),
        (
            {"note": "Met", "occurred_on": TODAY + dt.timedelta(days=1)},
            {"occurred_on": ["The date must be today or in the past"]},
        ),
        (
            {"note": "Met", "occurred_on": TODAY - dt.timedelta(days=1)},
            {"occurred_on": ["The update must be on or after the day the referral was sent"]},
        ),
    ],
)
def test_a_progress_update_says_what_is_wrong_with_it(now, kwargs, errors):
    scene = build_scene()
    referral = referral_in(scene, Status.ACCEPTED)
    before = written(referral)
    with pytest.raises(ValidationError) as refused:
        services.add_progress_update(actor=scene.partner, referral=referral, **kwargs)
    assert refused.value.message_dict == errors
    assert written(referral) == before


@pytest.mark.django_db
def test_a_session_records_attendance_on_its_day(now):
    scene = build_scene()
    referral = referral_in(scene, Status.IN_PROGRESS)
    event = services.record_session(
        actor=scene.partner,
        referral=referral,
        session_on=TODAY,
        attendance="did_not_attend",
        note=" No answer ",
    )
    assert (event.kind, event.attendance, event.note, event.occurred_on) == (
        "session",
        "did_not_attend",
        "No answer",
        TODAY,
    )
    assert TimelineEvent.objects.filter(
        summary="Session with Northshire Housing Trust: did not attend", occurred_on=TODAY
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"session_on": TODAY, "attendance": ""}, {"attendance": ["Select whether the person attended"]}),
        ({"session_on": TODAY, "attendance": "late"}, {"attendance": ["Select whether the person attended"]}),
        (
            {"session_on": TODAY + dt.timedelta(days=1), "attendance": "attended"},
            {"session_on": ["The date must be today or in the past"]},
        ),
        (
            {"session_on": TODAY - dt.timedelta(days=1), "attendance": "attended"},
            {"session_on": ["The session must be on or after the day the referral was sent"]},
        ),
    ],
)
def test_a_session_says_what_is_wrong_with_it(now, kwargs, errors):
    scene = build_scene()
    referral = referral_in(scene, Status.ACCEPTED)
    before = written(referral)
    with pytest.raises(ValidationError) as refused:
        services.record_session(actor=scene.partner, referral=referral, **kwargs)
    assert refused.value.message_dict == errors
    assert written(referral) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "summary", "errors"),
    [
        ("", "Housed", {"outcome": ["Select the outcome of the work"]}),
        ("housed", "Housed", {"outcome": ["Select the outcome of the work"]}),
        ("achieved", " ", {"summary": ["Summarise what was done and what is left"]}),
    ],
)
def test_completing_needs_an_outcome_and_a_summary(now, outcome, summary, errors):
    scene = build_scene()
    referral = referral_in(scene, Status.IN_PROGRESS)
    before = written(referral)
    with pytest.raises(ValidationError) as refused:
        services.complete_referral(actor=scene.partner, referral=referral, outcome=outcome, summary=summary)
    assert refused.value.message_dict == errors
    assert written(referral) == before


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", Referral.Outcome.values)
def test_completing_records_the_outcome_and_closes_the_referral(now, outcome):
    scene = build_scene()
    referral = services.complete_referral(
        actor=scene.partner,
        referral=referral_in(scene, Status.IN_PROGRESS),
        outcome=outcome,
        summary="Six sessions; tenancy signed",
    )
    assert (referral.status, referral.outcome, referral.closed_at) == (Status.COMPLETED, outcome, NOW)
    assert history(referral)[-1] == ("status", "in_progress", "completed")
    assert referral.is_closed
    assert not referral.is_open


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.DRAFT, Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS])
def test_the_worker_may_withdraw_an_unclosed_referral_with_a_reason(now, status):
    scene = build_scene()
    referral = referral_in(scene, status)
    with pytest.raises(ValidationError) as refused:
        services.withdraw_referral(actor=scene.worker, referral=referral, reason="")
    assert refused.value.message_dict == {"reason": ["Say why the referral is withdrawn"]}
    withdrawn = services.withdraw_referral(actor=scene.worker, referral=referral, reason="Recalled to prison")
    assert (withdrawn.status, withdrawn.closed_at) == (Status.WITHDRAWN, NOW)
    last = withdrawn.events.order_by("-id")[0]
    assert (last.from_status, last.to_status, last.note, last.actor, last.by_partner) == (
        status,
        "withdrawn",
        "Recalled to prison",
        scene.worker,
        False,
    )
    # A draft never left the team, so its withdrawal is not news on the person's timeline.
    assert TimelineEvent.objects.filter(summary="Referral to Tenancy support withdrawn").exists() == (
        status != Status.DRAFT
    )


@pytest.mark.django_db
def test_the_whole_journey_is_kept_in_order_and_never_overwritten(now):
    scene = build_scene()
    referral = refer(scene)
    services.accept_referral(actor=scene.partner, referral=referral)
    services.record_session(actor=scene.partner, referral=referral, session_on=TODAY, attendance="attended")
    services.add_progress_update(actor=scene.partner, referral=referral, note="Bidding for a flat")
    services.complete_referral(
        actor=scene.partner,
        referral=referral,
        outcome=Referral.Outcome.PARTIALLY_ACHIEVED,
        summary="On the list",
    )
    assert history(referral) == [
        ("status", "", "draft"),
        ("status", "draft", "sent"),
        ("status", "sent", "accepted"),
        ("status", "accepted", "in_progress"),
        ("session", "", ""),
        ("progress", "", ""),
        ("status", "in_progress", "completed"),
    ]
    actors = list(referral.events.order_by("recorded_at", "id").values_list("actor", "by_partner"))
    assert actors == [(scene.worker.pk, False)] * 2 + [(scene.partner.pk, True)] * 5


@pytest.mark.django_db
def test_partner_actions_belong_to_the_organisation_the_referral_was_sent_to(now):
    scene = build_scene()
    referral = refer(scene)
    other_partner = member(Role.PARTNER, organisation=PartnerOrganisationFactory.create())
    before = written(referral)
    for actor in (scene.worker, other_partner):
        with pytest.raises(PermissionDenied):
            services.accept_referral(actor=actor, referral=referral)
        with pytest.raises(PermissionDenied):
            services.decline_referral(actor=actor, referral=referral, reason="Full")
    assert written(referral) == before


@pytest.mark.django_db
def test_another_member_of_the_recipient_organisation_may_carry_on_the_work(now):
    scene = build_scene()
    referral = referral_in(scene, Status.ACCEPTED)
    colleague = member(Role.PARTNER, organisation=scene.organisation)
    event = services.add_progress_update(actor=colleague, referral=referral, note="Covering for a colleague")
    assert (event.actor, event.organisation, event.by_partner) == (colleague, scene.organisation, True)


@pytest.mark.django_db
def test_team_actions_belong_to_the_case_team_and_the_teams_managers(now):
    scene = build_scene()
    world = scene.world
    not_allocated = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    other_team_manager = member(Role.MANAGER, team=world.other_team)
    draft = refer(scene, send=False)
    before = written(draft)
    for actor in (not_allocated, other_team_manager, scene.partner):
        with pytest.raises(PermissionDenied):
            services.send_referral(actor=actor, referral=draft)
        with pytest.raises(PermissionDenied):
            services.withdraw_referral(actor=actor, referral=draft, reason="No longer needed")
    assert written(draft) == before

    manager = member(Role.MANAGER, team=world.own_team)
    assert services.send_referral(actor=manager, referral=draft).status == Status.SENT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_partner_staff_accepting_at_once_record_one_acceptance(now, monkeypatch):
    """Two real connections reach the referral together; the lock lets one accept and tells the other."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises whole transactions")
    scene = build_scene()
    referral = refer(scene)
    colleague = member(Role.PARTNER, organisation=scene.organisation)
    both_ready = threading.Barrier(2, timeout=10)
    real_locked = services.locked_referral

    def lock_together(referral: Referral) -> Referral:
        both_ready.wait()  # both have passed everything before the lock
        return real_locked(referral)

    monkeypatch.setattr(services, "locked_referral", lock_together)
    results: list[object] = []

    def accept(actor: User) -> None:
        try:
            results.append(services.accept_referral(actor=actor, referral=referral))
        except ValidationError as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(actor,)) for actor in (scene.partner, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    accepted = [result for result in results if isinstance(result, Referral)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert (len(accepted), len(refused)) == (1, 1), results
    assert refused[0].messages == ["This referral has already been accepted"]
    assert ReferralEvent.objects.filter(to_status=Status.ACCEPTED).count() == 1
    assert AuditEvent.objects.filter(action="referral.accepted").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "act", "message"),
    [
        (
            Status.WITHDRAWN,
            lambda s, r: services.decline_referral(actor=s.partner, referral=r, reason=""),
            "This referral is withdrawn, so it can no longer be declined",
        ),
        (
            Status.COMPLETED,
            lambda s, r: services.complete_referral(actor=s.partner, referral=r, outcome="", summary=""),
            "This referral has already been completed",
        ),
        (
            Status.DECLINED,
            lambda s, r: services.withdraw_referral(actor=s.worker, referral=r, reason=""),
            "This referral is declined, so it can no longer be withdrawn",
        ),
        (
            Status.SENT,
            lambda s, r: services.add_progress_update(actor=s.partner, referral=r, note=""),
            "This referral is waiting for the partner's answer, "
            "so you cannot add an update until it is accepted",
        ),
        (
            Status.WITHDRAWN,
            lambda s, r: services.record_session(
                actor=s.partner, referral=r, session_on=TODAY, attendance=""
            ),
            "This referral is withdrawn, so you can no longer record a session",
        ),
    ],
)
def test_where_the_referral_stands_is_said_before_the_form_is_checked(now, status, act, message):
    """Asking for a reason first would only lead to a second refusal once one is given."""
    scene = build_scene()
    with pytest.raises(ValidationError) as refused:
        act(scene, referral_in(scene, status))
    assert refused.value.messages == [message]
