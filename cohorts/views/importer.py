"""Importing a tracker spreadsheet: upload and dry run, then check and confirm. Managers only."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from cohorts import importer
from cohorts.models import Ethnicity
from iom.core.forms import GovukFormMixin
from iom.core.http import AuthenticatedRequest
from iom.core.models import Team


class TrackerUploadForm(GovukFormMixin, forms.Form):
    team = forms.ModelChoiceField(
        label="Team to import into",
        queryset=Team.objects.none(),
        empty_label=None,
        error_messages={"required": "Select the team", "invalid_choice": "Select one of your teams"},
    )
    file = forms.FileField(
        label="Upload a tracker spreadsheet",
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV file",
            "missing": "Select a CSV file",
        },
    )

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[team.pk for team in teams])  # type: ignore[attr-defined]
        self.fields["team"].initial = teams[0].pk


class TrackerConfirmForm(GovukFormMixin, forms.Form):
    skip_failing_rows = forms.BooleanField(required=False)


def _teams(request: AuthenticatedRequest) -> list[Team]:
    teams = importer.teams_to_import_into(request.user)
    if not teams:
        raise Http404("No such page")
    return teams


@require_http_methods(["GET", "POST"])
def tracker_import(request: AuthenticatedRequest) -> HttpResponse:
    teams = _teams(request)
    posted = request.method == "POST"
    form = TrackerUploadForm(request.POST if posted else None, request.FILES if posted else None, teams=teams)
    if form.is_bound and form.is_valid():
        try:
            stored, _ = importer.receive_tracker(
                actor=request.user, team=form.cleaned_data["team"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("cohorts:tracker-import-confirm", token=stored.token)
    return render(
        request,
        "cohorts/import.html",
        {
            "form": form,
            "teams": teams,
            "columns": importer.COLUMNS,
            "ethnicities": Ethnicity.labels,
            "max_rows": f"{importer.MAX_ROWS:,}",
        },
    )


@require_http_methods(["GET", "POST"])
def tracker_import_confirm(request: AuthenticatedRequest, token: str) -> HttpResponse:
    stored = importer.get_stored_import_for_user(user=request.user, token=token)
    applied = importer.applied_import(stored)
    if applied is not None:
        return render(request, "cohorts/import_done.html", {"stored": stored, "applied": applied})
    # An unticked box posts nothing, so the form is bound by the method, not by the data.
    form = TrackerConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            result = importer.apply_tracker_import(
                actor=request.user, stored=stored, skip_failing_rows=form.cleaned_data["skip_failing_rows"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            people = "1 person" if result.created == 1 else f"{result.created:,} people"
            messages.success(
                request,
                format_html(
                    '{} imported into {}. <a class="govuk-notification-banner__link" href="{}?team={}">'
                    "See them on the caseload</a>",
                    people,
                    result.team.name,
                    reverse("cohorts:caseload"),
                    result.team.pk,
                ),
            )
            return redirect("cohorts:tracker-import-confirm", token=stored.token)
    try:
        dry_run = importer.check_stored_tracker(actor=request.user, stored=stored)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cohorts:tracker-import")
    return render(
        request,
        "cohorts/import_results.html",
        {"form": form, "stored": stored, "dry_run": dry_run, "team": dry_run.team},
    )
