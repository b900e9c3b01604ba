"""Password rules, hash upgrade and the cost of a login with an unknown username."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bcrypt
import httpx
import pytest
import sqlalchemy as sa

from copse.accounts.password_rules import common_passwords, password_problem
from copse.accounts.passwords import hash_cost, needs_rehash
from copse.schema.tables import users
from tests.support.databases import Backend
from tests.support.server import ServerProcess

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# ------------------------------------------------------------------ rules
@pytest.mark.parametrize(
    ("password", "username", "message"),
    [
        ("", "alice", "Passwords can't be blank"),
        ("short-pw1", "alice", "Passwords can't be shorter than 10 characters"),
        ("Alice-Smith-1", "alice-smith-1", "A password can't be the same as the username"),
        ("password1234", "alice", "That password is used too commonly; try again"),
        ("Qwertyuiop", "alice", "That password is used too commonly; try again"),
        ("1234567890", "alice", "That password is used too commonly; try again"),
        ("tall-copper-kettle-9", "alice", None),
    ],
)
def test_each_rule(password: str, username: str, message: str | None) -> None:
    assert password_problem(password, username) == message


def test_minimum_length_is_a_setting() -> None:
    assert password_problem("tall-copper-kettle", "u", min_length=20) == (
        "Passwords can't be shorter than 20 characters"
    )
    assert password_problem("kettle-9", "u", min_length=8) is None


def test_shipped_list_is_large() -> None:
    assert len(common_passwords()) >= 10_000
    assert {"letmein", "trustno1", "football", "iloveyou"} <= common_passwords()


def test_cli_refuses_each_rule_and_keeps_nothing(cli: Any, db: Backend) -> None:
    for password, why in (
        ("short", "shorter than 10"),
        ("carol-the-user", "same as the username"),
        ("password123", "used too commonly"),
    ):
        out = cli("user", "add", "carol-the-user", "--password", password, ok=False)
        assert why in out and "Traceback" not in out
    with db.engine.connect() as conn:
        assert (
            conn.execute(sa.select(users.c.id).where(users.c.username == "carol-the-user")).first()
            is None
        )
    cli("user", "add", "carol-the-user", "--password", "tall-copper-kettle-9")
    out = cli("user", "passwd", "carol-the-user", "--password", "iloveyou", ok=False)
    assert "shorter than 10" in out


# ----------------------------------------------------------- hash upgrade
def test_cost_is_read_from_the_hash() -> None:
    old = bcrypt.hashpw(b"x", bcrypt.gensalt(6, prefix=b"2a")).decode()
    assert old.startswith("$2a$06$") and hash_cost(old) == 6
    assert needs_rehash(old, 10) and not needs_rehash(old, 6)
    assert hash_cost("") is None and not needs_rehash("not-a-hash", 10)


def test_low_cost_hash_is_upgraded_at_login(
    cli: Any, db: Backend, secure_server: Callable[..., ServerProcess]
) -> None:
    cli("user", "add", "dora", "--password", "tall-copper-kettle-9")
    camcops_hash = bcrypt.hashpw(b"dora-old-password", bcrypt.gensalt(6, prefix=b"2a")).decode()
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(users).where(users.c.username == "dora").values(hashedpw=camcops_hash)
        )
    s = secure_server(COPSE_BCRYPT_ROUNDS="10")
    wrong = api_login(s, "dora", "not-her-password")
    assert "success:0" in wrong
    assert stored_hash(db, "dora") == camcops_hash  # a failed login changes nothing
    ok = api_login(s, "dora", "dora-old-password")
    assert "Unregistered device" in ok  # logged in; the device is simply unknown
    upgraded = stored_hash(db, "dora")
    assert upgraded != camcops_hash and hash_cost(upgraded) == 10
    assert bcrypt.checkpw(b"dora-old-password", upgraded.encode())
    assert "Unregistered device" in api_login(s, "dora", "dora-old-password")


def stored_hash(db: Backend, username: str) -> str:
    with db.engine.connect() as conn:
        return str(
            conn.execute(
                sa.select(users.c.hashedpw).where(users.c.username == username)
            ).scalar_one()
        )


def api_login(server: ServerProcess, user: str, password: str) -> str:
    form = {
        "operation": "check_device_registered",
        "camcops_version": "2.4.24",
        "device": "timing-device",
        "user": user,
        "password": password,
    }
    return httpx.post(server.api_url, data=form, timeout=60).text


# ----------------------------------------------------------------- timing
def web_login(server: ServerProcess, user: str, password: str) -> float:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        page = client.get("/login")
        m = CSRF_RE.search(page.text)
        assert m, page.text[:500]
        form = {"username": user, "password": password, "csrf_token": m.group(1), "next": "/tasks"}
        start = time.perf_counter()
        r = client.post("/login", data=form)
        elapsed = time.perf_counter() - start
    assert r.status_code == 200 and "Invalid username/password" in r.text
    return elapsed


def timed_api_login(server: ServerProcess, user: str, password: str) -> float:
    start = time.perf_counter()
    text = api_login(server, user, password)
    elapsed = time.perf_counter() - start
    # The login is checked (and fails) before the operation answers for the device.
    assert "success:0" in text
    return elapsed


def server_cpu_seconds(server: ServerProcess) -> float:
    """The server process's CPU time so far (all its threads; Linux ``/proc``)."""
    assert server.proc is not None
    stat = Path(f"/proc/{server.proc.pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.sqlite_only
@pytest.mark.parametrize("edge", ["api", "web"])
def test_unknown_username_costs_the_same_as_a_wrong_password(
    edge: str, cli: Any, secure_server: Callable[..., ServerProcess]
) -> None:
    """The server's CPU time over many tries each, interleaved. Its wall-clock time
    is what an attacker sees, but on a test machine shared with other suites
    waits for a core come and go (the fastest of 25 tries each once differed
    by 40%); the CPU time is the work itself, which is what must not differ."""
    cli("user", "add", "erin", "--password", "tall-copper-kettle-9", "--may-use-webviewer")
    s = secure_server(
        COPSE_BCRYPT_ROUNDS="10",
        COPSE_LOCKOUT_THRESHOLD="0",  # no lockout, so every try checks a hash
        COPSE_ALLOW_INSECURE_COOKIES="1",
    )
    attempt = timed_api_login if edge == "api" else web_login
    # A known user's hash must be re-read at the configured cost first.
    cli(
        "user",
        "passwd",
        "erin",
        "--password",
        "tall-copper-kettle-9",
        env={"COPSE_BCRYPT_ROUNDS": "10"},
    )
    tries = 25
    known = unknown = 0.0
    for _ in range(tries):
        before = server_cpu_seconds(s)
        attempt(s, "erin", "wrong-password-123")
        middle = server_cpu_seconds(s)
        attempt(s, f"nobody-{uuid.uuid4().hex[:12]}", "wrong-password-123")
        known += middle - before
        unknown += server_cpu_seconds(s) - middle
    k, u = known / tries, unknown / tries
    assert k > 0.02, f"a cost-10 bcrypt check should take tens of ms, took {k:.4f} s"
    assert abs(k - u) / k < 0.20, f"known user {k * 1000:.1f} ms, unknown {u * 1000:.1f} ms"
