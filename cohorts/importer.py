"""Import an IOM tracker spreadsheet (CSV) into a team's caseload (docs/tracker-import.md).

Three steps, and the browser carries nothing between them but a random token:

1. `receive_tracker` checks the file as a whole (type, size, encoding, headings), keeps it under
   MEDIA_ROOT/imports/<token>.csv beside a note of who uploaded it for which team, and audits the
   dry run with the file's SHA-256. The file is deleted once imported, or after CONFIRM_WITHIN.
2. `check_tracker` validates every row against the database as it is now. It runs for the dry
   run and again inside the apply transaction, because the database may change in between.
3. `apply_tracker_import` creates each good row through the same services as the pages
   (create_nominal, propose_for_cohort, allocate_worker) in one transaction: every row or none.
"""

import csv
import hashlib
import io
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags

from cohorts import identifiers, services
from cohorts.models import Allocation, Cohort, Ethnicity, Gender, Nominal, StatutoryStatus
from iom.core import access, audit
from iom.core.models import AuditEvent, Membership, Team, User

MAX_BYTES = 2 * 1024 * 1024
# Applying runs every row through the services (about 30 queries each) in one request, so the cap
# keeps an import well inside gunicorn's 60-second timeout. A larger tracker is split into files.
MAX_ROWS = 1000
# A dry run can be confirmed for this long. The uploaded file (names, dates of birth, identifiers) is
# deleted once imported, and any upload older than this by beat (remove_old_uploads): the audit keeps
# its SHA-256 as the evidence of what was imported.
CONFIRM_WITHIN = timedelta(hours=24)
# How many rows the results page lists; the counts always cover the whole file.
PREVIEW_ROWS = 100
SHOWN_ERRORS = 500
STORAGE_FOLDER = "imports"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")

DRY_RUN = "tracker_import.dry_run"
APPLIED = "tracker_import.applied"


@dataclass(frozen=True)
class Column:
    heading: str
    key: str
    hint: str
    example: str
    required: bool = False


# The documented mapping (docs/tracker-import.md), in the order the guide lists it.
COLUMNS = (
    Column("Given name", "given_name", "Required", "Jamie", required=True),
    Column("Family name", "family_name", "Required", "Fletcher", required=True),
    Column("Date of birth", "date_of_birth", "dd/mm/yyyy", "14/03/1994"),
    Column("Gender", "gender", "Male, Female, Non-binary, Another gender or Prefers not to say", "Female"),
    Column(
        "Ethnicity", "ethnicity", "One of the 2021 census categories, written as listed here", "White: Irish"
    ),
    Column("Area", "address_area", "Neighbourhood or postcode district, not a full address", "Elm Park"),
    Column("CRN", "crn", "A letter and six digits", "X123456"),
    Column("PNC ID", "pnc_id", "Year, slash, seven digits and the check letter", "2012/0052494Q"),
    Column("NOMIS number", "nomis_number", "A letter, four digits and two letters", "A1234BC"),
    Column(
        "CRO number", "cro_number", "Up to six digits, slash, two-digit year and check letter", "123456/08T"
    ),
    Column(
        "Statutory status",
        "statutory_status",
        "On licence, Community order, Post-sentence supervision or None; empty means None",
        "On licence",
    ),
    Column("Cohort", "cohort", "Fixed, Flex or Free: proposes them to the panel", "Fixed"),
    Column(
        "Proposed reason",
        "proposal_reason",
        "Required when Cohort is given",
        "Three burglaries in six months",
    ),
    Column("In custody", "in_custody", "Yes or No; empty means No", "Yes"),
    Column("Establishment", "establishment", "Only when In custody is Yes", "HMP Northshire"),
    Column("Conditional release date", "conditional_release_date", "dd/mm/yyyy", "12/01/2027"),
    Column(
        "Police offender manager",
        Allocation.Role.POLICE_OFFENDER_MANAGER.value,
        "Email address of a police offender manager in the team",
        "sam.carter@police.example",
    ),
    Column(
        "Probation practitioner",
        Allocation.Role.PROBATION_PRACTITIONER.value,
        "Email address of a probation practitioner in the team",
        "priya.shah@probation.example",
    ),
    Column(
        "Support worker",
        Allocation.Role.SUPPORT_WORKER.value,
        "Email address of a support worker or young adult support worker in the team",
        "jordan.lee@charity.example",
    ),
)
HEADINGS = {column.key: column.heading for column in COLUMNS}
WORKER_COLUMNS = tuple(Allocation.Role)
NOMINAL_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address_area",
    *services.IDENTIFIER_FIELDS,
    "statutory_status",
    "in_custody",
    "establishment",
    "conditional_release_date",
)
MAX_REASON = 5000
MAX_TEXT = 100  # names, area and establishment, as the record holds them


def _fold(text: str) -> str:
    """How headings and choices compare: case, spacing, hyphens and underscores do not matter."""
    return " ".join(text.replace("_", " ").replace("-", " ").replace("*", " ").split()).casefold()


def _choice_lookup(choices: Iterable[tuple[str, str]], **extra: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in choices:
        # "None (voluntary)" may be written "None"; the value itself ("pss") is accepted too.
        for spelling in (value, label, re.sub(r"\s*\(.*\)$", "", label)):
            lookup[_fold(spelling)] = value
    lookup.update({_fold(spelling): value for spelling, value in extra.items()})
    return lookup


GENDERS = _choice_lookup(Gender.choices, M=Gender.MALE, F=Gender.FEMALE)
ETHNICITIES = _choice_lookup(Ethnicity.choices)
STATUTORY_STATUSES = _choice_lookup(StatutoryStatus.choices, Voluntary=StatutoryStatus.NONE)
COHORTS = _choice_lookup(Cohort.choices)
YES_NO = {"yes": True, "y": True, "no": False, "n": False}


# --- Reading the file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackerFile:
    """A file that is a readable CSV with the required headings: its rows are not yet checked."""

    columns: dict[str, int]  # column key -> position in the row
    ignored_columns: list[str]
    records: list[tuple[int, list[str]]]  # (row number in the spreadsheet, cells)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _decode(content: bytes) -> str:
    if not content:
        raise ValidationError("The selected file is empty")
    if content.startswith(b"PK\x03\x04"):
        raise ValidationError(
            "The selected file is an Excel workbook, not a CSV: in Excel choose File, Save As, "
            'and the file type "CSV UTF-8 (Comma delimited)"'
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            'The selected file is saved as UTF-16 ("Unicode text"): save it as "CSV UTF-8 (Comma delimited)"'
        )
    if b"\x00" in content:
        raise ValidationError("The selected file is not a CSV: it contains binary data")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ValidationError(
            f"The file is not saved as UTF-8: row {line} has characters that cannot be read. "
            'Save it as "CSV UTF-8 (Comma delimited)" and upload it again'
        ) from None


def read_tracker(content: bytes) -> TrackerFile:
    """Check the file as a whole; a ValidationError says what is wrong with it."""
    if len(content) > MAX_BYTES:
        raise ValidationError("The selected file must be smaller than 2 MB")
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, cells))
    except csv.Error:
        raise ValidationError(
            f"Row {len(rows) + 1} cannot be read as CSV: check it for a stray quotation mark"
        ) from None
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        raise ValidationError("Row 1 must hold the column headings, such as Given name and Family name")
    by_heading = {_fold(column.heading): column for column in COLUMNS}
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, heading in enumerate(rows[0][1]):
        column = by_heading.get(_fold(heading))
        if column is None:
            if heading.strip():
                ignored.append(heading.strip())
            continue
        if column.key in columns:
            first = _column_letter(columns[column.key])
            raise ValidationError(
                f"The column {column.heading} appears twice (columns {first} and {_column_letter(index)}): "
                "keep one"
            )
        columns[column.key] = index
    missing = [column.heading for column in COLUMNS if column.required and column.key not in columns]
    if missing:
        raise ValidationError(
            f"The file has no {' or '.join(missing)} column: row 1 must hold the column headings"
        )
    records = [(number, cells) for number, cells in rows[1:] if any(cell.strip() for cell in cells)]
    if not records:
        raise ValidationError("The file has no rows: add one row for each person under the headings")
    if len(records) > MAX_ROWS:
        raise ValidationError(
            f"The file has {len(records):,} rows: import at most {MAX_ROWS:,} at a time, "
            "so split it into smaller files"
        )
    return TrackerFile(columns=columns, ignored_columns=ignored, records=records)


# --- Checking the rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class TrackerRow:
    """One person as the file describes them, ready for the services when it has no errors."""

    row: int
    values: dict[str, Any]
    cohort: str = ""
    proposal_reason: str = ""
    workers: dict[str, User] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.values.get('given_name', '')} {self.values.get('family_name', '')}".strip()

    @property
    def identifiers(self) -> list[tuple[str, str]]:
        return [
            (HEADINGS[key], self.values[key]) for key in services.IDENTIFIER_FIELDS if self.values.get(key)
        ]

    @property
    def case_team(self) -> list[tuple[str, User]]:
        return [(Allocation.Role(role).label, worker) for role, worker in self.workers.items()]

    def cohort_label(self) -> str:
        return Cohort(self.cohort).label if self.cohort else ""


@dataclass
class DryRun:
    team: Team
    rows: int
    valid: list[TrackerRow]
    errors: list[RowError]
    ignored_columns: list[str]

    @property
    def failing_rows(self) -> int:
        return len({error.row for error in self.errors})

    @property
    def proposals(self) -> int:
        return sum(1 for row in self.valid if row.cohort)

    @property
    def preview(self) -> list[TrackerRow]:
        return self.valid[:PREVIEW_ROWS]

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:SHOWN_ERRORS]


_DATE = re.compile(r"^(?P<day>[0-9]{1,2})[/.-](?P<month>[0-9]{1,2})[/.-](?P<year>[0-9]{2,4})$")
_ISO_DATE = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})$")


def _parse_date(text: str) -> date:
    """dd/mm/yyyy (also with - or .), or yyyy-mm-dd as some systems export; raise ValueError to explain."""
    match = _DATE.match(text) or _ISO_DATE.match(text)
    if not match:
        raise ValueError(f'"{text}" is not a date: write it as dd/mm/yyyy, like 17/11/1990')
    if len(match["year"]) != 4:
        raise ValueError(f'"{text}" has a short year: write the year in full, like 17/11/1990')
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise ValueError(f'"{text}" is not a real date: write it as dd/mm/yyyy, like 17/11/1990') from None


class _RowReader:
    """Turns one row's cells into the services' values, collecting every problem on the way."""

    def __init__(self, tracker: TrackerFile, team: Team, members: dict[str, tuple[User, set[str]]]):
        self.tracker = tracker
        self.team = team
        self.members = members
        self.today = timezone.localdate()

    def read(self, number: int, cells: Sequence[str]) -> TrackerRow:
        row = TrackerRow(row=number, values={})

        def cell(key: str) -> str:
            index = self.tracker.columns.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        def fail(key: str, message: str, value: str | None = None) -> None:
            row.errors.append(RowError(number, HEADINGS[key], cell(key) if value is None else value, message))

        for key in ("given_name", "family_name", "address_area", "establishment"):
            row.values[key] = " ".join(cell(key).split())
        for key in ("given_name", "family_name"):
            if not row.values[key]:
                fail(key, f"Enter the {HEADINGS[key].lower()}: it is required")
        for key in ("given_name", "family_name", "address_area", "establishment"):
            if len(row.values[key]) > MAX_TEXT:
                fail(key, f"The {HEADINGS[key].lower()} must be {MAX_TEXT} characters or fewer", "")

        for key in ("date_of_birth", "conditional_release_date"):
            row.values[key] = None
            if cell(key):
                try:
                    row.values[key] = _parse_date(cell(key))
                except ValueError as error:
                    fail(key, str(error))
        birth = row.values["date_of_birth"]
        if birth is not None and birth >= self.today:
            fail("date_of_birth", "The date of birth must be in the past")
            row.values["date_of_birth"] = None
        elif birth is not None and birth.year < 1900:
            fail("date_of_birth", "The date of birth must be after 1900")

        for key, lookup, default, guide in (
            ("gender", GENDERS, "", "Male, Female, Non-binary, Another gender or Prefers not to say"),
            ("ethnicity", ETHNICITIES, "", "one of the census categories in the column guide"),
            (
                "statutory_status",
                STATUTORY_STATUSES,
                StatutoryStatus.NONE.value,
                "On licence, Community order, Post-sentence supervision or None",
            ),
        ):
            value = cell(key)
            row.values[key] = lookup.get(_fold(value), "") if value else default
            if value and not row.values[key]:
                fail(key, f'"{value}" is not recognised: use {guide}')

        for key in services.IDENTIFIER_FIELDS:
            row.values[key] = identifiers.normalise(cell(key)) or None

        custody = cell("in_custody")
        row.values["in_custody"] = YES_NO.get(custody.casefold(), False) if custody else False
        if custody and custody.casefold() not in YES_NO:
            fail("in_custody", f'"{custody}" is not recognised: use Yes or No')
        elif row.values["establishment"] and not row.values["in_custody"]:
            fail("establishment", "Give an establishment only when In custody is Yes")

        cohort, reason = cell("cohort"), cell("proposal_reason")
        row.cohort = COHORTS.get(_fold(cohort), "") if cohort else ""
        row.proposal_reason = reason
        if cohort and not row.cohort:
            fail("cohort", f'"{cohort}" is not a cohort: use Fixed, Flex or Free')
        elif row.cohort and not reason:
            fail(
                "proposal_reason",
                f"Give the reason for proposing them for the {Cohort(row.cohort).label} cohort",
            )
        elif reason and not cohort:
            fail("cohort", "Give the cohort the proposed reason is for, or leave Proposed reason empty")
        if len(reason) > MAX_REASON:
            fail("proposal_reason", f"The proposed reason must be {MAX_REASON:,} characters or fewer", "")

        for role in WORKER_COLUMNS:
            email = cell(role.value)
            if not email:
                continue
            member = self.members.get(email.casefold())
            if member is None:
                fail(role.value, f"No member of {self.team.name} has this email address")
                continue
            worker, roles = member
            if not worker.is_active:
                fail(role.value, f"{worker}'s account is deactivated")
            elif not roles & services.ALLOCATION_ROLES[role]:
                fail(role.value, f"{worker} is not a {role.label.lower()} in {self.team.name}")
            else:
                row.workers[role.value] = worker

        self._check_against_model(row, fail)
        return row

    def _check_against_model(self, row: TrackerRow, fail: Callable[..., None]) -> None:
        """The record's own rules (lengths, identifier formats and check letters), once per field."""
        failed = {key for key, heading in HEADINGS.items() if any(e.column == heading for e in row.errors)}
        candidate = Nominal(team=self.team, **row.values)
        # The team and the database-backed rules are checked in bulk by check_tracker, not row by row.
        checked = set(NOMINAL_FIELDS) - failed
        exclude = [f.name for f in Nominal._meta.get_fields() if f.name not in checked]
        try:
            candidate.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for key, field_errors in error.error_dict.items():
                # Lengths are worded above; an identifier's own validator says what a right one looks like.
                for message in (e.messages[0] for e in field_errors if e.code != "max_length"):
                    fail(key, message)
                if key in services.IDENTIFIER_FIELDS:
                    row.values[key] = None  # a malformed identifier takes no part in duplicate checks


def _team_members(team: Team) -> dict[str, tuple[User, set[str]]]:
    """Everyone with a role in the team, by email address, with their roles there."""
    members: dict[str, tuple[User, set[str]]] = {}
    for membership in Membership.objects.filter(team=team).select_related("user"):
        _, roles = members.setdefault(membership.user.email.casefold(), (membership.user, set()))
        roles.add(membership.role)
    return members


def _in_chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _rows_text(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    return "rows " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def _check_duplicates_in_file(rows: list[TrackerRow]) -> None:
    for key in services.IDENTIFIER_FIELDS:
        holders: dict[str, list[TrackerRow]] = defaultdict(list)
        for row in rows:
            if row.values.get(key):
                holders[row.values[key]].append(row)
        for value, same in holders.items():
            if len(same) < 2:
                continue
            for row in same:
                others = [other.row for other in same if other is not row]
                row.errors.append(
                    RowError(
                        row.row,
                        HEADINGS[key],
                        value,
                        f"{HEADINGS[key]} {value} is also on {_rows_text(others)}: each person goes in once",
                    )
                )
    people: dict[tuple[str, str, date], list[TrackerRow]] = defaultdict(list)
    for row in rows:
        birth = row.values.get("date_of_birth")
        if birth and row.values["given_name"] and row.values["family_name"]:
            people[(_fold(row.values["given_name"]), _fold(row.values["family_name"]), birth)].append(row)
    for same in people.values():
        if len(same) < 2:
            continue
        for row in same:
            others = [other.row for other in same if other is not row]
            row.errors.append(
                RowError(
                    row.row,
                    HEADINGS["family_name"],
                    row.full_name,
                    f"Same name and date of birth as {_rows_text(others)}: each person goes in once",
                )
            )


def _check_duplicates_in_database(*, actor: User, rows: list[TrackerRow]) -> None:
    """One query per identifier finds the rows that clash; the service words each clash as the pages do."""
    clashing: set[int] = set()
    for key in services.IDENTIFIER_FIELDS:
        wanted = sorted({row.values[key] for row in rows if row.values.get(key)})
        taken: set[str] = set()
        for chunk in _in_chunks(wanted):
            taken.update(Nominal.objects.filter(**{f"{key}__in": chunk}).values_list(key, flat=True))
        clashing.update(id(row) for row in rows if row.values.get(key) in taken)
    for row in rows:
        if id(row) not in clashing:
            continue
        values = {key: row.values[key] for key in services.IDENTIFIER_FIELDS}
        try:
            services.check_identifiers_are_new(actor=actor, values=values)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                for message in messages:
                    row.errors.append(RowError(row.row, HEADINGS[key], row.values[key], message))


def check_tracker(*, actor: User, team: Team, tracker: TrackerFile) -> DryRun:
    """Validate every row; nothing is written. The same check runs again at apply time."""
    reader = _RowReader(tracker, team, _team_members(team))
    rows = [reader.read(number, cells) for number, cells in tracker.records]
    _check_duplicates_in_file(rows)
    _check_duplicates_in_database(actor=actor, rows=rows)
    order = {column.heading: position for position, column in enumerate(COLUMNS)}
    errors = sorted(
        (error for row in rows for error in row.errors), key=lambda e: (e.row, order.get(e.column, 99))
    )
    return DryRun(
        team=team,
        rows=len(rows),
        valid=[row for row in rows if not row.errors],
        errors=errors,
        ignored_columns=tracker.ignored_columns,
    )


# --- Keeping the file between the dry run and the import ---------------------------------------


@dataclass(frozen=True)
class StoredImport:
    token: str
    team_id: int
    uploaded_by_id: int
    file_name: str
    file_sha256: str
    uploaded_at: datetime

    @property
    def path(self) -> str:
        return f"{STORAGE_FOLDER}/{self.token}.csv"

    def read(self) -> bytes:
        with default_storage.open(self.path, "rb") as stored:
            content: bytes = stored.read()
        if hashlib.sha256(content).hexdigest() != self.file_sha256:
            raise ValidationError(
                "The stored copy of this file has changed since it was uploaded: upload it again"
            )
        return content


def _clean_file_name(name: str) -> str:
    return (name.replace("\\", "/").rsplit("/", 1)[-1] or "tracker.csv")[:200]


def _store(*, actor: User, team: Team, file_name: str, content: bytes, sha256: str) -> StoredImport:
    stored = StoredImport(
        token=secrets.token_urlsafe(24),
        team_id=team.pk,
        uploaded_by_id=actor.pk,
        file_name=file_name,
        file_sha256=sha256,
        uploaded_at=timezone.now(),
    )
    default_storage.save(stored.path, ContentFile(content))
    note = {
        "team_id": stored.team_id,
        "uploaded_by_id": stored.uploaded_by_id,
        "file_name": stored.file_name,
        "file_sha256": stored.file_sha256,
        "uploaded_at": stored.uploaded_at.isoformat(),
    }
    default_storage.save(f"{STORAGE_FOLDER}/{stored.token}.json", ContentFile(json.dumps(note).encode()))
    return stored


def get_stored_import_for_user(*, user: User, token: str) -> StoredImport:
    """The upload behind a token: only its uploader, still a manager of the team, within a day."""
    if not _TOKEN.match(token):
        raise Http404("No such import")
    try:
        with default_storage.open(f"{STORAGE_FOLDER}/{token}.json", "rb") as note_file:
            note = json.loads(note_file.read())
    except (FileNotFoundError, ValueError):
        raise Http404("No such import") from None
    stored = StoredImport(
        token=token,
        team_id=note["team_id"],
        uploaded_by_id=note["uploaded_by_id"],
        file_name=note["file_name"],
        file_sha256=note["file_sha256"],
        uploaded_at=datetime.fromisoformat(note["uploaded_at"]),
    )
    if stored.uploaded_by_id != user.pk or not access.can_manage_team(user, stored.team_id):
        raise Http404("No such import")
    if timezone.now() - stored.uploaded_at > CONFIRM_WITHIN:
        raise Http404("This import has expired")
    return stored


def teams_to_import_into(user: User) -> list[Team]:
    return list(Team.objects.filter(pk__in=access.managed_team_ids(user)).order_by("name"))


def _audit_detail(
    *, file_name: str, sha256: str, rows: int, created: int, skipped: int, errors: int, **more: Any
) -> dict[str, Any]:
    return {
        "file_name": file_name,
        "file_sha256": sha256,
        "rows": rows,
        "created": created,
        "skipped": skipped,
        "errors": errors,
        **more,
    }


def receive_tracker(*, actor: User, team: Team, upload: UploadedFile) -> tuple[StoredImport, DryRun]:
    """Check and keep an uploaded tracker, then run the dry run. Refusals are audited too."""
    access.require_manage_team(actor, team.pk)
    file_name = _clean_file_name(upload.name or "")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()

    def refuse(error: ValidationError) -> ValidationError:
        audit.record(
            actor=actor,
            action=DRY_RUN,
            target=team,
            detail=_audit_detail(
                file_name=file_name,
                sha256=sha256,
                rows=0,
                created=0,
                skipped=0,
                errors=0,
                refused=" ".join(error.messages),
            ),
        )
        return error

    if not file_name.lower().endswith(".csv"):
        raise refuse(ValidationError("The selected file must be a CSV"))
    if (upload.size or 0) > MAX_BYTES:
        raise refuse(ValidationError("The selected file must be smaller than 2 MB"))
    upload.seek(0)
    content = upload.read()
    try:
        tracker = read_tracker(content)
    except ValidationError as error:
        raise refuse(error) from None
    stored = _store(actor=actor, team=team, file_name=file_name, content=content, sha256=sha256)
    dry_run = check_tracker(actor=actor, team=team, tracker=tracker)
    audit.record(
        actor=actor,
        action=DRY_RUN,
        target=team,
        detail=_audit_detail(
            file_name=file_name,
            sha256=sha256,
            rows=dry_run.rows,
            created=0,
            skipped=0,
            errors=dry_run.failing_rows,
            valid=len(dry_run.valid),
            token=stored.token,
        ),
    )
    return stored, dry_run


def check_stored_tracker(*, actor: User, stored: StoredImport) -> DryRun:
    """The dry run again, on the kept file and the database as it is now."""
    team = Team.objects.get(pk=stored.team_id)
    return check_tracker(actor=actor, team=team, tracker=read_tracker(stored.read()))


def applied_import(stored: StoredImport) -> AuditEvent | None:
    """The audit row of this upload's import, if it has been imported: the record of it having happened."""
    return (
        AuditEvent.objects.filter(action=APPLIED, detail__token=stored.token).select_related("actor").first()
    )


@dataclass(frozen=True)
class ImportResult:
    team: Team
    created: int
    proposed: int
    skipped: int


@transaction.atomic
def apply_tracker_import(*, actor: User, stored: StoredImport, skip_failing_rows: bool) -> ImportResult:
    """Create every good row in one transaction: if any fails, nothing is kept.

    The kept file is read and checked again here, under a lock on the team, so two confirmations
    of one upload cannot both import it and a clash added since the dry run is still caught.
    """
    team = Team.objects.select_for_update().get(pk=stored.team_id)
    access.require_manage_team(actor, team.pk)
    if applied_import(stored) is not None:
        raise ValidationError("This file has already been imported")
    dry_run = check_tracker(actor=actor, team=team, tracker=read_tracker(stored.read()))
    failing = dry_run.failing_rows
    if failing and not skip_failing_rows:
        rows = "1 row has" if failing == 1 else f"{failing} rows have"
        raise ValidationError(
            {
                "skip_failing_rows": (
                    f"Nothing was imported: {rows} errors. Correct the file and upload it again, "
                    "or choose to skip the rows with errors"
                )
            }
        )
    if not dry_run.valid:
        raise ValidationError(
            "Nothing was imported: no row can be imported. Correct the file and upload it again"
        )
    today = timezone.localdate()
    for row in dry_run.valid:
        try:
            nominal = services.create_nominal(actor=actor, team=team, **row.values)
            if row.cohort:
                services.propose_for_cohort(
                    actor=actor, nominal=nominal, cohort=row.cohort, reason=row.proposal_reason
                )
            for role, worker in row.workers.items():
                services.allocate_worker(
                    actor=actor, nominal=nominal, role=Allocation.Role(role), worker=worker, started_on=today
                )
        except ValidationError as error:
            raise ValidationError(
                f"Nothing was imported: row {row.row} was refused ({strip_tags(' '.join(error.messages))}). "
                "Correct the file and upload it again"
            ) from error
    result = ImportResult(
        team=team, created=len(dry_run.valid), proposed=dry_run.proposals, skipped=dry_run.failing_rows
    )
    audit.record(
        actor=actor,
        action=APPLIED,
        target=team,
        detail=_audit_detail(
            file_name=stored.file_name,
            sha256=stored.file_sha256,
            rows=dry_run.rows,
            created=result.created,
            skipped=result.skipped,
            errors=dry_run.failing_rows,
            proposed=result.proposed,
            token=stored.token,
        ),
    )
    # The people are in the records now; the file is not needed. Its note stays until the sweep, so
    # the confirmation page can still say who imported it.
    transaction.on_commit(lambda: default_storage.delete(stored.path))
    return result


def remove_old_uploads(*, now: datetime | None = None) -> int:
    """Delete every kept upload and note older than CONFIRM_WITHIN: a dry run nobody confirmed, or
    the note of an import. Returns how many files went. Run by beat (cohorts.tasks)."""
    cut_off = (now or timezone.now()) - CONFIRM_WITHIN
    try:
        _, names = default_storage.listdir(STORAGE_FOLDER)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{STORAGE_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cut_off:
                default_storage.delete(path)
                removed += 1
        except FileNotFoundError:  # removed meanwhile (imported, or a second sweep)
            continue
    return removed
