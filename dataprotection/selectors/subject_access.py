"""Everything held on a person, gathered for a subject access request (DPA 2018 Part 3, s.45).

The gathering is generic, so a table added later is in the export without anyone remembering it:
- the person's own row (`Nominal`);
- every table with a relation to `Nominal` (its reverse relations, hidden ones included), and one
  level further down, the tables that hang off those (a referral's events, a membership's reviews);
- every table that names the person by a plain `nominal_id` (the audit trail, restricted-case
  access, retention decisions: they outlive an erased record, so they hold no foreign key);
- every table pointing at the person through a generic relation (django-guardian's object
  permissions: which partner organisations may open the record now).

Each row gives its concrete fields: choices as their labels, dates ISO, a member of staff as their
name and organisation, a row of another exported table as its ID. Secrets and technical keys are
left out and listed as left out (`Exclusion`), never silently. Rows are ordered by ID (the audit
trail by time), so two runs over the same data give the same document (docs/decisions/0016).
"""

import json
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import reduce
from typing import IO, Any
from uuid import UUID

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import SuspiciousFileOperation
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst

from cohorts import selectors as cohort_selectors
from cohorts.models import Nominal, TimelineEvent
from dataprotection.models import SubjectAccessExport
from iom.core import access, audit
from iom.core.models import AuditEvent, User

SCHEMA_VERSION = 1
POLICE_INTELLIGENCE = "Police intelligence: review before disclosure"
REVIEW_DUTY = (
    "This export is everything the IOM case manager holds on the person, for the data protection "
    "officer to review before anything is disclosed. It is not ready to send: the officer decides what "
    "is withheld under the exemptions of the Data Protection Act 2018 (for example to avoid prejudicing "
    "the prevention or detection of crime, or information about other people). Police intelligence is "
    "marked on every row that holds it."
)

# Readable headings for the tables known today; a table added later is headed by its model's name.
TITLES = {
    "cohorts.nominal": "The person's record",
    "cohorts.alias": "Aliases",
    "cohorts.nominalchange": "Changes to the record",
    "cohorts.allocation": "Case team allocations",
    "cohorts.cohortmembership": "Cohort memberships",
    "cohorts.cohortreview": "Cohort reviews",
    "cohorts.assessment": "Assessments",
    "cohorts.offence": "Offences and arrests",
    "cohorts.need": "Needs",
    "cohorts.needupdate": "Need updates",
    "cohorts.goal": "Goals",
    "cohorts.feedback": "Feedback in their words",
    "cohorts.timelineevent": "Timeline",
    "supervision.appointmentseries": "Appointment series",
    "supervision.contact": "Contacts and appointments",
    "supervision.contactattendee": "Staff at contacts",
    "supervision.contactstandard": "Contact standards",
    "supervision.enforcementaction": "Enforcement actions",
    "partners.referral": "Referrals to partners",
    "partners.referralevent": "Referral events",
    "core.caseaccessgrant": "Access to the restricted case",
    "dataprotection.retentiondecision": "Retention decisions",
    "dataprotection.subjectaccessexport": "Subject access exports prepared",
    "guardian.groupobjectpermission": "Partner organisations' access to the record",
    "guardian.userobjectpermission": "Individual users' access to the record",
    "core.auditevent": "Who used or received the record (audit trail)",
}

# Words that mark a secret in a field's name: never about the person, never exported.
SECRET_WORDS = ("password", "secret", "digest", "token")
# Fields left out by name, with the reason the document gives.
LEFT_OUT = {
    "submission_id": "the form's one-time key against double submission, not information about the person",
}
LEFT_OUT_BY_TABLE = {
    (
        "core.auditevent",
        "ip_address",
    ): "the member of staff's network address, not information about the person",
    ("core.auditevent", "request_id"): "a technical request identifier, not information about the person",
    (
        "dataprotection.subjectaccessexport",
        "json_file",
    ): "where the service stores the file, not information about the person",
    (
        "dataprotection.subjectaccessexport",
        "pdf_file",
    ): "where the service stores the file, not information about the person",
    (
        "dataprotection.subjectaccessexport",
        "lease_expires_at",
    ): "the worker's hold on the build, not information about the person",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # What the values are, so a page can lay them out: id, name, long, datetime, date, time, flag,
    # number, choice or text.
    kind: str = "text"

    @property
    def long_text(self) -> bool:
        return self.kind == "long"


@dataclass(frozen=True)
class Row:
    values: dict[str, Any]
    review: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    key: str  # the table, as app_label.model
    title: str
    relation: str  # how its rows are about the person
    parent: str  # the key of the section its rows hang off, or ""
    columns: Sequence[Column]
    rows: Sequence[Row]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def review_count(self) -> int:
        return sum(1 for row in self.rows if row.review)


@dataclass(frozen=True)
class Exclusion:
    section: str
    field: str
    reason: str


@dataclass(frozen=True)
class SubjectAccessData:
    nominal_id: int
    name: str
    sections: Sequence[Section]
    excluded: Sequence[Exclusion] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        return {section.key: section.count for section in self.sections}

    @property
    def review_count(self) -> int:
        return sum(section.review_count for section in self.sections)


# Fetch and authorise ---------------------------------------------------------------------------


def get_nominal_for_subject_access(*, user: User, nominal_id: int) -> Nominal:
    """The person if the user may answer a subject access request for them; otherwise 404.

    Not through `nominals_visible_to`: a record restricted after retention review is hidden from
    normal use but still held, so it is still answered for. A refused attempt on a real record is
    logged, as any other."""
    nominal = Nominal.objects.select_related("team").filter(pk=nominal_id).first()
    if nominal is None or not access.can_export_subject_access(user, nominal):
        if nominal is not None:
            cohort_selectors.record_access_denied(
                user=user, nominal_id=nominal_id, detail={"page": "subject-access"}
            )
        raise Http404("No such person")
    return nominal


def open_subject_access(*, user: User, nominal_id: int) -> tuple[Nominal, "SubjectAccessData"]:
    """Fetch, authorise and gather for the subject access page, and log it: the page shows how much is
    held in each table, a consultation of the whole record."""
    nominal = get_nominal_for_subject_access(user=user, nominal_id=nominal_id)
    data = subject_access_data(nominal=nominal)
    audit.record(
        actor=user,
        action="subject_access.viewed",
        target=nominal,
        nominal_id=nominal.pk,
        detail={"counts": data.counts()},
    )
    return nominal, data


def get_subject_access_export_for_user(*, user: User, export_id: int) -> SubjectAccessExport:
    """An export, if the user may answer a subject access request for its person now (a manager who
    has left the team may not download what they asked for); otherwise 404, a refusal logged."""
    export = (
        SubjectAccessExport.objects.select_related("nominal__team", "requested_by__organisation")
        .filter(pk=export_id)
        .first()
    )
    if export is None or not access.can_export_subject_access(user, export.nominal):
        if export is not None:
            cohort_selectors.record_access_denied(
                user=user,
                nominal_id=export.nominal_id,
                detail={"page": "subject-access-export", "export_id": export_id},
            )
        raise Http404("No such export")
    return export


def open_subject_access_export(*, user: User, export_id: int) -> SubjectAccessExport:
    """The export's page, which names the person: a consultation, logged. Its progress polls are not
    (the page they refresh was)."""
    export = get_subject_access_export_for_user(user=user, export_id=export_id)
    audit.record(
        actor=user,
        action="subject_access.export_viewed",
        target=export,
        nominal_id=export.nominal_id,
        detail={"status": export.status},
    )
    return export


def subject_access_exports_of(nominal: Nominal) -> QuerySet[SubjectAccessExport]:
    """The person's exports, newest first, with who asked (and their organisation) in the same query."""
    return SubjectAccessExport.objects.filter(nominal=nominal).select_related("requested_by__organisation")


def open_subject_access_file(export: SubjectAccessExport, export_format: str) -> IO[bytes]:
    """A finished export's JSON or PDF, opened for reading; 404 when it has none.

    The stored name is read only inside MEDIA_ROOT: one reaching outside it is refused by the storage
    and answers as a missing file does."""
    stored = {"json": export.json_file, "pdf": export.pdf_file}.get(export_format)
    if export.status != SubjectAccessExport.Status.SUCCEEDED or not stored:
        raise Http404("This export has no file to download")
    try:
        return stored.open("rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404("This export's file is missing") from None


def stalled_subject_access_export_ids(*, now: datetime, queued_too_long: timedelta) -> list[int]:
    """Exports nothing is building: building under a lease that has ended, or queued too long."""
    return list(
        SubjectAccessExport.objects.filter(
            models.Q(status=SubjectAccessExport.Status.BUILDING, lease_expires_at__lt=now)
            | models.Q(status=SubjectAccessExport.Status.QUEUED, requested_at__lt=now - queued_too_long)
        )
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)
    )


# Gathering -------------------------------------------------------------------------------------


@dataclass
class _Table:
    model: type[models.Model]
    relation: str
    parent: str
    rows: list[models.Model]
    omit: frozenset[str]  # fields that name the person (or the parent's person) and say nothing more
    order: str = "pk"

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


def subject_access_data(*, nominal: Nominal) -> SubjectAccessData:
    """Everything held on the person. Queries: one per table and one per kind of row referred to
    (members of staff, organisations, teams ...), however many rows there are."""
    tables = [_Table(Nominal, "The person's own record.", "", [nominal], frozenset())]
    tables += _related_tables(nominal)
    tables += _plain_id_tables(nominal)
    tables += _generic_tables(nominal, already={table.model for table in tables})
    exported = {table.model for table in tables}
    labels = _labels_for(tables, exported)
    sections = []
    excluded: list[Exclusion] = []
    for table in tables:
        section, left_out = _section(table, exported, labels)
        sections.append(section)
        excluded += left_out
    return SubjectAccessData(
        nominal_id=nominal.pk, name=nominal.full_name, sections=sections, excluded=tuple(excluded)
    )


def _reverse_relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """Every relation pointing at the model, hidden ones (related_name="+") included, but not the
    tables Django makes for a many-to-many field (their rows are reached through the field's model)."""
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if isinstance(relation, models.ForeignObjectRel) and not relation.related_model._meta.auto_created
    ]


def _points_at(model: type[models.Model], target: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey | models.OneToOneField | models.ManyToManyField)
        and f.related_model is target
    ]


def _related_tables(nominal: Nominal) -> list[_Table]:
    tables: list[_Table] = []
    seen: set[type[models.Model]] = set()
    for relation in _reverse_relations(Nominal):
        model: type[models.Model] = relation.related_model
        if model in seen:
            continue
        seen.add(model)
        to_person = _points_at(model, Nominal)
        condition = _any_of(models.Q(**{name: nominal}) for name in to_person)
        rows = list(model._default_manager.filter(condition).distinct().order_by("pk"))
        tables.append(
            _Table(
                model, f"Rows that name the person ({', '.join(to_person)}).", "", rows, frozenset(to_person)
            )
        )
        for child_relation in _reverse_relations(model):
            child: type[models.Model] = child_relation.related_model
            # A child that names the person itself is a table of its own (a contact of a series).
            if child in seen or _points_at(child, Nominal) or child is Nominal:
                continue
            seen.add(child)
            to_parent = _points_at(child, model)
            child_condition = _any_of(
                models.Q(**{f"{name}__{person}": nominal}) for name in to_parent for person in to_person
            )
            child_rows = list(child._default_manager.filter(child_condition).distinct().order_by("pk"))
            tables.append(
                _Table(
                    child,
                    f"Rows that hang off {_title(model)} ({', '.join(to_parent)}).",
                    model._meta.label_lower,
                    child_rows,
                    frozenset(),
                )
            )
    return tables


def _any_of(conditions: Iterable[models.Q]) -> models.Q:
    return reduce(operator.or_, conditions)


def _title(model: type[models.Model]) -> str:
    return TITLES.get(model._meta.label_lower) or capfirst(str(model._meta.verbose_name_plural))


def _plain_id_tables(nominal: Nominal) -> list[_Table]:
    """Tables naming the person by a plain id: they keep it after erasure, so no foreign key."""
    tables = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        plain = [
            f
            for f in model._meta.concrete_fields
            if f.attname == "nominal_id" and not f.is_relation and model is not Nominal
        ]
        if not plain:
            continue
        is_audit = model is AuditEvent
        order = "occurred_at" if is_audit else "pk"
        rows = list(model._default_manager.filter(nominal_id=nominal.pk).order_by(order, "pk"))
        relation = (
            "Every logged use of the record: who consulted, changed, exported or disclosed it, and to "
            "which organisation (the recipient)."
            if is_audit
            else "Rows that name the person by their record number."
        )
        tables.append(_Table(model, relation, "", rows, frozenset({"nominal_id"}), order))
    # The audit trail comes last: it is about the use of everything before it.
    return sorted(tables, key=lambda table: table.model is AuditEvent)


def _generic_tables(nominal: Nominal, *, already: set[type[models.Model]]) -> list[_Table]:
    """Tables pointing at the person through a generic relation (content type and object id)."""
    content_type = ContentType.objects.get_for_model(Nominal)
    tables = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        if model in already:  # the timeline's generic relation points at its sources; it is exported
            continue
        for generic in model._meta.private_fields:
            if not isinstance(generic, GenericForeignKey):
                continue
            rows = list(
                model._default_manager.filter(
                    **{generic.ct_field: content_type, generic.fk_field: str(nominal.pk)}
                ).order_by("pk")
            )
            tables.append(
                _Table(
                    model,
                    "Rows that point at the person's record by its type and number (object permissions).",
                    "",
                    rows,
                    frozenset({generic.ct_field, generic.fk_field}),
                )
            )
    return tables


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _labels_for(tables: Iterable[_Table], exported: set[type[models.Model]]) -> dict[type, dict[Any, str]]:
    """Names for the rows the exported rows refer to, read in one query per kind of row."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for table in tables:
        for fk in _foreign_keys(table.model):
            target: type[models.Model] = fk.related_model
            if target in exported or fk.name in table.omit:
                continue
            wanted[target].update(
                pk for pk in (getattr(row, fk.attname) for row in table.rows) if pk is not None
            )
    labels: dict[type, dict[Any, str]] = {}
    for target, ids in wanted.items():
        if target is ContentType:
            labels[target] = {pk: capfirst(ContentType.objects.get_for_id(pk).name) for pk in ids}
            continue
        queryset = target._default_manager.filter(pk__in=ids)
        related = [fk.name for fk in _foreign_keys(target)]
        if related:
            queryset = queryset.select_related(*related)
        labels[target] = {obj.pk: _label(obj) for obj in queryset}
    return labels


def _label(obj: models.Model) -> str:
    if isinstance(obj, User):
        name = obj.full_name or obj.email
        return f"{name} ({obj.organisation.name})" if obj.organisation else name
    return str(obj)


def _excluded_reason(key: str, field_name: str) -> str:
    if any(word in field_name for word in SECRET_WORDS):
        return "a secret, not information about the person"
    return LEFT_OUT_BY_TABLE.get((key, field_name)) or LEFT_OUT.get(field_name, "")


def _section(
    table: _Table, exported: set[type[models.Model]], labels: dict[type, dict[Any, str]]
) -> tuple[Section, list[Exclusion]]:
    key = table.key
    fields: list[models.Field] = []
    columns: list[Column] = []
    excluded: list[Exclusion] = []
    for f in table.model._meta.concrete_fields:
        if f.name in table.omit or f.attname in table.omit:
            continue
        reason = _excluded_reason(key, f.name)
        if reason:
            excluded.append(Exclusion(key, f.name, reason))
            continue
        fields.append(f)
        label = "ID" if f.primary_key else capfirst(str(f.verbose_name))
        if f.is_relation and f.related_model in exported:
            label = f"{label} (ID)"
        columns.append(Column(f.name, label, _kind(f, exported)))
    rows = [_row(obj, fields, exported, labels) for obj in table.rows]
    return Section(key, _title(table.model), table.relation, table.parent, columns, rows), excluded


def _kind(f: models.Field, exported: set[type[models.Model]]) -> str:
    if f.primary_key or (f.is_relation and f.related_model in exported):
        return "id"
    kinds: list[tuple[type[models.Field], str]] = [
        (models.ForeignKey, "name"),
        (models.TextField, "long"),
        (models.JSONField, "long"),
        (models.DateTimeField, "datetime"),  # before DateField, its parent
        (models.DateField, "date"),
        (models.TimeField, "time"),
        (models.BooleanField, "flag"),
        (models.IntegerField, "number"),
        (models.BigIntegerField, "number"),
    ]
    for field_class, kind in kinds:
        if isinstance(f, field_class):
            return kind
    if f.choices:
        return "choice"
    # A long line of text (a summary, a location) is laid out as long text.
    return "long" if (f.max_length or 0) >= 150 else "text"


def _row(
    obj: models.Model,
    fields: Sequence[models.Field],
    exported: set[type[models.Model]],
    labels: dict[type, dict[Any, str]],
) -> Row:
    values: dict[str, Any] = {}
    review: list[str] = []
    for f in fields:
        raw = getattr(obj, f.attname)
        if f.is_relation:
            target = f.related_model
            values[f.name] = raw if raw is None or target in exported else labels[target].get(raw, str(raw))  # type: ignore[index]
            continue
        if f.choices:
            if raw == TimelineEvent.Visibility.POLICE and TimelineEvent.Visibility.POLICE in dict(
                f.flatchoices
            ):
                review.append(POLICE_INTELLIGENCE)
            values[f.name] = dict(f.flatchoices).get(raw, raw)
            continue
        values[f.name] = _plain(raw)
    return Row(values, tuple(review))


def _plain(value: Any) -> Any:
    """A value as JSON writes it: dates and times ISO (times of day local), the rest as they are."""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, memoryview | bytes):
        return "(binary data)"
    if isinstance(value, dict | list):
        # Keys sorted, so a JSON field's contents come out the same each run.
        return json.loads(json.dumps(value, sort_keys=True, default=str))
    return value
