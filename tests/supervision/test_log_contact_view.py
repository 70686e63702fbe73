import datetime as dt
import re
import uuid
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import TimelineEvent
from iom.core.models import AuditEvent, Role
from supervision.models import Contact
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

TIME_MESSAGE = "Enter the time as 24-hour hours and minutes, like 14:30"
POLICE_REFUSED = "Only police in this team can record police intelligence; choose who may read the note"


def url(nominal, query=""):
    return f"/people/{nominal.pk}/contacts/new/{query}"


def supervision_tab(nominal):
    return f"/people/{nominal.pk}/supervision/"


def three_fields(attendee, **extra):
    """The common case: a worker answers three questions, and the browser sends the details
    with the defaults the form was opened with."""
    now = timezone.localtime()
    return {
        "submission_id": str(uuid.uuid4()),
        "kind": "phone",
        "outcome": "attended_complied",
        "purpose": "practical_support",
        "notes": "",
        "date": f"{now:%d/%m/%Y}",
        "time": f"{now:%H:%M}",
        "duration_minutes": "30",
        "location": "",
        "attendees": [attendee.pk],
        "sensitivity": "team",
        **extra,
    }


def banner(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def summary_links(html):
    return [
        (anchor, unescape(text))
        for anchor, text in re.findall(r'<li><a href="([^"]*)">([^<]*)</a></li>', html)
    ]


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def worker(world):
    return member(Role.SUPPORT_WORKER, team=world.own_team, full_name="Sam Worker")


# The form --------------------------------------------------------------------------------


def test_the_form_asks_three_questions_and_keeps_the_rest_in_details(client, world, worker):
    client.force_login(worker)
    html = client.get(url(world.nominal)).content.decode()
    for legend in ("Type of contact", "Outcome", "Purpose"):
        assert f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>' in html
    assert 'for="id_notes"' in html
    before, details = html.split('<details class="govuk-details">')
    assert "More details: date, time, place, who attended, who may read the note" in details
    for field in (
        "id_date",
        "id_time",
        "id_duration_minutes",
        "id_location",
        "id_attendees_0",
        "id_sensitivity_0",
    ):
        assert f'id="{field}"' in details
        assert f'id="{field}"' not in before
    assert "govuk-grid-column-two-thirds" in html


def test_the_details_default_to_now_the_worker_and_the_team(client, world, worker):
    client.force_login(worker)
    before = timezone.localtime()
    html = client.get(url(world.nominal)).content.decode()
    after = timezone.localtime()
    assert f'value="{before.date():%d/%m/%Y}"' in html
    times = {f"{before:%H:%M}", f"{after:%H:%M}"}
    time_shown = re.search(r'name="time" value="(\d\d:\d\d)"', html)
    assert time_shown is not None
    assert time_shown[1] in times
    assert 'name="duration_minutes" value="30"' in html
    assert re.search(
        rf'value="{worker.pk}" checked>\s*<label[^>]*>Sam Worker \(Northshire Support Services\)', html
    )
    assert re.search(r'value="team" checked>\s*<label[^>]*>IOM team only', html)
    submission = re.search(r'name="submission_id" value="([^"]+)"', html)
    assert submission is not None
    assert uuid.UUID(submission[1]).version == 4


def test_opening_the_form_is_audited_as_a_consultation(client, world, worker):
    client.force_login(worker)
    client.get(url(world.nominal))
    assert AuditEvent.objects.get(action="nominal.viewed").detail == {"page": "log-contact"}


def test_attendees_are_the_team_staff_with_their_agency(client, world, worker):
    police = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Pat Officer")
    member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team, full_name="Olly Elsewhere")
    client.force_login(worker)
    html = client.get(url(world.nominal)).content.decode()
    assert re.search(rf'value="{police.pk}">\s*<label[^>]*>Pat Officer \(Northshire Police\)', html)
    assert "Olly Elsewhere" not in html


def test_police_intelligence_is_offered_to_police_only(client, world, worker):
    client.force_login(worker)
    assert "Police intelligence" not in client.get(url(world.nominal)).content.decode()
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    assert "Police intelligence" not in client.get(url(world.nominal)).content.decode()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert 'value="police"' in client.get(url(world.nominal)).content.decode()


# Logging ---------------------------------------------------------------------------------


def test_three_fields_log_a_contact_now_attended_by_the_worker(client, world, worker):
    client.force_login(worker)
    before = timezone.localtime().replace(second=0, microsecond=0)
    response = client.post(url(world.nominal), three_fields(worker, notes="Rang about the bus pass."))
    assert response.status_code == 302
    assert response["Location"] == supervision_tab(world.nominal)
    assert banner(response) == ["Contact logged for Dean Robson"]
    contact = Contact.objects.get()
    assert (contact.kind, contact.outcome, contact.purpose) == (
        "phone",
        "attended_complied",
        "practical_support",
    )
    assert contact.date == before.date()
    assert before.time() <= contact.time <= timezone.localtime().time()
    assert contact.duration_minutes == 30
    assert contact.sensitivity == "team"
    assert contact.notes == "Rang about the bus pass."
    assert [row.user for row in contact.attendance.all()] == [worker]
    assert contact.logged_by == worker


def test_the_details_are_saved_when_given(client, world, worker):
    police = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    client.force_login(worker)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        url(world.nominal),
        three_fields(
            worker,
            kind="joint_visit",
            date=f"{yesterday:%d/%m/%Y}",
            time="9.05",
            duration_minutes="45",
            location="  His flat  ",
            attendees=[worker.pk, police.pk],
            sensitivity="partners",
        ),
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.date, contact.time, contact.duration_minutes) == (yesterday, dt.time(9, 5), 45)
    assert (contact.location, contact.sensitivity) == ("His flat", "partners")
    assert {row.user for row in contact.attendance.all()} == {worker, police}


def test_a_police_officer_may_record_police_intelligence(client, world):
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    client.force_login(officer)
    response = client.post(
        url(world.nominal), three_fields(officer, sensitivity="police", notes="Seen with X")
    )
    assert response.status_code == 302
    assert Contact.objects.get().sensitivity == "police"


def test_police_intelligence_posted_by_probation_is_refused(client, world):
    probation = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    client.force_login(probation)
    response = client.post(
        url(world.nominal), three_fields(probation, sensitivity="police", notes="Seen with X")
    )
    assert response.status_code == 200
    assert ("#id_sensitivity_0", POLICE_REFUSED) in summary_links(response.content.decode())
    assert not Contact.objects.exists()


# Errors ----------------------------------------------------------------------------------


def test_the_three_questions_are_required(client, world, worker):
    client.force_login(worker)
    response = client.post(url(world.nominal), three_fields(worker, kind="", outcome="", purpose=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert summary_links(html) == [
        ("#id_kind_0", "Select the type of contact"),
        ("#id_outcome_0", "Select the outcome"),
        ("#id_purpose_0", "Select the purpose"),
    ]
    # Only the missing details are errors; the three questions are outside the details component.
    assert '<details class="govuk-details">' in html
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "anchor", "message"),
    [
        ("date", "31/02/2026", "#id_date", "Date of contact must be a real date, like 17/11/2026"),
        ("date", "", "#id_date", "Enter the date of contact"),
        ("time", "25:00", "#id_time", TIME_MESSAGE),
        ("time", "9am", "#id_time", TIME_MESSAGE),
        ("time", "", "#id_time", "Enter the time of the contact"),
        (
            "duration_minutes",
            "half an hour",
            "#id_duration_minutes",
            "Duration must be a whole number of minutes, like 30",
        ),
        ("duration_minutes", "0", "#id_duration_minutes", "Duration must be between 1 and 480 minutes"),
        ("duration_minutes", "481", "#id_duration_minutes", "Duration must be between 1 and 480 minutes"),
        ("location", "x" * 201, "#id_location", "Location must be 200 characters or fewer"),
        ("attendees", [], "#id_attendees_0", "Select at least one member of staff who attended"),
        ("attendees", ["999999"], "#id_attendees_0", "Attendees must be staff of this person's IOM team"),
        ("sensitivity", "", "#id_sensitivity_0", "Select who may read the note"),
        ("notes", "x" * 5001, "#id_notes", "Note must be 5,000 characters or fewer"),
    ],
)
def test_each_bad_detail_is_explained_against_its_field(client, world, worker, field, value, anchor, message):
    client.force_login(worker)
    data = three_fields(worker, time="00:00")
    data[field] = value
    response = client.post(url(world.nominal), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert summary_links(html) == [(anchor, message)]
    # A wrong detail opens the details component, so the link in the summary reaches the field.
    assert ('<details class="govuk-details" open>' in html) is (field != "notes")
    assert not Contact.objects.exists()


def test_a_future_date_is_refused_by_the_service_against_the_date(client, world, worker):
    client.force_login(worker)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(url(world.nominal), three_fields(worker, date=f"{tomorrow:%d/%m/%Y}"))
    assert ("#id_date", "Date of contact must be today or in the past") in summary_links(
        response.content.decode()
    )
    assert not Contact.objects.exists()


def test_a_time_later_today_is_refused_by_the_service_against_the_time(client, world, worker):
    if timezone.localtime().time() >= dt.time(23, 58):
        pytest.skip("no later minute left today")
    client.force_login(worker)
    response = client.post(url(world.nominal), three_fields(worker, time="23:59"))
    assert summary_links(response.content.decode()) == [
        ("#id_time", "Time of contact must be now or earlier; plan an appointment for later")
    ]
    assert not Contact.objects.exists()


def test_a_joint_visit_with_one_agency_is_refused_against_the_attendees(client, world, worker):
    other_worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    client.force_login(worker)
    response = client.post(
        url(world.nominal),
        three_fields(worker, kind="joint_visit", attendees=[worker.pk, other_worker.pk]),
    )
    html = response.content.decode()
    assert summary_links(html) == [
        (
            "#id_attendees_0",
            "A joint visit needs staff from at least two agencies, such as police and probation",
        )
    ]
    assert '<p id="id_attendees_error" class="govuk-error-message">' in html
    assert not Contact.objects.exists()


def test_the_form_keeps_its_submission_id_when_shown_again_with_errors(client, world, worker):
    client.force_login(worker)
    submission = str(uuid.uuid4())
    html = client.post(url(world.nominal), {"submission_id": submission}).content.decode()
    assert f'name="submission_id" value="{submission}"' in html


# Submitting twice ------------------------------------------------------------------------


def test_the_same_form_submitted_twice_records_one_contact(client, world, worker):
    client.force_login(worker)
    data = three_fields(worker, notes="Double click")
    first = client.post(url(world.nominal, "?next=caseload"), data)
    second = client.post(url(world.nominal, "?next=caseload"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == "/people/"
    assert Contact.objects.count() == 1
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.CONTACT).count() == 1
    assert AuditEvent.objects.filter(action="contact.logged").count() == 1


def test_two_forms_record_two_contacts(client, world, worker):
    client.force_login(worker)
    client.post(url(world.nominal), three_fields(worker))
    client.post(url(world.nominal), three_fields(worker))
    assert Contact.objects.count() == 2


# Where it returns ------------------------------------------------------------------------


def test_from_the_caseload_it_returns_to_the_caseload(client, world, worker):
    client.force_login(worker)
    html = client.get(url(world.nominal, "?next=caseload")).content.decode()
    assert '<input type="hidden" name="next" value="caseload">' in html
    assert '<a href="/people/" class="govuk-back-link">Back to the caseload</a>' in html
    # The hidden field carries it when the form posts to the bare address.
    response = client.post(url(world.nominal), three_fields(worker, next="caseload"))
    assert response["Location"] == "/people/"


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/admin/", "Caseload"])
def test_any_other_next_is_ignored(client, world, worker, target):
    client.force_login(worker)
    html = client.get(url(world.nominal, f"?next={target}")).content.decode()
    assert 'name="next"' not in html
    assert "evil" not in html
    response = client.post(url(world.nominal, f"?next={target}"), three_fields(worker))
    assert response["Location"] == supervision_tab(world.nominal)
    response = client.post(url(world.nominal), three_fields(worker, next=target))
    assert response["Location"] == supervision_tab(world.nominal)


# Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        lambda w: member(Role.SUPPORT_WORKER, team=w.other_team),
        lambda w: member(Role.PARTNER),
        lambda w: member(Role.REGIONAL_LEAD, region=w.region),
    ],
    ids=["other team", "partner", "regional lead"],
)
def test_people_outside_the_team_are_not_found(client, world, who):
    user = who(world)
    client.force_login(user)
    assert client.get(url(world.nominal)).status_code == 404
    assert client.post(url(world.nominal), three_fields(user)).status_code == 404
    assert not Contact.objects.exists()


def test_another_teams_person_is_not_found_and_the_attempt_is_logged(client, world, worker):
    client.force_login(worker)
    assert client.get(url(world.other_nominal)).status_code == 404
    assert client.post(url(world.other_nominal), three_fields(worker)).status_code == 404
    assert AuditEvent.objects.filter(action="nominal.access_denied").count() == 2


# Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("more_staff", [0, 6])
def test_the_form_takes_a_fixed_number_of_queries(
    client, world, worker, django_assert_num_queries, more_staff
):
    for _ in range(more_staff):
        member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    client.force_login(worker)
    # session, user, person (with team and case team), audit insert, memberships, team staff
    with django_assert_num_queries(6):
        response = client.get(url(world.nominal))
    assert response.status_code == 200
    assert len(response.context["form"].fields["attendees"].choices) == 1 + more_staff


# The caseload's link -----------------------------------------------------------------------


def test_each_caseload_row_links_to_the_form_and_costs_no_query(
    client, world, worker, django_assert_num_queries
):
    others = NominalFactory.create_batch(5, team=world.own_team)
    client.force_login(worker)
    with django_assert_num_queries(7):  # as tests/cohorts/test_caseload_view.py counts it
        html = client.get("/people/").content.decode()
    for nominal in [world.nominal, *others]:
        assert f'href="/people/{nominal.pk}/contacts/new/?next=caseload">Log contact' in html
    assert 'Log contact<span class="govuk-visually-hidden"> for Dean Robson</span>' in html


def test_the_caseload_link_follows_the_access_policy(world, worker):
    from iom.core.templatetags.access_tags import may_log_contact

    assert may_log_contact(worker, world.nominal)
    assert not may_log_contact(worker, world.other_nominal)
    assert not may_log_contact(member(Role.REGIONAL_LEAD, region=world.region), world.nominal)
