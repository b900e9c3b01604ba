"""Every CLI command that can change something leaves an audit entry.

The test walks the whole ``copse`` command tree: a command must be either in
the read-only list or run here with arguments and shown to be audited (who:
"cli" and the OS user; what: the command and its options; never a
password), so a new command without audit fails this test.
"""

from __future__ import annotations

import getpass
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa

from copse.cli import cli as copse_cli
from copse.cli.common import READ_ONLY_COMMANDS
from copse.schema.tables import audit, task_schedule
from tests.support.camcops_source import create_mysql_db, drop_mysql_db, load_empty_schema
from tests.support.databases import Backend
from tests.support.server import ServerProcess

SECRET = "tall-copper-kettle-9"
NHS = "9434765919"


def all_commands(group: click.Group = copse_cli, prefix: str = "") -> set[str]:
    out: set[str] = set()
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            out |= all_commands(command, f"{prefix}{name} ")
        else:
            out.add(f"{prefix}{name}")
    return out


def schedule_id(db: Backend) -> str:
    with db.engine.connect() as conn:
        return str(conn.execute(sa.select(sa.func.max(task_schedule.c.id))).scalar_one())


def patient_key(out: str) -> str:
    m = re.search(r"Access key: (\S+)", out)
    assert m, out
    return m.group(1)


#: Each state-changing command, in an order where each one's needs are met.
#: Values are argument lists or functions of (database, outputs so far).
RUNS: list[tuple[str, list[str] | Callable[[Backend, dict[str, str]], list[str]]]] = [
    ("db upgrade", ["db", "upgrade"]),
    (
        "idnum add",
        ["idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS#"],
    ),
    ("group add", ["group", "add", "ward9"]),
    (
        "group set-policy",
        [
            "group",
            "set-policy",
            "ward9",
            "--upload",
            "sex AND idnum1",
            "--finalize",
            "sex AND idnum1",
        ],
    ),
    ("group set-ip-use", ["group", "set-ip-use", "ward9", "--clinical"]),
    ("user add", ["user", "add", "frank", "--password", SECRET, "--group", "ward9"]),
    ("user set", ["user", "set", "frank", "--group", "ward9", "--may-upload", "--may-download"]),
    ("user passwd", ["user", "passwd", "frank", "--password", SECRET + "x"]),
    ("user unlock", ["user", "unlock", "frank"]),
    ("user mfa-reset", ["user", "mfa-reset", "frank"]),
    ("settings set", ["settings", "set", "database-title", "Audited CamCOPS"]),
    ("patient add", ["patient", "add", "--group", "ward9", "--sex", "F", "--idnum", f"1={NHS}"]),
    ("schedule add", ["schedule", "add", "Follow-up", "--group", "ward9"]),
    (
        "schedule item-add",
        lambda db, out: [
            "schedule",
            "item-add",
            schedule_id(db),
            "--table",
            "phq9",
            "--due-from",
            "0",
            "--due-within",
            "7",
        ],
    ),
    (
        "schedule assign",
        lambda db, out: [
            "schedule",
            "assign",
            "--patient",
            patient_key(out["patient add"]),
            "--schedule",
            schedule_id(db),
        ],
    ),
    ("reindex", ["reindex"]),
    ("housekeeping", ["housekeeping"]),
    ("demo", ["demo", "--patients", "1"]),
    (
        "export",
        lambda db, out: [
            "export",
            "--format",
            "csv",
            "--user",
            "frank",
            "--output",
            f"/tmp/copse-audit-test-{uuid.uuid4().hex}.zip",
        ],
    ),
    ("token create", ["token", "create", "frank", "--expires", "5"]),
    (
        "token revoke",
        lambda db, out: ["token", "revoke", out["token create"].split("API token ")[1].split()[0]],
    ),
]
#: Started as a server process below (it audits the start).
SERVER_COMMANDS = {"serve"}
#: Needs an empty copse database and a CamCOPS source: run in its own test below.
OWN_TEST_COMMANDS = {"import-camcops"}


def audit_lines(db: Backend) -> list[str]:
    with db.engine.connect() as conn:
        return list(conn.execute(sa.select(audit.c.details).order_by(audit.c.id)).scalars())


def test_every_command_is_read_only_or_audited() -> None:
    changing = {name for name, _ in RUNS} | SERVER_COMMANDS | OWN_TEST_COMMANDS
    uncovered = all_commands() - changing - READ_ONLY_COMMANDS
    assert not uncovered, f"CLI commands neither read-only nor shown audited: {uncovered}"
    assert changing <= all_commands()


def test_state_changing_commands_are_audited(cli: Any, db: Backend) -> None:
    outputs: dict[str, str] = {}
    for name, args in RUNS:
        before = len(audit_lines(db))
        argv = args(db, outputs) if callable(args) else args
        outputs[name] = cli(*argv)
        new = audit_lines(db)[before:]
        mine = [line for line in new if f"copse {name}" in line]
        assert mine, f"copse {name} left no audit entry: {new}"
        assert f"OS user {getpass.getuser()}" in mine[0]
        assert SECRET not in " ".join(new)
    assert any("password='(hidden)'" in line for line in audit_lines(db))


def test_read_only_commands_leave_no_audit(cli: Any, db: Backend) -> None:
    before = len(audit_lines(db))
    for argv in (["user", "list"], ["group", "list"], ["idnum", "list"], ["db", "current"]):
        cli(*argv)
    assert len(audit_lines(db)) == before


def test_serve_start_is_audited(db: Backend, tmp_path: Path) -> None:
    s = ServerProcess(db.url, tmp_path / "server.log")
    s.start()
    s.stop()
    assert any("copse serve" in line for line in audit_lines(db))


def test_import_camcops_is_audited(cli: Any, db: Backend) -> None:
    """Its own entries (start and end) are copse's, apart from the imported trail."""
    source = create_mysql_db("audit_src")
    try:
        load_empty_schema(source)
        out = cli("import-camcops", source)
        assert "Verification OK" in out
    finally:
        drop_mysql_db(source)
    mine = [line for line in audit_lines(db) if "copse import-camcops" in line]
    assert len(mine) == 2, mine
    assert f"OS user {getpass.getuser()}" in mine[0]
    assert "new import started" in mine[0] and "new import finished" in mine[1]
