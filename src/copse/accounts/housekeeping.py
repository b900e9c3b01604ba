"""Deleting what has stopped mattering: expired sessions, old login failures and lockouts,
API tokens long expired or revoked.

Without it these tables grow for ever: every failed login, even for a
username that does not exist, leaves a row (so that probing names tells an
attacker nothing), and every tablet conversation leaves a session. The
running server calls :func:`purge` every ``housekeeping_minutes`` (each worker
does; the deletes are idempotent, so several workers or hosts do no harm) and
``copse housekeeping`` calls it on demand. Callers own the transaction.

Lockout escalation counts a username's failures on record, so forgetting
failures older than ``login_failure_retention_days`` also lets that count
start again: an account is never locked for longer than the retention
period's worth of escalation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from copse.config import Settings
from copse.schema.tables import (
    account_lockouts,
    api_tokens,
    login_failures,
    mfa_pending,
    sessions,
)


@dataclass(frozen=True)
class Purged:
    """How many rows each step removed."""

    sessions: int
    login_failures: int
    lockouts: int
    api_tokens: int = 0

    def __str__(self) -> str:
        return (
            f"{self.sessions} expired session(s), {self.login_failures} old login failure(s), "
            f"{self.lockouts} expired lockout(s), {self.api_tokens} old API token(s)"
        )


def purge(conn: sa.Connection, settings: Settings, now: datetime) -> Purged:
    """Delete expired sessions (API and web) and old failures and lockouts."""
    session_cutoff = now - timedelta(minutes=settings.session_timeout_minutes)
    gone_sessions = conn.execute(
        sa.delete(sessions).where(
            sa.or_(
                sessions.c.last_activity_utc < session_cutoff,
                sessions.c.last_activity_utc.is_(None),
            )
        )
    ).rowcount
    keep_from = now - timedelta(days=settings.login_failure_retention_days)
    gone_failures = conn.execute(
        sa.delete(login_failures).where(login_failures.c.login_failure_at < keep_from)
    ).rowcount
    gone_lockouts = conn.execute(
        sa.delete(account_lockouts).where(account_lockouts.c.locked_until < keep_from)
    ).rowcount
    # Half-way two-factor steps go with their sessions (ON DELETE CASCADE);
    # expired ones of still-live sessions are useless too.
    conn.execute(
        sa.delete(mfa_pending).where(
            mfa_pending.c.started_utc < now - timedelta(seconds=settings.mfa_timeout_seconds)
        )
    )
    # API tokens that cannot be used any more: kept for the retention period (their
    # owner still sees them listed as expired or revoked), then forgotten. The audit
    # trail keeps every use.
    gone_tokens = conn.execute(
        sa.delete(api_tokens).where(
            sa.or_(api_tokens.c.expires_at_utc < keep_from, api_tokens.c.revoked_at_utc < keep_from)
        )
    ).rowcount
    return Purged(
        int(gone_sessions or 0),
        int(gone_failures or 0),
        int(gone_lockouts or 0),
        int(gone_tokens or 0),
    )
