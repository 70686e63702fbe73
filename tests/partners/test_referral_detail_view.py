"""One referral, as the team sees it: what was sent to whom, on what basis, and its history."""

import datetime as dt

import pytest
from django.utils import timezone

from iom.core.models import AuditEvent, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(referral: Referral) -> str:
    return f"/referrals/{referral.pk}/"


class Scene:
    """Dean Robson, his police offender manager, and a housing partner with one member of staff."""

    def __init__(self) -> None:
        self.world: World = build_world()
        self.worker: User = member(
            Role.POLICE_OFFENDER_MANAGER, team=self.world.own_team, full_name="Pat Officer"
        )
        self.world.nominal.police_offender_manager = self.worker
        self.world.nominal.save()
        organisation = PartnerOrganisationFactory.create(name="Shelter Housing Advice")
        self.service: PartnerService = PartnerServiceFactory.create(
            organisation=organisation, name="Tenancy sustainment", pathways=["accommodation"]
        )
        self.partner: User = member(Role.PARTNER, organisation=organisation, full_name="Sam Housing")

    def refer(self, *, send: bool = True, **fields: object) -> Referral:
        values: dict[str, object] = {
            "reason": "Sofa surfing since release; needs a tenancy.",
            "lawful_basis": Referral.LawfulBasis.CONSENT,
            "consent_given_on": TODAY - dt.timedelta(days=3),
            "shared_fields": ["date_of_birth", "address_area"],
        }
        values.update(fields)
        return services.create_referral(
            actor=self.worker,
            nominal=self.world.nominal,
            service=self.service,
            pathway="accommodation",
            send=send,
            **values,  # type: ignore[arg-type]
        )

    def worked_on(self, *, updates: int = 1) -> Referral:
        referral = self.refer()
        services.accept_referral(actor=self.partner, referral=referral, note="We can see him on Monday")
        for number in range(updates):
            services.add_progress_update(actor=self.partner, referral=referral, note=f"Update {number + 1}")
        services.record_session(
            actor=self.partner,
            referral=referral,
            session_on=TODAY,
            attendance="attended",
            note="Viewed a flat",
        )
        services.complete_referral(
            actor=self.partner, referral=referral, outcome="achieved", summary="Tenancy signed"
        )
        return referral


def test_the_referral_shows_what_was_shared_with_whom_and_on_what_basis(client):
    scene = Scene()
    referral = scene.refer()
    client.force_login(scene.worker)

    response = client.get(url(referral))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Referral {referral.reference} to Tenancy sustainment" in html
    assert f'<a class="govuk-link" href="/people/{scene.world.nominal.pk}/">Dean Robson</a>' in html
    assert (
        f'href="/directory/services/{scene.service.pk}/">Tenancy sustainment</a><br>Shelter Housing Advice'
        in html
    )
    assert '<strong class="govuk-tag govuk-tag--blue">Sent</strong>' in html
    assert "Pat Officer" in html
    assert "Sofa surfing since release; needs a tenancy." in html
    assert f"The person consented on {TODAY - dt.timedelta(days=3):%-d %B %Y}" in html
    assert "Information shared with Shelter Housing Advice" in html
    assert "<li>Name</li><li>Date of birth</li><li>Area they live in</li>" in html
    assert f"{referral.response_due:%-d %b %Y}" in html
    consultation = AuditEvent.objects.get(action="referral.viewed")
    assert (consultation.actor, consultation.target_id, consultation.nominal_id) == (
        scene.worker,
        str(referral.pk),
        scene.world.nominal.pk,
    )


def test_the_history_lists_every_event_in_order_with_who_and_their_organisation(client):
    scene = Scene()
    referral = scene.worked_on()
    client.force_login(scene.worker)

    response = client.get(url(referral))

    titles = [entry.title for entry in response.context["history"]]
    assert titles == [
        "Draft created",
        "Sent to Shelter Housing Advice",
        "Accepted",
        "Work started",
        "Progress update",
        f"Session on {TODAY:%-d %b %Y}: attended",
        "Completed: achieved",
    ]
    html = response.content.decode()
    assert '<h3 class="moj-timeline__title">Progress update</h3>' in html
    assert "by Sam Housing, Shelter Housing Advice" in html
    assert "by Pat Officer, Northshire Police" in html
    for note in ("We can see him on Monday", "Update 1", "Viewed a flat", "Tenancy signed"):
        assert f'<p class="govuk-body">{note}</p>' in html
    assert '<strong class="govuk-tag govuk-tag--green">Completed</strong>' in html
    assert "Withdraw referral" not in html


def test_a_declined_or_withdrawn_referral_says_why(client):
    scene = Scene()
    declined = scene.refer()
    services.decline_referral(actor=scene.partner, referral=declined, reason="Outside our area")
    withdrawn = scene.refer()
    services.withdraw_referral(actor=scene.worker, referral=withdrawn, reason="Moved to another county")
    client.force_login(scene.worker)

    declined_html = client.get(url(declined)).content.decode()
    withdrawn_html = client.get(url(withdrawn)).content.decode()

    assert '<h3 class="moj-timeline__title">Declined</h3>' in declined_html
    assert '<p class="govuk-body">Outside our area</p>' in declined_html
    assert '<h3 class="moj-timeline__title">Withdrawn</h3>' in withdrawn_html
    assert '<p class="govuk-body">Moved to another county</p>' in withdrawn_html


def test_a_draft_offers_its_referrer_to_edit_and_send_it(client):
    scene = Scene()
    draft = scene.refer(send=False)
    client.force_login(scene.worker)

    html = client.get(url(draft)).content.decode()

    assert f'href="/referrals/{draft.pk}/send/" role="button"' in html
    assert f'href="/referrals/{draft.pk}/edit/" role="button"' in html
    assert "Not sent" in html
    assert "Information to share with Shelter Housing Advice" in html


def test_an_open_referral_offers_to_withdraw_it(client):
    scene = Scene()
    referral = scene.refer()
    client.force_login(scene.worker)
    html = client.get(url(referral)).content.decode()
    assert f'href="/referrals/{referral.pk}/withdraw/" role="button"' in html
    assert "Edit draft" not in html


def test_an_overdue_referral_is_tagged(client):
    scene = Scene()
    referral = scene.refer()
    Referral.objects.filter(pk=referral.pk).update(response_due=TODAY - dt.timedelta(days=1))
    client.force_login(scene.worker)
    html = client.get(url(referral)).content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html


def test_team_members_not_on_the_case_team_read_it_but_are_offered_no_actions(client):
    scene = Scene()
    referral = scene.refer()
    client.force_login(member(Role.SUPPORT_WORKER, team=scene.world.own_team))
    response = client.get(url(referral))
    assert response.status_code == 200
    assert "Withdraw referral" not in response.content.decode()


@pytest.mark.parametrize("who", ["other_team", "partner", "regional"])
def test_anyone_outside_the_team_gets_404_and_the_attempt_is_logged(client, who):
    scene = Scene()
    referral = scene.refer()
    user = {
        "other_team": lambda: member(Role.MANAGER, team=scene.world.other_team),
        "partner": lambda: scene.partner,
        "regional": lambda: member(Role.REGIONAL_LEAD, region=scene.world.region),
    }[who]()
    client.force_login(user)
    assert client.get(url(referral)).status_code == 404
    assert AuditEvent.objects.filter(action="referral.access_denied", actor=user).count() == 1
    assert client.get("/referrals/999999/").status_code == 404


@pytest.mark.parametrize("updates", [1, 12])
def test_the_query_count_does_not_grow_with_the_history(client, django_assert_num_queries, updates):
    scene = Scene()
    referral = scene.worked_on(updates=updates)
    client.force_login(scene.worker)
    # session, user; memberships; the referral with its person, service, organisation and referrer;
    # the consultation's audit row; the history with each event's actor and organisation
    with django_assert_num_queries(6):
        response = client.get(url(referral))
    assert len(response.context["history"]) == 6 + updates
