"""What a referral may disclose about the person, field by field.

The worker ticks the fields a partner needs; the partner sees exactly those, read from the record
as it is now, and nothing else (plus notes marked shareable with partners, once they accept).
The name is always shared: a partner cannot work with someone they cannot identify.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cohorts import selectors as cohort_selectors
from cohorts.models import Assessment, CohortMembership, Nominal


@dataclass(frozen=True)
class ShareableField:
    key: str
    label: str
    hint: str
    read: Callable[[Nominal], str]


def _date(value: object) -> str:
    return f"{value:%-d %B %Y}" if value else "Not recorded"


def _identifiers(nominal: Nominal) -> str:
    known = [
        f"{label} {value}"
        for label, value in (
            ("CRN", nominal.crn),
            ("PNC ID", nominal.pnc_id),
            ("NOMIS", nominal.nomis_number),
        )
        if value
    ]
    return ", ".join(known) or "None recorded"


def _custody(nominal: Nominal) -> str:
    if not nominal.in_custody:
        return "In the community"
    release = (
        f", release expected {_date(nominal.conditional_release_date)}"
        if nominal.conditional_release_date
        else ""
    )
    return f"In custody at {nominal.establishment or 'an establishment not recorded'}{release}"


def _cohort(nominal: Nominal) -> str:
    # A proposal the panel has not decided is not a cohort the person is on.
    membership = cohort_selectors.current_membership(nominal)
    if membership is None or membership.status != CohortMembership.Status.ACTIVE:
        return "Not on a cohort"
    return membership.get_cohort_display()


def _needs(nominal: Nominal) -> str:
    needs = list(cohort_selectors.needs_for(nominal))
    return (
        "; ".join(f"{need.get_pathway_display()}: {need.get_status_display()}" for need in needs)
        or "None recorded"
    )


def _risk(nominal: Nominal) -> str:
    for assessment in cohort_selectors.latest_assessments(nominal):
        if assessment.kind == Assessment.Kind.ROSH:
            return f"{assessment.display_value} (assessed {_date(assessment.assessed_on)})"
    return "Not assessed"


def _case_team(nominal: Nominal) -> str:
    workers = [
        f"{user.full_name} ({role}, {user.email})"
        for role, user in (
            ("police offender manager", nominal.police_offender_manager),
            ("probation practitioner", nominal.probation_practitioner),
            ("support worker", nominal.support_worker),
        )
        if user is not None
    ]
    return "; ".join(workers) or "Not allocated"


SHAREABLE_FIELDS: dict[str, ShareableField] = {
    field.key: field
    for field in (
        ShareableField("name", "Name", "Always shared", lambda n: n.full_name),
        ShareableField("date_of_birth", "Date of birth", "", lambda n: _date(n.date_of_birth)),
        ShareableField("gender", "Gender", "", lambda n: n.get_gender_display() or "Not recorded"),
        ShareableField("ethnicity", "Ethnicity", "", lambda n: n.get_ethnicity_display() or "Not recorded"),
        ShareableField(
            "address_area",
            "Area they live in",
            "Neighbourhood or postcode district",
            lambda n: n.address_area or "Not recorded",
        ),
        ShareableField("identifiers", "Identifiers", "CRN, PNC ID and NOMIS number", _identifiers),
        ShareableField("custody", "Custody and release date", "", _custody),
        ShareableField("cohort", "IOM cohort", "Fixed, Flex or Free", _cohort),
        ShareableField(
            "statutory_status",
            "Statutory status",
            "Licence, order or none",
            lambda n: n.get_statutory_status_display(),
        ),
        ShareableField("needs", "Needs on every pathway", "", _needs),
        ShareableField("risk", "Risk of serious harm", "The latest RoSH level", _risk),
        ShareableField(
            "case_team", "Case team contacts", "Names and email addresses of allocated workers", _case_team
        ),
    )
}
ALWAYS_SHARED = frozenset({"name"})


def field_choices() -> list[tuple[str, str]]:
    return [(field.key, field.label) for field in SHAREABLE_FIELDS.values()]


def shared_view(nominal: Nominal, keys: Iterable[str]) -> list[tuple[str, str]]:
    """(label, value) for each shared field, in the catalogue's order; unknown keys are ignored."""
    chosen = set(keys) | ALWAYS_SHARED
    return [(field.label, field.read(nominal)) for key, field in SHAREABLE_FIELDS.items() if key in chosen]


def labels(keys: Iterable[str]) -> list[str]:
    chosen = set(keys)
    return [field.label for key, field in SHAREABLE_FIELDS.items() if key in chosen]
