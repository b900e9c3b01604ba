"""The record lifecycle through the stepwise and one-step paths (data-model.md §4, §15)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sync.conftest import SATIS_FIELDS, Harness, satis, when

T = "ref_satis_gen"


def upload(h: Harness, method: str, recs: list[list[Any]], move: bool = False) -> None:
    if method == "stepwise":
        h.stepwise({T: (SATIS_FIELDS, recs)}, preserve=move)
    else:
        h.onestep({T: (SATIS_FIELDS, recs)}, finalizing=move)


@pytest.mark.parametrize("method", ["stepwise", "onestep"])
def test_single_record_procedure(h: Harness, method: str) -> None:
    # Seed procedure "Single record": add, modify, move; then add, modify+flag, copy.
    upload(h, method, [satis(1, 0, rating=None)])
    assert "ref_satis_gen (1 added, PKs [1]; current PKs [1])" in h.audits()[-1]
    upload(h, method, [satis(1, 1, rating=3)])
    assert h.audits()[-1].endswith(
        "ref_satis_gen (1 added, PKs [2]; 1 modified out, PKs [1]; current PKs [2])"
    )
    rows = h.rows(T)
    assert [(r._pk, r._current, r._predecessor_pk, r._successor_pk) for r in rows] == [
        (1, False, None, 2),
        (2, True, 1, None),
    ]
    assert rows[0]._removing_user_id == h.user_id and rows[0]._when_removed_exact
    assert rows[1]._adding_user_id == h.user_id and rows[1]._when_added_batch_utc is not None
    assert rows[1]._camcops_version == "2.4.24" and rows[1]._group_id == h.group_id
    upload(h, method, [satis(1, 1, rating=3)], move=True)
    assert "2 preserved, PKs [1, 2]" in h.audits()[-1]
    rows = h.rows(T)
    assert all(r._era != "NOW" for r in rows) and len({r._era for r in rows}) == 1
    assert rows[1]._current and rows[1]._preserving_user_id == h.user_id
    assert not rows[1]._forcibly_preserved
    # A fresh record on the tablet (same client id again: a new lineage in NOW).
    upload(h, method, [satis(1, 10, rating=None)])
    upload(h, method, [satis(1, 11, rating=5, move_off=1)])
    text = h.audits()[-1]
    assert "1 added, PKs [4]; 1 modified out, PKs [3]; 2 preserved, PKs [3, 4]" in text
    assert h.current(T) == {}
    eras = {r._era for r in h.rows(T)}
    assert "NOW" not in eras and len(eras) == 2  # never merged with the earlier era
    assert h.invariants() == []


@pytest.mark.parametrize("method", ["stepwise", "onestep"])
def test_identical_by_instant(h: Harness, method: str) -> None:
    upload(h, method, [[1, 1, when(0), when(5, "+01:00", hour=11), 0]])
    # The same instant written with a different offset: identical, nothing written.
    upload(h, method, [[1, 1, when(0), when(5, "+00:00", hour=10), 0]])
    assert h.audits()[-1].endswith(": No changes")
    assert len(h.rows(T)) == 1
    # Stored exactly as first sent.
    assert h.rows(T)[0].when_last_modified == "2024-01-01T11:05:00.000+01:00"


@pytest.mark.parametrize("method", ["stepwise", "onestep"])
def test_deleted(h: Harness, method: str) -> None:
    upload(h, method, [satis(1, 0), satis(2, 0)])
    upload(h, method, [satis(1, 0)])
    assert h.audits()[-1].endswith("ref_satis_gen (1 deleted, PKs [2]; current PKs [1])")
    r = h.rows(T)[1]
    assert not r._current and r._successor_pk is None and r._removing_user_id == h.user_id
    assert r._when_removed_exact and r._when_removed_batch_utc is not None
    upload(h, method, [])
    assert h.audits()[-1].endswith("ref_satis_gen (1 deleted, PKs [1]; current PKs [])")
    assert h.current(T) == {} and h.invariants() == []


@pytest.mark.parametrize("method", ["stepwise", "onestep"])
def test_move_off_chain_and_notes(h: Harness, method: str) -> None:
    import sqlalchemy as sa

    from copse.schema.tables import special_notes

    upload(h, method, [satis(1, 0), satis(2, 0)])
    upload(h, method, [satis(1, 1), satis(2, 0)])
    with h.engine.begin() as conn:
        for cid in (1, 2):
            conn.execute(
                sa.insert(special_notes).values(
                    basetable=T,
                    task_id=cid,
                    device_id=h.device_id,
                    era="NOW",
                    note=f"n{cid}",
                    hidden=False,
                )
            )
    # Record 1 unchanged but flagged: its whole chain (2 rows) is preserved.
    upload(h, method, [satis(1, 1, move_off=1), satis(2, 0)])
    assert h.audits()[-1].endswith("ref_satis_gen (2 preserved, PKs [1, 3]; current PKs [2, 3])")
    rows = {r._pk: r for r in h.rows(T)}
    assert rows[1]._era == rows[3]._era != "NOW"
    assert rows[2]._era == "NOW" and rows[1]._move_off_tablet in (0, False)
    with h.engine.connect() as conn:
        notes = dict(conn.execute(sa.select(special_notes.c.task_id, special_notes.c.era)).all())
    assert notes == {1: rows[1]._era, 2: "NOW"}
    assert h.invariants() == []


@pytest.mark.parametrize("method", ["stepwise", "onestep"])
def test_null_move_off_is_zero(h: Harness, method: str) -> None:
    upload(h, method, [satis(1, 0, move_off=None)])
    upload(h, method, [satis(1, 0, move_off=None)])
    assert h.rows(T)[0]._era == "NOW" and h.audits()[-1].endswith("No changes")


def test_finalize_moves_history_and_notes_onestep(h: Harness) -> None:
    import sqlalchemy as sa

    from copse.schema.tables import special_notes

    upload(h, "onestep", [satis(1, 0), satis(2, 0)])
    upload(h, "onestep", [satis(1, 1)])
    with h.engine.begin() as conn:
        conn.execute(
            sa.insert(special_notes).values(
                basetable=T, task_id=1, device_id=h.device_id, era="NOW", note="x", hidden=False
            )
        )
    upload(h, "onestep", [satis(1, 1)], move=True)
    assert "3 preserved, PKs [1, 2, 3]" in h.audits()[-1]
    era = h.rows(T)[0]._era
    assert era != "NOW" and {r._era for r in h.rows(T)} == {era}
    with h.engine.connect() as conn:
        # copse: one-step finalize moves the device's notes too.
        assert conn.execute(sa.select(special_notes.c.era)).scalar() == era
