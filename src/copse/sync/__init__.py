"""The upload engine: batches, the record lifecycle, commit/rollback, one-step upload.

Every function takes an open Connection and never begins, commits or rolls
back: the caller (the client-API endpoint, a web action, a test) owns the
transaction, so each request is atomic.

Modules: ``batch`` (device batch state, dirty tables), ``queries`` (the Core
statements), ``values`` (name checks and value coercion), ``upsert`` (new /
modified / identical / deleted / move-off), ``stepwise`` (the stepwise
operations' work), ``commit`` (commit, rollback, audit), ``onestep``
(``upload_entire_database``), ``finalize`` (force-finalize), ``changes``
(the per-table change record), ``invariants`` (consistency checks),
``replay`` (recognising re-sent finalized records).  Every request holds its
device's lock (:mod:`copse.records.devicelock`) for its whole transaction.
"""

from copse.sync.changes import TableChanges
from copse.sync.finalize import force_finalize
from copse.sync.invariants import check_invariants

__all__ = ["TableChanges", "check_invariants", "force_finalize"]
