"""A rebuild's task entries computed by a second process (``copse.index.entry_process``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from copse.db.tx import transaction
from copse.index import rebuild
from copse.index.compute import batched, iter_task_entries
from copse.index.entry_process import (
    EntryProcess,
    EntryProcessFailed,
    loaded_tables_ready,
    shared_batches,
    usable,
)
from copse.schema.tables import task_index
from tests.index.conftest import IndexHarness, idnum_entries, task_entries
from tests.index.test_maintain import base_state

NOW = datetime.datetime(2031, 5, 6, 7, 8, 9)
TABLES = ["bmi", "gad7", "ref_satis_gen"]


def _url(h: IndexHarness) -> str:
    return h.engine.url.render_as_string(hide_password=False)


def _helper_entries(helper: EntryProcess, table: str) -> list[dict[str, Any]]:
    helper.offer([table])
    done = helper.next(wait=True)
    assert done is not None and done[0] == table
    entries = [e for batch in helper.spooled(done[1]) for e in batch]
    assert not Path(done[1]).exists()  # a spool file is deleted once read
    return entries


def test_helper_sends_what_the_rebuild_would_compute(h: IndexHarness) -> None:
    h.onestep(base_state())
    with h.engine.connect() as conn:
        want = {t: list(iter_task_entries(conn, t, None, NOW)) for t in TABLES}
    assert len(want["bmi"]) == 2 and want["gad7"] == [] and len(want["ref_satis_gen"]) == 1
    with EntryProcess(_url(h), NOW) as helper:
        got = {t: _helper_entries(helper, t) for t in TABLES}
        assert helper.next(wait=True) is None  # nothing more given to it
        helper.finish()
    assert got == want
    assert helper.peak_mb is not None and 5 < helper.peak_mb < 1000


def test_work_is_shared_and_every_entry_comes_once(h: IndexHarness) -> None:
    """The helper takes tables from the front, this process from the back."""
    h.onestep(base_state())
    tables = ["bmi", "gad7", "phq9", "ref_satis_gen", "ace3"]
    done_here: list[str] = []
    with transaction(h.engine, read_only=True) as conn:
        want = {t: list(iter_task_entries(conn, t, None, NOW)) for t in tables}

        def own(table: str) -> Iterator[list[dict[str, Any]]]:
            done_here.append(table)
            return batched(iter_task_entries(conn, table, None, NOW), 1)

        got: dict[str, list[dict[str, Any]]] = {t: [] for t in tables}
        with EntryProcess(_url(h), NOW) as helper:
            helper.offer(tables[:2])
            helper.offer(tables)  # offered again: each table once
            for table, batch in shared_batches(own, helper):
                got[table].extend(batch)
            spool = Path(helper.spool)
            assert spool.is_dir() and not list(spool.iterdir())  # every file read and deleted
        assert not spool.exists()
    assert got == want
    assert done_here and done_here[0] == "ace3"  # this process began at the back
    assert "bmi" not in done_here  # the helper began at the front


def test_tables_offered_while_the_data_is_still_arriving(h: IndexHarness) -> None:
    """Each table is read in a transaction of its own: data committed after the
    helper started (a bulk load going on) is what it computes from."""
    with EntryProcess(_url(h), NOW) as helper:
        assert _helper_entries(helper, "bmi") == []
        h.onestep(base_state())
        with h.engine.connect() as conn:
            want = list(iter_task_entries(conn, "ref_satis_gen", None, NOW))
        assert len(want) == 1
        assert _helper_entries(helper, "ref_satis_gen") == want
        helper.offer(["bmi"])  # offered before: not computed again
        assert helper.next(wait=True) is None


def test_rebuild_with_the_helper_writes_the_same_index(h: IndexHarness) -> None:
    h.onestep(base_state())
    with h.engine.connect() as conn:
        before = (task_entries(conn), idnum_entries(conn))
    with h.engine.begin() as conn:
        conn.execute(sa.delete(task_index))
    with h.engine.begin() as conn:
        rebuilt = rebuild.reindex_all_checked(conn, h.tick(), second_process=True)
    assert rebuilt.problems == []
    assert rebuilt.helper_peak_mb is not None  # the helper computed entries
    with h.engine.connect() as conn:
        assert (task_entries(conn), idnum_entries(conn)) == before
    h.assert_exact()


def test_a_helper_that_dies_fails_the_rebuild(h: IndexHarness) -> None:
    h.onestep(base_state())
    with EntryProcess(_url(h), NOW) as helper:
        helper.proc.kill()
        with pytest.raises(EntryProcessFailed, match="the helper stopped"):
            _helper_entries(helper, "bmi")


def test_a_helper_that_cannot_read_says_why(h: IndexHarness) -> None:
    with EntryProcess(_url(h), NOW) as helper:
        with pytest.raises(EntryProcessFailed, match="KeyError: 'no_such_task'"):
            _helper_entries(helper, "no_such_task")


def test_not_for_a_database_in_memory() -> None:
    assert not usable(sa.make_url("sqlite://")) and not usable(sa.make_url("sqlite:///:memory:"))
    assert usable(sa.make_url("sqlite:////tmp/copse.db"))
    assert usable(sa.make_url("postgresql://u@h/copse")) and usable(sa.make_url("mysql://u@h/c"))


def test_a_task_table_is_ready_once_every_table_its_entries_read_is_loaded() -> None:
    assert loaded_tables_ready(["bmi", "phq9", "blobs"]) == []
    assert loaded_tables_ready(["phq9", "bmi", "patient"]) == ["bmi", "phq9"]
    assert loaded_tables_ready(["photosequence", "patient", "blobs"]) == []
    assert loaded_tables_ready(["photosequence", "patient", "photosequence_photos"]) == []
    ready = ["photosequence", "patient", "photosequence_photos", "blobs"]
    assert loaded_tables_ready(ready) == ["photosequence"]
