import hashlib
from datetime import timedelta
from typing import Literal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohorts import selectors as cohort_selectors
from iom.core import access, audit
from iom.core.http import AuthenticatedRequest
from iom.core.models import Team
from reports import metrics, selectors, services
from reports.forms import ReportFilterForm, ReportRequestForm
from reports.models import ReportRun

PAGE_SIZE = 20


def _require_reports_role(request: AuthenticatedRequest) -> None:
    # Not a person's record: the pages exist for everyone, but only these roles use them.
    if not access.uses_governance_reports(request.user):
        raise Http404("No such page")


@require_GET
def report_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_reports_role(request)
    # The kinds a user may ask for are the kinds they may see.
    kinds = access.report_kinds_for(request.user)
    form = ReportFilterForm(
        request.GET or None,
        kinds=kinds,
        regions=list(selectors.regions_reportable_by(request.user)),
        teams=list(selectors.teams_reportable_by(request.user)),
    )
    filters = form.filters()
    runs = selectors.report_runs_for_list(request.user, filters)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/report_list.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "may_request": bool(kinds),
        },
    )


@require_http_methods(["GET", "POST"])
def report_request(request: AuthenticatedRequest) -> HttpResponse:
    _require_reports_role(request)
    form = ReportRequestForm(
        request.POST or None,
        kinds=access.report_kinds_for(request.user),
        regions=selectors.regions_reportable_by(request.user),
        teams=selectors.teams_reportable_by(request.user),
    )
    if form.is_bound and form.is_valid():
        start, end = form.period()
        try:
            run = services.request_report(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                region=form.cleaned_data["region"],
                team=form.cleaned_data["team"],
                period_start=start,
                period_end=end,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Report requested. It will be ready to download in a minute or two.")
            return redirect("reports:detail", report_run_id=run.pk)
    return render(request, "reports/report_request.html", {"form": form})


@require_GET
def report_detail(request: AuthenticatedRequest, report_run_id: int) -> HttpResponse:
    run = selectors.get_report_run_for_user(user=request.user, report_run_id=report_run_id)
    seen = _state_seen(run)
    if request.htmx:
        # The page polls for the progress panel alone (a template partial), so it never reloads; a
        # poll that has seen this state already gets nothing, so nothing is announced twice.
        if request.GET.get("seen") == seen:
            return HttpResponse(status=204)
        return render(request, "reports/report_detail.html#status", {"run": run, "seen": seen})
    return render(request, "reports/report_detail.html", {"run": run, "seen": seen})


def _state_seen(run: ReportRun) -> str:
    """A short token for what the progress panel shows."""
    shown = f"{run.status}|{run.progress}|{run.progress_note}".encode()
    return hashlib.sha256(shown).hexdigest()[:12]


@require_POST
def report_retry(request: AuthenticatedRequest, report_run_id: int) -> HttpResponse:
    run = selectors.get_report_run_for_user(user=request.user, report_run_id=report_run_id)
    try:
        services.retry_report(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The report is queued to be built again.")
    return redirect("reports:detail", report_run_id=run.pk)


def _download(request: AuthenticatedRequest, report_run_id: int, what: Literal["pdf", "csv"]) -> FileResponse:
    run = selectors.get_report_run_for_user(user=request.user, report_run_id=report_run_id)
    handle = selectors.open_report_file(run, what)
    services.record_report_download(actor=request.user, run=run, what=what)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=run.download_filename if what == "pdf" else run.csv_download_filename,
        content_type="application/pdf" if what == "pdf" else "application/zip",
    )
    # A disclosure: no copy stays in a shared or browser cache.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def report_download(request: AuthenticatedRequest, report_run_id: int) -> FileResponse:
    return _download(request, report_run_id, "pdf")


@require_GET
def report_download_csv(request: AuthenticatedRequest, report_run_id: int) -> FileResponse:
    return _download(request, report_run_id, "csv")


@require_GET
def team_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    teams = selectors.teams_managed_by(request.user)
    team = _chosen_team(teams, request.GET.get("team"))
    today = timezone.localdate()
    figures = metrics.team_dashboard(team_id=team.pk, today=today, viewer=request.user)
    referrals_overdue = metrics.referrals_overdue(team_id=team.pk, today=today)
    break_glass = cohort_selectors.break_glass_openings_since(
        team_id=team.pk, since=timezone.now() - timedelta(days=7)
    )
    audit.record(actor=request.user, action="dashboard.viewed", detail={"team_id": team.pk})
    return render(
        request,
        "reports/team_dashboard.html",
        {
            "team": team,
            "teams": teams,
            "figures": figures,
            "referrals_overdue": referrals_overdue,
            "break_glass": break_glass,
        },
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
