"""``python -m bench import-camcops``: how fast ``copse import-camcops`` copies a CamCOPS database.

The source is the CamCOPS 2.4.24 fixture (``../shared/fixtures/camcops-2.4.24``)
loaded into MariaDB, its client tables optionally multiplied ``--scale`` times
(each copy of a row gets a new ``_pk``; BLOBs are copied too).  Each backend gets a
fresh copse database; the real command runs as a child process and is timed
whole (copy + index rebuild + verification); a ``--verify-only`` run is timed
separately, so the copy's own rate is (whole - verify).  Peak memory is the
child's maximum RSS (``wait4``), and the highest sum of the child's and its
helper processes' (the index entries' helper) RSS, sampled every 0.1 s.  A
re-run with nothing new is timed too.

The issue's target (1,000,000 task rows and 1 GB of BLOBs, >= 20,000 rows/s into
PostgreSQL, < 300 MB) needs ``--scale`` in the hundreds: hours on this machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import dbs
from bench.report import render
from copse.db.engine import make_engine, normalise_url
from copse.schema.registry import TABLES

HERE = Path(__file__).resolve().parent
FIXTURE = Path(os.environ.get("COPSE_CAMCOPS_FIXTURE", "/work/shared/fixtures/camcops-2.4.24"))
GROUP = "camcops_import"
#: How the copies of a client row differ from the original (see ``_multiply``).
CLIENT_SHIFTS = {
    "_pk": "_pk + {shift}",
    "_device_id": "_device_id + {dev_shift}",
    "_predecessor_pk": "_predecessor_pk + {shift}",
    "_successor_pk": "_successor_pk + {shift}",
}


def _multiply(
    conn: sa.Connection,
    table: str,
    key: str,
    top: int,
    scale: int,
    shifted: dict[str, str],
    devices: int,
) -> None:
    """Make ``scale`` copies of a table's rows; copy k has ``key + k * top``.

    Doubling: copies 0..n-1 give n..2n-1 in one statement (then the remainder),
    so a large scale takes a few statements; each is committed on its own (a
    large scale is GBs of BLOBs).  ``shifted``: column -> SQL of its value in the
    new copies, with ``{shift}`` (key offset) and ``{dev_shift}`` (device offset).
    """
    cols = [
        str(c)
        for c in conn.execute(
            sa.text(
                "SELECT column_name FROM information_schema.columns WHERE "
                "table_schema = DATABASE() AND table_name = :t ORDER BY ordinal_position"
            ),
            {"t": table},
        ).scalars()
    ]
    names = ", ".join(f"`{c}`" for c in cols)
    have = 1
    while have < scale:
        more = min(have, scale - have)
        values = ", ".join(
            shifted[c].format(shift=have * top, dev_shift=have * devices)
            if c in shifted
            else f"`{c}`"
            for c in cols
        )
        conn.exec_driver_sql(
            f"INSERT INTO `{table}` ({names}) SELECT {values} FROM `{table}` "
            f"WHERE `{key}` <= {more * top}"
        )
        conn.commit()
        have += more


def _source(mysql_url: str, scale: int) -> tuple[str, int, int, int]:
    """A MariaDB database holding the fixture scaled up: (url, rows, task rows, BLOB bytes)."""
    name = f"copse_bench_src_{uuid.uuid4().hex[:8]}"
    server = normalise_url(mysql_url)
    admin = sa.create_engine(server._replace(database=None), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    admin.dispose()
    args = ["mariadb", "-h", server.host or "127.0.0.1", "-P", str(server.port or 3306)]
    args += ["-u", server.username or "root", name]
    env = dict(os.environ)
    if server.password:
        env["MYSQL_PWD"] = str(server.password)
    dump = (FIXTURE / "camcops_fixture.sql").read_bytes()
    subprocess.run(args, input=dump, env=env, check=True, capture_output=True)
    url = server.set(drivername="mysql", database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    rows = task_rows = 0
    with engine.connect() as conn:
        conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        devices = int(conn.exec_driver_sql("SELECT MAX(id) FROM _security_devices").scalar_one())
        # Each copy is uploaded by its own devices (copies of the fixture's, id + k *
        # devices), so every record has its own identity (device, era, client id) and
        # one current row, as in a real CamCOPS database.
        _multiply(
            conn,
            "_security_devices",
            "id",
            devices,
            scale,
            {
                "id": "id + {shift}",
                "name": "CONCAT(SUBSTRING_INDEX(name, '~', 1), '~', id + {shift})",
            },
            devices,
        )
        for table in TABLES:
            top = conn.exec_driver_sql(f"SELECT MAX(_pk) FROM `{table}`").scalar_one()
            if top is None:
                continue
            _multiply(conn, table, "_pk", int(top), scale, CLIENT_SHIFTS, devices)
        for table, info in TABLES.items():
            n = int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM `{table}`").scalar_one())
            rows += n
            task_rows += n if info.is_task else 0
        blob_bytes = int(
            conn.exec_driver_sql("SELECT COALESCE(SUM(LENGTH(theblob)), 0) FROM blobs").scalar_one()
        )
    engine.dispose()
    return url, rows, task_rows, blob_bytes


def _drop_source(url: str) -> None:
    u = normalise_url(url)
    admin = sa.create_engine(u._replace(database=None), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{u.database}`")
    admin.dispose()


def _tree_rss_mb(root: int) -> float:
    """Resident size (MB) of ``root`` and every process below it, now."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21])
    tree = {root}
    grew = True
    while grew:
        more = {p for p, pp in parents.items() if pp in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(rss.get(p, 0) for p in tree) * os.sysconf("SC_PAGE_SIZE") / 2**20


class _TreeSampler(threading.Thread):
    """The highest resident size of a process and its helpers together, every 0.1 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.peak = max(self.peak, _tree_rss_mb(self.pid))


def _copse(db_url: str, *args: str) -> tuple[float, float, float, str]:
    """Run ``copse`` as a child: (seconds, peak RSS MB of the command, peak RSS MB of the
    command and its helper processes together, output); fails loudly on a non-zero exit."""
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "copse", "--db-url", db_url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    sampler = _TreeSampler(proc.pid)
    sampler.start()
    out = proc.stdout.read() if proc.stdout else b""
    sampler.done.set()
    sampler.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"copse {' '.join(args)} failed:\n{out.decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, sampler.peak, out.decode()


def _phases(output: str) -> dict[str, float]:
    """The command's own ``Time: copy X s, index rebuild Y s, verification Z s.`` line."""
    m = re.search(r"^Time: (.*)\.$", output, re.MULTILINE)
    if not m:
        return {}
    names = {"copy": "copy_s", "index rebuild": "index_s", "verification": "check_s"}
    out: dict[str, float] = {}
    for part in m.group(1).split(", "):
        name, _, value = part.rpartition(" ")[0].rpartition(" ")
        out[names.get(name, name)] = float(value)
    return out


def run_import_bench(
    backends: list[str],
    urls: dict[str, str],
    scale: int,
    work: Path,
    log: Any,
    label: str = "",
    jobs: int = 1,
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    log(f"source: fixture x{scale}")
    t0 = time.perf_counter()
    src, rows, task_rows, blob_bytes = _source(urls["mysql"], scale)
    log(
        f"source: {rows} rows ({task_rows} task rows), {blob_bytes / 1e6:.0f} MB of BLOBs "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    try:
        for backend in backends:
            why = dbs.available(backend, urls.get(backend, ""))
            if why:
                log(f"{backend}: skipped ({why})")
                continue
            db = dbs.create(backend, urls.get(backend, ""), work)
            try:
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DELETE FROM _idnum_definitions")
                log(f"{backend}: import of {rows} rows")
                jobs_args = ["--jobs", str(jobs)] if jobs != 1 else []
                whole, rss, tree, out = _copse(db.url, "import-camcops", *jobs_args, src)
                verify, _, _, _ = _copse(db.url, "import-camcops", "--verify-only", src)
                again, _, _, _ = _copse(db.url, "import-camcops", *jobs_args, src)
                phases = _phases(out)
                # The command's own copy time; (whole - verify) for commands without it.
                copy = phases.get("copy_s") or max(whole - verify, 1e-9)
                records.append(
                    {
                        "group": GROUP,
                        "label": label,
                        "date": time.strftime("%Y-%m-%d %H:%M"),
                        "backend": backend,
                        "scale": scale,
                        "jobs": jobs,
                        "rows": rows,
                        "task_rows": task_rows,
                        "blob_mb": blob_bytes / 1e6,
                        "whole_s": whole,
                        "verify_s": verify,
                        "copy_rows_per_s": rows / copy,
                        "whole_rows_per_s": rows / whole,
                        "peak_rss_mb": rss,
                        # The command and its helper processes together, sampled.
                        "tree_peak_rss_mb": tree,
                        "again_s": again,
                        **phases,
                    }
                )
                log(
                    f"{backend}: {whole:.1f} s whole, {verify:.1f} s verify, {rss:.0f} MB "
                    f"(with helpers: {tree:.0f} MB)"
                )
            finally:
                dbs.drop(db)
    finally:
        _drop_source(src)
    return records


def main(args: Any) -> int:
    """Add (replace) the import figures in results.json and re-render RESULTS.md."""
    work = Path(args.out) if args.out else HERE
    t0 = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t0:7.1f}s] {msg}", flush=True)

    urls = {"postgresql": args.pg_url, "mysql": args.mysql_url}
    backends = (args.backends or "sqlite,postgresql,mysql").split(",")
    label = args.label or ""
    records = run_import_bench(backends, urls, args.scale, work, log, label, args.jobs)
    results = work / "results.json"
    data = json.loads(results.read_text()) if results.exists() else {"meta": {}, "records": []}
    # A run replaces the figures of the same scale, label and backend; others are kept.
    done = {(r["scale"], r["label"], r["backend"]) for r in records}
    data["records"] = [
        r
        for r in data["records"]
        if r.get("group") != GROUP
        or (r.get("scale"), r.get("label", ""), r.get("backend")) not in done
    ] + records
    data["meta"]["camcops_import"] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "command": f"python -m bench import-camcops --scale {args.scale}"
        + (f" --jobs {args.jobs}" if args.jobs != 1 else "")
        + (f" --label {label}" if label else ""),
    }
    results.write_text(json.dumps(data, indent=1, default=str))
    notes = HERE / "NOTES.md"
    if data["meta"].get("command"):
        text = render(data["meta"], data["records"], notes.read_text() if notes.exists() else "")
        (work / "RESULTS.md").write_text(text)
    log(f"wrote {results}")
    return 0
