"""Restricted cases: the managers' restriction page and allow-list, break-glass access for the
managing team, and the managers' log of break-glass openings (docs/decisions/0013-restricted-cases.md).

A restricted case answers 404 to everyone not on its allow-list, so these pages reach it as the rest
of the record does (through the scoped selectors), except break-glass: it is for exactly the team
members who cannot open the record, so it looks the person up within the user's teams itself.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import selectors, services
from cohorts.forms import (
    AllowListAddForm,
    BreakGlassForm,
    BreakGlassLogFilterForm,
    BreakGlassSearchForm,
    RestrictForm,
)
from cohorts.models import Nominal
from cohorts.views.person import nominal_for_form, person_context
from iom.core import access
from iom.core.http import AuthenticatedRequest
from iom.core.models import CaseAccessGrant, User

BREAK_GLASS_LOG_PAGE_SIZE = 25


def _restriction_page(
    request: AuthenticatedRequest, nominal: Nominal, template: str, **extra: object
) -> HttpResponse:
    context = person_context(request, nominal, "team")
    context.update(extra)
    return render(request, template, context)


@never_cache
@require_http_methods(["GET", "POST"])
def restriction(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    """Restrict the record (a reason and named team members), or, once restricted, keep its allow-list."""
    nominal = nominal_for_form(request, nominal_id)
    access.require_manage_restriction(request.user, nominal)
    candidates = selectors.allow_list_candidates(nominal)
    if nominal.access_restricted:
        add_form = AllowListAddForm(request.POST or None, candidates=candidates)
        if add_form.is_bound and add_form.is_valid():
            user = next(u for u in candidates if u.pk == add_form.cleaned_data["user"])
            try:
                services.add_to_allow_list(actor=request.user, nominal=nominal, user=user)
            except ValidationError as error:
                add_form.add_error(None, error)
            else:
                messages.success(request, f"{user.full_name} added to the allow-list")
                return redirect("cohorts:restriction", nominal_id=nominal.pk)
        return _restriction_page(
            request,
            nominal,
            "cohorts/restriction/allow_list.html",
            form=add_form,
            allow_list=selectors.allow_list_for(nominal),
            restricted=selectors.restriction_added(nominal),
        )
    others = [user for user in candidates if user.pk != request.user.pk]
    form = RestrictForm(request.POST or None, candidates=others)
    if form.is_bound and form.is_valid():
        chosen = set(form.cleaned_data["allowed_users"])
        try:
            services.restrict_case(
                actor=request.user,
                nominal=nominal,
                allowed_users=[user for user in others if user.pk in chosen],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Record restricted: only the people on its allow-list may open it now")
            return redirect("cohorts:restriction", nominal_id=nominal.pk)
    return _restriction_page(request, nominal, "cohorts/restriction/restrict.html", form=form)


def _restricted_for_manager(request: AuthenticatedRequest, nominal_id: int) -> Nominal:
    nominal = nominal_for_form(request, nominal_id)
    access.require_manage_restriction(request.user, nominal)
    if not nominal.access_restricted:
        raise Http404("This record is not restricted")
    return nominal


@never_cache
@require_http_methods(["GET", "POST"])
def allow_list_remove(request: AuthenticatedRequest, nominal_id: int, user_id: int) -> HttpResponse:
    """Confirm, then take a name off the allow-list."""
    nominal = _restricted_for_manager(request, nominal_id)
    grant = next((g for g in selectors.allow_list_for(nominal) if g.user_id == user_id), None)
    if grant is None:
        raise Http404("No such name on the allow-list")
    problem = ""
    if request.method == "POST":
        try:
            services.remove_from_allow_list(actor=request.user, nominal=nominal, user=grant.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, f"{grant.user.full_name} removed from the allow-list")
            if grant.user_id == request.user.pk:
                return redirect("cohorts:caseload")
            return redirect("cohorts:restriction", nominal_id=nominal.pk)
    return _restriction_page(
        request, nominal, "cohorts/restriction/remove.html", grant=grant, problem=problem
    )


@never_cache
@require_http_methods(["GET", "POST"])
def restriction_lift(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    """Confirm, then lift the restriction: the record opens to the whole team again."""
    nominal = _restricted_for_manager(request, nominal_id)
    if request.method == "POST":
        services.lift_restriction(actor=request.user, nominal=nominal)
        messages.success(request, "Restriction lifted: everyone in the team may open the record again")
        return redirect("cohorts:nominal-team", nominal_id=nominal.pk)
    return _restriction_page(
        request, nominal, "cohorts/restriction/lift.html", allow_list=selectors.allow_list_for(nominal)
    )


# Break-glass ------------------------------------------------------------------------------------


def _until_message(grant: CaseAccessGrant) -> str:
    until = timezone.localtime(grant.expires_at).strftime("%H:%M") if grant.expires_at else ""
    return (
        f"You opened this restricted record with break-glass access until {until}. Your reason and every "
        "page you open are recorded and shown to the team's managers."
    )


def _restricted_in_teams(request: AuthenticatedRequest, nominal_id: int) -> Nominal:
    """The restricted record, for a member of its team; anyone else, and any other record, is answered
    as the record's own pages answer them (404, the attempt logged). A member who may open the record
    already is sent to it."""
    nominal = Nominal.objects.select_related("team").filter(pk=nominal_id).first()
    if nominal is None or nominal.team_id not in access.break_glass_teams(request.user):
        # As the record's pages: 404, and a real attempt logged.
        selectors.get_nominal_for_user(user=request.user, nominal_id=nominal_id)
        raise Http404("No such person")
    return nominal


@never_cache
@require_http_methods(["GET", "POST"])
def break_glass(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    """Open a restricted record of the user's team with a reason, for a few hours."""
    nominal = _restricted_in_teams(request, nominal_id)
    if access.can_view_nominal(request.user, nominal):
        return redirect("cohorts:nominal-detail", nominal_id=nominal.pk)
    if not access.can_break_glass(request.user, nominal):
        # Another team's record, or one hidden by retention review: as if it did not exist.
        selectors.get_nominal_for_user(user=request.user, nominal_id=nominal_id)
        raise Http404("No such person")
    form = BreakGlassForm(request.POST or None)
    if not form.is_bound:
        # The form shows the record's CRN to someone who may not open it yet.
        selectors.record_break_glass_form_viewed(user=request.user, nominal=nominal)
    if form.is_bound and form.is_valid():
        try:
            grant = services.break_glass(
                actor=request.user, nominal=nominal, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.warning(request, _until_message(grant))
            return redirect("cohorts:nominal-detail", nominal_id=nominal.pk)
    return render(
        request,
        "cohorts/restriction/break_glass.html",
        {"form": form, "crn": nominal.crn, "hours": services.break_glass_hours()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def break_glass_search(request: AuthenticatedRequest) -> HttpResponse:
    """Open a restricted record of one of the user's teams by an exact identifier, with a reason."""
    if not access.break_glass_teams(request.user):
        raise Http404("No such page")
    form = BreakGlassSearchForm(request.POST or None)
    no_match = False
    if form.is_bound and form.is_valid():
        try:
            found = services.break_glass_by_identifier(
                actor=request.user,
                identifier=form.cleaned_data["identifier"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if found.nominal is None:
                no_match = True
            else:
                if found.grant is not None:
                    messages.warning(request, _until_message(found.grant))
                return redirect("cohorts:nominal-detail", nominal_id=found.nominal.pk)
    return render(
        request,
        "cohorts/restriction/break_glass_search.html",
        {"form": form, "no_match": no_match, "hours": services.break_glass_hours()},
    )


@never_cache
@require_GET
def break_glass_log(request: AuthenticatedRequest) -> HttpResponse:
    """Break-glass openings of the records of the teams the user manages, newest first."""
    if not access.sees_break_glass_log(request.user):
        raise Http404("No such page")
    users: list[User] = selectors.break_glass_users(request.user)
    form = BreakGlassLogFilterForm(request.GET or None, users=users)
    filters = selectors.BreakGlassFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.BreakGlassFilters(
            identifier=data["identifier"], user=data["user"], since=data["since"], until=data["until"]
        )
    log = selectors.open_break_glass_log(
        user=request.user,
        filters=filters,
        page_number=request.GET.get("page"),
        page_size=BREAK_GLASS_LOG_PAGE_SIZE,
    )
    return render(
        request,
        "cohorts/restriction/break_glass_log.html",
        {"form": form, "filters": filters, "page": log.page, "rows": log.rows, "now": timezone.now()},
    )
