"""``GET /metrics``: off by default, protected when on, and counting what happened.

Scraped with real HTTP and parsed with the Prometheus client's own parser, so
the page is valid exposition text. With two workers, whichever worker answers
the scrape reports the requests of both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from copse.accounts.users import get_user_by_name
from copse.config import Settings
from copse.services.downloads import jobs
from copse.services.export import ExportOptions
from copse.wire.dates import utcnow
from tests.conftest import Cli
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet, nhs_number

from .conftest import ServerFactory

pytestmark = pytest.mark.e2e
TOKEN = "metrics-token-for-tests"


def scrape(server: ServerProcess, **headers: str) -> dict[tuple[str, tuple[Any, ...]], float]:
    """Samples by (name, sorted labels)."""
    r = httpx.get(f"{server.base_url}/metrics", headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    out: dict[tuple[str, tuple[Any, ...]], float] = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def total(samples: dict[tuple[str, tuple[Any, ...]], float], name: str, **labels: str) -> float:
    want = set(labels.items())
    return sum(v for (n, lab), v in samples.items() if n == name and want <= set(lab))


def test_metrics_are_off_by_default(server: ServerProcess) -> None:
    r = httpx.get(f"{server.base_url}/metrics", timeout=30)
    assert r.status_code == 404 and r.json()["status"] == 404


def test_metrics_need_the_token(ops_server: ServerFactory) -> None:
    s = ops_server(COPSE_METRICS_ENABLED="1", COPSE_METRICS_TOKEN=TOKEN)
    missing = httpx.get(f"{s.base_url}/metrics", timeout=30)
    assert missing.status_code == 401 and "Bearer" in missing.headers["www-authenticate"]
    wrong = httpx.get(f"{s.base_url}/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert "copse_requests" not in wrong.text + missing.text
    assert scrape(s, Authorization=f"Bearer {TOKEN}")


def test_metrics_for_allowed_addresses_without_token(ops_server: ServerFactory) -> None:
    s = ops_server(COPSE_METRICS_ENABLED="1", COPSE_METRICS_ALLOW="127.0.0.0/8")
    assert scrape(s)


def test_serve_refuses_unprotected_metrics(cli: Any) -> None:
    out = cli("serve", ok=False, env={"COPSE_METRICS_ENABLED": "1"})
    assert "metrics_enabled needs metrics_token or metrics_allow" in out
    assert "Traceback" not in out


def test_uploads_are_counted_across_workers(
    ops_server: ServerFactory, site: dict[str, str]
) -> None:
    s = ops_server(workers=2, COPSE_METRICS_ENABLED="1", COPSE_METRICS_TOKEN=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = scrape(s, **auth)
    tab = Tablet(
        s.api_url, site["user"], site["password"], tables=("patient", "patient_idnum", "phq9")
    )
    try:
        tab.register()
        pid = tab.add_patient(nhs=nhs_number(7))
        for i in range(5):
            tab.create("phq9", patient_id=pid, q1=i % 4)
        stepwise = tab.upload("copy", onestep=False)
        assert stepwise.ok, stepwise.error
        tab.create("phq9", patient_id=pid, q1=1)
        onestep = tab.upload("copy", onestep=True)
        assert onestep.ok, onestep.error
        bad = httpx.post(
            s.api_url,
            data={"operation": "nonsense", "camcops_version": "2.4.24", "device": "d"},
            timeout=30,
        )
        assert bad.status_code == 200 and "success:0" in bad.text
    finally:
        tab.http.close()
    after = scrape(s, **auth)

    def grew(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    n_api = len(stepwise.requests) + len(onestep.requests) + 3 + 1  # + registration + bad
    assert grew("copse_requests_total", interface="api") == n_api
    assert grew("copse_requests_total", endpoint="upload_table", outcome="success") == 3
    assert grew("copse_requests_total", endpoint="upload_entire_database", outcome="success") == 1
    assert grew("copse_requests_total", interface="api", outcome="error") == 1
    # Stepwise sent 1 patient, 1 ID number and 5 PHQ-9s; one-step sent all again plus one.
    assert grew("copse_rows_uploaded_total", kind="task") == 5 + 6
    assert grew("copse_rows_uploaded_total", kind="patient") == 2
    assert grew("copse_rows_uploaded_total", kind="patient_idnum") == 2
    assert grew("copse_upload_bytes_total") > 0
    assert grew("copse_request_duration_seconds_count", interface="api") == n_api
    assert total(after, "copse_active_uploads") == 0
    assert ("copse_accounts_locked", ()) in after
    assert ("copse_lockouts_recorded", ()) in after
    assert total(after, "copse_db_pool_connections_in_use") >= 0


def test_background_download_jobs_are_counted(
    ops_server: ServerFactory, db: Backend, cli: Cli, tmp_path: Path
) -> None:
    """Jobs waiting, one running (held by this live process), one failed: the gauges say so.

    The server runs no jobs itself (``download_runner`` off), so nothing moves
    between the writes and the scrape.
    """
    cli("user", "add", "root", "--password", "correct-horse-battery", "--superuser")
    settings = Settings(db_url=db.url, data_dir=tmp_path)
    now = utcnow()
    with db.engine.begin() as conn:
        root = get_user_by_name(conn, "root")
        assert root is not None

        def submit() -> None:
            opts = ExportOptions("csv")
            jobs.submit(conn, settings, root, opts, estimate=1, now=now, remote_addr=None)

        for _ in range(jobs.MAX_ACTIVE_JOBS):
            submit()
        owner = jobs.owner_id()
        running = jobs.claim(conn, owner, now, lease_seconds=3600)
        failing = jobs.claim(conn, owner, now, lease_seconds=3600)
        assert running is not None and failing is not None
        assert jobs.fail(conn, settings, failing, "test", now=now, owner=owner)
        submit()  # the failed one no longer counts toward the quota
    s = ops_server(COPSE_METRICS_ENABLED="1", COPSE_METRICS_TOKEN=TOKEN, COPSE_DOWNLOAD_RUNNER="0")
    got = scrape(s, Authorization=f"Bearer {TOKEN}")
    assert total(got, "copse_download_jobs_queued") == jobs.MAX_ACTIVE_JOBS - 1
    assert total(got, "copse_download_jobs_running") == 1
    assert total(got, "copse_download_jobs_failed") == 1
