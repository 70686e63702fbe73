"""Setting a person's contact standard from their Supervision tab."""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.models import CohortMembership, Nominal
from iom.core.factories import UserFactory
from iom.core.models import AuditEvent, Role, User
from supervision.models import ContactStandard
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(nominal: Nominal) -> str:
    return f"/people/{nominal.pk}/supervision/standard/"


def on_cohort(nominal: Nominal, cohort: str) -> None:
    CohortMembership.objects.create(
        nominal=nominal,
        cohort=cohort,
        status=CohortMembership.Status.ACTIVE,
        proposed_by=UserFactory.create(),
        proposed_on=TODAY - dt.timedelta(days=40),
        proposal_reason="Emerging risk",
        entry_date=TODAY - dt.timedelta(days=30),
        review_due=TODAY + dt.timedelta(days=60),
    )


def case_worker(world, role: Role = Role.PROBATION_PRACTITIONER, **fields) -> User:
    worker = member(role, team=world.own_team, **fields)
    world.nominal.probation_practitioner = worker
    world.nominal.save()
    return worker


def test_the_form_shows_the_standard_now_and_the_view_is_audited(client):
    world = build_world()
    on_cohort(world.nominal, "fixed")
    client.force_login(case_worker(world))

    response = client.get(url(world.nominal))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Change the contact standard" in html
    assert "Now: 3 a week: Fixed cohort default." in html
    assert 'value="3"' in html  # starts from the standard in force
    assert AuditEvent.objects.get(action="nominal.viewed").detail == {"page": "set-standard"}


def test_a_flex_person_with_no_standard_gets_one_with_a_reason(client):
    world = build_world()
    on_cohort(world.nominal, "flex")
    worker = case_worker(world, full_name="Pam Probation")
    client.force_login(worker)
    assert "Set a contact standard" in client.get(url(world.nominal)).content.decode()

    response = client.post(
        url(world.nominal), {"contacts_per_week": " 2 ", "reason": "Working full time"}, follow=True
    )

    assert response.redirect_chain == [(f"/people/{world.nominal.pk}/supervision/", 302)]
    html = response.content.decode()
    assert "Contact standard set to 2 a week" in html
    assert f"2 a week, set by Pam Probation on {TODAY:%-d %b %Y}: Working full time" in html
    standard = ContactStandard.objects.get()
    assert (standard.contacts_per_week, standard.reason, standard.set_on, standard.set_by) == (
        2,
        "Working full time",
        TODAY,
        worker,
    )
    assert AuditEvent.objects.filter(action="contact_standard.set", actor=worker).count() == 1


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ("", "Enter the number of contacts a week, like 3"),
        ("three", "Enter the number of contacts a week as a whole number, like 3"),
        ("2.5", "Enter the number of contacts a week as a whole number, like 3"),
        ("22", "Contacts a week must be 21 or fewer"),
        ("-1", "Contacts a week must be 0 or more"),
    ],
)
def test_a_bad_number_is_explained_and_nothing_is_saved(client, entered, message):
    world = build_world()
    on_cohort(world.nominal, "free")
    client.force_login(case_worker(world))

    response = client.post(url(world.nominal), {"contacts_per_week": entered, "reason": "Because"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'<a href="#id_contacts_per_week">{message}</a>' in html
    assert not ContactStandard.objects.exists()


def test_the_reason_is_required(client):
    world = build_world()
    on_cohort(world.nominal, "free")
    client.force_login(case_worker(world))
    response = client.post(url(world.nominal), {"contacts_per_week": "1", "reason": "   "})
    assert '<a href="#id_reason">Enter the reason for this contact standard</a>' in response.content.decode()
    assert not ContactStandard.objects.exists()


def test_a_manager_of_the_team_may_set_the_standard(client):
    world = build_world()
    on_cohort(world.nominal, "flex")
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.post(url(world.nominal), {"contacts_per_week": "0", "reason": "In hospital"})
    assert response.status_code == 302
    assert ContactStandard.objects.get().contacts_per_week == 0


def test_a_support_worker_not_on_the_case_team_gets_403(client):
    world = build_world()
    on_cohort(world.nominal, "flex")
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert client.get(url(world.nominal)).status_code == 403
    assert client.post(url(world.nominal), {"contacts_per_week": "2", "reason": "x"}).status_code == 403
    assert not ContactStandard.objects.exists()


def test_another_teams_person_is_not_found(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.other_team))
    assert client.get(url(world.nominal)).status_code == 404
    assert client.post(url(world.nominal), {"contacts_per_week": "2", "reason": "x"}).status_code == 404
    assert not ContactStandard.objects.exists()
