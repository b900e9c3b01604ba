"""Sessions, authentication, permissions and request set-up over real HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from copse.schema.tables import audit, sessions
from tests.support.api import Reply, post, qt_form_encode
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.snapshot import diff, snapshot

DEVICE = "{11111111-2222-3333-4444-555555555555}"
NOT_VALID = "Not a valid CamCOPS API request\n"


def call(
    http: httpx.Client,
    server: ServerProcess,
    operation: str | None,
    *,
    user: str | None = "alice",
    password: str | None = "alice-password-1",
    **extra: str,
) -> Reply:
    fields = {"camcops_version": "2.4.24", "device": DEVICE}
    if operation is not None:
        fields["operation"] = operation
    if user is not None:
        fields["user"] = user
    if password is not None:
        fields["password"] = password
    fields.update(extra)
    return post(http, server.api_url, fields)


def registered(http: httpx.Client, server: ServerProcess) -> Reply:
    r = call(http, server, "register")
    assert r.ok, r.text
    return r


def test_every_reply_has_the_three_keys(
    server: ServerProcess, http: httpx.Client, site: dict[str, str]
) -> None:
    for op in ("check_device_registered", "register", "get_id_info", "nonsense_op", None):
        r = call(http, server, op)
        assert {"success", "session_id", "session_token"} <= set(r.data), r.text


def test_session_is_reused_and_password_not_rechecked(
    server: ServerProcess, http: httpx.Client, site: dict[str, str]
) -> None:
    r = registered(http, server)
    sid, token = r.data["session_id"], r.data["session_token"]
    # Holding a valid session for the same user is enough (reference behaviour).
    r2 = call(http, server, "get_id_info", password="wrong", session_id=sid, session_token=token)
    assert r2.ok, r2.text
    assert r2.data["session_id"] == sid and r2.data["session_token"] == token
    # Without a session the wrong password fails.
    r3 = call(http, server, "get_id_info", password="wrong")
    assert not r3.ok and r3.error == "Invalid username/password (or user not authorized)"
    assert r3.data["session_id"] != sid


def test_blank_user_and_password_get_session_id_none(
    server: ServerProcess, http: httpx.Client, site: dict[str, str]
) -> None:
    """A new session without a username is answered ``session_id:None``, as CamCOPS does."""
    for fields in ({"user": "", "password": ""}, {"user": None, "password": None}):
        r = call(http, server, "check_device_registered", **fields)  # type: ignore[arg-type]
        assert r.data["session_id"] == "None", r.text
        assert len(r.data["session_token"]) == 24, r.text
        # The tablet sends "None" back; int("None") fails and a new session is made.
        r2 = call(
            http,
            server,
            "check_device_registered",
            session_id="None",
            session_token=r.data["session_token"],
            **fields,  # type: ignore[arg-type]
        )
        assert r2.data["session_id"] == "None", r2.text
    # With a username the id is a real number.
    r3 = call(http, server, "check_device_registered")
    assert r3.data["session_id"].isdigit(), r3.text


def test_wrong_token_gives_new_session_silently(
    server: ServerProcess, http: httpx.Client, site: dict[str, str]
) -> None:
    r = registered(http, server)
    r2 = call(http, server, "get_id_info", session_id=r.data["session_id"], session_token="bogus")
    assert r2.ok
    assert r2.data["session_id"] != r.data["session_id"]


def test_session_expires_after_timeout(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], db: Backend
) -> None:
    r = registered(http, server)
    sid = int(r.data["session_id"])
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.id == sid)
            .values(last_activity_utc=datetime.utcnow() - timedelta(minutes=31))
        )
    r2 = call(
        http,
        server,
        "get_id_info",
        password="wrong",
        session_id=str(sid),
        session_token=r.data["session_token"],
    )
    assert not r2.ok and r2.error == "Invalid username/password (or user not authorized)"
    assert int(r2.data["session_id"]) != sid


def test_session_idle_clock_restarts_at_most_once_a_minute(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], db: Backend
) -> None:
    r = registered(http, server)
    sid = int(r.data["session_id"])
    token = r.data["session_token"]

    def set_last(value: datetime) -> None:
        with db.engine.begin() as conn:
            conn.execute(
                sa.update(sessions).where(sessions.c.id == sid).values(last_activity_utc=value)
            )

    def last() -> datetime:
        with db.engine.connect() as conn:
            q = sa.select(sessions.c.last_activity_utc).where(sessions.c.id == sid)
            value: datetime = conn.execute(q).scalar_one()
        return value

    recent = datetime.utcnow().replace(microsecond=0) - timedelta(seconds=20)
    set_last(recent)
    r2 = call(http, server, "get_id_info", session_id=str(sid), session_token=token)
    assert r2.ok and int(r2.data["session_id"]) == sid
    assert last() == recent  # used 20 s ago: no write
    older = datetime.utcnow().replace(microsecond=0) - timedelta(minutes=5)
    set_last(older)
    r3 = call(http, server, "get_id_info", session_id=str(sid), session_token=token)
    assert r3.ok and int(r3.data["session_id"]) == sid
    assert last() > older + timedelta(minutes=4)  # restarted to about now


def test_session_bound_to_ip(server: ServerProcess, site: dict[str, str]) -> None:
    with httpx.Client() as a:
        r = registered(a, server)
    other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    with other:
        r2 = call(
            other,
            server,
            "get_id_info",
            password="wrong",
            session_id=r.data["session_id"],
            session_token=r.data["session_token"],
        )
    assert not r2.ok and r2.data["session_id"] != r.data["session_id"]


def test_lockout_after_repeated_failures_and_unlock(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], cli, db: Backend
) -> None:
    registered(http, server)
    for _ in range(10):
        r = call(http, server, "get_id_info", password="nope")
        assert not r.ok
    r = call(http, server, "get_id_info")  # right password, but locked now
    assert not r.ok
    assert r.error is not None and "locked" in r.error and "alice" in r.error
    with db.engine.connect() as conn:
        details = [d for (d,) in conn.execute(sa.select(audit.c.details))]
    assert details.count("Failed login as user: alice") == 10
    assert "Account alice locked out for 10 minutes" in details
    cli("user", "unlock", "alice")
    r = call(http, server, "get_id_info")
    assert r.ok, r.text


def test_permission_messages(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], cli
) -> None:
    cli("user", "add", "bob", "--password", "bob-password-1")
    r = call(http, server, "register", user="bob", password="bob-password-1")
    assert r.error == "No upload group set for user bob"
    cli("user", "add", "carol", "--password", "carol-password", "--group", "ward1", "--may-upload")
    r = call(http, server, "register", user="carol", password="carol-password")
    assert r.error == "User not authorized to register devices for selected group"
    cli(
        "user",
        "add",
        "dave",
        "--password",
        "dave-password",
        "--group",
        "ward1",
        "--may-register-devices",
    )
    r = call(http, server, "register", user="dave", password="dave-password")
    assert r.ok
    r = call(http, server, "get_id_info", user="dave", password="dave-password")
    assert r.error == "User not authorized to upload to selected group"
    r = call(http, server, "get_id_info", device="{other-device}")
    assert r.error == "Unregistered device"
    r = call(http, server, "check_device_registered", user=None, password=None)
    assert r.ok  # needs no credentials at all


@pytest.mark.parametrize(
    "fields",
    [
        {"device": "server"},
        {"user": "system"},
        {"camcops_version": "1.9.9"},
        {"camcops_version": "nonsense"},
        {"camcops_version": "2.4.24.1"},
        {"camcops_version": ""},
        {"device": "bad device!"},
        {"operation": "drop table;"},
    ],
)
def test_invalid_request_setup_is_400(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], fields: dict[str, str]
) -> None:
    base = {
        "operation": "check_device_registered",
        "camcops_version": "2.4.24",
        "device": DEVICE,
        "user": "alice",
        "password": "alice-password-1",
    }
    base.update(fields)
    if base["camcops_version"] == "":
        del base["camcops_version"]
    r = http.post(
        server.api_url,
        content=qt_form_encode(base),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    assert r.text == NOT_VALID


def test_legacy_two_part_version_accepted(
    server: ServerProcess, http: httpx.Client, site: dict[str, str]
) -> None:
    r = call(http, server, "register", camcops_version="2.4")  # means 2.40.0
    assert r.ok, r.text


def test_unknown_and_missing_operation(
    server: ServerProcess, http: httpx.Client, site: dict[str, str]
) -> None:
    assert call(http, server, "frobnicate").error == "operation=frobnicate: not supported"
    assert call(http, server, None).error == "operation=None: not supported"


def test_get_shows_signpost_and_alias_works(
    server: ServerProcess, http: httpx.Client, site: dict[str, str]
) -> None:
    for path in ("/api", "/database"):
        g = http.get(server.base_url + path)
        assert g.status_code == 200 and "text/html" in g.headers["content-type"]
        assert "CamCOPS" in g.text
    r = post(
        http,
        server.base_url + "/database",
        {
            "operation": "register",
            "camcops_version": "2.4.24",
            "device": DEVICE,
            "user": "alice",
            "password": "alice-password-1",
        },
    )
    assert r.ok


def test_malformed_bodies_change_nothing(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], db: Backend
) -> None:
    registered(http, server)
    before = snapshot(db.engine)
    bodies = [
        b"operation=register&camcops_version=2.4.24&device=%FF%FE&user=alice&password=x",
        b"operation=register&camcops_version=2.4.24&device="
        + DEVICE.encode()
        + b"&user=alice&password=%ZZ",
        b"\x00\x01\x02garbage",
        b"operation=register&camcops_version=2.4.24&devicefriendlyname=%C3%28&device=d1&user=alice&password=alice-password-1",
    ]
    for body in bodies:
        r = http.post(
            server.api_url,
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code in (200, 400), r.text
        if r.status_code == 200:
            assert "success:0\n" in r.text and "Traceback" not in r.text
    assert diff(before, snapshot(db.engine)) == []


def test_failed_requests_leave_every_table_unchanged(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], db: Backend
) -> None:
    registered(http, server)
    before = snapshot(db.engine)
    failing = [
        call(http, server, "register", password="wrong"),
        call(http, server, "frobnicate"),
        call(http, server, "get_id_info", device="{unregistered}"),
        call(http, server, "get_allowed_tables", user="nobody"),
    ]
    assert all(not r.ok for r in failing)
    assert diff(before, snapshot(db.engine)) == []


def test_oversized_body_is_refused_with_413(
    tmp_path, backend: Backend, db: Backend, site: dict[str, str]
) -> None:
    s = ServerProcess(
        backend.url, tmp_path / "small.log", extra_env={"COPSE_MAX_BODY_BYTES": "2000"}
    )
    s.start()
    try:
        with httpx.Client() as http:
            before = snapshot(db.engine)
            r = http.post(
                s.api_url,
                content=b"operation=register&x=" + b"a" * 5000,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert r.status_code == 413
            assert "max_body_bytes" in r.text and "success:0" in r.text
            assert diff(before, snapshot(db.engine)) == []
            ok = call(http, s, "register")
            assert ok.ok
    finally:
        s.stop()
