"""Housekeeping keeps the session and login-failure tables from growing for ever."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from copse.accounts.housekeeping import purge
from copse.accounts.login import check_login
from copse.config import Settings
from copse.schema.tables import account_lockouts, api_tokens, audit, login_failures, sessions, users
from tests.support.databases import Backend


def count(db: Backend, table: sa.Table) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_failed_logins_from_random_usernames_do_not_grow_the_tables(db: Backend) -> None:
    settings = Settings(
        db_url=db.url, bcrypt_rounds=4, lockout_threshold=3, login_failure_retention_days=2
    )
    rng = random.Random(1)
    start = datetime(2026, 1, 1, 12, 0)
    sizes = []
    for day in range(8):
        now = start + timedelta(days=day)
        with db.engine.begin() as conn:
            for _ in range(30):
                name = f"probe{rng.randrange(10**9)}"
                for _ in range(3):  # enough to lock each name once
                    check_login(
                        conn,
                        settings,
                        name,
                        "guess",
                        source="tablet",
                        remote_addr="203.0.113.5",
                        now=now,
                    )
            conn.execute(sa.insert(sessions).values(token="t", last_activity_utc=now))
            purge(conn, settings, now)
        sizes.append((count(db, login_failures), count(db, account_lockouts), count(db, sessions)))
    # Failures and lockouts of the last retention period only; one live session.
    steady = sizes[3:]
    assert all(s == steady[0] for s in steady), sizes
    assert steady[0][0] == 30 * 3 * 3  # this day's and the two before
    assert steady[0][2] == 1


def test_purge_keeps_what_is_still_needed(db: Backend) -> None:
    settings = Settings(db_url=db.url, session_timeout_minutes=30, login_failure_retention_days=7)
    now = datetime(2026, 6, 1, 12, 0)
    with db.engine.begin() as conn:
        conn.execute(
            sa.insert(sessions),
            [
                {"token": "fresh", "last_activity_utc": now - timedelta(minutes=5)},
                {"token": "stale", "last_activity_utc": now - timedelta(minutes=31)},
            ],
        )
        conn.execute(
            sa.insert(login_failures),
            [
                {"username": "u", "login_failure_at": now - timedelta(days=1)},
                {"username": "u", "login_failure_at": now - timedelta(days=8)},
            ],
        )
        conn.execute(
            sa.insert(account_lockouts),
            [
                {"username": "u", "locked_until": now + timedelta(minutes=5)},
                {"username": "v", "locked_until": now - timedelta(days=9)},
            ],
        )
        conn.execute(sa.insert(users).values(username="tok", hashedpw="x"))
        uid = conn.execute(sa.select(users.c.id).where(users.c.username == "tok")).scalar_one()
        token = {
            "user_id": uid,
            "prefix": "p",
            "name": "n",
            "created_at_utc": now,
            "expires_at_utc": None,
            "revoked_at_utc": None,
        }
        conn.execute(
            sa.insert(api_tokens),
            [
                {**token, "token_hash": "a" * 64, "expires_at_utc": now + timedelta(days=1)},
                {**token, "token_hash": "b" * 64, "expires_at_utc": now - timedelta(days=1)},
                {**token, "token_hash": "c" * 64, "expires_at_utc": now - timedelta(days=8)},
                {**token, "token_hash": "d" * 64, "revoked_at_utc": now - timedelta(days=8)},
                {**token, "token_hash": "e" * 64},
            ],
        )
        purged = purge(conn, settings, now)
    assert (purged.sessions, purged.login_failures, purged.lockouts) == (1, 1, 1)
    assert purged.api_tokens == 2
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(sessions.c.token)).scalars().all() == ["fresh"]
        assert conn.execute(sa.select(account_lockouts.c.username)).scalars().all() == ["u"]
        kept = conn.execute(sa.select(api_tokens.c.token_hash).order_by(api_tokens.c.token_hash))
        assert [h[0] for h in kept.scalars().all()] == ["a", "b", "e"]  # live, recently expired


def test_cli_housekeeping_reports_and_audits(cli: Any, db: Backend) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            sa.insert(sessions).values(token="old", last_activity_utc=datetime(2020, 1, 1))
        )
    out = cli("housekeeping")
    assert "Removed 1 expired session(s)" in out
    with db.engine.connect() as conn:
        details = conn.execute(sa.select(audit.c.details)).scalars().all()
    assert any(
        "copse housekeeping; removed 1 expired session(s)" in d and "OS user" in d for d in details
    )
