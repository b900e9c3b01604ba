"""Every configured cap, just under and just over.

Over the cap: a clear ``success:0`` naming the cap (413 where the body is
refused before parsing) and nothing changed in the database.  Under (or at)
the cap: the request is served.  Plus: a one-step upload's memory stays
proportional to its body.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest

from tests.reliability.helpers import (
    WHEN,
    InProc,
    dbdata_json,
    satis_record,
    upload_table_fields,
)
from tests.support.api import post, qt_form_encode
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.snapshot import diff, snapshot

T = "ref_satis_gen"
LATER = "2024-03-01T11:00:00.000+01:00"


@pytest.fixture
def api(db: Backend, site: dict[str, str]) -> InProc:
    a = InProc(db.engine)
    a.register()
    return a


def refused_cleanly(db: Backend, api: InProc, cap: str, call: object) -> None:
    before = snapshot(db.engine)
    r = call()  # type: ignore[operator]
    assert not r.ok and f"{cap}=" in r.error, r.body
    assert all(k in r.data for k in ("success", "session_id", "session_token")), r.body
    assert diff(before, snapshot(db.engine)) == []


# -- max_body_bytes -----------------------------------------------------------


def test_body_cap_in_process(db: Backend, api: InProc) -> None:
    body = qt_form_encode(api.base("check_device_registered"))
    at = api.with_settings(max_body_bytes=len(body))
    assert at.raw(body).ok
    over = api.with_settings(max_body_bytes=len(body) - 1)
    before = snapshot(db.engine)
    r = over.raw(body)
    assert r.status == 413 and "max_body_bytes=" in r.error and r.data["success"] == "0"
    assert diff(before, snapshot(db.engine)) == []


@pytest.fixture(scope="module")
def small_server(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    s = ServerProcess(
        backend.url,
        tmp_path_factory.mktemp("small") / "server.log",
        extra_env={"COPSE_MAX_BODY_BYTES": "4096"},
    )
    s.start()
    yield s
    s.stop()


def test_body_cap_over_http(small_server: ServerProcess, db: Backend, site: dict[str, str]) -> None:
    fields = {
        "operation": "check_device_registered",
        "camcops_version": "2.4.24",
        "device": "{x}",
        "user": site["user"],
        "password": site["password"],
    }
    base = len(qt_form_encode(fields))
    with httpx.Client(timeout=30) as c:
        fields["pad"] = "a" * (4096 - base - len("&pad="))
        assert len(qt_form_encode(fields)) == 4096
        r = post(c, small_server.api_url, fields)
        assert r.status == 200 and r.data["success"] == "0" and "Unregistered device" in r.text
        fields["pad"] += "a"
        r = post(c, small_server.api_url, fields)
        assert r.status == 413 and "max_body_bytes=4096" in r.text

        # A body with no Content-Length (chunked) is cut off as it streams in.
        def gen() -> Iterator[bytes]:
            for _ in range(100):
                yield b"a" * 1000

        r2 = c.post(
            small_server.api_url,
            content=gen(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r2.status_code == 413 and "max_body_bytes=4096" in r2.text
        # The server is still there.
        assert c.get(small_server.api_url).status_code == 200


# -- max_form_fields ------------------------------------------------------------


def test_form_field_cap(db: Backend, api: InProc) -> None:
    f = api.base("check_device_registered")
    n = len(f)
    assert api.with_settings(max_form_fields=n).call("check_device_registered").ok
    refused_cleanly(
        db,
        api,
        "max_form_fields",
        lambda: api.with_settings(max_form_fields=n - 1).call("check_device_registered"),
    )
    # Body and query string count together.
    body = qt_form_encode(f)
    assert api.with_settings(max_form_fields=n + 1).raw(body, "x=1").ok
    r = api.with_settings(max_form_fields=n).raw(body, "x=1")
    assert not r.ok and "max_form_fields=" in r.error


# -- max_records_per_upload_table -----------------------------------------------


def test_records_per_upload_table_cap(db: Backend, api: InProc) -> None:
    capped = api.with_settings(max_records_per_upload_table=3)
    assert capped.call("start_upload").ok
    recs = [satis_record(i) for i in range(1, 4)]
    r = capped.call("upload_table", **upload_table_fields(T, recs))
    assert r.ok, r.body
    recs.append(satis_record(4))
    refused_cleanly(
        db,
        capped,
        "max_records_per_upload_table",
        lambda: capped.call("upload_table", **upload_table_fields(T, recs)),
    )
    assert capped.call("end_upload").ok


# -- max_dbdata_bytes ---------------------------------------------------------------


def test_dbdata_cap(db: Backend, api: InProc) -> None:
    pk, data = dbdata_json({T: [satis_record(i) for i in range(1, 6)]})
    size = len(data.encode())
    r = api.with_settings(max_dbdata_bytes=size).call(
        "upload_entire_database", finalizing=0, pknameinfo=pk, dbdata=data
    )
    assert r.ok, r.body
    refused_cleanly(
        db,
        api,
        "max_dbdata_bytes",
        lambda: api.with_settings(max_dbdata_bytes=size - 1).call(
            "upload_entire_database", finalizing=0, pknameinfo=pk, dbdata=data
        ),
    )


def test_dbdata_cap_counts_utf8_bytes(db: Backend, api: InProc) -> None:
    rec = {
        "id": 1,
        "when_created": WHEN,
        "when_last_modified": WHEN,
        "_move_off_tablet": 0,
        "patient_id": 1,
        "note": "é" * 50,
    }
    pk, data = dbdata_json({"progressnote": [rec]})
    data = data.replace("\\u00e9", "é")  # the tablet's JSON may carry raw UTF-8
    size = len(data.encode())
    assert size > len(data)
    assert (
        api.with_settings(max_dbdata_bytes=size)
        .call("upload_entire_database", finalizing=0, pknameinfo=pk, dbdata=data)
        .ok
    )
    refused_cleanly(
        db,
        api,
        "max_dbdata_bytes",
        lambda: api.with_settings(max_dbdata_bytes=size - 1).call(
            "upload_entire_database", finalizing=0, pknameinfo=pk, dbdata=data
        ),
    )


# -- max_blob_bytes -------------------------------------------------------------------


def _blob(cid: int, n: int, when: str = WHEN) -> dict[str, object]:
    return {
        "id": cid,
        "when_last_modified": when,
        "_move_off_tablet": 0,
        "tablename": "photo",
        "tablepk": 1,
        "fieldname": "photo_blobid",
        "filename": "x.jpg",
        "mimetype": "image/jpeg",
        "theblob": b"\x01" * n,
    }


@pytest.mark.parametrize("onestep", [True, False], ids=["onestep", "upload_record"])
def test_blob_cap(db: Backend, api: InProc, onestep: bool) -> None:
    capped = api.with_settings(max_blob_bytes=1000)

    def send(cid: int, n: int):  # type: ignore[no-untyped-def]
        if onestep:
            pk, data = dbdata_json({"blobs": [_blob(cid, n)]})
            return capped.call("upload_entire_database", finalizing=0, pknameinfo=pk, dbdata=data)
        rec = _blob(cid, n)
        f = upload_table_fields("blobs", [rec])
        return capped.call(
            "upload_record", table="blobs", pkname="id", fields=f["fields"], values=f["record0"]
        )

    if not onestep:
        assert capped.call("start_upload").ok
    r = send(1, 1000)
    assert r.ok, r.body
    refused_cleanly(db, capped, "max_blob_bytes", lambda: send(2, 1001))


def test_blob_cap_in_upload_table(db: Backend, api: InProc) -> None:
    capped = api.with_settings(max_blob_bytes=10)
    assert capped.call("start_upload").ok
    assert capped.call("upload_table", **upload_table_fields("blobs", [_blob(1, 10)])).ok
    refused_cleanly(
        db,
        capped,
        "max_blob_bytes",
        # Record 1 changed (a record re-sent unchanged is not decoded: nothing is stored).
        lambda: capped.call(
            "upload_table", **upload_table_fields("blobs", [_blob(1, 11, when=LATER)])
        ),
    )


# -- memory -----------------------------------------------------------------------------


def _peak_for(api: InProc, n_rows: int) -> tuple[int, int]:
    rows = [
        {
            "id": i,
            "when_created": WHEN,
            "when_last_modified": WHEN,
            "_move_off_tablet": 0,
            "patient_id": 1,
            "note": f"note {i} " + "x" * 200,
        }
        for i in range(1, n_rows + 1)
    ]
    pk, data = dbdata_json({"progressnote": rows})
    fields = api.base("upload_entire_database")
    fields.update(finalizing="0", pknameinfo=pk, dbdata=data)
    body = qt_form_encode(fields)
    del rows, data
    gc.collect()
    tracemalloc.start()
    try:
        r = api.raw(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.ok, r.body[:500]
    return len(body), peak


def test_onestep_memory_is_proportional_to_body(db: Backend, api: InProc) -> None:
    """Peak allocation per body byte stays bounded and does not grow with size."""
    _peak_for(api, 50)  # warm-up: statement caches, lazy imports
    small_body, small_peak = _peak_for(api, 300)
    big_body, big_peak = _peak_for(api.with_settings(), 1500)
    small_ratio, big_ratio = small_peak / small_body, big_peak / big_body
    print(f"peak/body: {small_ratio:.1f} at {small_body} B, {big_ratio:.1f} at {big_body} B")
    assert big_ratio < 12, big_ratio
    assert big_ratio < small_ratio * 1.5 + 1
