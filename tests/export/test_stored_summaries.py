"""Downloads read the summaries the task index stored, only if this code computed them.

(copse.tasks.summaries_store; the index computes them with the completeness.)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from copse.index.rebuild import check_index
from copse.schema.tables import task_index
from copse.services.export import ExportFilter, ExportOptions
from copse.services.export import source as export_source
from copse.tasks.summaries_store import SUMMARIES_VERSION, decode, encode
from tests.export.conftest import export, read_sqlite
from tests.export.scenario import phq9, upload_site
from tests.export.test_every_table import upload_everything
from tests.sync.conftest import Harness

ti = task_index


def test_every_task_of_an_upload_has_stored_summaries(h: Harness) -> None:
    upload_everything(h)
    with h.engine.connect() as conn:
        rows = conn.execute(sa.select(ti.c.summaries, ti.c.summaries_version)).all()
    assert len(rows) > 100
    assert all(text is not None and v == SUMMARIES_VERSION for text, v in rows)


def test_a_download_is_the_same_with_or_without_stored_summaries(
    h: Harness, tmp_path: Path
) -> None:
    """Every table of every task: the stored summaries are the ones the download computes."""
    upload_everything(h)
    opts = ExportOptions("sqlite", blobs=True)
    export(h, opts, tmp_path / "stored.sqlite")
    with h.engine.begin() as conn:
        conn.execute(sa.update(ti).values(summaries=None))
    export(h, opts, tmp_path / "computed.sqlite")
    stored, computed = (
        read_sqlite(tmp_path / "stored.sqlite"),
        read_sqlite(tmp_path / "computed.sqlite"),
    )
    assert stored.keys() == computed.keys()
    for table in computed:
        assert stored[table] == computed[table], table
    assert any(k.startswith("summary_") for k in computed["phq9"][0])


def _set_total(h: Harness, total: int, version: str) -> None:
    """The stored total of one phq9 task, the same one each time (an updated row may
    come first or last of an unordered scan)."""
    with h.engine.begin() as conn:
        pk, text = conn.execute(
            sa.select(ti.c.index_entry_pk, ti.c.summaries)
            .where(ti.c.task_table_name == "phq9")
            .order_by(ti.c.index_entry_pk)
        ).first()  # type: ignore[misc]
        values = decode(text)
        values["total"] = total
        conn.execute(
            sa.update(ti)
            .where(ti.c.index_entry_pk == pk)
            .values(summaries=encode(values), summaries_version=version)
        )


def _totals(h: Harness, out: Path) -> list[object]:
    export(h, ExportOptions("sqlite", filter=ExportFilter(task_types=("phq9",))), out)
    return sorted(r["summary_total"] for r in read_sqlite(out)["phq9"])


def test_stored_summaries_of_this_version_are_used_others_recomputed(
    h: Harness, tmp_path: Path
) -> None:
    upload_site(h)
    real = _totals(h, tmp_path / "real.sqlite")
    assert 999 not in real
    _set_total(h, 999, SUMMARIES_VERSION)
    assert 999 in _totals(h, tmp_path / "stored.sqlite")
    with h.engine.connect() as conn:
        problems = check_index(conn)
    assert len(problems) == 1 and "wrong summaries" in problems[0], problems
    # Computed by other task definitions (an older copse): ignored, and not a problem.
    _set_total(h, 999, "0" * 16)
    assert _totals(h, tmp_path / "older.sqlite") == real
    with h.engine.connect() as conn:
        assert check_index(conn) == []


def _clear_summaries(h: Harness, every: int) -> None:
    """Forget the stored summaries of every ``every``-th task entry (1: all)."""
    with h.engine.begin() as conn:
        pks = [pk for (pk,) in conn.execute(sa.select(ti.c.index_entry_pk).order_by(ti.c.task_pk))]
        gone = pks[::every]
        conn.execute(sa.update(ti).where(ti.c.index_entry_pk.in_(gone)).values(summaries=None))


@pytest.mark.parametrize(
    "f",
    [
        ExportFilter(),
        ExportFilter(complete_only=True),
        ExportFilter(created_from=date(2024, 1, 10), created_to=date(2024, 1, 12)),
    ],
    ids=["all", "complete", "dates"],
)
def test_fast_and_general_batches_write_the_same_rows(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, f: ExportFilter
) -> None:
    """Small batches, a memo that forgets, new versions, mixed batches: same file either way.

    With stored summaries every batch goes the fast way; with some cleared,
    batches mix; with all cleared, every batch goes the general way.
    """
    ids = list(range(4, 40))
    upload_site(h, extra_phq9=[phq9(t, 1 + t % 2, 8 + t % 6, [t % 4] * 10) for t in ids])
    # New versions of every third task: non-current rows between current ones.
    edited = [phq9(t, 1 + t % 2, 8 + t % 6 + (t % 3 == 0), [t % 4] * 10) for t in ids]
    upload_site(h, extra_phq9=edited)
    monkeypatch.setattr(export_source, "BATCH_SIZE", 4)
    monkeypatch.setattr(export_source, "PATIENT_MEMO", 1)
    opts = ExportOptions("sqlite", filter=f)
    export(h, opts, tmp_path / "fast.sqlite")
    _clear_summaries(h, 3)
    export(h, opts, tmp_path / "mixed.sqlite")
    _clear_summaries(h, 1)
    export(h, opts, tmp_path / "general.sqlite")
    fast, mixed, general = (
        read_sqlite(tmp_path / f"{n}.sqlite") for n in ("fast", "mixed", "general")
    )
    with h.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT COUNT(*) FROM phq9")).scalar_one()
    assert versions > 39  # there are non-current versions
    assert fast["phq9"] and len(fast["patient"]) == 2 and len(fast["patient_idnum"]) == 2
    assert fast == general
    assert mixed == general
