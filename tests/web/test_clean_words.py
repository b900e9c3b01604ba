"""Plain words for users: settings page, database title, audit summaries, dates, favicon."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from copse.audit import audit
from copse.services.audit_summary import summarise
from tests.web.conftest import World, csrf_of

UPLOAD = (
    "Upload from device 1, username 'alice': gad7 (2 added, PKs [5, 6]; current PKs [5, 6]), "
    "patient (1 added, PKs [4]; current PKs [4]), "
    "phq9 (9 added, PKs [1, 2, 3, 7, 8, 9, 10, 11, 12]; 3 modified out, PKs [20, 21, 22]; "
    "current PKs [1])"
)


def test_summaries() -> None:
    assert summarise(UPLOAD) == "12 added, 3 modified in phq9 and 2 other tables"
    assert summarise("Upload from device 1, username 'a': patient (1 added, PKs [4])") == (
        "1 added in patient"
    )
    assert summarise("Viewed HTML") is None
    assert summarise(None) is None


def test_settings_page_sets_the_title_shown_everywhere(world: World) -> None:
    root = world.logged_in("root")
    page = root.get("/admin/settings")
    assert page.status_code == 200
    token = csrf_of(page.text)
    for bad, message in (
        ("", "must not be empty"),
        ("x" * 300, "at most 255"),
        ("a\x01b", "control"),
    ):
        r = root.post("/admin/settings", data={"csrf_token": token, "database_title": bad})
        assert r.status_code == 200 and message in r.text, bad
    r = root.post(
        "/admin/settings",
        data={"csrf_token": token, "database_title": "Ward <7> clinic"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Ward &lt;7&gt; clinic" in root.get("/tasks").text
    anon = world.client()
    login = anon.get("/login")
    assert "Log in to Ward &lt;7&gt; clinic" in login.text
    # Group members and group administrators may not change it.
    for name in ("alice", "adminb"):
        assert world.logged_in(name).get("/admin/settings").status_code == 403
    assert (
        root.get("/favicon.ico", follow_redirects=True)
        .headers["content-type"]
        .startswith("image/svg")
    )


def test_audit_entries_summarised_and_dated_to_the_second(world: World) -> None:
    with world.db.engine.begin() as conn:
        audit(
            conn,
            UPLOAD,
            source="tablet",
            now=datetime(2024, 5, 6, 7, 8, 9, 123456),
            device_id=world.device_a,
        )
    root = world.logged_in("root")
    for url in ("/audit", f"/devices/{world.device_a}/uploads"):
        text = root.get(url).text
        assert "<summary>12 added, 3 modified in phq9 and 2 other tables</summary>" in text, url
        assert "2024-05-06 07:08:09" in text
        assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", text), url
    with world.db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM _security_audit")).scalar()
