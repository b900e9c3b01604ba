"""Two-factor login for the web front end: TOTP (RFC 6238) and recovery codes.

Why these choices:

* **Where things are kept.**  The TOTP secret lives where CamCOPS keeps it,
  ``_security_users.mfa_secret_key`` with ``mfa_method = 'totp'``, stored
  plainly (as CamCOPS does), so a CamCOPS database imports with its users'
  authenticator apps still working.  Whoever can read the database can read
  the secrets: protect it and its backups as the clinical data they hold.
* **A code is accepted once.**  The time step of the last accepted code is
  kept in ``mfa_last_totp_step``; a code is accepted only for a *later*
  step, by one conditional UPDATE, so two concurrent requests with the same
  code cannot both win (the state is in the database, not in a process).
  Codes from the previous or next 30-second step are accepted (clock drift).
* **Wrong codes count as wrong passwords** (:mod:`copse.accounts.lockout`),
  and a right password does not clear the failures until the second factor
  is passed: otherwise re-entering the password would reset the count and
  allow unlimited code guessing.
* **Recovery codes** are random (10 characters of 32: 50 bits) and single-use, stored as SHA-256
  hashes: a slow hash protects guessable secrets, not random ones.
* **Half-way states** (password right, code awaited; secret shown, first
  code awaited) are rows of ``_security_mfa_pending`` keyed by the web
  session, valid for ``mfa_timeout_seconds``.

Services never commit; the caller's request or command owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import sqlalchemy as sa

from copse.accounts import lockout
from copse.accounts.login import locked_message
from copse.audit import audit
from copse.config import Settings
from copse.schema.tables import mfa_pending, mfa_recovery_codes, server_settings, users

TOTP = "totp"
NO_MFA = "no_mfa"
STEP_SECONDS = 30
DIGITS = 6
#: Accepted clock drift, in steps either side of now (RFC 6238 §5.2).
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
LOGIN, ENROL = "login", "enrol"

WRONG_CODE = "The code is wrong or has already been used. Enter the current code from your app."
EXPIRED = "The two-factor step has expired; log in again."


def new_secret() -> str:
    """A new TOTP secret: 32 base-32 characters (160 bits), as authenticator apps expect."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer or "copse")


def time_step(now: datetime) -> int:
    """The RFC 6238 time step of a naive-UTC time."""
    return int(now.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The step within the drift window whose code this is, or None."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    here = time_step(now)
    for step in range(here - DRIFT_STEPS, here + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def _claim_step(conn: sa.Connection, user_id: int, step: int) -> bool:
    """Record ``step`` as used, unless it (or a later one) already was: atomic."""
    last = users.c.mfa_last_totp_step
    done = conn.execute(
        sa.update(users)
        .where(users.c.id == user_id, sa.or_(last.is_(None), last < step))
        .values(mfa_last_totp_step=step)
    )
    return done.rowcount == 1


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def new_recovery_codes(conn: sa.Connection, user_id: int, now: datetime) -> list[str]:
    """Replace the user's recovery codes; the codes are returned once, never stored plainly."""
    conn.execute(sa.delete(mfa_recovery_codes).where(mfa_recovery_codes.c.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    conn.execute(
        sa.insert(mfa_recovery_codes),
        [
            {"user_id": user_id, "code_hash": _hash_recovery(c), "created_at_utc": now}
            for c in codes
        ],
    )
    return codes


def recovery_codes_left(conn: sa.Connection, user_id: int) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(mfa_recovery_codes)
            .where(
                mfa_recovery_codes.c.user_id == user_id, mfa_recovery_codes.c.used_at_utc.is_(None)
            )
        ).scalar_one()
    )


def _use_recovery_code(conn: sa.Connection, user_id: int, code: str, now: datetime) -> bool:
    """Spend one unused recovery code (atomic: a code works once)."""
    if len(_normalise_recovery(code)) != 10:
        return False
    t = mfa_recovery_codes
    done = conn.execute(
        sa.update(t)
        .where(
            t.c.user_id == user_id,
            t.c.code_hash == _hash_recovery(code),
            t.c.used_at_utc.is_(None),
        )
        .values(used_at_utc=now)
    )
    return done.rowcount == 1


@dataclass(frozen=True)
class MfaStatus:
    enrolled: bool
    required_for_user: bool
    required_for_all: bool
    recovery_codes_left: int

    @property
    def required(self) -> bool:
        return self.required_for_user or self.required_for_all


def site_required(conn: sa.Connection) -> bool:
    return bool(conn.execute(sa.select(server_settings.c.mfa_required)).scalar())


def set_site_required(conn: sa.Connection, required: bool) -> None:
    """The site-wide "every web user must use two-factor login" switch."""
    if conn.execute(sa.select(server_settings.c.id).where(server_settings.c.id == 1)).first():
        conn.execute(
            sa.update(server_settings)
            .where(server_settings.c.id == 1)
            .values(mfa_required=required)
        )
    else:
        conn.execute(sa.insert(server_settings).values(id=1, mfa_required=required))


def set_user_required(conn: sa.Connection, user_id: int, required: bool) -> None:
    conn.execute(sa.update(users).where(users.c.id == user_id).values(mfa_required=required))


def status(conn: sa.Connection, user_id: int) -> MfaStatus:
    row = conn.execute(
        sa.select(users.c.mfa_method, users.c.mfa_secret_key, users.c.mfa_required).where(
            users.c.id == user_id
        )
    ).one()
    return MfaStatus(
        enrolled=row.mfa_method == TOTP and bool(row.mfa_secret_key),
        required_for_user=bool(row.mfa_required),
        required_for_all=site_required(conn),
        recovery_codes_left=recovery_codes_left(conn, user_id),
    )


def reset(conn: sa.Connection, user_id: int) -> None:
    """Forget the user's second factor (lost phone): secret, recovery codes, half-way steps.

    If two-factor login is required for them, they enrol again at their next login.
    """
    conn.execute(
        sa.update(users)
        .where(users.c.id == user_id)
        .values(mfa_secret_key=None, mfa_method=NO_MFA, mfa_last_totp_step=None)
    )
    conn.execute(sa.delete(mfa_recovery_codes).where(mfa_recovery_codes.c.user_id == user_id))
    conn.execute(sa.delete(mfa_pending).where(mfa_pending.c.user_id == user_id))


# --- half-way states --------------------------------------------------------


def _begin(
    conn: sa.Connection,
    session_id: int,
    user_id: int,
    purpose: str,
    now: datetime,
    secret: str | None = None,
) -> None:
    conn.execute(sa.delete(mfa_pending).where(mfa_pending.c.session_id == session_id))
    conn.execute(
        sa.insert(mfa_pending).values(
            session_id=session_id, user_id=user_id, purpose=purpose, secret=secret, started_utc=now
        )
    )


def _pending(
    conn: sa.Connection, settings: Settings, session_id: int, purpose: str, now: datetime
) -> sa.Row[Any, Any, Any] | None:
    cutoff = now - timedelta(seconds=settings.mfa_timeout_seconds)
    return conn.execute(
        sa.select(mfa_pending.c.user_id, mfa_pending.c.secret, users.c.username)
        .join(users, users.c.id == mfa_pending.c.user_id)
        .where(
            mfa_pending.c.session_id == session_id,
            mfa_pending.c.purpose == purpose,
            mfa_pending.c.started_utc >= cutoff,
        )
    ).first()


def end_pending(conn: sa.Connection, session_id: int) -> None:
    conn.execute(sa.delete(mfa_pending).where(mfa_pending.c.session_id == session_id))


def begin_login(conn: sa.Connection, session_id: int, user_id: int, now: datetime) -> None:
    """The password was right and the user has a second factor: await the code."""
    _begin(conn, session_id, user_id, LOGIN, now)


def login_pending(
    conn: sa.Connection, settings: Settings, session_id: int, now: datetime
) -> str | None:
    """The username awaiting a code in this session, or None (none or expired)."""
    row = _pending(conn, settings, session_id, LOGIN, now)
    return None if row is None else str(row.username)


@dataclass(frozen=True)
class CodeCheck:
    """A second-factor check: the user id on success, else a message (and ``restart``
    when the user must start again from the password)."""

    user_id: int | None
    username: str = ""
    error: str | None = None
    restart: bool = False


def check_login_code(
    conn: sa.Connection,
    settings: Settings,
    session_id: int,
    code: str,
    *,
    remote_addr: str | None,
    now: datetime,
) -> CodeCheck:
    """Second step of a web login: the lock first, then the TOTP or a recovery code."""
    row = _pending(conn, settings, session_id, LOGIN, now)
    if row is None:
        return CodeCheck(None, error=EXPIRED, restart=True)
    user_id, username = int(row.user_id), str(row.username)

    def note(details: str) -> None:
        audit(conn, details, source="webviewer", now=now, remote_addr=remote_addr, user_id=user_id)

    until = lockout.locked_until(conn, username, now)
    if until is not None:
        end_pending(conn, session_id)
        note(f"Two-factor login refused, account locked: {username}")
        return CodeCheck(None, error=locked_message(username, until, now), restart=True)
    secret = conn.execute(sa.select(users.c.mfa_secret_key).where(users.c.id == user_id)).scalar()
    step = matching_step(secret, code, now) if secret else None
    if step is not None and _claim_step(conn, user_id, step):
        note(f"Two-factor code accepted for user: {username}")
    elif step is None and _use_recovery_code(conn, user_id, code, now):
        note(f"Recovery code used by user: {username} ({recovery_codes_left(conn, user_id)} left)")
    else:
        why = "replayed" if step is not None else "wrong"
        note(f"Failed two-factor login ({why} code) for user: {username}")
        locked_for = lockout.record_failure(
            conn,
            username,
            now,
            threshold=settings.lockout_threshold,
            increment_minutes=settings.lockout_minutes,
        )
        if locked_for is not None:
            end_pending(conn, session_id)
            note(f"Account {username} locked out for {locked_for} minutes")
            until = now + timedelta(minutes=locked_for)
            return CodeCheck(None, error=locked_message(username, until, now), restart=True)
        return CodeCheck(None, error=WRONG_CODE)
    end_pending(conn, session_id)
    lockout.clear_failures(conn, username)
    return CodeCheck(user_id, username)


# --- enrolment ----------------------------------------------------------------


ALREADY_ON = (
    "Two-factor login is already on. To move it to a new phone, ask an administrator "
    "to reset it, then set it up again."
)


def begin_enrolment(
    conn: sa.Connection, session_id: int, user_id: int, now: datetime
) -> str | None:
    """A new secret for the user to add to their app, active only once confirmed;
    None if two-factor login is already on (a session alone may not replace it)."""
    if status(conn, user_id).enrolled:
        return None
    secret = new_secret()
    _begin(conn, session_id, user_id, ENROL, now, secret)
    return secret


def enrolment_secret(
    conn: sa.Connection, settings: Settings, session_id: int, user_id: int, now: datetime
) -> str | None:
    row = _pending(conn, settings, session_id, ENROL, now)
    if row is None or int(row.user_id) != user_id:
        return None
    return str(row.secret)


def confirm_enrolment(
    conn: sa.Connection,
    settings: Settings,
    session_id: int,
    user_id: int,
    code: str,
    *,
    remote_addr: str | None,
    now: datetime,
) -> list[str] | str:
    """Activate the shown secret if ``code`` matches it: the recovery codes, or an error."""
    username = conn.execute(sa.select(users.c.username).where(users.c.id == user_id)).scalar_one()

    def note(details: str) -> None:
        audit(conn, details, source="webviewer", now=now, remote_addr=remote_addr, user_id=user_id)

    if status(conn, user_id).enrolled:
        return ALREADY_ON
    secret = enrolment_secret(conn, settings, session_id, user_id, now)
    if secret is None:
        return "The set-up has expired; start again."
    step = matching_step(secret, code, now)
    if step is None:
        note(f"Two-factor enrolment refused (wrong confirmation code) for user: {username}")
        return "The code does not match. Check the time on your phone and try the current code."
    conn.execute(
        sa.update(users)
        .where(users.c.id == user_id)
        .values(mfa_secret_key=secret, mfa_method=TOTP, mfa_last_totp_step=step)
    )
    end_pending(conn, session_id)
    codes = new_recovery_codes(conn, user_id, now)
    note(f"Two-factor login (TOTP) enrolled for user: {username}")
    return codes


def replace_recovery_codes(
    conn: sa.Connection,
    settings: Settings,
    user_id: int,
    code: str,
    *,
    remote_addr: str | None,
    now: datetime,
) -> list[str] | str:
    """New recovery codes for an enrolled user who proves the second factor again
    with a current TOTP code (counted like a login code): the codes, or an error."""
    row = conn.execute(
        sa.select(users.c.username, users.c.mfa_secret_key, users.c.mfa_method).where(
            users.c.id == user_id
        )
    ).one()
    username = str(row.username)

    def note(details: str) -> None:
        audit(conn, details, source="webviewer", now=now, remote_addr=remote_addr, user_id=user_id)

    if row.mfa_method != TOTP or not row.mfa_secret_key:
        return "Two-factor login is off: set it up first."
    step = matching_step(row.mfa_secret_key, code, now)
    if step is None or not _claim_step(conn, user_id, step):
        note(f"New recovery codes refused (wrong or replayed code) for user: {username}")
        lockout.record_failure(
            conn,
            username,
            now,
            threshold=settings.lockout_threshold,
            increment_minutes=settings.lockout_minutes,
        )
        return WRONG_CODE
    note(f"New recovery codes made for user: {username} (the old ones no longer work)")
    return new_recovery_codes(conn, user_id, now)
