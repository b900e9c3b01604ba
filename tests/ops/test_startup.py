"""What a server process prepares before it serves: the first upload pays for none of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Run in a fresh interpreter, so that no other test has imported anything yet.
_PROBE = """
import json, sys
from starlette.testclient import TestClient
from copse.app import create_app
from copse.config import load_settings

INSTRUMENT = "copse.tasks.instruments.phq"
app = create_app(load_settings())
before = INSTRUMENT in sys.modules
with TestClient(app):  # runs the start-up (lifespan)
    during = INSTRUMENT in sys.modules
print(json.dumps({"before": before, "during": during}))
"""


def test_task_definitions_are_imported_at_start_up(tmp_path: Path) -> None:
    # Any database will do (the warm-up of statements is logged and skipped on an empty one).
    env = dict(
        os.environ,
        COPSE_DB_URL=f"sqlite:///{tmp_path / 'empty.sqlite'}",
        COPSE_HOUSEKEEPING_MINUTES="0",
        COPSE_DOWNLOAD_RUNNER="false",
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"before": False, "during": True}
