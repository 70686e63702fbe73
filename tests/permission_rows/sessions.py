"""Sign-in and sessions: password reset and change, and the timeout warning's keep-alive.

Password reset is for everyone, signed in or not: someone signed in on one device may have forgotten
the password another asks for, and the page discloses nothing either way. Its confirm URL carries a
link that is not valid here, so every actor sees "This link does not work" (200). Changing a
password and keeping the session alive need signing in first.
"""

from django.urls import reverse

from tests.permission_rows.common import SIGN_IN_FIRST, row

ROWS: dict[str, dict[str, dict[str, int]]] = {
    "password-reset": {
        "GET": row(200),
        "POST": row(200),  # an empty form re-shows with its error
    },
    "password-reset-done": {"GET": row(200)},
    "password-reset-confirm": {"GET": row(200)},
    "password-reset-complete": {"GET": row(200)},
    "password-change": {
        "GET": row(200, anonymous=SIGN_IN_FIRST),
        "POST": row(200, anonymous=SIGN_IN_FIRST),  # an empty form re-shows with its errors
    },
    "password-change-done": {"GET": row(200, anonymous=SIGN_IN_FIRST)},
    "session-extend": {
        "GET": row(405, anonymous=SIGN_IN_FIRST),
        "POST": row(204, anonymous=SIGN_IN_FIRST),
    },
}


def url_for(name: str, world, user) -> str | None:
    if name not in ROWS:
        return None
    if name == "password-reset-confirm":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "not-a-token"})
    return reverse(name)
