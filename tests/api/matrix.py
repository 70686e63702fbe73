"""The contract between the API permission matrix (test_api_permission_matrix.py) and the row
modules beside it (matrix_core.py, matrix_cohorts.py, matrix_supervision.py, matrix_partners.py,
matrix_reports.py).

Each row module defines:
- `ENDPOINTS: dict[str, dict[str, dict[str, int]]]`: URL name ("api:nominal-detail") -> HTTP method
  -> {actor label (tests.test_permission_matrix.ACTORS): expected status}; build statuses with
  `row()`/`each()` from tests.test_permission_matrix. Anonymous is always 401.
- `prepare(name: str, method: str, world, user) -> Call`: the request to make, built from the
  world (tests.actors.World) through factories and services, so it reaches the rule it tests.

Writes in the matrix send a body that is allowed but invalid (usually `{}`), so an actor who may
act gets 400 and nothing changes; one who may not gets 403 (can see, may not change) or 404.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    url: str
    data: dict[str, Any] | None = None
    # Extra request headers in Django's test-client form, e.g. {"HTTP_IF_MATCH": '"12-v1"'}.
    headers: dict[str, str] = field(default_factory=dict)
