"""Supervision on a person's record: the Supervision tab, its overview panel, and the case team's
two decisions there (the person's contact standard, and what to do about absences)."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.models import Cohort, Nominal
from cohorts.views.person import nominal_for_form, render_person_form, render_tab
from iom.core import access
from iom.core.http import AuthenticatedRequest
from supervision import selectors, services
from supervision.compliance import WeekCompliance
from supervision.forms import ContactStandardForm, EnforcementForm

CONTACTS_PAGE_SIZE = 20
SHOWN = 10


# What the pages show --------------------------------------------------------------------


@dataclass(frozen=True)
class WeekRow:
    """A week of compliance as the page says it: a GOV.UK tag's words and colour."""

    week: WeekCompliance
    status: str
    colour: str


def week_row(week: WeekCompliance) -> WeekRow:
    if not week.assessed:
        return WeekRow(week, f"Not assessed: {week.not_assessed_because}", "grey")
    if week.met:
        return WeekRow(week, "Met", "green")
    if week.in_progress:
        # The week is not over: what is still needed, not a failure yet.
        return WeekRow(week, f"{week.short} to go", "blue")
    return WeekRow(week, f"Below: {week.short} short", "red")


def cohort_label(cohort: str) -> str:
    return Cohort(cohort).label if cohort in Cohort.values else ""


# Views ----------------------------------------------------------------------------------


@require_GET
def supervision_tab(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    def build(nominal: Nominal) -> dict[str, Any]:
        today = timezone.localdate()
        now = timezone.now()
        standard = selectors.standard_in_force(nominal, today=today)
        contacts = Paginator(selectors.contacts_for(nominal), CONTACTS_PAGE_SIZE)
        history = list(selectors.enforcement_history(nominal)[: SHOWN + 1])
        planned = list(selectors.planned_for(nominal)[: SHOWN + 1])
        return {
            "standard": standard,
            "standard_cohort": cohort_label(standard.cohort),
            "standard_history": list(selectors.standard_history(nominal)),
            "weeks": [week_row(week) for week in selectors.person_compliance(nominal, today=today)],
            "enforcement": selectors.enforcement_status(nominal, today=today),
            # The newest decisions and the soonest appointments: a long series or a long history
            # would otherwise grow the page without end (docs/benchmarks.md).
            "enforcement_history": history[:SHOWN],
            "more_enforcement": len(history) > SHOWN,
            "planned": [(appointment, appointment.is_due_an_outcome(now)) for appointment in planned[:SHOWN]],
            "more_planned": len(planned) > SHOWN,
            "page": contacts.get_page(request.GET.get("page")),
        }

    return render_tab(request, nominal_id, "supervision", "supervision/person/supervision.html", build)


def supervision_overview(request: AuthenticatedRequest, nominal: Nominal) -> dict[str, Any]:
    """The "Supervision this week" panel on the person's Overview tab. Nine queries: this week's
    compliance (four), the next appointment (one) and the enforcement prompt (four)."""
    now = timezone.localtime()
    today = now.date()
    return {
        "week": week_row(selectors.person_compliance(nominal, today=today, weeks=1)[0]),
        "next_appointment": selectors.next_appointment(nominal, now=now),
        "enforcement": selectors.enforcement_status(nominal, today=today),
    }


@require_http_methods(["GET", "POST"])
def set_standard(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = nominal_for_form(request, nominal_id)
    access.require_edit_nominal(request.user, nominal)
    standard = selectors.standard_in_force(nominal)
    form = ContactStandardForm(
        request.POST or None, initial={"contacts_per_week": standard.contacts_per_week}
    )
    if form.is_bound and form.is_valid():
        try:
            services.set_contact_standard(
                actor=request.user,
                nominal=nominal,
                contacts_per_week=form.cleaned_data["contacts_per_week"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Contact standard set to {form.cleaned_data['contacts_per_week']} a week"
            )
            return redirect("supervision:nominal-supervision", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="supervision",
        title="Change the contact standard"
        if standard.contacts_per_week is not None
        else "Set a contact standard",
        cancel="supervision:nominal-supervision",
        submit_label="Save the contact standard",
        template="supervision/person/standard_form.html",
        standard=standard,
        standard_cohort=cohort_label(standard.cohort),
    )


@require_http_methods(["GET", "POST"])
def record_enforcement(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = nominal_for_form(request, nominal_id)
    access.require_edit_nominal(request.user, nominal)
    form = EnforcementForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if form.is_bound and form.is_valid():
        try:
            action = services.record_enforcement_action(
                actor=request.user,
                nominal=nominal,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                decided_on=form.cleaned_data["decided_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Enforcement decision recorded: {action.get_kind_display().lower()}")
            return redirect("supervision:nominal-supervision", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="supervision",
        title="Record an enforcement decision",
        cancel="supervision:nominal-supervision",
        submit_label="Record the decision",
        template="supervision/person/enforcement_form.html",
        enforcement=selectors.enforcement_status(nominal),
        today=timezone.localdate(),
    )
