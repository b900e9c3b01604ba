"""A rebuild's task entries computed by a second process (``copse.index.entry_process``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from copse.db.tx import transaction
from copse.index import rebuild
from copse.index.compute import batched, iter_task_entries
from copse.index.entry_process import EntryProcess, EntryProcessFailed, shared_batches, usable
from copse.schema.tables import task_index
from tests.index.conftest import IndexHarness, idnum_entries, task_entries
from tests.index.test_maintain import base_state

NOW = datetime.datetime(2031, 5, 6, 7, 8, 9)
TABLES = ["bmi", "gad7", "ref_satis_gen"]


def _url(h: IndexHarness) -> str:
    return h.engine.url.render_as_string(hide_password=False)


def _helper_entries(helper: EntryProcess, table: str) -> list[dict[str, Any]]:
    helper.assign(table)
    entries: list[dict[str, Any]] = []
    while (message := helper.next(wait=True)) is not None and message[0] == "batch":
        assert message[1] == table
        entries.extend(message[2])
    assert message == ("table", table)
    return entries


def test_helper_sends_what_the_rebuild_would_compute(h: IndexHarness) -> None:
    h.onestep(base_state())
    with h.engine.connect() as conn:
        want = {t: list(iter_task_entries(conn, t, None, NOW)) for t in TABLES}
    assert len(want["bmi"]) == 2 and want["gad7"] == [] and len(want["ref_satis_gen"]) == 1
    with EntryProcess(_url(h), NOW) as helper:
        got = {t: _helper_entries(helper, t) for t in TABLES}
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
            for table, batch in shared_batches(tables, own, helper):
                got[table].extend(batch)
    assert got == want
    assert done_here and done_here[0] == "ace3"  # this process began at the back
    assert "bmi" not in done_here  # the helper began at the front


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
