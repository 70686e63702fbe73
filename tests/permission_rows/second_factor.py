"""The second factor's pages (docs/decisions/0011-second-factor.md).

Every actor here is signed in with the second factor done (tests/conftest.py), so the pages that
come before it send them on (302): set-up to Account security, the code pages to where they were
going. Account security and new recovery codes are everyone's own; an empty POST to the latter
issues the asker's new codes and shows them (200). Before the second factor, every other page sends
the person to these (tests/core/test_second_factor_middleware.py).
"""

from django.urls import reverse

from tests.permission_rows.common import SIGN_IN_FIRST, row

ROWS: dict[str, dict[str, dict[str, int]]] = {
    "account:security": {"GET": row(200, anonymous=SIGN_IN_FIRST)},
    "account:recovery-codes": {
        "GET": row(200, anonymous=SIGN_IN_FIRST),
        "POST": row(200, anonymous=SIGN_IN_FIRST),
    },
    "account:second-factor-set-up": {"GET": row(302), "POST": row(302)},
    "account:second-factor-verify": {"GET": row(302), "POST": row(302)},
    "account:second-factor-recovery-code": {"GET": row(302), "POST": row(302)},
}


def url_for(name: str, world, user) -> str | None:
    return reverse(name) if name in ROWS else None
