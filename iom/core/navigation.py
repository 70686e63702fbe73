"""Primary navigation by role, offered to every template as `primary_navigation`, and the links
beside "Signed in as" (the person's own things) as `account_navigation`."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from iom.core import access, second_factor

# Partners' pages by where they sit: the team's referral list (a person's Referrals tab stays under
# Caseload), the directory, and the partner's own inbox.
TEAM_REFERRAL_PAGES = frozenset(
    f"partners:{name}"
    for name in ("team-referrals", "referral-detail", "referral-edit", "referral-send", "referral-withdraw")
)
DIRECTORY_PAGES = frozenset(
    f"partners:{name}"
    for name in ("directory", "service-create", "service-detail", "service-edit", "organisation-create")
)
PARTNER_PAGES = frozenset(
    f"partners:{name}"
    for name in ("inbox", "inbox-detail", "accept", "decline", "add-update", "record-session", "complete")
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    # Before the second factor, nothing to go to: every page would send the person back to it.
    if user is None or not user.is_authenticated or not second_factor.is_verified(user):
        return {"primary_navigation": [], "account_navigation": []}
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    view_name = request.resolver_match.view_name if request.resolver_match else ""
    on_dashboard = view_name in ("reports:team-dashboard", "reports:referrals-dashboard")
    on_panel = view_name in ("cohorts:panel", "cohorts:panel-decision")
    on_diary = view_name in ("supervision:my-diary", "supervision:team-diary")
    on_referrals = view_name in TEAM_REFERRAL_PAGES
    on_directory = view_name in DIRECTORY_PAGES
    on_inbox = view_name in PARTNER_PAGES
    on_retention = view_name.startswith("dataprotection:retention")
    on_audit = view_name.startswith("dataprotection:audit")
    # Supervision's other pages (contacts, appointments, the Supervision tab) are part of a
    # person's record, so they sit under Caseload as the record's other tabs do.
    in_a_record = (
        (namespace == "cohorts" and not on_panel)
        or (namespace == "supervision" and not on_diary)
        or (namespace == "partners" and not (on_referrals or on_directory or on_inbox))
        # A person's access log and subject access export are parts of their record too.
        or view_name == "dataprotection:access-log"
        or view_name.startswith("dataprotection:subject-access")
    )
    items = []
    if access.works_a_caseload(user):
        items.append(
            {
                "text": "Caseload",
                "href": reverse("cohorts:caseload"),
                "current": in_a_record,
            }
        )
        items.append({"text": "Diary", "href": reverse("supervision:my-diary"), "current": on_diary})
        items.append(
            {"text": "Referrals", "href": reverse("partners:team-referrals"), "current": on_referrals}
        )
    if access.managed_team_ids(user):
        items.append(
            {"text": "Dashboard", "href": reverse("reports:team-dashboard"), "current": on_dashboard}
        )
        items.append({"text": "Panel", "href": reverse("cohorts:panel"), "current": on_panel})
    if access.uses_governance_reports(user):
        items.append(
            {
                "text": "Governance reports",
                "href": reverse("reports:list"),
                "current": namespace == "reports" and not on_dashboard,
            }
        )
    if access.is_partner(user):
        items.append({"text": "Referrals to us", "href": reverse("partners:inbox"), "current": on_inbox})
    if access.can_use_directory(user):
        items.append(
            {"text": "Partner directory", "href": reverse("partners:directory"), "current": on_directory}
        )
    if access.retention_team_ids(user):
        items.append(
            {"text": "Retention", "href": reverse("dataprotection:retention"), "current": on_retention}
        )
    if access.can_view_audit(user):
        items.append({"text": "Audit", "href": reverse("dataprotection:audit"), "current": on_audit})
    if access.can_administer(user):
        items.append(
            {"text": "Administration", "href": reverse("admin:index"), "current": namespace == "admin"}
        )
    account_items = []
    if access.may_hold_api_token(user):
        account_items.append(
            {
                "text": "API tokens",
                "href": reverse("account:api-tokens"),
                "current": view_name.startswith("account:api-token"),
            }
        )
    account_items.append(
        {
            "text": "Account security",
            "href": reverse("account:security"),
            "current": view_name in ("account:security", "account:recovery-codes"),
        }
    )
    return {"primary_navigation": items, "account_navigation": account_items}
