"""A full rebuild's task index entries computed by two processes at once.

perf: in a full rebuild (:func:`copse.index.rebuild.reindex_all_checked`)
most of the time is computing the task entries (each task row read again,
its current patient, its completeness and summaries by the task
definitions), all of it Python holding the interpreter lock; the rest is
writing them (``COPY``) and reading them back to check.  A helper process
(:mod:`copse.subproc`) computes entries too, so both cores work: it is
offered tables (:meth:`EntryProcess.offer`) and takes them from the front,
while the rebuilding process takes what is left from the back
(:func:`shared_batches`) and writes both its own entries and the helper's.

The helper writes each table's entries to a file of its own (a spool,
deleted once read) and says so through its pipe, so it never waits for the
rebuilding process: tables can be offered to it while that process is busy
elsewhere, such as a bulk load still copying the other tables (the CamCOPS
import offers each task table once it and every table its entries are
computed from are committed: :func:`loaded_tables_ready`).

The helper reads each table in a read-only transaction of its own, so it
sees committed data only: the rebuild's own transaction must not have changed
the client tables.  On SQLite it reads the file's last committed state beside
the writer (WAL).
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import sqlalchemy as sa

from copse import subproc
from copse.db.engine import make_engine, own_statement_cache
from copse.db.tx import transaction
from copse.errors import ServerError
from copse.index.compute import batched, entry_sources, iter_task_entries
from copse.schema.registry import TASK_TABLES

#: Entries per spooled batch, and per ``COPY`` of a rebuild.
BATCH = 1000
#: Tables handed to the helper ahead of what it is computing (it never waits for one).
AHEAD = 2

Entry = dict[str, Any]
#: (task table, a batch of its entries)
Batch = tuple[str, list[Entry]]


class EntryProcessFailed(ServerError):
    """The helper computing index entries stopped (its reason in the message)."""


def usable(url: sa.URL) -> bool:
    """Whether a helper can read this database while the rebuild's transaction is open:
    any but a SQLite database in memory (a file's readers run beside its writer)."""
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


def loaded_tables_ready(loaded: Collection[str]) -> list[str]:
    """The task tables among ``loaded`` whose entries can be computed now: those
    whose every source (:func:`~copse.index.compute.entry_sources`) is loaded too."""
    return [t for t in TASK_TABLES if t in loaded and entry_sources(t).issubset(loaded)]


class EntryProcess:
    """The rebuilding side of the helper.  Use as a context manager: leaving it
    stops the helper if it still runs and deletes its spool."""

    def __init__(self, url: str, now: datetime) -> None:
        self._spool_dir = tempfile.TemporaryDirectory(prefix="copse-index-")
        #: The folder of the helper's files (see :meth:`spooled`), deleted by :meth:`close`.
        self.spool = self._spool_dir.name
        self.proc = subproc.start(__name__, [])
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._to: IO[bytes] = self.proc.stdin
        self._from: IO[bytes] = self.proc.stdout
        #: The helper's messages, read by a thread, which also hands it the next table.
        self._inbox: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._reader = threading.Thread(target=self._read_all, name="index-helper", daemon=True)
        self._lock = threading.Lock()
        #: Offered tables not yet given to the helper (it takes the front, the caller the back).
        self._todo: deque[str] = deque()
        self._offered: set[str] = set()
        #: Tables given to the helper and not yet finished by it.
        self._given = 0
        #: Tables given to the helper whose message the caller has not taken yet.
        self._unread = 0
        #: The helper's peak resident size (MB), once it has finished.
        self.peak_mb: float | None = None
        try:
            # The URL (with any password) goes through the pipe, not the command line.
            self._send(("start", url, now, self.spool))
        except EntryProcessFailed:
            self.close()
            raise
        self._reader.start()

    def __enter__(self) -> EntryProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _read_all(self) -> None:
        while True:
            try:
                message: tuple[Any, ...] = pickle.load(self._from)
            except (EOFError, OSError, ValueError, pickle.UnpicklingError):
                self._inbox.put(("stopped",))
                return
            if message[0] == "table":
                with self._lock:
                    self._given -= 1
                    try:
                        self._give()
                    except EntryProcessFailed:
                        pass  # the helper is gone: its end is the next message
            self._inbox.put(message)
            if message[0] in ("done", "failed"):
                return

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            subproc.send(self._to, message)
        except (OSError, ValueError):
            raise EntryProcessFailed(
                "the index entries could not be computed: the helper stopped"
            ) from None

    def _give(self) -> None:
        """Keep the helper :data:`AHEAD` tables ahead (the lock held)."""
        while self._todo and self._given < AHEAD:
            self._send(("table", self._todo.popleft()))
            self._given += 1
            self._unread += 1

    def offer(self, tables: Iterable[str]) -> None:
        """Tables whose entries may be computed now (their data committed); again is a no-op."""
        with self._lock:
            new = [t for t in tables if t not in self._offered]
            self._offered.update(new)
            self._todo.extend(new)
            self._give()

    def take_last(self) -> str | None:
        """An offered table the helper has not been given, for the caller to compute."""
        with self._lock:
            return self._todo.pop() if self._todo else None

    def next(self, wait: bool) -> tuple[str, str] | None:
        """(table, spool file) of the next table the helper finished; None if ``wait`` is
        false and none has come, or if nothing given to the helper is left to read."""
        with self._lock:
            if not self._unread:
                return None
        try:
            message = self._inbox.get(block=wait)
        except queue.Empty:
            return None
        if message[0] == "stopped":
            status = self.proc.wait()
            raise EntryProcessFailed(
                f"the index entries could not be computed: the helper stopped (status {status})"
            )
        if message[0] == "failed":
            self.proc.wait()
            raise EntryProcessFailed(f"the index entries could not be computed: {message[1]}")
        with self._lock:
            self._unread -= 1
        return message[1], message[2]

    def spooled(self, path: str) -> Iterator[list[Entry]]:
        """The batches of entries in one of the helper's files, which is then deleted."""
        with open(path, "rb") as f:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    break
        os.unlink(path)

    def finish(self) -> None:
        """Tell the helper there is nothing more, and wait for its end."""
        with self._lock:
            self._send(("end",))
        self._to.close()
        message = self._inbox.get()
        if message[0] != "done":
            raise EntryProcessFailed(f"the helper sent {message!r} at its end")
        self.proc.wait()
        self.peak_mb = float(message[1])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self._reader.is_alive():
            self._reader.join()
        for f in (self._to, self._from):
            try:
                f.close()
            except OSError:
                pass
        self._spool_dir.cleanup()


def shared_batches(
    own: Callable[[str], Iterator[list[Entry]]], helper: EntryProcess
) -> Iterator[Batch]:
    """The entries of every table offered to ``helper``, in batches.

    The helper computes from the front of what was offered; this process
    (``own``) takes tables from the back, and between them hands on what the
    helper has finished, until nothing is left.  Batches come in no
    particular order of tables.
    """

    def from_helper(wait: bool) -> Iterator[Batch]:
        """The batches of the next table the helper finished, if any (waiting for it)."""
        if (done := helper.next(wait)) is not None:
            table, path = done
            for batch in helper.spooled(path):
                yield table, batch

    while (table := helper.take_last()) is not None:
        yield from from_helper(wait=False)
        for batch in own(table):
            yield table, batch
    while (done := helper.next(wait=True)) is not None:
        for batch in helper.spooled(done[1]):
            yield done[0], batch
    helper.finish()


def main(argv: list[str]) -> int:
    """The helper: compute the entries of each table it is given, in order, until told to end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    _, url, now, spool = pickle.load(inp)
    try:
        engine = make_engine(url)
        try:
            n = 0
            while (message := pickle.load(inp))[0] == "table":
                n += 1
                path = Path(spool) / f"{n:04d}-{message[1]}.pickle"
                _spool_table(engine, message[1], now, path)
                subproc.send(out, ("table", message[1], str(path)))
        finally:
            engine.dispose()
        subproc.send(out, ("done", subproc.peak_mb()))
        return 0
    except (BrokenPipeError, EOFError):  # the rebuilding process went away
        return 1
    except Exception as exc:  # noqa: BLE001 -- reported to the parent, which stops the rebuild
        subproc.send(out, ("failed", f"{type(exc).__name__}: {exc}"))
        return 1


def _spool_table(engine: sa.Engine, table: str, now: datetime, path: Path) -> None:
    """One table's entries into a file, read in a transaction of its own (so that data
    committed since the helper started, e.g. by a bulk load, is seen)."""
    with transaction(engine, read_only=True) as conn, open(path, "wb") as f:
        own_statement_cache(conn)
        for batch in batched(iter_task_entries(conn, table, None, now), BATCH):
            pickle.dump(batch, f, subproc.PROTOCOL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
