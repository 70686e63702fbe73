"""The partners API under /api/v1/: the team's referrals, the partner's inbox and the directory,
over the same selectors and services as the pages (partners/views/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from partners.api.directory import PartnerServiceViewSet
from partners.api.inbox import PartnerReferralViewSet
from partners.api.referrals import NominalReferralViewSet, ReferralViewSet

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
router.register("partner/referrals", PartnerReferralViewSet, basename="partner-referral")
router.register("partner-services", PartnerServiceViewSet, basename="partner-service")

urlpatterns = [
    *router.urls,
    path(
        "nominals/<int:nominal_id>/referrals/",
        NominalReferralViewSet.as_view({"get": "list"}),
        name="nominal-referrals",
    ),
]
