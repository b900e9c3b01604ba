"""Large downloads are written by a second process: the same files, and no file on failure.

The threshold (``PROCESS_MIN_TASK_ROWS``) is lowered so that a small upload
goes through the writer process, on every backend; batches of 4 rows make
many messages.  The CSV-zip, whose task tables are written while their rows
come, is compared with the ZIP written afterwards from the staged file.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from copse.services.export import ExportFilter, ExportOptions, csv_out, writer_process
from copse.services.export import source as export_source
from tests.export.conftest import export, read_sqlite, read_xlsx
from tests.export.scenario import phq9, upload_site
from tests.sync.conftest import Harness

OPTIONS = {
    "usual": ExportOptions("sqlite"),
    "audit": ExportOptions("sqlite", all_versions=True, blobs=True),
    "deidentified": ExportOptions(
        "sqlite", deidentify=True, filter=ExportFilter(complete_only=True)
    ),
}


class Recorder(writer_process.ProcessWriter):
    """The real writer process, remembered so a test can see (or stop) it."""

    started: list[writer_process.ProcessWriter] = []

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        Recorder.started.append(self)


def _site(h: Harness) -> None:
    ids = list(range(4, 30))
    upload_site(h, extra_phq9=[phq9(t, 1 + t % 2, 8 + t % 6, [t % 4] * 10) for t in ids])
    # New versions of every third task: non-current rows between current ones.
    upload_site(
        h, extra_phq9=[phq9(t, 1 + t % 2, 8 + t % 6 + (t % 3 == 0), [t % 4] * 10) for t in ids]
    )


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _csv_members_of(path: Path) -> dict[str, bytes]:
    """The CSV-zip's members as the SQLite download's tables make them: each table
    read back whole, a BLOB cell naming its file, the file holding the bytes."""
    db = sqlite3.connect(path)
    out: dict[str, bytes] = {}
    try:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            cur = db.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
            cols = [d[0] for d in cur.description]
            text = io.StringIO(newline="")
            w = csv.writer(text)
            w.writerow(cols)
            for row in cur:
                cells = list(row)
                for i, v in enumerate(row):
                    if isinstance(v, bytes):
                        member = csv_out.blob_member(name, row[cols.index("_pk")], cols[i])
                        out[member] = v
                        cells[i] = member
                w.writerow(cells)
            out[f"{name}.csv"] = text.getvalue().encode("utf-8")
    finally:
        db.close()
    return out


def _schema(path: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sqlite"])
@pytest.mark.parametrize("which", list(OPTIONS))
def test_the_writer_process_writes_the_same_file(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, which: str
) -> None:
    _site(h)
    monkeypatch.setattr(export_source, "BATCH_SIZE", 4)
    monkeypatch.setattr(writer_process, "ProcessWriter", Recorder)
    Recorder.started = []
    base = OPTIONS[which]
    opts = ExportOptions(
        fmt,  # type: ignore[arg-type]
        filter=base.filter,
        all_versions=base.all_versions,
        deidentify=base.deidentify,
        blobs=base.blobs,
    )
    here, there = tmp_path / f"here.{fmt}", tmp_path / f"there.{fmt}"
    monkeypatch.setattr(writer_process, "PROCESS_MIN_TASK_ROWS", 10**9)
    local = export(h, opts, here)
    assert Recorder.started == []
    monkeypatch.setattr(writer_process, "PROCESS_MIN_TASK_ROWS", 0)
    remote = export(h, opts, there)
    assert len(Recorder.started) == 1 and Recorder.started[0].proc.returncode == 0
    assert remote.rows_by_table == local.rows_by_table and local.rows_by_table["phq9"] > 20
    assert local.writer_peak_mb is None
    assert remote.writer_peak_mb is not None and 5 < remote.writer_peak_mb < 1000
    if fmt == "csv":
        assert _members(there) == _members(here)
        assert list(_members(there)) == list(_members(here))  # same order too
    elif fmt == "xlsx":
        assert read_xlsx(there) == read_xlsx(here)
    else:
        assert read_sqlite(there) == read_sqlite(here)
        assert _schema(there) == _schema(here)  # tables, keys and indexes
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([here.name, there.name])


@pytest.mark.parametrize("which", list(OPTIONS))
def test_a_csv_zip_written_as_rows_come_holds_what_the_staged_file_holds(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    """Each member equals the one written afterwards from the SQLite download:
    the task tables streamed batch by batch read back the same values."""
    _site(h)
    monkeypatch.setattr(export_source, "BATCH_SIZE", 3)
    base = OPTIONS[which]
    export(h, base, tmp_path / "staged.sqlite")
    csv_opts = ExportOptions(
        "csv",
        filter=base.filter,
        all_versions=base.all_versions,
        deidentify=base.deidentify,
        blobs=base.blobs,
    )
    export(h, csv_opts, tmp_path / "streamed.zip")
    streamed = _members(tmp_path / "streamed.zip")
    assert streamed == _csv_members_of(tmp_path / "staged.sqlite")
    assert b"phq9" in streamed["data_dictionary.csv"] and streamed["phq9.csv"].count(b"\r\n") > 10
    # Members: the dictionary, the task tables (each before its ancillary
    # tables), then the patients' tables.
    names = list(streamed)
    assert names[0] == "data_dictionary.csv"
    assert names.index("phq9.csv") < names.index("patient.csv")


def test_a_writer_process_that_dies_fails_the_download_and_leaves_no_file(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _site(h)
    monkeypatch.setattr(export_source, "BATCH_SIZE", 2)
    monkeypatch.setattr(writer_process, "PROCESS_MIN_TASK_ROWS", 0)
    monkeypatch.setattr(writer_process, "ProcessWriter", Recorder)
    Recorder.started = []
    calls: list[int] = []

    def kill_the_writer(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 1:
            proc = Recorder.started[0].proc
            proc.kill()
            proc.wait()

    from copse.accounts.users import get_user_by_name
    from copse.services.export import atomic_output, run_export
    from tests.export.conftest import NOW

    with pytest.raises(writer_process.WriterFailed, match="could not be written"):
        with atomic_output(tmp_path / "x.zip") as tmp, h.engine.begin() as conn:
            user = get_user_by_name(conn, "alice")
            assert user is not None
            run_export(
                conn,
                user,
                ExportOptions("csv"),
                tmp,
                now=NOW,
                source="console",
                progress=kill_the_writer,
            )
    assert len(calls) >= 1
    assert list(tmp_path.iterdir()) == []
    # And the next download is written.
    monkeypatch.setattr(writer_process, "ProcessWriter", Recorder)
    export(h, ExportOptions("csv"), tmp_path / "y.zip")
    assert [p.name for p in tmp_path.iterdir()] == ["y.zip"]


@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
def test_a_writer_whose_reader_goes_away_removes_its_files(tmp_path: Path, fmt: str) -> None:
    """The server killed mid-download: the writer sees its pipe end, and leaves nothing."""
    from copse.services.export.shapes import OutColumn, OutTable

    stage, target = tmp_path / "x.stage", tmp_path / f"x.{fmt}"
    writer = writer_process.ProcessWriter(stage, fmt, target)  # type: ignore[arg-type]
    table = OutTable(
        "phq9",
        (OutColumn("_pk", "INTEGER"), OutColumn("q1", "INTEGER")),
        "_pk",
        is_task=True,
    )
    writer.insert(table, [(1, 3), (2, 0)])
    assert writer.proc.stdin is not None
    writer.proc.stdin.close()  # what the kernel does to a killed reader's end of the pipe
    assert writer.proc.wait() == 1
    assert list(tmp_path.iterdir()) == []
