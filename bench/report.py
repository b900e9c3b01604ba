"""Render the benchmark records as bench/RESULTS.md."""

from __future__ import annotations

from typing import Any

from bench import report_everyday
from bench.markdown import table as md_table

Record = dict[str, Any]


def _f(v: Any, fmt: str = ".3f") -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return format(v, fmt)
    return str(v)


def _by(records: list[Record], group: str) -> list[Record]:
    return [r for r in records if r["group"] == group]


def _targets(records: list[Record]) -> str:
    rows: list[list[Any]] = []
    # 1. first uploads of 10,000+ rows: <= 3x raw
    firsts = [
        r
        for r in records
        if r["group"] in ("lifecycle", "scaling-rows")
        and r["scenario"].startswith("first upload")
        and (r.get("task_rows") or 0) >= 10_000
    ]
    for r in firsts:
        rows.append(
            [
                "first upload <= 3x raw bulk insert (10,000+ rows)",
                f"{r['backend']}, {r['method']}, {r['task_rows']} task rows",
                f"{r['ratio']:.1f}x ({r['time_s']:.2f} s vs {r['raw_s']:.2f} s)",
                "met" if r["ratio"] <= 3 else "not met",
            ]
        )
    # 2. no-change re-upload of a 2 MB tablet < 0.3 s
    for r in records:
        if (
            r["group"] == "lifecycle"
            and r.get("size") == "2mb"
            and r["scenario"] == "re-upload, no change"
        ):
            rows.append(
                [
                    "no-change re-upload of a 2 MB tablet < 0.3 s",
                    f"{r['backend']}, {r['method']}",
                    f"{r['time_s']:.3f} s",
                    "met" if r["time_s"] < 0.3 else "not met",
                ]
            )
    # 3. 50 devices on PostgreSQL, 4 workers
    conc = [
        r
        for r in records
        if r["group"] == "concurrency"
        and r["backend"] == "postgresql"
        and r["devices"]
        == max((x["devices"] for x in records if x["group"] == "concurrency"), default=0)
    ]
    w1 = next((r for r in conc if r["workers"] == 1), None)
    w4 = next((r for r in conc if r["workers"] == 4), None)
    if w4:
        scale = (w4["uploads_per_s"] / w1["uploads_per_s"]) if w1 else None
        rows.append(
            [
                f"{w4['devices']} devices at once, PostgreSQL, 4 workers: zero errors",
                "postgresql",
                f"{w4['errors']} errors",
                "met" if w4["errors"] == 0 else "not met",
            ]
        )
        rows.append(
            [
                "... and throughput scales with workers",
                "postgresql",
                f"{w4['uploads_per_s']:.1f} vs {w1['uploads_per_s']:.1f} uploads/s with 1 worker "
                f"({_f(scale, '.2f')}x)"
                if w1
                else f"{w4['uploads_per_s']:.1f} uploads/s",
                "met" if scale and scale > 1.1 else "not met",
            ]
        )
    # 4. peak memory for the biggest one-step body < 5x body
    for backend in sorted({r["backend"] for r in _by(records, "scaling-blobs")}):
        pts = [r for r in _by(records, "scaling-blobs") if r["backend"] == backend]
        big = max(pts, key=lambda r: r["max_body_mb"])
        rows.append(
            [
                f"peak server memory for a {big['max_body_mb']:.0f} MB one-step upload < 5x body",
                backend,
                f"{big['peak_rss_mb']:.0f} MB = {big['peak_over_body']:.1f}x body "
                f"(growth over idle {big['growth_over_body']:.1f}x)",
                "met" if big["peak_over_body"] < 5 else "not met",
            ]
        )
    return md_table(["target", "where", "measured", "status"], rows)


def render(meta: dict[str, Any], records: list[Record], notes: str) -> str:
    parts = [
        "# copse benchmark results\n",
        f"Produced by `{meta['command']}` on {meta['date']} "
        f"({meta['machine']}, Python {meta['python']}), "
        f"seed {meta['seed']}, in {meta['elapsed_s'] / 60:.1f} min.  "
        "Do not edit by hand: re-run the "
        "command (the hand-written part at the end comes from `bench/NOTES.md`).\n",
        "**Read the ratios, not the absolute times.**  The machine has 2 cores and other test "
        "suites were running at the same time, so absolute times are noisy; the baseline (raw "
        "bulk insert of the same rows into the same database, one transaction, `executemany`) is "
        "measured in the same run, next to each scenario, so the ratios are what carry across "
        "machines and runs.\n",
        "*time* is server time: the sum of the HTTP round trips of the upload phase "
        "(`upload_entire_database`, or `start_upload` ... `end_upload`) over loopback, with "
        "request bodies built before the clock starts; *conversation* adds the client's "
        "preliminary calls "
        "(`check_device_registered`, ..., `get_allowed_tables`, with one bcrypt login).  "
        "*peak RSS* is the serving process's VmHWM, reset before each scenario.\n",
    ]
    if meta.get("skipped"):
        parts.append(
            "Skipped backends: "
            + "; ".join(f"{k} ({v})" for k, v in meta["skipped"].items())
            + "\n"
        )
    parts += ["## Targets\n", _targets(records)]
    parts += report_everyday.section(records)

    life = _by(records, "lifecycle")
    if life:
        parts.append("## Upload scenarios (one device, real client call sequences)\n")
        parts.append(
            md_table(
                [
                    "backend",
                    "tablet",
                    "method",
                    "scenario",
                    "time s",
                    "raw s",
                    "ratio",
                    "conversation s",
                    "requests",
                    "body MB",
                    "peak RSS MB",
                ],
                [
                    [
                        r["backend"],
                        f"{r['size']} ({r['rows']} rows, {r['blob_mb']:.1f} MB photos)",
                        r["method"],
                        r["scenario"],
                        _f(r["time_s"]),
                        _f(r["raw_s"]),
                        _f(r["ratio"], ".1f"),
                        _f(r["conversation_s"]),
                        r["requests"],
                        _f(r["body_mb"], ".1f"),
                        _f(r["peak_rss_mb"], ".0f"),
                    ]
                    for r in life
                ],
            )
        )
    conc = _by(records, "concurrency")
    if conc:
        parts.append("## Many devices at once\n")
        parts.append(
            "Each device uploads its own tablet (one-step copy, as the real client does for a "
            "tablet under 2 MB), all released together by a barrier; *time* is wall time for "
            "all of them; *ratio* is that over N x the raw insert of one tablet.\n"
        )
        parts.append(
            md_table(
                [
                    "backend",
                    "scenario",
                    "tablet",
                    "wall s",
                    "ratio",
                    "errors",
                    "uploads/s",
                    "rows/s",
                    "median upload s",
                    "peak RSS MB (max per worker)",
                ],
                [
                    [
                        r["backend"],
                        r["scenario"],
                        r["size"],
                        _f(r["time_s"]),
                        _f(r["ratio"], ".1f"),
                        r["errors"],
                        _f(r["uploads_per_s"], ".2f"),
                        _f(r["rows_per_s"], ".0f"),
                        _f(r["median_upload_s"]),
                        _f(r["peak_rss_mb"], ".0f"),
                    ]
                    for r in conc
                ],
            )
        )
        errs = [e for r in conc for e in r.get("error_samples", [])]
        if errs:
            parts.append("Error samples: " + "; ".join(f"`{e}`" for e in errs[:5]) + "\n")
    sr = _by(records, "scaling-rows")
    if sr:
        parts.append("## Scaling with rows (no photos)\n")
        parts.append(
            md_table(
                [
                    "backend",
                    "method",
                    "task rows",
                    "rows",
                    "scenario",
                    "time s",
                    "µs/row",
                    "raw s",
                    "ratio",
                    "peak RSS MB",
                ],
                [
                    [
                        r["backend"],
                        r["method"],
                        r["task_rows"],
                        r["rows"],
                        r["scenario"],
                        _f(r["time_s"]),
                        _f(1e6 * r["time_s"] / r["rows"], ".0f"),
                        _f(r["raw_s"]),
                        _f(r["ratio"], ".1f"),
                        _f(r["peak_rss_mb"], ".0f"),
                    ]
                    for r in sr
                ],
            )
        )
    sb = _by(records, "scaling-blobs")
    if sb:
        parts.append("## Scaling with BLOB bytes (one-step, fresh server per point)\n")
        parts.append(
            md_table(
                [
                    "backend",
                    "photos MB",
                    "body MB",
                    "time s",
                    "raw s",
                    "ratio",
                    "idle RSS MB",
                    "peak RSS MB",
                    "peak / body",
                    "(peak - idle) / body",
                ],
                [
                    [
                        r["backend"],
                        _f(r["blob_mb"], ".1f"),
                        _f(r["max_body_mb"], ".1f"),
                        _f(r["time_s"]),
                        _f(r["raw_s"]),
                        _f(r["ratio"], ".1f"),
                        _f(r["idle_rss_mb"], ".0f"),
                        _f(r["peak_rss_mb"], ".0f"),
                        _f(r["peak_over_body"], ".1f"),
                        _f(r["growth_over_body"], ".1f"),
                    ]
                    for r in sb
                ],
            )
        )
    iso = _by(records, "isolation")
    if iso:
        parts.append("## No-change re-upload vs rows stored elsewhere\n")
        parts.append(
            "The same tablet's no-change re-upload (median of repeats), alone, then after another "
            "device stored many rows, then after this device moved several older eras off. "
            "The cost should follow the rows uploaded, not the rows stored.\n"
        )
        parts.append(
            md_table(
                [
                    "backend",
                    "method",
                    "tablet rows",
                    "rows stored on server",
                    "situation",
                    "time s",
                    "raw s",
                    "ratio",
                    "peak RSS MB",
                ],
                [
                    [
                        r["backend"],
                        r["method"],
                        r["rows"],
                        r["stored_rows"],
                        r["scenario"],
                        _f(r["time_s"]),
                        _f(r["raw_s"]),
                        _f(r["ratio"], ".1f"),
                        _f(r["peak_rss_mb"], ".0f"),
                    ]
                    for r in iso
                ],
            )
        )
    imp = _by(records, "camcops_import")
    if imp:
        when = meta.get("camcops_import", {})
        parts.append("## Importing a CamCOPS database (`copse import-camcops`)\n")
        parts.append(
            "`python -m bench import-camcops --scale N [--label L]` (last: "
            f"`{when.get('command', 'python -m bench import-camcops')}` on "
            f"{when.get('date', '?')}): the CamCOPS 2.4.24 fixture in MariaDB, its client tables "
            "copied *scale* times (each copy with its own devices), imported by the real "
            "command into a fresh copse database; *code* = the label of the run (which code; "
            "*older*: before issue 19's speed work, copies sharing the fixture's devices). "
            "*whole* = copy + index rebuild + row-by-row verification; *verify* = a "
            "`--verify-only` run (rows compared, index checked); *copy / index / check s* = "
            "the command's own times of its phases (printed since the import-speed work); "
            "copy rate = rows / copy s (where not printed: rows / (whole - verify)). "
            "*peak RSS* = the command's maximum resident memory; *with helpers* = the highest "
            "sum of the command's and its helper processes' resident memory, sampled every "
            "0.1 s (recorded since the index helper). *jobs* = the command's `--jobs` (2: a "
            "helper process computes index entries too). *again* = a re-run with nothing new.\n"
        )
        parts.append(
            md_table(
                [
                    "code",
                    "date",
                    "backend",
                    "scale",
                    "jobs",
                    "rows",
                    "task rows",
                    "BLOB MB",
                    "whole s",
                    "verify s",
                    "copy / index / check s",
                    "copy rows/s",
                    "whole rows/s",
                    "peak RSS MB",
                    "with helpers MB",
                    "again s",
                ],
                [
                    [
                        r.get("label", ""),
                        r.get("date", when.get("date", "?")),
                        r["backend"],
                        r["scale"],
                        r.get("jobs", 1),
                        r["rows"],
                        r.get("task_rows", ""),
                        _f(r["blob_mb"], ".1f"),
                        _f(r["whole_s"], ".1f"),
                        _f(r["verify_s"], ".1f"),
                        " / ".join(_f(r[k], ".1f") for k in ("copy_s", "index_s", "check_s"))
                        if "copy_s" in r
                        else "",
                        _f(r["copy_rows_per_s"], ".0f"),
                        _f(r["whole_rows_per_s"], ".0f"),
                        _f(r["peak_rss_mb"], ".0f"),
                        _f(r["tree_peak_rss_mb"], ".0f") if "tree_peak_rss_mb" in r else "",
                        _f(r["again_s"], ".1f"),
                    ]
                    for r in sorted(imp, key=lambda r: (r["scale"], r.get("label", "")))
                ],
            )
        )
    if notes:
        parts.append(notes.strip() + "\n")
    return "\n".join(parts)
