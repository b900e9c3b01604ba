"""Research downloads at scale: task rows per second and the server's peak memory.

    python -m bench.export_speed                         # PostgreSQL, 25,000 and 100,000 task rows
    python -m bench.export_speed --backend sqlite --sizes 2000,8000 --out DIR   # quick

Each size gets a fresh database filled directly in bulk (no uploads needed),
then its task index built as the uploads would have built it:
one device, a patient per 20 tasks (with an NHS number), half the task rows
PHQ-9s and half ICD-10 diagnoses with one ancillary item each, plus 200
``photo`` tasks with a 20 KB photo BLOB each.  A real ``copse serve``
process runs each download as a background job (``download_background_rows
= 0``), asked for through the web form over HTTP, with photos included;
*time* is the job's own (``finished - started`` in ``_download_jobs``),
*peak RSS* the serving process's VmHWM, reset before each download, next to
its RSS when idle; a download of 20,000 task rows or more is written by a
second process, whose own peak (as the server logs it) is the last column.
The file is fetched and its size reported.  Writes ``export_speed.json``
and prints a Markdown table (copied into bench/NOTES.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench import dbs
from bench.server import Server
from copse.accounts.users import create_user
from copse.index.rebuild import reindex_all
from copse.schema.tables import CLIENT_TABLES, devices, download_jobs, groups

FORMATS = ("csv", "sqlite", "xlsx")
PHOTOS = 200
PHOTO_BYTES = 20_000
CHUNK = 5000
PASSWORD = "bench-export-password"
BATCH = datetime(2024, 3, 1, 12, 0, 0)


def _server_cols(device: int, group: int, user: int) -> dict[str, Any]:
    return {
        "_device_id": device,
        "_era": "NOW",
        "_current": True,
        "_group_id": group,
        "_when_added_exact": "2024-03-01T12:00:00.000000+00:00",
        "_when_added_batch_utc": BATCH,
        "_adding_user_id": user,
        "_addition_pending": False,
        "_removal_pending": False,
        "_camcops_version": "2.4.24",
        "when_last_modified": "2024-03-01T11:00:00.000+00:00",
    }


def _insert(conn: sa.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        conn.execute(sa.insert(CLIENT_TABLES[table]), rows[i : i + CHUNK])


def fill(engine: sa.Engine, task_rows: int) -> None:
    """``task_rows`` task rows (plus photos, patients, ancillary rows), in bulk."""
    with engine.begin() as conn:
        gid = int(conn.execute(sa.insert(groups).values(name="bench")).inserted_primary_key[0])  # type: ignore[index]
        uid = create_user(
            conn, "bench", PASSWORD, superuser=True, upload_group_id=gid, bcrypt_rounds=4
        )
        dev = int(
            conn.execute(
                sa.insert(devices).values(name="bench-dev", registered_by_user_id=uid)
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        s = _server_cols(dev, gid, uid)
        n_patients = max(1, task_rows // 20)
        _insert(
            conn,
            "patient",
            [
                {
                    **s,
                    "id": p,
                    "forename": f"F{p}",
                    "surname": f"S{p}",
                    "dob": "1970-01-01",
                    "sex": "F",
                }
                for p in range(1, n_patients + 1)
            ],
        )
        _insert(
            conn,
            "patient_idnum",
            [
                {**s, "id": p, "patient_id": p, "which_idnum": 1, "idnum_value": 9_000_000_000 + p}
                for p in range(1, n_patients + 1)
            ],
        )
        half = task_rows // 2
        created = "2024-02-01T10:00:00.000+00:00"
        _insert(
            conn,
            "phq9",
            [
                {
                    **s,
                    "id": i,
                    "patient_id": 1 + i % n_patients,
                    "when_created": created,
                    **{f"q{q}": (i + q) % 4 for q in range(1, 11)},
                }
                for i in range(1, half + 1)
            ],
        )
        _insert(
            conn,
            "diagnosis_icd10",
            [
                {**s, "id": i, "patient_id": 1 + i % n_patients, "when_created": created}
                for i in range(1, task_rows - half + 1)
            ],
        )
        _insert(
            conn,
            "diagnosis_icd10_item",
            [
                {
                    **s,
                    "id": i,
                    "diagnosis_icd10_id": i,
                    "seqnum": 1,
                    "code": "F32.1",
                    "description": "Moderate depressive episode",
                }
                for i in range(1, task_rows - half + 1)
            ],
        )
        blob = os.urandom(PHOTO_BYTES)
        _insert(
            conn,
            "blobs",
            [
                {
                    **s,
                    "id": i,
                    "tablename": "photo",
                    "tablepk": i,
                    "fieldname": "photo_blobid",
                    "mimetype": "image/jpeg",
                    "theblob": blob,
                }
                for i in range(1, PHOTOS + 1)
            ],
        )
        _insert(
            conn,
            "photo",
            [
                {
                    **s,
                    "id": i,
                    "patient_id": 1 + i % n_patients,
                    "when_created": created,
                    "photo_blobid": i,
                    "description": "bench",
                }
                for i in range(1, PHOTOS + 1)
            ],
        )


def _login(base: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=600)
    token = re.search(r'name="csrf_token" value="([^"]*)"', c.get("/login").text)
    assert token
    r = c.post(
        "/login",
        data={
            "username": "bench",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/tasks",
        },
    )
    assert r.status_code == 303, r.text[:500]
    return c


def _job_times(engine: sa.Engine, job_id: int) -> tuple[str, float | None, int]:
    with engine.connect() as conn:
        row = conn.execute(sa.select(download_jobs).where(download_jobs.c.id == job_id)).one()
    secs = None
    if row.started_utc and row.finished_utc:
        secs = (row.finished_utc - row.started_utc).total_seconds()
    return str(row.state), secs, int(row.progress_rows)


def _run_job(
    client: httpx.Client, engine: sa.Engine, fmt: str, extra: dict[str, str]
) -> tuple[int, str, float | None, int]:
    """Ask for a download through the web form; wait for its job to end (polling the DB)."""
    token = re.search(r'name="csrf_token" value="([^"]*)"', client.get("/downloads/new").text)
    assert token
    r = client.post("/downloads/new", data={"csrf_token": token.group(1), "format": fmt, **extra})
    assert r.status_code == 303, r.text[:2000]
    job_id = int(r.headers["location"].rsplit("=", 1)[1])
    while True:
        state, secs, done = _job_times(engine, job_id)
        if state in ("done", "failed"):
            return job_id, state, secs, done
        time.sleep(0.2)


def measure(backend: str, url: str, sizes: list[int], work: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for size in sizes:
        db = dbs.create(backend, url, work)
        try:
            t0 = time.perf_counter()
            fill(db.engine, size)
            # The task index (with its stored summaries), as the uploads would have built it.
            with db.engine.begin() as conn:
                reindex_all(conn, datetime.now(UTC).replace(tzinfo=None))
            fill_s = time.perf_counter() - t0
            server = Server(
                db.url,
                work / f"server-{backend}-{size}.log",
                extra_env={
                    "COPSE_SECRET_KEY": secrets.token_urlsafe(48),
                    "COPSE_ALLOW_INSECURE_COOKIES": "1",
                    "COPSE_DATA_DIR": str(work / f"data-{backend}-{size}"),
                    "COPSE_DOWNLOAD_BACKGROUND_ROWS": "0",
                    "COPSE_DOWNLOAD_POLL_SECONDS": "0.05",
                    # INFO: the server logs the writer process's peak RSS.
                    "COPSE_LOG_LEVEL": "INFO",
                },
            )
            server.start()
            try:
                base = server.api_url.removesuffix("/api")
                client = _login(base)
                # Warm-up (imports, first connections): one small download, not recorded.
                _run_job(client, db.engine, "sqlite", {"task_type": "photo"})
                for fmt in FORMATS:
                    idle = server.rss_mb()
                    server.reset_peak()
                    job_id, state, secs, done = _run_job(client, db.engine, fmt, {"blobs": "1"})
                    peak = server.peak_rss_mb()
                    writer = _writer_peak(server.log_path, job_id)
                    assert state == "done", f"{fmt}: job {state}"
                    got = client.get(f"/downloads/{job_id}/file")
                    assert got.status_code == 200
                    rec = {
                        "backend": backend,
                        "format": fmt,
                        "task_rows": done,
                        "seconds": secs,
                        "rows_per_s": done / secs if secs else None,
                        "file_mb": len(got.content) / 1e6,
                        "idle_rss_mb": idle,
                        "peak_rss_mb": peak,
                        "growth_mb": peak - idle,
                        "writer_peak_mb": writer,
                        "fill_s": fill_s,
                        "generated_task_rows": size + PHOTOS,
                    }
                    out.append(rec)
                    print(json.dumps(rec), flush=True)
                client.close()
            finally:
                server.stop()
        finally:
            dbs.drop(db)
    return out


def _writer_peak(log_path: Path, job_id: int) -> float | None:
    """The writer process's peak RSS for this job, as the server logged it (None: none ran)."""
    pattern = re.compile(
        rf"Download job {job_id}: file written by a second process "
        r"\(peak RSS (\d+) MB\)"
    )
    found = pattern.findall(log_path.read_text(errors="replace"))
    return float(found[-1]) if found else None


def table(records: list[dict[str, Any]]) -> str:
    lines = [
        "| backend | format | task rows | time s | task rows/s | file MB | idle RSS MB "
        "| peak RSS MB | growth MB | writer process peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        w = r.get("writer_peak_mb")
        writer = "-" if w is None else f"{w:.0f}"
        lines.append(
            f"| {r['backend']} | {r['format']} | {r['task_rows']} | {r['seconds']:.2f} "
            f"| {r['rows_per_s']:.0f} | {r['file_mb']:.1f} | {r['idle_rss_mb']:.0f} "
            f"| {r['peak_rss_mb']:.0f} | {r['growth_mb']:.0f} | {writer} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="postgresql", choices=("sqlite", "postgresql", "mysql"))
    ap.add_argument("--url", default="", help="database server URL (PostgreSQL/MariaDB)")
    ap.add_argument("--sizes", default="25000,100000", help="task rows, comma-separated")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()
    url = args.url or os.environ.get(
        f"COPSE_BENCH_{'PG' if args.backend == 'postgresql' else 'MYSQL'}_URL",
        dbs.DEFAULT_URLS.get(args.backend, ""),
    )
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="copse-export-bench-") as tmp:
        records = measure(args.backend, url, sizes, Path(tmp))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "export_speed.json").write_text(json.dumps(records, indent=1))
    print(table(records))


if __name__ == "__main__":
    main()
