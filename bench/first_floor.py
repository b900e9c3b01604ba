"""What a first upload cannot avoid, next to what it costs (issue 21's first-upload target).

``python -m bench.first_floor [--backends sqlite,postgresql,mysql] [--size 10k] [--repeats 3]``

The issue asks for a first upload within 2x the raw bulk insert of the same
rows.  Besides inserting the rows, a first upload must (wire.md, data-model.md)
read every value from the wire (form decoding, JSON, each SQL literal decoded
and checked against its column) and write the task index that the task list,
patient views and ID look-ups are served from (one entry per task, with its
indexes).  This measures, in-process and on the same fresh database, each of:

* *raw*: the bench's baseline (``bench.baseline.raw_insert``: decoded rows,
  one ``executemany`` per table, one transaction);
* *wire*: the one-step request's body decoded to checked column values, with
  no database work (``decode_form``, the JSON, ``literal_row`` for every row);
* *index*: the index entries copse made for this tablet, inserted again in
  one transaction with ``executemany`` (no computation: the bare writes);
* *copse*: the ``upload_entire_database`` request itself (``ClientApi.handle``,
  no HTTP), the median of ``--repeats`` fresh devices.

*floor* = raw + wire + index: a first upload that did nothing else at all
would still take that long, so ``floor / raw`` is the lowest ratio this
design can reach.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import dbs
from bench.baseline import raw_insert
from bench.client import qt_form_encode
from bench.datagen import SIZES, TabletData, generate
from bench.profile import InProcessTablet, in_process_api
from bench.server import ADMIN_PASSWORD


def _body(tab: InProcessTablet) -> bytes:
    """The one-step upload request as the tablet sends it (first upload)."""
    data = tab.data
    tables = sorted(data.db)
    dbdata = json.dumps(
        {
            t: [dict(zip(data.columns(t), v, strict=True)) for v in data.encoded_rows(t)]
            for t in tables
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    pknameinfo = json.dumps({t: "id" for t in tables}, separators=(",", ":"), sort_keys=True)
    return qt_form_encode(
        {
            "operation": "upload_entire_database",
            "finalizing": "0",
            "pknameinfo": pknameinfo,
            "dbdata": dbdata,
        }
    )


def wire_seconds(body: bytes) -> float:
    """Body -> checked column values of every row, no database."""
    from copse.api.endpoint import decode_form
    from copse.schema.registry import TABLES
    from copse.sync.values import literal_row

    t0 = time.perf_counter()
    fields = decode_form([body], "", 10**9)
    pknames = json.loads(fields["pknameinfo"])
    dbdata = json.loads(fields["dbdata"])
    n = 0
    for table, rows in dbdata.items():
        info = TABLES[table]
        for r in rows:
            literal_row(info, r, pknames[table], 10**9)
            n += 1
    return time.perf_counter() - t0


_INDEX_TABLES = ("_task_index", "_idnum_index", "_patient_name_index")


def index_seconds(engine: sa.Engine, device_id: int) -> float:
    """Insert again (new keys) the index entries copse made for this device; then remove them."""
    from copse.schema.index_tables import idnum_index, patient_name_index, task_index
    from copse.schema.tables import CLIENT_TABLES

    patient = CLIENT_TABLES["patient"]
    with engine.connect() as conn:
        tasks = [
            dict(r)
            for r in conn.execute(
                sa.select(task_index).where(task_index.c.device_id == device_id)
            ).mappings()
        ]
        pks = sa.select(patient.c._pk).where(patient.c._device_id == device_id)
        idnums = [
            dict(r)
            for r in conn.execute(
                sa.select(idnum_index).where(idnum_index.c.patient_pk.in_(pks))
            ).mappings()
        ]
        names = [
            dict(r)
            for r in conn.execute(
                sa.select(patient_name_index).where(patient_name_index.c.patient_pk.in_(pks))
            ).mappings()
        ]
    offset = 10_000_000
    for r in tasks:
        del r["index_entry_pk"]
        r["task_pk"] += offset
    for r in idnums:
        r["idnum_pk"] += offset
    for r in names:
        r["patient_pk"] += offset
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for table, rows in (
            (task_index, tasks),
            (idnum_index, idnums),
            (patient_name_index, names),
        ):
            if rows:
                conn.execute(table.insert(), rows)
    elapsed = time.perf_counter() - t0
    with engine.begin() as conn:
        conn.execute(sa.delete(task_index).where(task_index.c.task_pk >= offset))
        conn.execute(sa.delete(idnum_index).where(idnum_index.c.idnum_pk >= offset))
        conn.execute(sa.delete(patient_name_index).where(patient_name_index.c.patient_pk >= offset))
    return elapsed


def measure(backend: str, server_url: str, size: str, repeats: int, work: Path) -> dict[str, Any]:
    from copse.tasks.catalogue import all_tasks

    db = dbs.create(backend, server_url, work)
    try:
        api = in_process_api(db)
        all_tasks()  # as a server does at start-up
        out: dict[str, list[float]] = {"copse": [], "raw": [], "wire": [], "index": []}
        rows = 0
        for i in range(repeats):
            data: TabletData = generate(SIZES[size], seed=1, first_patient=100_000 * (i + 1))
            tab = InProcessTablet(api, "admin", ADMIN_PASSWORD, data, device=f"floor-{i}")
            tab.register()
            rows = data.n_rows
            body = _body(tab)
            out["wire"].append(wire_seconds(body))
            tm = tab.upload("copy", onestep=True)
            out["copse"].append(tm.per_op["upload_entire_database"])
            with db.engine.connect() as conn:
                device_id = int(
                    conn.execute(
                        sa.text("SELECT id FROM _security_devices WHERE name = :n"),
                        {"n": tab.device},
                    ).scalar_one()
                )
            out["index"].append(index_seconds(db.engine, device_id))
            out["raw"].append(raw_insert(db.engine, data, tab.device))
        med = {k: statistics.median(v) for k, v in out.items()}
        floor = med["raw"] + med["wire"] + med["index"]
        return {
            "backend": backend,
            "size": size,
            "rows": rows,
            **{f"{k}_s": v for k, v in med.items()},
            "floor_s": floor,
            "copse_ratio": med["copse"] / med["raw"],
            "floor_ratio": floor / med["raw"],
        }
    finally:
        dbs.drop(db)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", default="sqlite,postgresql,mysql")
    ap.add_argument("--size", default="10k", choices=sorted(SIZES))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    cols = ("backend", "rows", "copse s", "raw s", "wire s", "index s", "floor s")
    print("| " + " | ".join(cols) + " | copse / raw | floor / raw |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            url = os.environ.get(
                f"COPSE_BENCH_{'PG' if backend == 'postgresql' else 'MYSQL'}_URL",
                dbs.DEFAULT_URLS.get(backend, ""),
            )
            if backend != "sqlite" and dbs.available(backend, url):
                print(f"| {backend} | (server not reachable) |")
                continue
            r = measure(backend, url, args.size, args.repeats, Path(tmp))
            print(
                f"| {backend} | {r['rows']} | {r['copse_s']:.3f} | {r['raw_s']:.3f} | "
                f"{r['wire_s']:.3f} | {r['index_s']:.3f} | {r['floor_s']:.3f} | "
                f"{r['copse_ratio']:.1f}x | {r['floor_ratio']:.1f}x |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
