import pytest
from axes.models import AccessAttempt, AccessFailureLog

from cohorts.models import CohortSetting
from iom.core import audit
from iom.core.factories import RegionFactory
from iom.core.models import AuditEvent, Region, Role
from tests.actors import member

pytestmark = pytest.mark.django_db


def test_administration_lists_people_and_teams_but_no_case_records(client):
    client.force_login(member(Role.ADMINISTRATOR))
    html = client.get("/admin/").content.decode()
    for model in ("users", "teams", "organisations", "regions"):
        assert f"/admin/core/{model[:-1]}/" in html
    for reference in ("offencecategory", "cohortsetting"):
        assert f"/admin/cohorts/{reference}/" in html
    # The governance packs' reference tables; report runs themselves are not administered here.
    for reference in ("crimeunitcost", "areabaseline"):
        assert f"/admin/reports/{reference}/" in html
    for case_model in (
        "cohorts/nominal",
        "cohorts/cohortmembership",
        "cohorts/assessment",
        "supervision/",
        "reports/reportrun",
    ):
        assert f"/admin/{case_model}" not in html


def test_a_change_made_in_administration_is_audited(client):
    admin = member(Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post("/admin/core/region/add/", {"name": "Westshire"})
    assert response.status_code == 302
    region = Region.objects.get(name="Westshire")
    event = AuditEvent.objects.get(action="region.created")
    assert (event.actor, event.target_id) == (admin, str(region.pk))


def test_a_deletion_in_administration_is_audited(client):
    admin = member(Role.ADMINISTRATOR)
    region = RegionFactory.create(name="Eastshire")
    client.force_login(admin)
    response = client.post(f"/admin/core/region/{region.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="region.deleted")
    assert event.detail == {"was": "Eastshire"}


def test_audit_events_cannot_be_changed_from_administration(client):
    client.force_login(member(Role.ADMINISTRATOR))
    event = AuditEvent.objects.create(action="test.recorded")
    assert client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/core/auditevent/add/").status_code == 403


def test_changing_a_cohorts_review_interval_is_audited(client):
    admin = member(Role.ADMINISTRATOR)
    client.force_login(admin)
    setting = CohortSetting.objects.get(cohort="fixed")
    response = client.post(
        f"/admin/cohorts/cohortsetting/{setting.pk}/change/",
        {
            "cohort": "fixed",
            "review_interval_months": 6,
            "contacts_per_week": 3,
            "absence_window_days": 365,
            "absence_threshold": 2,
        },
    )
    assert response.status_code == 302
    setting.refresh_from_db()
    assert setting.review_interval_months == 6
    assert AuditEvent.objects.get(action="cohortsetting.changed").detail == {
        "fields": ["review_interval_months"]
    }


def test_people_without_the_administrator_role_cannot_use_administration(client):
    client.force_login(member(Role.NATIONAL))
    assert client.get("/admin/").status_code == 302


# Sign-in lockouts (django-axes) ---------------------------------------------------------------------


def _lockout(username: str = "tom@example.org") -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username,
        ip_address="203.0.113.9",
        user_agent="Firefox",
        path_info="/accounts/sign-in/",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="text/html",
    )


def test_lifting_a_lockout_in_administration_is_audited(client):
    admin = member(Role.ADMINISTRATOR)
    attempt = _lockout()
    client.force_login(admin)
    assert "/admin/axes/accessattempt/" in client.get("/admin/").content.decode()

    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="user.unlocked")
    assert (event.actor, event.target_type, event.target_id) == (admin, "axes.accessattempt", str(attempt.pk))
    assert event.detail == {"username": "tom@example.org", "ip_address": "203.0.113.9", "failures": 5}
    assert audit.kind_of(event.action) == audit.SECURITY


def test_lifting_several_lockouts_at_once_audits_each(client):
    client.force_login(member(Role.ADMINISTRATOR))
    attempts = [_lockout("tom@example.org"), _lockout("ann@example.org")]

    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"},
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    unlocked = AuditEvent.objects.filter(action="user.unlocked")
    assert sorted(event.detail["username"] for event in unlocked) == ["ann@example.org", "tom@example.org"]


def test_the_logs_of_sign_in_failures_cannot_be_deleted_from_administration(client):
    client.force_login(member(Role.ADMINISTRATOR))
    failure = AccessFailureLog.objects.create(username="tom@example.org", ip_address="203.0.113.9")
    assert client.get(f"/admin/axes/accessfailurelog/{failure.pk}/delete/").status_code == 403
