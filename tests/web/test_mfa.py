"""Two-factor login through the web pages (in-process app, real database)."""

from __future__ import annotations

import re
import time

import pyotp
import sqlalchemy as sa
from starlette.testclient import TestClient

from copse.schema.tables import audit
from tests.conftest import Cli
from tests.web.conftest import World, csrf_of, login

SECRET_RE = re.compile(r'data-secret="([A-Z2-7]+)"')


def enrol(c: TestClient) -> tuple[str, list[str], float]:
    """Set up TOTP for the logged-in client: the secret, the recovery codes and the
    time whose code confirmed it (that code, and older ones, are then used up)."""
    token = csrf_of(c.get("/mfa").text)
    page = c.post("/mfa", data={"csrf_token": token, "action": "start"})
    assert page.status_code == 200 and "<svg" in page.text
    m = SECRET_RE.search(page.text)
    assert m, page.text
    secret = m.group(1)
    totp = pyotp.TOTP(secret)
    wrong = c.post(
        "/mfa",
        data={"csrf_token": token, "action": "confirm", "code": totp.at(time.time() + 300)},
    )
    assert "does not match" in wrong.text and SECRET_RE.search(wrong.text)
    at = time.time()
    done = c.post("/mfa", data={"csrf_token": token, "action": "confirm", "code": totp.at(at)})
    assert done.status_code == 200 and "Two-factor login is on" in done.text
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    assert len(codes) == 10
    return secret, codes, at


def code_login(c: TestClient, code: str) -> object:
    page = c.get("/login/mfa")
    assert page.status_code == 200, page.text
    return c.post(
        "/login/mfa", data={"csrf_token": csrf_of(page.text), "code": code, "next": "/tasks"}
    )


def test_enrol_then_login_with_code_and_recovery_code(world: World) -> None:
    c = world.logged_in("alice")
    secret, codes, at = enrol(c)
    assert c.get("/mfa").text.count("Two-factor login is on") == 1
    c.post("/logout", data={"csrf_token": csrf_of(c.get("/tasks").text)})

    r = login(c, "alice")
    assert r.status_code == 303 and r.headers["location"].startswith("/login/mfa")  # type: ignore[attr-defined]
    assert c.get("/tasks").status_code == 303  # not logged in yet
    # The enrolment used its step's code: refused again; the next step's is accepted
    # (the ±1 step allowed for clock drift), so the test needs no waiting.
    nxt = pyotp.TOTP(secret).at(at + 30)
    replay = code_login(c, pyotp.TOTP(secret).at(at))
    assert "already been used" in replay.text  # type: ignore[attr-defined]
    ok = code_login(c, nxt)
    assert ok.status_code == 303 and ok.headers["location"] == "/tasks"  # type: ignore[attr-defined]
    assert c.get("/tasks").status_code == 200

    c2 = world.client()
    login(c2, "alice")
    assert code_login(c2, codes[0]).status_code == 303  # type: ignore[attr-defined]
    c3 = world.client()
    login(c3, "alice")
    again = code_login(c3, codes[0])
    assert again.status_code == 200 and "already been used" in again.text  # type: ignore[attr-defined]
    with world.db.engine.connect() as conn:
        lines = list(conn.execute(sa.select(audit.c.details)).scalars())
    assert any("enrolled" in x for x in lines) and any("Recovery code used" in x for x in lines)


def test_code_page_without_password_step_sends_back_to_login(world: World) -> None:
    c = world.client()
    page = c.get("/login/mfa")
    assert page.status_code == 200 and "has expired" in page.text and 'name="password"' in page.text


def test_required_user_is_sent_to_enrolment(world: World, cli: Cli) -> None:
    cli("user", "set", "bob", "--mfa-required")
    c = world.logged_in("bob")
    r = c.get("/tasks")
    assert r.status_code == 303 and r.headers["location"] == "/mfa"
    page = c.get("/mfa")
    assert "required for your account" in page.text
    enrol(c)
    assert c.get("/tasks").status_code == 200


def test_site_wide_requirement_and_admin_reset(world: World) -> None:
    root = world.logged_in("root")
    token = csrf_of(root.get("/admin/users").text)
    r = root.post(
        "/admin/users", data={"csrf_token": token, "action": "mfa-site", "mfa_required": "1"}
    )
    assert r.status_code == 200
    assert root.get("/tasks").headers["location"] == "/mfa"  # root too
    enrol(root)
    alice = world.logged_in("alice")
    assert alice.get("/tasks").headers["location"] == "/mfa"
    enrol(alice)
    with world.db.engine.connect() as conn:
        aid = conn.execute(
            sa.text("SELECT id FROM _security_users WHERE username = 'alice'")
        ).scalar_one()
    page = root.get(f"/admin/users/{aid}")
    assert "recovery codes unused" in page.text
    r = root.post(f"/admin/users/{aid}", data={"csrf_token": token, "action": "mfa-reset"})
    assert "Two-factor login reset" in r.text
    # Alice's password alone logs in again, and she is sent to set it up again.
    c = world.client()
    assert login(c, "alice").headers["location"] == "/tasks"  # type: ignore[attr-defined]
    assert c.get("/tasks").headers["location"] == "/mfa"


def test_tablet_api_stays_password_only(world: World) -> None:
    """The client API has no second factor: an enrolled user's tablet login is unchanged."""
    c = world.logged_in("alice")
    enrol(c)
    api = world.client()
    r = api.post(
        "/api",
        data={
            "operation": "check_device_registered",
            "camcops_version": "2.4.18",
            "device": "tab-a",
            "user": "alice",
            "password": "correct-horse-battery",
        },
    )
    assert "success:1" in r.text, r.text


def test_new_recovery_codes_need_a_current_code(world: World) -> None:
    c = world.logged_in("alice")
    secret, old, at = enrol(c)
    token = csrf_of(c.get("/mfa").text)
    used = c.post(
        "/mfa", data={"csrf_token": token, "action": "codes", "code": pyotp.TOTP(secret).at(at)}
    )
    assert "already been used" in used.text
    r = c.post(
        "/mfa",
        data={"csrf_token": token, "action": "codes", "code": pyotp.TOTP(secret).at(at + 30)},
    )
    assert r.status_code == 200 and "New recovery codes" in r.text
    new = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", r.text)
    assert len(new) == 10 and not set(new) & set(old)
    c2 = world.client()
    login(c2, "alice")
    assert "already been used" in code_login(c2, old[0]).text  # type: ignore[attr-defined]
    assert code_login(c2, new[0]).status_code == 303  # type: ignore[attr-defined]
