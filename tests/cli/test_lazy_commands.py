"""The ``copse`` group loads a command's module only when that command is used."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import click

import copse.cli
from copse.cli import COMMAND_MODULES, cli

SRC = Path(copse.cli.__file__).resolve().parents[2]


def _command_modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.iter_modules(copse.cli.__path__)
        if hasattr(importlib.import_module(f"copse.cli.{m.name}"), "register")
    ]


def test_every_command_is_mapped_to_the_modules_that_register_it() -> None:
    registered: dict[str, set[str]] = {}
    for name in _command_modules():
        group = click.Group()
        importlib.import_module(f"copse.cli.{name}").register(group)
        for command in group.commands:
            registered.setdefault(command, set()).add(name)
    assert set(registered) == set(COMMAND_MODULES)
    for command, modules in registered.items():
        assert modules <= set(COMMAND_MODULES[command]), command


def test_every_command_and_sub_command_is_reachable() -> None:
    ctx = click.Context(cli)
    group_cmd = cli.get_command(ctx, "group")
    assert isinstance(group_cmd, click.Group)
    # added to ``group`` by the patients module
    assert "set-ip-use" in group_cmd.list_commands(click.Context(group_cmd))
    for name in cli.list_commands(ctx):
        assert cli.get_command(ctx, name) is not None, name
    assert cli.get_command(ctx, "no-such-command") is None


def test_a_command_imports_only_its_own_modules() -> None:
    """``import-camcops`` runs without the web front end, the exports or the other commands."""
    code = (
        "import sys\n"
        "from copse.cli import cli\n"
        "try:\n"
        "    cli(['import-camcops', '--help'], prog_name='copse')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    loaded = set(out.splitlines()[-1].split())  # the last line: after the help text
    assert "copse.cli.import_camcops" in loaded
    for module in ("copse.web", "copse.services.export", "copse.cli.serve", "copse.cli.users"):
        assert module not in loaded, module
