"""The audit viewer and each person's access log (issue 9, H5)."""

from django.urls import reverse

from tests.permission_rows.common import SIGN_IN_FIRST, TEAM_OWN, each, row

# Managers read their teams' audit, administrators the whole of it; for everyone else there is no such page.
AUDIT_READERS = row(404, anonymous=SIGN_IN_FIRST, manager_own=200, manager_other=200, administrator=200)

ROWS: dict[str, dict[str, dict[str, int]]] = {
    "dataprotection:audit": {"GET": AUDIT_READERS},
    "dataprotection:audit-export": {"GET": AUDIT_READERS},
    # Who has looked at this record: like every tab of the record, the own team.
    "dataprotection:access-log": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200))},
}


def url_for(name: str, world, user) -> str | None:
    if name in ("dataprotection:audit", "dataprotection:audit-export"):
        return reverse(name)
    if name == "dataprotection:access-log":
        return reverse(name, args=[world.nominal.pk])
    return None
