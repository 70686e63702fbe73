"""Reads for retention review: who is due, who is restricted, what was decided (DESIGN §4,
docs/decisions/0014-retention-and-erasure.md).

Every read starts from `reviewable_people(user)`: the people of the teams the user reviews for
retention (access.retention_team_ids), not erased, and restricted cases only where the user may open
them, the same rule as access.can_review_retention.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404

from cohorts import selectors as cohort_selectors
from cohorts.models import CohortMembership, Nominal, RetentionStatus
from dataprotection.models import RetentionDecision
from iom.core import access
from iom.core.models import User

VIEWS = ("due", "restricted", "decisions")
SORTS = ("left", "-left", "name", "-name")


@dataclass(frozen=True)
class RetentionFilters:
    view: str = "due"
    team: int | None = None
    search: str = ""
    sort: str = "left"


def review_cut_off(today: date) -> date:
    """People who left IOM before this day are due: IOM_RETENTION_REVIEW_YEARS before today
    (29 February falls back to 28 February)."""
    years = settings.IOM_RETENTION_REVIEW_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def reviewable_people(user: User) -> models.QuerySet[Nominal]:
    """Everyone the user may review: their managed teams' people, erased ones excepted, and a
    restricted case only if the user is on its allow-list (or has broken the glass)."""
    team_ids = access.retention_team_ids(user)
    if not team_ids:
        return Nominal.objects.none()
    return (
        Nominal.objects.filter(team_id__in=team_ids)
        .exclude(retention_status=RetentionStatus.ERASED)
        .filter(Q(access_restricted=False) | Q(pk__in=access.restricted_cases_open_to(user)))
    )


def with_retention_facts(queryset: models.QuerySet[Nominal]) -> models.QuerySet[Nominal]:
    """Each person with when they left IOM and the latest retention decision, in the same query.

    left_on: the latest end of any cohort membership (exit date, else the panel's date for a
    proposal not accepted, else the proposal's date); for someone never proposed, the day the
    record was made. still_on_iom: an open (proposed or active) membership.
    """
    memberships = CohortMembership.objects.filter(nominal=OuterRef("pk"))
    ends = (
        memberships.annotate(ended=Coalesce("exit_date", "panel_date", "proposed_on"))
        .order_by("-ended")
        .values("ended")[:1]
    )
    latest = RetentionDecision.objects.filter(nominal_id=OuterRef("pk")).order_by("-decided_at", "-id")
    return queryset.select_related("team").annotate(
        still_on_iom=Exists(
            memberships.filter(status__in=[CohortMembership.Status.PROPOSED, CohortMembership.Status.ACTIVE])
        ),
        left_on=Coalesce(
            Subquery(ends, output_field=models.DateField()),
            TruncDate("created_at"),
            output_field=models.DateField(),
        ),
        was_on_a_cohort=Exists(memberships),
        last_decision=Subquery(latest.values("decision")[:1]),
        last_decided_at=Subquery(latest.values("decided_at")[:1]),
        next_review_on=Subquery(latest.values("next_review_on")[:1]),
    )


def _due(queryset: models.QuerySet[Nominal], today: date) -> models.QuerySet[Nominal]:
    """In normal use, off IOM, left before the cut-off, and no decision to keep that still runs."""
    return queryset.filter(
        Q(next_review_on__isnull=True) | Q(next_review_on__lte=today),
        Q(retention_status=""),
        Q(still_on_iom=False),
        Q(left_on__lt=review_cut_off(today)),
    )


def _filtered(queryset: models.QuerySet[Nominal], filters: RetentionFilters) -> models.QuerySet[Nominal]:
    if filters.team is not None:
        queryset = queryset.filter(team_id=filters.team)
    if filters.search:
        term = filters.search.strip()
        queryset = queryset.filter(
            Q(given_name__icontains=term)
            | Q(family_name__icontains=term)
            | Q(crn__iexact=term)
            | Q(pnc_id__iexact=term)
            | Q(nomis_number__iexact=term)
        )
    order = {
        "left": ["left_on", "id"],
        "-left": ["-left_on", "-id"],
        "name": ["family_name", "given_name", "id"],
        "-name": ["-family_name", "-given_name", "-id"],
    }
    return queryset.order_by(*order.get(filters.sort, order["left"]))


def people_due_for_retention_review(
    *, user: User, today: date, filters: RetentionFilters | None = None
) -> models.QuerySet[Nominal]:
    """People of the user's managed teams who left IOM more than IOM_RETENTION_REVIEW_YEARS ago
    (or, never on a cohort, whose record was made before then), in normal use, and not kept by a
    decision whose next review is still to come. Longest gone first."""
    return _filtered(
        _due(with_retention_facts(reviewable_people(user)), today), filters or RetentionFilters()
    )


def restricted_people(*, user: User, filters: RetentionFilters | None = None) -> models.QuerySet[Nominal]:
    """People restricted after review: hidden from all normal use, listed only here."""
    queryset = with_retention_facts(reviewable_people(user)).filter(
        retention_status=RetentionStatus.RESTRICTED
    )
    return _filtered(queryset, filters or RetentionFilters())


def retention_decisions(
    *, user: User, filters: RetentionFilters | None = None
) -> models.QuerySet[RetentionDecision]:
    """Every decision taken for the user's managed teams, newest first (erasures included)."""
    filters = filters or RetentionFilters()
    queryset = RetentionDecision.objects.filter(team_id__in=access.retention_team_ids(user))
    if filters.team is not None:
        queryset = queryset.filter(team_id=filters.team)
    return queryset.select_related("team", "decided_by").order_by("-decided_at", "-id")


def people_named_in(decisions: list[RetentionDecision], *, user: User) -> dict[int, Nominal]:
    """The people a page of decisions is about, by id, as far as the user may see them by name:
    one query whatever the page size. An erased person's row says "Erased record"; a restricted
    case the user may not open is left out (the page shows its id alone)."""
    ids = {decision.nominal_id for decision in decisions}
    if not ids:
        return {}
    open_restricted = access.restricted_cases_open_to(user)
    people = Nominal.objects.filter(pk__in=ids, team_id__in=access.retention_team_ids(user)).only(
        "given_name", "family_name", "crn", "retention_status", "access_restricted", "team_id"
    )
    return {
        person.pk: person for person in people if not person.access_restricted or person.pk in open_restricted
    }


def get_person_for_retention_review(*, user: User, nominal_id: int) -> Nominal:
    """The person with their retention facts, if the user may review them; 404 otherwise (and a
    real attempt is logged, as for any record)."""
    try:
        return with_retention_facts(reviewable_people(user)).get(pk=nominal_id)
    except Nominal.DoesNotExist:
        if Nominal.objects.filter(pk=nominal_id).exists():
            cohort_selectors.record_access_denied(user=user, nominal_id=nominal_id)
        raise Http404("No such person") from None


def is_due_for_review(nominal: Nominal, *, today: date) -> bool:
    """The same rule as the "Due for review" list, for one person."""
    return _due(with_retention_facts(Nominal.objects.filter(pk=nominal.pk)), today).exists()


def decisions_about(nominal: Nominal) -> models.QuerySet[RetentionDecision]:
    return RetentionDecision.objects.filter(nominal_id=nominal.pk).select_related("decided_by")


# Erasure ----------------------------------------------------------------------------------------

# Rows that cannot outlive the row they point at: deleted with it (PROTECT and RESTRICT ones first).
_GO_WITH_PARENT = (models.CASCADE, models.PROTECT, models.RESTRICT)


@dataclass(frozen=True)
class HeldRows:
    """Rows of one model held on a person, reached by one path from them."""

    model: type[models.Model]
    pks: list[int]


def rows_held_on(nominal: Nominal) -> list[HeldRows]:
    """Every row that hangs off the person, found through the model graph rather than a list, so a
    model added later is covered: each relation pointing at the person, then (depth first) each
    relation pointing at those rows that cannot outlive them. Deepest rows come first, so deleting
    in this order never meets a protected reference. Many-to-many links give their link rows only."""
    held: list[HeldRows] = []
    person = (Nominal,)
    for relation in Nominal._meta.related_objects:
        if isinstance(relation, models.ManyToManyRel):
            through: Any = relation.through
            name = relation.field.m2m_reverse_field_name()
            _collect(through, through._base_manager.filter(**{name: nominal.pk}), held, path=person)
        else:
            model: Any = relation.related_model
            _collect(
                model, model._base_manager.filter(**{relation.field.name: nominal.pk}), held, path=person
            )
    for field in Nominal._meta.many_to_many:
        link: Any = field.remote_field.through
        _collect(link, link._base_manager.filter(**{field.m2m_field_name(): nominal.pk}), held, path=person)
    return held


def _collect(
    model: type[models.Model],
    queryset: models.QuerySet,
    held: list[HeldRows],
    *,
    path: tuple[type[models.Model], ...],
) -> None:
    pks = list(queryset.values_list("pk", flat=True))
    if not pks:
        return
    for relation in model._meta.related_objects:
        child: Any = relation.related_model
        if relation.many_to_many or relation.on_delete not in _GO_WITH_PARENT or child in (*path, model):
            # Link rows of a many-to-many and self-references go with the row (Django's delete);
            # SET_NULL references are cleared by it.
            continue
        _collect(
            child,
            child._base_manager.filter(**{f"{relation.field.name}__pk__in": pks}),
            held,
            path=(*path, model),
        )
    held.append(HeldRows(model=model, pks=pks))


def erasure_counts(held: list[HeldRows]) -> list[tuple[str, str, int]]:
    """(model label, plural name, rows) for each model with rows held, in model order: what erasure
    deletes. A row reached by two paths (an appointment of a series) is counted once."""
    rows: dict[type[models.Model], set[int]] = {}
    for entry in held:
        rows.setdefault(entry.model, set()).update(entry.pks)
    return sorted(
        (model._meta.label, str(model._meta.verbose_name_plural), len(pks)) for model, pks in rows.items()
    )
