"""Every data-changing web action is audited (data-model.md §12.3, plus copse's additions).

One test drives every POST route of the web front end once and checks that
each request wrote at least one new ``webviewer`` audit entry naming the
acting user, with the expected text.  It also checks that the list of
routes it drove is *all* of the web's POST routes, so a new form can't be
added without an audited action (and this test) to match.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from starlette.routing import Route
from starlette.testclient import TestClient

from copse.accounts.users import get_user_by_name
from copse.schema.tables import (
    CLIENT_TABLES,
    audit,
    patient_task_schedule,
    special_notes,
    task_schedule,
    users,
)
from copse.services.downloads import jobs
from copse.services.export import ExportOptions
from copse.web.app import routes
from tests.web.conftest import PASSWORD, World, csrf_of, login, web_settings
from tests.web.consistency import assert_consistent
from tests.web.test_mfa import SECRET_RE

NOW = datetime(2025, 1, 1, 12, 0, 0)

pytestmark = pytest.mark.sqlite_only  # backend-neutral: see tests/conftest.py


class Driver:
    def __init__(
        self, world: World, client: TestClient, username: str, page: str = "/tasks"
    ) -> None:
        self.world, self.client, self.username = world, client, username
        self.token = csrf_of(client.get(page).text)
        self.seen: set[str] = set()

    def _last_id(self) -> int:
        with self.world.db.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.coalesce(sa.func.max(audit.c.id), 0))).scalar_one()
            )

    def post(self, template: str, url: str, expect: str, status: int = 303, **data: str) -> Any:
        """POST; require ``status`` and a new audit entry by this user containing ``expect``."""
        before = self._last_id()
        r = self.client.post(url, data={"csrf_token": self.token, **data})
        assert r.status_code == status, f"{url}: {r.status_code} {r.text[:3000]}"
        with self.world.db.engine.connect() as conn:
            rows = conn.execute(
                sa.select(audit, users.c.username)
                .outerjoin(users, users.c.id == audit.c.user_id)
                .where(audit.c.id > before)
                .order_by(audit.c.id)
            ).all()
        assert rows, f"{url}: nothing audited"
        assert any(expect in (r.details or "") for r in rows), (url, [r.details for r in rows])
        for row in rows:
            assert row.source == "webviewer" and row.username == self.username, (url, row)
        self.seen.add(template)
        return r


def _scalar(world: World, query: Any) -> int:
    with world.db.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _failed_job(world: World, username: str) -> int:
    """A job of ``username`` that failed (queued by the service, no runner in this client)."""
    settings = web_settings(world.db, world.data_dir)
    with world.db.engine.begin() as conn:
        user = get_user_by_name(conn, username)
        assert user is not None
        job = jobs.claim(conn, "elsewhere:1", NOW, 60)
        if job is None:
            job_id = jobs.submit(
                conn, settings, user, ExportOptions("csv"), estimate=1, now=NOW, remote_addr=None
            )
            job = jobs.claim(conn, "elsewhere:1", NOW, 60)
        assert job is not None
        assert jobs.fail(conn, settings, job, "test", now=NOW)
        job_id = job.id
    return job_id


def test_every_data_changing_web_action_is_audited(world: World) -> None:
    with world.db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE _security_groups SET finalize_policy = 'sex AND idnum1'"))
    c = world.client()
    login(c, "root")
    d = Driver(world, c, "root")
    ga = str(world.group_a)

    # Records: finalize, notes, patient edit, erase, delete patient.
    d.post(
        "/admin/finalize/{device_id:int}",
        f"/admin/finalize/{world.device_a}",
        "forcibly finalized",
        status=200,
    )
    d.post(
        "/notes/add",
        "/notes/add",
        "Special note applied manually",
        table="phq9",
        pk=str(world.task_a),
        note="Seen",
    )
    note_id = _scalar(world, sa.select(sa.func.max(special_notes.c.note_id)))
    d.post("/notes/{note_id:int}/hide", f"/notes/{note_id}/hide", f"Special note {note_id} hidden")
    d.post(
        "/patients/{pk:int}/edit",
        f"/patients/{world.patient_a}/edit",
        "Patient edited",
        forename="Anne",
        surname="Alpha",
        dob="1980-01-02",
        sex="F",
        idnum1="9000000001",
    )
    d.post(
        "/tasks/{table:str}/{pk:int}/erase",
        f"/tasks/phq9/{world.task_a}/erase",
        "Task details erased manually",
        mode="placeholder",
    )
    d.post(
        "/admin/delete-patient",
        "/admin/delete-patient",
        "Patient and associated tasks DELETED",
        status=200,
        which_idnum="1",
        idnum_value="9000000002",
        group_id=str(world.group_b),
        confirm="yes",
    )

    # Accounts and settings.
    d.post(
        "/admin/users",
        "/admin/users",
        "User added: carol",
        username="carol",
        password=PASSWORD,
        group_id=ga,
    )
    carol = _scalar(world, sa.select(users.c.id).where(users.c.username == "carol"))
    u = f"/admin/users/{carol}"
    d.post(
        "/admin/users/{user_id:int}",
        u,
        "User permissions changed",
        status=200,
        action="memberships",
        **{f"{ga}:member": "1"},
    )
    d.post(
        "/admin/users/{user_id:int}",
        u,
        "Password set by administrator",
        status=200,
        action="password",
        new_password="carols-new-password",
        new_password2="carols-new-password",
    )
    d.post("/admin/users/{user_id:int}", u, "User unlocked", status=200, action="unlock")
    d.post("/admin/users/{user_id:int}", u, "User disabled", status=200, action="disable")
    d.post("/admin/users/{user_id:int}", u, "User deleted: carol", action="delete")
    r = d.post("/admin/groups", "/admin/groups", "Group added: spare", name="spare")
    g = r.headers["location"]
    d.post(
        "/admin/groups/{group_id:int}",
        g,
        "Group edited: spare",
        status=200,
        upload_policy="sex AND idnum1",
        finalize_policy="sex AND idnum1",
    )
    d.post("/admin/groups/{group_id:int}", g, "Group deleted: spare", action="delete")
    d.post(
        "/admin/idnums",
        "/admin/idnums",
        "ID number definition added: 5",
        action="add",
        which_idnum="5",
        description="Five",
        short_description="5#",
        validation_method="",
    )
    d.post(
        "/admin/idnums",
        "/admin/idnums",
        "ID number definition edited: 5",
        action="edit",
        which_idnum="5",
        description="Five!",
        short_description="5#",
        validation_method="",
    )
    d.post(
        "/admin/idnums",
        "/admin/idnums",
        "ID number definition deleted: 5",
        action="delete",
        which_idnum="5",
    )

    # Server-created patients and schedules.
    d.post(
        "/admin/server-patients",
        "/admin/server-patients",
        "Server-created patient added",
        action="patient",
        group_id=ga,
        forename="Sam",
        surname="Server",
        sex="M",
        dob="1999-09-09",
        idnum1="9434765919",
    )
    p = CLIENT_TABLES["patient"]
    spk = _scalar(world, sa.select(p.c._pk).where(p.c.surname == "Server"))
    d.post(
        "/admin/server-patients",
        "/admin/server-patients",
        "Task schedule",
        action="schedule",
        group_id=ga,
        name="Weekly",
        table="phq9",
        due_from="0",
        due_within="7",
    )
    sid = _scalar(world, sa.select(task_schedule.c.id))
    d.post(
        "/admin/server-patients",
        "/admin/server-patients",
        "given to patient",
        action="assign",
        group_id=ga,
        patient_pk=str(spk),
        schedule_id=str(sid),
    )
    d.post(
        "/admin/server-patients/{pk:int}/edit",
        f"/admin/server-patients/{spk}/edit",
        "Patient edited",
        group_id=ga,
        forename="Samuel",
        surname="Server",
        sex="M",
        dob="1999-09-09",
        idnum1="9434765919",
    )
    d.post(
        "/admin/schedules/{schedule_id:int}",
        f"/admin/schedules/{sid}",
        "renamed",
        action="rename",
        name="Daily",
    )
    aid = _scalar(world, sa.select(patient_task_schedule.c.id))
    d.post(
        "/admin/schedule-assignments/{assignment_id:int}/delete",
        f"/admin/schedule-assignments/{aid}/delete",
        "taken away from patient",
    )
    d.post(
        "/admin/server-patients/{pk:int}/delete",
        f"/admin/server-patients/{spk}/delete",
        "Server-created patient deleted",
    )
    assert_consistent(world.db.engine)

    # Downloads: a small one comes straight back; restarting and deleting a failed job.
    d.token = csrf_of(c.get("/downloads/new").text)
    d.post("/downloads/new", "/downloads/new", "Export by 'root'", status=200, format="csv")
    job_id = _failed_job(world, "root")
    d.post(
        "/downloads/{job_id:int}/restart",
        f"/downloads/{job_id}/restart",
        f"Download job {job_id} restarted",
    )
    _failed_job(world, "root")
    d.post(
        "/downloads/{job_id:int}/delete",
        f"/downloads/{job_id}/delete",
        f"Download job {job_id} deleted",
    )

    # Logging in and out, changing one's password (as another user).
    c2 = world.client()
    d2 = Driver(world, c2, "adminb", page="/login")
    d2.post(
        "/login",
        "/login",
        "Login as user: adminb",
        username="adminb",
        password=PASSWORD,
        next="/tasks",
    )
    d2.token = csrf_of(c2.get("/tasks").text)
    d2.post(
        "/change-password",
        "/change-password",
        "Password changed for user: adminb",
        status=200,
        old_password=PASSWORD,
        new_password="adminb-new-password",
        new_password2="adminb-new-password",
    )
    # Personal API tokens (read API).
    d2.post(
        "/api-tokens", "/api-tokens", "API token created", status=200, action="create", name="R"
    )
    with world.db.engine.connect() as conn:
        token_id = int(
            conn.execute(sa.text("SELECT MAX(id) FROM _security_api_tokens")).scalar_one()
        )
    d2.post(
        "/api-tokens",
        "/api-tokens",
        f"API token revoked: {token_id}",
        action="revoke",
        token_id=str(token_id),
    )
    d2.post("/logout", "/logout", "Logout")

    # Two-factor login: set-up (key shown, confirmed), then a login with a code.
    d2.token = csrf_of(c2.get("/login").text)
    d2.post(
        "/login",
        "/login",
        "Login as user: adminb",
        username="adminb",
        password="adminb-new-password",
        next="/tasks",
    )
    d2.token = csrf_of(c2.get("/mfa").text)
    page = d2.post("/mfa", "/mfa", "Two-factor set-up started", status=200, action="start")
    totp = pyotp.TOTP(SECRET_RE.findall(page.text)[0])
    at = time.time()
    d2.post("/mfa", "/mfa", "enrolled", status=200, action="confirm", code=totp.at(at))
    d2.post("/logout", "/logout", "Logout")
    d2.token = csrf_of(c2.get("/login").text)
    d2.post(
        "/login",
        "/login",
        "two-factor code awaited",
        username="adminb",
        password="adminb-new-password",
        next="/tasks",
    )
    d2.token = csrf_of(c2.get("/login/mfa").text)  # the password step renewed the token
    d2.post("/login/mfa", "/login/mfa", "Login as user: adminb", code=totp.at(at + 30))

    # Superusers: the server settings page.
    d.post(
        "/admin/settings",
        "/admin/settings",
        "Database title set to 'Ward audit'",
        database_title="Ward audit",
    )

    # Administrators: a user's two-factor requirement and reset.
    adminb = _scalar(world, sa.select(users.c.id).where(users.c.username == "adminb"))
    u = f"/admin/users/{adminb}"
    d.post(
        "/admin/users/{user_id:int}",
        u,
        "Two-factor login required for user: adminb",
        status=200,
        action="mfa-required",
        mfa_required="1",
    )
    d.post(
        "/admin/users/{user_id:int}",
        u,
        "Two-factor login reset for user: adminb",
        status=200,
        action="mfa-reset",
    )
    d.post(
        "/admin/users",
        "/admin/users",
        "Two-factor login not required for everyone",
        status=200,
        action="mfa-site",
    )

    post_routes = {
        r.path for r in routes() if isinstance(r, Route) and "POST" in (r.methods or set())
    }
    assert d.seen | d2.seen == post_routes, (
        "POST routes not driven:",
        post_routes - d.seen - d2.seen,
    )
