"""Fixtures for the web front end: an in-process app, logged-in clients, two groups."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from copse.app import create_app
from copse.config import Settings
from tests.conftest import Cli
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.web import factories as fx

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]*)"')
PASSWORD = "correct-horse-battery"


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def web_settings(db: Backend, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        db_url=db.url, data_dir=data_dir, bcrypt_rounds=4, lockout_threshold=3, lockout_minutes=10
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def make_client(db: Backend, data_dir: Path, **overrides: object) -> TestClient:
    """HTTPS base URL, so the Secure session cookie is sent back as a browser would."""
    app = create_app(web_settings(db, data_dir, **overrides), db.engine)
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def login(client: TestClient, username: str, password: str = PASSWORD) -> object:
    page = client.get("/login")
    assert page.status_code == 200
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": "/tasks",
        },
    )


@dataclass
class World:
    """Two groups, each with a device, a patient and a PHQ-9, plus the accounts."""

    db: Backend
    data_dir: Path
    group_a: int
    group_b: int
    device_a: int
    device_b: int
    patient_a: int
    patient_b: int
    task_a: int
    task_b: int

    def client(self, **overrides: object) -> TestClient:
        return make_client(self.db, self.data_dir, **overrides)

    def logged_in(self, username: str) -> TestClient:
        c = self.client()
        r = login(c, username)
        assert r.status_code == 303, r.text
        return c


def _ids(conn: sa.Connection, table: str, column: str, name: str) -> int:
    return int(
        conn.exec_driver_sql(f"SELECT id FROM {table} WHERE {column} = '{name}'").scalar_one()
    )


@pytest.fixture
def world(cli: Cli, db: Backend, tmp_path: Path) -> World:
    cli("idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS#")
    cli("group", "add", "groupa")
    cli("group", "add", "groupb")
    cli("user", "add", "root", "--password", PASSWORD, "--superuser")
    cli("user", "add", "alice", "--password", PASSWORD, "--group", "groupa", "--may-upload")
    cli("user", "add", "bob", "--password", PASSWORD, "--group", "groupb", "--may-upload")
    cli("user", "add", "adminb", "--password", PASSWORD, "--group", "groupb", "--group-admin")
    cli("user", "add", "tabletonly", "--password", PASSWORD, "--group", "groupa", "--no-webviewer")
    with db.engine.begin() as conn:
        ga = _ids(conn, "_security_groups", "name", "groupa")
        gb = _ids(conn, "_security_groups", "name", "groupb")
        alice = _ids(conn, "_security_users", "username", "alice")
        bob = _ids(conn, "_security_users", "username", "bob")
        da = fx.make_device(conn, "tab-a", user_id=alice)
        dbb = fx.make_device(conn, "tab-b", user_id=bob)
        pa = fx.make_patient(
            conn,
            device_id=da,
            group_id=ga,
            client_id=1,
            forename="Ann",
            surname="Alpha",
            dob="1980-01-02",
            sex="F",
            user_id=alice,
            idnums={1: 9000000001},
        )
        pb = fx.make_patient(
            conn,
            device_id=dbb,
            group_id=gb,
            client_id=1,
            forename="Ben",
            surname="Beta",
            dob="1990-05-06",
            sex="M",
            user_id=bob,
            idnums={1: 9000000002},
        )
        ta = fx.make_task(
            conn,
            "phq9",
            device_id=da,
            group_id=ga,
            client_id=1,
            patient_id=1,
            when_created="2024-02-01T10:00:00.000+00:00",
            user_id=alice,
            **fx.PHQ9_COMPLETE,
        )
        tb = fx.make_task(
            conn,
            "phq9",
            device_id=dbb,
            group_id=gb,
            client_id=1,
            patient_id=1,
            when_created="2024-02-02T10:00:00.000+00:00",
            user_id=bob,
            **fx.PHQ9_COMPLETE,
        )
    fx.reindex(db.engine)
    return World(db, tmp_path, ga, gb, da, dbb, pa, pb, ta, tb)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with world.client() as c:
        yield c


@pytest.fixture
def live(world: World, tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(
        world.db.url,
        tmp_path / "server.log",
        extra_env={
            "COPSE_SECRET_KEY": secrets.token_urlsafe(48),
            # Plain http on 127.0.0.1 in tests; production keeps Secure cookies.
            "COPSE_ALLOW_INSECURE_COOKIES": "1",
            "COPSE_DATA_DIR": str(tmp_path / "data"),
        },
    )
    server.start()
    yield server
    server.stop()
