"""What one client-API request carries once it has been set up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from copse.accounts.users import User
from copse.config import Settings
from copse.wire.form import Form
from copse.wire.version import Version


@dataclass(frozen=True)
class ApiRequest:
    """The parsed, validated request; immutable so handlers can be retried."""

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


@dataclass(frozen=True)
class Caller:
    """Who is calling, resolved inside the operation's transaction."""

    user: User | None
    device_id: int | None
    login_error: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None
