"""Web downloads: the form, streaming, background jobs, My downloads, bad input.

Runs on every configured backend.  Background jobs run in the app's own
runner (the TestClient is entered, so the server lifespan runs); the test
waits for the job's state in the database, never for a guessed time.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from copse.accounts.users import get_user_by_name
from copse.schema.tables import audit, download_jobs
from copse.services.downloads import jobs
from copse.services.export import ExportOptions
from copse.wire.dates import utcnow
from tests.conftest import Cli
from tests.web.conftest import World, csrf_of, login, web_settings

JOB_SETTINGS: dict[str, Any] = {"download_background_rows": 0, "download_poll_seconds": 0.02}


def wait_for(cond: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll the database until ``cond`` holds (the job's own state, not a guessed delay)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def job_state(world: World, job_id: int) -> jobs.Job:
    with world.db.engine.connect() as conn:
        job = jobs.get(conn, job_id)
    assert job is not None
    return job


@pytest.fixture
def downloaders(cli: Cli, world: World) -> World:
    cli("user", "set", "alice", "--group", "groupa", "--may-download")
    return world


@pytest.fixture
def running(downloaders: World) -> Iterator[Callable[..., TestClient]]:
    """Clients whose app runs its lifespan (housekeeping and the job runner)."""
    opened: list[TestClient] = []

    def make(username: str, **overrides: Any) -> TestClient:
        c = downloaders.client(**{**JOB_SETTINGS, **overrides})
        c.__enter__()
        opened.append(c)
        assert login(c, username).status_code == 303  # type: ignore[attr-defined]
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)


def post_form(c: TestClient, **data: Any) -> Any:
    token = csrf_of(c.get("/downloads/new").text)
    return c.post("/downloads/new", data={"csrf_token": token, **data})


def zip_tables(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".csv")}


def audit_texts(world: World) -> list[str]:
    with world.db.engine.connect() as conn:
        return [str(d) for (d,) in conn.execute(sa.select(audit.c.details).order_by(audit.c.id))]


def test_small_download_streams_back_within_the_users_groups(
    downloaders: World, client: TestClient
) -> None:
    assert login(client, "alice").status_code == 303  # type: ignore[attr-defined]
    form = client.get("/downloads/new")
    assert form.status_code == 200 and "groupa" in form.text and "groupb" not in form.text
    r = post_form(client, format="csv", task_type="phq9")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert "attachment" in r.headers["content-disposition"]
    tables = zip_tables(r.content)
    assert "Alpha" in tables["patient.csv"] and "Beta" not in tables["patient.csv"]
    assert len(tables["phq9.csv"].strip().splitlines()) == 2  # header + alice's one task
    assert any("Export by 'alice'" in t and "tasks=phq9" in t for t in audit_texts(downloaders))
    # Nothing left behind in the download folder.
    folder = web_settings(downloaders.db, downloaders.data_dir).effective_download_dir
    assert list(folder.iterdir()) == []


def test_task_list_links_to_the_form_with_its_filters(
    downloaders: World, client: TestClient
) -> None:
    login(client, "alice")
    page = client.get("/tasks?task_type=phq9&surname=Alpha")
    assert "/downloads/new?task_type=phq9&amp;surname=Alpha" in page.text
    form = client.get("/downloads/new?task_type=phq9&surname=Alpha")
    assert 'value="phq9" selected' in form.text
    assert "Surname filter cannot be applied to a download" in form.text


BAD_INPUT = [
    ({"task_type": "nosuchtask"}, "task_type: 'nosuchtask' is not a task type"),
    ({"created_from": "2024-13-45"}, "created_from: '2024-13-45' is not a date"),
    ({"created_to": "yesterday"}, "created_to: 'yesterday' is not a date"),
    ({"format": "pdf"}, "format: 'pdf' is not offered"),
    ({"era": "bronze"}, "era: 'bronze' is not one of"),
    ({"group_id": "abc"}, "group_id: 'abc' is not a group id"),
    ({"group_id": "99999"}, "group: no group with id 99999"),
    ({"which_idnum": "7", "idnum_value": "12"}, "which_idnum: there is no ID number type 7"),
    ({"which_idnum": "1"}, "idnum_value: an ID number filter needs both"),
    ({"idnum_value": "x1", "which_idnum": "1"}, "idnum_value: 'x1' is not a whole number"),
    ({"created_from": "2024-05-01", "created_to": "2024-01-01"}, "from: the start date is after"),
    ({"surname": "Alpha"}, "surname: downloads cannot filter by Surname"),
]


def test_bad_input_names_the_field_and_changes_nothing(
    downloaders: World, client: TestClient
) -> None:
    login(client, "alice")
    before = audit_texts(downloaders)
    for data, message in BAD_INPUT:
        r = post_form(client, **{"format": "csv", **data})
        assert r.status_code == 400, (data, r.status_code)
        assert message in r.text.replace("&#39;", "'"), (data, r.text[:2000])
        assert "Traceback" not in r.text
    # Another group's data is refused, naming the field.
    r = post_form(client, format="csv", group_id=str(downloaders.group_b))
    assert r.status_code == 400
    assert "group: user &#39;alice&#39; may not download data of group id" in r.text
    with downloaders.db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(download_jobs)).scalar() == 0
    assert not any("Export by" in t for t in audit_texts(downloaders)[len(before) :])


def test_user_without_the_permission_is_refused(downloaders: World, client: TestClient) -> None:
    login(client, "bob")
    assert client.get("/downloads/new").status_code == 403
    r = client.post("/downloads/new", data={"csrf_token": csrf_of(client.get("/tasks").text)})
    assert r.status_code == 403 and "may not download data" in r.text
    assert client.get("/downloads").status_code == 200  # an empty list, nothing more


def test_background_job_runs_and_only_its_owner_may_fetch_it(
    running: Callable[..., TestClient], downloaders: World
) -> None:
    root = running("root")
    r = post_form(root, format="sqlite", task_type="phq9")
    assert r.status_code == 303 and r.headers["location"].startswith("/downloads?queued=")
    job_id = int(r.headers["location"].rsplit("=", 1)[1])
    wait_for(lambda: job_state(downloaders, job_id).state == jobs.DONE, "the job to finish")
    job = job_state(downloaders, job_id)
    assert job.progress_rows == 2 and job.size_bytes and job.expires_utc is not None
    page = root.get("/downloads")
    assert f'id="job-{job_id}" data-state="done"' in page.text
    assert f"/downloads/{job_id}/file" in page.text
    got = root.get(f"/downloads/{job_id}/file")
    assert got.status_code == 200
    path = downloaders.data_dir / "fetched.sqlite"
    path.write_bytes(got.content)
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT count(*) FROM phq9").fetchone() == (2,)
        surnames = {s for (s,) in db.execute("SELECT surname FROM patient")}
        assert surnames == {"Alpha", "Beta"}
    finally:
        db.close()
    # Someone else: 404, as for a job that does not exist.
    alice = running("alice")
    assert alice.get(f"/downloads/{job_id}/file").status_code == 404
    assert alice.get(f"/downloads/{job_id + 1000}/file").status_code == 404
    token = csrf_of(alice.get("/downloads").text)
    r = alice.post(f"/downloads/{job_id}/delete", data={"csrf_token": token})
    assert r.status_code == 404
    # Audited: queued, done (with rows), fetched; all readable on the audit page.
    texts = audit_texts(downloaders)
    assert any(f"Download job {job_id} queued by 'root'" in t for t in texts)
    assert any(f"Download job {job_id} done" in t and "2 task rows" in t for t in texts)
    assert any(f"Fetched download job {job_id}" in t for t in texts)
    audit_page = root.get(f"/audit?text=Download+job+{job_id}")
    assert f"Download job {job_id} done" in audit_page.text
    # Deleting frees the quota and removes the file.
    token = csrf_of(page.text)
    assert root.post(f"/downloads/{job_id}/delete", data={"csrf_token": token}).status_code == 303
    assert job_state(downloaders, job_id).state == jobs.DELETED
    assert root.get(f"/downloads/{job_id}/file").status_code == 404
    folder = web_settings(downloaders.db, downloaders.data_dir).effective_download_dir
    assert list(folder.iterdir()) == []


def test_quota_refuses_new_jobs_with_a_clear_message(
    running: Callable[..., TestClient], downloaders: World
) -> None:
    alice = running("alice", download_quota_bytes=1)
    r = post_form(alice, format="csv")
    job_id = int(r.headers["location"].rsplit("=", 1)[1])
    wait_for(lambda: job_state(downloaders, job_id).state == jobs.DONE, "the job to finish")
    r = post_form(alice, format="csv")
    assert r.status_code == 400
    assert "quota: your kept downloads take" in r.text


def test_interrupted_job_fails_with_a_reason_and_can_be_started_again(
    running: Callable[..., TestClient], downloaders: World
) -> None:
    settings = web_settings(downloaders.db, downloaders.data_dir)
    folder = settings.effective_download_dir
    folder.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    with downloaders.db.engine.begin() as conn:
        alice = get_user_by_name(conn, "alice")
        assert alice is not None
        job_id = jobs.submit(
            conn, settings, alice, ExportOptions("xlsx"), estimate=1, now=now, remote_addr=None
        )
        # A process on another host took it and vanished, leaving a half-written file.
        assert jobs.claim(conn, "otherhost:4242", now, 60) is not None
    for p in jobs.partial_paths(folder, job_id):
        p.write_bytes(b"half")
    with downloaders.db.engine.begin() as conn:
        assert jobs.housekeep(conn, settings, now).interrupted == []  # lease still holds
        done = jobs.housekeep(conn, settings, now + timedelta(seconds=61))
    assert done.interrupted == [job_id]
    job = job_state(downloaders, job_id)
    assert job.state == jobs.FAILED and job.reason == jobs.INTERRUPTED
    assert list(folder.iterdir()) == []
    c = running("alice")
    page = c.get("/downloads")
    assert "Start again" in page.text and "Interrupted" in page.text
    r = c.post(f"/downloads/{job_id}/restart", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    wait_for(lambda: job_state(downloaders, job_id).state == jobs.DONE, "the rerun to finish")
    got = c.get(f"/downloads/{job_id}/file")
    assert got.status_code == 200 and got.content[:2] == b"PK"  # an xlsx is a zip
    # Restarting a job that did not fail is refused.
    r = c.post(f"/downloads/{job_id}/restart", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 400 and "Only a failed download" in r.text


def test_finished_files_expire(running: Callable[..., TestClient], downloaders: World) -> None:
    settings = web_settings(downloaders.db, downloaders.data_dir, download_keep_hours=1)
    root = running("root", download_keep_hours=1)
    r = post_form(root, format="csv")
    job_id = int(r.headers["location"].rsplit("=", 1)[1])
    wait_for(lambda: job_state(downloaders, job_id).state == jobs.DONE, "the job to finish")
    path: Path = settings.effective_download_dir / str(job_state(downloaders, job_id).file_name)
    assert path.is_file()
    with downloaders.db.engine.begin() as conn:
        assert jobs.housekeep(conn, settings, utcnow()).expired == []
        assert jobs.housekeep(conn, settings, utcnow() + timedelta(hours=2)).expired == [job_id]
    assert not path.exists()
    assert job_state(downloaders, job_id).state == jobs.EXPIRED
    assert root.get(f"/downloads/{job_id}/file").status_code == 404


def test_too_many_jobs_under_way_are_refused(
    running: Callable[..., TestClient], downloaders: World
) -> None:
    """The lifespan runs but ``download_runner`` is off: the jobs stay queued (were
    the setting ignored, the runner would finish them and the last one be accepted)."""
    c = running("alice", download_runner=False)
    for _ in range(jobs.MAX_ACTIVE_JOBS):
        assert post_form(c, format="csv").status_code == 303
    r = post_form(c, format="csv")
    assert r.status_code == 400
    assert f"quota: you already have {jobs.MAX_ACTIVE_JOBS} downloads waiting or running" in r.text


def test_a_job_of_a_dead_process_on_this_host_fails_at_once(downloaders: World) -> None:
    """Start-up housekeeping need not wait for the lease: the owner's process is gone."""
    settings = web_settings(downloaders.db, downloaders.data_dir)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    dead_owner = jobs.owner_id().rsplit(":", 1)[0] + f":{proc.pid}"
    now = utcnow()
    with downloaders.db.engine.begin() as conn:
        root = get_user_by_name(conn, "root")
        assert root is not None
        job_id = jobs.submit(
            conn, settings, root, ExportOptions("csv"), estimate=1, now=now, remote_addr=None
        )
        assert jobs.claim(conn, jobs.owner_id(), now, 60) is not None  # this process: alive
        assert jobs.housekeep(conn, settings, now).interrupted == []
        conn.execute(
            sa.update(download_jobs).where(download_jobs.c.id == job_id).values(owner=dead_owner)
        )
        assert jobs.housekeep(conn, settings, now).interrupted == [job_id]
    assert job_state(downloaders, job_id).reason == jobs.INTERRUPTED


def test_housekeeping_removes_orphaned_stream_files(downloaders: World) -> None:
    settings = web_settings(downloaders.db, downloaders.data_dir)
    folder = settings.effective_download_dir
    folder.mkdir(parents=True)
    old, new = folder / "stream-old.partial", folder / "stream-new.partial"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    with downloaders.db.engine.begin() as conn:
        jobs.housekeep(conn, settings, utcnow())
    assert not old.exists() and new.exists()
