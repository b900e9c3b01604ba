"""The Patients page's search at scale: 100,000 patients, each listing timed (issue 15).

    python -m bench.patient_search                        # PostgreSQL, 100,000 patients
    python -m bench.patient_search --backend sqlite --patients 100000

The patients (current rows of one device, half in each of two groups, each with
an NHS number) are inserted in bulk, then copse's own index code builds their
search keys (:func:`~copse.index.names.rebuild_name_keys`) and the ID-number
index rows are written as index maintenance writes them.  Each search
(:func:`~copse.services.patient_search.search_patients`, the function the page
calls) is timed 5 times (median): no filter by name, date of birth and most
recent task, page 1 and page 2,000; a surname prefix; a forename prefix; a date
of birth; an ID number; each as a superuser and as a user of one group.
Prints a Markdown table (copied into bench/NOTES.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import dbs
from copse.index.names import rebuild_name_keys
from copse.schema.tables import CLIENT_TABLES, devices, groups, idnum_index
from copse.services.patient_search import PatientQuery, search_patients

REPEATS = 5
PER_PAGE = 25
BATCH = 5_000
SURNAMES = ("Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Évans", "Thomas")
FORENAMES = ("Alice", "Bob", "Chloé", "David", "Emma", "Frank", "Grace", "Harry")
NOW = datetime(2026, 1, 1)


def fill(engine: sa.Engine, n: int) -> float:
    """``n`` current patients with an NHS number each; returns seconds taken."""
    t0 = time.perf_counter()
    p, pi = CLIENT_TABLES["patient"], CLIENT_TABLES["patient_idnum"]
    with engine.begin() as conn:
        conn.execute(sa.insert(groups), [{"id": 1, "name": "ga"}, {"id": 2, "name": "gb"}])
        conn.execute(sa.insert(devices).values(id=1, name="bench-device"))
        for start in range(0, n, BATCH):
            rows, idnums, index = [], [], []
            for i in range(start, min(n, start + BATCH)):
                common = {"_device_id": 1, "_era": "NOW", "_current": True, "_group_id": 1 + i % 2}
                rows.append(
                    {
                        **common,
                        "_pk": i + 1,
                        "id": i + 1,
                        "surname": f"{SURNAMES[i % 8]}{i // 8 % 1000:03d}",
                        "forename": FORENAMES[i // 8000 % 8],
                        "sex": "FM"[i % 2],
                        "dob": date(1930 + i % 80, 1 + i % 12, 1 + i % 28).isoformat(),
                    }
                )
                idnums.append(
                    {
                        **common,
                        "_pk": i + 1,
                        "id": i + 1,
                        "patient_id": i + 1,
                        "which_idnum": 1,
                        "idnum_value": 9_000_000_000 + i,
                    }
                )
                index.append(
                    {
                        "idnum_pk": i + 1,
                        "indexed_at_utc": NOW,
                        "patient_pk": i + 1,
                        "which_idnum": 1,
                        "idnum_value": 9_000_000_000 + i,
                    }
                )
            conn.execute(sa.insert(p), rows)
            conn.execute(sa.insert(pi), idnums)
            conn.execute(sa.insert(idnum_index), index)
        rebuild_name_keys(conn)
    return time.perf_counter() - t0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def measure(engine: sa.Engine, n: int) -> list[dict[str, Any]]:
    cases: list[tuple[str, PatientQuery, int]] = [
        ("everyone, by name", PatientQuery(sort="name"), 1),
        ("everyone, by name", PatientQuery(sort="name"), 2000),
        ("everyone, by date of birth", PatientQuery(sort="dob"), 2000),
        ("everyone, by last task", PatientQuery(sort="last_task"), 1),
        ("surname prefix 'tay'", PatientQuery(surname="tay"), 1),
        ("surname prefix 'evans0' (accent folded)", PatientQuery(surname="evans0"), 1),
        ("forename 'chloe'", PatientQuery(forename="chloe"), 1),
        ("date of birth", PatientQuery(dob="1950-09-21"), 1),
        ("ID number", PatientQuery(idnum=str(9_000_000_000 + n // 2)), 1),
    ]
    out = []
    with engine.connect() as conn:
        for who, visible in (("superuser", None), ("one group", frozenset({1}))):
            for label, q, page in cases:

                def search(q: PatientQuery = q, g: Any = visible, pg: int = page) -> Any:
                    return search_patients(
                        conn, q, g, page=pg, per_page=PER_PAGE, today=date(2026, 1, 1)
                    )

                seconds, result = timed(search)
                out.append(
                    {
                        "who": who,
                        "case": label,
                        "page": page,
                        "matching": result.total,
                        "rows": len(result.rows),
                        "median_ms": round(seconds * 1000, 1),
                    }
                )
    return out


def markdown(backend: str, n: int, fill_s: float, results: list[dict[str, Any]]) -> str:
    lines = [
        f"{backend}, {n:,} patients (filled in {fill_s:.1f} s), {PER_PAGE} per page, "
        f"median of {REPEATS}:",
        "",
        "| user | search | page | matching | time (ms) |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['who']} | {r['case']} | {r['page']:,} | {r['matching']:,} | {r['median_ms']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.patient_search")
    ap.add_argument("--backend", default="postgresql", choices=["sqlite", "postgresql", "mysql"])
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=Path("bench-work"))
    args = ap.parse_args(argv)
    defaults = {
        "postgresql": os.environ.get("COPSE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432"),
        "mysql": os.environ.get("COPSE_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306"),
        "sqlite": "",
    }
    args.out.mkdir(parents=True, exist_ok=True)
    db = dbs.create(args.backend, defaults[args.backend], args.out)
    try:
        fill_s = fill(db.engine, args.patients)
        results = measure(db.engine, args.patients)
    finally:
        dbs.drop(db)
    print(markdown(args.backend, args.patients, fill_s, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
