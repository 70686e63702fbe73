"""Email notices: the partner hears of a new referral, the referring worker of every partner action.

Sent by Celery only after the transaction commits, once however often the task runs, handed back
for the retry when sending fails, and never naming the person (email is not a secure channel).
"""

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from iom.core.models import Role, User
from partners import notifications, services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral, ReferralEvent
from partners.tasks import (
    notify_case_worker_task,
    notify_partner_of_referral_task,
    notify_partner_of_withdrawal_task,
    resend_lost_notices_task,
)
from tests.actors import World, build_world, member


class Scene:
    def __init__(self) -> None:
        self.world: World = build_world()
        nominal = self.world.nominal
        nominal.date_of_birth = dt.date(1990, 5, 17)
        nominal.address_area = "Byker"
        self.worker: User = member(
            Role.PROBATION_PRACTITIONER, team=self.world.own_team, email="pp@probation.example.org"
        )
        nominal.probation_practitioner = self.worker
        nominal.save()
        self.organisation = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
        self.partner: User = member(
            Role.PARTNER, organisation=self.organisation, email="alex@housing.example.org"
        )
        self.service: PartnerService = PartnerServiceFactory.create(
            organisation=self.organisation, name="Tenancy support"
        )

    def refer(self, *, send: bool = True) -> Referral:
        return services.create_referral(
            actor=self.worker,
            nominal=self.world.nominal,
            service=self.service,
            pathway="accommodation",
            reason=f"{self.world.nominal.full_name} is sofa surfing",
            lawful_basis=Referral.LawfulBasis.CONSENT,
            consent_given_on=timezone.localdate() - dt.timedelta(days=1),
            shared_fields=["date_of_birth", "address_area", "identifiers"],
            send=send,
        )


@pytest.fixture
def scene(db) -> Scene:
    return Scene()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block enqueued on commit, as the real commit would (tasks run eagerly in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def inbox_link(referral: Referral) -> str:
    return reverse("partners:inbox-detail", args=[referral.pk])


def recipients() -> list[list[str]]:
    return [message.to for message in mail.outbox]


# The partner's notice ----------------------------------------------------------------------------


def test_the_partner_notice_waits_for_the_commit(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        referral = scene.refer()
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert recipients() == [["alex@housing.example.org"]]
    referral.refresh_from_db()
    assert referral.partner_notified_at is not None


def test_a_rolled_back_referral_sends_nothing(scene, committed):
    class Abandoned(Exception):
        pass

    def refer_then_abandon() -> None:
        with transaction.atomic():
            scene.refer()
            raise Abandoned

    with committed() as callbacks, pytest.raises(Abandoned):
        refer_then_abandon()
    assert callbacks == []
    assert mail.outbox == []
    assert not Referral.objects.exists()


def test_a_draft_sends_nothing(scene, committed):
    with committed() as callbacks:
        scene.refer(send=False)
    assert (callbacks, mail.outbox) == ([], [])


def test_the_services_referral_inbox_gets_the_one_notice_when_it_has_one(scene, committed):
    scene.service.referral_email = "referrals@housing.example.org"
    scene.service.save()
    member(Role.PARTNER, organisation=scene.organisation)
    with committed():
        scene.refer()
    assert recipients() == [["referrals@housing.example.org"]]


def test_without_an_inbox_the_organisations_active_partner_staff_get_one_notice(scene, committed):
    member(Role.PARTNER, organisation=scene.organisation, email="bea@housing.example.org")
    member(Role.PARTNER, organisation=scene.organisation, email="left@housing.example.org", is_active=False)
    member(Role.PARTNER, email="someone@elsewhere.example.org")  # another organisation's staff
    with committed():
        scene.refer()
    assert recipients() == [["alex@housing.example.org", "bea@housing.example.org"]]


def test_an_organisation_with_no_one_to_tell_is_logged_and_told_once_it_has_someone(scene, committed, caplog):
    scene.partner.is_active = False
    scene.partner.save()
    with committed():
        referral = scene.refer()
    assert mail.outbox == []
    assert f"Referral {referral.reference}: Northshire Housing Trust has no one to notify" in caplog.text
    referral.refresh_from_db()
    assert referral.partner_notified_at is None  # handed back for the sweep
    scene.service.referral_email = "referrals@housing.example.org"
    scene.service.save()
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - dt.timedelta(minutes=20))
    assert resend_lost_notices_task.delay().get() == 1
    assert recipients() == [["referrals@housing.example.org"]]


def test_the_partner_notice_names_the_team_service_and_deadline_but_not_the_person(scene, committed):
    with committed():
        referral = scene.refer()
    [message] = mail.outbox
    assert message.subject == f"New referral {referral.reference} to Tenancy support"
    assert "City IOM has referred someone to Tenancy support for accommodation." in message.body
    assert f"by {referral.response_due:%-d %B %Y}" in message.body
    assert f"Sign in to see the referral: http://127.0.0.1:8000{inbox_link(referral)}" in message.body
    assert_names_no_one(scene, message)


def assert_names_no_one(scene: Scene, message: mail.EmailMessage) -> None:
    nominal = scene.world.nominal
    text = f"{message.subject}\n{message.body}"
    assert nominal.crn
    for personal in (
        nominal.given_name,
        nominal.family_name,
        nominal.crn,
        "1990",
        "Byker",
        "sofa surfing",  # the reason, which names them here
    ):
        assert personal not in text, personal


def test_running_the_partner_task_twice_sends_one_email(scene):
    referral = scene.refer()  # not committed: the notice is still unsent
    notify_partner_of_referral_task.apply(args=(referral.pk,))
    notify_partner_of_referral_task.apply(args=(referral.pk,))
    assert len(mail.outbox) == 1
    assert notifications.notify_partner_of_referral(referral_id=referral.pk) is False


def test_a_referral_withdrawn_before_the_worker_got_to_it_is_not_announced(scene):
    referral = scene.refer()
    services.withdraw_referral(actor=scene.worker, referral=referral, reason="Sent to the wrong service")
    assert notifications.notify_partner_of_referral(referral_id=referral.pk) is False
    assert mail.outbox == []


def test_a_failed_send_hands_the_partner_notice_back_for_the_retry(scene):
    referral = scene.refer()
    with (
        mock.patch.object(notifications, "send_mail", side_effect=smtplib.SMTPServerDisconnected("gone")),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        notifications.notify_partner_of_referral(referral_id=referral.pk)
    referral.refresh_from_db()
    assert referral.partner_notified_at is None
    assert notifications.notify_partner_of_referral(referral_id=referral.pk) is True
    assert len(mail.outbox) == 1


def test_the_partner_task_retries_a_failed_send(scene):
    """SMTP errors are OSErrors, which the task retries; the retry finds the claim handed back."""
    referral = scene.refer()
    real_send = notifications.send_mail
    failures = iter([smtplib.SMTPServerDisconnected("gone")])

    def fails_once(**kwargs: object) -> int:
        for failure in failures:
            raise failure
        return real_send(**kwargs)  # type: ignore[arg-type]

    with mock.patch.object(notifications, "send_mail", side_effect=fails_once):
        notify_partner_of_referral_task.apply(args=(referral.pk,))
    assert len(mail.outbox) == 1


# The case worker's notices -----------------------------------------------------------------------


def partner_actions(scene: Scene, referral: Referral) -> None:
    services.accept_referral(actor=scene.partner, referral=referral)
    services.add_progress_update(actor=scene.partner, referral=referral, note="Viewed a flat")
    services.record_session(
        actor=scene.partner, referral=referral, session_on=timezone.localdate(), attendance="attended"
    )
    services.complete_referral(actor=scene.partner, referral=referral, outcome="achieved", summary="Housed")


def test_the_worker_hears_of_each_partner_action_once(scene, committed):
    referral = scene.refer()
    with committed():
        partner_actions(scene, referral)
    subjects = [message.subject for message in mail.outbox]
    # The first update also moved the referral to "in progress": one notice, not two.
    assert subjects == [
        f"Referral {referral.reference}: Northshire Housing Trust accepted the referral",
        f"Referral {referral.reference}: Northshire Housing Trust added a progress update",
        f"Referral {referral.reference}: Northshire Housing Trust added a session",
        f"Referral {referral.reference}: Northshire Housing Trust completed the referral",
    ]
    assert recipients() == [["pp@probation.example.org"]] * 4
    for message in mail.outbox:
        assert_names_no_one(scene, message)
    unannounced = ReferralEvent.objects.filter(by_partner=True, case_worker_notified_at__isnull=True)
    assert list(unannounced.values_list("to_status", flat=True)) == [Referral.Status.IN_PROGRESS]


def test_the_worker_hears_of_a_decline(scene, committed):
    referral = scene.refer()
    with committed():
        services.decline_referral(actor=scene.partner, referral=referral, reason="Full")
    [message] = mail.outbox
    assert message.subject == f"Referral {referral.reference}: Northshire Housing Trust declined the referral"
    assert "Full" not in message.body  # the reason is read after signing in
    link = reverse("partners:referral-detail", args=[referral.pk])
    assert f"Sign in to read it: http://127.0.0.1:8000{link}" in message.body


def test_the_teams_own_actions_send_the_worker_nothing(scene, committed):
    with committed():
        draft = scene.refer(send=False)
        services.send_referral(actor=scene.worker, referral=draft)
    assert recipients() == [["alex@housing.example.org"]]  # the partner's notice only
    with committed():
        services.withdraw_referral(actor=scene.worker, referral=draft, reason="Moved away")
    # The withdrawal is news to the partner, not to the worker who made it.
    assert recipients() == [["alex@housing.example.org"]] * 2


# The partner hears of a withdrawal ----------------------------------------------------------------


def test_the_partner_hears_a_referral_waiting_for_their_answer_was_withdrawn(scene, committed):
    with committed():
        referral = scene.refer()
    with committed():
        services.withdraw_referral(actor=scene.worker, referral=referral, reason="Moved to Leeds")
    notice = mail.outbox[-1]
    assert notice.to == ["alex@housing.example.org"]
    assert notice.subject == f"Referral {referral.reference} to Tenancy support withdrawn"
    assert "which was waiting for your answer" in notice.body
    assert "Moved to Leeds" not in notice.body  # the reason may say too much for email
    assert_names_no_one(scene, notice)
    withdrawal = referral.events.get(to_status=Referral.Status.WITHDRAWN)
    assert withdrawal.partner_notified_at is not None


def test_the_partner_hears_a_referral_they_were_working_on_was_withdrawn(scene, committed):
    with committed():
        referral = scene.refer()
    services.accept_referral(actor=scene.partner, referral=referral)
    with committed():
        services.withdraw_referral(actor=scene.worker, referral=referral, reason="Recalled to prison")
    assert recipients()[-1] == ["alex@housing.example.org"]
    assert "which you were working on" in mail.outbox[-1].body


def test_a_withdrawn_draft_tells_no_one(scene, committed):
    draft = scene.refer(send=False)
    with committed() as callbacks:
        services.withdraw_referral(actor=scene.worker, referral=draft, reason="Made in error")
    assert (callbacks, mail.outbox) == ([], [])
    withdrawal = draft.events.get(to_status=Referral.Status.WITHDRAWN)
    assert notifications.notify_partner_of_withdrawal(referral_event_id=withdrawal.pk) is False


def test_a_referral_withdrawn_before_its_own_notice_went_is_news_to_no_one(scene, committed):
    referral = scene.refer()  # its notice never went (no commit here)
    with committed():
        services.withdraw_referral(actor=scene.worker, referral=referral, reason="Sent by mistake")
    assert mail.outbox == []
    assert notify_partner_of_referral_task.apply(args=(referral.pk,)).successful()
    assert mail.outbox == []  # withdrawn: no longer news either


def test_running_the_withdrawal_task_twice_sends_one_email(scene, committed):
    with committed():
        referral = scene.refer()
    services.withdraw_referral(actor=scene.worker, referral=referral, reason="Moved away")
    withdrawal = referral.events.get(to_status=Referral.Status.WITHDRAWN)
    notify_partner_of_withdrawal_task.apply(args=(withdrawal.pk,))
    notify_partner_of_withdrawal_task.apply(args=(withdrawal.pk,))
    assert len(mail.outbox) == 2  # the referral's own notice, then one of its withdrawal


def test_a_failed_send_hands_the_withdrawal_notice_back_for_the_retry(scene, committed):
    with committed():
        referral = scene.refer()
    services.withdraw_referral(actor=scene.worker, referral=referral, reason="Moved away")
    withdrawal = referral.events.get(to_status=Referral.Status.WITHDRAWN)
    with (
        mock.patch.object(notifications, "send_mail", side_effect=smtplib.SMTPServerDisconnected),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        notifications.notify_partner_of_withdrawal(referral_event_id=withdrawal.pk)
    withdrawal.refresh_from_db()
    assert withdrawal.partner_notified_at is None
    assert notifications.notify_partner_of_withdrawal(referral_event_id=withdrawal.pk) is True


def test_a_team_event_is_never_announced_even_if_its_task_is_run(scene):
    referral = scene.refer()
    sent_event = referral.events.get(to_status=Referral.Status.SENT)
    assert notifications.notify_case_worker(referral_event_id=sent_event.pk) is False
    assert mail.outbox == []


def test_when_the_worker_has_left_the_case_team_hears_instead(scene, committed):
    referral = scene.refer()
    police = member(Role.POLICE_OFFENDER_MANAGER, team=scene.world.own_team, email="pom@police.example.org")
    nominal = scene.world.nominal
    nominal.police_offender_manager = police
    nominal.probation_practitioner = member(
        Role.PROBATION_PRACTITIONER, team=scene.world.own_team, email="new-pp@probation.example.org"
    )
    nominal.save()
    scene.worker.is_active = False
    scene.worker.save()
    with committed():
        services.accept_referral(actor=scene.partner, referral=referral)
    assert recipients() == [["new-pp@probation.example.org", "pom@police.example.org"]]


def test_running_the_case_worker_task_twice_sends_one_email(scene):
    referral = scene.refer()
    services.accept_referral(actor=scene.partner, referral=referral)
    accepted = referral.events.get(to_status=Referral.Status.ACCEPTED)
    notify_case_worker_task.apply(args=(accepted.pk,))
    notify_case_worker_task.apply(args=(accepted.pk,))
    assert len(mail.outbox) == 1


def test_a_failed_send_hands_the_case_worker_notice_back_for_the_retry(scene):
    referral = scene.refer()
    services.accept_referral(actor=scene.partner, referral=referral)
    accepted = referral.events.get(to_status=Referral.Status.ACCEPTED)
    with (
        mock.patch.object(notifications, "send_mail", side_effect=ConnectionRefusedError),
        pytest.raises(ConnectionRefusedError),
    ):
        notifications.notify_case_worker(referral_event_id=accepted.pk)
    accepted.refresh_from_db()
    assert accepted.case_worker_notified_at is None
    assert notifications.notify_case_worker(referral_event_id=accepted.pk) is True
    assert notifications.notify_case_worker(referral_event_id=accepted.pk) is False
    assert len(mail.outbox) == 1


# Notices lost between the commit and the worker -------------------------------------------------


def lose_the_partner_notice(scene: Scene, *, sent_ago: dt.timedelta) -> Referral:
    """A sent referral whose task never ran (no commit callbacks here): only the sweep can tell."""
    referral = scene.refer()
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - sent_ago)
    return referral


def test_the_sweep_sends_a_partner_notice_that_never_went_once(scene):
    lost = lose_the_partner_notice(scene, sent_ago=dt.timedelta(minutes=20))
    assert mail.outbox == []

    assert resend_lost_notices_task.delay().get() == 1
    assert resend_lost_notices_task.delay().get() == 0

    assert recipients() == [["alex@housing.example.org"]]
    assert f"New referral {lost.reference}" in mail.outbox[0].subject


@pytest.mark.parametrize(
    "sent_ago",
    [dt.timedelta(minutes=2), dt.timedelta(days=8)],
    ids=["its task may still be on the way", "no longer news"],
)
def test_the_sweep_leaves_a_notice_too_new_or_too_old(scene, sent_ago):
    lose_the_partner_notice(scene, sent_ago=sent_ago)
    assert resend_lost_notices_task.delay().get() == 0
    assert mail.outbox == []


def test_the_sweep_leaves_a_referral_answered_or_already_announced(scene, committed):
    with committed():
        announced = scene.refer()
    Referral.objects.filter(pk=announced.pk).update(sent_at=timezone.now() - dt.timedelta(hours=1))
    answered = lose_the_partner_notice(scene, sent_ago=dt.timedelta(hours=1))
    services.decline_referral(actor=scene.partner, referral=answered, reason="No vacancies")
    mail.outbox.clear()
    # The decline's own notice to the worker was lost too: that one is sent, the partner's is not.
    ReferralEvent.objects.filter(referral=answered).update(recorded_at=timezone.now() - dt.timedelta(hours=1))

    assert resend_lost_notices_task.delay().get() == 1
    assert recipients() == [["pp@probation.example.org"]]


def test_the_sweep_sends_a_case_worker_notice_that_never_went_once(scene, committed):
    with committed():
        referral = scene.refer()
    services.accept_referral(actor=scene.partner, referral=referral)
    update = services.add_progress_update(actor=scene.partner, referral=referral, note="Viewing booked")
    ReferralEvent.objects.filter(by_partner=True).update(
        recorded_at=timezone.now() - dt.timedelta(minutes=30)
    )
    mail.outbox.clear()

    assert resend_lost_notices_task.delay().get() == 2  # the acceptance and the update
    assert resend_lost_notices_task.delay().get() == 0

    assert recipients() == [["pp@probation.example.org"], ["pp@probation.example.org"]]
    update.refresh_from_db()
    assert update.case_worker_notified_at is not None


def test_beat_runs_the_sweep_every_quarter_of_an_hour(settings):
    from iom.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["resend-lost-referral-notices"]
    assert entry["schedule"] == 15 * 60
    assert entry["task"] in app.tasks


def test_the_sweep_sends_a_lost_withdrawal_notice_once(scene):
    referral = scene.refer()
    Referral.objects.filter(pk=referral.pk).update(partner_notified_at=timezone.now())
    services.withdraw_referral(actor=scene.worker, referral=referral, reason="Moved away")
    ReferralEvent.objects.filter(to_status=Referral.Status.WITHDRAWN).update(
        recorded_at=timezone.now() - dt.timedelta(minutes=30)
    )

    assert resend_lost_notices_task.delay().get() == 1
    assert resend_lost_notices_task.delay().get() == 0
    assert [message.subject for message in mail.outbox] == [
        f"Referral {referral.reference} to Tenancy support withdrawn"
    ]


def test_a_referral_to_a_services_former_organisation_goes_to_that_organisations_staff(scene):
    """The service's inbox address belongs to whoever runs it now, not to the referral's recipient."""
    referral = scene.refer()
    successor = PartnerOrganisationFactory.create(name="Harbour Housing")
    scene.service.organisation = successor
    scene.service.referral_email = "referrals@harbour.example.org"
    scene.service.save()
    referral.refresh_from_db()
    assert notifications.partner_recipients(referral) == ["alex@housing.example.org"]
