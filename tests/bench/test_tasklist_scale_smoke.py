"""CI smoke run of ``python -m bench.tasklist_scale`` (tiny, SQLite), so it never rots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_tasklist_scale_smoke(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.tasklist_scale", "--backend", "sqlite"]
        + ["--rows", "30000", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads((tmp_path / "tasklist_scale.json").read_text())
    pages = {(r["case"], r["page"]) for r in data["results"]}
    # 30,000 entries at 25 a page: page 1,000 exists for the superuser.
    assert ("superuser, by creation time", 1000) in pages
    for r in data["results"]:
        assert r["rows_on_page"] == 25 and r["median_ms"] > 0, r
