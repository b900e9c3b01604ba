"""Helpers shared by the task-catalogue tests (imported by module name)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from copse.schema.registry import TABLES
from copse.tasks.base import BlobInfo, Summary, TaskData

XSS = '<script>alert("x")</script>'


def td(row: Mapping[str, Any] | None = None, **kw: Any) -> TaskData:
    """A TaskData from a row dict and/or keyword columns."""
    return TaskData(row={**(row or {}), **kw})


def items(prefix: str, first: int, last: int, value: Any) -> dict[str, Any]:
    """``{prefix1: value, ..., prefixN: value}``."""
    return {f"{prefix}{n}": value for n in range(first, last + 1)}


def fill(names: Sequence[str], total: int, hi: int, lo: int = 0) -> dict[str, int]:
    """Answers for ``names`` (each lo..hi) that add up to exactly ``total``."""
    assert len(names) * lo <= total <= len(names) * hi, "total out of reach"
    out: dict[str, int] = {}
    remaining = total - len(names) * lo
    for n in names:
        extra = min(hi - lo, remaining)
        out[n] = lo + extra
        remaining -= extra
    return out


def summary_map(summaries: Sequence[Summary]) -> dict[str, Any]:
    """Summaries by name (names must be unique)."""
    names = [s.name for s in summaries]
    assert len(names) == len(set(names)), names
    return {s.name: s.value for s in summaries}


def hostile_task(tablename: str, ancillary: Sequence[str] = ()) -> TaskData:
    """Every client column (and every child column) set to a script tag."""
    row = {c.name: XSS for c in TABLES[tablename].columns}
    children = {a: [{c.name: XSS for c in TABLES[a].columns}] for a in ancillary}
    blobs = {1: BlobInfo(mimetype=XSS, filename=XSS, size=1, url="javascript:alert(1)")}
    return TaskData(row=row, ancillary=children, blobs=blobs)


def assert_escaped(html: str) -> None:
    """No live script tag, and the escaped form is present."""
    assert "<script" not in html
    assert "&lt;script&gt;" in html


#: A complete ACE-III with full marks (and a picture reference).
ACE3_FULL: dict[str, Any] = {
    **items("attn_time", 1, 5, 1),
    **items("attn_place", 1, 5, 1),
    **items("attn_repeat_word", 1, 3, 1),
    **items("attn_serial7_subtraction", 1, 5, 1),
    **items("mem_recall_word", 1, 3, 1),
    **items("mem_repeat_address_trial3_", 1, 7, 1),
    **items("mem_famous", 1, 4, 1),
    **items("mem_recall_address", 1, 7, 1),
    "fluency_letters_score": 7,
    "fluency_animals_score": 7,
    "lang_follow_command_practice": 1,
    **items("lang_follow_command", 1, 3, 1),
    **items("lang_write_sentences_point", 1, 2, 1),
    **items("lang_repeat_word", 1, 4, 1),
    **items("lang_repeat_sentence", 1, 2, 1),
    **items("lang_name_picture", 1, 12, 1),
    **items("lang_identify_concept", 1, 4, 1),
    "lang_read_words_aloud": 1,
    "vsp_copy_infinity": 1,
    "vsp_copy_cube": 2,
    "vsp_draw_clock": 5,
    **items("vsp_count_dots", 1, 4, 1),
    **items("vsp_identify_letter", 1, 4, 1),
    "picture1_blobid": 1,
}
MINIACE_FULL: dict[str, Any] = {
    **items("attn_time", 1, 4, 1),
    **items("mem_repeat_address_trial3_", 1, 7, 1),
    **items("mem_recall_address", 1, 7, 1),
    "fluency_animals_score": 7,
    "vsp_draw_clock": 5,
}
