"""Rough edges a new user hit with the CLI (issue 12 item 13): one clear line each."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from copse.cli import cli as copse_cli
from tests.conftest import Cli
from tests.support.databases import Backend
from tests.support.snapshot import diff, snapshot


def run(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> tuple[int, str]:
    """The CLI in-process with no test database: (exit code, output)."""
    result = CliRunner().invoke(copse_cli, list(args), env=env or {}, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output,
        result.exception,
    )
    return result.exit_code, result.output


@pytest.mark.parametrize("url", ["foo://bar", "postgresql://u:secret@h:notaport/x"])
def test_bad_db_url_is_one_line_exit_2(url: str, tmp_path: Path) -> None:
    code, out = run("--db-url", url, "user", "list")
    assert code == 2, out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Bad database URL"), out
    assert "Traceback" not in out and "secret" not in out


def test_fresh_sqlite_says_run_db_upgrade_and_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for args in (("user", "list"), ("group", "list"), ("idnum", "list"), ("check-index",)):
        code, out = run("--data-dir", str(data), *args)
        assert code != 0 and "copse db upgrade" in out, (args, out)
        assert "no such table" not in out
    code, out = run("--data-dir", str(data), "db", "current")
    assert code == 0 and "no database" in out
    assert not data.exists(), "a read-only command created the data folder"
    # An existing but empty SQLite file: no tables yet.
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    code, out = run("--db-url", f"sqlite:///{empty}", "group", "list")
    assert code == 1 and "run `copse db upgrade`" in out, out
    # After db upgrade the same command works.
    assert run("--data-dir", str(data), "db", "upgrade")[0] == 0
    assert run("--data-dir", str(data), "group", "list")[0] == 0


def test_unlock_unknown_user_fails(cli: Cli, db: Backend) -> None:
    out = cli("user", "unlock", "nobody", ok=False)
    assert "No such user: nobody" in out and "Unlocked" not in out
    cli("user", "add", "alice", "--password", "a-long-password")
    assert "Unlocked alice" in cli("user", "unlock", "alice")


@pytest.mark.parametrize(
    ("idnum", "says"),
    [
        ("1=abc", "the ID number 'abc' must be a whole number"),
        ("x=123", "the ID number type 'x' must be a number"),
        ("1", "use TYPE=VALUE"),
    ],
)
def test_bad_idnum_says_what_is_wrong(cli: Cli, db: Backend, idnum: str, says: str) -> None:
    cli("group", "add", "ward1")
    before = snapshot(db.engine)
    out = cli(
        "patient",
        "add",
        "--group",
        "ward1",
        "--forename",
        "JO",
        "--surname",
        "BLOGGS",
        "--dob",
        "1980-02-29",
        "--sex",
        "F",
        "--idnum",
        idnum,
        ok=False,
    )
    assert says in out, out
    assert diff(before, snapshot(db.engine)) == []


def test_user_add_without_terminal_explains_password(cli: Cli, db: Backend) -> None:
    before = snapshot(db.engine)
    out = cli("user", "add", "bob", ok=False)
    assert "--password" in out and "COPSE_NEW_PASSWORD" in out, out
    assert diff(before, snapshot(db.engine)) == []
    cli("user", "add", "bob", env={"COPSE_NEW_PASSWORD": "a-long-password"})


def test_empty_database_title_refused(cli: Cli, db: Backend) -> None:
    before = snapshot(db.engine)
    for value in ("", "   "):
        out = cli("settings", "set", "database-title", value, ok=False)
        assert "must not be empty" in out, out
    assert diff(before, snapshot(db.engine)) == []
