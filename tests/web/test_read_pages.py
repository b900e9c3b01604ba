"""Web pages read in read-only transactions and never wait for an upload (issue 12).

On SQLite a writer holds the database's one write lock for the whole upload.
Pages used to run in ``BEGIN IMMEDIATE`` transactions and queued behind it;
now they read a WAL snapshot beside it, and what a page view writes (its
audit entry) is written after the response has been sent.  The lock is held
deterministically here: a connection that has begun a write transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from copse.db.tx import run_in_transaction
from copse.schema.tables import audit
from copse.web.security import COOKIE_NAME
from tests.support.databases import Backend
from tests.web.conftest import World

Message = MutableMapping[str, Any]


def audit_count(db: Backend, details: str) -> int:
    """Counted in a read-only transaction, which works while the write lock is held."""
    q = sa.select(sa.func.count()).select_from(audit).where(audit.c.details == details)
    return int(run_in_transaction(db.engine, lambda c: c.execute(q).scalar_one(), read_only=True))


def test_read_only_transaction_refuses_writes(db: Backend) -> None:
    """Every backend: a write in a page's transaction fails loudly and changes nothing."""

    def write(conn: sa.Connection) -> None:
        conn.execute(
            sa.insert(audit).values(when_access_utc=sa.func.now(), source="test", details="x")
        )

    with pytest.raises(DBAPIError):
        run_in_transaction(db.engine, write, read_only=True)
    assert audit_count(db, "x") == 0
    run_in_transaction(db.engine, write)  # a normal transaction on the same pool still writes
    assert audit_count(db, "x") == 1


def test_pages_render_while_an_upload_holds_the_write_lock(world: World) -> None:
    db = world.db
    with world.logged_in("root") as client:
        cookie = client.cookies.get(COOKIE_NAME)
        assert cookie
        holder = db.engine.connect()
        lock = holder.begin()  # SQLite: BEGIN IMMEDIATE -- the write lock, as an upload has it
        try:
            if db.name == "sqlite":
                # Proof that the lock is held: another writer cannot start.
                other = sa.create_engine(db.url, connect_args={"timeout": 0})
                with pytest.raises(DBAPIError, match="locked"):
                    with other.connect() as c:
                        c.exec_driver_sql("BEGIN IMMEDIATE")
                other.dispose()
            tasks = client.get("/tasks")
            assert tasks.status_code == 200 and "ALPHA" in tasks.text.upper()
            patient = client.get(f"/patients/{world.patient_a}")
            assert patient.status_code == 200 and "ALPHA" in patient.text.upper()
            # A page that audits: the page arrives while the lock is still held,
            # its audit entry is written once the lock is released.
            before = audit_count(db, "Viewed HTML")
            asyncio.run(
                _view_then_release(
                    client.app, f"/tasks/phq9/{world.task_a}", cookie, lock.rollback, db, before
                )
            )
            assert audit_count(db, "Viewed HTML") == before + 1
        finally:
            if lock.is_active:
                lock.rollback()
            holder.close()


async def _view_then_release(
    app: Any, path: str, cookie: str, release: Any, db: Backend, audits_before: int
) -> None:
    """Drive one GET through the ASGI app; release the lock only after the page was sent."""
    sent = asyncio.Event()
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            sent.set()

    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"cookie", f"{COOKIE_NAME}={cookie}".encode())],
        "client": ("testclient", 50000),
        "server": ("testserver", 443),
        "app": app,
    }
    request = asyncio.create_task(app(scope, receive, send))
    await asyncio.wait_for(sent.wait(), timeout=30)
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    assert start["status"] == 200, body[:500]
    assert b"PHQ-9" in body or b"phq9" in body
    if db.name == "sqlite":
        # The audit write waits for the lock the "upload" holds: not written yet.
        assert not request.done()
        assert audit_count(db, "Viewed HTML") == audits_before
    release()
    await asyncio.wait_for(request, timeout=30)
