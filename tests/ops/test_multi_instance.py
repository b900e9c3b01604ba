"""Several copse instances on one database: tablets may land on any of them.

A hospital grows past one process by running several copse instances behind a
load balancer, all on one PostgreSQL or MariaDB database. copse keeps no state
in its processes (sessions, batches and device locks live in the database),
so a tablet whose requests are spread over the instances at random must see
exactly what it would see with one server, even while one instance is
restarted. Three instances of two workers each serve 60 simulated tablets
that pick an instance at random for every request, mixing one-step and
stepwise uploads, edits, moves and replayed moves (a lost reply to a
finalizing upload). Afterwards: no error, every tablet's records stored once
(NOW era equal to the tablet, finalized eras complete), the lifecycle
invariants hold and ``check-index`` is clean. Throughput goes to the
artifacts folder.

The "load balancer" here is the clients' transport: a connection refused
(the instance being restarted has closed its socket) is sent to another
instance, as a proxy's retry-on-connect-failure does. Connections are not
kept alive, so no request is ever half-sent to a closing instance.
"""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.support import upload_checks as uc
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet, nhs_number
from tests.support.upload_fixtures import FINALIZE_POLICY, UPLOAD_POLICY

pytestmark = [pytest.mark.e2e, pytest.mark.server_db_only, pytest.mark.timeout(1200)]

N_INSTANCES = 3
WORKERS_PER_INSTANCE = 2
N_TABLETS = 60
CLIENT_THREADS = 12
TABLES = ("patient", "patient_idnum", "blobs", "phq9", "photo")


class Pool:
    """The instances and which of them take new connections right now."""

    def __init__(self, servers: list[ServerProcess]) -> None:
        self.servers = servers
        self.down: set[int] = set()
        self.lock = threading.Condition()
        self.in_flight = [0] * len(servers)
        self.rerouted = 0
        self.requests = 0

    def pick(self, rng: random.Random, avoid: int | None = None) -> int:
        """An instance that is up (counted in flight until :meth:`release`)."""
        with self.lock:
            self.requests += 1
            up = [i for i in range(len(self.servers)) if i not in self.down and i != avoid]
            chosen = rng.choice(up)
            self.in_flight[chosen] += 1
            return chosen

    def release(self, index: int) -> None:
        with self.lock:
            self.in_flight[index] -= 1
            self.lock.notify_all()

    def drain(self, index: int) -> None:
        """Take an instance out of the pool and wait until nothing is in flight to it."""
        with self.lock:
            self.down.add(index)
            self.lock.wait_for(lambda: self.in_flight[index] == 0, timeout=300)

    def restore(self, index: int) -> None:
        with self.lock:
            self.down.discard(index)


class Balancer(httpx.BaseTransport):
    """Sends each request to a random instance; a refused connection goes elsewhere."""

    def __init__(self, pool: Pool, seed: int) -> None:
        self.pool = pool
        self.rng = random.Random(seed)
        # No keep-alive: a new connection per request, as many proxies do upstream.
        self.inner = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = self.pool.pick(self.rng)
        try:
            for _ in range(20):
                url = httpx.URL(self.pool.servers[target].api_url)
                request.url = url.copy_with(query=request.url.query)
                try:
                    response = self.inner.handle_request(request)
                    response.read()  # the instance is in flight until the reply is in
                    return response
                except httpx.ConnectError:
                    with self.pool.lock:
                        self.pool.rerouted += 1
                    failed, target = target, self.pool.pick(self.rng, avoid=target)
                    self.pool.release(failed)
            raise httpx.ConnectError("no instance accepted the connection")
        finally:
            self.pool.release(target)

    def close(self) -> None:
        self.inner.close()


def fill(tab: Tablet, seed: int) -> None:
    pid = tab.add_patient(nhs=nhs_number(seed), forename=f"P{seed}", surname="MULTI")
    for i in range(3):
        tab.create("phq9", patient_id=pid, q1=i % 4, q2=1, q3=seed % 4)
    if seed % 5 == 0:
        ph = tab.create("photo", patient_id=pid, description="wound")
        tab.add_blob("photo", ph, "photo_blobid", bytes([seed % 256]) * 3000)


def life_of_a_tablet(tab: Tablet, seed: int) -> dict[str, int]:
    """Register and upload; then one of: nothing, edit and upload, move, lost move + move.

    Returns the rows per table the tablet finalized (empty if it did not move).
    """
    rng = random.Random(seed)
    tab.register()
    fill(tab, seed)
    first = tab.upload("copy", onestep=rng.random() < 0.5)
    assert first.ok, f"tablet {seed} first upload: {first.error}"
    kind = seed % 4
    if kind == 1:
        tab.edit("phq9", min(tab.db["phq9"]), q4=2)
        tab.create("phq9", patient_id=min(tab.db["patient"]), q1=3)
        again = tab.upload("copy", onestep=rng.random() < 0.5)
        assert again.ok, f"tablet {seed} second upload: {again.error}"
    if kind not in (2, 3):
        return {}
    moved = {t: len(tab.db[t]) for t in TABLES if tab.db[t]}
    if kind == 3:
        # The reply to the finalizing upload is lost: the tablet keeps its
        # records and sends them again (a replay that must not duplicate).
        onestep = rng.random() < 0.5
        lost = tab.upload(
            "move",
            onestep=onestep,
            abandon_after="upload_entire_database" if onestep else "end_upload",
        )
        assert lost.abandoned, f"tablet {seed}: abandon did not happen"
    move = tab.upload("move", onestep=rng.random() < 0.5)
    assert move.ok, f"tablet {seed} move: {move.error}"
    return moved


def finalized_counts(engine: sa.Engine, device: int) -> dict[str, int]:
    """Current rows of one device outside the NOW era, per table."""
    out: dict[str, int] = {}
    with engine.connect() as conn:
        for t in TABLES:
            n = conn.execute(
                sa.text(
                    f"SELECT COUNT(*) FROM {t} WHERE _device_id = :d AND _current = :c "
                    "AND _era <> 'NOW'"
                ),
                {"d": device, "c": True},
            ).scalar_one()
            if n:
                out[t] = n
    return out


def test_tablets_spread_over_three_instances_with_a_rolling_restart(
    db: Backend, site: dict[str, str], cli: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    cli(
        "group",
        "set-policy",
        site["group"],
        "--upload",
        UPLOAD_POLICY,
        "--finalize",
        FINALIZE_POLICY,
    )
    servers = [
        ServerProcess(db.url, tmp_path / f"instance{i}.log", workers=WORKERS_PER_INSTANCE)
        for i in range(N_INSTANCES)
    ]
    pool = Pool(servers)
    for s in servers:
        s.start()
    tablets = [
        Tablet(
            servers[0].api_url,
            site["user"],
            site["password"],
            http=httpx.Client(transport=Balancer(pool, seed), timeout=300.0),
            tables=TABLES,
        )
        for seed in range(N_TABLETS)
    ]
    restarted = threading.Event()
    done = {"n": 0}
    done_lock = threading.Lock()

    def run(seed: int) -> dict[str, int]:
        moved = life_of_a_tablet(tablets[seed], seed)
        with done_lock:
            done["n"] += 1
        return moved

    def rolling_restart() -> None:
        # Once a third of the tablets are through, restart instance 1 while
        # the others keep serving, as a load balancer does it: drained (no new
        # requests; those in flight finish), stopped, started again, put back.
        while True:
            with done_lock:
                if done["n"] >= N_TABLETS // 3:
                    break
            time.sleep(0.05)  # polling progress, not covering a race
        pool.drain(1)
        servers[1].stop()
        servers[1].start(timeout=300)  # a loaded machine starts workers slowly
        pool.restore(1)
        restarted.set()

    started = time.perf_counter()
    try:
        restarter = threading.Thread(target=rolling_restart, daemon=True)
        restarter.start()
        try:
            with ThreadPoolExecutor(CLIENT_THREADS) as ex:
                moved = list(ex.map(run, range(N_TABLETS)))
            elapsed = time.perf_counter() - started
        finally:
            with done_lock:
                done["n"] = N_TABLETS  # let the restarter go on if the run failed early
            restarter.join(timeout=180)
        assert restarted.is_set(), "the rolling restart did not happen during the run"
    finally:
        for t in tablets:
            t.http.close()
        for s in servers:
            s.stop()

    problems = uc.check_invariants(db.engine, TABLES)
    assert not problems, problems
    problems = uc.index_problems(db.engine)
    assert not problems, "\n".join(problems)
    for seed, tab in enumerate(tablets):
        dev = uc.device_id(db.engine, tab.device)
        now = uc.current_by_era(db.engine, dev, TABLES).get("NOW", {})
        want = {
            t: {r["id"]: uc.instant(r["when_last_modified"]) for r in tab.rows(t)}
            for t in TABLES
            if tab.db.get(t)
        }
        assert {t: v for t, v in now.items() if v} == want, f"tablet {seed}: NOW era differs"
        assert finalized_counts(db.engine, dev) == moved[seed], f"tablet {seed}: finalized rows"
    report = {
        "backend": db.name,
        "instances": N_INSTANCES,
        "workers_per_instance": WORKERS_PER_INSTANCE,
        "tablets": N_TABLETS,
        "requests": pool.requests,
        "rerouted_connections": pool.rerouted,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(pool.requests / elapsed, 1),
    }
    (artifacts_dir / f"multi_instance_{db.name}.json").write_text(json.dumps(report, indent=1))
    print(report)
