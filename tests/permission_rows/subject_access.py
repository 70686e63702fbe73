"""Subject access exports: the managing team's managers only (access.can_export_subject_access).

Everyone else is answered as if the person did not exist, team members included: the page is not
part of the shared record, and an export is a disclosure in the making. The page's POST prepares an
export (a redirect to its page); the export's page and its downloads are checked against the person
now, so they answer as the person's page does.

An export's URLs name the export, not the person, so the matrix's restricted-case rule (every URL of
the record answers 404) does not reach them by their arguments; RESTRICTED_ROWS says the same for them:
on a restricted case with nobody on its allow-list, nobody may open or download an export.
"""

from django.core.files.base import ContentFile
from django.urls import reverse

from dataprotection.models import SubjectAccessExport
from iom.core.models import Role
from tests.actors import member
from tests.permission_rows.common import SIGN_IN_FIRST, row

MANAGERS_OF_THE_PERSON = row(404, anonymous=SIGN_IN_FIRST, manager_own=200)

ROWS: dict[str, dict[str, dict[str, int]]] = {
    "dataprotection:subject-access": {
        "GET": MANAGERS_OF_THE_PERSON,
        "POST": row(404, anonymous=SIGN_IN_FIRST, manager_own=302),
    },
    "dataprotection:subject-access-export": {"GET": MANAGERS_OF_THE_PERSON},
    "dataprotection:subject-access-download": {"GET": MANAGERS_OF_THE_PERSON},
}

NOBODY = row(404, anonymous=SIGN_IN_FIRST)
RESTRICTED_ROWS: dict[str, dict[str, dict[str, int]]] = {
    "dataprotection:subject-access-export": {"GET": NOBODY},
    "dataprotection:subject-access-download": {"GET": NOBODY},
}


def _ready_export(world) -> SubjectAccessExport:
    """A built export of the world's person, asked for by one of the team's managers."""
    export = SubjectAccessExport.objects.create(
        nominal=world.nominal,
        team=world.own_team,
        requested_by=member(Role.MANAGER, team=world.own_team),
        status=SubjectAccessExport.Status.SUCCEEDED,
        progress=100,
    )
    export.json_file.save("matrix.json", ContentFile(b'{"schema_version": 1}'), save=False)
    export.pdf_file.save("matrix.pdf", ContentFile(b"%PDF-1.7"), save=False)
    export.save()
    return export


def url_for(name: str, world, user) -> str | None:
    if name == "dataprotection:subject-access":
        return reverse(name, args=[world.nominal.pk])
    if name == "dataprotection:subject-access-export":
        return reverse(name, args=[_ready_export(world).pk])
    if name == "dataprotection:subject-access-download":
        return reverse(name, args=[_ready_export(world).pk, "pdf"])
    return None
