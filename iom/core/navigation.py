"""Primary navigation by role, offered to every template as `primary_navigation`."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from iom.core import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"primary_navigation": []}
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    view_name = request.resolver_match.view_name if request.resolver_match else ""
    on_dashboard = view_name == "reports:team-dashboard"
    on_panel = view_name in ("cohorts:panel", "cohorts:panel-decision")
    on_diary = view_name in ("supervision:my-diary", "supervision:team-diary")
    # Supervision's other pages (contacts, appointments, the Supervision tab) are part of a
    # person's record, so they sit under Caseload as the record's other tabs do.
    in_a_record = (namespace == "cohorts" and not on_panel) or (namespace == "supervision" and not on_diary)
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
    if access.can_administer(user):
        items.append(
            {"text": "Administration", "href": reverse("admin:index"), "current": namespace == "admin"}
        )
    return {"primary_navigation": items}
