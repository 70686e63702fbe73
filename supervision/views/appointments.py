"""Planning appointments (one, or a series), and recording, moving or cancelling a planned one."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.views.decorators.http import require_http_methods

from cohorts.views.person import nominal_for_form, person_context, render_person_form
from iom.core import access
from iom.core.http import AuthenticatedRequest
from supervision import selectors, services
from supervision.forms import (
    CancelAppointmentForm,
    MoveAppointmentForm,
    PlanAppointmentForm,
    PlanSeriesForm,
    RecordOutcomeForm,
    SupervisionForm,
    time_text,
)
from supervision.models import Contact


def _when(contact: Contact) -> str:
    return f"{format_date(contact.date, 'j M Y')} at {time_text(contact.time)}"


@require_http_methods(["GET", "POST"])
def plan(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = nominal_for_form(request, nominal_id)
    access.require_log_contact(request.user, nominal)
    staff = selectors.team_staff(nominal)
    if request.method == "POST":
        form = PlanAppointmentForm(request.POST, staff=staff)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.plan_appointment(
                    actor=request.user,
                    nominal=nominal,
                    kind=data["kind"],
                    purpose=data["purpose"],
                    date=data["date"],
                    time=data["time"],
                    duration_minutes=data["duration_minutes"],
                    location=data["location"],
                    attendee_ids=data["attendees"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"Appointment planned for {_when(appointment)}")
                return redirect("supervision:nominal-supervision", nominal_id=nominal.pk)
    else:
        form = PlanAppointmentForm(
            staff=staff, initial={"duration_minutes": 60, "attendees": [request.user.pk]}
        )
    return render_person_form(
        request,
        nominal,
        form,
        tab="supervision",
        title="Plan an appointment",
        cancel="supervision:nominal-supervision",
        submit_label="Plan appointment",
    )


@require_http_methods(["GET", "POST"])
def plan_series(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = nominal_for_form(request, nominal_id)
    access.require_log_contact(request.user, nominal)
    staff = selectors.team_staff(nominal)
    if request.method == "POST":
        form = PlanSeriesForm(request.POST, staff=staff)
        if form.is_valid():
            data = form.cleaned_data
            try:
                series = services.plan_series(
                    actor=request.user,
                    nominal=nominal,
                    kind=data["kind"],
                    purpose=data["purpose"],
                    weekdays=data["weekdays"],
                    time=data["time"],
                    starts_on=data["starts_on"],
                    weeks=data["weeks"],
                    duration_minutes=data["duration_minutes"],
                    location=data["location"],
                    attendee_ids=data["attendees"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                planned = series.appointments.count()
                messages.success(request, f"{planned} appointment{'s' if planned != 1 else ''} planned")
                return redirect("supervision:nominal-supervision", nominal_id=nominal.pk)
    else:
        form = PlanSeriesForm(staff=staff, initial={"duration_minutes": 60, "attendees": [request.user.pk]})
    return render_person_form(
        request,
        nominal,
        form,
        tab="supervision",
        title="Plan a series of appointments",
        cancel="supervision:nominal-supervision",
        submit_label="Plan appointments",
    )


def _appointment(request: AuthenticatedRequest, contact_id: int) -> Contact:
    """The appointment a form is about, if the user may change it. Showing the form shows the
    record, so a GET is audited as a consultation; a POST is audited by the service that writes."""
    if request.method == "GET":
        page = request.resolver_match.url_name if request.resolver_match else "appointment"
        contact = selectors.get_contact_for_user(
            user=request.user, contact_id=contact_id, page=page or "appointment"
        )
    else:
        contact = selectors.get_contact_for_change(user=request.user, contact_id=contact_id)
    access.require_log_contact(request.user, contact.nominal)
    return contact


def _already_held(request: AuthenticatedRequest, contact: Contact) -> HttpResponse:
    messages.info(request, "This contact already has an outcome, so it can no longer be changed")
    return redirect("supervision:contact-detail", contact_id=contact.pk)


def _render(
    request: AuthenticatedRequest,
    contact: Contact,
    form: SupervisionForm,
    *,
    title: str,
    submit_label: str,
    template: str = "supervision/appointment_form.html",
) -> HttpResponse:
    context: dict[str, Any] = person_context(request, contact.nominal, "supervision")
    context.update(
        {
            "form": form,
            "form_title": title,
            "submit_label": submit_label,
            "cancel_url": reverse("supervision:contact-detail", args=[contact.pk]),
            "appointment": contact,
            "attendance": list(contact.attendance.all()),
        }
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def record_outcome(request: AuthenticatedRequest, contact_id: int) -> HttpResponse:
    appointment = _appointment(request, contact_id)
    if not appointment.is_planned:
        return _already_held(request, appointment)
    nominal = appointment.nominal
    staff = selectors.team_staff(nominal)
    police = access.sees_police_intelligence(request.user, nominal)
    if request.method == "POST":
        form = RecordOutcomeForm(request.POST, staff=staff, police=police)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_outcome(
                    actor=request.user,
                    appointment=appointment,
                    outcome=data["outcome"],
                    notes=data["notes"],
                    sensitivity=data["sensitivity"],
                    # None keeps the planned attendees (an appointment that did not go ahead).
                    attendee_ids=data["attendees"] or None,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "Outcome recorded")
                return redirect("supervision:contact-detail", contact_id=appointment.pk)
    else:
        planned = [row.user_id for row in appointment.attendance.all()]
        form = RecordOutcomeForm(
            staff=staff, police=police, initial={"attendees": planned or [request.user.pk]}
        )
    return _render(request, appointment, form, title="Record the outcome", submit_label="Save outcome")


@require_http_methods(["GET", "POST"])
def move(request: AuthenticatedRequest, contact_id: int) -> HttpResponse:
    appointment = _appointment(request, contact_id)
    if not appointment.is_planned:
        return _already_held(request, appointment)
    in_series = appointment.series_id is not None
    if request.method == "POST":
        form = MoveAppointmentForm(request.POST, in_series=in_series)
        if form.is_valid():
            data = form.cleaned_data
            try:
                moved = services.move_appointment(
                    actor=request.user,
                    appointment=appointment,
                    date=data["date"],
                    time=data["time"],
                    reason=data["reason"],
                    rest_of_series=form.rest_of_series,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                if len(moved) == 1:
                    messages.success(request, f"Appointment moved to {_when(moved[0])}")
                else:
                    messages.success(request, f"{len(moved)} appointments moved")
                return redirect("supervision:contact-detail", contact_id=appointment.pk)
    else:
        form = MoveAppointmentForm(in_series=in_series, initial={"time": time_text(appointment.time)})
    return _render(request, appointment, form, title="Move the appointment", submit_label="Move appointment")


@require_http_methods(["GET", "POST"])
def cancel(request: AuthenticatedRequest, contact_id: int) -> HttpResponse:
    appointment = _appointment(request, contact_id)
    if not appointment.is_planned:
        return _already_held(request, appointment)
    in_series = appointment.series_id is not None
    if request.method == "POST":
        form = CancelAppointmentForm(request.POST, in_series=in_series)
        if form.is_valid():
            try:
                cancelled = services.cancel_appointment(
                    actor=request.user,
                    appointment=appointment,
                    reason=form.cleaned_data["reason"],
                    rest_of_series=form.rest_of_series,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                count = len(cancelled)
                messages.success(
                    request, "Appointment cancelled" if count == 1 else f"{count} appointments cancelled"
                )
                return redirect("supervision:contact-detail", contact_id=appointment.pk)
    else:
        form = CancelAppointmentForm(in_series=in_series)
    return _render(
        request,
        appointment,
        form,
        title="Cancel the appointment",
        submit_label="Cancel appointment",
        template="supervision/cancel_appointment.html",
    )
