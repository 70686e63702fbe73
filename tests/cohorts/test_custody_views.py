import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cohorts.models import Nominal, NominalChange, TimelineEvent
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _url(nominal):
    return reverse("cohorts:custody-edit", args=[nominal.pk])


def _in_error_summary(html, anchor, message):
    summary = html[html.index("govuk-error-summary") :]
    return f'<a href="{anchor}">{escape(message)}</a>' in summary


def _day(offset):
    return (TODAY + datetime.timedelta(days=offset)).strftime("%d/%m/%Y")


def _custody(version=1, **changes):
    data = {
        "version": str(version),
        "in_custody": "True",
        "establishment": "HMP Leeds",
        "sentence_date": _day(-400),
        "conditional_release_date": _day(30),
        "hdc_eligibility_date": _day(-10),
        "licence_expiry_date": _day(400),
        "sentence_expiry_date": _day(400),
    }
    data.update(changes)
    return data


def test_the_teams_manager_gets_the_form_with_the_record_as_it_is(client):
    world = build_world()
    Nominal.objects.filter(pk=world.nominal.pk).update(in_custody=True, establishment="HMP Hull")
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.get(_url(world.nominal))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="HMP Hull"' in html
    assert 'name="version" value="1"' in html
    assert 'id="id_in_custody_0" name="in_custody" type="radio" value="True" checked' in html


def test_an_allocated_worker_gets_the_form(client):
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    world.nominal.probation_practitioner = worker
    world.nominal.save()
    client.force_login(worker)
    assert client.get(_url(world.nominal)).status_code == 200


def test_a_team_member_not_on_the_case_team_is_refused(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert client.get(_url(world.nominal)).status_code == 403
    assert client.post(_url(world.nominal), _custody()).status_code == 403
    assert not Nominal.objects.get(pk=world.nominal.pk).in_custody


def test_another_teams_member_gets_404(client):
    world = build_world()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team))
    assert client.get(_url(world.nominal)).status_code == 404
    assert client.post(_url(world.nominal), _custody()).status_code == 404


def test_the_custody_tab_links_to_the_form_only_for_those_who_may_edit(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert _url(world.nominal) in client.get(f"/people/{world.nominal.pk}/custody/").content.decode()
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    assert _url(world.nominal) not in client.get(f"/people/{world.nominal.pk}/custody/").content.decode()


def test_saving_writes_the_dates_their_history_timeline_event_and_audit_row(client):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    client.force_login(manager)
    response = client.post(_url(world.nominal), _custody(), follow=True)
    assert response.redirect_chain == [(f"/people/{world.nominal.pk}/custody/", 302)]
    assert "Changes saved" in response.content.decode()
    nominal = Nominal.objects.get(pk=world.nominal.pk)
    assert (nominal.in_custody, nominal.establishment, nominal.version) == (True, "HMP Leeds", 2)
    assert nominal.conditional_release_date == TODAY + datetime.timedelta(days=30)
    assert set(NominalChange.objects.values_list("field", flat=True)) == {
        "in_custody",
        "establishment",
        "sentence_date",
        "conditional_release_date",
        "hdc_eligibility_date",
        "licence_expiry_date",
        "sentence_expiry_date",
    }
    assert TimelineEvent.objects.get(kind=TimelineEvent.Kind.RECORD).summary.startswith(
        "Record changed: in custody"
    )
    audit = AuditEvent.objects.get(action="nominal.changed")
    assert (audit.actor, audit.nominal_id, audit.detail["version"]) == (manager, nominal.pk, 2)


def test_leaving_custody_clears_the_establishment(client):
    world = build_world()
    Nominal.objects.filter(pk=world.nominal.pk).update(in_custody=True, establishment="HMP Hull")
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.post(_url(world.nominal), _custody(in_custody="False", establishment="HMP Hull"))
    assert response.status_code == 302
    nominal = Nominal.objects.get(pk=world.nominal.pk)
    assert (nominal.in_custody, nominal.establishment) == (False, "")


@pytest.mark.parametrize(
    ("changes", "anchor", "message"),
    [
        ({"in_custody": ""}, "#id_in_custody_0", "Select whether they are in custody"),
        ({"establishment": "  "}, "#id_establishment", "Enter the establishment they are held in"),
        ({"sentence_date": _day(1)}, "#id_sentence_date", "The sentence date must be today or in the past"),
        (
            {"sentence_date": _day(-5), "hdc_eligibility_date": _day(-20)},
            "#id_hdc_eligibility_date",
            "The HDC eligibility date must be after the sentence date",
        ),
        (
            {"conditional_release_date": _day(-400)},
            "#id_conditional_release_date",
            "The conditional release date must be after the sentence date",
        ),
        (
            {"hdc_eligibility_date": _day(31)},
            "#id_hdc_eligibility_date",
            "The HDC eligibility date must be on or before the conditional release date",
        ),
        (
            {"licence_expiry_date": _day(29)},
            "#id_licence_expiry_date",
            "The licence expiry date must be on or after the conditional release date",
        ),
        (
            {"sentence_expiry_date": _day(29)},
            "#id_sentence_expiry_date",
            "The sentence expiry date must be on or after the conditional release date",
        ),
        (
            {"licence_expiry_date": "32/01/2027"},
            "#id_licence_expiry_date",
            "Licence expiry date must be a real date, like 17/11/2026",
        ),
    ],
)
def test_each_problem_is_linked_from_the_error_summary_and_nothing_is_saved(client, changes, anchor, message):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.post(_url(world.nominal), _custody(**changes))
    assert response.status_code == 200
    assert _in_error_summary(response.content.decode(), anchor, message)
    nominal = Nominal.objects.get(pk=world.nominal.pk)
    assert (nominal.version, nominal.in_custody) == (1, False)
    assert not NominalChange.objects.exists()


def test_a_second_save_from_the_same_version_is_refused_and_shows_the_first(client):
    world = build_world()
    first = member(Role.MANAGER, team=world.own_team, full_name="Priya Shah")
    second = member(Role.MANAGER, team=world.own_team)
    # Both open the form at version 1.
    for user in (first, second):
        client.force_login(user)
        assert 'name="version" value="1"' in client.get(_url(world.nominal)).content.decode()
    client.force_login(first)
    assert client.post(_url(world.nominal), _custody(version=1, establishment="HMP Leeds")).status_code == 302
    client.force_login(second)
    response = client.post(
        _url(world.nominal), _custody(version=1, establishment="HMP Wakefield", licence_expiry_date=_day(500))
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this record while you were editing it" in html
    assert "What changed since you started" in html
    assert "HMP Leeds" in html
    assert "Priya Shah" in html
    # The form now carries the current version, so saving again is a deliberate overwrite.
    assert 'name="version" value="2"' in html
    nominal = Nominal.objects.get(pk=world.nominal.pk)
    assert (nominal.establishment, nominal.version) == ("HMP Leeds", 2)
    assert nominal.licence_expiry_date == TODAY + datetime.timedelta(days=400)
    assert AuditEvent.objects.filter(action="nominal.changed").count() == 1
