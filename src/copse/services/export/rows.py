"""Turning a batch of database rows into the output rows of each table.

Everything that differs between an identified and a de-identified download
happens here, on the way out, so no other module can leak an identifier.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from copse.schema.registry import BLOB_TABLE, PATIENT_IDNUM_TABLE, PATIENT_TABLE
from copse.services.export.access import pseudonym
from copse.services.export.layout import PATIENT_PREFIX, PSEUDONYM
from copse.services.export.shapes import SUMMARY_PREFIX, TASK_PK, OutTable
from copse.services.export.source import Batch, Key, Row, age_in_years

OutRow = tuple[Any, ...]
#: Types :func:`out_value` returns unchanged, tested first by exact type (one
#: set look-up per value instead of a chain of isinstance calls).
_AS_IS: frozenset[type] = frozenset({str, int, float, bytes, type(None)})


def out_value(v: Any) -> Any:
    """A database value as SQLite stores it (text dates, integer booleans)."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, memoryview):
        return bytes(v)
    return v


def out_row(values: Iterable[Any]) -> OutRow:
    """:func:`out_value` of each value, as a row."""
    return tuple([v if type(v) in _AS_IS else out_value(v) for v in values])


@dataclass(frozen=True)
class RowMaker:
    """Builds output rows for one download's layouts."""

    tables: Mapping[str, OutTable]
    deidentify: bool
    key: bytes | None

    def patient_identity(self, batch: Batch, pkey: Key) -> str:
        """What a pseudonym stands for: the lowest-type ID number, else the tablet record.

        An ID number follows the person across devices and finalizing;
        without one, the device's patient record (device, era, id) is all we know.
        """
        nums = sorted(
            (int(i["which_idnum"]), int(i["idnum_value"]))
            for i in batch.idnums.get(pkey, [])
            if i["which_idnum"] is not None and i["idnum_value"] is not None
        )
        if nums:
            return f"idnum:{nums[0][0]}:{nums[0][1]}"
        return f"record:{pkey[0]}:{pkey[1]}:{pkey[2]}"

    def pseudonym_of(self, batch: Batch, pkey: Key) -> str:
        assert self.key is not None
        return pseudonym(self.key, self.patient_identity(batch, pkey))

    def rows(self, batch: Batch) -> Iterator[tuple[str, OutRow]]:
        """(table, row) pairs: new patients and their ID numbers, then tasks, children, BLOBs."""
        yield from self.patient_rows(batch)
        task = self.tables[batch.table]
        for r, summaries in zip(batch.tasks, batch.summaries, strict=True):
            yield batch.table, self._task_row(task, batch, r, summaries)
        for child, rows in batch.ancillary.items():
            names = self.tables[child].names
            for parent_pk, r in rows:
                get = {**r, TASK_PK: parent_pk}.get
                yield child, out_row([get(c) for c in names])
        if batch.blobs:
            names = self.tables[BLOB_TABLE].names
            for b in batch.blobs:
                yield BLOB_TABLE, out_row([b.get(c) for c in names])

    def patient_rows(self, batch: Batch) -> Iterator[tuple[str, OutRow]]:
        """The batch's new patients, each followed by its ID numbers (identified only)."""
        if not batch.patients:
            return
        names = self.tables[PATIENT_TABLE].names
        for pkey, p in batch.patients.items():
            if pkey not in batch.new_patients:  # written with an earlier batch
                continue
            if self.deidentify:
                get = {**p, PSEUDONYM: self.pseudonym_of(batch, pkey)}.get
                yield PATIENT_TABLE, out_row([get(c) for c in names])
                continue
            yield PATIENT_TABLE, out_row([p.get(c) for c in names])
            idnames = self.tables[PATIENT_IDNUM_TABLE].names
            for i in batch.idnums.get(pkey, []):
                yield PATIENT_IDNUM_TABLE, out_row([i.get(c) for c in idnames])

    def _task_row(
        self, out: OutTable, batch: Batch, r: Row, summaries: Mapping[str, Any]
    ) -> OutRow:
        # Later keys win: patient facts and summaries over the task's own columns.
        merged = dict(r)
        if r.get("patient_id") is not None:
            pkey: Key = (int(r["_device_id"]), str(r["_era"]), int(r["patient_id"]))
            p = batch.patients.get(pkey)
            if p is not None:
                merged.update(self.patient_facts(batch, pkey, p, r))
        for name, value in summaries.items():
            merged[SUMMARY_PREFIX + name] = value
        get = merged.get
        return out_row([get(c) for c in out.names])

    def patient_facts(self, batch: Batch, pkey: Key, p: Row, task: Row) -> dict[str, Any]:
        if self.deidentify:
            return {
                PATIENT_PREFIX + PSEUDONYM: self.pseudonym_of(batch, pkey),
                PATIENT_PREFIX + "sex": p.get("sex"),
                PATIENT_PREFIX + "age_years": age_in_years(p.get("dob"), task.get("when_created")),
            }
        facts: dict[str, Any] = {PATIENT_PREFIX + "pk": p["_pk"]}
        for f in ("forename", "surname", "dob", "sex"):
            facts[PATIENT_PREFIX + f] = p.get(f)
        for i in batch.idnums.get(pkey, []):
            facts[f"{PATIENT_PREFIX}idnum{i['which_idnum']}"] = i["idnum_value"]
        return facts
