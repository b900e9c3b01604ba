"""Force-finalize, old clients, era uniqueness, log lines, and the full request path."""

from __future__ import annotations

import logging
import urllib.parse

import sqlalchemy as sa

from copse.api.endpoint import ClientApi
from copse.schema.tables import special_notes
from copse.sync import force_finalize
from copse.wire.reply import parse_reply
from tests.sync.conftest import NHS_OK, SATIS_FIELDS, Harness, satis, when

T = "ref_satis_gen"


def test_force_finalize(h: Harness) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0), satis(2, 0)])})
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 1), satis(2, 0)])})
    h.call("start_upload")
    h.upload_table(T, SATIS_FIELDS, [satis(1, 1), satis(3, 0)])  # interrupted batch
    with h.engine.begin() as conn:
        conn.execute(
            sa.insert(special_notes).values(
                basetable=T, task_id=2, device_id=h.device_id, era="NOW", note="n", hidden=False
            )
        )
        ch = force_finalize(conn, h.device_id, h.user2_id, h.tick(), remote_addr="10.0.0.1")
    assert len(ch) == 1 and ch[0].table == T
    assert ch[0].preservation_pks == {1, 2, 3, 4} and ch[0].current_pks == {2, 3}
    rows = h.rows(T)
    era = rows[0]._era
    assert era != "NOW" and all(r._era == era for r in rows)
    assert all(r._forcibly_preserved and r._preserving_user_id == h.user2_id for r in rows)
    assert rows[3]._addition_pending  # left as it was (reference behaviour)
    with h.engine.connect() as conn:
        assert conn.execute(sa.select(special_notes.c.era)).scalar() == era
    assert h.audits()[-1] == (
        f"Live records for device {h.device_id} (Ward tablet) forcibly "
        f"finalized (PKs: {T} [1, 2, 3, 4])"
    )
    # The next upload rolls the leftovers back (regardless of era) and starts afresh.
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 1)])})
    rows = h.rows(T)
    assert len(rows) == 4 and [r._pk for r in rows[:3]] == [1, 2, 3]
    assert rows[3].id == 1 and rows[3]._era == "NOW" and rows[3]._current
    assert not rows[1]._removal_pending  # un-flagged in the old era too
    assert h.invariants() == []


def test_same_second_preservations_get_distinct_eras(h: Harness) -> None:
    h.onestep({T: (SATIS_FIELDS, [satis(1, 0)])}, finalizing=True)
    h.clock -= __import__("datetime").timedelta(seconds=1)  # same request time again
    # A different record (an identical one would be a replay of the first move).
    h.onestep({T: (SATIS_FIELDS, [satis(2, 0)])}, finalizing=True)
    eras = [r._era for r in h.rows(T)]
    assert len(set(eras)) == 2 and "NOW" not in eras
    assert all(len(e) == 20 and e.endswith("Z") for e in eras)


def test_old_client_idnums_in_patient(h: Harness) -> None:
    fields = [
        "id",
        "forename",
        "surname",
        "when_last_modified",
        "_move_off_tablet",
        "idnum1",
        "iddesc1",
        "idshortdesc1",
        "idnum2",
    ]
    rec = [3, "JO", "BLOGGS", when(0), 0, NHS_OK, "NHS number", "NHS#", None]
    h.call("start_upload", version="2.0.0")
    assert (
        h.upload_table("patient", fields, [rec], version="2.0.0")
        == "Table patient upload successful"
    )
    assert h.dirty() == {"patient", "patient_idnum"}
    h.call("end_upload")
    rows = h.rows("patient_idnum")
    assert [(r.id, r.patient_id, r.which_idnum, r.idnum_value, r._current) for r in rows] == [
        (3 * 8 + 1, 3, 1, NHS_OK, True)
    ]
    # Deleting the patient flags its ID numbers for removal too.
    h.call("start_upload", version="2.0.0")
    h.call("upload_table", version="2.0.0", table="patient", fields=",".join(fields), nrecords=0)
    h.call("end_upload", version="2.0.0")
    assert h.current("patient") == {} and h.current("patient_idnum") == {}
    assert h.invariants() == []


def test_old_idnum_fields_refused_for_new_clients(h: Harness) -> None:
    import pytest

    from copse.errors import UserError

    with pytest.raises(UserError, match="Invalid field name for table 'patient': 'idnum1'"):
        h.upload_table("patient", ["id", "idnum1"], [])


def test_log_line(h: Harness, caplog) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0), satis(2, 0)])})
    with caplog.at_level(logging.INFO):
        h.stepwise({T: (SATIS_FIELDS, [satis(1, 1), satis(3, 0)])})
    assert (
        "Upload successful; 2 records uploaded to table ref_satis_gen "
        "(1 new, 1 modified, 0 identical, 1 deleted)"
    ) in caplog.text
    assert "audit_upload: Upload from device" in caplog.text


def _post(api: ClientApi, **fields: str) -> dict[str, str]:
    body = urllib.parse.urlencode(fields).encode("ascii")
    r = api.handle(body, "", "127.0.0.1")
    assert r.status == 200, r.body
    return parse_reply(r.body)


def test_full_request_path(h: Harness) -> None:
    api = ClientApi(h.engine, h.settings)
    base = dict(camcops_version="2.4.24", device="dev1", user="alice", password="pw-alice-1")
    assert _post(api, operation="start_upload", **base)["result"] == "start_upload"
    r = _post(
        api,
        operation="upload_table",
        table=T,
        fields=",".join(SATIS_FIELDS),
        pkname="id",
        nrecords="1",
        record0=f"1,2,'{when(0)}','{when(0)}',0",
        **base,
    )
    assert r["success"] == "1" and r["result"] == "Table ref_satis_gen upload successful"
    r = _post(
        api,
        operation="upload_table",
        table=T,
        fields=",".join(SATIS_FIELDS),
        pkname="id",
        nrecords="1",
        record0="1,'bad'",
        **base,
    )
    assert r["success"] == "0" and r["error"].startswith("Number of fields in field list (5)")
    assert _post(api, operation="end_upload", **base)["result"] == "end_upload"
    assert h.audits()[-1] == h.prefix() + "ref_satis_gen (1 added, PKs [1]; current PKs [1])"
    r = _post(
        api,
        operation="upload_entire_database",
        finalizing="1",
        pknameinfo='{"ref_satis_gen":"id"}',
        dbdata='{"ref_satis_gen":[{"_pk":"1"}]}',
        **base,
    )
    assert r["success"] == "0"
    assert r["error"] == "Reserved field name for table 'ref_satis_gen': '_pk'"
    r = _post(
        api,
        operation="upload_entire_database",
        finalizing="1",
        pknameinfo='{"ref_satis_gen":"id"}',
        dbdata='{"ref_satis_gen":[]}',
        **base,
    )
    assert r["result"] == "Success"
    assert h.rows(T)[0]._era != "NOW" and not h.rows(T)[0]._current


def test_onestep_upload_survives_a_transient_retry(h: Harness, monkeypatch) -> None:
    """A deadlock on the first attempt re-runs the handler with the same form.

    Regression: releasing the ``dbdata`` text after parsing it (to save memory)
    once made the retry fail with "Must provide the variable: dbdata" (seen
    with 50 devices at once on MariaDB); now the decoded payload is kept for
    the retry and the text is released.
    """
    import json

    from sqlalchemy.exc import OperationalError

    from copse.sync import onestep
    from copse.wire.values import encode_client_value

    real = onestep.upload_entire_database
    calls: list[int] = []

    def deadlock_once(*args, **kw):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT x", {}, Exception(1213, "Deadlock found"))
        return real(*args, **kw)

    real_decode = onestep.decode_payload
    decodes: list[int] = []

    def counting_decode(*args, **kw):  # type: ignore[no-untyped-def]
        decodes.append(1)
        return real_decode(*args, **kw)

    monkeypatch.setattr(onestep, "upload_entire_database", deadlock_once)
    monkeypatch.setattr(onestep, "decode_payload", counting_decode)
    api = ClientApi(h.engine, h.settings)
    dbdata = {
        T: [dict(zip(SATIS_FIELDS, (encode_client_value(v) for v in satis(1, 0)), strict=True))]
    }
    r = _post(
        api,
        operation="upload_entire_database",
        camcops_version="2.4.24",
        device="dev1",
        user="alice",
        password="pw-alice-1",
        finalizing="0",
        pknameinfo=json.dumps({T: "id"}),
        dbdata=json.dumps(dbdata),
    )
    assert r["success"] == "1", r
    assert len(calls) == 2
    assert len(decodes) == 1, "the retry reuses the payload decoded by the first attempt"
    assert set(h.current(T)) == {1}


def test_session_bound_to_no_address_is_kept_without_one(h: Harness) -> None:
    """A request with no client address (a Unix socket) keeps its session like any other;
    the session is still bound to that: a request from an address does not get it."""
    assert h.settings.session_check_ip
    api = ClientApi(h.engine, h.settings)
    base = dict(camcops_version="2.4.24", device="dev1", user="alice", password="pw-alice-1")

    def post(addr: str | None, **fields: str) -> dict[str, str]:
        body = urllib.parse.urlencode({**base, **fields}).encode("ascii")
        r = api.handle(body, "", addr)
        assert r.status == 200, r.body
        return parse_reply(r.body)

    first = post(None, operation="get_id_info")
    assert first["success"] == "1"
    sid, token = first["session_id"], first["session_token"]
    again = post(None, operation="get_id_info", session_id=sid, session_token=token)
    assert again["success"] == "1" and again["session_id"] == sid
    assert again["session_token"] == token
    elsewhere = post("10.0.0.9", operation="get_id_info", session_id=sid, session_token=token)
    assert elsewhere["success"] == "1" and elsewhere["session_id"] != sid
