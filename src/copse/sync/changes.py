"""What one upload did to one table: the per-table change record.

Every commit path (stepwise ``end_upload``, one-step upload, force-finalize)
returns one :class:`TableChanges` per client table.  Two consumers rely on it:

* the audit trail, through :meth:`TableChanges.description`, whose text must be
  exactly the reference's (data-model.md §5.8, §12.2);
* the task/ID-number index maintenance (:func:`copse.index.maintain.update_after_changes`),
  through the pk sets, which say precisely which rows were added, removed or moved
  to a new era.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


def _fmt(pks: Iterable[int]) -> str:
    # The reference prints a Python list of sorted ints: "[3, 7]" or "[]".
    return "[" + ", ".join(str(p) for p in sorted(pks)) + "]"


@dataclass
class TableChanges:
    """Server PKs touched in one table by one committed upload."""

    table: str
    addition_pks: set[int] = field(default_factory=set)
    removal_modified_pks: set[int] = field(default_factory=set)
    removal_deleted_pks: set[int] = field(default_factory=set)
    preservation_pks: set[int] = field(default_factory=set)
    current_pks: set[int] = field(default_factory=set)
    #: copse (replay-safe finalizing): records recognised as replays of already-finalized
    #: records and therefore not stored again (``copse.sync.replay``).
    n_replayed: int = 0

    # -- counts ------------------------------------------------------------

    @property
    def n_added(self) -> int:
        return len(self.addition_pks)

    @property
    def n_removed_modified(self) -> int:
        return len(self.removal_modified_pks)

    @property
    def n_removed_deleted(self) -> int:
        return len(self.removal_deleted_pks)

    @property
    def n_preserved(self) -> int:
        return len(self.preservation_pks)

    @property
    def any_changes(self) -> bool:
        return bool(
            self.addition_pks
            or self.removal_modified_pks
            or self.removal_deleted_pks
            or self.preservation_pks
        )

    # -- derived lists for the index maintenance ---------------------------

    @property
    def removal_pks(self) -> list[int]:
        return sorted(self.removal_modified_pks | self.removal_deleted_pks)

    @property
    def idnum_delete_index_pks(self) -> list[int]:
        return self.removal_pks

    @property
    def idnum_add_index_pks(self) -> list[int]:
        return sorted(self.addition_pks)

    @property
    def task_delete_index_pks(self) -> list[int]:
        removed = self.removal_modified_pks | self.removal_deleted_pks
        return sorted((removed | self.preservation_pks) - self.addition_pks)

    @property
    def task_reindex_pks(self) -> list[int]:
        removed = self.removal_modified_pks | self.removal_deleted_pks
        return sorted(((self.addition_pks | self.preservation_pks) - removed) & self.current_pks)

    # -- text ----------------------------------------------------------------

    def description(self, always_show_current_pks: bool = True) -> str:
        """The reference's audit text for this table, e.g.
        ``progressnote (1 added, PKs [12]; 1 modified out, PKs [9]; current PKs [11, 12])``."""
        parts: list[str] = []
        if self.addition_pks:
            parts.append(f"{self.n_added} added, PKs {_fmt(self.addition_pks)}")
        if self.removal_modified_pks:
            parts.append(
                f"{self.n_removed_modified} modified out, PKs {_fmt(self.removal_modified_pks)}"
            )
        if self.removal_deleted_pks:
            parts.append(f"{self.n_removed_deleted} deleted, PKs {_fmt(self.removal_deleted_pks)}")
        if self.preservation_pks:
            parts.append(f"{self.n_preserved} preserved, PKs {_fmt(self.preservation_pks)}")
        if not parts:
            parts.append("no changes")
        if self.n_replayed:
            # copse: only present when there were replays, so the text is
            # otherwise exactly the reference's.
            parts.append(f"{self.n_replayed} recognised as replays, not stored again")
        if always_show_current_pks:
            parts.append(f"current PKs {_fmt(self.current_pks)}")
        return f"{self.table} (" + "; ".join(parts) + ")"


def upload_audit_text(device_id: int, username: str | None, changes: Sequence[TableChanges]) -> str:
    """The audit entry of one committed upload (data-model.md §12.2).

    Tables with changes, sorted by name, joined with ``", "``; otherwise
    ``No changes``.  The username is printed as a Python repr, as sent in the
    request.
    """
    described = [
        c.description()
        for c in sorted(changes, key=lambda c: c.table)
        if c.any_changes or c.n_replayed
    ]
    body = ", ".join(described) if described else "No changes"
    return f"Upload from device {device_id}, username {username!r}: {body}"
