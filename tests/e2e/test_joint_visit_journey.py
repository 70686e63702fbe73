"""Issue 5's journey in a real browser: a police offender manager logs a joint visit with a
probation practitioner, and the person's weekly compliance changes.

Each page is checked for console errors, CSP violations and WCAG 2.2 AA (axe-core).
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cohorts.models import CohortMembership
from iom.core.models import Role
from supervision.models import Contact
from tests.actors import build_world, member
from tests.e2e.conftest import PageChecks, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery staple"


def test_a_joint_visit_counts_towards_the_weekly_standard(
    live_server: LiveServer, page: Page, page_checks: PageChecks
) -> None:
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Priya Shah")
    member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Owen Price")
    entered = timezone.localdate() - datetime.timedelta(days=60)
    CohortMembership.objects.create(
        nominal=world.nominal,
        cohort="fixed",
        status="active",
        proposed_by=officer,
        proposed_on=entered,
        proposal_reason="Persistent burglary",
        entry_date=entered,
        review_due=entered + datetime.timedelta(days=90),
    )
    base = live_server.url
    # Between visits, on a tablet: the journey runs at 768 by 1024.
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, page_checks, base, officer.email, PASSWORD)

    # The Fixed cohort's default standard: three contacts this week, none yet.
    page.goto(f"{base}/people/{world.nominal.pk}/")
    page.get_by_role("link", name="Supervision", exact=True).click()
    expect(page).to_have_url(f"{base}/people/{world.nominal.pk}/supervision/")
    this_week = page.get_by_role("row").filter(has_text="this week, so far")
    expect(this_week).to_contain_text("3 to go")
    page_checks.check("supervision tab before the visit")

    page.get_by_role("button", name="Log a contact").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    page_checks.check("log contact form")

    # The three questions, by keyboard-operable radios; the officer is the default attendee.
    page.get_by_label("Joint visit").check()
    page.get_by_label("Attended and complied").check()
    page.get_by_label("Relational support").check()
    page.get_by_role("button", name="Save contact").click()

    # One agency is not a joint visit: the error summary says so and links to the question.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("A joint visit needs staff from at least two agencies")
    assert Contact.objects.count() == 0
    page_checks.check("log contact form with a one-agency joint visit")

    page.get_by_label("Owen Price").check()
    page.get_by_role("button", name="Save contact").click()

    expect(page).to_have_url(f"{base}/people/{world.nominal.pk}/supervision/")
    expect(page.get_by_text(f"Contact logged for {world.nominal.full_name}")).to_be_visible()
    this_week = page.get_by_role("row").filter(has_text="this week, so far")
    expect(this_week).to_contain_text("2 to go")
    page_checks.check("supervision tab after the visit")

    contact = Contact.objects.get()
    assert contact.kind == "joint_visit"
    attendees = sorted(contact.attendance.values_list("user__full_name", flat=True))
    assert attendees == ["Owen Price", "Priya Shah"]
    assert sorted(contact.attendance.values_list("organisation__kind", flat=True)) == [
        "police_force",
        "probation_delivery_unit",
    ]

    # The visit is on the timeline, and opens to show both agencies.
    page.get_by_role("link", name="Timeline", exact=True).click()
    page.get_by_role("link", name="Joint visit: attended and complied").click()
    expect(page.get_by_text("Owen Price (Northshire Probation Delivery Unit)")).to_be_visible()
    expect(page.get_by_text("Priya Shah (Northshire Police)")).to_be_visible()
    page_checks.check("contact detail")
    page_checks.assert_no_problems()
