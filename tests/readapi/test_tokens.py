"""API tokens: only a valid, unexpired, unrevoked token of a permitted user reads data."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from copse.accounts import api_tokens
from copse.schema.tables import api_tokens as tokens_table
from copse.schema.tables import audit
from tests.conftest import Cli
from tests.readapi.conftest import Api, token_for
from tests.web.conftest import World

SECRET_MARKERS = ("Ann", "Alpha", "9000000001", "phq9")


def _refused(r: object, status: int) -> None:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert set(body) == {"status", "error"} and body["status"] == status
    for marker in SECRET_MARKERS:
        assert marker not in r.text  # type: ignore[attr-defined]


def test_missing_wrong_and_malformed_tokens_get_401(world: World, app_client: TestClient) -> None:
    r = app_client.get("/read/v1/tasks")
    _refused(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    good = token_for(world, "alice")
    for header in (
        "Bearer copse_wrong",
        f"Bearer {good}x",
        f"Basic {good}",
        "Bearer ",
        f"Bearer {good[:-1]}",
        "Bearer " + "x" * 5000,
    ):
        _refused(app_client.get("/read/v1/tasks", headers={"Authorization": header}), 401)
    assert Api(app_client, good).get("/tasks").status_code == 200


def test_expired_and_revoked_tokens_get_401(world: World, app_client: TestClient) -> None:
    # Expired a day ago: within the retention period, so housekeeping (which the app's
    # lifespan runs) has not forgotten it yet.
    old = datetime.utcnow() - timedelta(days=2)
    expired = token_for(world, "alice", days=1, now=old)
    r = Api(app_client, expired).get("/tasks")
    _refused(r, 401)
    assert "expired" in r.json()["error"]
    revoked = token_for(world, "alice")
    with world.db.engine.begin() as conn:
        (tid,) = [t.id for t in api_tokens.list_tokens(conn) if not t.expires_at]
        api_tokens.revoke_token(conn, tid, datetime.utcnow())
    r = Api(app_client, revoked).get(f"/tasks/phq9/{world.task_a}")
    _refused(r, 401)
    assert "revoked" in r.json()["error"]


def test_user_without_web_viewer_permission_gets_403(world: World, app_client: TestClient) -> None:
    _refused(Api(app_client, token_for(world, "tabletonly")).get("/tasks"), 403)


def test_only_the_hash_is_stored_and_each_use_is_recorded(world: World, as_alice: Api) -> None:
    with world.db.engine.connect() as conn:
        row = conn.execute(sa.select(tokens_table)).one()
    assert row.token_hash == api_tokens.hash_token(as_alice.token) != as_alice.token
    assert as_alice.token not in str(tuple(row))
    assert row.last_used_at_utc is None
    assert as_alice.get("/groups").status_code == 200
    with world.db.engine.connect() as conn:
        first = conn.execute(sa.select(tokens_table.c.last_used_at_utc)).scalar_one()
    assert first is not None
    assert as_alice.get("/groups").status_code == 200
    with world.db.engine.connect() as conn:
        second = conn.execute(sa.select(tokens_table.c.last_used_at_utc)).scalar_one()
        entries = conn.execute(
            sa.select(audit.c.details, audit.c.user_id).where(audit.c.source == "api")
        ).all()
    assert second >= first
    assert len(entries) == 2 and all(
        "GET /read/v1/groups -> 200; 1 rows" in e.details for e in entries
    )
    assert as_alice.token not in str(entries)


def test_cli_create_list_revoke(world: World, cli: Cli, app_client: TestClient) -> None:
    out = cli("token", "create", "alice", "--name", "R script", "--expires", "30")
    secret = out.strip().splitlines()[-1]  # the token alone on the last line (stdout)
    assert secret.startswith("copse_")
    assert Api(app_client, secret).get("/tasks").status_code == 200
    listing = cli("token", "list", "alice")
    assert "R script" in listing and "active" in listing and secret not in listing
    token_id = listing.split("\t", 1)[0]
    cli("token", "revoke", token_id)
    assert "revoked" in cli("token", "list")
    assert Api(app_client, secret).get("/tasks").status_code == 401
    with world.db.engine.connect() as conn:
        details = " ".join(d for (d,) in conn.execute(sa.select(audit.c.details)) if d)
    assert secret not in details
    second = cli("token", "create", "alice").strip().splitlines()[-1]
    third = cli("token", "create", "alice").strip().splitlines()[-1]
    assert "Revoked 2 API token(s) of alice" in cli("token", "revoke", "--user", "alice")
    for t in (second, third):
        assert Api(app_client, t).get("/tasks").status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("token", "create", "nobody"), "No such user"),
        (("token", "create", "alice", "--expires", "0"), "0"),
        (("token", "revoke", "999"), "No such API token"),
        (("token", "revoke"), "Give either"),
        (("token", "revoke", "1", "--user", "alice"), "Give either"),
        (("token", "revoke", "--user", "nobody"), "No such user"),
        (("token", "create", "alice", "--name", " "), "name:"),
    ],
)
def test_cli_bad_input(world: World, cli: Cli, args: tuple[str, ...], message: str) -> None:
    out = cli(*args, ok=False)
    assert message in out
    assert "Traceback" not in out
