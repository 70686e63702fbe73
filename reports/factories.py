import datetime

import factory

from iom.core.factories import RegionFactory, UserFactory
from reports.models import ReportRun


class ReportRunFactory(factory.django.DjangoModelFactory[ReportRun]):
    class Meta:
        model = ReportRun

    region = factory.SubFactory(RegionFactory)
    period_start = datetime.date(2026, 10, 1)
    period_end = datetime.date(2026, 10, 31)
    requested_by = factory.SubFactory(UserFactory)
