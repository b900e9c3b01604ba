"""What one client-API request carries once it has been set up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from copse.accounts.users import User
from copse.config import Settings
from copse.records.devicelock import LockedDevice
from copse.wire.form import Form
from copse.wire.version import Version


@dataclass(frozen=True)
class ApiRequest:
    """The parsed, validated request; immutable so handlers can be retried.

    ``memo`` is the one mutable part: a handler may keep there what it derived
    from the form alone (no database), so that a retried transaction
    (``db.tx.run_in_transaction``) reuses it instead of deriving it again.
    """

    settings: Settings
    form: Form
    operation: str | None
    device_name: str | None
    username: str | None
    password: str | None
    client_version: Version
    client_version_str: str
    remote_addr: str | None
    #: Fixed once per request: naive UTC, like every DateTime column.
    now_utc: datetime
    memo: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Caller:
    """Who is calling, resolved inside the operation's transaction."""

    user: User | None
    device_id: int | None
    login_error: str | None = None
    #: The device's row as read when the request locked it (None: no device).
    locked: LockedDevice | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None
