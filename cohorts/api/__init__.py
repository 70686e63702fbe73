"""The cohorts API: people, their cohort memberships, assessments and needs (docs/decisions/0010).

Thin over the pages' selectors and services, with the same access checks and the same audit.
"""

from django.urls import path, re_path

from cohorts.api.facts import AssessmentViewSet, NeedViewSet
from cohorts.api.memberships import CohortMembershipViewSet, NominalCohortMembershipViewSet
from cohorts.api.nominals import NominalViewSet
from cohorts.models import Pathway

PATHWAY = "(?P<pathway>{})".format("|".join(Pathway.values))

urlpatterns = [
    path("nominals/", NominalViewSet.as_view({"get": "list", "post": "create"}), name="nominal-list"),
    path(
        "nominals/<int:pk>/",
        NominalViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="nominal-detail",
    ),
    path(
        "nominals/<int:nominal_id>/cohort-memberships/",
        NominalCohortMembershipViewSet.as_view({"get": "list", "post": "create"}),
        name="cohort-membership-list",
    ),
    path(
        "cohort-memberships/<int:pk>/",
        CohortMembershipViewSet.as_view({"get": "retrieve"}),
        name="cohort-membership-detail",
    ),
    path(
        "cohort-memberships/<int:pk>/decision/",
        CohortMembershipViewSet.as_view({"post": "decision"}),
        name="cohort-membership-decision",
    ),
    path(
        "cohort-memberships/<int:pk>/review/",
        CohortMembershipViewSet.as_view({"post": "review"}),
        name="cohort-membership-review",
    ),
    path(
        "nominals/<int:nominal_id>/assessments/",
        AssessmentViewSet.as_view({"get": "list", "post": "create"}),
        name="assessment-list",
    ),
    path("nominals/<int:nominal_id>/needs/", NeedViewSet.as_view({"get": "list"}), name="need-list"),
    re_path(
        rf"^nominals/(?P<nominal_id>[0-9]+)/needs/{PATHWAY}/status/$",
        NeedViewSet.as_view({"post": "status"}),
        name="need-status",
    ),
]
