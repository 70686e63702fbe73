"""The reads behind the referral pages: the team's list with its filters and sorts, the partner's
inbox and counts, and the notes a working partner may read. Each is scoped before it is filtered."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.utils import timezone

from cohorts.models import Nominal, TimelineEvent
from cohorts.services import add_timeline_event
from iom.core.models import Organisation, Role, User
from partners import selectors, services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory, ReferralFactory
from partners.models import PartnerService, Referral
from partners.selectors import InboxFilters, ReferralFilters
from tests.actors import World, build_world, member

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)  # five working days to answer: due Monday 9th
WEDNESDAY = dt.datetime(2026, 11, 18, 14, 0, tzinfo=LONDON)
Status = Referral.Status


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.set(WEDNESDAY)

    def set(self, moment: dt.datetime) -> None:
        self.monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


class Scene:
    def __init__(self) -> None:
        self.world: World = build_world()
        self.worker: User = member(Role.PROBATION_PRACTITIONER, team=self.world.own_team)
        self.world.nominal.probation_practitioner = self.worker
        self.world.nominal.save()
        self.manager: User = member(Role.MANAGER, team=self.world.own_team)
        self.other_manager: User = member(Role.MANAGER, team=self.world.other_team)
        self.housing: Organisation = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
        self.partner: User = member(Role.PARTNER, organisation=self.housing)
        self.tenancy: PartnerService = PartnerServiceFactory.create(
            organisation=self.housing, name="Tenancy support", pathways=["accommodation", "finance"]
        )
        self.advice: PartnerService = PartnerServiceFactory.create(
            organisation=self.housing, name="Money advice", pathways=["finance"]
        )
        self.recovery: Organisation = PartnerOrganisationFactory.create(name="Northshire Recovery")
        self.other_partner: User = member(Role.PARTNER, organisation=self.recovery)
        self.drugs: PartnerService = PartnerServiceFactory.create(
            organisation=self.recovery, name="Recovery coaching", pathways=["drugs_alcohol"]
        )

    def refer(
        self,
        service: PartnerService | None = None,
        *,
        pathway: str = "accommodation",
        nominal: Nominal | None = None,
        actor: User | None = None,
        send: bool = True,
    ) -> Referral:
        nominal = nominal or self.world.nominal
        return services.create_referral(
            actor=actor or (self.worker if nominal == self.world.nominal else self.other_manager),
            nominal=nominal,
            service=service or self.tenancy,
            pathway=pathway,
            reason="Needs support",
            lawful_basis=Referral.LawfulBasis.CONSENT,
            consent_given_on=timezone.localdate() - dt.timedelta(days=1),
            send=send,
        )

    def partner_for(self, referral: Referral) -> User:
        return self.partner if referral.organisation == self.housing else self.other_partner

    def accept(self, referral: Referral) -> Referral:
        return services.accept_referral(actor=self.partner_for(referral), referral=referral)

    def decline(self, referral: Referral) -> Referral:
        return services.decline_referral(actor=self.partner_for(referral), referral=referral, reason="Full")


@pytest.fixture
def scene(db, clock) -> Scene:
    return Scene()


def fresh(user: User) -> User:
    """The user as the next request loads them, without memberships cached on the object."""
    return User.objects.select_related("organisation").get(pk=user.pk)


def team_list(user: User, sort: str = "newest", **filters: object) -> list[Referral]:
    return list(selectors.team_referrals(user=user, filters=ReferralFilters(**filters), sort=sort))  # type: ignore[arg-type]


def inbox(user: User, sort: str = "due", **filters: object) -> list[Referral]:
    return list(selectors.inbox_for(user=user, filters=InboxFilters(**filters), sort=sort))  # type: ignore[arg-type]


# The team's list ---------------------------------------------------------------------------------


def test_the_whole_team_reads_its_peoples_referrals_and_no_one_else_does(scene):
    ours = scene.refer()
    theirs = scene.refer(nominal=scene.world.other_nominal)
    support_worker = member(Role.SUPPORT_WORKER, team=scene.world.own_team)  # not on the case team
    assert team_list(support_worker) == [ours]
    assert team_list(scene.other_manager) == [theirs]
    for outsider in (
        scene.partner,
        member(Role.REGIONAL_LEAD, region=scene.world.region),
        member(Role.ADMINISTRATOR),
    ):
        assert team_list(outsider) == []


def test_a_referral_of_another_team_is_404(scene):
    theirs = scene.refer(nominal=scene.world.other_nominal)
    assert selectors.get_referral_for_user(user=scene.other_manager, referral_id=theirs.pk) == theirs
    for user in (scene.worker, scene.partner):
        with pytest.raises(Http404):
            selectors.get_referral_for_user(user=user, referral_id=theirs.pk)


def test_the_list_filters_by_status_or_by_open_and_closed(scene):
    draft = scene.refer(send=False)
    sent = scene.refer()
    accepted = scene.accept(scene.refer())
    declined = scene.decline(scene.refer())
    assert team_list(scene.worker, status="draft") == [draft]
    assert team_list(scene.worker, status="sent") == [sent]
    assert team_list(scene.worker, status="open", sort="oldest") == [sent, accepted]
    assert team_list(scene.worker, status="closed") == [declined]
    assert len(team_list(scene.worker)) == 4


def test_the_list_filters_by_pathway_organisation_service_worker_and_team(scene):
    housing = scene.refer(scene.tenancy)
    money = scene.refer(scene.advice, pathway="finance")
    drugs = scene.refer(scene.drugs, pathway="drugs_alcohol", actor=scene.manager)
    assert team_list(scene.worker, pathway="finance") == [money]
    assert team_list(scene.worker, organisation=scene.housing.pk, sort="oldest") == [housing, money]
    assert team_list(scene.worker, service=scene.drugs.pk) == [drugs]
    assert team_list(scene.worker, referred_by=scene.manager.pk) == [drugs]
    assert team_list(scene.worker, team=scene.world.own_team.pk, sort="oldest") == [housing, money, drugs]
    # Naming another team narrows, it never widens.
    assert team_list(scene.worker, team=scene.world.other_team.pk) == []


def test_overdue_means_sent_and_unanswered_after_the_due_day(scene, clock):
    clock.set(MONDAY)
    late = scene.refer()
    answered = scene.accept(scene.refer())
    clock.set(MONDAY + dt.timedelta(days=1))  # Tuesday 3rd: due Tuesday 10th
    not_yet_late = scene.refer(scene.advice, pathway="finance")
    clock.set(dt.datetime(2026, 11, 10, 9, 0, tzinfo=LONDON))
    # Due Monday 9th: late on Tuesday 10th; due Tuesday 10th: still in time that day.
    assert late.response_due == dt.date(2026, 11, 9)
    assert not_yet_late.response_due == dt.date(2026, 11, 10)
    assert team_list(scene.worker, overdue=True) == [late]
    assert selectors.is_overdue(late)
    assert not selectors.is_overdue(not_yet_late)
    assert not selectors.is_overdue(answered)
    clock.set(WEDNESDAY)
    assert list(selectors.overdue_referrals(user=scene.worker)) == [late, not_yet_late]
    assert selectors.is_overdue(late, today=dt.date(2026, 11, 9)) is False


def test_since_keeps_referrals_sent_on_or_after_the_day(scene, clock):
    clock.set(MONDAY)
    scene.refer()
    clock.set(dt.datetime(2026, 11, 16, 0, 30, tzinfo=LONDON))  # just after midnight in London (GMT)
    recent = scene.refer()
    scene.refer(send=False)  # never sent: not in a "sent since" list
    assert team_list(scene.worker, since=dt.date(2026, 11, 16)) == [recent]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("newest", ["c", "b", "a"]),
        ("oldest", ["a", "b", "c"]),
        ("due", ["a", "b", "c"]),
        ("status", ["b", "c", "a"]),  # accepted, then sent (newest first within a status)
        ("nonsense", ["c", "b", "a"]),  # an unknown sort is the default
    ],
)
def test_the_list_sorts(scene, clock, sort, order):
    clock.set(MONDAY)
    a = scene.refer()
    clock.set(MONDAY + dt.timedelta(days=1))
    b = scene.accept(scene.refer())
    clock.set(MONDAY + dt.timedelta(days=2))
    c = scene.refer()
    named = {a.pk: "a", b.pk: "b", c.pk: "c"}
    assert [named[referral.pk] for referral in team_list(scene.worker, sort=sort)] == order


def test_filters_know_whether_any_is_set():
    assert not ReferralFilters().any
    assert ReferralFilters(overdue=True).any
    assert ReferralFilters(status="open").any


def test_a_persons_referrals_newest_first_and_their_history_in_order(scene):
    first = scene.refer()
    second = scene.accept(scene.refer(scene.advice, pathway="finance"))
    assert list(selectors.referrals_for_nominal(nominal=scene.world.nominal)) == [second, first]
    history = selectors.referral_history(referral=second)
    assert [(event.to_status, event.actor) for event in history] == [
        ("draft", scene.worker),
        ("sent", scene.worker),
        ("accepted", scene.partner),
    ]


# The partner's inbox -----------------------------------------------------------------------------


def test_the_inbox_holds_the_organisations_open_referrals_only(scene):
    sent = scene.refer()
    working = scene.accept(scene.refer(scene.advice, pathway="finance"))
    scene.refer(send=False)
    scene.decline(scene.refer())
    scene.refer(scene.drugs, pathway="drugs_alcohol")  # another organisation's
    assert set(inbox(scene.partner)) == {sent, working}
    assert inbox(scene.partner, status="new") == [sent]
    assert inbox(scene.partner, status="working") == [working]
    assert inbox(scene.partner, status="accepted") == [working]
    # A closed status is not an inbox filter: ignored, so closed referrals stay out.
    assert set(inbox(scene.partner, status="declined")) == {sent, working}
    assert inbox(scene.partner, service=scene.advice.pk) == [working]
    assert inbox(scene.partner, pathway="accommodation") == [sent]
    assert selectors.inbox_counts(user=scene.partner) == {"new": 1, "working": 1}
    assert selectors.inbox_counts(user=scene.other_partner) == {"new": 1, "working": 0}


def test_team_staff_have_no_inbox(scene):
    scene.refer()
    assert inbox(scene.worker) == []
    assert selectors.inbox_counts(user=scene.worker) == {"new": 0, "working": 0}


@pytest.mark.parametrize(
    ("sort", "order"), [("due", ["a", "b", "c"]), ("newest", ["c", "b", "a"]), ("oldest", ["a", "b", "c"])]
)
def test_the_inbox_sorts(scene, clock, sort, order):
    for day in range(3):
        clock.set(MONDAY + dt.timedelta(days=day))
        scene.refer()
    named = {referral.pk: name for referral, name in zip(Referral.objects.order_by("id"), "abc", strict=True)}
    assert [named[referral.pk] for referral in inbox(scene.partner, sort=sort)] == order


# Notes shareable with partners -------------------------------------------------------------------


def note(scene: Scene, summary: str, visibility: str) -> TimelineEvent:
    return add_timeline_event(
        nominal=scene.world.nominal,
        kind=TimelineEvent.Kind.CONTACT,
        occurred_on=timezone.localdate(),
        summary=summary,
        source=scene.world.nominal,
        recorded_by=scene.worker,
        visibility=TimelineEvent.Visibility(visibility),
    )


def test_a_working_partner_reads_only_the_notes_shareable_with_partners(scene):
    referral = scene.accept(scene.refer())
    shared = note(scene, "Engaging well with the tenancy plan", "partners")
    note(scene, "Discussed at the team meeting", "team")
    note(scene, "Intelligence report", "police")
    assert list(selectors.shareable_notes(user=scene.partner, referral=referral)) == [shared]


def test_no_notes_before_acceptance_or_after_closure(scene):
    sent = scene.refer()
    note(scene, "Engaging well", "partners")
    assert not selectors.shareable_notes(user=scene.partner, referral=sent).exists()
    accepted = scene.accept(sent)
    assert selectors.shareable_notes(user=scene.partner, referral=accepted).exists()
    completed = services.complete_referral(
        actor=scene.partner, referral=accepted, outcome="achieved", summary="Done"
    )
    assert not selectors.shareable_notes(user=scene.partner, referral=completed).exists()


def test_no_notes_for_a_partner_whose_organisation_holds_no_grant(scene):
    referral = scene.accept(scene.refer())
    note(scene, "Engaging well", "partners")
    assert not selectors.shareable_notes(user=scene.other_partner, referral=referral).exists()
    assert not selectors.shareable_notes(user=scene.worker, referral=referral).exists()


# Query counts ------------------------------------------------------------------------------------


def many_referrals(scene: Scene, count: int = 30) -> None:
    """Sent referrals for as many people, with their shared relations, made without the services."""
    now = timezone.now()
    for _ in range(count):
        ReferralFactory.create(
            nominal__team=scene.world.own_team,
            service=scene.tenancy,
            referred_by=scene.worker,
            status=Status.SENT,
            sent_at=now,
            response_due=timezone.localdate() + dt.timedelta(days=5),
        )


def test_the_team_list_reads_in_two_queries_however_long(scene, django_assert_num_queries):
    many_referrals(scene)
    user = fresh(scene.worker)
    # 1 the user's memberships, 2 the referrals with person, service, organisation and referrer.
    with django_assert_num_queries(2):
        rows = [
            (r.reference, r.nominal.full_name, r.service.name, r.organisation.name, r.referred_by.full_name)
            for r in team_list(user, status="open", overdue=False)
        ]
    assert len(rows) == 30


def test_the_inbox_and_its_counts_read_in_three_queries_however_long(scene, django_assert_num_queries):
    many_referrals(scene)
    user = fresh(scene.partner)
    # 1 the user's memberships, 2 the inbox with person, team, service and referrer, 3 the counts.
    with django_assert_num_queries(3):
        rows = [
            (r.reference, r.nominal.team.name, r.service.name, r.referred_by.full_name) for r in inbox(user)
        ]
        counts = selectors.inbox_counts(user=user)
    assert (len(rows), counts) == (30, {"new": 30, "working": 0})


def test_fetching_a_working_referral_as_its_partner_takes_a_fixed_number_of_queries(
    scene, django_assert_num_queries
):
    referral = scene.accept(scene.refer())
    user = fresh(scene.partner)
    # 1 the user's memberships, 2 the referral with the person and their case team,
    # 3 the organisation's access group, 4 its permission on the person.
    with django_assert_num_queries(4):
        fetched = selectors.get_referral_for_partner(user=user, referral_id=referral.pk)
        assert fetched.nominal.probation_practitioner == scene.worker
