"""What the current request is, for the audit trail: its id and the client's address.

Held in a context variable so services can audit without every caller threading the
request through; tasks and the shell simply have none.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str | None


current: ContextVar[RequestContext | None] = ContextVar("iom_request_context", default=None)
