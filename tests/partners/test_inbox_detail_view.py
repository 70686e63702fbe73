"""One referral as its partner reads it: the referral, the consent record, the shared fields and, once
accepted, the notes shareable with partners. Nothing else about the person."""

import re

import pytest

from cohorts.models import TimelineEvent
from iom.core import access
from iom.core.models import AuditEvent
from partners import services
from partners.factories import PartnerServiceFactory
from partners.models import Referral
from tests.partners.referrals_to_us import DATE_OF_BIRTH_SHOWN, Scene

pytestmark = pytest.mark.django_db

PARTNER_NOTE = "Keen to move nearer his sister"
TEAM_NOTE = "Discussed at the team meeting"
POLICE_NOTE = "Seen with a known handler of stolen goods"


def url(referral: Referral) -> str:
    return f"/referrals-to-us/{referral.pk}/"


def row(html: str, key: str) -> str:
    """The value of one summary list row, tags removed and spaces collapsed."""
    match = re.search(
        rf'<dt class="govuk-summary-list__key">{key}</dt><dd class="govuk-summary-list__value">(.*?)</dd>',
        html,
        re.S,
    )
    assert match, f"no {key} row"
    return " ".join(re.sub(r"<[^>]+>", " ", match[1]).split())


@pytest.fixture
def scene():
    return Scene()


def test_a_new_referral_shows_the_referral_the_consent_and_the_shared_fields_only(client, scene):
    referral = scene.refer(reason="Sofa surfing since release; needs a tenancy")
    client.force_login(scene.partner)

    response = client.get(url(referral))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Dean Robson</h1>' in html
    assert row(html, "Reference") == referral.reference
    assert row(html, "Service") == "Tenancy support"
    assert row(html, "Pathway") == "Accommodation"
    assert row(html, "From") == "City IOM"
    assert row(html, "Referred by") == "Pat Officer pat.officer@police.example.org"
    assert 'href="mailto:pat.officer@police.example.org"' in html
    assert row(html, "Answer due") == f"{referral.response_due:%-d %B %Y}"
    assert "Sofa surfing since release; needs a tenancy" in html
    assert row(html, "Lawful basis for sharing") == "The person consented"
    assert row(html, "Consent given on") == f"{referral.consent_given_on:%-d %B %Y}"
    # Exactly the ticked fields: the name (always) and the area; not the date of birth.
    shared = re.search(r"<h2 class=\"govuk-heading-m\">About Dean Robson</h2>.*?</dl>", html, re.S)
    assert shared
    assert re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt>', shared[0]) == [
        "Name",
        "Area they live in",
    ]
    assert row(html, "Area they live in") == "Eastfield"
    assert DATE_OF_BIRTH_SHOWN not in html
    assert "Date of birth" not in html
    assert f'href="/referrals-to-us/{referral.pk}/accept/"' in html
    assert f'href="/referrals-to-us/{referral.pk}/decline/"' in html
    assert "/updates/new/" not in html


def test_a_referral_on_another_lawful_basis_shows_its_sharing_agreement(client, scene):
    referral = services.create_referral(
        actor=scene.worker,
        nominal=scene.world.nominal,
        service=scene.service,
        pathway="accommodation",
        reason="Rough sleeping",
        lawful_basis=Referral.LawfulBasis.LAW_ENFORCEMENT,
        sharing_agreement="Northshire IOM information sharing agreement 2026",
        send=True,
    )
    client.force_login(scene.partner)
    html = client.get(url(referral)).content.decode()
    assert row(html, "Lawful basis for sharing") == (
        "Law enforcement purposes (Data Protection Act 2018, Part 3)"
    )
    assert row(html, "Information sharing agreement") == "Northshire IOM information sharing agreement 2026"


def test_notes_shareable_with_partners_appear_only_once_the_referral_is_accepted(client, scene):
    scene.note(PARTNER_NOTE, TimelineEvent.Visibility.PARTNERS, body="Sister lives in Eastfield")
    scene.note(TEAM_NOTE, TimelineEvent.Visibility.TEAM)
    scene.note(POLICE_NOTE, TimelineEvent.Visibility.POLICE)
    referral = scene.refer()
    client.force_login(scene.partner)

    before = client.get(url(referral)).content.decode()
    services.accept_referral(actor=scene.partner, referral=referral)
    after = client.get(url(referral)).content.decode()

    assert PARTNER_NOTE not in before
    assert "Once you accept the referral" in before
    assert PARTNER_NOTE in after
    assert "Sister lives in Eastfield" in after
    assert "recorded by Pat Officer (Northshire Police)" in after
    for html in (before, after):
        assert TEAM_NOTE not in html
        assert POLICE_NOTE not in html
        # The team's own timeline entries about the referral are not notes for partners either.
        assert "Referred to Tenancy support" not in html


def test_an_accepted_referral_offers_updates_sessions_and_closing_and_shows_its_history(client, scene):
    referral = scene.accepted()
    client.force_login(scene.partner)
    html = client.get(url(referral)).content.decode()
    assert f'href="/referrals-to-us/{referral.pk}/updates/new/"' in html
    assert f'href="/referrals-to-us/{referral.pk}/sessions/new/"' in html
    assert f'href="/referrals-to-us/{referral.pk}/complete/"' in html
    assert "/accept/" not in html
    assert "The IOM team has not shared any notes with partners yet." in html
    history = re.search(r"History of the referral.*?</table>", html, re.S)
    assert history
    text = " ".join(re.sub(r"<[^>]+>", " ", history[0]).split())
    assert "Drafted Pat Officer Northshire Police" in text
    assert "Accepted We will call this week Sam Housing Northshire Housing Trust" in text


def test_shared_notes_are_paged_by_20_newest_first(client, scene):
    for number in range(21):
        scene.note(f"Shared note {number:02d}", TimelineEvent.Visibility.PARTNERS)
    referral = scene.accepted()
    client.force_login(scene.partner)
    first = client.get(url(referral)).content.decode()
    second = client.get(url(referral), {"page": 2}).content.decode()
    assert first.count("Shared note ") == 20
    assert "Shared note 20" in first
    assert re.findall(r"Shared note \d\d", second) == ["Shared note 00"]


def test_opening_the_referral_is_audited_as_a_consultation_of_the_person(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)
    client.get(url(referral))
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.nominal_id, event.target_id) == (
        scene.partner,
        scene.world.nominal.pk,
        str(scene.world.nominal.pk),
    )
    assert event.detail == {
        "page": "referral",
        "referral": referral.pk,
        "shared_fields": ["name", "address_area"],
    }


def test_another_partner_gets_404_and_the_attempt_is_logged(client, scene):
    referral = scene.accepted()
    intruder = scene.other_partner()
    client.force_login(intruder)
    assert client.get(url(referral)).status_code == 404
    denied = AuditEvent.objects.get(action="referral.access_denied")
    assert (denied.actor, denied.target_id, denied.nominal_id) == (
        intruder,
        str(referral.pk),
        scene.world.nominal.pk,
    )
    assert not AuditEvent.objects.filter(action="nominal.viewed").exists()


def test_another_partner_working_with_the_same_person_still_gets_404_for_this_referral(client, scene):
    referral = scene.accepted()
    other = scene.other_partner()
    theirs = PartnerServiceFactory.create(
        organisation=other.organisation, name="Recovery", pathways=["health"]
    )
    their_referral = services.create_referral(
        actor=scene.worker,
        nominal=scene.world.nominal,
        service=theirs,
        pathway="health",
        reason="Drinking again",
        lawful_basis=Referral.LawfulBasis.CONSENT,
        consent_given_on=referral.consent_given_on,
        send=True,
    )
    services.accept_referral(actor=other, referral=their_referral)
    client.force_login(other)
    assert client.get(url(referral)).status_code == 404
    assert client.get(url(their_referral)).status_code == 200


def test_a_team_member_gets_404_here_even_for_their_own_teams_referral(client, scene):
    referral = scene.refer()
    client.force_login(scene.worker)
    assert client.get(url(referral)).status_code == 404


def test_the_same_partner_gets_404_once_the_referral_is_closed(client, scene):
    referral = scene.completed()
    client.force_login(scene.partner)
    assert client.get(url(referral)).status_code == 404
    assert AuditEvent.objects.filter(action="referral.access_denied", actor=scene.partner).exists()


def test_a_referral_that_does_not_exist_is_not_found(client, scene):
    client.force_login(scene.partner)
    assert client.get("/referrals-to-us/999999/").status_code == 404


def test_a_partner_whose_organisation_lost_the_grant_gets_404(client, scene):
    referral = scene.accepted()
    access.revoke_partner_access(organisation_id=scene.organisation.pk, nominal=scene.world.nominal)
    client.force_login(scene.partner)
    assert client.get(url(referral)).status_code == 404


@pytest.mark.parametrize("notes", [1, 25])
def test_the_page_takes_a_fixed_number_of_queries(client, scene, django_assert_num_queries, notes):
    for number in range(notes):
        scene.note(f"Shared note {number}", TimelineEvent.Visibility.PARTNERS)
    referral = scene.accepted()
    for _ in range(notes):
        services.add_progress_update(actor=scene.partner, referral=referral, note="Viewed a flat")
    client.force_login(scene.partner)
    # session, user, memberships, the referral (with person, team, case team, service, organisation,
    # referrer), the organisation's grant (group, permission), audit insert, the grant again for the
    # notes (group, permission), count and page of shared notes (with who recorded them and their
    # organisation), the referral's history (with actors and organisations)
    with django_assert_num_queries(12):
        response = client.get(url(referral))
    assert len(response.context["history"]) == notes + 4  # drafted, sent, accepted, in progress
