"""CI smoke run of ``python -m bench.patient_search`` (tiny, SQLite), so it never rots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_patient_search_smoke(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.patient_search", "--backend", "sqlite"]
        + ["--patients", "400", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    table = proc.stdout
    # 400 patients: everyone visible to the superuser, half to a one-group user; one ID match.
    assert "| superuser | everyone, by name | 1 | 400 |" in table
    assert "| one group | everyone, by name | 1 | 200 |" in table
    assert "| superuser | ID number | 1 | 1 |" in table
