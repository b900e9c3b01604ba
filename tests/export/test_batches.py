"""Batches are read in closed ``_pk`` windows; they must be exactly the single query's.

The batch boundaries decide the order in which patients reach the staged
file (shared patients are stored by the first batch that needs them), so a
different batching would change the bytes of a download.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from copse.schema.tables import CLIENT_TABLES
from copse.services.export import ExportFilter, ExportOptions
from copse.services.export import source as export_source
from copse.services.export.source import Batch, PatientMemo, iter_batches
from copse.tasks import get_task
from copse.tasks.base import TaskData
from copse.tasks.scales import ItemScale
from tests.export.conftest import export, read_sqlite
from tests.export.scenario import PHQ9_FIELDS, phq9, upload_site
from tests.sync.conftest import Harness


def _edit_every_other(h: Harness, ids: list[int], day: int) -> None:
    """A new version of every other task: old versions become non-current, between current ones."""
    h.onestep({"phq9": (PHQ9_FIELDS, [phq9(t, 1, day, [t % 4] * 10) for t in ids[::2]])})


def _phq9_batches(
    conn: sa.Connection, size: int, *, all_versions: bool = False, memo: PatientMemo | None = None
) -> Iterator[Batch]:
    """The PHQ-9 download's batches of ``size`` tasks, unfiltered."""
    return iter_batches(
        conn,
        "phq9",
        ExportFilter(),
        None,
        all_versions=all_versions,
        blobs=False,
        batch_size=size,
        memo=memo,
    )


def test_batches_equal_the_single_query(h: Harness) -> None:
    ids = list(range(4, 40))
    upload_site(h, extra_phq9=[phq9(t, 1 + t % 2, 12, [1] * 10) for t in ids])
    _edit_every_other(h, ids, 13)
    _edit_every_other(h, ids[1:], 14)
    t = CLIENT_TABLES["phq9"]
    with h.engine.connect() as conn:
        want = [
            pk
            for (pk,) in conn.execute(
                sa.select(t.c._pk)
                .where(t.c._current == sa.true(), t.c._addition_pending == sa.false())
                .order_by(t.c._pk)
            )
        ]
        everything = len(list(conn.execute(sa.select(t.c._pk))))
        assert everything > len(want)  # non-current versions lie between the current ones
        for size in (1, 3, 7, len(want), len(want) + 5):
            got = [[r["_pk"] for r in b.tasks] for b in _phq9_batches(conn, size)]
            assert got == [want[i : i + size] for i in range(0, len(want), size)], size
        versions = [r["_pk"] for b in _phq9_batches(conn, 4, all_versions=True) for r in b.tasks]
        assert len(versions) == everything


def test_item_values_are_remembered_per_task_only() -> None:
    d = get_task("phq9")
    assert isinstance(d, ItemScale)
    task = TaskData(row={"q1": 3, "q2": 9})
    assert (d.value(task, "q1"), d.value(task, "q2")) == (3, None)
    assert task.memo  # the second summary reads the remembered answer
    edited = dataclasses.replace(task, row={"q1": 1, "q2": 2})
    assert not edited.memo
    assert (d.value(edited, "q1"), d.value(edited, "q2")) == (1, 2)


def test_each_patient_is_written_once_by_the_first_batch_that_needs_it(h: Harness) -> None:
    upload_site(h, extra_phq9=[phq9(t, 1 + t % 2, 12, [1] * 10) for t in range(4, 40)])
    with h.engine.connect() as conn:
        for memo in (PatientMemo(), PatientMemo(limit=1)):
            written: list[tuple[int, str, int]] = []
            for b in _phq9_batches(conn, 3, memo=memo):
                for r in b.tasks:  # every task has its patient and ID numbers at hand
                    key = (r["_device_id"], r["_era"], r["patient_id"])
                    assert key in b.patients and b.idnums[key]
                assert b.new_patients <= b.patients.keys()
                written += sorted(b.new_patients)
            assert {k[2] for k in written} == {1, 2}
            if memo.limit > 2:
                assert len(written) == 2  # once each, though every batch needs both
            else:
                assert len(written) > 2  # a memo too small forgets, and patients come again


def test_a_forgetful_patient_memo_changes_no_byte_of_a_download(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload_site(h, extra_phq9=[phq9(t, 1 + t % 2, 12, [t % 4] * 10) for t in range(4, 40)])
    monkeypatch.setattr(export_source, "BATCH_SIZE", 3)
    opts = ExportOptions(format="sqlite")
    export(h, opts, tmp_path / "remembering.sqlite")
    monkeypatch.setattr(export_source, "PATIENT_MEMO", 1)
    export(h, opts, tmp_path / "forgetting.sqlite")
    remembering = read_sqlite(tmp_path / "remembering.sqlite")
    assert len(remembering["patient"]) == 2 and len(remembering["phq9"]) == 39
    assert read_sqlite(tmp_path / "forgetting.sqlite") == remembering
