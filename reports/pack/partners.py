"""The pack's partner sections: referrals by pathway and the partners not answering them, and the
needs left unmet, above all those no service exists to meet.

Four queries whatever the number of people or referrals: referrals sent in the period, counted by
pathway (with their answer times, one row per accepted referral); partners holding referrals past
their answer date at the period's end; needs unmet at the period's end, by pathway.

The rules are the referrals dashboard's (`reports.metrics`): a referral counts as accepted if the
partner accepted it, whatever became of it since (withdrawn later included), and time to accept is in
working days from sending to the answer (`partners.response_times.working_days_between`).
"""

import statistics
from datetime import date
from typing import Any

from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.models import Need, NeedStatus, NeedUpdate, Pathway, UnmetReason
from partners.models import Referral, ReferralEvent
from partners.response_times import working_days_between
from reports.pack import (
    SUPPRESSION_THRESHOLD,
    Block,
    Cell,
    Chart,
    PackScope,
    Paragraph,
    Section,
    Table,
    shown,
)

Status = Referral.Status
# The table's count columns, in the order of a referral's life.
REFERRAL_COUNTS = ("Sent", "Accepted", "Declined", "Completed", "Withdrawn", "Awaiting an answer")
# Pathways named in the unmet needs paragraph: the largest structural gaps.
GAPS_NAMED = 2


def day_month_year(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _scope_referrals(scope: PackScope) -> QuerySet[Referral]:
    return Referral.objects.filter(nominal__team_id__in=scope.team_ids)


def sections(scope: PackScope) -> list[Section]:
    return [_referrals(scope), _unmet_needs(scope)]


# Referrals ------------------------------------------------------------------------------------


def _referrals(scope: PackScope) -> Section:
    was_accepted = Exists(
        ReferralEvent.objects.filter(
            referral=OuterRef("pk"), kind=ReferralEvent.Kind.STATUS, to_status=Status.ACCEPTED
        )
    )
    sent_in_period = _scope_referrals(scope).filter(
        sent_at__date__range=(scope.period_start, scope.period_end)
    )
    counts: dict[str, dict[str, Any]] = {
        row["pathway"]: dict(row)
        for row in sent_in_period.alias(was_accepted=was_accepted)
        .values("pathway")
        .annotate(
            sent=Count("id"),
            accepted=Count("id", filter=Q(was_accepted=True)),
            declined=Count("id", filter=Q(status=Status.DECLINED)),
            completed=Count("id", filter=Q(status=Status.COMPLETED)),
            withdrawn=Count("id", filter=Q(status=Status.WITHDRAWN)),
            awaiting=Count("id", filter=Q(status=Status.SENT)),
        )
        .order_by()
    }
    # One row per accepted referral: the working days are counted here, as the dashboard does.
    days_to_accept: dict[str, list[int]] = {pathway.value: [] for pathway in Pathway}
    for pathway, sent_at, responded_at in (
        sent_in_period.filter(was_accepted, responded_at__isnull=False)
        .values_list("pathway", "sent_at", "responded_at")
        .order_by()
    ):
        days_to_accept.setdefault(pathway, []).append(
            working_days_between(timezone.localdate(sent_at), timezone.localdate(responded_at))
        )

    fields = ("sent", "accepted", "declined", "completed", "withdrawn", "awaiting")
    pathway_counts = {
        pathway: [int(counts.get(pathway.value, {}).get(field, 0)) for field in fields] for pathway in Pathway
    }
    rows: list[list[Cell]] = [
        [pathway.label, *numbers, _median(days_to_accept[pathway.value])]
        for pathway, numbers in pathway_counts.items()
    ]
    every_acceptance = [days for pathway_days in days_to_accept.values() for days in pathway_days]
    totals = [sum(numbers[index] for numbers in pathway_counts.values()) for index in range(len(fields))]
    by_pathway = Table(
        key="referrals-by-pathway",
        title="Referrals sent in the period, by pathway",
        columns=["Pathway", *REFERRAL_COUNTS, "Median working days to accept"],
        rows=rows,
        count_columns=frozenset(range(1, len(fields) + 1)),
        total=["All pathways", *totals, _median(every_acceptance)],
        note=(
            "Referrals sent from the first to the last day of the period, with where each stands now. "
            "Accepted counts every referral the partner accepted, including those completed or "
            "withdrawn since. Days to accept are working days (Monday to Friday) from sending to "
            f"acceptance; the median is left out where fewer than {SUPPRESSION_THRESHOLD} were accepted."
        ),
    )
    chart = Chart(
        kind="grouped",
        title="Referrals sent, accepted and declined, by pathway",
        labels=[pathway.label for pathway in Pathway],
        series=[
            (name, [numbers[index] for numbers in pathway_counts.values()])
            for index, name in ((0, "Sent"), (1, "Accepted"), (2, "Declined"))
        ],
        table_key=by_pathway.key,
    )

    not_responding = _not_responding(scope)
    overdue = sum(count for _, count, _ in not_responding)
    partners_table = Table(
        key="partners-not-responding",
        title=f"Partners not answering referrals at {day_month_year(scope.period_end)}",
        columns=["Partner organisation", "Referrals past their answer date", "Oldest answer date"],
        rows=[[name, count, day_month_year(oldest)] for name, count, oldest in not_responding],
        count_columns=frozenset({1}),
        total=(["All partners", overdue, None] if not_responding else None),
        note=(
            "Referrals from the scope's teams, sent by the period's end, due an answer before it and "
            "not answered (or withdrawn) by then, whenever they were sent. Most overdue first."
        ),
    )
    blocks: list[Block] = [chart, by_pathway, partners_table]
    if not not_responding:
        blocks.append(Paragraph("No partner held a referral past its answer date at the end of the period."))
    median = _median(every_acceptance)
    return Section(
        key="referrals",
        title="Referrals",
        blocks=blocks,
        headlines=[
            ("Referrals sent", shown(totals[0], count=True), ""),
            (
                "Median working days to accept",
                "\u2013" if median is None else f"{median:g}",
                "",
            ),
            (
                "Referrals past their answer date",
                shown(overdue, count=True),
                f"with {len(not_responding)} partner{'s' if len(not_responding) != 1 else ''}",
            ),
        ],
    )


def _median(days: list[int]) -> float | None:
    """The median of at least SUPPRESSION_THRESHOLD times, else none: a median of fewer would
    show nearly each person's own answer time."""
    return float(statistics.median(days)) if len(days) >= SUPPRESSION_THRESHOLD else None


def _not_responding(scope: PackScope) -> list[tuple[str, int, date]]:
    """One row per organisation holding referrals unanswered past their due date at the period's
    end, as the referrals were then (later answers do not change a past month's pack)."""
    end = scope.period_end
    unanswered_at_end = (
        Q(sent_at__date__lte=end, response_due__lt=end)
        & (Q(responded_at__isnull=True) | Q(responded_at__date__gt=end))
        & (Q(closed_at__isnull=True) | Q(closed_at__date__gt=end))
    )
    rows = (
        _scope_referrals(scope)
        .filter(unanswered_at_end)
        .values("organisation_id", "organisation__name")
        .annotate(overdue=Count("id"), oldest_due=Min("response_due"))
        .order_by("-overdue", "oldest_due", "organisation__name", "organisation_id")
        .values_list("organisation__name", "overdue", "oldest_due")
    )
    return list(rows)


# Unmet needs -----------------------------------------------------------------------------------


def _unmet_needs(scope: PackScope) -> Section:
    end = scope.period_end
    # A need as it stood at the period's end: its last dated update by then; a need with no
    # updates (made before updates were kept) as it is, if it was last changed by then.
    last_update = NeedUpdate.objects.filter(need=OuterRef("pk"), updated_on__lte=end).order_by(
        "-updated_on", "-recorded_at", "-id"
    )
    as_recorded = Q(updated_on__lte=end) & ~Exists(NeedUpdate.objects.filter(need=OuterRef("pk")))
    counts = {
        pathway: (unmet, no_service)
        for pathway, unmet, no_service in Need.objects.filter(nominal__team_id__in=scope.team_ids)
        .alias(
            status_then=Coalesce(
                Subquery(last_update.values("status")[:1]), Case(When(as_recorded, then=F("status")))
            ),
            reason_then=Coalesce(
                Subquery(last_update.values("unmet_reason")[:1]),
                Case(When(as_recorded, then=F("unmet_reason"))),
            ),
        )
        .filter(status_then=NeedStatus.UNMET)
        .values("pathway")
        .annotate(
            unmet=Count("id"),
            no_service=Count("id", filter=Q(reason_then=UnmetReason.NO_SERVICE)),
        )
        .order_by()
        .values_list("pathway", "unmet", "no_service")
    }
    rows: list[list[Cell]] = [[p.label, *counts.get(p.value, (0, 0))] for p in Pathway]
    unmet_total = sum(unmet for unmet, _ in counts.values())
    no_service_total = sum(no_service for _, no_service in counts.values())
    table = Table(
        key="unmet-needs-by-pathway",
        title=f"Needs unmet at {day_month_year(end)}, by pathway",
        columns=["Pathway", "Unmet needs", "Of which no service available"],
        rows=rows,
        count_columns=frozenset({1, 2}),
        total=["All pathways", unmet_total, no_service_total],
        note=(
            "Needs of the scope's people recorded as unmet at the period's end, by the last update "
            "on or before that day. No service available: the worker found no service in the "
            "directory that could meet the need."
        ),
    )
    chart = Chart(
        kind="grouped",
        title="Unmet needs, and those with no service available, by pathway",
        labels=[pathway.label for pathway in Pathway],
        series=[
            ("Unmet", [counts.get(p.value, (0, 0))[0] for p in Pathway]),
            ("No service available", [counts.get(p.value, (0, 0))[1] for p in Pathway]),
        ],
        table_key=table.key,
    )
    return Section(
        key="unmet-needs",
        title="Unmet needs",
        blocks=[chart, table, Paragraph(_structural_gaps(counts, no_service_total))],
        headlines=[
            ("Needs unmet at the period's end", shown(unmet_total, count=True), ""),
            ("Of which no service available", shown(no_service_total, count=True), ""),
        ],
    )


def _structural_gaps(counts: dict[str, tuple[int, int]], no_service_total: int) -> str:
    if no_service_total == 0:
        return (
            "No unmet need was recorded as having no service available at the end of the period: "
            "where needs are unmet, a service exists but the person waits, is not eligible or declined."
        )
    gaps = sorted(
        ((no_service, Pathway(pathway).label) for pathway, (_, no_service) in counts.items() if no_service),
        key=lambda gap: (-gap[0], gap[1]),
    )[:GAPS_NAMED]
    named = " and ".join(f"{label.lower()} ({shown(count, count=True)})" for count, label in gaps)
    return (
        f"{shown(no_service_total, count=True)} unmet "
        f"{'need has' if no_service_total == 1 else 'needs have'} no service available to meet "
        "them. These are structural gaps, not failures of the case team: no referral can close "
        "them until a service is commissioned or opened to people on IOM. "
        f"The largest gaps are in {named}."
    )
