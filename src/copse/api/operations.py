"""The table of client-API operations: name -> handler and permission class.

Handlers are plain functions ``(conn, req, caller) -> result`` where result is
None (reply ``result:<operation>``), a string (``result:<string>``) or a list
of (key, value) pairs.  They run inside the request's one transaction and
never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from copse.api.context import ApiRequest, Caller

Result = None | str | Sequence[tuple[str, object]]
Handler = Callable[[sa.Connection, ApiRequest, Caller], Result]
Permission = Literal["anyone", "registration", "upload"]


@dataclass(frozen=True)
class Operation:
    name: str
    handler: Handler
    permission: Permission


OPERATIONS: dict[str, Operation] = {}


def operation(name: str, permission: Permission) -> Callable[[Handler], Handler]:
    """Register a handler under its wire name."""

    def register(fn: Handler) -> Handler:
        if name in OPERATIONS:
            raise RuntimeError(f"operation {name} registered twice")
        OPERATIONS[name] = Operation(name, fn, permission)
        return fn

    return register


def load_all() -> dict[str, Operation]:
    """Import every module that registers operations (they import this one, hence not at
    the top)."""
    from copse.api import ops_info, ops_patients, ops_upload  # noqa: F401

    return OPERATIONS
