"""End to end: a token from the CLI, then plain HTTP to a real server process."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from copse.schema.tables import api_tokens, audit
from tests.conftest import Cli
from tests.support.server import ServerProcess
from tests.web.conftest import World


def test_read_api_through_a_real_server(world: World, live: ServerProcess, cli: Cli) -> None:
    token = cli("token", "create", "alice", "--expires", "30").strip().splitlines()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    base = live.base_url
    with httpx.Client(base_url=base, timeout=30) as http:
        assert http.get("/read/v1/tasks").status_code == 401
        tasks = http.get("/read/v1/tasks", headers=auth, params={"task_type": "phq9"})
        assert tasks.status_code == 200, tasks.text
        items = tasks.json()["items"]
        assert [(t["table"], t["pk"]) for t in items] == [("phq9", world.task_a)]
        one = http.get(items[0]["url"], headers=auth)
        assert one.status_code == 200 and one.json()["fields"]["q1"] == 1
        other = http.get(f"/read/v1/tasks/phq9/{world.task_b}", headers=auth)
        assert other.status_code == 404 and other.json()["status"] == 404
        bad = http.get("/read/v1/tasks", headers=auth, params={"created_from": "2024-02-30"})
        assert bad.status_code == 400 and bad.json()["error"].startswith("created_from:")
        doc = http.get("/openapi.json")
        assert doc.status_code == 200 and "/read/v1/tasks" in doc.json()["paths"]
        assert http.get("/read/docs").status_code == 200
    with world.db.engine.connect() as conn:
        n_audited = conn.execute(
            sa.select(sa.func.count()).select_from(audit).where(audit.c.source == "api")
        ).scalar_one()
        used = conn.execute(sa.select(api_tokens.c.last_used_at_utc)).scalar_one()
    assert n_audited == 4 and used is not None
