"""A full rebuild's task index entries computed by two processes at once.

perf: in a full rebuild (:func:`copse.index.rebuild.reindex_all_checked`)
most of the time is computing the task entries (each task row read again,
its current patient, its completeness and summaries by the task
definitions), all of it Python holding the interpreter lock; the rest is
writing them (``COPY``) and reading them back to check.  A helper process
(:mod:`copse.subproc`) computes entries too, so both cores work: it is given
tables one at a time from the front of the list, while the rebuilding
process takes them from the back and writes both its own entries and the
helper's as they come, until the two meet.

The helper reads in its own read-only transaction, so it sees only
committed data: the caller's transaction must not have changed the client
tables (the CamCOPS import commits its copy first).  On SQLite it reads the
file's last committed state beside the rebuild's writing transaction (WAL).
"""

from __future__ import annotations

import pickle
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import IO, Any

import sqlalchemy as sa

from copse import subproc
from copse.db.engine import make_engine, own_statement_cache
from copse.db.tx import transaction
from copse.errors import ServerError
from copse.index.compute import batched, iter_task_entries

#: Entries per message, and per ``COPY`` of a rebuild.
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


class EntryProcess:
    """The rebuilding side of the helper.  Use as a context manager: leaving it
    stops the helper if it still runs."""

    def __init__(self, url: str, now: datetime) -> None:
        self.proc = subproc.start(__name__, [])
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._to: IO[bytes] = self.proc.stdin
        self._from: IO[bytes] = self.proc.stdout
        #: The helper's messages, read by a thread so that a full pipe never stops it.
        self._inbox: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._reader = threading.Thread(target=self._read_all, name="index-helper", daemon=True)
        #: The helper's peak resident size (MB), once it has finished.
        self.peak_mb: float | None = None
        try:
            # The URL (with any password) goes through the pipe, not the command line.
            self._send(("start", url, now))
        except EntryProcessFailed:
            self.proc.kill()
            self.proc.wait()
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
            self._inbox.put(message)
            if message[0] in ("done", "failed"):
                return

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            subproc.send(self._to, message)
        except OSError:
            raise EntryProcessFailed(
                "the index entries could not be computed: the helper stopped"
            ) from None

    def assign(self, table: str) -> None:
        """Ask the helper for the entries of one more table."""
        self._send(("table", table))

    def next(self, wait: bool) -> tuple[Any, ...] | None:
        """The helper's next message: ("batch", table, entries) or ("table", table) at the
        end of one; None if ``wait`` is false and nothing has come."""
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
        return message

    def finish(self) -> None:
        """Tell the helper there is nothing more, and wait for its end."""
        self._send(("end",))
        self._to.close()
        message = self.next(wait=True)
        if message is None or message[0] != "done":
            raise EntryProcessFailed(f"the helper sent {message!r} at its end")
        self.proc.wait()
        self.peak_mb = float(message[1])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join()
        for f in (self._to, self._from):
            try:
                f.close()
            except OSError:
                pass


def shared_batches(
    tables: Sequence[str],
    own: Callable[[str], Iterator[list[Entry]]],
    helper: EntryProcess,
) -> Iterator[Batch]:
    """Every table's entries in batches, computed by ``own`` here and by the helper.

    The helper is kept :data:`AHEAD` tables ahead, taken from the front of
    ``tables``; this process takes them from the back.  Between its own
    batches it hands on whatever the helper has sent, so the helper never
    waits on a full pipe.  Batches come in no particular order of tables.
    """
    todo = deque(tables)
    given = 0  # tables the helper has been given and not finished

    def from_helper(wait: bool) -> Iterator[Batch]:
        nonlocal given
        while (message := helper.next(wait)) is not None:
            if message[0] == "batch":
                yield message[1], message[2]
            else:  # the helper finished a table: give it the next one
                given -= 1
                if todo:
                    helper.assign(todo.popleft())
                    given += 1
            wait = False

    while todo and given < AHEAD:
        helper.assign(todo.popleft())
        given += 1
    while todo:
        table = todo.pop()
        for batch in own(table):
            yield table, batch
            yield from from_helper(wait=False)
        yield from from_helper(wait=False)
    while given:
        yield from from_helper(wait=True)
    helper.finish()


def main(argv: list[str]) -> int:
    """The helper: compute the entries of each table it is given, in order, until told to end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    _, url, now = pickle.load(inp)
    try:
        engine = make_engine(url)
        try:
            with transaction(engine, read_only=True) as conn:
                while (message := pickle.load(inp))[0] == "table":
                    _send_table(conn, message[1], now, out)
        finally:
            engine.dispose()
        subproc.send(out, ("done", subproc.peak_mb()))
        return 0
    except (BrokenPipeError, EOFError):  # the rebuilding process went away
        return 1
    except Exception as exc:  # noqa: BLE001 -- reported to the parent, which stops the rebuild
        subproc.send(out, ("failed", f"{type(exc).__name__}: {exc}"))
        return 1


def _send_table(conn: sa.Connection, table: str, now: datetime, out: IO[bytes]) -> None:
    own_statement_cache(conn)
    for batch in batched(iter_task_entries(conn, table, None, now), BATCH):
        subproc.send(out, ("batch", table, batch))
    subproc.send(out, ("table", table))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
