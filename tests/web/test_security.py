"""Hostile uploaded text is escaped everywhere; headers and error pages."""

from __future__ import annotations

import pytest

from tests.web import factories as fx
from tests.web.conftest import World, login

pytestmark = pytest.mark.sqlite_only  # backend-neutral: see tests/conftest.py

SCRIPT = "<script>alert('x')</script>"
IMG = '"><img src=x onerror=alert(1)>'


def test_hostile_strings_come_out_escaped(world: World) -> None:
    with world.db.engine.begin() as conn:
        pk_p = fx.make_patient(
            conn,
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=5,
            forename=SCRIPT,
            surname=IMG,
            dob="1999-09-09",
            sex="X",
            idnums={1: 9000000009},
        )
        pk_t = fx.make_task(
            conn,
            "bmi",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=5,
            patient_id=5,
            when_created="2024-02-03T10:00:00Z",
            comment=SCRIPT + IMG,
            height_m=1.8,
            mass_kg=80.0,
        )
        generic = fx.make_task(
            conn,
            "ace3",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=5,
            patient_id=5,
            when_created="2024-02-03T11:00:00Z",
            comments=SCRIPT,
        )
        fx.make_note(
            conn, basetable="bmi", task_id=5, device_id=world.device_a, era="NOW", note=SCRIPT
        )
    c = world.logged_in("alice")
    pages = [
        c.get("/tasks"),
        c.get(f"/tasks/bmi/{pk_t}"),
        c.get(f"/patients/{pk_p}"),
        c.get(f"/tasks/ace3/{generic}"),
        c.get("/tasks?forename=" + SCRIPT),
    ]
    for r in pages:
        assert r.status_code == 200
        assert "<script>" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;" in pages[1].text and "&lt;img src=x" in pages[1].text
    assert "&lt;script&gt;" in pages[2].text


def test_hostile_username_in_the_audit_trail_is_escaped(world: World) -> None:
    login(world.client(), SCRIPT, "whatever-password")
    r = world.logged_in("root").get("/audit")
    assert "Failed login as user: &lt;script&gt;" in r.text and "<script>" not in r.text


def test_security_headers_on_pages_static_and_errors(world: World) -> None:
    c = world.logged_in("alice")
    for url in ("/tasks", "/login", "/static/copse.css", "/no-such-page", "/audit"):
        r = c.get(url)
        assert r.headers["x-frame-options"] == "DENY", url
        assert r.headers["x-content-type-options"] == "nosniff", url
        csp = r.headers["content-security-policy"]
        assert (
            "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
        )
    assert c.get("/tasks").headers["cache-control"] == "no-store"
    r = c.get("/no-such-page")
    assert r.status_code == 404 and "<html" in r.text


def test_api_routes_are_untouched(world: World) -> None:
    r = world.client().get("/api")
    assert r.status_code == 200 and "x-frame-options" not in r.headers
    assert "CamCOPS client API" in r.text


def test_open_redirects_are_refused(world: World) -> None:
    c = world.client()
    page = c.get("/login")
    from tests.web.conftest import PASSWORD, csrf_of

    r = c.post(
        "/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/tasks"


def test_non_form_posts_are_refused_cleanly(world: World) -> None:
    c = world.client()
    c.get("/login")
    r = c.post("/login", content=b"{}", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "<html" in r.text
    r = c.post(
        "/login",
        content=b"a=" + b"x" * 70000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413
