"""/api/v1/me/: who the caller is and what they may do, so an integration can check its token."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from iom.core import access
from iom.core.api.viewsets import ApiView
from iom.core.models import ApiToken


class MembershipSerializer(serializers.Serializer):
    role = serializers.CharField()
    team_id = serializers.IntegerField(allow_null=True)
    region_id = serializers.IntegerField(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    organisation_id = serializers.IntegerField(allow_null=True)
    memberships = MembershipSerializer(many=True)
    token_name = serializers.CharField(allow_null=True, help_text="The token used, if not a session.")
    token_expires_at = serializers.DateTimeField(allow_null=True)


class MeView(ApiView):
    @extend_schema(responses=MeSerializer, operation_id="me", tags=["account"])
    def get(self, request: Request) -> Response:
        user = self.request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        memberships = [
            {"role": m.role, "team_id": m.team_id, "region_id": m.region_id}
            for m in access.memberships_of(user)
        ]
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "email": user.email,
                    "full_name": user.full_name,
                    "organisation_id": user.organisation_id,
                    "memberships": memberships,
                    "token_name": token.name if token else None,
                    "token_expires_at": token.expires_at if token else None,
                }
            ).data
        )


urlpatterns = [path("me/", MeView.as_view(), name="me")]
