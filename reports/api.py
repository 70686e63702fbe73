"""/api/v1/report-runs/: governance packs over the API, through the pages' selectors and services.

The same rules as reports/views.py: only the roles that use governance reports have the list and
may ask for a pack; a run out of the caller's scope is not found; downloading a file is a disclosure
and audited as the page audits it.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from iom.core import access
from iom.core.api.serializers import check
from iom.core.api.viewsets import ApiViewSet
from iom.core.models import Region, Team
from reports import selectors, services
from reports.filters import MONTH, ReportRunFilter
from reports.forms import month_bounds, month_choices
from reports.models import ReportRun

TAGS = ["reports"]


class ReportRunSerializer(serializers.Serializer):
    """A governance pack asked for, and what became of it."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=ReportRun.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    scope_name = serializers.CharField(help_text="The team, the region, or England and Wales.")
    region = serializers.IntegerField(source="region_id", allow_null=True)
    team = serializers.IntegerField(source="team_id", allow_null=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    requested_by = serializers.IntegerField(
        source="requested_by_id", allow_null=True, help_text="Empty when the monthly schedule asked for it."
    )
    requested_by_name = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=ReportRun.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")
    progress_note = serializers.CharField(allow_blank=True, help_text="What the build is doing now.")
    attempts = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    failure_reason = serializers.CharField(allow_blank=True)
    page_count = serializers.IntegerField(allow_null=True)
    pdf_size = serializers.IntegerField(source="file_size", allow_null=True, help_text="Bytes.")
    pdf_sha256 = serializers.CharField(source="file_sha256", allow_blank=True)
    csv_size = serializers.IntegerField(allow_null=True, help_text="Bytes of the zip of CSV tables.")
    csv_sha256 = serializers.CharField(allow_blank=True)
    pdf_url = serializers.SerializerMethodField(help_text="The PDF, once the pack is ready.")
    csv_url = serializers.SerializerMethodField(help_text="The tables as a zip of CSV files, once ready.")

    def get_requested_by_name(self, run: ReportRun) -> str | None:
        return run.requested_by.full_name if run.requested_by is not None else None

    def get_pdf_url(self, run: ReportRun) -> str | None:
        return self._download_url(run, "pdf", run.file.name)

    def get_csv_url(self, run: ReportRun) -> str | None:
        return self._download_url(run, "csv", run.csv_file.name)

    def _download_url(self, run: ReportRun, what: str, stored: str | None) -> str | None:
        if run.status != ReportRun.Status.SUCCEEDED or not stored:
            return None
        url = reverse(f"api:report-run-{what}", args=[run.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class NewReportRunSerializer(serializers.Serializer):
    """What the page's request form asks: the kind, its region or team, and the month."""

    kind = serializers.ChoiceField(
        choices=ReportRun.Kind.choices,
        error_messages={"invalid_choice": '"{input}" is not a kind of report.'},
    )
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.none(),
        required=False,
        allow_null=True,
        help_text="A regional pack's region: one you report on.",
        error_messages={"does_not_exist": "Choose one of the regions you report on."},
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        required=False,
        allow_null=True,
        help_text="A team pack's team: one you manage, or one of a region you report on.",
        error_messages={"does_not_exist": "Choose one of the teams you may request a pack for."},
    )
    month = serializers.RegexField(
        MONTH.regex,
        help_text="The month reported on, YYYY-MM: this month or one of the 23 before it. This month "
        "runs up to today.",
        error_messages={"invalid": "Give the month as YYYY-MM, e.g. 2026-10."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # What the user may choose is what the page's form offers them.
            self.fields["region"].queryset = selectors.regions_reportable_by(request.user)  # type: ignore[attr-defined]
            self.fields["team"].queryset = selectors.teams_reportable_by(request.user)  # type: ignore[attr-defined]

    def validate_kind(self, kind: str) -> str:
        kinds = access.report_kinds_for(self.context["request"].user)
        if kind not in kinds:
            raise serializers.ValidationError(f"Choose a kind of report you may request: {', '.join(kinds)}.")
        return kind

    def validate_month(self, month: str) -> str:
        offered = [value for value, _label in month_choices(timezone.localdate())]
        if month not in offered:
            raise serializers.ValidationError(f"Choose a month from {offered[-1]} to {offered[0]}.")
        return month

    def period(self) -> tuple[date, date]:
        start, end = month_bounds(self.validated_data["month"])
        return start, min(end, timezone.localdate())


# The service's "period" problems belong to the month asked for, as on the page.
SERVICE_FIELDS = {"period": "month"}


def _as_request_fields(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {SERVICE_FIELDS.get(name, name): errors for name, errors in error.message_dict.items()}
    )


class _FileRenderer(BaseRenderer):
    """A file the view hands over as it is; an error (a problem) still goes out as JSON."""

    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data, renderer_context=renderer_context)


class PdfRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class ZipRenderer(_FileRenderer):
    media_type = "application/zip"
    format = "zip"


def _file_schema(media_type: str, description: str) -> Any:
    return extend_schema(
        tags=TAGS,
        responses={(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)},
    )


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Report runs you may read",
        description="Newest first. Regional leads see their region's packs, managers their teams' "
        "packs, national users every run.",
    ),
    retrieve=extend_schema(tags=TAGS, summary="A report run: its status, progress, and its files once ready"),
    create=extend_schema(
        tags=TAGS,
        summary="Ask for a governance pack",
        description="The pack is built in the background: poll the run until its status is "
        "`succeeded` (then `pdf_url` and `csv_url` are set) or `failed`.",
        request=NewReportRunSerializer,
        responses={201: ReportRunSerializer},
    ),
)
class ReportRunViewSet(ApiViewSet):
    """Governance packs: ask for one, follow it while it builds, download its PDF and tables."""

    serializer_class = ReportRunSerializer
    filterset_class = ReportRunFilter
    ordering_fields = ["requested_at", "period_start", "kind", "status"]
    ordering = ["-requested_at", "-id"]
    # No `?fields=`: a user holds a few runs a month, and each is small.

    def get_queryset(self) -> Any:
        return selectors.report_runs_visible_to(self.request.user)

    def _require_reports_role(self) -> None:
        # As on the pages: not a person's record, but only these roles use governance reports.
        if not access.uses_governance_reports(self.request.user):
            raise Http404("No such page")

    def _run(self) -> ReportRun:
        return selectors.get_report_run_for_user(user=self.request.user, report_run_id=int(self.kwargs["pk"]))

    def list(self, request: Request) -> Response:
        self._require_reports_role()
        runs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self._run()).data)

    def create(self, request: Request) -> Response:
        self._require_reports_role()
        asked = NewReportRunSerializer(data=request.data, context=self.get_serializer_context())
        check(asked)
        start, end = asked.period()
        try:
            run = services.request_report(
                actor=self.request.user,
                kind=asked.validated_data["kind"],
                region=asked.validated_data.get("region"),
                team=asked.validated_data.get("team"),
                period_start=start,
                period_end=end,
            )
        except ValidationError as error:
            raise _as_request_fields(error) from None
        url = reverse("api:report-run-detail", args=[run.pk])
        return Response(
            self.get_serializer(run).data, status=status.HTTP_201_CREATED, headers={"Location": url}
        )

    @extend_schema(
        tags=TAGS,
        summary="Build a failed run again",
        request=None,
        responses={200: ReportRunSerializer},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        # No If-Match: the run has no version, and the service only moves a failed run back to
        # the queue (a conditional update), so two retries cannot both queue it.
        services.retry_report(actor=self.request.user, run=self._run())
        return Response(self.get_serializer(self._run()).data)

    @_file_schema("application/pdf", "The pack as a PDF.")
    @action(detail=True, methods=["get"], renderer_classes=[PdfRenderer])
    def pdf(self, request: Request, pk: str) -> FileResponse:
        return self._download("pdf")

    @_file_schema("application/zip", "The pack's tables, one CSV file each, in a zip.")
    @action(detail=True, methods=["get"], renderer_classes=[ZipRenderer])
    def csv(self, request: Request, pk: str) -> FileResponse:
        return self._download("csv")

    def _download(self, what: Literal["pdf", "csv"]) -> FileResponse:
        # The page's download, to the letter: 404 until the file exists, then audited as a disclosure.
        run = self._run()
        handle = selectors.open_report_file(run, what)
        services.record_report_download(actor=self.request.user, run=run, what=what)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=run.download_filename if what == "pdf" else run.csv_download_filename,
            content_type="application/pdf" if what == "pdf" else "application/zip",
        )


router = SimpleRouter()
router.register("report-runs", ReportRunViewSet, basename="report-run")
urlpatterns = router.urls
