"""One-line summaries of long audit entries, for the audit and upload-history pages.

An upload's audit entry lists every table with every record number (the
reference's format, kept exactly for compatibility): useful when chasing a
record, unreadable as a history. The pages show the summary computed here,
e.g. "12 added, 3 modified in phq9 and 2 other tables", with the full entry
behind a disclosure. Entries of any other shape get no summary (None) and are
shown as they are.
"""

from __future__ import annotations

import re

_UPLOAD = re.compile(r"^Upload from device \d+, username .*: (?P<body>[^:]*)$", re.S)
_TABLE = re.compile(r"(?P<table>[A-Za-z0-9_]+) \((?P<parts>[^()]*)\)")
_COUNT = re.compile(r"(?P<n>\d+) (?P<what>added|modified out|deleted|preserved)\b")
_FINALIZE = re.compile(r"forcibly finalized \(PKs: (?P<body>.*)\)$", re.S)
_WORDS = {
    "added": "added",
    "modified out": "modified",
    "deleted": "deleted",
    "preserved": "finalized",
}


def _where(tables: list[str]) -> str:
    if not tables:
        return ""
    if len(tables) == 1:
        return f" in {tables[0]}"
    others = len(tables) - 1
    return f" in {tables[0]} and {others} other table{'s' if others > 1 else ''}"


def summarise(details: str | None) -> str | None:
    """A short line for a long upload or finalize entry; None for anything else."""
    if not details:
        return None
    m = _UPLOAD.match(details)
    if m:
        totals = dict.fromkeys(_WORDS, 0)
        per_table: dict[str, int] = {}
        for t in _TABLE.finditer(m.group("body")):
            for c in _COUNT.finditer(t.group("parts")):
                totals[c.group("what")] += int(c.group("n"))
                per_table[t.group("table")] = per_table.get(t.group("table"), 0) + int(c.group("n"))
        if not per_table:
            return "no changes" if "No changes" in m.group("body") else None
        counts = ", ".join(f"{n} {_WORDS[w]}" for w, n in totals.items() if n)
        busiest = sorted(per_table, key=lambda name: (-per_table[name], name))
        return counts + _where(busiest)
    m = _FINALIZE.search(details)
    if m:
        tables = re.findall(r"([A-Za-z0-9_]+) \[([^\]]*)\]", m.group("body"))
        sizes = {t: len([x for x in pks.split(",") if x.strip()]) for t, pks in tables}
        busiest = sorted((t for t in sizes if sizes[t]), key=lambda t: (-sizes[t], t))
        return f"{sum(sizes.values())} records forcibly finalized" + _where(busiest)
    return None
