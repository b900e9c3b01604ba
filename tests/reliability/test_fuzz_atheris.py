"""Bounded coverage-guided fuzz pass (atheris) over the value codec and the policy parser.

Each target runs for ``COPSE_FUZZ_SECONDS`` (default 10) seconds, seeded from
``fuzz/seeds/<target>`` and from every earlier crash kept in
``tests/reliability/corpus/atheris/<target>``; those crash inputs are also
replayed one by one.  A new crash is copied into that corpus directory (keep it:
it becomes a regression case) and fails the test.

Longer run: ``python fuzz/fuzz_values.py -max_total_time=3600 /tmp/corpus-values fuzz/seeds/values``
(likewise ``fuzz/fuzz_policy.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# The test extra installs atheris (wheels for CPython 3.11 on x86-64 Linux); if it is
# missing, this import fails the run instead of quietly skipping the fuzzing.
import atheris  # noqa: F401
import pytest

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("COPSE_FUZZ_SECONDS", "10"))
TARGETS = ("values", "policy")


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_target(target: str, tmp_path: Path) -> None:
    script = ROOT / "fuzz" / f"fuzz_{target}.py"
    seeds = ROOT / "fuzz" / "seeds" / target
    crashes = ROOT / "tests" / "reliability" / "corpus" / "atheris" / target
    crashes.mkdir(parents=True, exist_ok=True)
    known = sorted(p for p in crashes.iterdir() if p.is_file())
    if known:  # regression: every earlier crash input, one by one
        r = subprocess.run(
            [sys.executable, str(script), *map(str, known)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    work = tmp_path / "corpus"
    work.mkdir()
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    cmd = [
        sys.executable,
        str(script),
        f"-max_total_time={SECONDS}",
        "-timeout=10",
        "-rss_limit_mb=2048",
        "-print_final_stats=1",
        f"-artifact_prefix={artifacts}/",
        str(work),
        str(seeds),
        str(crashes),
    ]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=SECONDS + 120, cwd=tmp_path)
    found = sorted(artifacts.iterdir())
    for f in found:
        shutil.copy(f, crashes / f.name)
    assert r.returncode == 0 and not found, (
        f"fuzz_{target} found {len(found)} failing input(s), kept in {crashes}:\n"
        + r.stderr[-4000:]
    )
