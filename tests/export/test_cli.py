"""``copse export``: files, bad input (one line, exit code 2, no file), permissions flag."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from copse.cli import cli
from tests.export.scenario import upload_site
from tests.sync.conftest import NHS_OK, Harness


def run(h: Harness, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["--db-url", h.backend.url, *args], env={"COPSE_BCRYPT_ROUNDS": "4"}
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sqlite"])
def test_export_writes_the_file(h: Harness, tmp_path: Path, fmt: str) -> None:
    upload_site(h)
    out = tmp_path / f"out.{fmt}"
    r = run(
        h,
        "export",
        "--user",
        "alice",
        "--format",
        fmt,
        "--output",
        str(out),
        "--task",
        "phq9",
        "--idnum",
        f"1={NHS_OK}",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--era",
        "live",
        "--deidentify",
        "--blobs",
    )
    assert r.exit_code == 0, r.output
    assert "Exported 2 task rows" in r.output
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_sqlite_file_opens_with_keys_and_indexes(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    out = tmp_path / "out.sqlite"
    assert (
        run(h, "export", "--user", "alice", "--format", "sqlite", "--output", str(out)).exit_code
        == 0
    )
    db = sqlite3.connect(out)
    cols = {r[1]: (r[2], r[5]) for r in db.execute("PRAGMA table_info(phq9)")}
    assert cols["_pk"] == ("INTEGER", 1) and cols["q1"][0] == "INTEGER"
    assert cols["summary_total"][0] == "INTEGER" and cols["when_created"][0] == "TEXT"
    indexed = {r[1] for r in db.execute("PRAGMA index_list(phq9)")}
    assert {"ix_phq9_when_created", "ix_phq9_patient_pk"} <= indexed
    db.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "format: 'pdf' is not offered"),
        (["--format", "csv", "--from", "2024-13-01"], "from: '2024-13-01' is not a date"),
        (["--format", "csv", "--to", "yesterday"], "to: 'yesterday' is not a date"),
        (["--format", "csv", "--task", "nosuchtask"], "task: 'nosuchtask' is not a task type"),
        (["--format", "csv", "--group", "nogroup"], "group: no such group 'nogroup'"),
        (["--format", "csv", "--idnum", "1:23"], "idnum: '1:23' is not TYPE=VALUE"),
        (["--format", "csv", "--era", "past"], "era: 'past' is not one of"),
        (["--format", "csv", "--from", "2024-02-01", "--to", "2024-01-01"], "from: the start"),
        (["--format", "csv", "--user", "nobody"], "user: no such user 'nobody'"),
        (["--format", "csv", "--user", "bob"], "may not download"),
    ],
)
def test_bad_input(h: Harness, tmp_path: Path, args: list[str], message: str) -> None:
    upload_site(h)
    out = tmp_path / "out.file"
    full = ["export", "--output", str(out)]
    if "--user" not in args:
        full += ["--user", "alice"]
    r = run(h, *full, *args)
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert "Traceback" not in r.output
    assert list(tmp_path.iterdir()) == []


def test_missing_output_folder(h: Harness, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "x.zip"
    r = run(h, "export", "--user", "alice", "--format", "csv", "--output", str(out))
    assert r.exit_code == 2 and "does not exist" in r.output


def test_existing_file_kept_when_refused(h: Harness, tmp_path: Path) -> None:
    out = tmp_path / "keep.zip"
    out.write_bytes(b"old")
    r = run(h, "export", "--user", "bob", "--format", "csv", "--output", str(out))
    assert r.exit_code == 2
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.zip"]


def test_user_set_may_download(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    out = tmp_path / "b.zip"
    assert run(h, "export", "--user", "bob", "--format", "csv", "--output", str(out)).exit_code == 2
    r = run(h, "user", "set", "bob", "--group", "ward1", "--may-download")
    assert r.exit_code == 0, r.output
    assert "may_dump_data" in run(h, "user", "list").output
    r = run(h, "export", "--user", "bob", "--format", "csv", "--output", str(out))
    assert r.exit_code == 0, r.output
    assert out.exists()
    assert run(h, "user", "set", "bob", "--group", "ward1", "--no-download").exit_code == 0
    out.unlink()
    assert run(h, "export", "--user", "bob", "--format", "csv", "--output", str(out)).exit_code == 2
