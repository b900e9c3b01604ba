"""Reading copse's rows ahead in a thread, while a verification compares.

perf: reading a table back from copse (the server sending rows, the driver
parsing them) is mostly waiting; in a thread it overlaps the comparison.  Only
copse's side: the source is read on the main thread, whose event loop its
driver needs (:func:`~copse.services.camcops_import.source.with_snapshot`);
writing behind in a thread instead, while the next batch is read, was
measured and gained nothing beyond the noise (the copy is bound by the
interpreter lock and PostgreSQL).  The queue is bounded (``depth`` items),
so memory stays bounded too.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

#: How often (seconds) a blocked reader checks whether the consumer has gone.
POLL = 0.1


def threads_pay(dialect_name: str) -> bool:
    """Whether reading ahead in a thread helps when copse's database is this one.

    Not for SQLite: it runs inside this process, giving up the interpreter
    lock at every step and waiting for it again behind the other thread
    (measured at scale 100: no gain).
    """
    return dialect_name != "sqlite"


class _Done:
    pass


_DONE = _Done()


class Prefetch(Generic[T]):
    """Iterate over ``items`` produced by a thread; use as a context manager.

    An exception raised while producing is raised again in the consumer.
    Leaving the context early stops the thread after its current item (and
    closes ``items``), so the connection it reads from is free again.
    """

    def __init__(self, items: Iterator[T], depth: int = 2) -> None:
        self._items = items
        self._queue: queue.Queue[T | _Done | BaseException] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-prefetch", daemon=True)

    def _put(self, item: T | _Done | BaseException) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=POLL)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self._items:
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as exc:  # noqa: BLE001 -- handed to the consumer
            self._put(exc)
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> Prefetch[T]:
        self._thread.start()
        return self

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
