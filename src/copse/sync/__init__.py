"""The upload engine: batches, the record lifecycle, commit/rollback, one-step upload.

Every function takes an open Connection and never begins, commits or rolls
back: the caller (the client-API endpoint, a web action, a test) owns the
transaction, so each request is atomic.

Modules: ``batch`` (device batch state, dirty tables), ``queries`` (the Core
statements), ``values`` (name checks and value coercion), ``upsert`` (new /
modified / identical / deleted / move-off), ``stepwise`` (the stepwise
operations' work), ``commit`` (commit, rollback, audit), ``onestep``
(``upload_entire_database``), ``finalize`` (force-finalize), ``changes``
(the per-table change record), ``invariants`` (consistency checks).
"""

from typing import Any

__all__ = ["TableChanges", "check_invariants", "force_finalize"]

_EXPORTS = {
    "TableChanges": "copse.sync.changes",
    "check_invariants": "copse.sync.invariants",
    "force_finalize": "copse.sync.finalize",
}


def __getattr__(name: str) -> Any:
    # Lazy, so that the index package can import copse.sync.changes while the
    # commit paths import the index maintenance, without an import cycle.
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
