"""A real copse server process on a free port, for end-to-end tests."""

from __future__ import annotations

import os
import random
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from copse.extra_strings import DEFAULT_EXTRA_STRINGS_DIR

#: One SSL context for the suite's plain HTTP clients (``verify=``): httpx builds
#: a new one, loading the system's CA store, for every client otherwise.
DEFAULT_TLS = ssl.create_default_context()


def free_port() -> int:
    """A port nobody listens on now.

    Under pytest-xdist each worker draws from its own block of ports below
    the kernel's ephemeral range, so two workers can never pick the same
    port between checking it and binding it (an ephemeral port handed out by
    ``bind(0)`` can be handed out again the moment it is released).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        base = 20000 + int(worker[2:]) % 12 * 1000
        for _ in range(200):
            port = random.randrange(base, base + 1000)
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    db_url: str
    log_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    #: With a CA file, the server is expected to speak HTTPS (its settings
    #: name the certificate) and is checked against that CA.
    ca_file: Path | None = None

    @property
    def base_url(self) -> str:
        scheme = "https" if self.ca_file else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What an httpx client must verify the server with."""
        if self.ca_file is None:
            return DEFAULT_TLS
        return ssl.create_default_context(cafile=str(self.ca_file))

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api"

    def start(self, timeout: float = 60.0) -> None:
        self.port = self.port or free_port()
        env = dict(os.environ)
        env.update(
            COPSE_DB_URL=self.db_url,
            COPSE_BCRYPT_ROUNDS="4",
            COPSE_LOG_LEVEL="WARNING",
            COPSE_ADMIN_PASSWORD="admin-password-for-tests",
            COPSE_EXTRA_STRINGS_DIR=str(DEFAULT_EXTRA_STRINGS_DIR),
        )
        env.update(self.extra_env)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "copse",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--no-migrate",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + timeout
        # One client for the polling: each new httpx client builds an SSL context
        # (~40 ms of CPU), which polled every 50 ms kept a CPU busy while the
        # server started.
        with httpx.Client(timeout=1.0, verify=self.verify) as poll:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"copse serve exited early:\n{self.log_text()}")
                try:
                    if poll.get(self.api_url).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)  # polling for start-up, not covering a race
        self.stop()
        raise RuntimeError(f"copse serve did not answer in {timeout}s:\n{self.log_text()}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-20000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self._log.close()

    def kill(self) -> None:
        """SIGKILL: the crash case."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self._log.close()
