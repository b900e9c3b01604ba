"""The one password check behind every login, the client API's and the web's.

policies.md §3.5: the lock is checked *before* the password (a locked account
gets no answer about its password), failures are counted per username even
for unknown names (so probing names tells nothing), an unknown name costs as
much time as a wrong password, and a right password clears the failures.
Each step is audited with the caller's ``source`` (``tablet`` or
``webviewer``).  What a successful login then does to a session differs per
edge and stays there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from copse.accounts import lockout
from copse.accounts.login_cache import VerifiedLogins
from copse.accounts.passwords import (
    check_password,
    hash_password,
    needs_rehash,
    waste_time_like_a_check,
)
from copse.accounts.users import User, get_user_by_name
from copse.audit import audit
from copse.config import Settings
from copse.schema.tables import users

#: The reference's message for a wrong name or password, or a user who may not log in here.
INVALID_LOGIN = "Invalid username/password (or user not authorized)"


@dataclass(frozen=True)
class LoginCheck:
    """The outcome: the user's id (None on failure) and, on failure, why."""

    user_id: int | None
    superuser: bool = False
    error: str | None = None
    #: The user as read for the check (None on failure), so callers need not read it again.
    user: User | None = None


def locked_message(username: str, until: datetime, now: datetime) -> str:
    """What a locked-out user is told, with the wait rounded up to whole minutes."""
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return (
        f"Account {username} is locked after too many failed logins; "
        f"try again in {minutes} minute(s) or ask an administrator to unlock it"
    )


def check_login(
    conn: sa.Connection,
    settings: Settings,
    username: str,
    password: str | None,
    *,
    source: str,
    remote_addr: str | None,
    now: datetime,
    clear_failures: bool = True,
    verified: VerifiedLogins | None = None,
) -> LoginCheck:
    """Check the lock, then the password; count and audit failures.

    ``clear_failures=False``: a second factor follows, and the failures are
    cleared only once it is passed (:mod:`copse.accounts.mfa`).  For a user
    with a second factor they are never cleared by the password alone (e.g. a
    tablet login): else anyone holding the password could reset the count of
    wrong codes through the client API and guess codes without limit.

    ``verified``: the tablet API's memory of passwords that passed a bcrypt
    check moments ago (:mod:`copse.accounts.login_cache`).  Only the bcrypt
    check itself is skipped on a hit; the lock, the user and the failures are
    read and written as on every login.  Never used for a user with a second
    factor: their password check is never shortened.
    """

    def note(details: str, user_id: int | None = None) -> None:
        audit(conn, details, source=source, now=now, remote_addr=remote_addr, user_id=user_id)

    until = lockout.locked_until(conn, username, now)
    if until is not None:
        note(f"Login refused, account locked: {username}")
        return LoginCheck(None, error=locked_message(username, until, now))
    user = get_user_by_name(conn, username)
    if user is None:
        waste_time_like_a_check(password, settings.bcrypt_rounds)
        ok = False
    else:
        if user.has_totp:
            verified = None
        ok = (
            verified is not None and verified.verified(user.id, user.hashedpw, password)
        ) or check_password(password, user.hashedpw)
    if user is None or not ok:
        note(f"Failed login as user: {username}")
        locked_for = lockout.record_failure(
            conn,
            username,
            now,
            threshold=settings.lockout_threshold,
            increment_minutes=settings.lockout_minutes,
        )
        if locked_for is not None:
            note(f"Account {username} locked out for {locked_for} minutes")
        return LoginCheck(None, error=INVALID_LOGIN)
    if clear_failures and not user.has_totp:
        lockout.clear_failures(conn, username)
    hashed = user.hashedpw
    if needs_rehash(hashed, settings.bcrypt_rounds):
        # A hash from an older, cheaper setting (e.g. CamCOPS's cost 6) is
        # upgraded while the password is at hand; the password is unchanged.
        hashed = hash_password(password or "", settings.bcrypt_rounds)
        conn.execute(sa.update(users).where(users.c.id == user.id).values(hashedpw=hashed))
        note(f"Password hash of {username} upgraded to bcrypt cost {settings.bcrypt_rounds}")
    if verified is not None:
        verified.remember(user.id, hashed, password)
    return LoginCheck(user.id, superuser=user.superuser, user=user)
