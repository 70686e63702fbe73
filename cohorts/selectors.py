from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Q, QuerySet
from django.http import Http404

from cohorts.models import Nominal, TimelineEvent
from iom.core import access, audit
from iom.core.models import User

CASELOAD_SORTS = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "-id"),
    "crn": ("crn", "id"),
    "-crn": ("-crn", "-id"),
    "last_activity": ("last_activity", "family_name", "id"),
    "-last_activity": ("-last_activity", "family_name", "id"),
}


def nominals_visible_to(user: User | AnonymousUser) -> QuerySet[Nominal]:
    return access.scope_to_teams(user, Nominal.objects.select_related("team"), team_field="team_id")


def caseload_for(user: User, *, search: str = "", sort: str = "name") -> QuerySet[Nominal]:
    """The user's teams' nominals, with the date of each one's latest timeline entry."""
    nominals = nominals_visible_to(user).annotate(last_activity=Max("timeline_events__occurred_on"))
    search = search.strip()
    if search:
        terms = Q(crn__iexact=search)
        for word in search.split():
            terms |= Q(given_name__icontains=word) | Q(family_name__icontains=word)
        nominals = nominals.filter(terms)
    return nominals.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"]))


def get_nominal_for_user(*, user: User, nominal_id: int) -> Nominal:
    """The nominal if the user may see it; otherwise 404, whether it exists or not."""
    try:
        return nominals_visible_to(user).get(pk=nominal_id)
    except Nominal.DoesNotExist:
        # One answer for "no such person" and "not yours": a 403 would confirm that this
        # person is managed by IOM. Attempts on real records are still logged.
        if Nominal.objects.filter(pk=nominal_id).exists():
            audit.record(
                actor=user,
                action="nominal.access_denied",
                target_type="cohorts.nominal",
                target_id=nominal_id,
                nominal_id=nominal_id,
            )
        raise Http404("No such person") from None


def open_nominal_record(*, user: User, nominal_id: int, page: str) -> Nominal:
    """Fetch, authorise and log the consultation of a person's record (DPA 2018 Part 3)."""
    nominal = get_nominal_for_user(user=user, nominal_id=nominal_id)
    audit.record(
        actor=user, action="nominal.viewed", target=nominal, nominal_id=nominal.pk, detail={"page": page}
    )
    return nominal


def timeline_for(*, user: User, nominal: Nominal) -> QuerySet[TimelineEvent]:
    events = nominal.timeline_events.select_related("recorded_by").order_by(
        "-occurred_on", "-recorded_at", "-id"
    )
    if not access.sees_police_intelligence(user, nominal):
        events = events.exclude(visibility=TimelineEvent.Visibility.POLICE)
    return events
