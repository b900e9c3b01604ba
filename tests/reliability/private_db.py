"""Private, throw-away PostgreSQL / MariaDB servers for tests that stop and restart the database.

The shared servers on 5432/3306 are used by other tests at the same time, so
fault tests never touch them: each starts its own instance on its own port in
a temporary directory, and stops and restarts only that one.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from copse.db.engine import normalise_url


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else None


def available(kind: str) -> str | None:
    """None if this kind of private server can be started here, else why not."""
    if os.geteuid() != 0:
        return "needs root (to run the database server as its own user)"
    if kind == "postgresql":
        if not (_pg_bin("initdb") and _pg_bin("pg_ctl")):
            return "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
        return None
    if not (shutil.which("mariadbd") and shutil.which("mariadb-install-db")):
        return "mariadbd / mariadb-install-db not found"
    return None


def _wait_port(url: str, timeout: float) -> None:
    eng = sa.create_engine(normalise_url(url), poolclass=sa.pool.NullPool)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with eng.connect() as c:
                c.exec_driver_sql("SELECT 1")
            eng.dispose()
            return
        except Exception as exc:  # noqa: BLE001 -- polling a starting server
            last = exc
            time.sleep(0.1)
    raise RuntimeError(f"database at {url} did not start: {last}")


@dataclass
class PrivateDb:
    kind: str  # "postgresql" or "mysql"
    root: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def admin_url(self) -> str:
        if self.kind == "postgresql":
            return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return f"mysql://root@127.0.0.1:{self.port}/"

    def url(self, dbname: str) -> str:
        if self.kind == "postgresql":
            return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"
        return f"mysql://root@127.0.0.1:{self.port}/{dbname}"

    # -- lifecycle -----------------------------------------------------------

    def init(self) -> None:
        data = self.root / "data"
        if self.kind == "postgresql":
            self.root.mkdir(parents=True, exist_ok=True)
            shutil.chown(self.root, "postgres", "postgres")
            subprocess.run(
                [_pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
                check=True,
                capture_output=True,
                timeout=120,
                user="postgres",
                group="postgres",
                cwd=self.root,
            )
        else:
            self.root.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    "mariadb-install-db",
                    "--no-defaults",
                    f"--datadir={data}",
                    "--user=root",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )

    def start(self, timeout: float = 60.0) -> None:
        data = self.root / "data"
        log = open(self.root / "server.log", "ab")
        if self.kind == "postgresql":
            cmd = [
                _pg_bin("postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-k",
                str(self.root),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
            ]
        else:
            cmd = [
                "mariadbd",
                "--no-defaults",
                f"--datadir={data}",
                f"--port={self.port}",
                f"--socket={self.root / 'mysqld.sock'}",
                "--user=root",
                "--bind-address=127.0.0.1",
                "--skip-grant-tables",
                f"--pid-file={self.root / 'mysqld.pid'}",
                "--innodb-flush-log-at-trx-commit=2",
                "--skip-log-bin",
            ]
        as_user = {"user": "postgres", "group": "postgres"} if self.kind == "postgresql" else {}
        self.proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.root,
            **as_user,
        )  # type: ignore[call-overload]
        _wait_port(self.admin_url, timeout)

    def kill(self) -> None:
        """SIGKILL the server (a crash / network drop: connections die mid-request)."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the server and all its children
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=30)
            self.proc = None
            time.sleep(0.3)  # let the kernel release the port

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def create_database(self, name: str) -> str:
        eng = sa.create_engine(normalise_url(self.admin_url), isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            if self.kind == "postgresql":
                c.exec_driver_sql(f'CREATE DATABASE "{name}"')
            else:
                c.exec_driver_sql(
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )
        eng.dispose()
        return self.url(name)
