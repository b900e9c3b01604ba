"""A request in a conversation locks its device and reads its session in one statement.

Every request of a tablet's conversation after the first names its device and
its session; the device lock (``SELECT ... FOR UPDATE``) and the session
look-up (with its user) are one round trip (``copse.records.devicelock``).
The lock must still hold the device row only: if it also locked the session's
or the user's row, every tablet uploading as one user would wait for the
others' requests, a one-step upload's seconds included.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
import sqlalchemy as sa

from copse.api.endpoint import ClientApi
from copse.records.devicelock import lock_device_with_session
from copse.schema.tables import devices, sessions, users
from copse.wire.dates import utcnow
from copse.wire.reply import parse_reply
from tests.sync.conftest import Harness

BASE = dict(camcops_version="2.4.24", device="dev1", user="alice", password="pw-alice-1")


def _post(api: ClientApi, **fields: str) -> dict[str, str]:
    body = urllib.parse.urlencode({**BASE, **fields}).encode("ascii")
    r = api.handle(body, "", "127.0.0.1")
    assert r.status == 200, r.body
    return parse_reply(r.body)


def _logged_in(h: Harness, api: ClientApi) -> tuple[str, str]:
    first = _post(api, operation="get_id_info")
    assert first["success"] == "1"
    return first["session_id"], first["session_token"]


def test_a_request_in_session_reads_session_and_device_in_one_statement(h: Harness) -> None:
    api = ClientApi(h.engine, h.settings)
    sid, token = _logged_in(h, api)
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    sa.event.listen(h.engine, "before_cursor_execute", record)
    try:
        again = _post(api, operation="check_device_registered", session_id=sid, session_token=token)
    finally:
        sa.event.remove(h.engine, "before_cursor_execute", record)
    assert again["success"] == "1" and again["session_id"] == sid
    with_sessions = [s for s in seen if "_security_webviewer_sessions" in s]
    with_devices = [s for s in seen if "_security_devices" in s]
    assert len(with_sessions) == 1 and with_sessions == with_devices, seen


def test_an_expired_session_on_the_lock_path_gets_a_new_session(h: Harness) -> None:
    api = ClientApi(h.engine, h.settings)
    sid, token = _logged_in(h, api)
    with h.engine.begin() as conn:
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.id == int(sid))
            .values(last_activity_utc=utcnow().replace(year=2000))
        )
    again = _post(api, operation="get_id_info", session_id=sid, session_token=token)
    assert again["success"] == "1" and again["session_id"] != sid


def test_an_unknown_device_is_looked_up_as_before(h: Harness) -> None:
    api = ClientApi(h.engine, h.settings)
    sid, token = _logged_in(h, api)
    with h.engine.begin() as conn:
        assert (
            lock_device_with_session(
                conn,
                "no-such-device",
                h.settings,
                sid=int(sid),
                token=token,
                ip="127.0.0.1",
                now=utcnow(),
            )
            is None
        )
    reply = _post(
        api,
        operation="check_device_registered",
        device="no-such-device",
        session_id=sid,
        session_token=token,
    )
    assert reply["success"] == "0" and reply["error"] == "Unregistered device"


@pytest.mark.server_db_only
def test_the_lock_with_the_session_locks_only_the_device(h: Harness) -> None:
    api = ClientApi(h.engine, h.settings)
    sid, token = _logged_in(h, api)
    with h.engine.connect() as holder, h.engine.connect() as other:
        with holder.begin():
            both = lock_device_with_session(
                holder, "dev1", h.settings, sid=int(sid), token=token, ip="127.0.0.1", now=utcnow()
            )
            assert both is not None
            locked, looked_up = both
            assert locked.id == h.device_id
            assert looked_up.found is not None
            found_id, _, user_id, user, _ = looked_up.found
            assert found_id == int(sid) and user is not None and user.id == user_id == h.user_id

            def lock_now(table: sa.Table, key: Any) -> None:
                with other.begin():
                    other.execute(
                        sa.select(table.c.id).where(table.c.id == key).with_for_update(nowait=True)
                    ).all()

            lock_now(users, h.user_id)  # free: another tablet of alice's goes on
            lock_now(sessions, int(sid))
            with pytest.raises(sa.exc.DBAPIError):
                lock_now(devices, h.device_id)  # held until the holder's transaction ends
        lock_now(devices, h.device_id)
