"""Downloads through the read API: start a job, poll it, fetch the file (issue 14, §2).

The app runs its lifespan (so the job runner claims jobs, as in a server); the
file is read back and holds only what the user may see.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from copse.schema.tables import audit
from tests.conftest import Cli
from tests.readapi.conftest import token_for
from tests.web.conftest import World

FAST_RUNNER: dict[str, Any] = {"download_poll_seconds": 0.02}


def wait_for(cond: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll until ``cond`` holds (it asks the API for the job's state, not a guessed delay)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def downloaders(cli: Cli, world: World) -> World:
    cli("user", "set", "alice", "--group", "groupa", "--may-download")
    return world


@pytest.fixture
def running(downloaders: World) -> Iterator[TestClient]:
    with downloaders.client(**FAST_RUNNER) as c:
        yield c


def auth(world: World, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(world, username)}"}


def test_start_poll_fetch_within_the_users_groups(running: TestClient, downloaders: World) -> None:
    h = auth(downloaders, "alice")
    r = running.post("/read/v1/downloads", json={"format": "csv", "task_type": ["phq9"]}, headers=h)
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["state"] in ("queued", "running", "done") and job["format"] == "csv"
    url = job["url"]

    def done() -> bool:
        got = running.get(url, headers=h).json()
        assert got["state"] not in ("failed", "expired"), got
        return bool(got["state"] == "done")

    wait_for(done, "the job to finish")
    got = running.get(url, headers=h).json()
    assert got["file_url"] == f"{url}/file"
    listed = running.get("/read/v1/downloads", headers=h).json()["items"]
    assert [j["id"] for j in listed] == [job["id"]]
    f = running.get(got["file_url"], headers=h)
    assert f.status_code == 200 and f.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(f.content)) as zf:
        patients = zf.read("patient.csv").decode("utf-8")
        phq9 = zf.read("phq9.csv").decode("utf-8").strip().splitlines()
    assert "Alpha" in patients and "Beta" not in patients  # alice sees group A only
    assert len(phq9) == 2  # header + the one group-A PHQ-9
    # Someone else's job does not exist for them, file or not.
    other = auth(downloaders, "root")
    assert running.get(url, headers=other).status_code == 404
    assert running.get(f"{url}/file", headers=other).status_code == 404
    assert running.get("/read/v1/downloads", headers=other).json()["items"] == []
    with downloaders.db.engine.connect() as conn:
        texts = [str(d) for (d,) in conn.execute(sa.select(audit.c.details))]
    assert any(f"Download job {job['id']} queued by 'alice'" in t for t in texts)
    assert any("/read/v1/downloads" in t and "POST" in t for t in texts)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"colour": "red"}, "colour"),
        ({"created_from": "2024-13-01"}, "created_from"),
        ({"task_type": ["nosuchtask"]}, "task_type"),
        ({"which_idnum": 1}, "idnum_value"),
        ({"era": "yesterday"}, "era"),
        ({"format": {"x": 1}}, "format"),
    ],
)
def test_bad_input_names_the_field_and_queues_nothing(
    downloaders: World, body: dict[str, Any], field: str
) -> None:
    c = downloaders.client()  # no lifespan: nothing could run a job anyway
    r = c.post("/read/v1/downloads", json=body, headers=auth(downloaders, "alice"))
    assert r.status_code == 400, r.text
    assert r.json()["status"] == 400 and field in r.json()["error"]
    with downloaders.db.engine.connect() as conn:
        n = conn.execute(sa.text("SELECT COUNT(*) FROM _download_jobs")).scalar_one()
    assert n == 0


def test_without_the_permission_refused(downloaders: World) -> None:
    c = downloaders.client()
    r = c.post("/read/v1/downloads", json={"format": "csv"}, headers=auth(downloaders, "bob"))
    assert r.status_code == 403 and "may download data" in r.json()["error"]


def test_file_of_an_unfinished_job_is_a_conflict(downloaders: World) -> None:
    c = downloaders.client()  # no lifespan: the job stays queued
    h = auth(downloaders, "alice")
    job = c.post("/read/v1/downloads", json={"format": "sqlite"}, headers=h).json()
    assert job["state"] == "queued" and job["file_url"] is None
    r = c.get(f"{job['url']}/file", headers=h)
    assert r.status_code == 409 and "queued" in r.json()["error"]
