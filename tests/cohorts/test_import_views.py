"""The tracker import pages: upload and dry run, check and confirm, and who may use them."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import Nominal
from iom.core.factories import MembershipFactory
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

UPLOAD = "/people/import/"
GOOD = (
    b"Given name,Family name,CRN,Cohort,Proposed reason\r\nAmy,Bell,A123456,Fixed,Burglary\r\nBen,Carr,,,\r\n"
)
WITH_ERRORS = GOOD + b"Cy,Dunn,A12,,\r\nDee,Eve,,Gold,Robbery\r\n"


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def manager(world):
    return member(Role.MANAGER, team=world.own_team)


def csv_file(content: bytes, name: str = "tracker.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def upload(client, world, content: bytes, name: str = "tracker.csv"):
    return client.post(UPLOAD, {"team": world.own_team.pk, "file": csv_file(content, name)})


def uploaded(client, world, manager, content: bytes) -> str:
    client.force_login(manager)
    response = upload(client, world, content)
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


# --- Who may use the pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope", "status"),
    [
        (Role.MANAGER, "own", 200),
        (Role.MANAGER, "other", 200),  # their own team's import page
        (Role.POLICE_OFFENDER_MANAGER, "own", 404),
        (Role.PROBATION_PRACTITIONER, "own", 404),
        (Role.SUPPORT_WORKER, "own", 404),
        (Role.YOUNG_ADULT_SUPPORT_WORKER, "own", 404),
        (Role.PARTNER, None, 404),
        (Role.REGIONAL_LEAD, "region", 404),
        (Role.NATIONAL, None, 404),
        (Role.ADMINISTRATOR, None, 404),
    ],
)
def test_only_managers_have_the_upload_page(client, world, role, scope, status):
    team = {"own": world.own_team, "other": world.other_team}.get(scope or "")
    client.force_login(member(role, team=team, region=world.region if scope == "region" else None))
    assert client.get(UPLOAD).status_code == status
    assert client.post(UPLOAD, {}).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, world, manager):
    assert client.get(UPLOAD)["Location"].startswith("/sign-in/")
    results = uploaded(client, world, manager, GOOD)
    client.logout()
    response = client.get(results)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(
    ("role", "team"),
    [
        (Role.MANAGER, "own_team"),  # another manager of the same team: not their upload
        (Role.POLICE_OFFENDER_MANAGER, "own_team"),
        (Role.MANAGER, "other_team"),
    ],
)
def test_only_the_uploader_sees_the_results(client, world, manager, role, team):
    results = uploaded(client, world, manager, GOOD)
    client.force_login(member(role, team=getattr(world, team)))
    assert client.get(results).status_code == 404
    assert client.post(results, {"skip_failing_rows": "on"}).status_code == 404
    assert Nominal.objects.count() == 2


def test_the_manager_cannot_choose_another_teams_team(client, world, manager):
    client.force_login(manager)
    response = client.post(UPLOAD, {"team": world.other_team.pk, "file": csv_file(GOOD)})
    assert response.status_code == 200
    assert "Select one of your teams" in response.content.decode()
    assert not AuditEvent.objects.filter(action="tracker_import.dry_run").exists()


def test_a_manager_of_two_teams_chooses_the_team(client, world, manager):
    MembershipFactory.create(user=manager, role=Role.MANAGER, team=world.other_team)
    client.force_login(manager)
    html = client.get(UPLOAD).content.decode()
    assert '<select name="team"' in html
    assert "County IOM" in html
    response = client.post(UPLOAD, {"team": world.other_team.pk, "file": csv_file(GOOD)})
    assert response.status_code == 302
    assert client.post(response["Location"], {}).status_code == 302
    assert Nominal.objects.get(crn="A123456").team == world.other_team


def test_an_unknown_or_expired_token_is_not_found(client, world, manager, settings):
    results = uploaded(client, world, manager, GOOD)
    assert client.get("/people/import/" + "A" * 32 + "/").status_code == 404
    assert client.get("/people/import/not-a-token/").status_code == 404
    note_path = settings.MEDIA_ROOT / "imports" / f"{results.strip('/').rsplit('/', 1)[-1]}.json"
    note = json.loads(note_path.read_text())
    note["uploaded_at"] = (timezone.now() - timedelta(hours=25)).isoformat()
    note_path.write_text(json.dumps(note))
    assert client.get(results).status_code == 404
    assert client.post(results, {"skip_failing_rows": "on"}).status_code == 404
    assert Nominal.objects.count() == 2


# --- The upload page ------------------------------------------------------------------------------


def test_the_upload_page_uses_the_govuk_file_upload(client, world, manager):
    client.force_login(manager)
    html = client.get(UPLOAD).content.decode()
    assert 'class="govuk-file-upload"' in html
    assert 'data-module="govuk-file-upload"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "City IOM" in html


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.7", "tracker.pdf", "The selected file must be a CSV"),
        (b"", "tracker.csv", "The selected file is empty"),
        (b"Given name,Family name\r\n", "tracker.csv", "The file has no rows"),
        (b"Given name,Surname\r\nAmy,Bell\r\n", "tracker.csv", "The file has no Family name column"),
        ("Given name,Family name\r\nZoë,Bell\r\n".encode("cp1252"), "tracker.csv", "not saved as UTF-8"),
    ],
)
def test_a_file_that_cannot_be_imported_is_explained_on_the_upload_page(
    client, world, manager, content, name, message
):
    client.force_login(manager)
    response = upload(client, world, content, name)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert '<a href="#id_file">' in html
    assert "govuk-file-upload--error" in html


def test_no_file_chosen_says_so(client, world, manager):
    client.force_login(manager)
    response = client.post(UPLOAD, {"team": world.own_team.pk})
    assert "Select a CSV file" in response.content.decode()


# --- The results page and confirming --------------------------------------------------------------


def test_the_results_page_lists_the_people_and_the_errors_row_by_row(client, world, manager):
    results = uploaded(client, world, manager, WITH_ERRORS + b"")
    response = client.get(results)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 problems in 2 rows" in html
    assert "2 people will be added to City IOM" in html
    assert "Enter a CRN as a capital letter followed by six digits" in html
    assert "&quot;Gold&quot; is not a cohort: use Fixed, Flex or Free" in html
    assert "Skip the 2 rows with errors and import the rest" in html
    assert "Import 2 people" in html
    assert Nominal.objects.count() == 2


def test_ignored_columns_are_listed(client, world, manager):
    results = uploaded(
        client, world, manager, b"Given name,Family name,Notes\r\nAmy,Bell,Calls mum daily\r\n"
    )
    html = client.get(results).content.decode()
    assert "Columns ignored" in html
    assert "Notes" in html


def test_confirming_with_errors_imports_nothing_and_explains(client, world, manager):
    results = uploaded(client, world, manager, WITH_ERRORS)
    response = client.post(results, {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Nothing was imported: 2 rows have errors" in html
    assert '<a href="#id_skip_failing_rows">' in html
    assert Nominal.objects.count() == 2


def test_skipping_the_failing_rows_imports_the_rest_and_shows_a_banner(client, world, manager):
    results = uploaded(client, world, manager, WITH_ERRORS)
    response = client.post(results, {"skip_failing_rows": "on"})
    assert response.status_code == 302
    assert response["Location"] == results
    assert set(Nominal.objects.filter(team=world.own_team).values_list("family_name", flat=True)) == {
        "Robson",
        "Bell",
        "Carr",
    }
    done = client.get(results)
    html = done.content.decode()
    assert "2 people imported into City IOM" in html
    assert f'href="/people/?team={world.own_team.pk}"' in html
    assert "Import complete" in html
    # Confirming again changes nothing: the upload has been imported.
    assert client.post(results, {"skip_failing_rows": "on"}).status_code == 200
    assert Nominal.objects.count() == 4


def test_a_clean_file_imports_without_the_skip_choice(client, world, manager):
    results = uploaded(client, world, manager, GOOD)
    html = client.get(results).content.decode()
    assert "Skip the" not in html
    assert client.post(results, {}).status_code == 302
    assert Nominal.objects.filter(crn="A123456", team=world.own_team).exists()
    event = AuditEvent.objects.get(action="tracker_import.applied")
    assert (event.actor, event.detail["created"], event.detail["file_name"]) == (manager, 2, "tracker.csv")


def test_a_file_where_every_row_fails_offers_no_import(client, world, manager):
    results = uploaded(client, world, manager, b"Given name,Family name,CRN\r\nAmy,Bell,A12\r\n")
    html = client.get(results).content.decode()
    assert "No rows can be imported" in html
    assert "Import 0" not in html
    client.post(results, {"skip_failing_rows": "on"})
    assert Nominal.objects.count() == 2


def test_the_results_page_checks_again_against_the_database(client, world, manager):
    results = uploaded(client, world, manager, GOOD)
    NominalFactory.create(team=world.other_team, crn="A123456")
    html = client.get(results).content.decode()
    assert (
        "CRN A123456 is already recorded for another person. Ask your IOM manager to resolve the duplicate."
        in html
    )
    assert "1 problem in 1 row" in html
