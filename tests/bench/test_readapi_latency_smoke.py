"""CI smoke run of ``python -m bench.readapi_latency`` (tiny, SQLite), so it never rots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_readapi_latency_smoke(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.readapi_latency", "--backend", "sqlite"]
        + ["--requests", "20", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads((tmp_path / "readapi_latency.json").read_text())
    assert [r["clients"] for r in data["results"]] == [1, 20]
    for r in data["results"]:
        assert r["requests"] == 20 and r["p99_ms"] >= r["p50_ms"] > 0, r
