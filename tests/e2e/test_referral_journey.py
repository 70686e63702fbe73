"""Issue 6's journey in a real browser: a probation practitioner refers a person to a housing
partner, the partner accepts and adds a progress update, and the practitioner sees the update on
the person's timeline.

Each page is checked for console errors, CSP violations and WCAG 2.2 AA (axe-core).
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cohorts import services as cohort_services
from cohorts.models import Allocation
from iom.core.factories import OrganisationFactory
from iom.core.models import AuditEvent, Organisation, Role
from partners.factories import PartnerServiceFactory
from partners.models import Referral
from tests.actors import build_world, member
from tests.e2e.conftest import PageChecks, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery staple"


def test_a_referral_to_a_housing_partner_comes_back_as_an_update_on_the_timeline(
    live_server: LiveServer, page: Page, page_checks: PageChecks
) -> None:
    world = build_world()
    nominal = world.nominal
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Owen Price")
    cohort_services.allocate_worker(
        actor=member(Role.MANAGER, team=world.own_team),
        nominal=nominal,
        role=Allocation.Role.PROBATION_PRACTITIONER,
        worker=practitioner,
        started_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    housing = OrganisationFactory.create(
        name="Northshire Council Housing Options", kind=Organisation.Kind.LOCAL_AUTHORITY
    )
    PartnerServiceFactory.create(organisation=housing, name="Tenancy sustainment", pathways=["accommodation"])
    housing_officer = member(Role.PARTNER, organisation=housing, full_name="Hana Kowalski")
    base = live_server.url

    sign_in(page, page_checks, base, practitioner.email, PASSWORD)
    page.goto(f"{base}/people/{nominal.pk}/")
    sections = page.get_by_role("navigation", name=f"Sections of {nominal.full_name}'s record")
    sections.get_by_role("link", name="Referrals", exact=True).click()
    expect(page).to_have_url(f"{base}/people/{nominal.pk}/referrals/")
    page_checks.check("person's referrals tab, none yet")

    page.get_by_role("button", name="Make a referral").click()
    page.get_by_label("Accommodation").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=2, name="Accommodation")).to_be_visible()
    page_checks.check("referral form")

    # Sending with nothing chosen is refused, field by field, and saves nothing.
    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Select the lawful basis for sharing")
    assert Referral.objects.count() == 0
    page_checks.check("referral form with errors")

    page.get_by_label("Tenancy sustainment, Northshire Council Housing Options").check()
    page.get_by_label("Why are you referring the person, and what do they need?").fill(
        "Sofa surfing since release in March; needs a tenancy and help to keep it."
    )
    page.get_by_label("Date of birth").check()
    page.get_by_label("Area they live in").check()
    # Consent reveals its date, the GOV.UK conditional-reveal pattern.
    page.get_by_label("The person consented").check()
    consent_date = page.get_by_label("Date consent given")
    expect(consent_date).to_be_visible()
    consent_date.fill(f"{timezone.localdate():%d/%m/%Y}")
    page_checks.check("referral form, consent revealed")
    page.get_by_role("button", name="Send referral").click()

    referral = Referral.objects.get()
    expect(page).to_have_url(f"{base}/referrals/{referral.pk}/")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(
        f"Referral {referral.reference} sent to Northshire Council Housing Options"
    )
    page_checks.check("referral detail, sent")
    assert referral.status == Referral.Status.SENT
    assert referral.shared_fields == ["name", "date_of_birth", "address_area"]
    # Sending is a disclosure, audited with its recipient.
    sent = AuditEvent.objects.get(action="referral.sent", target_id=str(referral.pk))
    assert (sent.actor, sent.recipient) == (practitioner, housing)
    # The partner is told by email, without the person's name.
    assert [message.to for message in mail.outbox] == [[housing_officer.email]]
    assert nominal.family_name not in mail.outbox[0].body

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/sign-in/")

    # The housing officer starts at Referrals to us, sees only what was shared, and accepts.
    sign_in(page, page_checks, base, housing_officer.email, PASSWORD)
    expect(page).to_have_url(f"{base}/referrals-to-us/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals to us")
    page_checks.check("partner inbox")
    page.get_by_role("row").filter(has_text=nominal.full_name).get_by_role(
        "link", name=referral.reference
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nominal.full_name)
    shared = page.locator(".govuk-summary-list").last
    expect(shared).to_contain_text("Date of birth")
    expect(shared).not_to_contain_text("Risk of serious harm")
    page_checks.check("partner's referral page, new")

    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Accept the referral for {nominal.full_name}?")
    page_checks.check("accept form")
    page.get_by_role("button", name="Accept referral").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("accepted")
    page_checks.check("partner's referral page, accepted")

    page.get_by_role("button", name="Add a progress update").click()
    page_checks.check("progress update form")
    page.get_by_label("Update", exact=True).fill(
        "Viewed a one-bedroom flat on Mill Lane; tenancy offer expected."
    )
    page.get_by_role("button", name="Add update").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    page_checks.check("partner's referral page, update added")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/sign-in/")

    # Back with the practitioner: the update is on the timeline and opens the referral.
    sign_in(page, page_checks, base, practitioner.email, PASSWORD)
    page.goto(f"{base}/people/{nominal.pk}/timeline/")
    update = page.locator(".moj-timeline__item").filter(
        has_text="Update from Northshire Council Housing Options"
    )
    expect(update).to_contain_text("Viewed a one-bedroom flat on Mill Lane")
    expect(update).to_contain_text("by Hana Kowalski")
    page_checks.check("person's timeline with the partner's update")
    update.get_by_role("link", name="Update from Northshire Council Housing Options").click()
    expect(page).to_have_url(f"{base}/referrals/{referral.pk}/")
    expect(page.locator("body")).to_contain_text("In progress")
    page_checks.check("referral detail, in progress")
    # The practitioner is told of the update by email as well.
    assert mail.outbox[-1].to == [practitioner.email]
