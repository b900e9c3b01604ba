"""The everyday-uploads part of bench/RESULTS.md (issue 21's targets, ``group == "everyday"``)."""

from __future__ import annotations

from typing import Any

from bench.markdown import table as md_table

Record = dict[str, Any]

#: Issue 21: p50 of one request for a registered device, in a live session (ms).
FIXED_TARGETS_MS = {
    "check_device_registered, in session": 2.0,
    "get_id_info, in session": 3.0,
}
#: Issue 21: whole conversations (ms), by (tablet, phase).
CONVERSATION_TARGETS_MS = {
    ("1k", "no change"): 60.0,
    ("6k", "no change"): 200.0,
    ("1k", "move (finalize all)"): 120.0,
    ("6k", "move (finalize all)"): 500.0,
}
#: Issue 21: a first upload within this multiple of the raw bulk insert.
FIRST_UPLOAD_RATIO = 2.0

BACKEND_ORDER = {"sqlite": 0, "postgresql": 1, "mysql": 2}


def _status(measured: float, limit: float) -> str:
    return "met" if measured <= limit else "not met"


def _key(r: Record) -> tuple[int, str, str]:
    return (BACKEND_ORDER.get(r["backend"], 9), r.get("size", ""), r.get("method", ""))


def targets(records: list[Record]) -> list[list[Any]]:
    """Rows of (target, where, measured, status) for issue 21."""
    ev = sorted((r for r in records if r["group"] == "everyday"), key=_key)
    rows: list[list[Any]] = []
    for r in ev:
        limit = FIXED_TARGETS_MS.get(r["scenario"]) if r["kind"] == "fixed" else None
        if limit is not None:
            rows.append(
                [
                    f"`{r['scenario'].split(',')[0]}` p50 <= {limit:g} ms",
                    r["backend"],
                    f"{r['p50_ms']:.2f} ms (p90 {r['p90_ms']:.2f})",
                    _status(r["p50_ms"], limit),
                ]
            )
    convs = [r for r in ev if r["kind"] == "conversation"]
    for r in convs:
        limit = CONVERSATION_TARGETS_MS.get((r["size"], r["phase"]))
        if limit is not None:
            rows.append(
                [
                    f"{r['phase']}, {r['rows']:,} rows, <= {limit:g} ms",
                    f"{r['backend']}, {r['method']}",
                    f"{r['conversation_ms']:.1f} ms (median of {r['n']})",
                    _status(r["conversation_ms"], limit),
                ]
            )
    same = {(r["backend"], r["size"], r["method"], r["phase"]): r for r in convs}
    for r in convs:
        base = same.get((r["backend"], r["size"], r["method"], "no change"))
        if r["phase"] != "1% changed" or base is None or not r.get("changed_rows"):
            continue
        extra = r["conversation_ms"] - base["conversation_ms"]
        rows.append(
            [
                "1% changed: no change + the changed rows",
                f"{r['backend']}, {r['method']}, {r['rows']:,} rows",
                f"{r['conversation_ms']:.1f} ms = {base['conversation_ms']:.1f} + "
                f"{extra:.1f} for {r['changed_rows']} rows (median of {r['n']})",
                "no number in the issue",
            ]
        )
    firsts = sorted(
        (
            r
            for r in records
            if r["group"] == "lifecycle"
            and r["scenario"].startswith("first upload")
            and r.get("raw_s")
            and r["rows"] >= 1_000
        ),
        key=_key,
    )
    for r in firsts:
        rows.append(
            [
                f"first upload <= {FIRST_UPLOAD_RATIO:g}x raw bulk insert",
                f"{r['backend']}, {r['method']}, {r['rows']:,} rows",
                f"{r['ratio']:.1f}x ({r['time_s']:.2f} s vs {r['raw_s']:.2f} s)",
                _status(r["ratio"], FIRST_UPLOAD_RATIO),
            ]
        )
    return rows


def section(records: list[Record]) -> list[str]:
    """The issue-21 targets and every everyday conversation, or nothing if not measured."""
    ev = sorted((r for r in records if r["group"] == "everyday"), key=_key)
    if not ev:
        return []
    parts = [
        "## Everyday uploads (issue 21)\n",
        "Whole conversations from the tablet's side (`check_device_registered` to the last "
        "upload request) through real HTTP, on a fresh server per backend; *no change* is the "
        "median of every re-upload, *first upload*, *1% changed* and *move* the median of one "
        "conversation per device (a new device per cycle; the earlier devices' rows stay). The "
        "first-upload target is read off the upload scenarios below (time against the raw bulk "
        "insert of the same rows); why it is below the floor: `bench/NOTES.md`, round twelve.\n",
        md_table(["target", "where", "measured", "status"], targets(records)),
    ]
    convs = [r for r in ev if r["kind"] == "conversation"]
    parts.append(
        md_table(
            [
                "backend",
                "tablet",
                "method",
                "phase",
                "median ms",
                "min ms",
                "n",
                "requests",
                "server CPU ms",
            ],
            [
                [
                    r["backend"],
                    f"{r['size']} ({r['rows']:,} rows)",
                    r["method"],
                    r["phase"],
                    f"{r['conversation_ms']:.1f}",
                    f"{r['min_ms']:.1f}",
                    r["n"],
                    r["requests"],
                    f"{r['server_cpu_median_ms']:.0f}",
                ]
                for r in convs
            ],
        )
    )
    return parts
