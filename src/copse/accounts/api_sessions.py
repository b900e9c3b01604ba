"""Login sessions for the client API (policies.md §3.6), plus copse's lockout.

Session bookkeeping runs first in the request's one transaction, before the
operation, which runs in a savepoint (``copse.api.endpoint``).  A failed
operation rolls back to that savepoint only, so its reply still carries a
session id whose row really exists, and failed logins stay recorded for the
lockout count.  The session's user comes with the session lookup (one
statement), and is handed on so the operation does not read it again.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from copse.accounts.login import check_login
from copse.accounts.login_cache import VerifiedLogins
from copse.accounts.users import USER_COLUMNS, User
from copse.accounts.web_sessions import TOUCH_AFTER
from copse.config import Settings
from copse.db.insert import insert_id
from copse.schema.tables import sessions, users


@dataclass(frozen=True)
class SessionInfo:
    id: int
    token: str
    user_id: int | None
    #: Why a login attempted in this request did not succeed, if it did not.
    login_error: str | None = None
    #: A session created by this request without a username.  CamCOPS has
    #: not yet flushed such a row when it copies the id into the reply, so it
    #: answers ``session_id:None`` (wire.md §2.2, "Reference quirk"); copse
    #: answers the same so that a tablet sees what it would see there.
    anonymous_new: bool = False
    #: The logged-in user as read in this request's transaction (None if none).
    user: User | None = None
    #: Whether establishing the session wrote anything (a new session, a
    #: login, a failed-login record, the idle clock restarted).  If not,
    #: there is nothing to keep when the operation fails, so the endpoint
    #: runs it without a savepoint (two round trips fewer per request).
    wrote: bool = True

    @property
    def reply_id(self) -> int | None:
        """The ``session_id`` value of the reply."""
        return None if self.anonymous_new else self.id


def generate_token() -> str:
    """16 random bytes, URL-safe base64: 24 characters, as CamCOPS issues."""
    return base64.urlsafe_b64encode(os.urandom(16)).decode("ascii")


def _new_session(conn: sa.Connection, ip: str | None, now: datetime) -> tuple[int, str]:
    token = generate_token()
    sid = insert_id(
        conn,
        sa.insert(sessions).values(
            token=token, ip_address=ip, last_activity_utc=now, is_api_session=True
        ),
    )
    return int(sid), token


def _session_query(check_ip: bool) -> sa.Select[Any]:
    q = (
        sa.select(
            sessions.c.id.label("session_id"),
            sessions.c.token.label("session_token"),
            sessions.c.user_id.label("session_user_id"),
            sessions.c.last_activity_utc.label("session_last_activity_utc"),
            *USER_COLUMNS,
        )
        .select_from(sessions.outerjoin(users, users.c.id == sessions.c.user_id))
        .where(
            sessions.c.id == sa.bindparam("sid"),
            sessions.c.token == sa.bindparam("token"),
            sessions.c.last_activity_utc >= sa.bindparam("cutoff"),
        )
    )
    if not check_ip:
        return q
    # IS NOT DISTINCT FROM: a request with no client address matches a session with none.
    return q.where(sessions.c.ip_address.is_not_distinct_from(sa.bindparam("ip")))


#: The session look-up, with and without the IP address check: built once
#: (perf: building it, and its cache key, was a tenth of a request's time).
_FIND_SESSION = {False: _session_query(False), True: _session_query(True)}


#: (id, token, user id, user, touched): see :func:`found_session`.
FoundSession = tuple[int, str, int | None, User | None, bool]


class SessionLookup(NamedTuple):
    """A session already looked up by the caller, in the request's transaction."""

    #: The live session, or None if the id and token name none (expired or unknown).
    found: FoundSession | None


def parse_session_id(session_id: str | None) -> int | None:
    """The request's ``session_id`` as a number, or None (absent or not a number)."""
    try:
        return int(session_id) if session_id else None
    except ValueError:
        return None


def session_statement(check_ip: bool) -> sa.Select[Any]:
    """The statement that finds a live session with its user (built once per setting).

    :mod:`copse.records.devicelock` also runs it inside the device lock's
    statement, so that a request in a conversation pays one round trip for both.
    """
    return _FIND_SESSION[check_ip]


def session_params(
    settings: Settings, sid: int, token: str, ip: str | None, now: datetime
) -> dict[str, Any]:
    """The parameters of :func:`session_statement` for one request."""
    cutoff = now - timedelta(minutes=settings.session_timeout_minutes)
    params: dict[str, Any] = {"sid": sid, "token": token, "cutoff": cutoff}
    if settings.session_check_ip:
        params["ip"] = ip
    return params


def found_session(conn: sa.Connection, row: Any, now: datetime) -> FoundSession | None:
    """The live session in ``row`` (the look-up's columns; ``session_id`` None: none).

    Its idle clock is restarted if it is more than :data:`TOUCH_AFTER` old
    (a write on one request a minute, not on every one of a conversation;
    ``touched`` says it was).  The user row came with it (an outer join): one
    round trip instead of two.
    """
    if row is None or row.session_id is None:
        return None
    touched = now - row.session_last_activity_utc >= TOUCH_AFTER
    if touched:
        conn.execute(
            sa.update(sessions).where(sessions.c.id == row.session_id).values(last_activity_utc=now)
        )
    user = User.from_row(row) if row.id is not None else None
    return int(row.session_id), str(row.session_token), row.session_user_id, user, touched


def _find_session(
    conn: sa.Connection, settings: Settings, sid: int, token: str, ip: str | None, now: datetime
) -> FoundSession | None:
    statement = session_statement(settings.session_check_ip)
    params = session_params(settings, sid, token, ip, now)
    return found_session(conn, conn.execute(statement, params).first(), now)


def establish_session(
    conn: sa.Connection,
    settings: Settings,
    *,
    session_id: str | None,
    session_token: str | None,
    username: str | None,
    password: str | None,
    remote_addr: str | None,
    now: datetime,
    verified: VerifiedLogins | None = None,
    looked_up: SessionLookup | None = None,
) -> SessionInfo:
    """Find or create the caller's login session and log in if needed.

    ``verified``: the process's memory of passwords just checked
    (:mod:`copse.accounts.login_cache`), so a tablet's next conversation
    need not pay for bcrypt again.  ``looked_up``: the session as the caller
    has already looked it up in this transaction (with the device lock), so
    it is not read again.
    """
    sid = parse_session_id(session_id)
    row = None
    created = touched = False
    if looked_up is not None:
        row = looked_up.found
    elif sid is not None and session_token:
        row = _find_session(conn, settings, sid, session_token, remote_addr, now)
    if row is not None:
        current_id, token, user_id, user, touched = row
        if user_id is not None:
            if user is not None and user.username == username:
                # The reference does not re-check the password of a session
                # that is already logged in as this user.
                return SessionInfo(current_id, token, user.id, user=user, wrote=touched)
            # A different user: log the old session out, start afresh.
            conn.execute(
                sa.update(sessions)
                .where(sessions.c.id == current_id)
                .values(user_id=None, token="")
            )
            current_id, token = _new_session(conn, remote_addr, now)
            created = True
    else:
        current_id, token = _new_session(conn, remote_addr, now)
        created = True
    if not username:
        return SessionInfo(current_id, token, None, anonymous_new=created, wrote=created or touched)
    return _login(conn, settings, current_id, token, username, password, remote_addr, now, verified)


def _login(
    conn: sa.Connection,
    settings: Settings,
    sid: int,
    token: str,
    username: str,
    password: str | None,
    remote_addr: str | None,
    now: datetime,
    verified: VerifiedLogins | None,
) -> SessionInfo:
    check = check_login(
        conn,
        settings,
        username,
        password,
        source="tablet",
        remote_addr=remote_addr,
        now=now,
        verified=verified,
    )
    if check.user_id is None:
        return SessionInfo(sid, token, None, check.error)
    new_token = generate_token()  # a new token at login, against session fixation
    conn.execute(
        sa.update(sessions)
        .where(sessions.c.id == sid)
        .values(user_id=check.user_id, token=new_token, is_api_session=True)
    )
    return SessionInfo(sid, new_token, check.user_id, user=check.user)
