"""The adapter's writing path, ready for the download operations (start a job, ...).

A test-only POST operation shows that a writing operation's changes and its
audit entry commit together, and that a refusal rolls its changes back while
the refusal itself is still audited.
"""

from __future__ import annotations

import sqlalchemy as sa
from starlette.testclient import TestClient

from copse.readapi.endpoint import ApiContext, ApiError, Json, Operation
from copse.readapi.params import Param
from copse.readapi.routes import api_app
from copse.schema.tables import audit, server_settings
from tests.readapi.conftest import token_for
from tests.web.conftest import World


def _set_title(ctx: ApiContext) -> Json:
    title = ctx.body.get("title")
    ctx.conn.execute(sa.delete(server_settings))
    ctx.conn.execute(sa.insert(server_settings).values(id=1, database_title=str(title)))
    if title == "refuse":
        raise ApiError(403, "refused after writing")
    ctx.rows = 1
    return {"title": title, "dry": ctx.params["dry"]}


OP = Operation(
    "/title",
    "setTitle",
    "Set",
    "Test only",
    _set_title,
    (Param("dry", "bool", "x"),),
    method="POST",
)


def _titles(world: World) -> list[str]:
    with world.db.engine.connect() as conn:
        return [t for (t,) in conn.execute(sa.select(server_settings.c.database_title))]


def test_writes_commit_with_their_audit_and_refusals_roll_back(world: World) -> None:
    token = token_for(world, "alice")
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(api_app(world.db.engine, [OP])) as c:
        r = c.post("/title", json={"title": "Ward 7"}, headers=auth)
        assert r.status_code == 200, r.text
        assert r.json() == {"title": "Ward 7", "dry": None}
        assert _titles(world) == ["Ward 7"]
        r = c.post("/title", json={"title": "refuse"}, headers=auth)
        assert r.status_code == 403 and r.json()["error"] == "refused after writing"
        assert _titles(world) == ["Ward 7"]  # rolled back
        for bad, field in ((b"[1]", "body"), (b"{nope", "body"), (b"{}", "dry")):
            r = c.post(
                "/title?dry=maybe" if field == "dry" else "/title", content=bad, headers=auth
            )
            assert r.status_code == 400 and r.json()["error"].startswith(f"{field}:")
        assert c.post("/title", json={"title": "x"}).status_code == 401
        assert c.get("/title", headers=auth).status_code == 405
    with world.db.engine.connect() as conn:
        details = [
            d for (d,) in conn.execute(sa.select(audit.c.details).where(audit.c.source == "api"))
        ]
    assert any("POST /title -> 200; 1 rows" in d for d in details)
    assert any("POST /title -> 403" in d for d in details)
    assert any("POST /title?dry=maybe -> 400" in d for d in details)
