from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from iom.core import access, audit
from iom.core.http import AuthenticatedRequest
from iom.core.models import Team
from reports import metrics, selectors, services
from reports.forms import ReportRequestForm

PAGE_SIZE = 20


def _require_reports_role(request: AuthenticatedRequest) -> None:
    # Not a person's record: the pages exist for everyone, but only these roles use them.
    if not access.uses_governance_reports(request.user):
        raise Http404("No such page")


@require_GET
def report_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_reports_role(request)
    runs = selectors.report_runs_visible_to(request.user)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/report_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def report_request(request: AuthenticatedRequest) -> HttpResponse:
    _require_reports_role(request)
    regions = selectors.regions_reportable_by(request.user)
    form = ReportRequestForm(request.POST or None, regions=regions)
    if form.is_bound and form.is_valid():
        start, end = form.period()
        try:
            run = services.request_governance_report(
                actor=request.user, region=form.cleaned_data["region"], period_start=start, period_end=end
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Report requested. It will be ready to download in a minute or two.")
            return redirect("reports:detail", report_run_id=run.pk)
    return render(request, "reports/report_request.html", {"form": form})


@require_GET
def report_detail(request: AuthenticatedRequest, report_run_id: int) -> HttpResponse:
    run = selectors.get_report_run_for_user(user=request.user, report_run_id=report_run_id)
    # htmx polls for the progress panel alone (a template partial), so the page never reloads.
    template = "reports/report_detail.html#status" if request.htmx else "reports/report_detail.html"
    return render(request, template, {"run": run})


@require_GET
def report_download(request: AuthenticatedRequest, report_run_id: int) -> FileResponse:
    run = selectors.get_report_run_for_user(user=request.user, report_run_id=report_run_id)
    if run.status != run.Status.SUCCEEDED or not run.file:
        raise Http404("This report has no file to download")
    services.record_report_download(actor=request.user, run=run)
    response = FileResponse(
        run.file.open("rb"),
        as_attachment=True,
        filename=run.download_filename,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def team_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    teams = selectors.teams_managed_by(request.user)
    team = _chosen_team(teams, request.GET.get("team"))
    today = timezone.localdate()
    figures = metrics.team_dashboard(team_id=team.pk, today=today)
    referrals_overdue = metrics.referrals_overdue(team_id=team.pk, today=today)
    audit.record(actor=request.user, action="dashboard.viewed", detail={"team_id": team.pk})
    return render(
        request,
        "reports/team_dashboard.html",
        {"team": team, "teams": teams, "figures": figures, "referrals_overdue": referrals_overdue},
    )


def _chosen_team(teams: list[Team], asked_for: str | None) -> Team:
    """The team in `?team=`, or the first by name; any other answer is 404, as if it did not exist."""
    if not teams:
        raise Http404("No such page")
    if not asked_for:
        return teams[0]
    for team in teams:
        if str(team.pk) == asked_for:
            return team
    raise Http404("No such team")


@require_GET
def referrals_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """The team's referrals to partners in figures. Not audited: it shows counts and partner
    organisations, never a person."""
    teams = selectors.teams_managed_by(request.user)
    team = _chosen_team(teams, request.GET.get("team"))
    figures = metrics.referrals_dashboard(team_id=team.pk, today=timezone.localdate())
    return render(
        request, "reports/referrals_dashboard.html", {"team": team, "teams": teams, "figures": figures}
    )
