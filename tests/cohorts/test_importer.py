"""The tracker import service: reading, checking, keeping and applying a CSV (cohorts/importer.py)."""

import hashlib
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from cohorts import importer
from cohorts.factories import NominalFactory
from cohorts.models import Allocation, CohortMembership, Ethnicity, Nominal, TimelineEvent
from cohorts.tasks import remove_old_tracker_uploads_task
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

HEADINGS = (
    "Given name,Family name,Date of birth,Ethnicity,CRN,PNC ID,Cohort,Proposed reason,"
    "In custody,Establishment,Police offender manager"
)


def tracker(*rows: str, headings: str = HEADINGS) -> bytes:
    return ("\r\n".join([headings, *rows]) + "\r\n").encode()


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def manager(world):
    return member(Role.MANAGER, team=world.own_team, email="manager@city.example", full_name="Mo Manager")


@pytest.fixture
def pom(world):
    return member(
        Role.POLICE_OFFENDER_MANAGER, team=world.own_team, email="pom@city.example", full_name="Pat Pom"
    )


def check(content: bytes, *, actor, team):
    return importer.check_tracker(actor=actor, team=team, tracker=importer.read_tracker(content))


def problems(dry_run) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, str(error.message)) for error in dry_run.errors]


def upload(content: bytes, name: str = "tracker.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


GOOD = tracker(
    "Amy,Bell,17/11/1990,White: Irish,A123456,2012/0052494Q,Fixed,Persistent burglary,No,,pom@city.example",
    "Ben,Carr,01/02/1985,black_african,A123457,,,,Yes,HMP Leeds,",
    "Cy,Dunn,,,,,,,,,",
)


# --- Reading and checking -----------------------------------------------------------------------


def test_a_valid_file_passes_the_dry_run_and_writes_nothing(world, manager, pom):
    dry_run = check(GOOD, actor=manager, team=world.own_team)
    assert problems(dry_run) == []
    assert [row.full_name for row in dry_run.valid] == ["Amy Bell", "Ben Carr", "Cy Dunn"]
    amy, ben, _ = dry_run.valid
    assert amy.values["date_of_birth"] == date(1990, 11, 17)
    assert amy.values["ethnicity"] == "white_irish"
    assert (amy.cohort, amy.proposal_reason) == ("fixed", "Persistent burglary")
    assert amy.workers == {"police_offender_manager": pom}
    assert (ben.values["ethnicity"], ben.values["in_custody"], ben.values["establishment"]) == (
        "black_african",
        True,
        "HMP Leeds",
    )
    assert Nominal.objects.count() == 2  # the world's two people, nobody new


def test_headings_are_matched_whatever_their_case_and_extra_columns_are_listed_as_ignored(world, manager):
    content = tracker("Notes here,Amy,Bell,high", headings="Notes, GIVEN NAME ,family name,Risk level")
    dry_run = check(content, actor=manager, team=world.own_team)
    assert problems(dry_run) == []
    assert dry_run.ignored_columns == ["Notes", "Risk level"]
    assert dry_run.valid[0].full_name == "Amy Bell"


def test_a_missing_required_column_is_refused(world, manager):
    with pytest.raises(ValidationError) as caught:
        importer.read_tracker(tracker("Amy,17/11/1990", headings="Given name,Date of birth"))
    assert caught.value.messages == [
        "The file has no Family name column: row 1 must hold the column headings"
    ]


def test_a_column_given_twice_is_refused(world, manager):
    with pytest.raises(ValidationError) as caught:
        importer.read_tracker(tracker("Amy,Bell,A1,A2", headings="Given name,Family name,CRN,crn"))
    assert caught.value.messages == ["The column CRN appears twice (columns C and D): keep one"]


def test_a_bad_date_is_reported_with_its_row_and_column(world, manager):
    content = tracker("Amy,Bell,31/02/1990,,,,,,,,", "Ben,Carr,1/2/85,,,,,,,,", "Cy,Dunn,next year,,,,,,,,")
    dry_run = check(content, actor=manager, team=world.own_team)
    assert problems(dry_run) == [
        (2, "Date of birth", '"31/02/1990" is not a real date: write it as dd/mm/yyyy, like 17/11/1990'),
        (3, "Date of birth", '"1/2/85" has a short year: write the year in full, like 17/11/1990'),
        (4, "Date of birth", '"next year" is not a date: write it as dd/mm/yyyy, like 17/11/1990'),
    ]
    assert dry_run.valid == []


def test_a_date_of_birth_in_the_future_is_refused(world, manager):
    tomorrow = timezone.localdate() + timedelta(days=1)
    dry_run = check(tracker(f"Amy,Bell,{tomorrow:%d/%m/%Y},,,,,,,,"), actor=manager, team=world.own_team)
    assert problems(dry_run) == [(2, "Date of birth", "The date of birth must be in the past")]


def test_a_bad_identifier_says_what_a_right_one_looks_like(world, manager):
    content = tracker("Amy,Bell,,,A123456,2012/0052494A,,,,,", "Ben,Carr,,,B12,,,,,,")
    dry_run = check(content, actor=manager, team=world.own_team)
    assert problems(dry_run) == [
        (2, "PNC ID", "The PNC ID's check letter is wrong: check the number (it should end in Q)"),
        (3, "CRN", "Enter a CRN as a capital letter followed by six digits, like X123456"),
    ]
    assert dry_run.errors[0].value == "2012/0052494A"


def test_identifiers_are_tidied_before_they_are_checked(world, manager):
    dry_run = check(tracker("Amy,Bell,,, a 123456 ,2012/0052494q,,,,,"), actor=manager, team=world.own_team)
    assert problems(dry_run) == []
    assert (dry_run.valid[0].values["crn"], dry_run.valid[0].values["pnc_id"]) == ("A123456", "2012/0052494Q")


def test_an_unknown_cohort_and_a_cohort_without_a_reason_are_reported(world, manager):
    content = tracker("Amy,Bell,,,,,Gold,Burglary,,,", "Ben,Carr,,,,,flex,,,,", "Cy,Dunn,,,,,,Because,,,")
    dry_run = check(content, actor=manager, team=world.own_team)
    assert problems(dry_run) == [
        (2, "Cohort", '"Gold" is not a cohort: use Fixed, Flex or Free'),
        (3, "Proposed reason", "Give the reason for proposing them for the Flex cohort"),
        (4, "Cohort", "Give the cohort the proposed reason is for, or leave Proposed reason empty"),
    ]


def test_ethnicity_takes_the_labels_or_the_values_and_nothing_else(world, manager):
    content = tracker(
        "Amy,Bell,,asian_chinese,,,,,,,",
        "Ben,Carr,,Mixed or multiple ethnic groups: White and Asian,,,,,,,",
        "Cy,Dunn,,Martian,,,,,,,",
    )
    dry_run = check(content, actor=manager, team=world.own_team)
    assert [row.values["ethnicity"] for row in dry_run.valid] == ["asian_chinese", "mixed_white_asian"]
    assert problems(dry_run) == [
        (4, "Ethnicity", '"Martian" is not recognised: use one of the census categories in the column guide')
    ]


def test_an_establishment_needs_custody(world, manager):
    dry_run = check(
        tracker("Amy,Bell,,,,,,,No,HMP Leeds,", "Ben,Carr,,,,,,,Maybe,,"), actor=manager, team=world.own_team
    )
    assert problems(dry_run) == [
        (2, "Establishment", "Give an establishment only when In custody is Yes"),
        (3, "In custody", '"Maybe" is not recognised: use Yes or No'),
    ]


def test_workers_must_be_members_of_the_team_in_the_right_role(world, manager, pom):
    outsider = member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team, email="pom@county.example")
    member(Role.SUPPORT_WORKER, team=world.own_team, email="sw@city.example", full_name="Sue Support")
    content = tracker(
        f"Amy,Bell,,,,,,,,,{outsider.email}",
        "Ben,Carr,,,,,,,,,sw@city.example",
        "Cy,Dunn,,,,,,,,,POM@City.Example",
    )
    dry_run = check(content, actor=manager, team=world.own_team)
    assert problems(dry_run) == [
        (2, "Police offender manager", "No member of City IOM has this email address"),
        (3, "Police offender manager", "Sue Support is not a police offender manager in City IOM"),
    ]
    assert dry_run.valid[0].workers == {"police_offender_manager": pom}


def test_an_identifier_twice_in_the_file_flags_every_row_that_has_it(world, manager):
    content = tracker("Amy,Bell,,,A123456,,,,,,", "Ben,Carr,,,B123456,,,,,,", "Cy,Dunn,,,a123456,,,,,,")
    dry_run = check(content, actor=manager, team=world.own_team)
    assert problems(dry_run) == [
        (2, "CRN", "CRN A123456 is also on row 4: each person goes in once"),
        (4, "CRN", "CRN A123456 is also on row 2: each person goes in once"),
    ]
    assert [row.full_name for row in dry_run.valid] == ["Ben Carr"]


def test_the_same_person_twice_in_the_file_is_flagged(world, manager):
    content = tracker("Amy,Bell,17/11/1990,,,,,,,,", "amy,BELL,17/11/1990,,,,,,,,")
    dry_run = check(content, actor=manager, team=world.own_team)
    assert [(row, column) for row, column, _ in problems(dry_run)] == [(2, "Family name"), (3, "Family name")]
    assert "Same name and date of birth as row 3" in problems(dry_run)[0][2]


def test_an_identifier_already_recorded_in_another_team_names_neither_the_person_nor_their_team(
    world, manager
):
    world.other_nominal.crn = "B654321"
    world.other_nominal.save()
    own = NominalFactory.create(team=world.own_team, crn="C111111")
    content = tracker("Amy,Bell,,,B654321,,,,,,", "Ben,Carr,,,C111111,,,,,,")
    dry_run = check(content, actor=manager, team=world.own_team)
    assert problems(dry_run)[0] == (
        2,
        "CRN",
        "CRN B654321 is already recorded for another person. Ask your IOM manager to resolve the duplicate.",
    )
    # The manager may see their own team's person, so the message links to the record.
    assert problems(dry_run)[1][:2] == (3, "CRN")
    assert f"/people/{own.pk}/" in problems(dry_run)[1][2]


def test_a_utf8_file_with_a_byte_order_mark_is_read(world, manager):
    content = "\ufeffGiven name,Family name\r\nZoë,Ó Briain\r\n".encode()
    dry_run = check(content, actor=manager, team=world.own_team)
    assert problems(dry_run) == []
    assert dry_run.valid[0].full_name == "Zoë Ó Briain"


def test_a_file_in_another_encoding_is_refused_with_the_row_it_fails_on():
    content = "Given name,Family name\r\nAmy,Bell\r\nZoë,Smith\r\n".encode("cp1252")
    with pytest.raises(ValidationError) as caught:
        importer.read_tracker(content)
    assert caught.value.messages == [
        "The file is not saved as UTF-8: row 3 has characters that cannot be read. "
        'Save it as "CSV UTF-8 (Comma delimited)" and upload it again'
    ]


def test_an_excel_workbook_is_refused():
    with pytest.raises(ValidationError, match="Excel workbook, not a CSV"):
        importer.read_tracker(b"PK\x03\x04\x14\x00\x06\x00")


def test_too_many_rows_are_refused():
    content = tracker(
        *[f"Person,Number{n}" for n in range(importer.MAX_ROWS + 1)], headings="Given name,Family name"
    )
    with pytest.raises(ValidationError) as caught:
        importer.read_tracker(content)
    assert caught.value.messages == [
        "The file has 1,001 rows: import at most 1,000 at a time, so split it into smaller files"
    ]


def test_an_empty_file_and_a_file_with_only_headings_are_refused():
    with pytest.raises(ValidationError, match="The selected file is empty"):
        importer.read_tracker(b"")
    with pytest.raises(ValidationError, match="The file has no rows"):
        importer.read_tracker(b"Given name,Family name\r\n,\r\n")


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(world, manager):
    content = b"Given name,Family name,CRN\r\nAmy,Bell,A123456\r\n\r\n,,\r\nBen,Carr,B12\r\n"
    dry_run = check(content, actor=manager, team=world.own_team)
    assert dry_run.rows == 2
    assert problems(dry_run)[0][:2] == (5, "CRN")


def test_a_stray_quotation_mark_is_reported():
    content = b'Given name,Family name\r\nAmy,"Bell\r\n' + b"x" * 200_000
    with pytest.raises(ValidationError, match="cannot be read as CSV"):
        importer.read_tracker(content)


# --- Receiving, keeping and auditing the upload ---------------------------------------------------


def test_receiving_a_file_keeps_it_and_audits_the_dry_run_with_its_hash(world, manager, pom):
    stored, dry_run = importer.receive_tracker(actor=manager, team=world.own_team, upload=upload(GOOD))
    assert stored.read() == GOOD
    assert len(dry_run.valid) == 3
    event = AuditEvent.objects.get(action="tracker_import.dry_run")
    assert event.actor == manager
    assert event.target_id == str(world.own_team.pk)
    assert event.detail == {
        "file_name": "tracker.csv",
        "file_sha256": hashlib.sha256(GOOD).hexdigest(),
        "rows": 3,
        "created": 0,
        "skipped": 0,
        "errors": 0,
        "valid": 3,
        "token": stored.token,
    }
    assert importer.get_stored_import_for_user(user=manager, token=stored.token) == stored


def test_a_refused_file_is_audited_but_not_kept(world, manager, settings):
    with pytest.raises(ValidationError, match="must be a CSV"):
        importer.receive_tracker(
            actor=manager, team=world.own_team, upload=upload(b"%PDF-1.7", "tracker.pdf")
        )
    event = AuditEvent.objects.get(action="tracker_import.dry_run")
    assert event.detail["refused"] == "The selected file must be a CSV"
    assert event.detail["file_sha256"] == hashlib.sha256(b"%PDF-1.7").hexdigest()
    assert not (settings.MEDIA_ROOT / "imports").exists()


def test_a_file_over_2_mb_is_refused(world, manager):
    content = tracker(*(["Amy,Bell," + "x" * 1000] * 2100), headings="Given name,Family name,Notes")
    with pytest.raises(ValidationError, match="must be smaller than 2 MB"):
        importer.receive_tracker(actor=manager, team=world.own_team, upload=upload(content))


def test_only_the_uploader_can_reach_the_upload_and_only_for_a_day(world, manager, mocker):
    stored, _ = importer.receive_tracker(actor=manager, team=world.own_team, upload=upload(GOOD))
    other_manager = member(Role.MANAGER, team=world.own_team)
    with pytest.raises(Http404):
        importer.get_stored_import_for_user(user=other_manager, token=stored.token)
    with pytest.raises(Http404):
        importer.get_stored_import_for_user(user=manager, token="../../etc/passwd")
    with pytest.raises(Http404):
        importer.get_stored_import_for_user(user=manager, token="A" * 32)
    mocker.patch("cohorts.importer.timezone.now", return_value=stored.uploaded_at + timedelta(hours=25))
    with pytest.raises(Http404):
        importer.get_stored_import_for_user(user=manager, token=stored.token)


# --- Applying -------------------------------------------------------------------------------------


def receive(world, manager, content: bytes) -> importer.StoredImport:
    stored, _ = importer.receive_tracker(actor=manager, team=world.own_team, upload=upload(content))
    return stored


def test_applying_creates_each_person_through_the_services(world, manager, pom):
    stored = receive(world, manager, GOOD)
    result = importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)
    assert (result.created, result.proposed, result.skipped) == (3, 1, 0)
    amy = Nominal.objects.get(crn="A123456")
    assert (amy.team, amy.pnc_id, amy.police_offender_manager) == (world.own_team, "2012/0052494Q", pom)
    membership = CohortMembership.objects.get(nominal=amy)
    assert (membership.cohort, membership.status, membership.proposed_by) == ("fixed", "proposed", manager)
    allocation = Allocation.objects.get(nominal=amy)
    assert (allocation.role, allocation.worker, allocation.allocated_by) == (
        "police_offender_manager",
        pom,
        manager,
    )
    assert set(TimelineEvent.objects.filter(nominal=amy).values_list("summary", flat=True)) == {
        "Record created",
        "Proposed for the Fixed cohort",
        "Police offender manager: Pat Pom",
    }
    assert AuditEvent.objects.filter(action="nominal.created").count() == 3
    assert AuditEvent.objects.filter(action="cohort.proposed", nominal_id=amy.pk).exists()
    assert AuditEvent.objects.filter(action="nominal.allocated", nominal_id=amy.pk).exists()
    applied = AuditEvent.objects.get(action="tracker_import.applied")
    assert applied.detail == {
        "file_name": "tracker.csv",
        "file_sha256": hashlib.sha256(GOOD).hexdigest(),
        "rows": 3,
        "created": 3,
        "skipped": 0,
        "errors": 0,
        "proposed": 1,
        "token": stored.token,
    }
    assert importer.applied_import(stored) == applied


BAD_ROW = "Dee,Eve,31/02/1990,,,,,,,,"


def test_nothing_is_imported_while_any_row_fails(world, manager, pom):
    stored = receive(world, manager, GOOD[:-2] + f"\r\n{BAD_ROW}\r\n".encode())
    with pytest.raises(ValidationError) as caught:
        importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)
    assert caught.value.message_dict == {
        "skip_failing_rows": [
            "Nothing was imported: 1 row has errors. Correct the file and upload it again, "
            "or choose to skip the rows with errors"
        ]
    }
    assert Nominal.objects.count() == 2
    assert not AuditEvent.objects.filter(action="tracker_import.applied").exists()


def test_skipping_failing_rows_imports_exactly_the_good_rows(world, manager, pom):
    stored = receive(world, manager, GOOD[:-2] + f"\r\n{BAD_ROW}\r\n".encode())
    result = importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=True)
    assert (result.created, result.skipped) == (3, 1)
    assert set(Nominal.objects.filter(team=world.own_team).values_list("family_name", flat=True)) == {
        "Robson",
        "Bell",
        "Carr",
        "Dunn",
    }
    detail = AuditEvent.objects.get(action="tracker_import.applied").detail
    assert (detail["rows"], detail["created"], detail["skipped"], detail["errors"]) == (4, 3, 1, 1)


def test_a_file_where_every_row_fails_imports_nothing_even_when_skipping(world, manager):
    stored = receive(world, manager, tracker(BAD_ROW))
    with pytest.raises(ValidationError, match="no row can be imported"):
        importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=True)
    assert Nominal.objects.count() == 2


def test_apply_is_all_or_nothing_when_a_row_fails_part_way(world, manager, pom, mocker):
    stored = receive(world, manager, GOOD)
    mocker.patch("cohorts.importer.services.allocate_worker", side_effect=RuntimeError("disk full"))
    with pytest.raises(RuntimeError):
        importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)
    assert Nominal.objects.count() == 2
    assert not CohortMembership.objects.exists()
    assert not TimelineEvent.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["nominal.created", "tracker_import.applied"]).exists()


def test_a_refusal_by_a_service_part_way_imports_nothing_and_names_the_row(world, manager, pom, mocker):
    stored = receive(world, manager, GOOD)
    real_create = importer.services.create_nominal
    calls = []

    def refuse_the_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationError({"crn": "CRN A123457 is already recorded"})
        return real_create(**kwargs)

    mocker.patch("cohorts.importer.services.create_nominal", side_effect=refuse_the_second)
    with pytest.raises(ValidationError) as caught:
        importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)
    assert caught.value.messages == [
        "Nothing was imported: row 3 was refused (CRN A123457 is already recorded). "
        "Correct the file and upload it again"
    ]
    assert Nominal.objects.count() == 2


def test_apply_checks_again_against_the_database_as_it_is_now(world, manager, pom):
    stored = receive(world, manager, GOOD)
    NominalFactory.create(team=world.other_team, crn="A123457")  # added after the dry run
    with pytest.raises(ValidationError, match="1 row has errors"):
        importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)
    result = importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=True)
    assert (result.created, result.skipped) == (2, 1)


def test_an_upload_is_imported_once_only(world, manager, pom):
    stored = receive(world, manager, tracker("Amy,Bell,,,,,,,,,"))
    importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)
    with pytest.raises(ValidationError, match="already been imported"):
        importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)
    assert Nominal.objects.filter(family_name="Bell").count() == 1


def test_an_imported_file_is_deleted_once_the_import_commits_and_its_note_kept(
    world, manager, pom, settings, django_capture_on_commit_callbacks
):
    stored = receive(world, manager, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)
    assert not (settings.MEDIA_ROOT / stored.path).exists()
    # The confirmation page still finds the upload, and says it was imported.
    found = importer.get_stored_import_for_user(user=manager, token=stored.token)
    assert importer.applied_import(found) is not None
    with pytest.raises(ValidationError, match="already been imported"):
        importer.apply_tracker_import(actor=manager, stored=found, skip_failing_rows=False)


def test_a_failed_import_keeps_the_file_to_be_confirmed_again(
    world, manager, pom, settings, django_capture_on_commit_callbacks
):
    stored = receive(world, manager, tracker("Amy,Bell,31/02/1990,,,,,,,,"))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)
    assert (settings.MEDIA_ROOT / stored.path).exists()


def test_uploads_older_than_a_day_are_removed_by_the_sweep(world, manager, settings):
    old = receive(world, manager, GOOD)
    recent = receive(world, manager, tracker("Amy,Bell,,,,,,,,,"))
    folder = settings.MEDIA_ROOT / "imports"
    a_day_ago = (timezone.now() - importer.CONFIRM_WITHIN - timedelta(minutes=1)).timestamp()
    for name in (f"{old.token}.csv", f"{old.token}.json"):
        os.utime(folder / name, (a_day_ago, a_day_ago))

    assert remove_old_tracker_uploads_task.apply().get() == 2

    assert sorted(path.name for path in folder.iterdir()) == [f"{recent.token}.csv", f"{recent.token}.json"]
    with pytest.raises(Http404):
        importer.get_stored_import_for_user(user=manager, token=old.token)


def test_the_sweep_has_nothing_to_do_before_any_upload(settings):
    assert importer.remove_old_uploads() == 0


def test_a_kept_file_that_changed_on_disk_is_refused(world, manager, settings):
    stored = receive(world, manager, GOOD)
    (settings.MEDIA_ROOT / stored.path).write_bytes(GOOD + b"Eve,Ford\r\n")
    with pytest.raises(ValidationError, match="changed since it was uploaded"):
        importer.apply_tracker_import(actor=manager, stored=stored, skip_failing_rows=False)


# --- The documentation ----------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_column_guide_documents_every_column_and_example():
    guide = (DOCS / "tracker-import.md").read_text()
    for column in importer.COLUMNS:
        assert f"| {column.heading}{' *' if column.required else ''} |" in guide
        assert f"`{column.example}`" in guide
    for label in Ethnicity.labels:
        assert f"| {label} |" in guide


def test_the_example_file_passes_the_dry_run_for_the_demo_team(world, manager):
    for role, email in [
        (Role.POLICE_OFFENDER_MANAGER, "police.om@demo.iom.example"),
        (Role.PROBATION_PRACTITIONER, "probation@demo.iom.example"),
        (Role.SUPPORT_WORKER, "support@demo.iom.example"),
    ]:
        member(role, team=world.own_team, email=email)
    dry_run = check((DOCS / "tracker-import-example.csv").read_bytes(), actor=manager, team=world.own_team)
    assert problems(dry_run) == []
    assert (len(dry_run.valid), dry_run.proposals, dry_run.ignored_columns) == (6, 4, [])
