"""The one-step upload: validation before any write, atomicity, finalizing."""

from __future__ import annotations

import json

import pytest

from copse.errors import UserError
from copse.schema.registry import TABLES
from tests.sync.conftest import SATIS_FIELDS, Harness, satis, when

T = "ref_satis_gen"


def err(h: Harness, **form: object) -> str:
    with pytest.raises(UserError) as e:
        h.call("upload_entire_database", **form)
    return e.value.message


def test_structure_errors(h: Harness) -> None:
    assert err(h, finalizing=1, pknameinfo="[]", dbdata="{}") == "PK name info JSON is not a dict"
    assert err(h, finalizing=1, pknameinfo="{}", dbdata="[]") == "Database data JSON is not a dict"
    assert (
        err(h, finalizing=1, pknameinfo='{"table1":"id"}', dbdata='{"table4":[]}')
        == "Table names don't match from (1) DB data (2) PK info"
    )
    assert (
        err(
            h,
            finalizing=1,
            pknameinfo='{"table1":"id","table2":"id"}',
            dbdata='{"table1":[],"table2":[]}',
        )
        == "Attempt to upload nonexistent tables: ['table1', 'table2']"
    )
    assert err(h, finalizing=1, pknameinfo="{", dbdata="{}") == "Bad JSON for key 'pknameinfo'"
    assert err(h, pknameinfo="{}", dbdata="{}") == "Must provide the variable: finalizing"
    row = {
        "id": "1",
        "when_created": f"'{when(0)}'",
        "when_last_modified": f"'{when(0)}'",
        "_move_off_tablet": "0",
    }
    assert (
        err(h, finalizing=0, pknameinfo=json.dumps({T: ""}), dbdata=json.dumps({T: [row]}))
        == "Client-side PK name not specified by client for non-empty table 'ref_satis_gen'"
    )
    bad = dict(row, rating=3)
    assert "expected an SQL literal in a JSON string, got 3" in err(
        h, finalizing=0, pknameinfo=json.dumps({T: "id"}), dbdata=json.dumps({T: [bad]})
    )


def test_empty_upload_of_every_table(h: Harness) -> None:
    h.onestep({T: (SATIS_FIELDS, [satis(1, 0)])})
    names = {t: "" for t in TABLES}
    assert (
        h.call(
            "upload_entire_database",
            finalizing=1,
            pknameinfo=json.dumps(names),
            dbdata=json.dumps(names),
        )
        == "Success"
    )
    r = h.rows(T)[0]
    assert not r._current and not r._removal_pending and r._removing_user_id == h.user_id
    assert r._when_removed_exact and r._when_removed_batch_utc is not None
    assert r._era != "NOW"  # finalized along with everything else


@pytest.mark.parametrize("column", ["_pk", "_current", "_era", "_successor_pk", "_group_id"])
def test_reserved_columns_refused(h: Harness, column: str) -> None:
    row = {
        "id": "1",
        "when_created": f"'{when(0)}'",
        "when_last_modified": f"'{when(0)}'",
        "_move_off_tablet": "0",
        column: "5",
    }
    msg = err(h, finalizing=0, pknameinfo=json.dumps({T: "id"}), dbdata=json.dumps({T: [row]}))
    assert msg == f"Reserved field name for table 'ref_satis_gen': '{column}'"


def test_unknown_column_refused_before_any_write(h: Harness) -> None:
    h.onestep({T: (SATIS_FIELDS, [satis(1, 0)])})
    before = [tuple(r) for r in h.rows(T)]
    n_audit = len(h.audits())
    good = {
        "id": "1",
        "when_created": f"'{when(0)}'",
        "when_last_modified": f"'{when(5)}'",
        "_move_off_tablet": "0",
    }
    bad = {"id": "1", "when_last_modified": f"'{when(0)}'", "_move_off_tablet": "0", "nope": "1"}
    # The bad table sorts after ref_satis_gen in commit order; nothing may be written.
    msg = err(
        h,
        finalizing=1,
        pknameinfo=json.dumps({T: "id", "zbi12": "id"}),
        dbdata=json.dumps({T: [good], "zbi12": [bad]}),
    )
    assert msg == "Invalid field name for table 'zbi12': 'nope'"
    assert [tuple(r) for r in h.rows(T)] == before and len(h.audits()) == n_audit


def test_late_failure_changes_nothing(h: Harness) -> None:
    pf = ["id", "forename", "surname", "when_last_modified", "_move_off_tablet"]
    f = ["id", "which_idnum", "idnum_value", "patient_id", "when_last_modified", "_move_off_tablet"]
    h.onestep(
        {"patient": (pf, [[1, "JO", "BLOGGS", when(0), 0]]), T: (SATIS_FIELDS, [satis(1, 0)])}
    )
    before = {t: [tuple(r) for r in h.rows(t)] for t in ("patient", T)}
    n_audit = len(h.audits())
    # patient is committed first, then patient_idnum fails its validation while
    # being processed: the patient change must not survive (the reference keeps it).
    with pytest.raises(UserError, match="No such ID number type: 7"):
        h.onestep(
            {
                "patient": (pf, [[1, "JO", "SMITH", when(1), 0]]),
                T: (SATIS_FIELDS, [satis(1, 9)]),
                "patient_idnum": (f, [[1, 7, 5, 1, when(0), 0]]),
            },
            finalizing=True,
        )
    assert {t: [tuple(r) for r in h.rows(t)] for t in ("patient", T)} == before
    assert h.rows("patient_idnum") == [] and len(h.audits()) == n_audit


def test_onestep_clears_stepwise_leftovers(h: Harness) -> None:
    h.call("start_upload")
    h.call("start_preservation")
    h.upload_table(T, SATIS_FIELDS, [satis(1, 0)])
    h.onestep({T: (SATIS_FIELDS, [satis(2, 0)])})
    assert [r.id for r in h.rows(T)] == [2]
    d = h.device()
    assert d.ongoing_upload_batch_utc is None and not d.currently_preserving
    assert h.dirty() == set() and h.invariants() == []


def test_unchanged_records_are_checked_by_their_keys_only(h: Harness) -> None:
    """A record re-sent unchanged is not written, so only its keys are decoded.

    Its other values are not checked (the reference does not check them
    either); the same bad value in a record that changed is refused, and
    nothing is written.
    """
    h.onestep({T: (SATIS_FIELDS, [satis(1, 0), satis(2, 0)])})
    first = {r.id: (r._pk, r.rating) for r in h.current(T).values()}

    def send(*records: dict[str, str]) -> object:
        return h.call(
            "upload_entire_database",
            finalizing=0,
            pknameinfo=json.dumps({T: "id"}),
            dbdata=json.dumps({T: list(records)}),
        )

    def record(cid: int, minute: int, rating: str, move_off: str = "0") -> dict[str, str]:
        return {
            "id": str(cid),
            "rating": rating,
            "when_created": f"'{when(0)}'",
            "when_last_modified": f"'{when(minute)}'",
            "_move_off_tablet": move_off,
        }

    n_audit = len(h.audits())
    with pytest.raises(UserError) as e:
        send(record(1, 0, "1"), record(2, 7, "'many'"))
    assert e.value.message == (
        "Bad value for field 'rating' of table 'ref_satis_gen': expected an integer, got 'many'"
    )
    with pytest.raises(UserError, match="'_move_off_tablet' of table 'ref_satis_gen'"):
        send(record(1, 0, "1", move_off="'x'"), record(2, 0, "1"))
    assert {r.id: (r._pk, r.rating) for r in h.current(T).values()} == first
    assert len(h.audits()) == n_audit

    send(record(1, 0, "'many'"), record(2, 7, "4"))
    now = {r.id: (r._pk, r.rating) for r in h.current(T).values()}
    assert now[1] == first[1]  # unchanged: neither checked nor written
    assert now[2][0] != first[2][0] and now[2][1] == 4
