"""Bad input for every upload operation: the documented error, and no change.

Why: copse's requests are atomic (README decision 1) and every path validates
(decision 3).  Each case is sent while the device is in the most fragile
state we can build: committed data on the server *and* an ongoing stepwise
batch with pending rows.  A refused request must leave every table except the
bookkeeping ones (sessions, audit, login failures, lockouts) byte-identical:
client tables, ``_security_devices`` (batch fields) and ``_dirty_tables``.

Expected messages are the reference's (wire.md §2.4, §3 "shared parameter
readers", §3.13-§3.17, §3.22, data-model.md §2.4).  Where the reference
crashes instead (unknown one-step columns, JSON numbers), any clean
``success:0`` is accepted.  All cases share one setup and the test reports
every failing case at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import upload_checks as uc
from tests.support.api import post
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet, nhs_number
from tests.support.upload_fixtures import TabletFactory

PN_FIELDS = "id,location,note,when_created,patient_id,when_last_modified,_move_off_tablet"
WLM = "'2024-05-01T10:00:00.000+01:00'"
GOOD_PN = f"1,'loc','changed',{WLM},1,'2024-05-02T10:00:00.000+01:00',0"
BLOB_FIELDS = "id,tablename,tablepk,fieldname,theblob,when_last_modified,_move_off_tablet"
IDNUM_FIELDS = "id,which_idnum,idnum_value,patient_id,when_last_modified,_move_off_tablet"


@dataclass
class Case:
    name: str
    operation: str
    fields: dict[str, str]
    error: str | Callable[[str], bool]


def pn(**over: str) -> dict[str, str]:
    d = {
        "table": "progressnote",
        "pkname": "id",
        "fields": PN_FIELDS,
        "nrecords": "1",
        "record0": GOOD_PN,
    }
    d.update(over)
    return d


def onestep(
    tab: Tablet,
    *,
    finalizing: str = "0",
    mutate: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
    raw_pk: str | None = None,
    raw_db: str | None = None,
) -> dict[str, str]:
    """A one-step upload of the tablet's (changed) data, then spoiled by ``mutate``."""
    pk, data = (json.loads(x) for x in tab.dbdata_json())
    if mutate:
        mutate(pk, data)
    return {
        "finalizing": finalizing,
        "pknameinfo": raw_pk if raw_pk is not None else json.dumps(pk),
        "dbdata": raw_db if raw_db is not None else json.dumps(data),
    }


def cases(tab: Tablet) -> list[Case]:
    def set_row(table: str, col: str, val: Any) -> Callable[[dict[str, Any], dict[str, Any]], None]:
        def m(_pk: dict[str, Any], d: dict[str, Any]) -> None:
            d[table][0][col] = val

        return m

    def drop_pk(table: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
        def m(pk: dict[str, Any], _d: dict[str, Any]) -> None:
            pk[table] = ""

        return m

    def extra_table(pk: dict[str, Any], d: dict[str, Any]) -> None:
        pk["nonexistent"] = "id"
        d["nonexistent"] = []

    def mismatch(pk: dict[str, Any], _d: dict[str, Any]) -> None:
        del pk["phq9"]

    def bad_later_table(_pk: dict[str, Any], d: dict[str, Any]) -> None:
        # Early tables (patient) carry real changes; a task table fails later.
        d["progressnote"][0]["when_last_modified"] = "'not a date'"

    def bad_value_in_later_table(_pk: dict[str, Any], d: dict[str, Any]) -> None:
        # A changed record's values are checked when it is written, after the
        # patient's new version: the refusal must take that write back too.
        d["progressnote"][0]["when_created"] = "'not a date'"

    def not_ok(_e: str) -> bool:
        return True

    return [
        # upload_table
        Case(
            "table unknown",
            "upload_table",
            pn(table="nonexistent"),
            "Invalid client table name: nonexistent",
        ),
        Case("table blank", "upload_table", pn(table=""), "Must provide the variable: table"),
        Case(
            "reserved field",
            "upload_table",
            pn(fields=PN_FIELDS + ",_current", record0=GOOD_PN + ",1"),
            "Reserved field name for table 'progressnote': '_current'",
        ),
        Case(
            "reserved _pk",
            "upload_table",
            pn(fields="_pk," + PN_FIELDS, record0="99," + GOOD_PN),
            "Reserved field name for table 'progressnote': '_pk'",
        ),
        Case(
            "unknown field",
            "upload_table",
            pn(fields=PN_FIELDS + ",bogus", record0=GOOD_PN + ",1"),
            "Invalid field name for table 'progressnote': 'bogus'",
        ),
        Case(
            "reserved pkname",
            "upload_table",
            pn(pkname="_era"),
            "Reserved field name for table 'progressnote': '_era'",
        ),
        Case("pkname missing", "upload_table", pn(pkname=""), "Must provide the variable: pkname"),
        Case(
            "too few values",
            "upload_table",
            pn(record0="1,'loc'"),
            "Number of fields in field list (7) doesn't match number of values in record 0 (2)",
        ),
        Case(
            "record missing", "upload_table", pn(nrecords="2"), "Must provide the variable: record1"
        ),
        Case(
            "nrecords negative",
            "upload_table",
            pn(nrecords="-1"),
            "nrecords=-1: can't be less than 0",
        ),
        Case(
            "nrecords not int",
            "upload_table",
            pn(nrecords="two"),
            "Variable nrecords is not a valid integer; was 'two'",
        ),
        Case(
            "wlm missing",
            "upload_table",
            pn(
                fields="id,location,note,when_created,patient_id,_move_off_tablet",
                record0=f"1,'loc','x',{WLM},1,0",
            ),
            "Field 'when_last_modified' missing in client input",
        ),
        Case(
            "move_off missing",
            "upload_table",
            pn(
                fields="id,location,note,when_created,patient_id,when_last_modified",
                record0=f"1,'loc','x',{WLM},1,{WLM}",
            ),
            "Field '_move_off_tablet' missing in client input",
        ),
        Case(
            "bad date", "upload_table", pn(record0=f"1,'loc','x',{WLM},1,'yesterday-ish',0"), not_ok
        ),
        Case(
            "second record bad",
            "upload_table",
            pn(nrecords="2", record1="2,'loc2','x'"),
            "Number of fields in field list (7) doesn't match number of values in record 1 (3)",
        ),
        Case(
            "bad NHS number",
            "upload_table",
            {
                "table": "patient_idnum",
                "pkname": "id",
                "fields": IDNUM_FIELDS,
                "nrecords": "1",
                "record0": f"5,1,1234567890,1,{WLM},0",
            },
            lambda e: e.startswith("For ID type 1, ID number 1234567890 is invalid"),
        ),
        Case(
            "undefined idnum type",
            "upload_table",
            {
                "table": "patient_idnum",
                "pkname": "id",
                "fields": IDNUM_FIELDS,
                "nrecords": "1",
                "record0": f"5,7,{nhs_number(9)},1,{WLM},0",
            },
            "No such ID number type: 7",
        ),
        # upload_record
        Case(
            "record count mismatch",
            "upload_record",
            {"table": "blobs", "pkname": "id", "fields": BLOB_FIELDS, "values": "1,'x'"},
            "Number of fields (7) doesn't match number of values (2)",
        ),
        Case(
            "record reserved",
            "upload_record",
            {
                "table": "blobs",
                "pkname": "id",
                "fields": BLOB_FIELDS + ",_successor_pk",
                "values": f"9,'progressnote',1,'f',64'AAEC',{WLM},0,5",
            },
            "Reserved field name for table 'blobs': '_successor_pk'",
        ),
        Case(
            "record bad table",
            "upload_record",
            {"table": "blobz", "pkname": "id", "fields": BLOB_FIELDS, "values": "1"},
            "Invalid client table name: blobz",
        ),
        Case(
            "record no values",
            "upload_record",
            {"table": "blobs", "pkname": "id", "fields": BLOB_FIELDS},
            "Must provide the variable: values",
        ),
        # upload_empty_tables: the good first table must not be emptied
        Case(
            "empty tables, one unknown",
            "upload_empty_tables",
            {"tables": "patient,nonexistent"},
            "Invalid client table name: nonexistent",
        ),
        Case(
            "empty tables missing", "upload_empty_tables", {}, "Must provide the variable: tables"
        ),
        # delete_where_key_not
        Case(
            "dwkn reserved pkname",
            "delete_where_key_not",
            {"table": "blobs", "pkname": "_pk", "pkvalues": "1"},
            "Reserved field name for table 'blobs': '_pk'",
        ),
        Case(
            "dwkn bad table",
            "delete_where_key_not",
            {"table": "nope", "pkname": "id", "pkvalues": "1"},
            "Invalid client table name: nope",
        ),
        Case(
            "dwkn no pkvalues",
            "delete_where_key_not",
            {"table": "blobs", "pkname": "id"},
            "Must provide the variable: pkvalues",
        ),
        # which_keys_to_send
        Case(
            "wkts dates mismatch",
            "which_keys_to_send",
            {
                "table": "blobs",
                "pkname": "id",
                "pkvalues": "1,2",
                "datevalues": "2024-01-01T00:00:00.000+00:00",
                "move_off_tablet_values": "0,0",
            },
            "Number of PK values (2) doesn't match number of dates (1)",
        ),
        Case(
            "wkts flags mismatch",
            "which_keys_to_send",
            {
                "table": "blobs",
                "pkname": "id",
                "pkvalues": "1,2",
                "datevalues": "2024-01-01T00:00:00.000+00:00,2024-01-01T00:00:00.000+00:00",
                "move_off_tablet_values": "0",
            },
            "Number of move-off-tablet values (1) doesn't match number of PKs (2)",
        ),
        Case(
            "wkts bad pk",
            "which_keys_to_send",
            {
                "table": "blobs",
                "pkname": "id",
                "pkvalues": "'x'",
                "datevalues": "2024-01-01T00:00:00.000+00:00",
                "move_off_tablet_values": "0",
            },
            lambda e: e.startswith("Bad (non-integer) client PK: "),
        ),
        Case(
            "wkts missing date",
            "which_keys_to_send",
            {
                "table": "blobs",
                "pkname": "id",
                "pkvalues": "1,2",
                "datevalues": "2024-01-01T00:00:00.000+00:00,NULL",
                "move_off_tablet_values": "0,0",
            },
            "Missing date/time for client PK 2",
        ),
        Case(
            "wkts bad date",
            "which_keys_to_send",
            {
                "table": "blobs",
                "pkname": "id",
                "pkvalues": "1",
                "datevalues": "Tuesday",
                "move_off_tablet_values": "0",
            },
            "Bad date/time: 'Tuesday'",
        ),
        Case(
            "wkts bad table",
            "which_keys_to_send",
            {
                "table": "nope",
                "pkname": "id",
                "pkvalues": "1",
                "datevalues": "2024-01-01T00:00:00.000+00:00",
                "move_off_tablet_values": "0",
            },
            "Invalid client table name: nope",
        ),
        # upload_entire_database
        Case(
            "1s pknameinfo not JSON",
            "upload_entire_database",
            onestep(tab, raw_pk="{not json"),
            "Bad JSON for key 'pknameinfo'",
        ),
        Case(
            "1s dbdata not JSON",
            "upload_entire_database",
            onestep(tab, raw_db="[1,"),
            "Bad JSON for key 'dbdata'",
        ),
        Case(
            "1s pknameinfo list",
            "upload_entire_database",
            onestep(tab, raw_pk="[]"),
            "PK name info JSON is not a dict",
        ),
        Case(
            "1s dbdata list",
            "upload_entire_database",
            onestep(tab, raw_db="[]"),
            "Database data JSON is not a dict",
        ),
        Case(
            "1s table names differ",
            "upload_entire_database",
            onestep(tab, mutate=mismatch),
            "Table names don't match from (1) DB data (2) PK info",
        ),
        Case(
            "1s nonexistent table",
            "upload_entire_database",
            onestep(tab, mutate=extra_table),
            "Attempt to upload nonexistent tables: ['nonexistent']",
        ),
        Case(
            "1s pk name blank",
            "upload_entire_database",
            onestep(tab, mutate=drop_pk("progressnote")),
            "Client-side PK name not specified by client for non-empty table 'progressnote'",
        ),
        Case(
            "1s reserved column",
            "upload_entire_database",
            onestep(tab, mutate=set_row("progressnote", "_current", "1")),
            "Reserved field name for table 'progressnote': '_current'",
        ),
        Case(
            "1s reserved _pk",
            "upload_entire_database",
            onestep(tab, mutate=set_row("progressnote", "_pk", "999")),
            "Reserved field name for table 'progressnote': '_pk'",
        ),
        Case(
            "1s unknown column",
            "upload_entire_database",
            onestep(tab, mutate=set_row("progressnote", "bogus", "1")),
            "Invalid field name for table 'progressnote': 'bogus'",
        ),
        Case(
            "1s JSON number value",
            "upload_entire_database",
            onestep(tab, mutate=set_row("progressnote", "patient_id", 1)),
            not_ok,
        ),
        Case(
            "1s bad date in later table",
            "upload_entire_database",
            onestep(tab, mutate=bad_later_table),
            not_ok,
        ),
        Case(
            "1s bad value in a changed record of a later table",
            "upload_entire_database",
            onestep(tab, mutate=bad_value_in_later_table),
            "ParserError: Unable to parse string [not a date]",
        ),
        Case(
            "1s finalizing missing",
            "upload_entire_database",
            onestep(tab, finalizing=""),
            "Must provide the variable: finalizing",
        ),
        Case(
            "1s finalizing not int",
            "upload_entire_database",
            onestep(tab, finalizing="yes"),
            "Variable finalizing is not a valid integer; was 'yes'",
        ),
        Case(
            "1s wlm missing",
            "upload_entire_database",
            onestep(tab, mutate=lambda _p, d: d["progressnote"][0].pop("when_last_modified")),
            "Field 'when_last_modified' missing in client input",
        ),
    ]


def prepare(db: Backend, uploader: TabletFactory) -> Tablet:  # noqa: F811
    """Committed data, local changes, and an ongoing batch with pending rows."""
    tab = uploader()
    pid = tab.add_patient(nhs=nhs_number(4))
    note = tab.create("progressnote", patient_id=pid, location="loc", note="n")
    tab.add_blob("progressnote", note, "note", b"\x00\x01\x02")  # any source will do for the engine
    assert tab.upload("copy", onestep=True).ok
    tab.edit("patient", pid, forename="CHANGED")
    tab.edit("progressnote", note, note="changed")
    assert tab.upload("copy", onestep=False, abandon_after="upload_table").abandoned
    return tab


def _live_session(tab: Tablet) -> dict[str, str]:
    """A logged-in session of the tablet's user, as a tablet sends it back."""
    r = post(
        tab.http,
        tab.api_url,
        {
            "operation": "check_upload_user_and_device",
            "camcops_version": tab.version,
            "device": tab.device,
            "user": tab.user,
            "password": tab.password,
        },
    )
    assert r.ok, r.text
    return {"session_id": r.data["session_id"], "session_token": r.data["session_token"]}


@pytest.mark.parametrize("session", ["new", "live"])
def test_bad_input_changes_nothing(
    db: Backend,
    uploader: TabletFactory,  # noqa: F811
    session: str,
) -> None:
    """Each case refused with nothing changed, whether it opens a session or reuses one.

    In a live session the request's session work writes nothing, so the
    operation runs without a savepoint and its failure rolls back the whole
    transaction (copse.api.endpoint); with a new session the operation is
    rolled back to its savepoint and the session kept.  The reply must carry
    the session either way.
    """
    tab = prepare(db, uploader)
    failures: list[str] = []
    http = tab.http
    live = _live_session(tab) if session == "live" else {}
    for case in cases(tab):
        before = uc.full_snapshot(db.engine)
        fields = {
            "operation": case.operation,
            "camcops_version": tab.version,
            "device": tab.device,
            "user": tab.user,
            "password": tab.password,
            **live,
            **case.fields,
        }
        r = post(http, tab.api_url, fields)
        after = uc.full_snapshot(db.engine)
        err = r.error or ""
        if live and (r.data.get("session_id"), r.data.get("session_token")) != (
            live["session_id"],
            live["session_token"],
        ):
            failures.append(f"{case.name}: the live session was not kept: {r.text[:200]!r}")
        if r.status != 200 or r.ok:
            failures.append(
                f"{case.name}: expected success:0 with HTTP 200, got {r.status} {r.text[:200]!r}"
            )
        elif callable(case.error) and not case.error(err):
            failures.append(f"{case.name}: unexpected error {err!r}")
        elif isinstance(case.error, str) and err != case.error:
            failures.append(f"{case.name}: error\n      got {err!r}\n     want {case.error!r}")
        changed = uc.snapshot_diff(before, after)
        if changed:
            failures.append(f"{case.name}: changed tables {changed}")
    # The abandoned batch is still intact and a normal upload completes it.
    out = tab.upload("copy", onestep=False)
    assert out.ok, out.error
    assert not uc.check_invariants(db.engine)
    assert not failures, "\n".join(failures)


@pytest.fixture
def small_limits_server(db: Backend, tmp_path: Path) -> Any:
    s = ServerProcess(
        db.url,
        tmp_path / "limits.log",
        extra_env={
            "COPSE_MAX_BODY_BYTES": "60000",
            "COPSE_MAX_RECORDS_PER_UPLOAD_TABLE": "5",
            "COPSE_MAX_BLOB_BYTES": "1000",
            "COPSE_MAX_DBDATA_BYTES": "30000",
        },
    )
    s.start()
    yield s
    s.stop()


def test_huge_bodies_refused_and_change_nothing(
    db: Backend,
    uploader: TabletFactory,  # noqa: F811
    small_limits_server: ServerProcess,
) -> None:
    """Each cap gives a clear ``success:0`` naming it (413 for the body), and changes nothing."""
    tab = uploader()
    tab.api_url = small_limits_server.api_url
    pid = tab.add_patient(nhs=nhs_number(5))
    assert tab.upload("copy", onestep=True).ok
    failures: list[str] = []

    def attempt(
        name: str, cap: str, status: int, build: Callable[[], None], onestep_: bool
    ) -> None:
        """Run an upload that must be refused; the refused request itself must change nothing.

        Earlier successful requests of a stepwise conversation (start_upload...)
        legitimately change the batch state, so the reference snapshot is the
        one taken after the last successful reply.
        """
        last_ok = [uc.full_snapshot(db.engine)]

        def snap(_op: str, _f: dict[str, str], reply: Any) -> None:
            if reply.ok:
                last_ok[0] = uc.full_snapshot(db.engine)

        saved = tab.snapshot()
        build()
        tab.after_reply.append(snap)
        try:
            out = tab.upload("copy", onestep=onestep_)
        finally:
            tab.after_reply.remove(snap)
        last = out.requests[-1].reply if out.requests else None
        if out.ok or last is None:
            failures.append(f"{name}: upload unexpectedly succeeded")
        elif (
            last.status != status
            or (status == 200 and cap not in (last.error or ""))
            or (status == 413 and cap not in last.text)
        ):
            failures.append(
                f"{name}: got HTTP {last.status} {last.text[:200]!r}, want {status} naming {cap}"
            )
        changed = uc.snapshot_diff(last_ok[0], uc.full_snapshot(db.engine))
        if changed:
            failures.append(
                f"{name}: refused {out.requests[-1].operation} changed tables {changed}"
            )
        tab.db = {t: dict(saved.get(t, {})) for t in tab.db}

    def many_notes() -> None:
        for i in range(6):
            tab.create("progressnote", patient_id=pid, note=f"n{i}")

    def big_blob() -> None:
        note = tab.create("progressnote", patient_id=pid)
        tab.add_blob("progressnote", note, "note", b"x" * 2000)

    def big_body() -> None:
        tab.create("progressnote", patient_id=pid, note="y" * 70000)

    def big_dbdata() -> None:
        tab.create("progressnote", patient_id=pid, note="z" * 40000)

    attempt("body over max_body_bytes (one-step)", "max_body_bytes", 413, big_body, True)
    attempt("body over max_body_bytes (stepwise)", "max_body_bytes", 413, big_body, False)
    attempt(
        "records over max_records_per_upload_table",
        "max_records_per_upload_table",
        200,
        many_notes,
        False,
    )
    attempt("BLOB over max_blob_bytes (stepwise)", "max_blob_bytes", 200, big_blob, False)
    attempt("BLOB over max_blob_bytes (one-step)", "max_blob_bytes", 200, big_blob, True)
    attempt("dbdata over max_dbdata_bytes", "max_dbdata_bytes", 200, big_dbdata, True)
    assert not failures, "\n".join(failures)


def test_blank_move_off_values_for_single_null_flag(db: Backend, uploader: TabletFactory) -> None:  # noqa: F811
    """wire.md §8 item 23: one BLOB whose ``_move_off_tablet`` is NULL makes the
    client send ``move_off_tablet_values=`` (blank); copse treats it as one NULL."""
    tab = uploader()
    pid = tab.add_patient(nhs=nhs_number(6))
    note = tab.create("progressnote", patient_id=pid)
    tab.add_blob("progressnote", note, "note", b"abc")
    assert tab.rows("blobs")[0]["_move_off_tablet"] is None
    out = tab.upload("move", onestep=False)
    assert out.ok, out.error
    wk = [r for r in out.requests if r.operation == "which_keys_to_send"][0]
    assert wk.fields["move_off_tablet_values"] == ""
    assert not uc.check_invariants(db.engine)
