"""A task's summaries as the task index stores them, and which code computed them.

Why stored: a research download of 100,000 tasks spent a fifth of its time
asking each task definition for its summaries again.  The index already
builds every current task's data when the task, its patient or a child row
changes (:mod:`copse.index.maintain`), so it computes the summaries then and
keeps them as JSON beside the completeness.  Why versioned: a change to any
scoring rule changes what the summaries should be, so each stored set
carries :data:`SUMMARIES_VERSION` (a digest of copse's version and this
package's source); one computed by other code is ignored by its readers, who
compute it again, until ``copse reindex`` refreshes it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from copse import __version__
from copse.tasks.base import TaskData, TaskDefinition

#: Longest JSON text stored (below MariaDB's 65,535-byte TEXT; UTF-8 is at most
#: 4 bytes a character): a longer set is not stored and is computed when read.
MAX_STORED_CHARS = 16_000


def _source_digest() -> str:
    """copse's version and the source of this package (where it is installed as source)."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


#: Which task definitions computed a stored set of summaries.
SUMMARIES_VERSION: str = _source_digest()


def summary_values(definition: TaskDefinition, data: TaskData) -> dict[str, Any]:
    """Every summary of one task by name: the standard ones first, then the
    definition's own; where two share a name, the first one counts."""
    out: dict[str, Any] = {}
    for s in [*definition.standard_summaries(data), *definition.summaries(data)]:
        out.setdefault(s.name, s.value)
    return out


#: Value types that come back from JSON as they went in.
_JSON_EXACT: frozenset[type] = frozenset({bool, int, float, str, type(None)})
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode(values: dict[str, Any]) -> str | None:
    """The JSON text stored, or None if these values cannot be stored exactly
    (an infinity or NaN, a type JSON lacks, or too long)."""
    if not all(type(v) in _JSON_EXACT for v in values.values()):
        return None
    try:
        text = _ENCODER.encode(values)
    except ValueError:  # an infinity or NaN
        return None
    return text if len(text) <= MAX_STORED_CHARS else None


def decode(text: str) -> dict[str, Any]:
    values: dict[str, Any] = json.loads(text)
    return values
