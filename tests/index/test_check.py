"""``check_index`` finds every kind of corruption; ``copse reindex`` / ``check-index``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from copse.index import check_index, rebuild
from copse.schema.tables import idnum_index, task_index
from tests.index.conftest import IndexHarness
from tests.index.test_maintain import base_state, current_pk

ti, ii = task_index, idnum_index


def _task(h: IndexHarness, table: str = "bmi", cid: int = 1) -> Any:
    return sa.and_(ti.c.task_table_name == table, ti.c.task_pk == current_pk(h, table, cid))


def _extra_entry(h: IndexHarness, table: str, pk: int) -> Any:
    """An index entry for a task that does not exist."""
    return sa.insert(ti).values(
        indexed_at_utc=h.clock,
        task_table_name=table,
        task_pk=pk,
        device_id=h.device_id,
        era="NOW",
        when_created_utc=h.clock,
        when_created_iso="x",
        when_added_batch_utc=h.clock,
        group_id=h.group_id,
        task_is_complete=True,
        patient_sort_key=b"1\x001\x00",
    )


CORRUPTIONS: dict[str, tuple[Callable[[IndexHarness], Any], str]] = {
    "missing entry": (lambda h: sa.delete(ti).where(_task(h)), "current task has no index entry"),
    "completeness": (
        lambda h: sa.update(ti).where(_task(h)).values(task_is_complete=False),
        "wrong completeness",
    ),
    "patient": (lambda h: sa.update(ti).where(_task(h)).values(patient_pk=99999), "wrong patient"),
    "anonymous patient": (
        lambda h: (
            sa.update(ti)
            .where(_task(h, "ref_satis_gen"))
            .values(patient_pk=current_pk(h, "patient", 1))
        ),
        "wrong patient",
    ),
    "era": (
        lambda h: sa.update(ti).where(_task(h)).values(era="2020-01-01T00:00:00Z"),
        "wrong era",
    ),
    "group": (
        lambda h: sa.update(ti).where(_task(h)).values(group_id=h.group_id + 1),
        "wrong group",
    ),
    "device": (
        lambda h: sa.update(ti).where(_task(h)).values(device_id=h.device_id + 1),
        "wrong device",
    ),
    "adding user": (
        lambda h: sa.update(ti).where(_task(h)).values(adding_user_id=h.user2_id),
        "wrong adding user",
    ),
    "created": (
        lambda h: (
            sa.update(ti)
            .where(_task(h))
            .values(when_created_utc=__import__("datetime").datetime(2001, 1, 1))
        ),
        "wrong created time (UTC)",
    ),
    "extra entry": (
        lambda h: _extra_entry(h, "bmi", 424242),
        "extra entry",
    ),
    # A table that holds no rows at all: the check still reads its entries.
    "extra entry of an empty table": (
        lambda h: _extra_entry(h, "phq15", 1),
        "task phq15 _pk=1): extra entry",
    ),
    "patient sort key": (
        lambda h: sa.update(ti).where(_task(h)).values(patient_sort_key=b"0zz\x00"),
        "wrong patient sort key",
    ),
    "idnum missing": (lambda h: sa.delete(ii), "current ID number has no index entry"),
    "idnum value": (lambda h: sa.update(ii).values(idnum_value=1), "wrong ID value"),
    "idnum patient": (lambda h: sa.update(ii).values(patient_pk=None), "wrong patient"),
    "idnum extra": (
        lambda h: sa.insert(ii).values(
            idnum_pk=777777, indexed_at_utc=h.clock, patient_pk=1, which_idnum=1, idnum_value=5
        ),
        "ID number index entry 777777: extra entry",
    ),
}


@pytest.mark.parametrize("page", [1, rebuild.PAGE])
@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_check_index_detects(
    h: IndexHarness, kind: str, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also with the stored entries read one per page (the merge across pages)."""
    monkeypatch.setattr(rebuild, "PAGE", page)
    h.onestep(base_state())
    h.assert_exact()
    make, expected = CORRUPTIONS[kind]
    stmt = make(h)
    with h.engine.begin() as conn:
        conn.execute(stmt)
    with h.engine.connect() as conn:
        problems = check_index(conn)
    assert len(problems) == 1 and expected in problems[0], problems


def test_cli_check_and_reindex(h: IndexHarness, cli: Any) -> None:
    h.onestep(base_state())
    assert "Index OK" in cli("check-index")
    stmts = [
        sa.delete(ti).where(_task(h)),
        sa.update(ti).where(_task(h, "bmi", 2)).values(task_is_complete=True),
        sa.delete(ii),
    ]
    with h.engine.begin() as conn:
        for stmt in stmts:
            conn.execute(stmt)
    out = cli("check-index", ok=False)
    assert "current task has no index entry" in out and "wrong completeness" in out
    assert "current ID number has no index entry" in out and "3 problem(s)" in out
    out = cli("reindex")
    assert "Reindexed: 3 task entries, 1 ID-number entries." in out
    assert "Index OK" in cli("check-index")
    h.assert_exact()


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_checked_rebuild_repairs_and_reports_clean(h: IndexHarness, kind: str) -> None:
    """``reindex_all_checked`` (the import's rebuild): whatever was wrong, the
    rebuilt index is exact, and its own check says so without a second computation."""
    h.onestep(base_state())
    make, _ = CORRUPTIONS[kind]
    stmt = make(h)
    with h.engine.begin() as conn:
        conn.execute(stmt)
    with h.engine.begin() as conn:
        assert rebuild.reindex_all_checked(conn, h.tick()).problems == []
    h.assert_exact()


def test_checked_rebuild_reads_back_what_was_stored(
    h: IndexHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rebuild's own check compares the stored entries, not the computed ones:
    an entry stored differently from what was computed is reported."""
    h.onestep(base_state())
    real_insert = rebuild.insert_dicts

    def insert_one_wrong(conn: sa.Connection, table: sa.Table, rows: Any) -> None:
        if table is ti:
            rows = [dict(r) for r in rows]
            for r in rows:
                if r["task_table_name"] == "bmi":
                    r["group_id"] += 1
                    break
        real_insert(conn, table, rows)

    monkeypatch.setattr(rebuild, "insert_dicts", insert_one_wrong)
    with h.engine.connect() as conn:
        problems = rebuild.reindex_all_checked(conn, h.tick()).problems
        conn.rollback()
    assert len(problems) == 1 and "task bmi _pk=" in problems[0], problems
    assert "wrong group" in problems[0]
