"""CI smoke run of the benchmark (``python -m bench --smoke``), so it never rots.

It runs the real thing, tiny: a real server process over HTTP on SQLite,
every scenario group once.  It asserts that the run completes, that the
first uploads stored exactly the generated rows, that no concurrent upload
failed, and that every scenario produced a time and a ratio.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def test_bench_smoke(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads((tmp_path / "results.json").read_text())
    records = data["records"]
    groups = {r["group"] for r in records}
    assert groups == {
        "lifecycle",
        "concurrency",
        "scaling-rows",
        "scaling-blobs",
        "isolation",
        "everyday",
    }
    everyday = [r for r in records if r["group"] == "everyday"]
    records = [r for r in records if r["group"] != "everyday"]

    for r in records:
        where = f"{r['group']} / {r['scenario']}"
        assert isinstance(r["time_s"], float) and r["time_s"] > 0, where
        assert isinstance(r["raw_s"], float) and r["raw_s"] > 0, where
        assert isinstance(r["ratio"], float) and math.isfinite(r["ratio"]) and r["ratio"] > 0, where
        assert r["peak_rss_mb"] and r["peak_rss_mb"] > 10, where

    life = [r for r in records if r["group"] == "lifecycle"]
    for method in ("one-step", "stepwise"):
        scen = [r["scenario"] for r in life if r["method"] == method]
        assert (
            len(scen) == 4 and scen[0].startswith("first upload") and scen[-1].startswith("move")
        ), scen
        first = next(r for r in life if r["method"] == method and r["scenario"].startswith("first"))
        # The copy left exactly the tablet's rows current on the server (photos included).
        assert first["rows"] > 0 and first["stored_current_rows"] == first["rows"], first
        assert first["blob_mb"] > 0

    conc = [r for r in records if r["group"] == "concurrency"]
    assert conc and all(r["errors"] == 0 for r in conc), [r.get("error_samples") for r in conc]
    assert max(r["devices"] for r in conc) > 1

    # Issue 21's figures: both requests of the fixed cost, and every phase of
    # both methods' conversations, each with a time; rendered as targets.
    fixed = {r["scenario"] for r in everyday if r["kind"] == "fixed"}
    assert {"check_device_registered, in session", "get_id_info, in session"} <= fixed
    convs = {(r["method"], r["phase"]): r for r in everyday if r["kind"] == "conversation"}
    phases = ("first upload", "no change", "1% changed", "move (finalize all)")
    assert set(convs) == {(m, p) for m in ("one-step", "stepwise") for p in phases}
    assert all(r["conversation_ms"] > 0 and r["requests"] >= 6 for r in convs.values())
    assert all(r["changed_rows"] > 0 for (_, p), r in convs.items() if p == "1% changed")

    results_md = (tmp_path / "RESULTS.md").read_text()
    assert "## Targets" in results_md and "## Upload scenarios" in results_md
    assert "## Everyday uploads (issue 21)" in results_md
    assert "no change, 1,097 rows, <= 60 ms" in results_md
