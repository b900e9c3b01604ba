"""Every ``copse ...`` line of the README's shell examples runs, in order, on a fresh database.

So the README cannot rot again (issue 12 item 12: its administration example
used to fail at its first step).  Lines are read from the ```` ```sh ````
blocks; ``#`` comments are dropped; a password prompt is answered through
``COPSE_NEW_PASSWORD``; ``copse serve`` is started on a free port and
stopped once it answers.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from copse.cli import cli as copse_cli
from tests.support.databases import Backend, create_backend, drop_backend
from tests.support.server import free_port

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> list[list[str]]:
    """The ``copse`` command lines of the README's ```sh blocks, as argument lists."""
    out: list[list[str]] = []
    in_sh = False
    for line in README.read_text().splitlines():
        if line.startswith("```"):
            in_sh = line.strip() == "```sh"
            continue
        if in_sh and line.startswith("copse "):
            out.append(shlex.split(line, comments=True)[1:])
    return out


def test_readme_has_the_administration_example() -> None:
    cmds = [c for c in readme_commands() if c[0] != "demo"]
    assert ["demo"] in readme_commands()
    admin = [c for c in cmds if c[0] != "serve"]
    assert admin[0] == ["db", "upgrade"] and len(cmds) >= 15
    assert ["serve", "--port", "8088", "--workers", "4"] in cmds


def serve_briefly(args: list[str], env: dict[str, str]) -> None:
    """Start ``copse serve`` (on a free port instead of the README's), wait, stop."""
    port = free_port()
    args = list(args)
    if "--port" in args:
        args[args.index("--port") + 1] = str(port)
    else:
        args += ["--port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "copse", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                # The README's HTTPS example uses its own self-signed certificate.
                scheme = "https" if "--certfile" in args else "http"
                url = f"{scheme}://127.0.0.1:{port}/api"
                if httpx.get(url, timeout=1, verify=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)  # polling for start-up, not covering a race
        raise AssertionError("copse serve did not answer")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_every_readme_command_runs_on_a_fresh_database(db: Backend, tmp_path: Path) -> None:
    env = {
        "COPSE_NEW_PASSWORD": "a-long-password-1",
        "COPSE_BCRYPT_ROUNDS": "4",
        "COPSE_ADMIN_PASSWORD": "admin-password-for-tests",
        "COPSE_DATA_DIR": str(tmp_path / "data"),
    }
    fresh = None
    if db.name != "sqlite":
        # A database of its own, not the wiped shared one: MariaDB keeps AUTO_INCREMENT
        # counters across a wipe, and the examples name rows by number ("--patient 1").
        fresh = create_backend(db.name, tmp_path)
        env["COPSE_DB_URL"] = fresh.url  # SQLite: a new file in the data folder
    runner = CliRunner()
    # Relative paths in the examples (e.g. dev-cert's --out) land in a scratch folder.
    try:
        with runner.isolated_filesystem(temp_dir=tmp_path):
            for args in readme_commands():
                if args[0] == "serve":
                    serve_briefly(args, env)
                    continue
                if args[0] == "demo":
                    # The first-steps example fills a SQLite database of its own,
                    # whatever the backend: run once, with the SQLite parameter.
                    if db.name != "sqlite":
                        continue
                    demo_env = {**env, "COPSE_DATA_DIR": str(tmp_path / "demo")}
                    demo_env.pop("COPSE_DB_URL", None)
                    result = runner.invoke(copse_cli, [*args, "--patients", "2"], env=demo_env)
                    assert result.exit_code == 0, (args, result.output, result.exception)
                    continue
                result = runner.invoke(copse_cli, args, env=env)
                assert result.exit_code == 0, (args, result.output, result.exception)
    finally:
        if fresh is not None:
            drop_backend(fresh)
