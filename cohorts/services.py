from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from cohorts.models import Nominal, TimelineEvent
from iom.core.models import User


@transaction.atomic
def add_timeline_event(
    *,
    nominal: Nominal,
    kind: TimelineEvent.Kind,
    occurred_on: date,
    summary: str,
    source: models.Model,
    recorded_by: User | None,
    body: str = "",
    visibility: TimelineEvent.Visibility = TimelineEvent.Visibility.TEAM,
) -> TimelineEvent:
    """Called by other apps' services inside their own transaction; access is theirs to check."""
    return TimelineEvent.objects.create(
        nominal=nominal,
        kind=kind,
        occurred_on=occurred_on,
        summary=summary[:200],
        body=body,
        visibility=visibility,
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        recorded_by=recorded_by,
    )
