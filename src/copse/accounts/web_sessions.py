"""Web login sessions, logins, logouts and who may see what.

Web sessions live in ``_security_webviewer_sessions`` with ``is_api_session``
false, so one table holds every login, as in the reference.  A session row is
created for an anonymous visitor of the login page: the login form's CSRF
token is bound to it (login CSRF), and the token is replaced at login so a
planted session id is useless afterwards (session fixation).

Lockout follows policies.md §3.5: the lock is checked *before* the password,
failures are counted per username even for unknown names, and a successful
login clears them.  Services here never commit; the web endpoint owns the
transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from copse.accounts import lockout, mfa
from copse.accounts.login import INVALID_LOGIN, check_login
from copse.accounts.password_rules import DEFAULT_MIN_LENGTH
from copse.accounts.password_rules import password_problem as rules_problem
from copse.audit import audit
from copse.config import Settings
from copse.schema.tables import group_group, groups, memberships, sessions, users


@dataclass(frozen=True)
class WebSession:
    id: int
    token: str
    user_id: int | None


@dataclass(frozen=True)
class WebUser:
    """The logged-in user and the groups that bound everything they see."""

    id: int
    username: str
    superuser: bool
    must_change_password: bool
    #: Two-factor login is required for them and not set up yet: every page
    #: sends them to the set-up page.
    must_enrol_mfa: bool
    #: Groups whose data the user may see (memberships plus group-group
    #: visibility).  Ignored for superusers, who see everything.
    visible_group_ids: frozenset[int]
    admin_group_ids: frozenset[int]

    @property
    def is_admin(self) -> bool:
        """Superuser or administrator of at least one group."""
        return self.superuser or bool(self.admin_group_ids)

    def may_see_group(self, group_id: int | None) -> bool:
        return self.superuser or (group_id is not None and group_id in self.visible_group_ids)


def new_token() -> str:
    # 32 random bytes; URL-safe base64 never contains the cookie's '.' separator.
    return secrets.token_urlsafe(32)


def create_session(conn: sa.Connection, ip: str | None, now: datetime) -> WebSession:
    token = new_token()
    key = conn.execute(
        sa.insert(sessions).values(
            token=token, ip_address=ip, last_activity_utc=now, is_api_session=False
        )
    ).inserted_primary_key
    assert key is not None
    return WebSession(int(key[0]), token, None)


#: Don't rewrite ``last_activity_utc`` on every page view or tablet request:
#: a minute's precision on the idle timeout saves a write on most requests.
TOUCH_AFTER = timedelta(minutes=1)


def find_session(
    conn: sa.Connection,
    settings: Settings,
    sid: int,
    token: str,
    ip: str | None,
    now: datetime,
    *,
    touch: Callable[[Callable[[sa.Connection], None]], None] | None = None,
) -> WebSession | None:
    """The live web session with this id and token, its idle clock restarted.

    ``touch`` takes the restart as a write to do (a read-only page queues
    it for after the page); by default it is done at once.
    """
    cutoff = now - timedelta(minutes=settings.session_timeout_minutes)
    q = sa.select(
        sessions.c.id, sessions.c.token, sessions.c.user_id, sessions.c.last_activity_utc
    ).where(
        sessions.c.id == sid,
        sessions.c.token == token,
        sessions.c.is_api_session == sa.false(),
        sessions.c.last_activity_utc >= cutoff,
    )
    if settings.session_check_ip:
        q = q.where(sessions.c.ip_address == ip)
    row = conn.execute(q).first()
    if row is None:
        return None
    if now - row.last_activity_utc >= TOUCH_AFTER:

        def restart(c: sa.Connection) -> None:
            c.execute(sa.update(sessions).where(sessions.c.id == sid).values(last_activity_utc=now))

        (touch or (lambda write: write(conn)))(restart)
    return WebSession(int(row.id), str(row.token), row.user_id)


def load_user(conn: sa.Connection, user_id: int) -> WebUser | None:
    """The user with their visible and administered groups, or None if gone."""
    u = conn.execute(
        sa.select(
            users.c.id,
            users.c.username,
            users.c.superuser,
            users.c.must_change_password,
            users.c.mfa_method,
            users.c.mfa_required,
        ).where(users.c.id == user_id)
    ).first()
    if u is None:
        return None
    ms = conn.execute(
        sa.select(memberships.c.group_id, memberships.c.groupadmin).where(
            memberships.c.user_id == user_id
        )
    ).all()
    member = {m.group_id for m in ms}
    seen = set(member)
    if member:
        seen.update(
            conn.execute(
                sa.select(group_group.c.can_see_group_id).where(group_group.c.group_id.in_(member))
            ).scalars()
        )
    return WebUser(
        id=int(u.id),
        username=str(u.username),
        superuser=bool(u.superuser),
        must_change_password=bool(u.must_change_password),
        must_enrol_mfa=u.mfa_method != mfa.TOTP
        and (bool(u.mfa_required) or mfa.site_required(conn)),
        visible_group_ids=frozenset(seen),
        admin_group_ids=frozenset(m.group_id for m in ms if m.groupadmin),
    )


def may_use_webviewer(conn: sa.Connection, user_id: int, superuser: bool) -> bool:
    if superuser:
        return True
    return bool(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(memberships)
            .where(memberships.c.user_id == user_id, memberships.c.may_use_webviewer == sa.true())
        ).scalar_one()
    )


def all_group_names(conn: sa.Connection) -> dict[int, str]:
    return {int(r.id): str(r.name) for r in conn.execute(sa.select(groups.c.id, groups.c.name))}


@dataclass(frozen=True)
class LoginResult:
    session: WebSession | None
    error: str | None
    #: The password was right; the second factor is awaited (``/login/mfa``)
    #: in this session, whose token was rotated (send the new cookie).
    mfa_pending: WebSession | None = None


def login(
    conn: sa.Connection,
    settings: Settings,
    current: WebSession,
    username: str,
    password: str,
    ip: str | None,
    now: datetime,
) -> LoginResult:
    """Check the lock, then the password; then await the second factor or log in."""

    check = check_login(
        conn,
        settings,
        username,
        password,
        source="webviewer",
        remote_addr=ip,
        now=now,
        clear_failures=False,
    )
    if check.user_id is None:
        return LoginResult(None, check.error)
    user_id = check.user_id
    if not may_use_webviewer(conn, user_id, check.superuser):
        # The password was right, so this is not a guessing failure.
        audit(
            conn,
            f"Login refused, not permitted to use the web viewer: {username}",
            source="webviewer",
            now=now,
            remote_addr=ip,
            user_id=user_id,
        )
        return LoginResult(None, INVALID_LOGIN)
    if mfa.status(conn, user_id).enrolled:
        # A new token already now: a session id planted before the password
        # (session fixation) cannot be used to try codes.
        token = new_token()
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.id == current.id)
            .values(token=token, last_activity_utc=now)
        )
        mfa.begin_login(conn, current.id, user_id, now)
        audit(
            conn,
            f"Password accepted, two-factor code awaited: {username}",
            source="webviewer",
            now=now,
            remote_addr=ip,
            user_id=user_id,
        )
        return LoginResult(None, None, mfa_pending=WebSession(current.id, token, None))
    lockout.clear_failures(conn, username)
    return LoginResult(complete_login(conn, settings, current, user_id, username, ip, now), None)


def login_with_code(
    conn: sa.Connection,
    settings: Settings,
    current: WebSession,
    code: str,
    ip: str | None,
    now: datetime,
) -> mfa.CodeCheck | WebSession:
    """The second step: the logged-in session, or the failed check."""
    check = mfa.check_login_code(conn, settings, current.id, code, remote_addr=ip, now=now)
    if check.user_id is None:
        return check
    return complete_login(conn, settings, current, check.user_id, check.username, ip, now)


def complete_login(
    conn: sa.Connection,
    settings: Settings,
    current: WebSession,
    user_id: int,
    username: str,
    ip: str | None,
    now: datetime,
) -> WebSession:
    """Every check passed: rotate the session token and bind the session to the user."""
    # One web session per person: drop their other browser sessions, and
    # expired anonymous ones while we are here.
    cutoff = now - timedelta(minutes=settings.session_timeout_minutes)
    conn.execute(
        sa.delete(sessions).where(
            sessions.c.is_api_session == sa.false(),
            sessions.c.id != current.id,
            sa.or_(sessions.c.user_id == user_id, sessions.c.last_activity_utc < cutoff),
        )
    )
    token = new_token()
    conn.execute(
        sa.update(sessions)
        .where(sessions.c.id == current.id)
        .values(user_id=user_id, token=token, last_activity_utc=now)
    )
    conn.execute(sa.update(users).where(users.c.id == user_id).values(last_login_at_utc=now))
    audit(
        conn,
        f"Login as user: {username}",
        source="webviewer",
        now=now,
        remote_addr=ip,
        user_id=user_id,
    )
    return WebSession(current.id, token, user_id)


def logout(conn: sa.Connection, session: WebSession, ip: str | None, now: datetime) -> None:
    if session.user_id is not None:
        audit(conn, "Logout", source="webviewer", now=now, remote_addr=ip, user_id=session.user_id)
    conn.execute(sa.delete(sessions).where(sessions.c.id == session.id))


def password_problem(
    new: str, confirm: str, username: str, min_length: int = DEFAULT_MIN_LENGTH
) -> str | None:
    """Why a proposed password (typed twice on a web form) is refused, or None."""
    problem = rules_problem(new, username, min_length)
    if problem is None and new != confirm:
        return "The two new passwords don't match"
    return problem
