"""The transaction boundary used by every entry point, with bounded retries.

Everything under ``sync/``, ``index/``, ``schema/`` and ``tasks/`` takes a
Connection and never begins, commits or rolls back; the callers here own
that.  Deadlocks and serialization failures are transient by nature (another
transaction won a race), so the whole unit of work is retried a few times.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, OperationalError

from copse.db.engine import READ_ONLY

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: MySQL/MariaDB deadlock and lock-wait time-out; PostgreSQL SQLSTATEs for
#: serialization failure and deadlock.
_RETRY_MYSQL_CODES = {1205, 1213}
_RETRY_PG_STATES = {"40001", "40P01"}


def is_transient(exc: BaseException) -> bool:
    """True for errors where retrying the whole transaction may succeed."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _RETRY_MYSQL_CODES:
        return True
    if getattr(orig, "sqlstate", None) in _RETRY_PG_STATES:
        return True
    if isinstance(exc, OperationalError) and "database is locked" in str(orig):
        return True
    return False


@contextmanager
def transaction(engine: sa.Engine, *, read_only: bool = False) -> Iterator[sa.Connection]:
    """One database transaction: commit on success, roll back on any error.

    ``read_only``: a transaction that only reads (see ``copse.db.engine``):
    on SQLite it runs beside a writer instead of queueing behind it.
    """
    with engine.connect() as conn:
        if read_only:
            conn.execution_options(**{READ_ONLY: True})
        with conn.begin():
            yield conn


def run_in_transaction(
    engine: sa.Engine,
    work: Callable[[sa.Connection], T],
    *,
    attempts: int = 4,
    read_only: bool = False,
) -> T:
    """Run ``work`` in one transaction, retrying it on transient conflicts."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction(engine, read_only=read_only) as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt < attempts and is_transient(exc):
                logger.warning("Transient database conflict (attempt %d): %s", attempt, exc.orig)
                time.sleep(0.05 * attempt)
                continue
            raise
    raise AssertionError("unreachable")
