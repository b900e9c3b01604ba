"""A real ``copse serve`` process for the benchmarks, with its peak memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ADMIN_PASSWORD = "bench-admin-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(x) for x in text.split()]
    return kids + [g for k in kids for g in _children(k)]


class Server:
    """``python -m copse serve`` on a free loopback port."""

    def __init__(
        self, db_url: str, log_path: Path, workers: int = 1, extra_env: dict[str, str] | None = None
    ):
        self.db_url = db_url
        self.log_path = log_path
        self.workers = workers
        self.extra_env = extra_env or {}
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self, timeout: float = 90.0) -> None:
        self.port = free_port()
        env = dict(os.environ)
        env.update(
            COPSE_DB_URL=self.db_url,
            COPSE_LOG_LEVEL="WARNING",
            COPSE_ADMIN_PASSWORD=ADMIN_PASSWORD,
            COPSE_SESSION_CHECK_IP="true",
        )
        env.update(self.extra_env)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "copse",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + timeout
        # One client for the polling (each new client builds an SSL context).
        with httpx.Client(timeout=1.0) as poll:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"copse serve exited early; see {self.log_path}")
                try:
                    if poll.get(self.api_url).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"copse serve did not answer in {timeout}s; see {self.log_path}")

    def pids(self) -> list[int]:
        """The processes that serve requests: the server itself, or its workers."""
        assert self.proc is not None
        kids = _children(self.proc.pid)
        return kids if self.workers > 1 and kids else [self.proc.pid]

    def reset_peak(self) -> None:
        """Reset VmHWM (Linux: write 5 to clear_refs), so the next peak is this scenario's."""
        for pid in self.pids():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                pass

    def peak_rss_mb(self) -> float:
        """The largest VmHWM among the serving processes, in MB."""
        return max((_status_kb(p, "VmHWM") for p in self.pids()), default=0) / 1024

    def cpu_s(self) -> float:
        """User + system CPU seconds used so far by the serving processes (less noisy than
        wall time on a shared machine; the database server's own work is not in it)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def rss_mb(self) -> float:
        return max((_status_kb(p, "VmRSS") for p in self.pids()), default=0) / 1024

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self._log.close()
