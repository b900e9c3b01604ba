"""Hostile input over the whole client API.

Hypothesis generates requests for every operation with random, malformed,
oversized and adversarial values; every reply must satisfy
``fuzz_support.check_reply`` and a refused request must change nothing.  The
in-process endpoint (``ClientApi.handle``) is used for speed; a smaller set
runs over real HTTP.  Every crash ever found is kept in ``corpus/api/`` and
replayed here first.

``COPSE_FUZZ_EXAMPLES`` raises the number of examples for a longer run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from tests.reliability import fuzz_support as fz
from tests.reliability.helpers import InProc
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.snapshot import diff, snapshot

_DEFAULT_EXAMPLES = {"sqlite": 250, "postgresql": 80, "mysql": 80}
CORPUS = sorted((fz.CORPUS_DIR / "api").glob("*.json"))
_SETTINGS = dict(
    deadline=None,
    derandomize=os.environ.get("COPSE_FUZZ_RANDOM") is None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture
def api(db: Backend, site: dict[str, str]) -> InProc:
    a = InProc(db.engine)
    a.register()
    # Some state for the operations to work against: a committed record and
    # an open stepwise batch.
    assert a.call("start_upload").ok
    return a


def n_examples(db: Backend) -> int:
    """``COPSE_FUZZ_EXAMPLES`` or a default per backend (whole-database snapshots are
    slower on the servers)."""
    return int(os.environ.get("COPSE_FUZZ_EXAMPLES", _DEFAULT_EXAMPLES.get(db.name, 80)))


def run_one(db: Backend, api: InProc, body: bytes, query: str) -> None:
    before = snapshot(db.engine)
    try:
        r = api.raw(body, query)
        fz.check_reply(r.status, r.body)
        if not r.ok:
            changed = diff(before, snapshot(db.engine))
            assert changed == [], f"refused request changed {changed}: {r.body}"
    except AssertionError:
        name = hashlib.sha256(body + query.encode()).hexdigest()[:16]
        fz.save_crash(name, body, query)
        raise


@pytest.mark.parametrize("case", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_regressions(db: Backend, api: InProc, case: Path) -> None:
    data = json.loads(case.read_text())
    run_one(db, api, data["body_latin1"].encode("latin-1"), data["query"])


def test_hostile_requests_in_process(db: Backend, api: InProc) -> None:
    @settings(max_examples=n_examples(db), **_SETTINGS)  # type: ignore[arg-type]
    @given(fz.requests())
    def prop(req: tuple[bytes, str]) -> None:
        run_one(db, api, *req)

    prop()


@pytest.mark.parametrize("operation", fz.OPERATION_NAMES)
def test_every_operation_hostile(db: Backend, api: InProc, operation: str) -> None:
    """Each operation gets its own share of examples, so none is starved."""
    import hypothesis.strategies as st

    from tests.support.api import qt_form_encode

    @st.composite
    def reqs(draw: st.DrawFn) -> bytes:
        f = api.base(operation)
        f.update(draw(fz.op_fields(operation)))
        return qt_form_encode(f)

    @settings(max_examples=max(8, n_examples(db) // 10), **_SETTINGS)  # type: ignore[arg-type]
    @given(reqs())
    def prop(body: bytes) -> None:
        run_one(db, api, body, "")

    prop()


def test_hostile_requests_over_http(
    server: ServerProcess, db: Backend, site: dict[str, str]
) -> None:
    api = InProc(db.engine)
    api.register()
    with httpx.Client(timeout=60) as client:

        @settings(max_examples=max(16, n_examples(db) // 5), **_SETTINGS)  # type: ignore[arg-type]
        @given(fz.requests())
        def prop(req: tuple[bytes, str]) -> None:
            body, query = req
            before = snapshot(db.engine)
            url = server.api_url + ("?" + quote(query, safe="=&%") if query else "")
            r = client.post(
                url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            fz.check_reply(r.status_code, r.text)
            if "success:1" not in r.text:
                assert diff(before, snapshot(db.engine)) == [], r.text

        prop()
        # The server survived all of it.
        assert client.get(server.api_url).status_code == 200
