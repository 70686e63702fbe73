"""Region-scale data for benchmarks: `python manage.py seed_scale --nominals 3000 --years 3`.

One region (Midshire) with four IOM teams of uneven size, their staff, `--nominals` active
nominals and five times as many historic ones, each with valid identifiers, cohort memberships,
case-team allocations, assessments, needs, offences and (for some Flex and Free people) a contact
standard; then about 470,000 contacts a year for 3,000 active nominals (scaled to --nominals, or
--contacts-per-year), each with its attendees (whoever logged it; a joint visit also the other
agency's worker), its timeline event, and the audit trail it would have left (one "contact.logged"
each, one "nominal.viewed" per three), so audit events are the largest table as in production.
Ahead, the next four weeks' appointments: a Monday, Wednesday and Friday series for every active
Fixed person out of custody, so the diaries read what a real team plans. And partners: a directory
of about forty services (nothing for attitudes, thinking and behaviour), one member of staff for
each partner organisation, and about 1.5 referrals a year for each person on IOM, each with the
events, timeline entries and audit rows (the disclosure with its recipient) its steps would have
left, the needs they moved, and the partner access grants of the referrals being worked on now.
Partners draw from a random sequence of their own, so all else but the needs they move is as before.
For the governance pack: each team area's population baseline by ethnicity, age band and gender
(invented figures, labelled so), and goals and feedback in people's own words (feedback with the
themes the worker ticked) about once a year on IOM each, with their timeline entries and audit rows.

It is for PostgreSQL benchmarks (docs/benchmarks.md): rows go in by COPY, the contacts' timeline
and audit rows by INSERT ... SELECT in the database, with the big tables' foreign keys and
plain indexes dropped for the load and restored (checked, rebuilt) before commit, then VACUUM
ANALYZE. SQLite is refused unless --allow-sqlite is given with a small size (the test suite does
that); there it uses bulk_create.

Running it again adds nothing: when the region's teams already hold nominals it says so and stops,
so `make bench` can call it every time; only what the governance pack reads (baselines, goals and
feedback), when the region has none of it, is added to a region built before the pack existed.
Everything is written in one transaction, so a failed run leaves nothing half-built. It lives in
`reports` because it reaches every app.
"""

import itertools
import json
import math
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from guardian.models import GroupObjectPermission

from cohorts import identifiers
from cohorts.models import (
    Allocation,
    Assessment,
    Cohort,
    CohortMembership,
    CohortReview,
    Ethnicity,
    Feedback,
    FeedbackTheme,
    Gender,
    Goal,
    Need,
    NeedStatus,
    NeedUpdate,
    Nominal,
    Offence,
    OffenceCategory,
    Pathway,
    StatutoryStatus,
    TimelineEvent,
    UnmetReason,
)
from iom.core import access
from iom.core.models import AuditEvent, Membership, Organisation, Region, Role, Team, User
from partners.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    WORKING_STATUSES,
    Capacity,
    PartnerService,
    Referral,
    ReferralEvent,
    ServicePathway,
)
from partners.response_times import add_working_days
from reports.management.commands.seed_demo import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    INTELLIGENCE_NOTES,
    NOTES,
    PURPOSES,
    SHAREABLE_NOTES,
)
from reports.models import AreaBaseline
from supervision.models import (
    AppointmentSeries,
    Contact,
    ContactAttendee,
    ContactStandard,
    EnforcementAction,
    Sensitivity,
)

REGION = "Midshire"
# Uneven on purpose: the first team is the big one the benchmark signs in to.
TEAMS = [
    ("Midshire North IOM", "north", 0.34),
    ("Midshire South IOM", "south", 0.26),
    ("Midshire East IOM", "east", 0.22),
    ("Midshire West IOM", "west", 0.18),
]
DOMAIN = "bench.iom.example"
BENCH_PASSWORD = "bench-password-iom-2026"  # noqa: S105 - bench users on a throwaway database only
HISTORIC_PER_ACTIVE = 5
# 470,000 contacts a year for 3,000 active nominals (DESIGN §6), scaled to --nominals by default.
CONTACTS_PER_ACTIVE_PER_YEAR = 470_000 / 3_000
# A few people seen far more often than most, so the person page is measured on a long timeline.
INTENSIVE_CONTACTS = 1_300
SQLITE_MAX_NOMINALS = 100
SQLITE_MAX_CONTACTS = 20_000
BATCH = 5_000
# Tables whose plain indexes are dropped for the load and built again after it.
BIG_TABLES = {
    "supervision_contact",
    "supervision_contactattendee",
    "cohorts_timelineevent",
    "core_auditevent",
    "partners_referralevent",
}
# The columns seed_scale writes for a contact or appointment, in this order.
CONTACT_COLUMNS = (
    "nominal_id",
    "series_id",
    "date",
    "time",
    "duration_minutes",
    "kind",
    "purpose",
    "location",
    "outcome",
    "notes",
    "sensitivity",
    "logged_by_id",
    "logged_at",
    "outcome_recorded_by_id",
    "outcome_recorded_at",
)
LOGGED_AT, OUTCOME_RECORDED_AT = (
    CONTACT_COLUMNS.index("logged_at"),
    CONTACT_COLUMNS.index("outcome_recorded_at"),
)
# Weeks of appointments planned ahead for the Fixed cohort, three a week.
WEEKS_PLANNED = 4
SERIES_WEEKDAYS = (0, 2, 4)
# The case team decides about an unacceptable absence (once there are two in the window, as
# CohortSetting's defaults have it) within this many days; later than today, it is still awaited.
ABSENCE_THRESHOLD = 2
ABSENCE_WINDOW_DAYS = 365
DAYS_TO_DECIDE = 14
ENFORCEMENT_LADDER = [
    EnforcementAction.Kind.FIRST_WARNING,
    EnforcementAction.Kind.FINAL_WARNING,
    EnforcementAction.Kind.BREACH_REFERRAL,
]
# Share of active Flex and Free people whose case team has set a contact standard.
STANDARD_SHARE = 0.7
POLICE_NOTE_SHARE = 0.05  # of the contacts a police offender manager logs
PARTNER_NOTE_SHARE = 0.2

MORE_GIVEN_NAMES = ["Adam", "Brooke", "Connor", "Daniel", "Emma", "Jamal", "Kyle", "Luke", "Ryan", "Zoe"]
MORE_FAMILY_NAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Hall", "Khan", "Lee", "Smith", "Wood"]
ESTABLISHMENTS = ["HMP Durham", "HMP Holme House", "HMP Northumberland", "HMP Low Newton"]
PANEL_ATTENDEES = (
    "Police IOM sergeant, probation senior practitioner, housing officer, drug and alcohol service"
)
KIND_WEIGHTS = {
    Contact.Kind.OFFICE: 40,
    Contact.Kind.HOME_VISIT: 20,
    Contact.Kind.PHONE: 20,
    Contact.Kind.VIDEO: 4,
    Contact.Kind.DRUG_TEST: 9,
    Contact.Kind.JOINT_VISIT: 15,
    Contact.Kind.CUSTODY_VISIT: 1,
    Contact.Kind.OTHER: 2,
}
DURATION = {
    Contact.Kind.PHONE: 15,
    Contact.Kind.VIDEO: 30,
    Contact.Kind.DRUG_TEST: 15,
    Contact.Kind.HOME_VISIT: 45,
    Contact.Kind.JOINT_VISIT: 60,
    Contact.Kind.CUSTODY_VISIT: 90,
}
LOCATION = {
    Contact.Kind.OFFICE: "Midshire IOM hub",
    Contact.Kind.DRUG_TEST: "Midshire IOM hub",
    Contact.Kind.HOME_VISIT: "Home address",
    Contact.Kind.JOINT_VISIT: "Home address",
    Contact.Kind.CUSTODY_VISIT: "HMP Durham",
}
OUTCOME_WEIGHTS = {
    Contact.Outcome.ATTENDED_COMPLIED: 74,
    Contact.Outcome.ATTENDED_FAILED: 6,
    Contact.Outcome.ACCEPTABLE_ABSENCE: 9,
    Contact.Outcome.UNACCEPTABLE_ABSENCE: 3,
    Contact.Outcome.RESCHEDULED: 5,
    Contact.Outcome.CANCELLED_BY_SERVICE: 3,
}
EXIT_REASONS = {
    CohortMembership.ExitReason.RISK_REDUCED: 35,
    CohortMembership.ExitReason.COMPLETED: 30,
    CohortMembership.ExitReason.LONG_CUSTODY: 15,
    CohortMembership.ExitReason.MOVED_AREA: 10,
    CohortMembership.ExitReason.DIED: 1,
    CohortMembership.ExitReason.OTHER: 9,
}
NEED_STATUSES = {
    NeedStatus.IDENTIFIED: 20,
    NeedStatus.BEING_ADDRESSED: 35,
    NeedStatus.MET: 15,
    NeedStatus.UNMET: 20,
    NeedStatus.NO_NEED: 10,
}


# The governance pack ---------------------------------------------------------------------------

# Each team area's population, for "who is on IOM" beside it: invented, plausible for a county.
BASELINE_SOURCE = "Bench figures, not census data"
BASELINE_YEAR = 2021
# Adults' ethnicity (percent), the first team's; each later team is a little more diverse.
AREA_ETHNICITY = {
    Ethnicity.WHITE_BRITISH: 83.0, Ethnicity.WHITE_IRISH: 0.5, Ethnicity.WHITE_GYPSY_TRAVELLER: 0.2,
    Ethnicity.WHITE_ROMA: 0.1, Ethnicity.WHITE_OTHER: 3.9, Ethnicity.MIXED_WHITE_ASIAN: 0.5,
    Ethnicity.MIXED_WHITE_BLACK_AFRICAN: 0.3, Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: 0.6,
    Ethnicity.MIXED_OTHER: 0.4, Ethnicity.ASIAN_BANGLADESHI: 0.8, Ethnicity.ASIAN_CHINESE: 0.6,
    Ethnicity.ASIAN_INDIAN: 1.8, Ethnicity.ASIAN_PAKISTANI: 2.5, Ethnicity.ASIAN_OTHER: 0.9,
    Ethnicity.BLACK_AFRICAN: 1.9, Ethnicity.BLACK_CARIBBEAN: 0.6, Ethnicity.BLACK_OTHER: 0.3,
    Ethnicity.OTHER_ARAB: 0.4, Ethnicity.OTHER_ANY: 0.7,
}  # fmt: skip
# Shares moved from White British, per team after the first.
MORE_DIVERSE = {Ethnicity.ASIAN_PAKISTANI: 1.5, Ethnicity.BLACK_AFRICAN: 1.0, Ethnicity.WHITE_OTHER: 0.5}
# The categories are reports.pack.people's age bands.
AREA_AGE = {"18-24": 11.0, "25-34": 16.5, "35-44": 15.5, "45-54": 16.0, "55+": 41.0}
AREA_GENDER = {Gender.MALE: 48.9, Gender.FEMALE: 50.9, Gender.NON_BINARY: 0.1, Gender.OTHER: 0.1}
# Goals and feedback a year on IOM, on average, recorded by the case team's last-named worker.
GOALS_PER_PERSON_YEAR = 0.8
FEEDBACK_PER_PERSON_YEAR = 1.0
GOALS = [
    "Get my own flat", "Stay off the gear", "See my kids every weekend", "Get a job, any job",
    "Pay off my fines", "Get my CSCS card and work on the sites", "Stop drinking in the week",
    "Keep out of trouble with the police", "Get back in touch with my mum", "Sort my benefits out",
    "Do a course at college", "Get my driving licence back", "Be there for my daughter's birthday",
]  # fmt: skip
# What happened to a goal set long enough ago to have moved (cumulative, of 100).
GOAL_OUTCOMES = {Goal.Status.ACHIEVED: 35, Goal.Status.DROPPED: 15, Goal.Status.ACTIVE: 50}
LEAVERS_GOALS_ACHIEVED = 0.4  # of the goals still being worked on when a person left IOM
HELPS = {
    FeedbackTheme.WORKER: ("My worker actually listens and does what she says.", 30),
    FeedbackTheme.LISTENED_TO: ("Being asked what I want, not told.", 18),
    FeedbackTheme.HOUSING: ("Getting the flat sorted.", 10),
    FeedbackTheme.MONEY: ("Help with the benefits forms.", 8),
    FeedbackTheme.WORK: ("The course and the job search.", 7),
    FeedbackTheme.HEALTH: ("Seeing someone about my head.", 8),
    FeedbackTheme.DRUGS_ALCOHOL: ("Getting back on a script quickly.", 9),
    FeedbackTheme.FAMILY: ("Help to see my kids.", 10),
}
DOES_NOT_HELP = {
    FeedbackTheme.DEMANDS: ("Too many appointments in one week.", 35),
    FeedbackTheme.TRAVEL: ("Two buses to get to the hub.", 25),
    FeedbackTheme.HOUSING: ("Still waiting on the council.", 12),
    FeedbackTheme.MONEY: ("Sanctioned again.", 10),
    FeedbackTheme.WORKER: ("New worker again; telling my story again.", 10),
    FeedbackTheme.LISTENED_TO: ("Nobody asks what I think.", 8),
}
UNTHEMED_SHARE = 0.1  # feedback whose worker ticked no theme
DOES_NOT_HELP_SHARE = 0.55  # feedback that also says what does not help


@dataclass
class Staff:
    police: list[int] = field(default_factory=list)
    probation: list[int] = field(default_factory=list)
    support: list[int] = field(default_factory=list)
    manager: int = 0


@dataclass
class Person:
    """One nominal as planned, before and after it has a database id."""

    team: Team
    active: bool
    entry: date
    exit: date | None
    case_team: tuple[int, ...]
    cohort: str = ""
    in_custody: bool = False
    establishment: str = ""
    release: date | None = None
    weight: float = 0.0
    contacts: int = 0
    id: int = 0


# Partners --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Offer:
    """A kind of service an organisation offers; `per_area` makes one in each team's area."""

    name: str
    pathways: tuple[str, ...]
    description: str
    eligibility: str = "Adults on an IOM cohort in Midshire."
    per_area: bool = False
    capacity: str = Capacity.OPEN
    wait: int | None = 14
    respond: int = 5
    active: bool = True


_ACC, _ETE, _HEALTH = Pathway.ACCOMMODATION.value, Pathway.EDUCATION_EMPLOYMENT.value, Pathway.HEALTH.value
_DRUGS, _FINANCE, _FAMILIES = Pathway.DRUGS_ALCOHOL.value, Pathway.FINANCE.value, Pathway.FAMILIES.value
_LA, _HEALTH_BODY, _CHARITY = (
    Organisation.Kind.LOCAL_AUTHORITY,
    Organisation.Kind.HEALTH,
    Organisation.Kind.VOLUNTARY_COMMUNITY,
)
_NATIONWIDE = "Adults in England and Wales."
# (organisation, kind, slug for its partner login, national, what it offers): 40 services.
# fmt: off
PARTNERS: list[tuple[str, str, str, bool, list[_Offer]]] = [
    (f"{REGION} County Council", _LA, "council", False, [
        _Offer("Housing options", (_ACC,), "Homelessness prevention and housing applications.",
               per_area=True, wait=28),
        _Offer("Supported housing", (_ACC,), "Hostel places with support on site.",
               capacity=Capacity.WAITING_LIST, wait=90, respond=10),
        _Offer("Employment and skills", (_ETE,), "Courses, apprenticeships and job search.",
               per_area=True, wait=21),
        _Offer("Family support", (_FAMILIES,), "Parenting support and contact with children.",
               per_area=True, capacity=Capacity.LIMITED, wait=35, respond=10),
    ]),
    (f"{REGION} Recovery Partnership", _HEALTH_BODY, "recovery", False, [
        _Offer("Drug and alcohol treatment", (_DRUGS,), "Assessment, prescribing and recovery groups.",
               per_area=True, wait=7, respond=3),
        _Offer("Alcohol service", (_DRUGS, _HEALTH), "Detox and aftercare for alcohol.",
               capacity=Capacity.LIMITED, wait=30),
    ]),
    (f"{REGION} Mind", _CHARITY, "mind", False, [
        _Offer("Mental health support", (_HEALTH,), "One-to-one support and peer groups.",
               per_area=True, capacity=Capacity.WAITING_LIST, wait=42, respond=10),
    ]),
    (f"Citizens Advice {REGION}", _CHARITY, "advice", False, [
        _Offer("Debt and benefits advice", (_FINANCE,), "Benefit claims, appeals and debt advice.",
               per_area=True, wait=10),
    ]),
    (f"{REGION} Works", _CHARITY, "works", False, [
        _Offer("Job coaching", (_ETE, _FINANCE), "CVs, licences, job search and budgeting.",
               per_area=True, capacity=Capacity.LIMITED, wait=21),
    ]),
    (f"{REGION} Homeless Trust", _CHARITY, "homeless", False, [
        _Offer("Emergency accommodation", (_ACC,), "Same-week beds for people with nowhere to stay.",
               wait=3, respond=2),
        _Offer("Tenancy sustainment", (_ACC, _FINANCE), "Help to keep a tenancy: arrears and bills."),
        _Offer("Night shelter", (_ACC,), "Winter night shelter.", capacity=Capacity.CLOSED, wait=None),
    ]),
    (f"{REGION} NHS Foundation Trust", _HEALTH_BODY, "nhs", False, [
        _Offer("Liaison and diversion", (_HEALTH,), "Health assessment after arrest or at court.",
               wait=7, respond=3),
        _Offer("Community mental health team", (_HEALTH,), "Secondary mental health care.",
               capacity=Capacity.WAITING_LIST, wait=60, respond=10),
    ]),
    (f"{REGION} Women's Centre", _CHARITY, "women", False, [
        _Offer("Women's support", (_HEALTH, _FAMILIES, _FINANCE), "Support for women, in one place.",
               eligibility="Women on an IOM cohort in Midshire."),
    ]),
    (f"{REGION} Fathers' Project", _CHARITY, "fathers", False, [
        _Offer("Fathers' group", (_FAMILIES,), "Weekly group for fathers.", active=False, wait=None),
    ]),
    ("National Debt Advice Line", _CHARITY, "debtline", True, [
        _Offer("Debt advice by phone and online", (_FINANCE,), "Debt advice and solutions, by phone.",
               eligibility=_NATIONWIDE, wait=3, respond=2),
    ]),
    ("National Gambling Support", _HEALTH_BODY, "gambling", True, [
        _Offer("Gambling treatment", (_HEALTH, _FINANCE), "Treatment for gambling harm.",
               eligibility=_NATIONWIDE, wait=21),
    ]),
    ("Prison Leavers' Housing Network", _CHARITY, "leavers", True, [
        _Offer("Housing on release", (_ACC,), "A place to live from the day of release.",
               eligibility="People leaving prison in England and Wales.", wait=28, respond=10),
    ]),
]
# fmt: on
# The partner the bench signs in as: its organisation has about a hundred open referrals.
BENCH_PARTNER = "works"
REFERRALS_PER_PERSON_YEAR = 1.5
# What people are referred for. Nothing in the directory works on attitudes, thinking and
# behaviour: those needs are recorded as unmet, no service available, instead of a referral.
REFERRAL_PATHWAYS: dict[str, int] = {
    Pathway.ACCOMMODATION: 24,
    Pathway.DRUGS_ALCOHOL: 19,
    Pathway.HEALTH: 16,
    Pathway.FINANCE: 15,
    Pathway.EDUCATION_EMPLOYMENT: 13,
    Pathway.FAMILIES: 6,
    Pathway.ATTITUDES: 7,
}
# Working days a partner takes to answer: mostly in time, some late; and some never answer (the
# team gives up after a month or two), so the dashboard has partners who are not responding.
NEVER_ANSWERED = 0.08
ANSWER_WORKING_DAYS = [0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8, 12]
SESSIONS = 4  # at most, each referral; a progress update after every second one
ATTENDANCE = [
    ReferralEvent.Attendance.ATTENDED,
    ReferralEvent.Attendance.DID_NOT_ATTEND,
    ReferralEvent.Attendance.CANCELLED,
]
ATTENDANCE_WEIGHTS = [75, 95, 100]  # cumulative: 75 % attended, 20 % did not, 5 % cancelled
OUTCOME_SHARES = {
    Referral.Outcome.ACHIEVED: 45,
    Referral.Outcome.PARTIALLY_ACHIEVED: 32,
    Referral.Outcome.NOT_ACHIEVED: 23,
}
REFERRAL_REASONS = {
    _ACC: "No fixed address since release; needs a tenancy or supported housing.",
    _ETE: "Wants work and a qualification; no recent employment.",
    _HEALTH: "Low mood and anxiety; asked for support.",
    _DRUGS: "Using again; wants treatment and a script.",
    _FINANCE: "Benefits stopped and debts building up.",
    _FAMILIES: "Wants to rebuild contact with his children.",
}
SHARED_FIELDS = {
    _ACC: ["name", "date_of_birth", "address_area", "custody", "needs", "case_team"],
    _HEALTH: ["name", "date_of_birth", "gender", "needs", "risk", "case_team"],
    _DRUGS: ["name", "date_of_birth", "statutory_status", "risk", "case_team"],
}
DEFAULT_SHARED_FIELDS = ["name", "date_of_birth", "address_area", "case_team"]
PROGRESS_NOTES = {
    _ACC: ["On the housing register; viewing a flat next week.", "Moved in; support with bills agreed."],
    _ETE: ["CV done; booked on a course.", "Started a trial shift at a warehouse."],
    _HEALTH: ["Assessment done; weekly sessions agreed.", "Coping better; joined the peer group."],
    _DRUGS: ["Back on a script; daily pick-up for now.", "Two clear tests; weekly pick-up."],
    _FINANCE: ["Claim reinstated with back pay.", "Debt relief order application in."],
    _FAMILIES: ["First supervised contact went well.", "Contact now fortnightly."],
}
SHARING_AGREEMENT = f"{REGION} IOM Information Sharing Agreement (2024)"
# Without consent: law enforcement purposes mostly, public task for the rest (by draw < 0.92).
LAWFUL_BASES = {True: Referral.LawfulBasis.LAW_ENFORCEMENT, False: Referral.LawfulBasis.PUBLIC_TASK}
ACCEPTED_NOTE = "Accepted; first appointment booked."
DECLINE_REASONS = [
    "Not eligible: outside the service's criteria.",
    "Already open to us under another referral.",
    "Needs are beyond what the service offers; please refer to a specialist service.",
]
NO_ANSWER = "No answer from the partner after several reminders; referred elsewhere."
NO_LONGER_NEEDED = "No longer needed: sorted before the partner answered."
LEFT_IOM = "Left IOM; the case team has closed the referral."
RECALLED = "Recalled to custody; the work cannot go on."
COMPLETED_NOTES = {
    Referral.Outcome.ACHIEVED: "Work complete; what the referral asked for is in place.",
    Referral.Outcome.PARTIALLY_ACHIEVED: "Some progress before he stopped coming.",
    Referral.Outcome.NOT_ACHIEVED: "Did not engage after the first sessions.",
}
REFERRAL_COLUMNS = (
    "nominal_id", "service_id", "organisation_id", "pathway", "reason", "status", "outcome", "lawful_basis",
    "consent_given_on", "sharing_agreement", "shared_fields", "referred_by_id", "created_at", "sent_at",
    "response_due", "responded_at", "closed_at", "partner_notified_at",
)  # fmt: skip
REFERRAL_EVENT_COLUMNS = (
    "referral_id", "kind", "from_status", "to_status", "occurred_on", "attendance", "note", "actor_id",
    "organisation_id", "by_partner", "recorded_at", "case_worker_notified_at", "partner_notified_at",
)  # fmt: skip
TIMELINE_COLUMNS = (
    "nominal_id", "kind", "occurred_on", "summary", "body", "visibility", "source_type_id", "source_id",
    "recorded_by_id", "recorded_at",
)  # fmt: skip
AUDIT_COLUMNS = (
    "occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id", "nominal_id",
    "recipient_id", "request_id", "ip_address", "detail",
)  # fmt: skip


@dataclass
class _Service:
    service: PartnerService
    pathways: tuple[str, ...]
    area: str  # a team's slug, or "" for the whole region or the country
    organisation_slug: str

    @property
    def organisation_id(self) -> int:
        return self.service.organisation_id

    @property
    def takes_referrals(self) -> bool:
        return self.service.is_active and self.service.capacity != Capacity.CLOSED

    @property
    def respond(self) -> int:
        return self.service.response_working_days


@dataclass(frozen=True)
class _Step:
    day: date
    kind: str
    to_status: str = ""
    attendance: str = ""
    note: str = ""
    partner: bool = False  # taken by the partner's staff, else by the referring worker


@dataclass
class _Referral:
    """One referral as planned: where it went and each step it took, in order."""

    person: Person
    service: _Service
    pathway: str
    referred_by: int
    sent_on: date
    lawful_basis: str = Referral.LawfulBasis.CONSENT
    consent_given_on: date | None = None
    steps: list[_Step] = field(default_factory=list)
    status: str = ""
    outcome: str = ""
    response_due: date | None = None
    moments: list[datetime] = field(default_factory=list)
    id: int = 0

    def step(
        self,
        day: date,
        to_status: str = "",
        *,
        kind: str = ReferralEvent.Kind.STATUS,
        attendance: str = "",
        note: str = "",
        partner: bool = False,
    ) -> None:
        self.steps.append(_Step(day, kind, to_status, attendance, note, partner))
        if to_status:
            self.status = to_status

    def need_now(self) -> tuple[str, str, date, str]:
        """What the referral left on its need, as the partners' services move it."""
        if self.status in OPEN_STATUSES:
            return NeedStatus.BEING_ADDRESSED, "", self.sent_on, f"Referred to {self.service.service.name}"
        day = self.steps[-1].day
        if self.outcome == Referral.Outcome.ACHIEVED:
            return NeedStatus.MET, "", day, f"{self.service.service.name}: achieved"
        return NeedStatus.IDENTIFIED, "", day, f"Referral to {self.service.service.name} closed"

    def when(self, to_status: str) -> datetime | None:
        return next(
            (
                moment
                for step, moment in zip(self.steps, self.moments, strict=True)
                if step.to_status == to_status
            ),
            None,
        )

    def row(self, builder: "_Builder") -> tuple[Any, ...]:
        """The referral as a row of REFERRAL_COLUMNS; its steps' moments are fixed here."""
        self.moments = [builder.step_moment(step.day, number) for number, step in enumerate(self.steps)]
        sent_at = self.when(Referral.Status.SENT)
        answered = self.when(Referral.Status.ACCEPTED) or self.when(Referral.Status.DECLINED)
        closed = self.moments[-1] if self.status in CLOSED_STATUSES else None
        consent = self.lawful_basis == Referral.LawfulBasis.CONSENT
        return (
            self.person.id, self.service.service.pk, self.service.organisation_id, self.pathway,
            REFERRAL_REASONS.get(self.pathway, "Needs support on this pathway."), self.status, self.outcome,
            self.lawful_basis, self.consent_given_on if consent else None,
            "" if consent else SHARING_AGREEMENT, SHARED_FIELDS.get(self.pathway, DEFAULT_SHARED_FIELDS),
            self.referred_by, self.moments[0], sent_at, self.response_due, answered, closed,
            sent_at,  # the partner was told when it was sent
        )  # fmt: skip

    def rows(
        self,
        builder: "_Builder",
        referral_type: int,
        events: list[tuple[Any, ...]],
        timeline: list[tuple[Any, ...]],
        audit: list[tuple[Any, ...]],
    ) -> None:
        """Each step's event, and the timeline entry and audit rows its service writes."""
        organisation_id = self.service.organisation_id
        organisation = self.service.service.organisation.name
        partner = builder.partner_users[organisation_id]
        status = ""
        for number, (step, at) in enumerate(zip(self.steps, self.moments, strict=True)):
            actor = partner if step.partner else self.referred_by
            previous = status
            # The partner heard of a withdrawal of what had been sent to them at the time (notifications.py).
            told_partner = step.to_status == Referral.Status.WITHDRAWN and previous not in (
                "",
                Referral.Status.DRAFT,
            )
            if step.kind == ReferralEvent.Kind.STATUS:
                status = step.to_status
            events.append(
                (
                    self.id, step.kind, previous if step.to_status else "", step.to_status, step.day,
                    step.attendance, step.note, actor, builder.user_organisations[actor], step.partner, at,
                    at if step.partner else None,
                    at if told_partner else None,
                )
            )  # fmt: skip
            summary, action, detail, recipient = self.describe(step, organisation)
            request = f"seed-referral-{self.id}-{number}"
            if summary:
                timeline.append(
                    (
                        self.person.id, TimelineEvent.Kind.REFERRAL, step.day, summary[:200], step.note,
                        TimelineEvent.Visibility.TEAM, referral_type, self.id, actor, at,
                    )
                )  # fmt: skip
            who = (at, actor, builder.emails[actor])
            target = ("partners.referral", str(self.id), self.person.id)
            if action:
                audit.append((*who, action, *target, recipient, request, "10.20.0.14", detail))
            if step.to_status in CLOSED_STATUSES and previous in WORKING_STATUSES:
                revoked = ("partner_access.revoked", *target, organisation_id)
                audit.append((*who, *revoked, request, "10.20.0.14", {}))

    def describe(self, step: _Step, organisation: str) -> tuple[str, str, dict[str, Any], int | None]:
        """A step's timeline summary (its body is the step's note) and its audit action, detail and
        recipient, as the partners' services write them."""
        service = self.service.service
        consent = self.lawful_basis == Referral.LawfulBasis.CONSENT
        if step.to_status == Referral.Status.DRAFT:
            return "", "referral.created", {}, None
        if step.to_status == Referral.Status.SENT:
            detail = {
                "shared_fields": SHARED_FIELDS.get(self.pathway, DEFAULT_SHARED_FIELDS),
                "lawful_basis": self.lawful_basis,
                "consent_given_on": self.consent_given_on.isoformat()
                if consent and self.consent_given_on
                else None,
                "sharing_agreement": "" if consent else SHARING_AGREEMENT,
                "service": service.name,
            }
            label = Pathway(self.pathway).label.lower()
            return f"Referred to {service.name} ({label})", "referral.sent", detail, service.organisation_id
        if step.to_status == Referral.Status.ACCEPTED:
            return f"{organisation} accepted the referral", "referral.accepted", {"access": "granted"}, None
        if step.to_status == Referral.Status.DECLINED:
            return f"{organisation} declined the referral", "referral.declined", {}, None
        if step.to_status == Referral.Status.COMPLETED:
            label = Referral.Outcome(self.outcome).label.lower()
            summary = f"{organisation} completed the referral: {label}"
            return summary, "referral.completed", {"outcome": self.outcome}, None
        if step.to_status == Referral.Status.WITHDRAWN:
            summary = f"Referral to {service.name} withdrawn"
            return summary, "referral.withdrawn", {}, service.organisation_id
        if step.kind == ReferralEvent.Kind.PROGRESS:
            return f"Update from {organisation}", "referral.progress_updated", {}, None
        if step.kind == ReferralEvent.Kind.SESSION:
            label = ReferralEvent.Attendance(step.attendance).label.lower()
            detail = {"attendance": step.attendance}
            return f"Session with {organisation}: {label}", "referral.session_recorded", detail, None
        return "", "", {}, None  # the move to "in progress" rides on the session or update that made it


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


class Command(BaseCommand):
    help = "Build region-scale benchmark data (PostgreSQL): nominals, their records, contacts and audit."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--nominals", type=int, default=3000, help="Active nominals (default 3000).")
        parser.add_argument("--years", type=int, default=3, help="Years of contacts (default 3).")
        parser.add_argument(
            "--contacts-per-year",
            type=int,
            default=None,
            help="Contacts a year across the region (default 470,000 per 3,000 active nominals).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--allow-sqlite",
            action="store_true",
            help=f"Run on SQLite, for tests only: at most {SQLITE_MAX_NOMINALS} nominals.",
        )

    def handle(
        self,
        *args: Any,
        nominals: int,
        years: int,
        contacts_per_year: int | None,
        seed: int,
        allow_sqlite: bool,
        **options: Any,
    ) -> None:
        if nominals < len(TEAMS) or years < 1:
            raise CommandError(f"--nominals must be at least {len(TEAMS)} and --years at least 1")
        if contacts_per_year is None:
            contacts_per_year = round(nominals * CONTACTS_PER_ACTIVE_PER_YEAR)
        total_contacts = contacts_per_year * years
        if connection.vendor != "postgresql":
            if not allow_sqlite:
                raise CommandError(
                    "seed_scale builds benchmark data on PostgreSQL, and this database is"
                    f" {connection.vendor}. Set DATABASE_URL=postgres://... (make bench does),"
                    f" or pass --allow-sqlite with --nominals {SQLITE_MAX_NOMINALS} or fewer to try it."
                )
            if nominals > SQLITE_MAX_NOMINALS or total_contacts > SQLITE_MAX_CONTACTS:
                raise CommandError(
                    f"On SQLite seed_scale builds at most {SQLITE_MAX_NOMINALS} nominals and"
                    f" {SQLITE_MAX_CONTACTS:,} contacts; use PostgreSQL for region scale."
                )

        existing = Nominal.objects.filter(team__region__name=REGION).count()
        if existing:
            self.top_up(existing, seed, years)
            return

        started = time.perf_counter()
        self.stdout.write(
            f"Seeding {REGION}: {nominals:,} active and {nominals * HISTORIC_PER_ACTIVE:,} historic nominals,"
            f" {total_contacts:,} contacts over {years} year(s) on {connection.vendor}"
        )
        builder = _Builder(self, random.Random(seed), timezone.localdate(), years)  # noqa: S311 - not secrets
        # Partners draw from their own sequence, so the rest of the data is as it was before them.
        builder.partner_rng = random.Random(seed + 1)  # noqa: S311 - not secrets
        builder.seed = seed
        with transaction.atomic():
            builder.build(nominals, total_contacts)
        builder.analyse()
        self.stdout.write(
            self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s.")
            + f" Bench logins (password for all: {BENCH_PASSWORD}), e.g. {builder.example_logins}"
        )

    def top_up(self, existing: int, seed: int, years: int) -> None:
        """The region is already built: add nothing, except what the governance pack reads when the
        region was built before it (area baselines, goals and feedback), so `make bench` measures
        the pack on an older database without seeding it all again."""
        teams = list(Team.objects.filter(region__name=REGION).order_by("pk"))
        missing = _pack_inputs_missing(teams)
        self.stdout.write(
            f"Scale data already present: region {REGION} holds {existing:,} nominals."
            + (" Nothing added." if not any(missing) else " Adding only what the governance pack reads.")
            + " To build it again, use a fresh database (make bench: drop iom_bench)."
        )
        if not Referral.objects.filter(nominal__team__region__name=REGION).exists():
            self.stdout.write(
                self.style.WARNING(
                    "It was built before partners and referrals, so the referral pages and the"
                    " partner inbox read nothing: drop the database and run again."
                )
            )
        if not AppointmentSeries.objects.filter(nominal__team__region__name=REGION).exists():
            self.stdout.write(
                self.style.WARNING(
                    "It was built before appointments and contact standards, so the diaries and"
                    " compliance read almost nothing: drop the database and run again."
                )
            )
        if not any(missing):
            return
        started = time.perf_counter()
        builder = _Builder(self, random.Random(seed), timezone.localdate(), years)  # noqa: S311 - not secrets
        with transaction.atomic():
            builder.pack_inputs(seed)
        builder.analyse()
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s."))


class _Builder:
    def __init__(self, command: Command, rng: random.Random, today: date, years: int) -> None:
        self.command = command
        self.rng = rng
        self.today = today
        self.window_start = today - timedelta(days=365 * years)
        self.now = timezone.now()
        self.tables: set[str] = set()
        self.teams: list[Team] = []
        self.emails: dict[int, str] = {}
        self.user_organisations: dict[int, int | None] = {}
        self.password = ""
        self.partner_rng = random.Random(0)  # noqa: S311 - replaced by handle(); not secrets
        self.directory: list[_Service] = []
        self.partner_users: dict[int, int] = {}  # organisation id -> its partner member of staff
        self.planned: list[_Referral] = []
        # What the referrals leave on a need: (status, unmet reason, day, note) by (nominal id, pathway).
        self.referred_needs: dict[tuple[int, str], tuple[str, str, date, str]] = {}
        # Unacceptable absences by person (index into people), as date ordinals in the order logged.
        self.absences: dict[int, list[int]] = {}
        self.example_logins = ""
        self.seed = 0  # set by handle(): pack_inputs draws from a sequence of its own
        self.lap = time.perf_counter()

    def write(self, message: str) -> None:
        self.command.stdout.write(message)
        self.command.stdout.flush()

    @contextmanager
    def step(self, label: str) -> Iterator[list[int]]:
        """Print a table's row count and its time since the last step ended (building the rows too).

        The body appends counts to the list it is given.
        """
        rows: list[int] = []
        yield rows
        self.mark(label, sum(rows))

    def mark(self, label: str, rows: int | None = None) -> None:
        now = time.perf_counter()
        count = f"{rows:>10,} rows" if rows is not None else " " * 15
        self.write(f"  {label:<46} {count} {now - self.lap:7.1f} s")
        self.lap = now

    def bulk(self, model: type[models.Model], objects: list[Any]) -> int:
        """Insert the objects and set their ids: by COPY on PostgreSQL, else bulk_create."""
        table = model._meta.db_table
        self.tables.add(table)
        if connection.vendor != "postgresql":
            for start in range(0, len(objects), BATCH):
                model._default_manager.bulk_create(objects[start : start + BATCH])
            return len(objects)
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        with connection.cursor() as cursor:
            # Ids taken from the table's own sequence, so later inserts carry on after them.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(objects)],
            )
            for instance, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                instance.pk = pk
                instance._state.adding, instance._state.db = False, connection.alias
            columns = ", ".join(["id", *(f'"{field.column}"' for field in fields)])
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for instance in objects:
                    copy.write_row(
                        (
                            instance.pk,
                            *(
                                field.get_db_prep_save(field.pre_save(instance, add=True), connection)
                                for field in fields
                            ),
                        )
                    )
        return len(objects)

    def pick(self, weights: dict[Any, int]) -> Any:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange(max((last - first).days, 0) + 1))

    def moment(self, day: date) -> datetime:
        moment = datetime(day.year, day.month, day.day, self.rng.randrange(8, 18), tzinfo=UTC)
        return min(moment + timedelta(minutes=self.rng.randrange(60)), self.now)

    # The steps, in dependency order ---------------------------------------------------------------

    def build(self, active_count: int, total_contacts: int) -> None:
        dropped = self.drop_for_load(sorted(BIG_TABLES))
        staff = self.teams_and_staff(active_count)
        self.partner_directory()
        people = self.plan_people(staff, active_count)
        self.nominals(people)
        self.plan_referrals(people)
        self.memberships(people, staff)
        self.allocations(people, staff)
        self.assessments(people)
        self.needs(people)
        self.offences(people)
        self.standards(people)
        self.contacts(people, total_contacts)
        self.referrals()
        self.pack_inputs(self.seed)
        self.restore_after_load(dropped)

    def teams_and_staff(self, active_count: int) -> dict[int, Staff]:
        with self.step("region, teams, staff") as rows:
            region, _ = Region.objects.get_or_create(name=REGION)
            police_org, _ = Organisation.objects.get_or_create(
                name=f"{REGION} Police", defaults={"kind": Organisation.Kind.POLICE_FORCE, "region": region}
            )
            probation_org, _ = Organisation.objects.get_or_create(
                name=f"{REGION} Probation Delivery Unit",
                defaults={"kind": Organisation.Kind.PROBATION_DELIVERY_UNIT, "region": region},
            )
            support_org, _ = Organisation.objects.get_or_create(
                name=f"{REGION} Support Services",
                defaults={"kind": Organisation.Kind.VOLUNTARY_COMMUNITY, "region": region},
            )
            # One slow hash, copied to every bench user: they share a password on a throwaway database.
            password = make_password(BENCH_PASSWORD)
            users: list[User] = []
            memberships: list[tuple[User, Role, Team]] = []
            teams: list[Team] = []
            for (name, slug, _share), active in zip(TEAMS, _split(active_count, TEAMS), strict=True):
                team, _ = Team.objects.get_or_create(region=region, name=name)
                team.organisations.add(police_org, probation_org, support_org)
                teams.append(team)
                roster = [
                    ("police.om", Role.POLICE_OFFENDER_MANAGER, police_org, max(1, math.ceil(active / 35))),
                    ("probation", Role.PROBATION_PRACTITIONER, probation_org, max(1, math.ceil(active / 35))),
                    ("support", Role.SUPPORT_WORKER, support_org, max(1, math.ceil(active / 60))),
                    ("manager", Role.MANAGER, police_org, 1),
                ]
                for local, role, organisation, count in roster:
                    for number in range(1, count + 1):
                        suffix = f".{number:02d}" if role != Role.MANAGER else ""
                        user = User(
                            email=f"{local}{suffix}.{slug}@{DOMAIN}",
                            full_name=f"{self.rng.choice(GIVEN_NAMES)} {self.rng.choice(FAMILY_NAMES)}",
                            organisation=organisation,
                            password=password,
                        )
                        users.append(user)
                        memberships.append((user, role, team))
            lead = User(
                email=f"regional.lead@{DOMAIN}",
                full_name="Alex Regional",
                organisation=probation_org,
                password=password,
            )
            users.append(lead)
            rows.append(4 + len(teams) + self.bulk(User, users))
            rows.append(
                self.bulk(
                    Membership,
                    [Membership(user=user, role=role, team=team) for user, role, team in memberships]
                    + [Membership(user=lead, role=Role.REGIONAL_LEAD, region=region)],
                )
            )
        staff: dict[int, Staff] = {team.pk: Staff() for team in teams}
        for member, member_role, member_team in memberships:
            crew = staff[member_team.pk]
            if member_role == Role.POLICE_OFFENDER_MANAGER:
                crew.police.append(member.pk)
            elif member_role == Role.PROBATION_PRACTITIONER:
                crew.probation.append(member.pk)
            elif member_role == Role.SUPPORT_WORKER:
                crew.support.append(member.pk)
            else:
                crew.manager = member.pk
        self.teams = teams
        self.emails = {user.pk: user.email for user in users}
        self.user_organisations = {user.pk: user.organisation_id for user in users}
        self.password = password
        big = TEAMS[0][1]
        self.example_logins = f"police.om.01.{big}@{DOMAIN}, manager.{big}@{DOMAIN}"
        return staff

    def plan_people(self, staff: dict[int, Staff], active_count: int) -> list[Person]:
        rng, today, start = self.rng, self.today, self.window_start
        people: list[Person] = []
        for team, active in zip(self.teams, _split(active_count, TEAMS), strict=True):
            crew = staff[team.pk]
            for index in range(active * (1 + HISTORIC_PER_ACTIVE)):
                is_active = index < active
                case_team = (rng.choice(crew.police), rng.choice(crew.probation)) + (
                    (rng.choice(crew.support),) if rng.random() < 0.6 else ()
                )
                if is_active:
                    # The team's first person has been on IOM all along and is seen very often.
                    entry = (
                        start - timedelta(days=100)
                        if index == 0
                        else today - timedelta(days=rng.randrange(30, 1825))
                    )
                    person = Person(team, True, entry, None, case_team)
                else:
                    # Historic people left at any time over the window and a year before it.
                    exit_ = today - timedelta(days=rng.randrange(1, (today - start).days + 365))
                    entry = exit_ - timedelta(days=rng.randrange(120, 730))
                    person = Person(team, False, entry, exit_, case_team)
                people.append(person)
        return people

    def nominals(self, people: list[Person]) -> None:
        rng = self.rng
        given = GIVEN_NAMES + MORE_GIVEN_NAMES
        family = FAMILY_NAMES + MORE_FAMILY_NAMES
        genders = {Gender.MALE: 84, Gender.FEMALE: 14, Gender.NON_BINARY: 1, Gender.NOT_SAID: 1}
        ethnicities = dict.fromkeys(Ethnicity.values, 2) | {Ethnicity.WHITE_BRITISH: 60}
        statuses = {
            StatutoryStatus.LICENCE: 45,
            StatutoryStatus.COMMUNITY_ORDER: 30,
            StatutoryStatus.POST_SENTENCE_SUPERVISION: 5,
            StatutoryStatus.NONE: 20,
        }
        objects: list[Nominal] = []
        for number, person in enumerate(people):
            pnc_year = str(rng.randrange(1995, 2022))
            pnc_serial = f"{1_000_000 + number:07d}"
            cro_year = pnc_year[-2:]
            in_custody = person.active and rng.random() < 0.08
            person.in_custody = in_custody
            establishment = rng.choice(ESTABLISHMENTS) if in_custody else ""
            person.establishment = establishment
            status = self.pick(statuses) if person.active else StatutoryStatus.NONE
            release = self.today + timedelta(days=rng.randrange(7, 26 * 7)) if in_custody else None
            person.release = release
            objects.append(
                Nominal(
                    given_name=rng.choice(given),
                    family_name=rng.choice(family),
                    date_of_birth=self.today - timedelta(days=rng.randrange(18 * 365, 60 * 365)),
                    gender=self.pick(genders),
                    ethnicity=self.pick(ethnicities),
                    address_area=f"MS{rng.randrange(1, 30)}",
                    crn=f"M{number + 1:06d}",
                    pnc_id=f"{pnc_year}/{pnc_serial}{identifiers.check_character(pnc_year, pnc_serial)}",
                    nomis_number=(
                        f"G{number % 10_000:04d}{_letters(number // 10_000)}" if rng.random() < 0.7 else None
                    ),
                    cro_number=(
                        f"{number + 1}/{cro_year}{identifiers.cro_check_character(cro_year, str(number + 1))}"
                        if rng.random() < 0.5
                        else None
                    ),
                    statutory_status=status,
                    team=person.team,
                    in_custody=in_custody,
                    establishment=establishment,
                    sentence_date=person.entry - timedelta(days=rng.randrange(30, 400))
                    if in_custody
                    else None,
                    conditional_release_date=release,
                    licence_expiry_date=(
                        self.today + timedelta(days=rng.randrange(30, 700))
                        if status == StatutoryStatus.LICENCE
                        else None
                    ),
                    police_offender_manager_id=person.case_team[0] if person.active else None,
                    probation_practitioner_id=person.case_team[1] if person.active else None,
                    support_worker_id=person.case_team[2]
                    if person.active and len(person.case_team) > 2
                    else None,
                    created_at=self.moment(person.entry - timedelta(days=14)),
                )
            )
        with self.step("nominals") as rows:
            rows.append(self.bulk(Nominal, objects))
        for person, nominal in zip(people, objects, strict=True):
            person.id = nominal.pk

    def memberships(self, people: list[Person], staff: dict[int, Staff]) -> None:
        rng = self.rng
        cohorts = {Cohort.FIXED: 30, Cohort.FLEX: 45, Cohort.FREE: 25}
        memberships: list[CohortMembership] = []
        for person in people:
            manager = staff[person.team.pk].manager
            cohort = self.pick(cohorts)
            common = {
                "nominal_id": person.id,
                "cohort": cohort,
                "proposed_by_id": person.case_team[0],
                "proposed_on": person.entry - timedelta(days=rng.randrange(7, 28)),
                "proposal_reason": "Prolific neighbourhood crime; engagement with supervision has been poor.",
                "panel_date": person.entry,
                "panel_attendees": PANEL_ATTENDEES,
                "panel_rationale": "Meets the local cohort criteria; accepted for multi-agency management.",
                "panel_recorded_by_id": manager,
                "entry_date": person.entry,
            }
            if person.active:
                person.cohort = cohort
                if rng.random() < 0.1:  # moved here from another cohort
                    earlier = person.entry - timedelta(days=rng.randrange(90, 400))
                    memberships.append(
                        CohortMembership(
                            **common
                            | {
                                "cohort": Cohort.FREE if cohort != Cohort.FREE else Cohort.FLEX,
                                "proposed_on": earlier - timedelta(days=14),
                                "panel_date": earlier,
                                "entry_date": earlier,
                            },
                            status=CohortMembership.Status.ENDED,
                            exit_date=person.entry,
                            exit_reason=CohortMembership.ExitReason.MOVED_COHORT,
                            exit_note="Moved at review.",
                        )
                    )
                memberships.append(
                    CohortMembership(
                        **common,
                        status=CohortMembership.Status.ACTIVE,
                        review_due=self.today + timedelta(days=rng.randrange(-30, 92)),
                    )
                )
            else:
                memberships.append(
                    CohortMembership(
                        **common,
                        status=CohortMembership.Status.ENDED,
                        exit_date=person.exit,
                        exit_reason=self.pick(EXIT_REASONS),
                        exit_note="Closed at panel.",
                    )
                )
        with self.step("cohort memberships") as rows:
            rows.append(self.bulk(CohortMembership, memberships))
        reviews: list[CohortReview] = []
        for membership in memberships:
            entry = membership.entry_date or self.today
            end = membership.exit_date or self.today
            for quarter in range(1, min(4, (end - entry).days // 91) + 1):
                reviewed_on = entry + timedelta(days=91 * quarter)
                reviews.append(
                    CohortReview(
                        membership=membership,
                        reviewed_on=reviewed_on,
                        outcome=CohortReview.Outcome.CONTINUE,
                        rationale="Still meets the criteria; risk and needs unchanged.",
                        reviewed_by_id=membership.panel_recorded_by_id or membership.proposed_by_id,
                        recorded_at=self.moment(reviewed_on),
                    )
                )
        with self.step("cohort reviews") as rows:
            rows.append(self.bulk(CohortReview, reviews))
        source_type = ContentType.objects.get_for_model(CohortMembership)
        events: list[TimelineEvent] = []
        for membership in memberships:
            entry = membership.entry_date or self.today
            common = {"nominal_id": membership.nominal_id, "kind": TimelineEvent.Kind.COHORT}
            common |= {"source_type": source_type, "source_id": membership.pk}
            label = membership.get_cohort_display().lower()
            events.append(
                TimelineEvent(
                    **common,
                    occurred_on=entry,
                    summary=f"Joined the {label} cohort",
                    recorded_by_id=membership.panel_recorded_by_id,
                    recorded_at=self.moment(entry),
                )
            )
            if membership.exit_date:
                events.append(
                    TimelineEvent(
                        **common,
                        occurred_on=membership.exit_date,
                        summary=f"Left the {label} cohort: {membership.get_exit_reason_display().lower()}",
                        recorded_by_id=membership.panel_recorded_by_id,
                        recorded_at=self.moment(membership.exit_date),
                    )
                )
        with self.step("timeline events (cohort)") as rows:
            rows.append(self.bulk(TimelineEvent, events))

    def allocations(self, people: list[Person], staff: dict[int, Staff]) -> None:
        roles = list(Allocation.Role)
        allocations = [
            Allocation(
                nominal_id=person.id,
                role=role,
                worker_id=worker,
                started_on=person.entry,
                ended_on=person.exit,
                allocated_by_id=staff[person.team.pk].manager,
            )
            for person in people
            for role, worker in zip(roles, person.case_team, strict=False)
        ]
        with self.step("allocations") as rows:
            rows.append(self.bulk(Allocation, allocations))

    def assessments(self, people: list[Person]) -> None:
        rng = self.rng
        levels = {"low": 35, "medium": 45, "high": 17, "very_high": 3}
        assessments: list[Assessment] = []
        for person in people:
            end = person.exit or self.today
            for _ in range(rng.randrange(1, 4) if person.active else 1):
                assessed_on = self.day_between(person.entry, end)
                assessments.append(
                    Assessment(
                        nominal_id=person.id,
                        kind=Assessment.Kind.ROSH,
                        level=self.pick(levels),
                        assessed_on=assessed_on,
                        assessed_by_id=person.case_team[1],
                        recorded_at=self.moment(assessed_on),
                    )
                )
            if person.active:
                assessed_on = self.day_between(person.entry, end)
                assessments.append(
                    Assessment(
                        nominal_id=person.id,
                        kind=Assessment.Kind.OGRS,
                        score=rng.randrange(20, 99),
                        assessed_on=assessed_on,
                        assessed_by_id=person.case_team[1],
                        recorded_at=self.moment(assessed_on),
                    )
                )
        with self.step("assessments") as rows:
            rows.append(self.bulk(Assessment, assessments))

    def needs(self, people: list[Person]) -> None:
        """Needs on some pathways, drawn as before partners existed (so the draws, and all the data
        drawn after them, stay as they were), then given the last word of the person's referrals."""
        rng = self.rng
        needs: list[tuple[Need, str, bool]] = []  # with the update's note, and whether it was drawn
        for person in people:
            for pathway in Pathway.values:
                referred = self.referred_needs.get((person.id, pathway))
                drawn = rng.random() < (0.5 if person.active else 0.3)
                if not drawn and referred is None:
                    continue
                if drawn:
                    status = self.pick(NEED_STATUSES)
                    reason = rng.choice(UnmetReason.values) if status == NeedStatus.UNMET else ""
                    updated_on = self.day_between(person.entry, person.exit or self.today)
                    note = "Discussed at supervision."
                if referred is not None:
                    status, reason, updated_on, note = referred
                need = Need(
                    nominal_id=person.id,
                    pathway=pathway,
                    status=status,
                    unmet_reason=reason,
                    updated_on=updated_on,
                )
                needs.append((need, note, drawn))
        with self.step("needs") as rows:
            rows.append(self.bulk(Need, [need for need, _, _ in needs]))
        workers = {person.id: person.case_team[-1] for person in people}
        updates = [
            NeedUpdate(
                need=need,
                status=need.status,
                unmet_reason=need.unmet_reason,
                note=note,
                updated_on=need.updated_on,
                updated_by_id=workers[need.nominal_id],
                # A drawn need takes its time from the shared sequence, as it always did.
                recorded_at=self.moment(need.updated_on) if drawn else self.step_moment(need.updated_on, 0),
            )
            for need, note, drawn in needs
        ]
        with self.step("need updates") as rows:
            rows.append(self.bulk(NeedUpdate, updates))

    def offences(self, people: list[Person]) -> None:
        rng = self.rng
        categories = list(OffenceCategory.objects.values_list("pk", flat=True))
        if not categories:
            raise CommandError("No offence categories: run migrate first (cohorts 0004 adds them)")
        offences: list[Offence] = []
        for person in people:
            for _ in range(rng.randrange(2, 11)):
                occurred_on = self.day_between(person.entry - timedelta(days=1500), person.exit or self.today)
                offences.append(
                    Offence(
                        nominal_id=person.id,
                        kind=Offence.Kind.PROVEN if rng.random() < 0.7 else Offence.Kind.ARREST,
                        category_id=rng.choice(categories),
                        occurred_on=occurred_on,
                        recorded_by_id=person.case_team[0],
                        recorded_at=self.moment(occurred_on),
                    )
                )
        with self.step("offences") as rows:
            rows.append(self.bulk(Offence, offences))

    # Contact standards, set by the case team for most active Flex and Free people ----------------

    def standards(self, people: list[Person]) -> None:
        """With the timeline event and audit row that set_contact_standard leaves for each."""
        rng = self.rng
        reasons = {
            Cohort.FLEX: "Emerging risk: seen more often until the three-month review.",
            Cohort.FREE: "Voluntary engagement: a check-in agreed with them, by phone if working.",
        }
        standards: list[ContactStandard] = []
        for person in people:
            if not person.active or person.cohort not in reasons or rng.random() >= STANDARD_SHARE:
                continue
            set_on = self.day_between(max(person.entry, self.today - timedelta(days=180)), self.today)
            standards.append(
                ContactStandard(
                    nominal_id=person.id,
                    contacts_per_week=1 if person.cohort == Cohort.FREE else rng.choice([1, 2, 2, 3]),
                    reason=reasons[Cohort(person.cohort)],
                    set_on=set_on,
                    set_by_id=person.case_team[1],
                    recorded_at=self.moment(set_on),
                )
            )
        with self.step("contact standards") as rows:
            rows.append(self.bulk(ContactStandard, standards))
        source_type = ContentType.objects.get_for_model(ContactStandard)
        events = [
            TimelineEvent(
                nominal_id=standard.nominal_id,
                kind=TimelineEvent.Kind.RECORD,
                occurred_on=standard.set_on,
                summary=f"Contact standard set to {standard.contacts_per_week} a week",
                body=standard.reason,
                source_type=source_type,
                source_id=standard.pk,
                recorded_by_id=standard.set_by_id,
                recorded_at=standard.recorded_at,
            )
            for standard in standards
        ]
        audit = [
            self.audit_event(
                standard.set_by_id,
                "contact_standard.set",
                standard,
                standard.nominal_id,
                {"contacts_per_week": standard.contacts_per_week},
                standard.recorded_at,
            )
            for standard in standards
        ]
        with self.step("timeline events (standards)") as rows:
            rows.append(self.bulk(TimelineEvent, events))
        with self.step("audit events (standards)") as rows:
            rows.append(self.bulk(AuditEvent, audit))

    def audit_event(
        self,
        actor_id: int,
        action: str,
        target: models.Model,
        nominal_id: int,
        detail: dict[str, Any],
        occurred_at: datetime,
    ) -> AuditEvent:
        return AuditEvent(
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=self.emails[actor_id],
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            nominal_id=nominal_id,
            request_id=f"seed-{action}-{target.pk}",
            ip_address="10.20.0.14",
            detail=detail,
        )

    # Contacts and appointments, and the attendees, timeline and audit rows they leave ------------

    def contacts(self, people: list[Person], total: int) -> None:
        self.share_contacts(people, total)
        series = self.appointment_series(people)
        table = Contact._meta.db_table
        self.tables.update(
            {table, ContactAttendee._meta.db_table, TimelineEvent._meta.db_table, AuditEvent._meta.db_table}
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Nobody else adds contacts while the new ones are told apart by id.
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our own table name
            (before,) = cursor.fetchone()
        rows_in_order = itertools.chain(self.contact_rows(people), self.appointment_rows(people, series))
        with self.step("contacts and appointments") as rows:
            if connection.vendor == "postgresql":
                rows.append(self.copy_contacts(rows_in_order, total))
            else:
                rows.append(self.bulk(Contact, [_contact(row) for row in rows_in_order]))
        with self.step("contact attendees") as rows:
            rows.append(self.contact_attendees(before))
        with self.step("timeline events (contacts)") as rows:
            rows.append(self.contact_timeline(before))
        with self.step("audit events") as rows:
            rows.append(self.contact_audit(before))
        self.enforcement(people)

    def appointment_series(self, people: list[Person]) -> list[AppointmentSeries]:
        """A Monday, Wednesday and Friday series for the next weeks, for each active Fixed person
        out of custody, planned by their police offender manager or probation practitioner."""
        rng = self.rng
        dates = self.series_dates()
        series = [
            AppointmentSeries(
                nominal_id=person.id,
                kind=Contact.Kind.OFFICE,
                purpose=Contact.Purpose.MONITORING,
                location=LOCATION[Contact.Kind.OFFICE],
                weekdays="".join(str(day) for day in SERIES_WEEKDAYS),
                time=time_of_day(rng.randrange(9, 16), rng.choice([0, 30])),
                duration_minutes=60,
                starts_on=self.today,
                ends_on=dates[-1],
                created_by_id=rng.choice(person.case_team[:2]),
                created_at=self.now,
            )
            for person in people
            if person.active and person.cohort == Cohort.FIXED and not person.in_custody
        ]
        with self.step("appointment series") as rows:
            rows.append(self.bulk(AppointmentSeries, series))
        with self.step("audit events (series)") as rows:
            audit = [
                self.audit_event(
                    one.created_by_id,
                    "appointment.series_planned",
                    one,
                    one.nominal_id,
                    {"appointments": len(dates), "weekdays": one.weekdays, "from": self.today.isoformat()},
                    self.now,
                )
                for one in series
            ]
            rows.append(self.bulk(AuditEvent, audit))
        return series

    def series_dates(self) -> list[date]:
        days = (self.today + timedelta(days=offset) for offset in range(WEEKS_PLANNED * 7))
        return [day for day in days if day.weekday() in SERIES_WEEKDAYS]

    def appointment_rows(
        self, people: list[Person], series: list[AppointmentSeries]
    ) -> Iterator[tuple[Any, ...]]:
        """The series' appointments, then a custody visit before release for each person in custody.
        Planned, so no outcome: their attendees are added with the contacts', but no timeline event
        or contact.logged audit row until an outcome is recorded."""
        now = self.now.isoformat(sep=" ")
        dates = [day.isoformat() for day in self.series_dates()]
        for one in series:
            at = one.time.isoformat()
            for day in dates:
                yield (
                    one.nominal_id, one.pk, day, at, one.duration_minutes, one.kind, one.purpose,
                    one.location, "", "", Sensitivity.TEAM, one.created_by_id, now, None, None,
                )  # fmt: skip
        for person in people:
            if person.in_custody and person.release is not None:
                days_left = min(WEEKS_PLANNED * 7, (person.release - self.today).days)
                visit = self.today + timedelta(days=self.rng.randrange(1, max(days_left, 2)))
                yield (
                    person.id, None, visit.isoformat(), "10:30:00", DURATION[Contact.Kind.CUSTODY_VISIT],
                    Contact.Kind.CUSTODY_VISIT, Contact.Purpose.PRACTICAL_SUPPORT, person.establishment,
                    "", "", Sensitivity.TEAM, person.case_team[1], now, None, None,
                )  # fmt: skip

    def enforcement(self, people: list[Person]) -> None:
        """The case team's decisions about unacceptable absences, as supervision prompts them: once
        the window holds the threshold, every absence not yet answered by a decision on or after
        it. Each decision comes within DAYS_TO_DECIDE days, one rung up the ladder, or no further
        action (always, once the person has left); one that would fall after today is awaited."""
        rng = self.rng
        today = self.today.toordinal()
        actions: list[EnforcementAction] = []
        for index, absences in self.absences.items():
            person = people[index]
            decided = 0  # the ordinal of the latest decision
            rung = 0
            for number, day in enumerate(absences):
                in_window = [d for d in absences[: number + 1] if d > day - ABSENCE_WINDOW_DAYS]
                if day <= decided or len(in_window) < ABSENCE_THRESHOLD:
                    continue
                decided_on = day + rng.randrange(1, DAYS_TO_DECIDE + 1)
                if decided_on > today:
                    break
                if rng.random() < 0.3 or (person.exit is not None and decided_on > person.exit.toordinal()):
                    kind = EnforcementAction.Kind.NO_FURTHER_ACTION
                else:
                    kind = ENFORCEMENT_LADDER[min(rung, len(ENFORCEMENT_LADDER) - 1)]
                    rung += 1
                decided = decided_on
                actions.append(
                    EnforcementAction(
                        nominal_id=person.id,
                        kind=kind,
                        reason="Unacceptable absences in the window; discussed with the case team.",
                        decided_on=date.fromordinal(decided_on),
                        recorded_by_id=person.case_team[1],
                        recorded_at=self.moment(date.fromordinal(decided_on)),
                    )
                )
        with self.step("enforcement decisions") as rows:
            rows.append(self.bulk(EnforcementAction, actions))
        source_type = ContentType.objects.get_for_model(EnforcementAction)
        events = [
            TimelineEvent(
                nominal_id=action.nominal_id,
                kind=TimelineEvent.Kind.ENFORCEMENT,
                occurred_on=action.decided_on,
                summary=action.get_kind_display(),
                body=action.reason,
                source_type=source_type,
                source_id=action.pk,
                recorded_by_id=action.recorded_by_id,
                recorded_at=action.recorded_at,
            )
            for action in actions
        ]
        with self.step("timeline events (enforcement)") as rows:
            rows.append(self.bulk(TimelineEvent, events))
        audit = [
            self.audit_event(
                action.recorded_by_id,
                "enforcement.recorded",
                action,
                action.nominal_id,
                {"kind": action.kind},
                action.recorded_at,
            )
            for action in actions
        ]
        with self.step("audit events (enforcement)") as rows:
            rows.append(self.bulk(AuditEvent, audit))

    def drop_for_load(self, tables: list[str]) -> tuple[list[str], list[str]]:
        """On PostgreSQL, drop the big tables' foreign keys and plain indexes; return the SQL that
        puts them back.

        One check of a whole table and one index build from sorted rows are far quicker than a
        check and an index update per row, as pg_restore knows. All in the same transaction, so
        a failure leaves every constraint and index as it was; primary keys and unique indexes stay.
        """
        if connection.vendor != "postgresql":
            return [], []
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(
                """
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(CAST(%s AS regclass[]))
                ORDER BY 1, 2
                """,
                [tables],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                """
                SELECT index.relname, pg_get_indexdef(index.oid)
                FROM pg_index JOIN pg_class index ON index.oid = pg_index.indexrelid
                WHERE pg_index.indrelid = ANY(CAST(%s AS regclass[]))
                  AND NOT pg_index.indisprimary AND NOT pg_index.indisunique
                ORDER BY 1
                """,
                [tables],
            )
            indexes = cursor.fetchall()
            for table, name, _ in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        self.mark(f"drop {len(foreign_keys)} foreign keys, {len(indexes)} indexes")
        return (
            [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql}' for table, name, sql in foreign_keys],
            [sql for _, sql in indexes],
        )

    def restore_after_load(self, dropped: tuple[list[str], list[str]]) -> None:
        foreign_keys, indexes = dropped
        if not foreign_keys and not indexes:
            return
        with connection.cursor() as cursor:
            # Django's foreign keys are checked at commit, and no table with checks pending may be
            # altered: make the other tables' checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.mark("check foreign keys of other tables")
            for statement in foreign_keys:
                cursor.execute(statement)
            self.mark(f"add and check {len(foreign_keys)} foreign keys")
            for statement in indexes:
                cursor.execute(statement)
            self.mark(f"build {len(indexes)} indexes")

    def share_contacts(self, people: list[Person], total: int) -> None:
        """Give each person a number of contacts: time on IOM in the window, times how intensive."""
        rng, start, today = self.rng, self.window_start, self.today
        for person in people:
            first, last = max(person.entry, start), min(person.exit or today, today)
            person.weight = max((last - first).days, 0) * rng.lognormvariate(0, 0.5)
        per_weight = total / (sum(person.weight for person in people) or 1)
        first_of_team = {person.team.pk: person for person in reversed(people) if person.active}
        for person in first_of_team.values():
            person.weight = min(INTENSIVE_CONTACTS, total // 20) / per_weight
        weight = sum(person.weight for person in people) or 1
        shares = [total * person.weight / weight for person in people]
        for person, share in zip(people, shares, strict=True):
            person.contacts = int(share)
        # Largest remainders make the total exact.
        missing = total - sum(person.contacts for person in people)
        by_remainder = sorted(range(len(people)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
        for i in by_remainder[:missing]:
            people[i].contacts += 1

    def contact_rows(self, people: list[Person]) -> Iterator[tuple[Any, ...]]:
        """Every contact held, as a row of CONTACT_COLUMNS.

        In the order they were logged, as in production: one person's contacts are spread through
        the table, not side by side, so their timeline is not read from a handful of pages. A joint
        visit is logged by the police offender manager or the probation practitioner (the other
        attends too: contact_attendees); a police intelligence note only by police.
        """
        rng = self.rng
        pick, choices, randrange, draw = rng.choice, rng.choices, rng.randrange, rng.random
        kinds, kind_weights = list(KIND_WEIGHTS), _cumulative(KIND_WEIGHTS)
        outcomes, outcome_weights = list(OUTCOME_WEIGHTS), _cumulative(OUTCOME_WEIGHTS)
        purposes = {kind: [str(purpose) for purpose in PURPOSES[kind]] for kind in kinds}
        durations = {kind: DURATION.get(kind, 30) for kind in kinds}
        locations = {kind: LOCATION.get(kind, "") for kind in kinds}
        joint, absent = Contact.Kind.JOINT_VISIT, Contact.Outcome.UNACCEPTABLE_ABSENCE
        police, partners, team = Sensitivity.POLICE.value, Sensitivity.PARTNERS.value, Sensitivity.TEAM.value
        partner_share = POLICE_NOTE_SHARE + PARTNER_NOTE_SHARE
        today = self.today.toordinal()
        start = self.window_start.toordinal()
        # Who is seen on each day of the window, as indexes into `people`.
        days: list[list[int]] = [[] for _ in range(today - start + 1)]
        for index, person in enumerate(people):
            if person.contacts:
                first = max(person.entry.toordinal(), start) - start
                span = min((person.exit or self.today).toordinal(), today) - start - first + 1
                for _ in range(person.contacts):
                    days[first + randrange(span)].append(index)
        now = self.now.isoformat(sep=" ")
        for offset, seen in enumerate(days):
            if not seen:
                continue
            day = date.fromordinal(start + offset).isoformat()
            kind_draws = choices(kinds, cum_weights=kind_weights, k=len(seen))
            outcome_draws = choices(outcomes, cum_weights=outcome_weights, k=len(seen))
            # Office hours, in the order logged.
            times = sorted((randrange(8 * 3600, 18 * 3600), index) for index in seen)
            for (second, index), kind, outcome in zip(times, kind_draws, outcome_draws, strict=True):
                person = people[index]
                clock = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
                logged_at = f"{day} {clock}+00:00"
                if offset + start == today:
                    logged_at = min(logged_at, now)
                if outcome == absent:
                    self.absences.setdefault(index, []).append(start + offset)
                logger = pick(person.case_team[:2]) if kind == joint else pick(person.case_team)
                chance = draw()
                if chance < POLICE_NOTE_SHARE and logger == person.case_team[0]:
                    sensitivity, notes = police, pick(INTELLIGENCE_NOTES)
                elif chance < partner_share:
                    sensitivity, notes = partners, pick(SHAREABLE_NOTES)
                else:
                    sensitivity, notes = team, pick(NOTES)
                yield (
                    person.id, None, day, clock, durations[kind], kind, pick(purposes[kind]),
                    locations[kind], outcome, notes, sensitivity, logger, logged_at, logger, logged_at,
                )  # fmt: skip

    def copy_contacts(self, rows: Iterator[tuple[Any, ...]], total: int) -> int:
        count = 0
        started = time.perf_counter()
        columns = (*CONTACT_COLUMNS, "updated_at")
        sql = f"COPY {Contact._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                # updated_at: when its outcome was recorded, or else when it was logged (the ETag's basis).
                copy.write_row((*row, row[OUTCOME_RECORDED_AT] or row[LOGGED_AT]))
                count += 1
                if count % 250_000 == 0:
                    rate = count / (time.perf_counter() - started)
                    self.write(f"    contacts {count:>10,} of {total:,} ({rate:,.0f} rows/s)")
        return count

    def contact_attendees(self, before: int) -> int:
        """Whoever logged or planned each new contact attended it, for their organisation; a joint
        visit also had the case team's worker from the other agency (its other allocation)."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO supervision_contactattendee (contact_id, user_id, organisation_id)
                SELECT c.id, c.logged_by_id, u.organisation_id
                FROM supervision_contact c JOIN core_user u ON u.id = c.logged_by_id
                WHERE c.id > %s ORDER BY c.id
                """,
                [before],
            )
            logged = cursor.rowcount
            cursor.execute(
                """
                INSERT INTO supervision_contactattendee (contact_id, user_id, organisation_id)
                SELECT c.id, a.worker_id, u.organisation_id
                FROM supervision_contact c
                JOIN cohorts_allocation a
                  ON a.nominal_id = c.nominal_id AND a.role IN (%s, %s) AND a.worker_id <> c.logged_by_id
                JOIN core_user u ON u.id = a.worker_id
                WHERE c.id > %s AND c.kind = %s ORDER BY c.id
                """,
                [
                    Allocation.Role.POLICE_OFFENDER_MANAGER,
                    Allocation.Role.PROBATION_PRACTITIONER,
                    before,
                    Contact.Kind.JOINT_VISIT,
                ],
            )
            self.write(f"    joint visits' second attendee {cursor.rowcount:>10,}")
            return logged + cursor.rowcount

    def contact_timeline(self, before: int) -> int:
        """One timeline event per new contact held, written as log_contact writes it: a police
        intelligence note stays on the contact, and its event says only that the contact happened."""
        kind_label = _case("c.kind", Contact.Kind.choices)
        outcome_label = _case(
            "c.outcome", [(value, str(label).lower()) for value, label in Contact.Outcome.choices]
        )
        source_type = ContentType.objects.get_for_model(Contact).pk
        police, team = Sensitivity.POLICE.value, Sensitivity.TEAM.value
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO cohorts_timelineevent
                    (nominal_id, kind, occurred_on, summary, body, visibility,
                     source_type_id, source_id, recorded_by_id, recorded_at)
                SELECT c.nominal_id, %s, c.date,
                       {kind_label[0]} || ': ' || {outcome_label[0]}
                           || CASE WHEN c.sensitivity = %s THEN ' (police intelligence note)' ELSE '' END,
                       CASE WHEN c.sensitivity = %s THEN '' ELSE c.notes END,
                       CASE WHEN c.sensitivity = %s THEN %s ELSE c.sensitivity END,
                       %s, c.id, c.logged_by_id, c.logged_at
                FROM supervision_contact c WHERE c.id > %s AND c.outcome <> '' ORDER BY c.id
                """,  # noqa: S608 - the SQL is ours; values are parameters
                [
                    TimelineEvent.Kind.CONTACT,
                    *kind_label[1],
                    *outcome_label[1],
                    police,
                    police,
                    police,
                    team,
                    source_type,
                    before,
                ],
            )
            return cursor.rowcount

    def contact_audit(self, before: int) -> int:
        """What logging and reading those contacts would have audited: contact.logged, nominal.viewed."""
        if connection.vendor == "postgresql":
            request_id, ip_address = "md5(c.id::text || %s)", "'10.20.0.14'::inet"
            detail = (
                "jsonb_build_object('kind', c.kind, 'outcome', c.outcome, 'purpose', c.purpose,"
                " 'sensitivity', c.sensitivity)"
            )
            page, viewed_at = "CAST(%s AS jsonb)", "c.logged_at - interval '1 hour'"
        else:
            request_id, ip_address = "lower(hex(randomblob(16))) || %s", "'10.20.0.14'"
            detail = (
                "json_object('kind', c.kind, 'outcome', c.outcome, 'purpose', c.purpose,"
                " 'sensitivity', c.sensitivity)"
            )
            page, viewed_at = "%s", "c.logged_at"
        insert = """
            INSERT INTO core_auditevent
                (occurred_at, actor_id, actor_label, action, target_type, target_id, nominal_id,
                 request_id, ip_address, detail)
        """
        with connection.cursor() as cursor:
            cursor.execute(
                f"""{insert}
                SELECT c.logged_at, c.logged_by_id, u.email, 'contact.logged', 'supervision.contact',
                       CAST(c.id AS TEXT), c.nominal_id, {request_id}, {ip_address}, {detail}
                FROM supervision_contact c JOIN core_user u ON u.id = c.logged_by_id
                WHERE c.id > %s AND c.outcome <> '' ORDER BY c.id
                """,  # noqa: S608 - the SQL is ours; values are parameters
                ["logged", before],
            )
            logged = cursor.rowcount
            self.write(f"    contact.logged {logged:>10,}")
            cursor.execute(
                f"""{insert}
                SELECT {viewed_at}, c.logged_by_id, u.email, 'nominal.viewed', 'cohorts.nominal',
                       CAST(c.nominal_id AS TEXT), c.nominal_id, {request_id}, {ip_address}, {page}
                FROM supervision_contact c JOIN core_user u ON u.id = c.logged_by_id
                WHERE c.id > %s AND c.outcome <> '' AND c.id %% 3 = 0 ORDER BY c.id
                """,  # noqa: S608 - the SQL is ours; values are parameters
                ["viewed", '{"page": "overview"}', before],
            )
            self.write(f"    nominal.viewed {cursor.rowcount:>10,}")
            return logged + cursor.rowcount

    # Partners: the directory, partner staff, and referrals with what they leave behind ----------

    def partner_directory(self) -> None:
        """About forty services of a dozen organisations: some in each team's area, some for the
        whole region, a few national; one closed to referrals and one no longer listed. Nothing
        works on attitudes, thinking and behaviour, so those needs are unmet for want of a service."""
        rng = self.partner_rng
        region = Region.objects.get(name=REGION)
        areas = [(slug, name.removesuffix(" IOM")) for name, slug, _ in TEAMS]
        organisations = [
            Organisation(name=name, kind=kind, region=None if national else region)
            for name, kind, _, national, _ in PARTNERS
        ]
        with self.step("partner directory and staff") as rows:
            rows.append(self.bulk(Organisation, organisations))
            for organisation, (_, _, slug, national, offers) in zip(organisations, PARTNERS, strict=True):
                for offer in offers:
                    for area, area_name in areas if offer.per_area else [("", "")]:
                        service = PartnerService(
                            organisation=organisation,
                            name=f"{offer.name} ({area_name.removeprefix(REGION).strip()})"
                            if area
                            else offer.name,
                            description=offer.description,
                            region=None if national else region,
                            area_covered=area_name
                            or ("England and Wales" if national else f"All of {REGION}"),
                            eligibility=offer.eligibility,
                            how_to_refer="Through the IOM case manager.",
                            typical_wait_days=offer.wait,
                            capacity=offer.capacity,
                            response_working_days=offer.respond,
                            referral_email=f"referrals.{area or 'all'}@{slug}.{DOMAIN}",
                            is_active=offer.active,
                            updated_at=self.now,
                        )
                        self.directory.append(_Service(service, offer.pathways, area, slug))
            rows.append(self.bulk(PartnerService, [one.service for one in self.directory]))
            pathways = [
                ServicePathway(service=one.service, pathway=pathway)
                for one in self.directory
                for pathway in one.pathways
            ]
            rows.append(self.bulk(ServicePathway, pathways))
            # One member of staff for each organisation, who answers its referrals.
            users = [
                User(
                    email=f"partner.{slug}@{DOMAIN}",
                    full_name=f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
                    organisation=organisation,
                    password=self.password,
                )
                for organisation, (_, _, slug, _, _) in zip(organisations, PARTNERS, strict=True)
            ]
            rows.append(self.bulk(User, users))
            rows.append(self.bulk(Membership, [Membership(user=user, role=Role.PARTNER) for user in users]))
        for user, organisation in zip(users, organisations, strict=True):
            self.emails[user.pk] = user.email
            self.user_organisations[user.pk] = organisation.pk
            self.partner_users[organisation.pk] = user.pk

    def plan_referrals(self, people: list[Person]) -> None:
        """About REFERRALS_PER_PERSON_YEAR referrals for each year a person spends on IOM in the
        window, each taken through the lifecycle as far as the days since allow; a need on a pathway
        no service works on is recorded as unmet for want of one instead."""
        rng, today = self.partner_rng, self.today
        start = self.window_start
        open_to_referrals = [one for one in self.directory if one.takes_referrals]
        on_pathway = {
            pathway: [one for one in open_to_referrals if pathway in one.pathways]
            for pathway in Pathway.values
        }
        pathways, pathway_weights = list(REFERRAL_PATHWAYS), _cumulative(REFERRAL_PATHWAYS)
        latest: dict[tuple[int, str], _Referral] = {}
        for person in people:
            first, last = max(person.entry, start), min(person.exit or today, today)
            if last <= first:
                continue
            expected = REFERRALS_PER_PERSON_YEAR * (last - first).days / 365
            count = int(expected) + (rng.random() < expected - int(expected))
            area = person.team.name.removeprefix(f"{REGION} ").removesuffix(" IOM").lower()
            for _ in range(count):
                sent_on = _weekday_on_or_before(
                    first + timedelta(days=rng.randrange((last - first).days + 1))
                )
                pathway = rng.choices(pathways, cum_weights=pathway_weights)[0]
                services = on_pathway[pathway]
                if not services:
                    self.referred_needs[(person.id, pathway)] = (
                        NeedStatus.UNMET,
                        UnmetReason.NO_SERVICE,
                        sent_on,
                        "No service available in the partner directory",
                    )
                    continue
                weights = [3 if one.area == area else 0 if one.area else 1 for one in services]
                service = rng.choices(services, weights)[0]
                referral = _Referral(person, service, pathway, rng.choice(person.case_team), sent_on)
                draw = rng.random()
                if draw < 0.75:  # mostly with the person's consent, asked for shortly before
                    referral.consent_given_on = sent_on - timedelta(days=rng.randrange(14))
                else:
                    referral.lawful_basis = LAWFUL_BASES[draw < 0.92]
                self.lifecycle(referral)
                self.planned.append(referral)
                key = (person.id, pathway)
                if referral.status != Referral.Status.DRAFT and (
                    key not in latest or latest[key].sent_on <= sent_on
                ):
                    latest[key] = referral
        for key, referral in latest.items():
            self.referred_needs[key] = referral.need_now()

    def lifecycle(self, referral: _Referral) -> None:
        """The referral's steps, from the draft to where it is today (or was when the person left)."""
        rng, today = self.partner_rng, self.today
        person, service = referral.person, referral.service
        sent_on = referral.sent_on
        end = min(person.exit or today, today)
        referral.step(sent_on, Referral.Status.DRAFT)
        if person.active and (today - sent_on).days < 14 and rng.random() < 0.1:
            return  # still being written
        referral.step(sent_on, Referral.Status.SENT)
        referral.response_due = add_working_days(sent_on, service.respond)
        answer_on = add_working_days(sent_on, rng.choice(ANSWER_WORKING_DAYS))
        if rng.random() < NEVER_ANSWERED:
            chased_on = sent_on + timedelta(days=rng.randrange(30, 70))
            if chased_on <= end:
                referral.step(chased_on, Referral.Status.WITHDRAWN, note=NO_ANSWER)
            elif person.exit is not None:
                referral.step(end, Referral.Status.WITHDRAWN, note=LEFT_IOM)
            return  # still waiting, and overdue
        if answer_on > end:
            if person.exit is not None:
                referral.step(end, Referral.Status.WITHDRAWN, note=LEFT_IOM)
            return  # still waiting for an answer, in time or late
        draw = rng.random()
        if draw < 0.04:
            referral.step(answer_on, Referral.Status.WITHDRAWN, note=NO_LONGER_NEEDED)
            return
        if draw < 0.19:
            referral.step(answer_on, Referral.Status.DECLINED, note=rng.choice(DECLINE_REASONS), partner=True)
            return
        referral.step(answer_on, Referral.Status.ACCEPTED, note=ACCEPTED_NOTE, partner=True)
        finish_on = answer_on + timedelta(days=rng.randrange(21, 180))
        working_until = min(finish_on, end)
        day, sessions = answer_on + timedelta(days=rng.randrange(3, 10)), 0
        while day < working_until and sessions < SESSIONS:
            if sessions == 0:
                referral.step(day, Referral.Status.IN_PROGRESS, partner=True)
            attendance = rng.choices(ATTENDANCE, cum_weights=ATTENDANCE_WEIGHTS)[0]
            referral.step(day, kind=ReferralEvent.Kind.SESSION, attendance=attendance, partner=True)
            sessions += 1
            if sessions % 2 == 0 and day + timedelta(days=1) < working_until:
                referral.step(
                    day + timedelta(days=1),
                    kind=ReferralEvent.Kind.PROGRESS,
                    note=rng.choice(PROGRESS_NOTES[referral.pathway]),
                    partner=True,
                )
            day += timedelta(days=rng.randrange(7, 15))
        if finish_on <= end:
            if rng.random() < 0.08:
                referral.step(finish_on, Referral.Status.WITHDRAWN, note=RECALLED)
                return
            outcome = rng.choices(list(OUTCOME_SHARES), cum_weights=_cumulative(OUTCOME_SHARES))[0]
            referral.outcome = outcome
            referral.step(finish_on, Referral.Status.COMPLETED, note=COMPLETED_NOTES[outcome], partner=True)
        elif person.exit is not None:
            referral.step(end, Referral.Status.WITHDRAWN, note=LEFT_IOM)

    def referrals(self) -> None:
        """The planned referrals, their events, and the timeline entries, audit rows and partner
        grants the partners' services would have written for each step."""
        planned = self.planned
        with self.step("referrals") as rows:
            ids = self.copy_rows(Referral, REFERRAL_COLUMNS, [referral.row(self) for referral in planned])
            rows.append(len(ids))
        events: list[tuple[Any, ...]] = []
        timeline: list[tuple[Any, ...]] = []
        audit: list[tuple[Any, ...]] = []
        referral_type = ContentType.objects.get_for_model(Referral).pk
        for referral, pk in zip(planned, ids, strict=True):
            referral.id = pk
            referral.rows(self, referral_type, events, timeline, audit)
        with self.step("referral events") as rows:
            rows.append(len(self.copy_rows(ReferralEvent, REFERRAL_EVENT_COLUMNS, events)))
        with self.step("timeline events (referrals)") as rows:
            rows.append(len(self.copy_rows(TimelineEvent, TIMELINE_COLUMNS, timeline)))
        with self.step("audit events (referrals)") as rows:
            rows.append(len(self.copy_rows(AuditEvent, AUDIT_COLUMNS, audit)))
        # A partner organisation sees a person while it works with them (access.py).
        working = sorted(
            {
                (referral.service.organisation_id, referral.person.id)
                for referral in planned
                if referral.status in WORKING_STATUSES
            }
        )
        permission = Permission.objects.get(
            content_type__app_label="cohorts", codename=access.PARTNER_VIEW_PERMISSION.split(".")[1]
        )
        nominal_type = ContentType.objects.get_for_model(Nominal)
        # Bulk rows for the group that access.grant_partner_access would grant through.
        groups = {
            organisation_id: access.partner_access_group(organisation_id)
            for organisation_id in {organisation_id for organisation_id, _ in working}
        }
        with self.step("partner access grants") as rows:
            rows.append(
                self.bulk(
                    GroupObjectPermission,
                    [
                        GroupObjectPermission(
                            group=groups[organisation_id],
                            permission=permission,
                            content_type=nominal_type,
                            object_pk=str(nominal_id),
                        )
                        for organisation_id, nominal_id in working
                    ],
                )
            )
        statuses = Counter(referral.status for referral in planned)
        overdue = sum(
            referral.status == Referral.Status.SENT
            and referral.response_due is not None
            and referral.response_due < self.today
            for referral in planned
        )
        self.write(
            "    "
            + ", ".join(f"{label.lower()} {statuses[value]:,}" for value, label in Referral.Status.choices)
            + f"; {overdue:,} overdue an answer"
        )
        bench = next(one for one in self.directory if one.organisation_slug == BENCH_PARTNER).organisation_id
        open_for_bench = sum(
            referral.service.organisation_id == bench and referral.status in OPEN_STATUSES
            for referral in planned
        )
        self.example_logins += f", partner.{BENCH_PARTNER}@{DOMAIN} ({open_for_bench:,} open referrals)"

    # The governance pack: area baselines, and goals and feedback in people's own words ----------

    def pack_inputs(self, seed: int) -> None:
        """What the governance pack reads and nothing above writes: each team area's population
        baseline, and the goals and feedback people gave, with the timeline entries and audit rows
        cohorts.services leaves for each. Each part only when the region has none of it, so it also
        tops up a region seeded before them. Read back from the database, with a sequence of its own,
        so it is the same either way and the rest of the data is as it was."""
        rng = random.Random(seed + 2)  # noqa: S311 - not secrets
        teams = list(Team.objects.filter(region__name=REGION).order_by("pk"))
        baselines_missing, voice_missing = _pack_inputs_missing(teams)
        if baselines_missing:
            with self.step("area baselines") as rows:
                rows.append(self.bulk(AreaBaseline, _area_baselines(teams)))
        if not voice_missing:
            return
        people = self.people_on_record(teams)
        goals: list[Goal] = []
        changes: dict[int, date] = {}  # by the goal's index: when it was achieved or dropped
        feedback: list[Feedback] = []
        helps, helps_weights = list(HELPS), _cumulative({key: weight for key, (_, weight) in HELPS.items()})
        hinders = list(DOES_NOT_HELP)
        hinders_weights = _cumulative({key: weight for key, (_, weight) in DOES_NOT_HELP.items()})
        for nominal_id, first, last, worker in people:
            years = (last - first).days / 365
            for _ in range(_draw_count(rng, GOALS_PER_PERSON_YEAR * years)):
                set_on = first + timedelta(days=rng.randrange((last - first).days + 1))
                status = Goal.Status.ACTIVE
                if (last - set_on).days > 60:
                    status = rng.choices(list(GOAL_OUTCOMES), cum_weights=_cumulative(GOAL_OUTCOMES))[0]
                if status != Goal.Status.ACTIVE:
                    changes[len(goals)] = set_on + timedelta(days=rng.randrange(30, (last - set_on).days + 1))
                elif last < self.today and set_on < last:
                    # Closed when the person left IOM: some done by then, most let go.
                    status = (
                        Goal.Status.ACHIEVED if rng.random() < LEAVERS_GOALS_ACHIEVED else Goal.Status.DROPPED
                    )
                    changes[len(goals)] = last
                goals.append(
                    Goal(
                        nominal_id=nominal_id,
                        in_their_words=rng.choice(GOALS),
                        status=status,
                        set_on=set_on,
                        recorded_by_id=worker,
                    )
                )
            for _ in range(_draw_count(rng, FEEDBACK_PER_PERSON_YEAR * years)):
                given_on = first + timedelta(days=rng.randrange((last - first).days + 1))
                themed = rng.random() >= UNTHEMED_SHARE
                chosen = set(rng.choices(helps, cum_weights=helps_weights, k=rng.randrange(1, 3)))
                # In the list's order, each once, as record_feedback stores them.
                said_helps = [theme for theme in FeedbackTheme if theme in chosen]
                said_hinders = (
                    [rng.choices(hinders, cum_weights=hinders_weights)[0]]
                    if rng.random() < DOES_NOT_HELP_SHARE
                    else []
                )
                feedback.append(
                    Feedback(
                        nominal_id=nominal_id,
                        given_on=given_on,
                        what_helps=" ".join(HELPS[theme][0] for theme in said_helps),
                        what_does_not_help=" ".join(DOES_NOT_HELP[theme][0] for theme in said_hinders),
                        helps_themes=[str(theme) for theme in said_helps] if themed else [],
                        does_not_help_themes=[str(theme) for theme in said_hinders] if themed else [],
                        recorded_by_id=worker,
                    )
                )
        with self.step("goals") as rows:
            rows.append(self.bulk(Goal, goals))
        with self.step("feedback") as rows:
            rows.append(self.bulk(Feedback, feedback))
        self.voice_records(rng, goals, changes, feedback)

    def people_on_record(self, teams: list[Team]) -> list[tuple[int, date, date, int]]:
        """Each person of the region with time on IOM in the window: id, the window's part of their
        time on IOM (first and last day), and the worker who records what they say (the last of
        their case team's allocations: the support worker if they have one)."""
        spans: dict[int, tuple[date, date | None]] = {}
        for nominal_id, entry, exit_ in (
            CohortMembership.objects.filter(nominal__team__in=teams)
            .order_by("nominal_id", "entry_date", "pk")
            .values_list("nominal_id", "entry_date", "exit_date")
        ):
            if entry is None:
                continue
            first, _ = spans.get(nominal_id, (entry, None))
            spans[nominal_id] = (min(first, entry), exit_)  # the latest membership's exit, or None
        workers: dict[int, int] = {}
        for nominal_id, worker in (
            Allocation.objects.filter(nominal__team__in=teams)
            .order_by("pk")
            .values_list("nominal_id", "worker_id")
        ):
            workers[nominal_id] = worker
        missing = set(workers.values()) - set(self.emails)
        self.emails.update(User.objects.filter(pk__in=missing).values_list("pk", "email"))
        people = []
        for nominal_id, (entry, exit_) in sorted(spans.items()):
            first, last = max(entry, self.window_start), min(exit_ or self.today, self.today)
            if last > first and nominal_id in workers:
                people.append((nominal_id, first, last, workers[nominal_id]))
        return people

    def voice_records(
        self, rng: random.Random, goals: list[Goal], changes: dict[int, date], feedback: list[Feedback]
    ) -> None:
        """The timeline entries and audit rows add_goal, set_goal_status and record_feedback write."""

        def moment(day: date) -> datetime:
            at = datetime(day.year, day.month, day.day, rng.randrange(8, 18), rng.randrange(60), tzinfo=UTC)
            return min(at, self.now)

        goal_type = ContentType.objects.get_for_model(Goal)
        feedback_type = ContentType.objects.get_for_model(Feedback)
        events: list[TimelineEvent] = []
        audit: list[AuditEvent] = []
        for index, goal in enumerate(goals):
            set_at = moment(goal.set_on)
            common = {
                "nominal_id": goal.nominal_id,
                "kind": TimelineEvent.Kind.VOICE,
                "body": goal.in_their_words,
            }
            common |= {"source_type": goal_type, "source_id": goal.pk, "recorded_by_id": goal.recorded_by_id}
            events.append(
                TimelineEvent(
                    **common, occurred_on=goal.set_on, summary="New goal in their words", recorded_at=set_at
                )
            )
            audit.append(
                self.audit_event(goal.recorded_by_id, "goal.added", goal, goal.nominal_id, {}, set_at)
            )
            changed_on = changes.get(index)
            if changed_on is not None:
                changed_at = moment(changed_on)
                summary = f"Goal: {goal.get_status_display().lower()}"
                events.append(
                    TimelineEvent(**common, occurred_on=changed_on, summary=summary, recorded_at=changed_at)
                )
                detail = {"status": goal.status}
                audit.append(
                    self.audit_event(
                        goal.recorded_by_id, "goal.changed", goal, goal.nominal_id, detail, changed_at
                    )
                )
        for one in feedback:
            given_at = moment(one.given_on)
            body = "\n".join(
                part
                for part in (
                    f"What helps: {one.what_helps}" if one.what_helps else "",
                    f"What does not help: {one.what_does_not_help}" if one.what_does_not_help else "",
                )
                if part
            )
            events.append(
                TimelineEvent(
                    nominal_id=one.nominal_id,
                    kind=TimelineEvent.Kind.VOICE,
                    occurred_on=one.given_on,
                    summary="Feedback in their words",
                    body=body,
                    source_type=feedback_type,
                    source_id=one.pk,
                    recorded_by_id=one.recorded_by_id,
                    recorded_at=given_at,
                )
            )
            audit.append(
                self.audit_event(one.recorded_by_id, "feedback.recorded", one, one.nominal_id, {}, given_at)
            )
        with self.step("timeline events (goals and feedback)") as rows:
            rows.append(self.bulk(TimelineEvent, events))
        with self.step("audit events (goals and feedback)") as rows:
            rows.append(self.bulk(AuditEvent, audit))

    def copy_rows(
        self, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> list[int]:
        """Rows given as tuples of `columns`: by COPY on PostgreSQL, else bulk_create. Quicker than
        model instances for the larger tables. Returns their ids, taken from the table's sequence."""
        table = model._meta.db_table
        self.tables.add(table)
        if connection.vendor != "postgresql":
            objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
            for start in range(0, len(objects), BATCH):
                model._default_manager.bulk_create(objects[start : start + BATCH])
            return [instance.pk for instance in objects]
        json_columns = [
            index
            for index, name in enumerate(columns)
            if isinstance(model._meta.get_field(name), models.JSONField)
        ]
        names = ", ".join(["id", *(f'"{_column(model, name)}"' for name in columns)])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for pk, row in zip(ids, rows, strict=True):
                    values = [pk, *row]
                    for index in json_columns:  # as text, which COPY reads into jsonb
                        values[index + 1] = json.dumps(values[index + 1])
                    copy.write_row(values)
        return ids

    def step_moment(self, day: date, number: int) -> datetime:
        """When a referral's step was recorded: in order through the day, never after now."""
        return min(
            datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(minutes=23 * number), self.now
        )

    def analyse(self) -> None:
        """Fresh statistics, and on PostgreSQL the visibility map and hint bits, so the benchmark's
        plans are production's and no autovacuum of the new rows runs while it measures."""
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        command = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
        self.mark("commit")
        with connection.cursor() as cursor:
            for table in sorted(self.tables - BIG_TABLES):
                cursor.execute(f"{command} {table}")
            self.mark(f"{command.lower()} small tables")
            for table in sorted(self.tables & BIG_TABLES):
                cursor.execute(f"{command} {table}")
                self.mark(f"{command.lower()} {table}")


def _split(total: int, teams: list[tuple[str, str, float]]) -> list[int]:
    """`total` shared by the teams' weights, the rounding going to the first team."""
    counts = [max(1, int(total * share)) for _, _, share in teams]
    counts[0] += total - sum(counts)
    return counts


def _pack_inputs_missing(teams: list[Team]) -> tuple[bool, bool]:
    """Whether the region lacks area baselines, and whether it has neither goals nor feedback."""
    baselines = AreaBaseline.objects.filter(team__in=teams).exists()
    voice = (
        Goal.objects.filter(nominal__team__in=teams).exists()
        or Feedback.objects.filter(nominal__team__in=teams).exists()
    )
    return not baselines, not voice


def _area_baselines(teams: list[Team]) -> list[AreaBaseline]:
    """Each team area's shares by ethnicity, age band and gender, each dimension summing to 100."""
    baselines: list[AreaBaseline] = []
    for number, team in enumerate(teams):
        ethnicity = dict(AREA_ETHNICITY)
        for category, more in MORE_DIVERSE.items():
            ethnicity[category] += more * number
            ethnicity[Ethnicity.WHITE_BRITISH] -= more * number
        for dimension, shares in (
            (AreaBaseline.Dimension.ETHNICITY, ethnicity),
            (AreaBaseline.Dimension.AGE_BAND, AREA_AGE),
            (AreaBaseline.Dimension.GENDER, AREA_GENDER),
        ):
            baselines += [
                AreaBaseline(
                    team=team,
                    dimension=dimension,
                    category=str(category),
                    share=Decimal(f"{share:.2f}"),
                    source=BASELINE_SOURCE,
                    year=BASELINE_YEAR,
                )
                for category, share in shares.items()
            ]
    return baselines


def _draw_count(rng: random.Random, expected: float) -> int:
    """A whole number of events whose average is `expected`."""
    return int(expected) + (rng.random() < expected - int(expected))


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{name} is not a column of {model.__name__}")
    return field.column


def _letters(number: int) -> str:
    return chr(65 + number // 26 % 26) + chr(65 + number % 26)


def _cumulative(weights: dict[Any, int]) -> list[int]:
    running, totals = 0, []
    for weight in weights.values():
        running += weight
        totals.append(running)
    return totals


def _case(column: str, choices: list[tuple[str, Any]]) -> tuple[str, list[str]]:
    """A SQL CASE mapping a column's stored values to labels, and its parameters."""
    sql = "CASE " + " ".join(f"WHEN {column} = %s THEN %s" for _ in choices) + " END"
    return sql, [str(part) for value, label in choices for part in (value, label)]


def _contact(row: tuple[Any, ...]) -> Contact:
    """A row of CONTACT_COLUMNS as a Contact, for bulk_create on SQLite."""
    values = dict(zip(CONTACT_COLUMNS, row, strict=True))
    values["date"] = date.fromisoformat(values["date"])
    values["time"] = time_of_day.fromisoformat(values["time"])
    for name in ("logged_at", "outcome_recorded_at"):
        if values[name] is not None:
            values[name] = datetime.fromisoformat(values[name])
    values["updated_at"] = values["outcome_recorded_at"] or values["logged_at"]
    return Contact(**values)
