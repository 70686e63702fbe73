"""What the security tests share: hostile text, a record full of it, the URL patterns as the
resolver has them, and the permission matrix's rows (every area's, merged).

URLs are discovered, not listed: a page another area adds later is covered by these tests as soon
as it has its row in the permission matrix.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.html import escape

from cohorts import services as cohort_services
from iom.core.models import AuditEvent, Role
from partners import services as partner_services
from partners.factories import PartnerServiceFactory
from supervision import services as supervision_services
from tests.actors import World, member
from tests.permission_rows.common import ACTORS, recipient
from tests.test_permission_matrix import MATRIX, url_for

__all__ = ["ACTORS", "MATRIX", "url_for"]

# Markup, an attribute break-out and a template expression, all at once.
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{7*7}}'
# What must never reach a page as it is, and what a page shows instead.
RAW_MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<img src=x")
ESCAPED = escape("<script>alert(1)</script>")  # &lt;script&gt;alert(1)&lt;/script&gt;

# The apps whose free text people type; the audit log is append-only and keeps its own words.
HOSTILE_APPS = ("core", "cohorts", "supervision", "partners", "reports", "dataprotection")
NOT_PEOPLES_TEXT = {
    ("core", "AuditEvent"),
    ("core", "ApiToken"),
    ("cohorts", "NominalChange"),  # `field` names a model field; old and new values are shown escaped
    ("cohorts", "OffenceCategory"),  # reference data
    ("reports", "CrimeUnitCost"),
    ("reports", "AreaBaseline"),
}
NOT_FREE_TEXT = {"password", "email", "referral_email", "secret_digest", "file_sha256", "csv_sha256"}


def assert_no_raw_markup(text: str, where: str) -> None:
    for markup in RAW_MARKUP:
        assert markup not in text, f"{where} shows {markup!r} unescaped"


def free_text_fields(model: type[models.Model]) -> list[models.CharField | models.TextField]:
    """Text a person types: no choices, no format of its own (only a length), long enough for HOSTILE."""
    fields: list[models.CharField | models.TextField] = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField) or field.choices:
            continue
        if isinstance(field, models.EmailField) or field.name in NOT_FREE_TEXT:
            continue
        if any(not isinstance(validator, MaxLengthValidator) for validator in field.validators):
            continue
        if field.max_length is not None and field.max_length < len(HOSTILE) + 12:
            continue
        fields.append(field)
    return fields


def make_everything_hostile() -> None:
    """Every piece of free text in the database becomes HOSTILE (with the row's id where it must be
    unique): names, aliases, notes, reasons, service and organisation names, users' names. Blank
    fields stay blank."""
    for model in apps.get_models():
        label = (model._meta.app_label, model.__name__)
        if model._meta.app_label not in HOSTILE_APPS or label in NOT_PEOPLES_TEXT:
            continue
        fields = free_text_fields(model)
        together = {
            name
            for constraint in model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint)
            for name in constraint.fields
        } | {name for names in model._meta.unique_together for name in names}
        unique = [field.name for field in fields if field.unique or field.name in together]
        # Only text that is there: a blank field often means "none" to a check constraint.
        for field in fields:
            present = model._default_manager.exclude(**{field.name: ""})
            if field.name not in unique:
                present.update(**{field.name: HOSTILE})
                continue
            for pk in present.values_list("pk", flat=True):
                model._default_manager.filter(pk=pk).update(**{field.name: f"{HOSTILE} {pk}"})


def fill_the_record(world: World) -> None:
    """The world's person with something on every tab: an alias, a contact and an appointment, an
    assessment, a need with a note, a goal, feedback, and a referral the recipient has accepted and
    updated. Each goes through its service, so the timeline has them too."""
    manager = member(Role.MANAGER, team=world.own_team)
    today = timezone.localdate()
    nominal = world.nominal
    cohort_services.add_alias(actor=manager, nominal=nominal, name="Deano")
    supervision_services.log_contact(
        actor=manager,
        nominal=nominal,
        kind="office",
        outcome="attended_complied",
        purpose="monitoring",
        date=today - datetime.timedelta(days=2),
        time=datetime.time(10),
        location="Office",
        notes="A note",
    )
    supervision_services.plan_appointment(
        actor=manager,
        nominal=nominal,
        kind="office",
        purpose="monitoring",
        date=today + datetime.timedelta(days=2),
        time=datetime.time(11),
        location="Office",
    )
    cohort_services.record_assessment(
        actor=manager, nominal=nominal, kind="rosh", assessed_on=today, level="high", notes="A note"
    )
    cohort_services.update_need(
        actor=manager,
        nominal=nominal,
        pathway="accommodation",
        status="identified",
        updated_on=today,
        note="N",
    )
    cohort_services.add_goal(actor=manager, nominal=nominal, in_their_words="My own flat", set_on=today)
    cohort_services.record_feedback(
        actor=manager, nominal=nominal, given_on=today, what_helps="Help", what_does_not_help="Not"
    )
    organisation = recipient(world)
    service = PartnerServiceFactory.create(organisation=organisation, name="Tenancy support")
    referral = partner_services.create_referral(
        actor=manager,
        nominal=nominal,
        service=service,
        pathway="accommodation",
        reason="A reason",
        lawful_basis="consent",
        consent_given_on=today,
        shared_fields=["name", "date_of_birth", "address_area"],
        send=True,
    )
    partner = member(Role.PARTNER, organisation=organisation)
    partner_services.accept_referral(actor=partner, referral=referral, note="Accepted")
    partner_services.add_progress_update(actor=partner, referral=referral, note="Viewed a flat")


# The URL patterns, as the resolver has them ---------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # "cohorts:nominal-detail"; "api:…" for the API
    kwargs: frozenset[str]
    int_kwargs: frozenset[str]


def url_patterns(patterns=None, namespace: str = "") -> Iterator[Pattern]:
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            regex = pattern.pattern.regex
            converters = getattr(pattern.pattern, "converters", {})
            kwargs = frozenset(regex.groupindex)
            ints = frozenset(
                name
                for name in kwargs
                if type(converters.get(name)).__name__ == "IntConverter"
                or (name not in converters and "[0-9]+" in regex.pattern)
            )
            yield Pattern(namespace + pattern.name, kwargs, ints)


def patterns_by_name() -> dict[str, Pattern]:
    return {pattern.name: pattern for pattern in url_patterns()}


def allowed_actor(statuses: dict[str, int], *, signed_in: bool = True) -> str | None:
    """An actor the row lets through (200 or a redirect onward), signed in if any is."""
    allowed = [actor for actor, status in statuses.items() if status in (200, 302)]
    if signed_in:
        preferred = [actor for actor in allowed if actor != "anonymous"]
        if preferred:
            return preferred[0]
    # Only the anonymous visitor uses the page (a password reset, say).
    return "anonymous" if "anonymous" in allowed else None


def row_counts() -> dict[str, int]:
    """How many rows each of the service's tables holds; the audit log apart."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in HOSTILE_APPS and model is not AuditEvent and not model._meta.proxy
    }


def built_subject_access_export(nominal, *, by=None):
    """A finished subject access export (JSON and PDF) of the person, asked for by a manager of their
    team and built here, as the worker would. Imported here: the export is newer than these tests."""
    from dataprotection.services import subject_access

    manager = by if by is not None else member(Role.MANAGER, team=nominal.team)
    export = subject_access.request_subject_access_export(actor=manager, nominal=nominal)
    subject_access.build_subject_access_export(export_id=export.pk)
    export.refresh_from_db()
    return export
