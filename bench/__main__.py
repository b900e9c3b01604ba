"""``python -m bench``: run the benchmarks and write bench/RESULTS.md.

    python -m bench                 # default run (SQLite, PostgreSQL, MariaDB if reachable)
    python -m bench --smoke --out DIR   # seconds; SQLite only; what CI runs
    python -m bench --full          # adds the large tablet (100,000 task rows, 500 photos)
    python -m bench profile [--backend B] [--size S] [--stepwise] [--phase P]
    python -m bench render          # re-render RESULTS.md from results.json (after NOTES.md edits)

Database servers: ``--pg-url`` / ``--mysql-url`` (or ``COPSE_BENCH_PG_URL`` /
``COPSE_BENCH_MYSQL_URL``); defaults postgres@127.0.0.1:5432 and
root@127.0.0.1:3306.  The bench creates and drops its own databases there.
A backend that does not answer is skipped and reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import dbs, everyday, scenarios
from bench.datagen import SIZES
from bench.report import render

HERE = Path(__file__).resolve().parent


def _plan(mode: str) -> dict[str, Any]:
    if mode == "smoke":
        return dict(
            backends=["sqlite"],
            life_sizes=["tiny"],
            conc_size="tiny",
            devices=[1, 3],
            workers={"sqlite": [1]},
            rows=[100],
            blobs=[1],
            iso_size="tiny",
            iso_other=200,
            iso_eras=1,
            iso_repeats=1,
            everyday=dict(sizes=["1k"], repeats=1, requests=10, cycles=1),
        )
    plan = dict(
        backends=["sqlite", "postgresql", "mysql"],
        life_sizes=["2mb", "10k"],
        conc_size="2mb",
        devices=[1, 10, 50],
        workers={"sqlite": [1, 4], "postgresql": [1, 4], "mysql": [1, 4]},
        rows=[1000, 5000, 20000],
        blobs=[0, 12.5, 25, 37.5],
        iso_size="2mb",
        iso_other=20000,
        iso_eras=5,
        iso_repeats=3,
        # Issue 21's tablets: the no-change medians of repeats x cycles
        # conversations, first / 1% / move medians of one per cycle.
        everyday=dict(sizes=["1k", "6k"], repeats=7, requests=300, cycles=3),
    )
    if mode == "full":
        plan["life_sizes"] = ["2mb", "10k", "large"]
        plan["rows"] = [1000, 5000, 20000, 100000]
    return plan


def run(args: argparse.Namespace) -> int:
    mode = "smoke" if args.smoke else "full" if args.full else "default"
    plan = _plan(mode)
    if args.backends:
        plan["backends"] = args.backends.split(",")
    urls = {"postgresql": args.pg_url, "mysql": args.mysql_url}
    out_dir = Path(args.out) if args.out else HERE
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="copse-bench-"))
    t_start = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t_start:7.1f}s] {msg}", flush=True)

    env = scenarios.Env(work, urls, log, seed=args.seed)
    records: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    try:
        for backend in plan["backends"]:
            why = dbs.available(backend, urls.get(backend, ""))
            if why:
                skipped[backend] = why
                log(f"{backend}: skipped ({why})")
                continue
            log(f"{backend}: lifecycle")
            records += scenarios.lifecycle(env, backend, [SIZES[s] for s in plan["life_sizes"]])
            log(f"{backend}: concurrency")
            records += scenarios.concurrency(
                env,
                backend,
                SIZES[plan["conc_size"]],
                plan["devices"],
                plan["workers"].get(backend, [1]),
            )
            if backend != "mysql" or mode == "full":
                log(f"{backend}: scaling")
                records += scenarios.scaling_rows(env, backend, plan["rows"])
                records += scenarios.scaling_blobs(env, backend, plan["blobs"])
                log(f"{backend}: isolation")
                records += scenarios.isolation(
                    env,
                    backend,
                    SIZES[plan["iso_size"]],
                    plan["iso_other"],
                    plan["iso_eras"],
                    plan["iso_repeats"],
                )
            log(f"{backend}: everyday uploads")
            res = everyday.measure(env, backend, {"this": {}}, **plan["everyday"])
            records += everyday.as_records(backend, res)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - t_start
    meta = {
        "mode": mode,
        "seed": args.seed,
        "elapsed_s": elapsed,
        "skipped": skipped,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "command": "python -m bench"
        + (" --smoke" if mode == "smoke" else " --full" if mode == "full" else ""),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    # The import figures come from their own command (python -m bench import-camcops): kept.
    old = out_dir / "results.json"
    if old.exists():
        before = json.loads(old.read_text())
        records += [r for r in before["records"] if r.get("group") == "camcops_import"]
        if "camcops_import" in before["meta"]:
            meta["camcops_import"] = before["meta"]["camcops_import"]
    (out_dir / "results.json").write_text(
        json.dumps({"meta": meta, "records": records}, indent=1, default=str)
    )
    notes = HERE / "NOTES.md"
    text = render(meta, records, notes.read_text() if notes.exists() else "")
    (out_dir / "RESULTS.md").write_text(text)
    log(f"wrote {out_dir / 'RESULTS.md'} ({len(records)} results)")
    return 0


def render_only(args: argparse.Namespace) -> int:
    out_dir = Path(args.out) if args.out else HERE
    data = json.loads((out_dir / "results.json").read_text())
    notes = HERE / "NOTES.md"
    (out_dir / "RESULTS.md").write_text(
        render(data["meta"], data["records"], notes.read_text() if notes.exists() else "")
    )
    print(f"re-rendered {out_dir / 'RESULTS.md'}")
    return 0


def profile(args: argparse.Namespace) -> int:
    from bench.profile import run_profile

    work = Path(tempfile.mkdtemp(prefix="copse-bench-prof-"))
    try:
        urls = {"postgresql": args.pg_url, "mysql": args.mysql_url, "sqlite": ""}
        path = run_profile(
            args.backend,
            urls[args.backend],
            args.size,
            not args.stepwise,
            args.phase,
            Path(args.out) if args.out else HERE / "profiles",
            work,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(path.read_text()[:200])
    print(f"profile written to {path} (and .html)")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "profile", "render", "import-camcops"],
    )
    p.add_argument("--smoke", action="store_true", help="a few seconds, SQLite only (CI)")
    p.add_argument("--full", action="store_true", help="also the large tablet (long)")
    p.add_argument("--backends", help="comma list of sqlite,postgresql,mysql")
    p.add_argument(
        "--pg-url", default=os.environ.get("COPSE_BENCH_PG_URL", dbs.DEFAULT_URLS["postgresql"])
    )
    p.add_argument(
        "--mysql-url", default=os.environ.get("COPSE_BENCH_MYSQL_URL", dbs.DEFAULT_URLS["mysql"])
    )
    p.add_argument("--out", help="folder for RESULTS.md and results.json (default: bench/)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--backend", default="sqlite", help="profile: the backend")
    p.add_argument("--size", default="10k", choices=sorted(SIZES), help="profile: the tablet size")
    p.add_argument("--stepwise", action="store_true", help="profile: stepwise instead of one-step")
    p.add_argument("--phase", default="first", choices=["first", "nochange", "change1", "move"])
    p.add_argument("--scale", type=int, default=10, help="import-camcops: fixture copies")
    p.add_argument("--label", help="import-camcops: what the figures are of (e.g. before, after)")
    p.add_argument(
        "--jobs", type=int, default=1, help="import-camcops: the command's --jobs (index helper)"
    )
    args = p.parse_args(argv)
    if args.command == "render":
        return render_only(args)
    if args.command == "import-camcops":
        from bench.camcops_import import main as import_main

        return import_main(args)
    return profile(args) if args.command == "profile" else run(args)


if __name__ == "__main__":
    sys.exit(main())
