"""Everyday uploads (issue 21): fixed cost per request and whole conversations.

    python -m bench.everyday [--backends sqlite,postgresql,mysql] [--repeats 5] [--requests 200]

Through real HTTP to a real ``copse serve`` process, as the rest of the bench:

* **Fixed cost per request**: p50 / p90 of ``check_device_registered`` and of an
  authenticated ``get_id_info`` round trip for a registered device inside a
  live login session (the session made by one login first), and of a
  ``check_device_registered`` carrying the password with no session (what
  the first request of every conversation is: one bcrypt check, or a hit
  in the server's verified-login memory, ``login_cache_seconds``).
* **Server CPU** (user + system seconds of the serving process, from
  ``/proc``) per request and per conversation: far less sensitive to other
  load than wall time (the database server's own work is not in it).
* **Whole conversations** (the tablet's side: every request from
  ``check_device_registered`` to the last upload request) for the issue's two
  tablets, both methods: first upload, no-change re-upload (median of
  ``--repeats``), 1% changed, move (finalize all).

The machine is shared: compare figures from one sitting only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import dbs
from bench.client import BenchTablet
from bench.datagen import Size, TabletData, generate
from bench.scenarios import Env, served
from bench.server import ADMIN_PASSWORD, Server

#: The issue's two tablets: ~1,100 rows; ~6,500 rows and 20 photos of 200 KB.
EVERYDAY_SIZES = [
    Size("1k", 100, 7, 0),
    Size("6k", 500, 9, 20, 200_000, 200_000),
]


def _ms(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {
        "p50_ms": 1000 * statistics.median(xs),
        "p90_ms": 1000 * xs[int(0.9 * (len(xs) - 1))],
    }


def _new_tablet(srv: Server, data: TabletData, tag: str) -> BenchTablet:
    tab = BenchTablet(
        srv.api_url,
        "admin",
        ADMIN_PASSWORD,
        data,
        device="{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"everyday/{tag}")) + "}",
    )
    tab.register()
    return tab


def fixed_cost(servers: dict[str, Server], n: int) -> dict[str, dict[str, Any]]:
    """Round trips of single requests for a registered device, servers interleaved."""
    tabs = {
        name: _new_tablet(srv, generate(Size("none", 1, 1, 0), 1), f"fixed/{name}")
        for name, srv in servers.items()
    }
    times: dict[str, dict[str, list[float]]] = {name: {} for name in servers}
    cpu: dict[str, dict[str, float]] = {name: {} for name in servers}

    def timed(name: str, key: str, op: str) -> None:
        t0 = time.perf_counter()
        tabs[name].call(op)
        times[name].setdefault(key, []).append(time.perf_counter() - t0)

    try:
        for _ in range(max(5, n // 20)):
            for name, tab in tabs.items():
                tab._session = None  # the first request of a conversation: password, no session
                timed(name, "check_device_registered, no session", "check_device_registered")
        for op in ("check_device_registered", "get_id_info"):
            cpu0 = {name: srv.cpu_s() for name, srv in servers.items()}
            for _ in range(n):
                for name in tabs:
                    timed(name, f"{op}, in session", op)
            for name, srv in servers.items():
                cpu[name][f"{op}, in session"] = 1000 * (srv.cpu_s() - cpu0[name]) / n
    finally:
        for tab in tabs.values():
            tab.close()
    return {
        name: {k: dict(_ms(v), server_cpu_ms=cpu[name].get(k)) for k, v in t.items()}
        for name, t in times.items()
    }


def _phases(repeats: int) -> list[tuple[str, str]]:
    return (
        [("first upload", "copy")]
        + [("no change", "copy")] * repeats
        + [("1% changed", "copy"), ("move (finalize all)", "move")]
    )


def conversations(
    servers: dict[str, Server], size: Size, repeats: int, seed: int, cycles: int = 1
) -> dict[str, list[dict[str, Any]]]:
    """The issue's conversations on each server, alternating server by server.

    One cycle is a new device's first upload, ``repeats`` no-change
    re-uploads, a 1% change and a move.  With several cycles (each a new
    device with new patients, the earlier devices' rows staying on the
    server), the single-conversation phases (first upload, 1% changed, move)
    get a median too.
    """
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
    for onestep in (True, False):
        how = "one-step" if onestep else "stepwise"
        for cycle in range(cycles):
            base = (100_000 if onestep else 200_000) + 10_000 * cycle
            datas = {name: generate(size, seed, first_patient=base) for name in servers}
            tabs = {
                name: _new_tablet(
                    srv, datas[name], f"{size.name}/{how}/{name}" + (f"/{cycle}" if cycle else "")
                )
                for name, srv in servers.items()
            }
            rows = datas[next(iter(servers))].n_rows
            try:
                for phase, method in _phases(repeats):
                    changed = 0
                    if phase == "1% changed":
                        for d in datas.values():
                            changed = d.touch_fraction(0.01, seed + 7)
                    for name, tab in tabs.items():
                        cpu0 = servers[name].cpu_s()
                        tm = tab.upload(method, onestep=onestep)
                        cpu_ms = 1000 * (servers[name].cpu_s() - cpu0)
                        out[name].append(
                            dict(
                                size=size.name,
                                rows=rows,
                                changed_rows=changed,
                                method=how,
                                phase=phase,
                                conversation_ms=1000 * tm.total_s,
                                upload_ms=1000 * tm.upload_s,
                                server_cpu_ms=cpu_ms,
                                requests=tm.requests,
                                per_op_ms={k: round(1000 * v, 1) for k, v in tm.per_op.items()},
                            )
                        )
            finally:
                for tab in tabs.values():
                    tab.close()
    return out


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Median over repeats of the same (size, method, phase)."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["size"], r["method"], r["phase"]), []).append(r)
    out = []
    for rs in groups.values():
        rs = sorted(rs, key=lambda r: r["conversation_ms"])
        mid = rs[len(rs) // 2]
        cpu = statistics.median(r["server_cpu_ms"] for r in rs)
        out.append(dict(mid, n=len(rs), min_ms=rs[0]["conversation_ms"], server_cpu_median_ms=cpu))
    return out


def measure(
    env: Env,
    backend: str,
    variants: dict[str, dict[str, str]],
    *,
    sizes: list[str],
    repeats: int,
    requests: int,
    cycles: int = 1,
    skip_fixed: bool = False,
) -> dict[str, Any]:
    """Fixed cost and conversations on one backend, a fresh server per variant."""
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(served(env, backend, extra_env=extra))[1]
            for name, extra in variants.items()
        }
        res: dict[str, Any] = {}
        if not skip_fixed:
            res["fixed"] = fixed_cost(servers, requests)
        convs: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
        for s in EVERYDAY_SIZES:
            if s.name in sizes:
                for name, rs in conversations(servers, s, repeats, env.seed, cycles).items():
                    convs[name] += rs
        res["conversations"] = {name: summarize(rs) for name, rs in convs.items()}
    return res


def as_records(backend: str, res: dict[str, Any], variant: str = "this") -> list[dict[str, Any]]:
    """One variant's figures as ``python -m bench`` records (group ``everyday``)."""
    out: list[dict[str, Any]] = []
    for scenario, v in res.get("fixed", {}).get(variant, {}).items():
        out.append(dict(group="everyday", kind="fixed", backend=backend, scenario=scenario, **v))
    for r in res["conversations"].get(variant, []):
        rec = {k: v for k, v in r.items() if k != "per_op_ms"}
        out.append(dict(group="everyday", kind="conversation", backend=backend, **rec))
    return out


def _print(backend: str, res: dict[str, Any]) -> None:
    for name, fixed in res.get("fixed", {}).items():
        for k, v in fixed.items():
            print(
                f"{backend:10} {name:5} {k:42} p50 {v['p50_ms']:7.2f} ms"
                f"  p90 {v['p90_ms']:7.2f} ms"
                + (
                    f"  server CPU {v['server_cpu_ms']:.2f} ms/request"
                    if v.get("server_cpu_ms") is not None
                    else ""
                )
            )
    for name, rs in res["conversations"].items():
        for r in rs:
            print(
                f"{backend:10} {name:5} {r['size']:3} {r['rows']:5} rows "
                f"{r['method']:8} {r['phase']:20} {r['conversation_ms']:8.1f} ms "
                f"(min {r['min_ms']:.1f}, n={r['n']}, upload {r['upload_ms']:.1f} ms, "
                f"{r['requests']} requests; server CPU median "
                f"{r['server_cpu_median_ms']:.0f} ms)"
            )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.everyday", description=__doc__)
    p.add_argument("--backends", default="sqlite,postgresql,mysql")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--sizes", default="1k,6k")
    p.add_argument(
        "--cycles", type=int, default=1, help="devices per method (medians of moves, 1%%)"
    )
    p.add_argument("--skip-fixed", action="store_true")
    p.add_argument(
        "--ab",
        metavar="SRC",
        help="also serve copse from this other source folder (e.g. an older commit's src/, "
        "from git archive) and alternate every request / conversation between the two: "
        "before/after figures from one sitting on a loaded machine",
    )
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    urls = {
        "postgresql": os.environ.get("COPSE_BENCH_PG_URL", dbs.DEFAULT_URLS["postgresql"]),
        "mysql": os.environ.get("COPSE_BENCH_MYSQL_URL", dbs.DEFAULT_URLS["mysql"]),
    }
    work = Path(tempfile.mkdtemp(prefix="copse-everyday-"))
    env = Env(work, urls, lambda m: print(m, flush=True), seed=args.seed)
    variants: dict[str, dict[str, str]] = {"this": {}}
    if args.ab:
        old = str(Path(args.ab).resolve())
        variants = {"other": {"PYTHONPATH": old}, "this": {}}
    result: dict[str, Any] = {}
    try:
        for backend in args.backends.split(","):
            why = dbs.available(backend, urls.get(backend, ""))
            if why:
                print(f"{backend}: skipped ({why})")
                continue
            result[backend] = measure(
                env,
                backend,
                variants,
                sizes=args.sizes.split(","),
                repeats=args.repeats,
                requests=args.requests,
                cycles=args.cycles,
                skip_fixed=args.skip_fixed,
            )
            _print(backend, result[backend])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
