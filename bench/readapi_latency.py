"""Read API latency: listing 100 tasks with their summaries, 1 and 20 concurrent clients.

    python -m bench.readapi_latency                        # PostgreSQL, 100 tasks
    python -m bench.readapi_latency --backend sqlite --requests 20 --out DIR   # smoke size

A fresh database gets one group, a device, 100 patients with an NHS number
and one PHQ-9 each (every answer given, so each carries its full summaries),
indexed as uploads leave them; a user of that group gets an API token.  A
real ``copse serve`` process (one worker) then answers
``GET /read/v1/tasks?limit=100`` over loopback: first from one client, one
request after another, then from 20 clients at once (threads, each with its
own connection), each request timed from send to last byte.  Reported: p50
and p99 latency per case, and throughput.  Every reply is checked (status
200, 100 items, summaries present), so a fast error never counts as a fast
answer.  Writes ``readapi_latency.json`` and prints a Markdown table
(copied into bench/NOTES.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench import dbs
from bench.server import Server
from copse.accounts import api_tokens
from copse.accounts.users import create_group, create_user, set_membership
from copse.index.rebuild import reindex_all
from copse.schema.tables import CLIENT_TABLES, devices

N_TASKS = 100
T0 = datetime(2024, 1, 1, 9, 0, 0)
BATCH = datetime(2024, 6, 1, 12, 0, 0)


def _server_cols(device: int, group: int, user: int) -> dict[str, Any]:
    return {
        "_device_id": device,
        "_era": "NOW",
        "_current": True,
        "_group_id": group,
        "_when_added_exact": "2024-06-01T12:00:00.000000+00:00",
        "_when_added_batch_utc": BATCH,
        "_adding_user_id": user,
        "_addition_pending": False,
        "_removal_pending": False,
        "_camcops_version": "2.4.24",
    }


def fill(engine: sa.Engine) -> str:
    """The data and a token of a (non-superuser) member of the group; returns the token."""
    with engine.begin() as conn:
        group = create_group(conn, "research")
        user = create_user(conn, "analyst", "an-analyst-password", bcrypt_rounds=4)
        set_membership(conn, user, group, may_use_webviewer=True)
        device = int(
            conn.execute(
                sa.insert(devices).values(name="tab", when_registered_utc=BATCH)
            ).inserted_primary_key[0]
        )
        base = _server_cols(device, group, user)
        patients, idnums, tasks = [], [], []
        for i in range(1, N_TASKS + 1):
            patients.append(
                {
                    **base,
                    "id": i,
                    "forename": f"F{i}",
                    "surname": f"S{i}",
                    "sex": "F",
                    "dob": "1970-01-01",
                    "when_last_modified": "2024-01-01T00:00:00Z",
                }
            )
            idnums.append(
                {
                    **base,
                    "id": i,
                    "patient_id": i,
                    "which_idnum": 1,
                    "idnum_value": 9000000000 + i,
                    "when_last_modified": "2024-01-01T00:00:00Z",
                }
            )
            when = (T0 + timedelta(hours=i)).isoformat() + "+00:00"
            tasks.append(
                {
                    **base,
                    "id": i,
                    "patient_id": i,
                    "when_created": when,
                    "when_last_modified": when,
                    "firstexit_is_finish": 1,
                    "when_firstexit": when,
                    **{f"q{n}": n % 4 for n in range(1, 10)},
                    "q10": 1,
                }
            )
        conn.execute(sa.insert(CLIENT_TABLES["patient"]), patients)
        conn.execute(sa.insert(CLIENT_TABLES["patient_idnum"]), idnums)
        conn.execute(sa.insert(CLIENT_TABLES["phq9"]), tasks)
        reindex_all(conn, BATCH)
        return api_tokens.create_token(conn, user, "bench", None, datetime.utcnow()).secret


def _one(client: httpx.Client, url: str) -> float:
    t0 = time.perf_counter()
    r = client.get(url)
    elapsed = time.perf_counter() - t0
    body = r.json()
    if r.status_code != 200 or len(body["items"]) != N_TASKS:
        raise RuntimeError(f"bad reply {r.status_code}: {r.text[:300]}")
    if not all(i["summaries"] for i in body["items"]):
        raise RuntimeError("a task without summaries")
    return elapsed


def run_clients(base: str, token: str, clients: int, per_client: int) -> dict[str, Any]:
    url = f"{base}/read/v1/tasks?limit={N_TASKS}"
    headers = {"Authorization": f"Bearer {token}"}
    times: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def worker() -> None:
        with httpx.Client(headers=headers, timeout=120) as c:
            _one(c, url)  # warm the connection (not counted)
            for _ in range(per_client):
                try:
                    t = _one(c, url)
                except Exception as exc:  # noqa: BLE001 -- reported below
                    errors.append(repr(exc))
                    return
                with lock:
                    times.append(t)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    times.sort()
    p99_index = min(len(times) - 1, max(0, round(0.99 * len(times)) - 1))
    return {
        "clients": clients,
        "requests": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p99_ms": round(times[p99_index] * 1000, 1),
        "max_ms": round(times[-1] * 1000, 1),
        "per_second": round(len(times) / wall, 1),
    }


def markdown(backend: str, results: list[dict[str, Any]]) -> str:
    lines = [
        f"`GET /read/v1/tasks?limit=100` on {backend}, 100 PHQ-9 tasks with summaries, "
        "one server worker:",
        "",
        "| clients | requests | p50 ms | p99 ms | max ms | requests/s |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['clients']} | {r['requests']} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r['per_second']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.readapi_latency")
    ap.add_argument("--backend", default="postgresql", choices=["sqlite", "postgresql", "mysql"])
    ap.add_argument("--requests", type=int, default=200, help="requests per case")
    ap.add_argument("--out", type=Path, default=Path("bench-work"))
    ap.add_argument("--server-url", default="", help="database server (default: localhost)")
    args = ap.parse_args(argv)
    defaults = {
        "postgresql": os.environ.get("COPSE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432"),
        "mysql": os.environ.get("COPSE_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306"),
        "sqlite": "",
    }
    args.out.mkdir(parents=True, exist_ok=True)
    db = dbs.create(args.backend, args.server_url or defaults[args.backend], args.out)
    server = Server(db.url, args.out / "readapi_server.log")
    try:
        token = fill(db.engine)
        server.start()
        base = server.api_url.removesuffix("/api")
        results = [
            run_clients(base, token, 1, args.requests),
            run_clients(base, token, 20, max(1, args.requests // 20)),
        ]
    finally:
        server.stop()
        dbs.drop(db)
    (args.out / "readapi_latency.json").write_text(
        json.dumps({"backend": args.backend, "results": results}, indent=1)
    )
    print(markdown(args.backend, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
