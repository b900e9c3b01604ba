"""Login, lockout, logout, password change, CSRF and session cookies."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from copse.schema.tables import audit, sessions
from tests.conftest import Cli
from tests.web.conftest import PASSWORD, World, csrf_of, login

pytestmark = pytest.mark.sqlite_only  # backend-neutral: see tests/conftest.py


def audit_texts(world: World) -> list[str]:
    with world.db.engine.connect() as conn:
        return list(conn.execute(sa.select(audit.c.details).order_by(audit.c.id)).scalars())


def test_anonymous_is_sent_to_login(world: World) -> None:
    c = world.client()
    r = c.get("/tasks?surname=x")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/tasks%3Fsurname%3Dx"
    assert c.get("/").headers["location"] == "/login"


def test_login_success_sets_a_safe_cookie_and_audits(world: World) -> None:
    c = world.client()
    r = login(c, "alice")
    assert r.status_code == 303 and r.headers["location"] == "/tasks"
    cookie = r.headers["set-cookie"]
    assert "copse_session=" in cookie
    low = cookie.lower()
    assert "httponly" in low and "secure" in low and "samesite=lax" in low
    assert c.get("/tasks").status_code == 200
    assert "Login as user: alice" in audit_texts(world)
    with world.db.engine.connect() as conn:
        row = conn.execute(sa.select(sessions).where(sessions.c.user_id.is_not(None))).one()
    assert row.is_api_session is False or row.is_api_session == 0


def test_login_rotates_the_session_token(world: World) -> None:
    c = world.client()
    c.get("/login")
    before = c.cookies.get("copse_session")
    login(c, "alice")
    after = c.cookies.get("copse_session")
    assert before and after and before.split(".")[0] == after.split(".")[0]
    assert before.split(".")[1] != after.split(".")[1]


def test_bad_password_and_unknown_user(world: World) -> None:
    c = world.client()
    r = login(c, "alice", "wrong-password")
    assert r.status_code == 200
    assert "Invalid username/password" in r.text
    r = login(c, "nobody", "whatever-password")
    assert "Invalid username/password" in r.text
    texts = audit_texts(world)
    assert "Failed login as user: alice" in texts
    assert "Failed login as user: nobody" in texts
    assert c.get("/tasks").status_code == 303


def test_tablet_only_user_may_not_log_in(world: World) -> None:
    r = login(world.client(), "tabletonly")
    assert "Invalid username/password" in r.text


def test_lockout_then_unlock(world: World, cli: Cli) -> None:
    c = world.client()
    for _ in range(3):  # the fixture's threshold
        assert "Invalid username/password" in login(c, "alice", "bad-password").text
    assert "Account alice locked out for 10 minutes" in audit_texts(world)
    r = login(c, "alice")  # right password, but the lock is checked first
    assert r.status_code == 200
    assert "Account alice is locked" in r.text
    assert "Login refused, account locked: alice" in audit_texts(world)
    cli("user", "unlock", "alice")
    assert login(c, "alice").status_code == 303


def test_logout(world: World) -> None:
    c = world.logged_in("alice")
    page = c.get("/tasks")
    r = c.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert c.get("/tasks").status_code == 303
    assert "Logout" in audit_texts(world)
    with world.db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one() == 0
    assert c.get("/logout").status_code == 405


def test_csrf_is_required_on_every_post(world: World) -> None:
    c = world.client()
    c.get("/login")
    r = c.post("/login", data={"username": "alice", "password": PASSWORD})
    assert r.status_code == 403 and "<html" in r.text and "Traceback" not in r.text
    fresh = world.client()  # no session at all
    assert (
        fresh.post(
            "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": "x"}
        ).status_code
        == 403
    )
    c = world.logged_in("alice")
    assert c.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert (
        c.post(
            "/change-password",
            data={"old_password": PASSWORD, "new_password": "n" * 12, "new_password2": "n" * 12},
        ).status_code
        == 403
    )
    assert c.get("/tasks").status_code == 200  # still logged in; password unchanged
    assert login(world.client(), "alice").status_code == 303


def test_csrf_token_of_another_session_is_refused(world: World) -> None:
    a = world.logged_in("alice")
    b = world.logged_in("bob")
    token_of_b = csrf_of(b.get("/tasks").text)
    assert a.post("/logout", data={"csrf_token": token_of_b}).status_code == 403


def test_change_password(world: World) -> None:
    c = world.logged_in("alice")

    def change(old: str, new: str, new2: str | None = None) -> str:
        token = csrf_of(c.get("/change-password").text)
        r = c.post(
            "/change-password",
            data={
                "csrf_token": token,
                "old_password": old,
                "new_password": new,
                "new_password2": new2 or new,
            },
        )
        assert r.status_code == 200
        return r.text

    assert "Passwords can&#39;t be shorter than 10 characters" in change(PASSWORD, "short")
    assert "Passwords can&#39;t be blank" in change(PASSWORD, "")
    assert "That password is used too commonly" in change(PASSWORD, "password123")
    assert "don&#39;t match" in change(PASSWORD, "a-new-password-1", "a-new-password-2")
    assert "old password is wrong" in change("not-my-password", "a-new-password-1")
    assert "has been changed" in change(PASSWORD, "a-new-password-1")
    assert login(world.client(), "alice").status_code == 200  # old one no longer works
    assert login(world.client(), "alice", "a-new-password-1").status_code == 303


def test_idle_timeout(world: World) -> None:
    c = world.logged_in("alice")
    with world.db.engine.begin() as conn:
        conn.execute(sa.update(sessions).values(last_activity_utc=datetime(2000, 1, 1)))
    r = c.get("/tasks")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_recent_activity_keeps_the_session(world: World) -> None:
    c = world.logged_in("alice")
    with world.db.engine.begin() as conn:
        conn.execute(
            sa.update(sessions).values(last_activity_utc=datetime.utcnow() - timedelta(minutes=29))
        )
    assert c.get("/tasks").status_code == 200


def test_forged_or_tampered_cookie_is_ignored(world: World) -> None:
    c = world.logged_in("alice")
    sid, token, mac = c.cookies["copse_session"].split(".")
    c.cookies.clear()
    for forged in (f"{sid}.{token}.{mac[:-2]}xx", f"{int(sid) + 1}.{token}.{mac}", "garbage"):
        r = c.get("/tasks", headers={"cookie": f"copse_session={forged}"})
        assert r.status_code == 303
    assert (
        c.get("/tasks", headers={"cookie": f"copse_session={sid}.{token}.{mac}"}).status_code == 200
    )


def test_insecure_cookies_only_when_allowed(world: World) -> None:
    r = world.client(allow_insecure_cookies=True).get("/login")
    assert "secure" not in r.headers["set-cookie"].lower()
    r = world.client().get("/login")
    assert "secure" in r.headers["set-cookie"].lower()
