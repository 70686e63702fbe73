"""Logging a contact that just happened, and reading one."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.models import Nominal
from cohorts.views.person import nominal_for_form, person_context
from iom.core import access
from iom.core.http import AuthenticatedRequest
from supervision import selectors, services
from supervision.forms import LogContactForm, time_text
from supervision.models import WEEKDAYS

# The one place besides the person's record that the form may return to. Anything else in
# `next` is ignored, so the form can never be used to send someone to another site.
RETURN_TO_CASELOAD = "caseload"


def _return_url(nominal: Nominal, next_page: str) -> str:
    if next_page == RETURN_TO_CASELOAD:
        return reverse("cohorts:caseload")
    return reverse("supervision:nominal-supervision", args=[nominal.pk])


@require_http_methods(["GET", "POST"])
def log_contact(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = nominal_for_form(request, nominal_id)
    access.require_log_contact(request.user, nominal)
    next_page = request.POST.get("next") or request.GET.get("next", "")
    staff = selectors.team_staff(nominal)
    police = access.sees_police_intelligence(request.user, nominal)
    if request.method == "POST":
        form = LogContactForm(request.POST, staff=staff, police=police)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.log_contact(
                    actor=request.user,
                    nominal=nominal,
                    kind=data["kind"],
                    outcome=data["outcome"],
                    purpose=data["purpose"],
                    date=data["date"],
                    time=data["time"],
                    duration_minutes=data["duration_minutes"],
                    location=data["location"],
                    notes=data["notes"],
                    sensitivity=data["sensitivity"],
                    attendee_ids=data["attendees"],
                    submission_id=data["submission_id"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"Contact logged for {nominal.full_name}")
                return HttpResponseRedirect(_return_url(nominal, next_page))
    else:
        now = timezone.localtime()
        form = LogContactForm(
            staff=staff,
            police=police,
            initial={
                "submission_id": str(uuid.uuid4()),
                "date": now.date(),
                "time": time_text(now.time()),
                "duration_minutes": 30,
                "attendees": [request.user.pk],
            },
        )
    return render(
        request,
        "supervision/log_contact.html",
        {
            "nominal": nominal,
            "form": form,
            "next_page": RETURN_TO_CASELOAD if next_page == RETURN_TO_CASELOAD else "",
            "return_url": _return_url(nominal, next_page),
        },
    )


@require_GET
def contact_detail(request: AuthenticatedRequest, contact_id: int) -> HttpResponse:
    contact = selectors.get_contact_for_user(user=request.user, contact_id=contact_id, page="contact")
    nominal = contact.nominal
    context = person_context(request, nominal, "supervision")
    series = contact.series
    context.update(
        {
            "contact": contact,
            "attendance": list(contact.attendance.all()),
            "note_readable": selectors.note_is_readable(request.user, contact),
            "series_days": ", ".join(WEEKDAYS[day][:3] for day in series.weekday_numbers()) if series else "",
            "can_change": contact.is_planned and context["can_log_contact"],
            "due_an_outcome": contact.is_due_an_outcome(),
        }
    )
    return render(request, "supervision/contact_detail.html", context)
