"""My diary, the team diary, and my diary as an iCalendar file for a phone or Outlook."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from iom.core import access, audit
from iom.core.http import AuthenticatedRequest
from iom.core.models import Team, User
from supervision import selectors
from supervision.compliance import week_starting
from supervision.models import Contact

VIEWS = ("today", "week")
# Further than this is a typing slip, and date arithmetic near year 1 or 9999 would overflow.
FURTHEST_WEEKS_AWAY = 520
OUTCOMES_SHOWN = 20
# The calendar file: enough behind to check what happened, enough ahead to plan.
CALENDAR_DAYS_BEFORE = 30
CALENDAR_DAYS_AFTER = 90


@dataclass(frozen=True)
class DiaryEntry:
    contact: Contact
    outcome_needed: bool


@dataclass(frozen=True)
class DiaryDay:
    date: dt.date
    entries: list[DiaryEntry]


TEAM_DIARY_PAGE_SIZE = 100


def _require_caseload(request: AuthenticatedRequest) -> None:
    # The pages exist for everyone, but only team members have appointments with people.
    if not access.works_a_caseload(request.user):
        raise Http404("No such page")


def _chosen_week(request: AuthenticatedRequest, today: dt.date) -> dt.date:
    """The Monday of `?week=`, or this week's when it is missing, not a date, or implausibly far."""
    this_week = week_starting(today)
    try:
        asked = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return this_week
    monday = week_starting(asked)
    if abs((monday - this_week).days) > FURTHEST_WEEKS_AWAY * 7:
        return this_week
    return monday


def _chosen_id[T: (User, Team)](choices: list[T], asked_for: str | None) -> T | None:
    """One of the choices by id; anything else (missing, not a number, not theirs) is no filter."""
    for choice in choices:
        if asked_for == str(choice.pk):
            return choice
    return None


def _days(contacts: list[Contact], start: dt.date, end: dt.date, now: dt.datetime) -> list[DiaryDay]:
    by_date: dict[dt.date, list[DiaryEntry]] = {}
    for contact in contacts:
        by_date.setdefault(contact.date, []).append(DiaryEntry(contact, contact.is_due_an_outcome(now)))
    days = (end - start).days + 1
    return [
        DiaryDay(day, by_date.get(day, []))
        for day in (start + dt.timedelta(days=offset) for offset in range(days))
    ]


def _week_links(week: dt.date, this_week: dt.date) -> dict[str, object]:
    return {
        "week": week,
        "week_ends": week + dt.timedelta(days=6),
        "this_week": this_week,
        "is_this_week": week == this_week,
        "previous_week": week - dt.timedelta(weeks=1),
        "next_week": week + dt.timedelta(weeks=1),
    }


@require_GET
def my_diary(request: AuthenticatedRequest) -> HttpResponse:
    _require_caseload(request)
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    view = request.GET.get("view")
    if view not in VIEWS:
        # A week asked for by date is a week; otherwise the day's work comes first.
        view = "week" if "week" in request.GET else "today"
    week = _chosen_week(request, today)
    start, end = (today, today) if view == "today" else (week, week + dt.timedelta(days=6))
    days = _days(list(selectors.my_diary(user, start=start, end=end)), start, end, now)
    due = selectors.outcomes_due(user, now=now)
    audit.record(
        actor=user,
        action="diary.viewed",
        detail={"diary": "mine", "view": view, "from": start.isoformat(), "to": end.isoformat()},
    )
    return render(
        request,
        "supervision/diary/my_diary.html",
        {
            "view": view,
            "today": today,
            "days": days,
            "appointments": sum(len(day.entries) for day in days),
            "outcomes_due": list(due[:OUTCOMES_SHOWN]),
            "outcomes_due_count": due.count(),
            "custody_visits": list(selectors.upcoming_custody_visits(user, today=today)),
            "releases": list(selectors.upcoming_releases(user, today=today)),
            **_week_links(week, week_starting(today)),
        },
    )


@require_GET
def team_diary(request: AuthenticatedRequest) -> HttpResponse:
    _require_caseload(request)
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    week = _chosen_week(request, today)
    end = week + dt.timedelta(days=6)
    teams = selectors.diary_teams(user)
    staff = selectors.diary_staff(user)
    team = _chosen_id(teams, request.GET.get("team")) if len(teams) > 1 else None
    worker = _chosen_id(staff, request.GET.get("worker"))
    contacts = selectors.team_diary(
        user,
        start=week,
        end=end,
        team_id=team.pk if team else None,
        worker_id=worker.pk if worker else None,
    )
    # A whole team's week runs to thousands of entries: a page at a time, each showing only the
    # days its entries fall on, so a later page never claims an earlier day was empty.
    page = Paginator(contacts, TEAM_DIARY_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    first = entries[0].date if entries and page.has_previous() else week
    last = entries[-1].date if entries and page.has_next() else end
    days = _days(entries, first, last, now)
    audit.record(
        actor=user,
        action="diary.viewed",
        detail={
            "diary": "team",
            "page": page.number,
            "from": week.isoformat(),
            "to": end.isoformat(),
            "team_id": team.pk if team else None,
            "worker_id": worker.pk if worker else None,
        },
    )
    return render(
        request,
        "supervision/diary/team_diary.html",
        {
            "days": days,
            "page": page,
            "appointments": page.paginator.count,
            "teams": teams,
            "team": team,
            "staff": staff,
            "worker": worker,
            "today": today,
            **_week_links(week, week_starting(today)),
        },
    )


def _initials(contact: Contact) -> str:
    names = (contact.nominal.given_name, contact.nominal.family_name)
    return "".join(name.strip()[:1].upper() for name in names if name.strip()) or "?"


def _calendar_event(
    request: AuthenticatedRequest, contact: Contact, zone: ZoneInfo, stamp: dt.datetime
) -> Event:
    """One appointment, with as little about the person as lets the worker find them in the service.

    The file leaves the service for a phone or a mail server, so it carries initials and the
    IOM reference, never a name or a note."""
    starts = dt.datetime.combine(contact.date, contact.time, tzinfo=zone)
    record = request.build_absolute_uri(reverse("cohorts:nominal-detail", args=[contact.nominal_id]))
    event = Event()
    event.add("uid", f"contact-{contact.pk}@iom-case-manager")
    event.add("dtstamp", stamp)
    event.add("dtstart", starts)
    event.add("dtend", starts + dt.timedelta(minutes=contact.duration_minutes))
    event.add(
        "summary",
        f"{contact.get_kind_display()} \N{EN DASH} {_initials(contact)} (IOM ref {contact.nominal_id})",
    )
    if contact.location:
        event.add("location", contact.location)
    event.add(
        "description",
        f"Purpose: {contact.get_purpose_display()}\n"
        f"Open the record in the IOM case manager (sign-in needed): {record}",
    )
    event.add("url", record)
    event.add("status", "CONFIRMED")
    event.add("class", "PRIVATE")
    return event


@require_GET
def my_diary_ics(request: AuthenticatedRequest) -> HttpResponse:
    _require_caseload(request)
    today = timezone.localdate()
    start = today - dt.timedelta(days=CALENDAR_DAYS_BEFORE)
    end = today + dt.timedelta(days=CALENDAR_DAYS_AFTER)
    appointments = list(selectors.calendar_appointments(request.user, start=start, end=end))
    zone = ZoneInfo(settings.TIME_ZONE)
    stamp = timezone.now().astimezone(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//IOM case manager//My diary//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "IOM diary")
    for contact in appointments:
        calendar.add_component(_calendar_event(request, contact, zone, stamp))
    # Europe/London's rules, so any client places times right across a change of the clocks;
    # only around the file's period, not the library's default of 1970 to 2038.
    calendar.add_missing_timezones(
        first_date=start - dt.timedelta(days=366), last_date=end + dt.timedelta(days=366)
    )
    audit.record(
        actor=request.user,
        action="diary.exported",
        detail={"events": len(appointments), "from": start.isoformat(), "to": end.isoformat()},
    )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="iom-diary.ics"'
    response["Cache-Control"] = "no-store"
    return response
