"""The index-based task list at scale: page 1 and page 1,000 over a million index entries.

    python -m bench.tasklist_scale                       # PostgreSQL, 1,000,000 entries
    python -m bench.tasklist_scale --backend sqlite --rows 20000 --out DIR   # the CI smoke size

The index rows are inserted directly in bulk (``INSERT ... SELECT`` over
``generate_series`` on PostgreSQL, ``executemany`` elsewhere): the list
reads only ``_task_index`` (plus the page's own task and patient rows,
absent here: it reports client id 0 and no names), so no uploads are
needed to measure it.  Entries spread over 4 task tables, 10 devices and 5
groups; one in three is live; creation times one minute apart; one in four
has no patient, the others belong to 50,000 patients whose sort keys
(:func:`~copse.records.tasklist.patient_sort_key` of made-up names) are
stored as the index maintenance stores them.  Each listing is timed 5 times
(median) as superuser (every group), as a user of one and of two of the five
groups, by creation time and by patient name (both directions).  The
Python-side peak memory of one listing (tracemalloc) shows memory does not
grow with the number of rows.  Writes ``tasklist_scale.json`` and prints a
Markdown table (copied into bench/NOTES.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import dbs
from copse.index.tasklist import list_tasks_via_index
from copse.records.tasklist import TaskFilter, patient_sort_key
from copse.schema.tables import task_index

TABLES = ("phq9", "bmi", "gad7", "ace3")
T0 = datetime(2020, 1, 1)
PER_PAGE = 25
REPEATS = 5
PATIENTS = 50_000


def patient_of(g: int) -> int | None:
    """Entry ``g``'s patient: none for one in four, else one of :data:`PATIENTS`."""
    return None if g % 4 == 0 else 1 + g % PATIENTS


def sort_key(patient: int | None) -> bytes:
    if patient is None:
        return patient_sort_key(None, None, None)
    return patient_sort_key(
        f"Surname{patient % 7919:05d}", f"Forename{patient % 211:03d}", "1970-01-01"
    )


def fill(engine: sa.Engine, rows: int) -> float:
    """Insert ``rows`` index entries; returns the seconds it took."""
    t0 = time.perf_counter()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("CREATE TEMP TABLE bench_keys (pk integer PRIMARY KEY, k bytea)")
            conn.exec_driver_sql(
                "INSERT INTO bench_keys VALUES (%(pk)s, %(k)s)",
                [{"pk": pk, "k": sort_key(pk)} for pk in range(1, PATIENTS + 1)],
            )
            arr = "ARRAY[" + ",".join(f"'{t}'" for t in TABLES) + "]"
            conn.exec_driver_sql(
                "INSERT INTO _task_index (indexed_at_utc, task_table_name, task_pk, "
                "patient_pk, device_id, era, when_created_utc, when_created_iso, "
                "when_added_batch_utc, adding_user_id, group_id, task_is_complete, "
                "patient_sort_key) "
                f"SELECT now(), ({arr})[1 + mod(g, 4)], g, bench_keys.pk, 1 + mod(g, 10), "
                "CASE WHEN mod(g, 3) = 0 THEN 'NOW' ELSE '2024-01-01T00:00:00Z' END, "
                "timestamp '2020-01-01' + g * interval '1 minute', '2020-01-01T00:00:00Z', "
                "timestamp '2024-01-01' + (g / 1000) * interval '1 second', 1, 1 + mod(g, 5), "
                "mod(g, 2) = 0, coalesce(bench_keys.k, %(anonymous)s) "
                f"FROM generate_series(1, {rows}) AS g LEFT JOIN bench_keys "
                f"ON mod(g, 4) <> 0 AND bench_keys.pk = 1 + mod(g, {PATIENTS})",
                {"anonymous": sort_key(None)},
            )
            conn.exec_driver_sql("ANALYZE _task_index")
        else:
            chunk = 10_000
            for start in range(1, rows + 1, chunk):
                conn.execute(
                    sa.insert(task_index),
                    [
                        {
                            "indexed_at_utc": T0,
                            "task_table_name": TABLES[g % 4],
                            "task_pk": g,
                            "patient_pk": patient_of(g),
                            "device_id": 1 + g % 10,
                            "era": "NOW" if g % 3 == 0 else "2024-01-01T00:00:00Z",
                            "when_created_utc": T0 + timedelta(minutes=g),
                            "when_created_iso": "2020-01-01T00:00:00Z",
                            "when_added_batch_utc": T0 + timedelta(seconds=g // 1000),
                            "adding_user_id": 1,
                            "group_id": 1 + g % 5,
                            "task_is_complete": g % 2 == 0,
                            "patient_sort_key": sort_key(patient_of(g)),
                        }
                        for g in range(start, min(rows, start + chunk - 1) + 1)
                    ],
                )
    return time.perf_counter() - t0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def measure(engine: sa.Engine) -> list[dict[str, Any]]:
    out = []
    by_name, by_name_asc = TaskFilter(sort="patient"), TaskFilter(sort="patient", descending=False)
    cases = [
        ("superuser, by creation time", TaskFilter(), None),
        ("2 of 5 groups, by creation time", TaskFilter(), frozenset({1, 2})),
        ("1 of 5 groups, by creation time", TaskFilter(), frozenset({3})),
        ("superuser, by patient name", by_name, None),
        ("superuser, by patient name, ascending", by_name_asc, None),
        ("2 of 5 groups, by patient name", by_name, frozenset({1, 2})),
        ("1 of 5 groups, by patient name", by_name, frozenset({3})),
    ]
    with engine.connect() as conn:
        for label, f, groups in cases:
            for page in (1, 1000):

                def listing(f: TaskFilter = f, g: Any = groups, n: int = page) -> Any:
                    return list_tasks_via_index(conn, f, g, page=n, per_page=PER_PAGE)

                seconds, result = timed(listing)
                tracemalloc.start()
                listing()
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                out.append(
                    {
                        "case": label,
                        "page": result.page,
                        "rows_on_page": len(result.rows),
                        "total": result.total,
                        "total_capped": result.total_capped,
                        "median_ms": round(seconds * 1000, 1),
                        "python_peak_kib": round(peak / 1024),
                    }
                )
    return out


def markdown(backend: str, rows: int, fill_s: float, results: list[dict[str, Any]]) -> str:
    lines = [
        f"{backend}, {rows:,} index entries (filled in {fill_s:.1f} s), {PER_PAGE} per page, "
        f"median of {REPEATS}:",
        "",
        "| listing | page | matching (as counted) | time (ms) | Python peak (KiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['page']:,} | "
            f"{'more than ' if r.get('total_capped') else ''}{r['total']:,} | {r['median_ms']} | "
            f"{r['python_peak_kib']:,} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.tasklist_scale")
    ap.add_argument("--backend", default="postgresql", choices=["sqlite", "postgresql", "mysql"])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("bench-work"))
    ap.add_argument(
        "--server-url",
        default="",
        help="database server (default: COPSE_BENCH_PG_URL / COPSE_BENCH_MYSQL_URL or localhost)",
    )
    args = ap.parse_args(argv)
    defaults = {
        "postgresql": os.environ.get("COPSE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432"),
        "mysql": os.environ.get("COPSE_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306"),
        "sqlite": "",
    }
    server_url = args.server_url or defaults[args.backend]
    args.out.mkdir(parents=True, exist_ok=True)
    db = dbs.create(args.backend, server_url, args.out)
    try:
        fill_s = fill(db.engine, args.rows)
        results = measure(db.engine)
    finally:
        dbs.drop(db)
    (args.out / "tasklist_scale.json").write_text(
        json.dumps({"backend": args.backend, "rows": args.rows, "results": results}, indent=1)
    )
    print(markdown(args.backend, args.rows, fill_s, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
