"""Failed-login counting and account lockout.

The reference applies this to the web login only and leaves the client API
open to password guessing; copse applies the same rule to both
(:mod:`copse.accounts.login`):
the Nth failure, for N a multiple of the threshold, locks the account for
(N / threshold) x the increment.  Usernames are recorded even when no such
user exists, so the behaviour does not reveal which names are real.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from copse.schema.tables import account_lockouts, login_failures


def locked_until(conn: sa.Connection, username: str, now: datetime) -> datetime | None:
    """The end of the longest active lockout, or None if not locked."""
    return conn.execute(
        sa.select(sa.func.max(account_lockouts.c.locked_until)).where(
            account_lockouts.c.username == username, account_lockouts.c.locked_until > now
        )
    ).scalar()


def record_failure(
    conn: sa.Connection, username: str, now: datetime, *, threshold: int, increment_minutes: int
) -> int | None:
    """Record one failure; return the lockout length in minutes if this one locks."""
    conn.execute(sa.insert(login_failures).values(username=username, login_failure_at=now))
    n = conn.execute(
        sa.select(sa.func.count())
        .select_from(login_failures)
        .where(login_failures.c.username == username)
    ).scalar_one()
    if threshold > 0 and n > 0 and n % threshold == 0:
        minutes = (n // threshold) * increment_minutes
        conn.execute(
            sa.insert(account_lockouts).values(
                username=username, locked_until=now + timedelta(minutes=minutes)
            )
        )
        return minutes
    return None


def clear_failures(conn: sa.Connection, username: str) -> None:
    conn.execute(sa.delete(login_failures).where(login_failures.c.username == username))


def unlock(conn: sa.Connection, username: str) -> None:
    """What an administrator's "enable user" does: forget lockouts and failures."""
    conn.execute(sa.delete(account_lockouts).where(account_lockouts.c.username == username))
    clear_failures(conn, username)


def lockout_counts(conn: sa.Connection, now: datetime) -> tuple[int, int]:
    """(accounts locked now, lockouts on record) — for monitoring.

    Read from the database at scrape time rather than counted in a process,
    so every instance reports the same figures.
    """
    active = conn.execute(
        sa.select(sa.func.count(sa.distinct(account_lockouts.c.username))).where(
            account_lockouts.c.locked_until > now
        )
    ).scalar_one()
    total = conn.execute(sa.select(sa.func.count()).select_from(account_lockouts)).scalar_one()
    return int(active), int(total)
