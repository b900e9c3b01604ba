"""Stepwise batches: pending state, commit, rollback, restarts, preservation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from copse.errors import UserError
from copse.schema.tables import CLIENT_TABLES
from tests.sync.conftest import SATIS_FIELDS, Harness, satis, when

T = "ref_satis_gen"


def test_pending_until_end_upload(h: Harness) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0)])})
    h.call("start_upload")
    assert (
        h.upload_table(T, SATIS_FIELDS, [satis(1, 1), satis(2, 0)])
        == "Table ref_satis_gen upload successful"
    )
    rows = h.rows(T)
    assert [
        (r._current, r._addition_pending, r._removal_pending, r._successor_pk, r._predecessor_pk)
        for r in rows
    ] == [
        (True, False, True, 2, None),
        (False, True, False, None, 1),
        (False, True, False, None, None),
    ]
    assert rows[1]._adding_user_id is None and rows[1]._when_added_exact is None
    assert h.dirty() == {T}
    assert h.call("end_upload") is None
    assert h.audits()[-1] == (
        h.prefix() + "ref_satis_gen "
        "(2 added, PKs [2, 3]; 1 modified out, PKs [1]; current PKs [2, 3])"
    )
    rows = h.rows(T)
    assert [(r._current, r._addition_pending, r._removal_pending) for r in rows] == [
        (False, False, False),
        (True, False, False),
        (True, False, False),
    ]
    assert (
        rows[1]._when_added_exact
        and rows[1]._when_added_batch_utc == h.device().last_upload_batch_utc
    )
    assert h.dirty() == set() and h.device().ongoing_upload_batch_utc is None
    assert h.invariants() == []


def test_rollback_at_start_upload(h: Harness) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0), satis(2, 0)])})
    added_exact = h.rows(T)[0]._when_added_exact
    h.call("start_upload")
    h.upload_table(T, SATIS_FIELDS, [satis(1, 1, move_off=1)])  # modify 1, delete 2, flag
    t = CLIENT_TABLES[T]
    with h.engine.begin() as conn:  # simulate a stale removal time on a pending removal
        conn.execute(sa.update(t).where(t.c._pk == 2).values(_when_removed_exact="x"))
    h.call("start_upload")  # abandons the batch
    rows = h.rows(T)
    assert len(rows) == 2
    for r in rows:
        assert r._current and not r._removal_pending and r._successor_pk is None
        assert r._when_removed_exact is None  # copse: cleared
        assert r._when_added_exact == added_exact  # copse: kept
        assert not r._move_off_tablet
    assert h.dirty() == set() and h.invariants() == []


def test_restart_when_another_user_continues(h: Harness) -> None:
    h.call("start_upload")
    h.upload_table(T, SATIS_FIELDS, [satis(1, 0)])
    assert len(h.rows(T)) == 1
    # bob continues the device's batch: it restarts, rolling back alice's work.
    h.call("end_upload", user=h.user2)
    assert h.rows(T) == []
    assert h.audits()[-1] == h.prefix("bob") + "No changes"


def test_currently_preserving_reset_at_start(h: Harness) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0)])})
    h.call("start_upload")
    h.call("start_preservation")
    assert h.device().currently_preserving
    h.call("start_upload")  # abandoned preserving batch; new copy batch
    assert not h.device().currently_preserving
    h.upload_table(T, SATIS_FIELDS, [satis(1, 0)])
    h.call("end_upload")
    assert h.rows(T)[0]._era == "NOW"


def test_preserving_batch(h: Harness) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0), satis(2, 0)])})
    h.call("start_upload")
    assert h.call("start_preservation") == "STARTPRESERVATION"
    assert len(h.dirty()) == 152
    h.upload_table(T, SATIS_FIELDS, [satis(1, 1), satis(2, 0)])
    h.call("end_upload")
    assert h.audits()[-1] == (
        h.prefix() + "ref_satis_gen (1 added, "
        "PKs [3]; 1 modified out, PKs [1]; 3 preserved, PKs [1, 2, 3]; "
        "current PKs [2, 3])"
    )
    eras = {r._era for r in h.rows(T)}
    assert len(eras) == 1 and "NOW" not in eras
    assert h.invariants() == []


def test_repeated_record_in_one_batch(h: Harness) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0)])})
    h.call("start_upload")
    h.upload_table(T, SATIS_FIELDS, [satis(1, 1)])
    h.upload_table(T, SATIS_FIELDS, [satis(1, 2)])  # changed again
    h.upload_table(T, SATIS_FIELDS, [satis(1, 2)])  # and sent again unchanged
    h.call("end_upload")
    cur = h.current(T)
    assert len(cur) == 1 and cur[1].when_last_modified == when(2)
    assert h.invariants() == []
    # Two copies in one request: the last one wins.
    h.call("start_upload")
    h.upload_table(T, SATIS_FIELDS, [satis(1, 3), satis(1, 4)])
    h.call("end_upload")
    cur = h.current(T)
    assert len(cur) == 1 and cur[1].when_last_modified == when(4)
    # Back to the committed version within a batch: nothing changes.
    h.call("start_upload")
    h.upload_table(T, SATIS_FIELDS, [satis(1, 5)])
    h.upload_table(T, SATIS_FIELDS, [satis(1, 4)])
    h.call("end_upload")
    assert h.audits()[-1].endswith("No changes") and h.invariants() == []


def test_upload_empty_tables_and_clean(h: Harness) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0)])})
    h.call("start_upload")
    assert h.call("upload_empty_tables", tables=f"{T}, bmi") == "UPLOAD-EMPTY-TABLES"
    assert h.rows(T)[0]._removal_pending and h.dirty() == {T}
    h.call("start_upload")
    h.call("start_preservation")
    h.call("upload_empty_tables", tables="bmi")
    assert "bmi" not in h.dirty() and T in h.dirty()  # preserving + no rows -> clean
    h.call("end_upload")
    assert h.invariants() == []


def test_delete_where_key_not(h: Harness) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0), satis(2, 0), satis(3, 0)])})
    h.call("start_upload")
    assert h.call("delete_where_key_not", table=T, pkname="id", pkvalues="1,2") == "Trimmed"
    assert [r._removal_pending for r in h.rows(T)] == [False, False, True]
    h.call("end_upload")
    assert h.audits()[-1].endswith("ref_satis_gen (1 deleted, PKs [3]; current PKs [1, 2])")


class CountingKeys(list[int]):
    """A list of client PKs that counts how often it is scanned."""

    scans = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.scans += 1
        return super().__iter__()

    def __contains__(self, item: object) -> bool:
        self.scans += 1
        return super().__contains__(item)


def test_delete_where_key_not_scans_keep_a_fixed_number_of_times(h: Harness) -> None:
    """Regression (issue 12): ``keep`` was rebuilt into a set once per pending row."""
    from copse.api.context import Caller
    from copse.api.ops_upload import upload_context
    from copse.sync import batch as batches
    from copse.sync import stepwise

    h.call("start_upload")
    n = 50
    h.upload_table(T, SATIS_FIELDS, [satis(i, 0) for i in range(1, n + 1)])
    keep = CountingKeys(range(1, n + 1))
    req = h.request("delete_where_key_not")
    with h.engine.begin() as conn:
        b = batches.get_or_start_batch(conn, upload_context(req, Caller(h.user, h.device_id)))
        assert stepwise.delete_where_key_not(conn, b, T, "id", keep) == 0
    # Independent of the number of pending rows (n); it was n + 2 before.
    assert keep.scans <= 2, keep.scans
    h.call("end_upload")
    assert sorted(r.id for r in h.rows(T)) == list(range(1, n + 1))


BLOB_FIELDS = [
    "id",
    "tablename",
    "tablepk",
    "fieldname",
    "theblob",
    "when_last_modified",
    "_move_off_tablet",
]


def blob(cid: int, minute: int, data: bytes = b"img", move_off: int | None = 0) -> list[object]:
    return [cid, "photosequence_photos", cid, "photo_blobid", data, when(minute), move_off]


def send_blobs(h: Harness, blobs: list[list[object]], flags: str | None = None) -> str:
    from copse.wire.values import encode_client_csv

    pks = ",".join(str(b[0]) for b in blobs)
    dates = ",".join(str(b[5]) for b in blobs)
    form = dict(table="blobs", pkname="id", pkvalues=pks, datevalues=dates)
    if flags is not None:
        form["move_off_tablet_values"] = flags
    h.call("delete_where_key_not", table="blobs", pkname="id", pkvalues=pks)
    wanted = h.call("which_keys_to_send", **form)
    for cid in [int(x) for x in wanted.split(",") if x]:
        b = next(b for b in blobs if b[0] == cid)
        h.call(
            "upload_record",
            table="blobs",
            pkname="id",
            fields=",".join(BLOB_FIELDS),
            values=encode_client_csv(b),
        )
    return wanted


def test_blobs_record_wise(h: Harness) -> None:
    h.call("start_upload")
    assert send_blobs(h, [blob(1, 0), blob(2, 0)], "0,0") == "1,2"
    h.call("end_upload")
    assert h.rows("blobs")[0].theblob == b"img"
    h.call("start_upload")
    assert send_blobs(h, [blob(1, 0), blob(2, 1, b"new")], "0,0") == "2"
    h.call("end_upload")
    assert h.audits()[-1].endswith(
        "blobs (1 added, PKs [3]; 1 modified out, PKs [2]; current PKs [1, 3])"
    )
    # Old client: no move_off_tablet_values, so everything is requested.
    h.call("start_upload")
    assert (
        h.call(
            "which_keys_to_send",
            table="blobs",
            pkname="id",
            pkvalues="1,2",
            datevalues=f"{when(0)},{when(1)}",
        )
        == "1,2"
    )
    assert (
        h.call(
            "upload_record",
            table="blobs",
            pkname="id",
            fields=",".join(BLOB_FIELDS),
            values="1,'photosequence_photos',1,'photo_blobid',X'696D67','" + when(0) + "',0",
        )
        == "UPLOAD-UPDATE"
    )  # identical, but UPDATE (reference quirk)
    h.call("end_upload")
    assert h.audits()[-1].endswith("No changes")


def test_which_keys_to_send_flags_and_marks_dirty(h: Harness) -> None:
    h.call("start_upload")
    send_blobs(h, [blob(1, 0)], "0")
    h.call("end_upload")
    h.call("start_upload")
    # Only the flag changed: not requested, but flagged and the table made dirty (copse).
    assert send_blobs(h, [blob(1, 0, move_off=1)], "1") == ""
    assert h.dirty() == {"blobs"} and h.rows("blobs")[0]._move_off_tablet
    h.call("end_upload")
    assert h.rows("blobs")[0]._era != "NOW"
    assert h.audits()[-1].endswith("blobs (1 preserved, PKs [1]; current PKs [1])")


def test_which_keys_blank_move_off_is_one_null(h: Harness) -> None:
    h.call("start_upload")
    send_blobs(h, [blob(1, 0, move_off=None)], "0")
    h.call("end_upload")
    h.call("start_upload")
    # One record with a NULL flag: the tablet sends a blank value (copse: not an error).
    assert (
        h.call(
            "which_keys_to_send",
            table="blobs",
            pkname="id",
            pkvalues="1",
            datevalues=when(0),
            move_off_tablet_values="",
        )
        == ""
    )
    h.call("end_upload")
    assert h.rows("blobs")[0]._era == "NOW"


def test_end_upload_without_batch_commits_nothing(h: Harness) -> None:
    assert h.call("end_upload") is None
    assert h.audits() == [h.prefix() + "No changes"]


def test_upload_table_checks_unchanged_records_by_their_keys_only(h: Harness) -> None:
    """As in one-step: a record re-sent unchanged is decoded by its keys only."""
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0), satis(2, 0)])})
    first = {r.id: (r._pk, r.rating) for r in h.current(T).values()}
    h.call("start_upload")
    with pytest.raises(UserError) as e:
        h.upload_table(T, SATIS_FIELDS, [satis(1, 0), [2, "many", when(0), when(7), 0]])
    assert e.value.message == (
        "Bad value for field 'rating' of table 'ref_satis_gen': expected an integer, got 'many'"
    )
    with pytest.raises(UserError, match="'_move_off_tablet' of table 'ref_satis_gen'"):
        h.upload_table(T, SATIS_FIELDS, [[1, 1, when(0), when(0), "x"], satis(2, 0)])
    h.upload_table(T, SATIS_FIELDS, [[1, "many", when(0), when(0), 0], satis(2, 7, rating=4)])
    h.call("end_upload")
    now = {r.id: (r._pk, r.rating) for r in h.current(T).values()}
    assert now[1] == first[1]  # unchanged: neither checked nor written
    assert now[2][0] != first[2][0] and now[2][1] == 4
    assert h.invariants() == []
