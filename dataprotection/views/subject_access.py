"""Subject access: the page that explains an export and prepares one, the export's progress, and its
two downloads (JSON, PDF). The worker builds the files (docs/decisions/0016); every step is logged."""

import hashlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dataprotection.models import SubjectAccessExport
from dataprotection.selectors import subject_access as selectors
from dataprotection.services import subject_access as services
from iom.core import access
from iom.core.http import AuthenticatedRequest

PAGE_SIZE = 10


@never_cache
@require_http_methods(["GET", "POST"])
def subject_access(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    if request.method == "POST":
        nominal = selectors.get_nominal_for_subject_access(user=request.user, nominal_id=nominal_id)
        export = services.request_subject_access_export(actor=request.user, nominal=nominal)
        messages.success(request, "The export is being prepared. This page shows its progress.")
        return redirect("dataprotection:subject-access-export", export_id=export.pk)
    nominal, data = selectors.open_subject_access(user=request.user, nominal_id=nominal_id)
    # Back to where the manager came from: the record in normal use, the retention review otherwise.
    if access.can_view_nominal(request.user, nominal):
        back = (reverse("cohorts:nominal-detail", args=[nominal.pk]), nominal.full_name)
    else:
        back = (reverse("dataprotection:retention-review", args=[nominal.pk]), "Retention review")
    person, *sections = data.sections
    exports = Paginator(selectors.subject_access_exports_of(nominal), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dataprotection/subject_access/page.html",
        {
            "nominal": nominal,
            "data": data,
            "person": person,
            "sections": sections,
            "back": back,
            "page": exports,
            "review_duty": selectors.REVIEW_DUTY,
            "review_marker": selectors.POLICE_INTELLIGENCE,
        },
    )


@never_cache
@require_GET
def subject_access_export(request: AuthenticatedRequest, export_id: int) -> HttpResponse:
    if request.htmx:
        # The page polls for the progress panel alone (a template partial); a poll that has seen
        # this state already gets nothing, so a screen reader hears each change once.
        export = selectors.get_subject_access_export_for_user(user=request.user, export_id=export_id)
        seen = _state_seen(export)
        if request.GET.get("seen") == seen:
            return HttpResponse(status=204)
        context = {"export": export, "nominal": export.nominal, "seen": seen}
        return render(request, "dataprotection/subject_access/export.html#status", context)
    # The whole page, which names the person, is logged; the polls are not.
    export = selectors.open_subject_access_export(user=request.user, export_id=export_id)
    context = {"export": export, "nominal": export.nominal, "seen": _state_seen(export)}
    return render(request, "dataprotection/subject_access/export.html", context)


def _state_seen(export: SubjectAccessExport) -> str:
    """A short token for what the progress panel shows."""
    shown = f"{export.status}|{export.progress}|{export.stage}".encode()
    return hashlib.sha256(shown).hexdigest()[:12]


@require_GET
def subject_access_download(
    request: AuthenticatedRequest, export_id: int, export_format: str
) -> FileResponse:
    if export_format not in services.FORMATS:
        raise Http404("No such format")
    export = selectors.get_subject_access_export_for_user(user=request.user, export_id=export_id)
    handle = selectors.open_subject_access_file(export, export_format)
    services.record_subject_access_download(
        actor=request.user,
        export=export,
        export_format="json" if export_format == "json" else "pdf",
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=export.download_filename(export_format),
        content_type=services.CONTENT_TYPES[export_format],
    )
    # A disclosure in the making: no copy stays in a shared or browser cache.
    response["Cache-Control"] = "no-store"
    return response
