"""The benchmark scenarios.  Each returns result records (plain dicts) for the report.

Every record has: ``group``, ``backend``, ``scenario``, ``time_s`` (server
time: the HTTP round trips of the upload phase, or wall time for concurrent
runs), ``raw_s`` (the bulk insert of the same rows), ``ratio`` and
``peak_rss_mb`` (the serving process's VmHWM, reset before the scenario).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import baseline, dbs
from bench.client import BenchTablet, Timing
from bench.datagen import SIZES, Size, TabletData, generate
from bench.server import ADMIN_PASSWORD, Server

Record = dict[str, Any]
Log = Callable[[str], None]


@dataclass
class Env:
    work_dir: Path
    urls: dict[str, str]
    log: Log
    seed: int = 1


@contextmanager
def served(
    env: Env, backend: str, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[dbs.BenchDb, Server]]:
    """A fresh database and a server on it; both gone afterwards."""
    db = dbs.create(backend, env.urls.get(backend, ""), env.work_dir)
    srv = Server(
        db.url, env.work_dir / f"server-{backend}.log", workers=workers, extra_env=extra_env
    )
    try:
        srv.start()
        yield db, srv
    finally:
        srv.stop()
        dbs.drop(db)


def _tablet(srv: Server, data: TabletData, tag: str) -> BenchTablet:
    import uuid

    t = BenchTablet(
        srv.api_url,
        "admin",
        ADMIN_PASSWORD,
        data,
        device="{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"copse-bench/{tag}")) + "}",
    )
    t.register()
    return t


def _rec(
    group: str,
    backend: str,
    scenario: str,
    tm: Timing | float,
    raw_s: float,
    srv: Server | None,
    **more: Any,
) -> Record:
    t = tm.upload_s if isinstance(tm, Timing) else float(tm)
    r: Record = {
        "group": group,
        "backend": backend,
        "scenario": scenario,
        "time_s": t,
        "raw_s": raw_s,
        "ratio": t / raw_s if raw_s > 0 else None,
        "peak_rss_mb": srv.peak_rss_mb() if srv else None,
    }
    if isinstance(tm, Timing):
        r.update(
            conversation_s=tm.total_s,
            requests=tm.requests,
            body_mb=tm.body_bytes / 1e6,
            max_body_mb=tm.max_body_bytes / 1e6,
        )
    r.update(more)
    return r


def _upload(srv: Server, tab: BenchTablet, method: str, onestep: bool) -> Timing:
    srv.reset_peak()
    return tab.upload(method, onestep=onestep)


# ---------------------------------------------------------------------------
# 1. Lifecycle: first upload, no-change, 1 % changed, move
# ---------------------------------------------------------------------------


def lifecycle(env: Env, backend: str, sizes: list[Size]) -> list[Record]:
    out: list[Record] = []
    with served(env, backend) as (db, srv):
        for size in sizes:
            for onestep in (True, False):
                how = "one-step" if onestep else "stepwise"
                data = generate(size, env.seed, first_patient=10_000 * len(out))
                tab = _tablet(srv, data, f"life-{size.name}-{how}")
                try:
                    raw = baseline.raw_insert(db.engine, data, tab.device)
                    rows = data.n_rows
                    common = dict(
                        size=size.name,
                        method=how,
                        rows=rows,
                        task_rows=data.n_task_rows,
                        blob_mb=data.blob_bytes / 1e6,
                    )
                    tm = _upload(srv, tab, "copy", onestep)
                    out.append(
                        _rec(
                            "lifecycle",
                            backend,
                            "first upload (copy)",
                            tm,
                            raw,
                            srv,
                            **common,
                            stored_current_rows=_current_rows(db, tab.device),
                        )
                    )
                    tm = _upload(srv, tab, "copy", onestep)
                    out.append(
                        _rec("lifecycle", backend, "re-upload, no change", tm, raw, srv, **common)
                    )
                    n = data.touch_fraction(0.01, env.seed + 7)
                    tm = _upload(srv, tab, "copy", onestep)
                    out.append(
                        _rec(
                            "lifecycle",
                            backend,
                            f"re-upload, 1% changed ({n} rows)",
                            tm,
                            raw,
                            srv,
                            **common,
                        )
                    )
                    tm = _upload(srv, tab, "move", onestep)
                    out.append(
                        _rec("lifecycle", backend, "move (finalize all)", tm, raw, srv, **common)
                    )
                finally:
                    tab.close()
                env.log(
                    f"  lifecycle {backend} {size.name} {how}: "
                    + ", ".join(f"{r['time_s']:.2f}s" for r in out[-4:])
                )
    return out


# ---------------------------------------------------------------------------
# 2. Many devices at once
# ---------------------------------------------------------------------------


def concurrency(
    env: Env,
    backend: str,
    size: Size,
    device_counts: list[int],
    worker_counts: list[int],
    onestep: bool = True,
) -> list[Record]:
    out: list[Record] = []
    for workers in worker_counts:
        with served(env, backend, workers=workers) as (db, srv):
            raw_one: float | None = None
            for n in device_counts:
                datas = [generate(size, env.seed + i, first_patient=1000 * i) for i in range(n)]
                tabs = [_tablet(srv, d, f"conc-w{workers}-n{n}-{i}") for i, d in enumerate(datas)]
                if raw_one is None:
                    raw_one = baseline.raw_insert(db.engine, datas[0], tabs[0].device)
                errors: list[str] = []
                barrier = threading.Barrier(n)

                # The current loop's barrier and error list, bound now (not looked up late).
                def run(
                    tab: BenchTablet,
                    barrier: threading.Barrier = barrier,
                    errors: list[str] = errors,
                ) -> Timing | None:
                    barrier.wait()
                    try:
                        return tab.upload("copy", onestep=onestep)
                    except Exception as exc:  # noqa: BLE001 -- counted and reported
                        errors.append(f"{type(exc).__name__}: {exc}"[:300])
                        return None

                srv.reset_peak()
                t0 = time.perf_counter()
                with ThreadPoolExecutor(max_workers=n) as pool:
                    timings = list(pool.map(run, tabs))
                wall = time.perf_counter() - t0
                for t in tabs:
                    t.close()
                ok = [t for t in timings if t is not None]
                rows = sum(d.n_rows for d in datas)
                out.append(
                    _rec(
                        "concurrency",
                        backend,
                        f"{n} devices, {workers} worker(s)",
                        wall,
                        n * raw_one,
                        srv,
                        devices=n,
                        workers=workers,
                        errors=len(errors),
                        error_samples=errors[:3],
                        uploads_per_s=len(ok) / wall,
                        rows_per_s=rows / wall,
                        median_upload_s=statistics.median(t.upload_s for t in ok) if ok else None,
                        method="one-step" if onestep else "stepwise",
                        size=size.name,
                    )
                )
                env.log(
                    f"  concurrency {backend} w{workers} n{n}: {wall:.2f}s, {len(errors)} errors"
                )
    return out


# ---------------------------------------------------------------------------
# 3. Scaling with rows and with BLOB bytes
# ---------------------------------------------------------------------------


def scaling_rows(env: Env, backend: str, task_rows: list[int]) -> list[Record]:
    out: list[Record] = []
    with served(env, backend) as (db, srv):
        for rows in task_rows:
            patients = max(1, rows // 50)
            size = Size(f"rows{rows}", patients, max(1, rows // patients), 0)
            for onestep in (True, False):
                how = "one-step" if onestep else "stepwise"
                data = generate(size, env.seed, first_patient=100_000 + 10_000 * len(out))
                tab = _tablet(srv, data, f"rows-{rows}-{how}")
                try:
                    raw = baseline.raw_insert(db.engine, data, tab.device)
                    common = dict(
                        size=size.name, method=how, rows=data.n_rows, task_rows=data.n_task_rows
                    )
                    tm = _upload(srv, tab, "copy", onestep)
                    out.append(
                        _rec("scaling-rows", backend, "first upload", tm, raw, srv, **common)
                    )
                    tm = _upload(srv, tab, "copy", onestep)
                    out.append(
                        _rec("scaling-rows", backend, "no-change re-upload", tm, raw, srv, **common)
                    )
                finally:
                    tab.close()
            env.log(
                f"  scaling rows {backend} {rows}: "
                + ", ".join(f"{r['time_s']:.2f}s" for r in out[-4:])
            )
    return out


def scaling_blobs(env: Env, backend: str, blob_mb: list[float]) -> list[Record]:
    """One-step first uploads of a small tablet carrying more and more photo bytes."""
    out: list[Record] = []
    for mb in blob_mb:
        # A fresh server per point, so each peak is measured from the same start.
        with served(env, backend) as (db, srv):
            n_photos = max(0, round(mb / 1.0))
            size = (
                Size(f"blobs{mb:g}MB", 10, 8, n_photos, 900_000, 1_100_000)
                if n_photos
                else Size("blobs0", 10, 8, 0)
            )
            data = generate(size, env.seed)
            tab = _tablet(srv, data, f"blobs-{mb}")
            try:
                raw = baseline.raw_insert(db.engine, data, tab.device)
                # Warm up (imports, statement caches for every table) with another device's
                # tiny one-step upload, so the peak measures this upload, not first-use costs.
                warm = _tablet(
                    srv, generate(SIZES["tiny"], env.seed + 5, first_patient=900_000), f"warm-{mb}"
                )
                warm.upload("copy", onestep=True)
                warm.close()
                idle = srv.rss_mb()
                tm = _upload(srv, tab, "copy", True)
                r = _rec(
                    "scaling-blobs",
                    backend,
                    "one-step first upload",
                    tm,
                    raw,
                    srv,
                    method="one-step",
                    rows=data.n_rows,
                    blob_mb=data.blob_bytes / 1e6,
                    idle_rss_mb=idle,
                )
                r["peak_over_body"] = (
                    r["peak_rss_mb"] / r["max_body_mb"] if r["max_body_mb"] else None
                )
                r["growth_over_body"] = (
                    (r["peak_rss_mb"] - idle) / r["max_body_mb"] if r["max_body_mb"] else None
                )
                out.append(r)
            finally:
                tab.close()
            env.log(
                f"  scaling blobs {backend} {mb} MB: body {out[-1]['max_body_mb']:.1f} MB, "
                f"peak {out[-1]['peak_rss_mb']:.0f} MB"
            )
    return out


# ---------------------------------------------------------------------------
# 4. No-change cost vs rows stored by other devices and in older eras
# ---------------------------------------------------------------------------


def isolation(
    env: Env, backend: str, size: Size, other_rows: int, old_eras: int, repeats: int = 3
) -> list[Record]:
    out: list[Record] = []
    with served(env, backend) as (db, srv):
        for onestep in (True, False):
            how = "one-step" if onestep else "stepwise"
            data = generate(size, env.seed, first_patient=500_000 + 1000 * len(out))
            tab = _tablet(srv, data, f"iso-A-{how}")
            raw = baseline.raw_insert(db.engine, data, tab.device)
            tab.upload("copy", onestep=onestep)

            # Bound to this method's tablet and data now, not looked up late.
            def measure(
                label: str,
                stored: int,
                tab: BenchTablet = tab,
                onestep: bool = onestep,
                how: str = how,
                raw: float = raw,
                data: TabletData = data,
            ) -> None:
                times = []
                for _ in range(repeats):
                    times.append(_upload(srv, tab, "copy", onestep).upload_s)
                med = statistics.median(times)
                out.append(
                    _rec(
                        "isolation",
                        backend,
                        label,
                        med,
                        raw,
                        srv,
                        method=how,
                        size=size.name,
                        rows=data.n_rows,
                        stored_rows=stored,
                    )
                )

            measure("alone", _stored(db))
            patients = max(1, other_rows // 50)
            other = generate(
                Size("other", patients, max(1, other_rows // patients), 0),
                env.seed + 99,
                first_patient=600_000 + 1000 * len(out),
            )
            tb = _tablet(srv, other, f"iso-B-{how}")
            tb.upload("copy", onestep=False)
            tb.close()
            measure(f"+ another device's {other.n_rows} rows", _stored(db))
            for k in range(old_eras):
                # Device A moves everything off (a new era), then records a fresh tablet's worth.
                tab.upload("move", onestep=onestep)
                fresh = generate(size, env.seed + 1000 + k, first_patient=700_000 + 1000 * k)
                tab.data.db = fresh.db
                tab.data.clock = fresh.clock
                tab.upload("copy", onestep=onestep)
            measure(f"+ {old_eras} older eras of this device", _stored(db))
            tab.close()
            env.log(
                f"  isolation {backend} {how}: "
                + ", ".join(f"{r['time_s']:.3f}s" for r in out[-3:])
            )
    return out


def _current_rows(db: dbs.BenchDb, device: str) -> int:
    """The device's current NOW-era rows over every client table (what a copy must leave)."""
    import sqlalchemy as sa

    from copse.schema.registry import TABLES
    from copse.schema.tables import CLIENT_TABLES, devices

    total = 0
    with db.engine.connect() as conn:
        dev = conn.execute(sa.select(devices.c.id).where(devices.c.name == device)).scalar_one()
        for name in TABLES:
            t = CLIENT_TABLES[name]
            total += conn.execute(
                sa.select(sa.func.count())
                .select_from(t)
                .where(t.c._device_id == dev, t.c._era == "NOW", t.c._current == sa.true())
            ).scalar_one()
    return int(total)


def _stored(db: dbs.BenchDb) -> int:
    import sqlalchemy as sa

    from copse.schema.registry import TABLES
    from copse.schema.tables import CLIENT_TABLES

    total = 0
    with db.engine.connect() as conn:
        for name in (
            "patient",
            "patient_idnum",
            "blobs",
            "phq9",
            "gad7",
            "bmi",
            "progressnote",
            "diagnosis_icd10",
            "diagnosis_icd10_item",
            "photosequence",
            "photosequence_photos",
        ):
            if name in TABLES:
                total += conn.execute(
                    sa.select(sa.func.count()).select_from(CLIENT_TABLES[name])
                ).scalar_one()
    return int(total)


__all__ = ["SIZES", "Env", "concurrency", "isolation", "lifecycle", "scaling_blobs", "scaling_rows"]
