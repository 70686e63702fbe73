"""Retention review (dataprotection): the managers of the person's team only.

The list is for every manager (each sees their own teams); a person's review and erasure pages answer
the managers of that person's team, 404 to everyone else. The world's person is made due for review
(they left IOM seven years ago) so the pages have something to decide. An empty POST re-shows the form
with its errors and changes nothing.

On a restricted case the default holds (404 to everyone signed in), and a manager on the allow-list
reviews it as any other.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from dataprotection.factories import left_iom
from iom.core.factories import UserFactory
from tests.permission_rows.common import SIGN_IN_FIRST, row

MANAGERS_OF_THE_PERSON = row(404, anonymous=SIGN_IN_FIRST, manager_own=200)

ROWS: dict[str, dict[str, dict[str, int]]] = {
    "dataprotection:retention": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, manager_own=200, manager_other=200),
    },
    "dataprotection:retention-review": {"GET": MANAGERS_OF_THE_PERSON, "POST": MANAGERS_OF_THE_PERSON},
    "dataprotection:retention-erase": {"GET": MANAGERS_OF_THE_PERSON, "POST": MANAGERS_OF_THE_PERSON},
}


def url_for(name: str, world, user) -> str | None:
    if name == "dataprotection:retention":
        return reverse(name)
    if name in ("dataprotection:retention-review", "dataprotection:retention-erase"):
        left_iom(
            world.nominal, on=timezone.localdate() - datetime.timedelta(days=7 * 365), by=UserFactory.create()
        )
        return reverse(name, args=[world.nominal.pk])
    return None
