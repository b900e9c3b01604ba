"""The data dictionary of a download: every table and column, its type and meaning.

Meanings come from the task definitions (``TaskDefinition.data_dictionary``),
so a summary column is described by the code that computes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from copse.schema.registry import TABLES
from copse.services.export.shapes import SUMMARY_PREFIX, OutTable
from copse.tasks import get_task
from copse.tasks.meta import STANDARD_COLUMN_MEANINGS

DictRow = tuple[str, str, str, str, int, str]


def dictionary_rows(tables: Mapping[str, OutTable], tasks: list[str]) -> Iterator[DictRow]:
    known: dict[tuple[str, str], tuple[str, str, bool]] = {}
    for t in tasks:
        for e in get_task(t).data_dictionary():
            col = SUMMARY_PREFIX + e.column if e.is_summary else e.column
            known[(e.table, col)] = (e.kind, e.meaning, e.is_summary)
    for table in tables.values():
        kinds = {c.name: c.kind for c in TABLES[table.name].columns} if table.name in TABLES else {}
        for c in table.columns:
            kind, meaning, is_summary = known.get(
                (table.name, c.name), (kinds.get(c.name, ""), "", False)
            )
            meaning = meaning or c.meaning or STANDARD_COLUMN_MEANINGS.get(c.name, "")
            yield (table.name, c.name, c.type, kind or "server", int(is_summary), meaning)
