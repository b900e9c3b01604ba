"""Turns: at most N holders at once per process, for async code in any event loop.

``anyio.CapacityLimiter`` and ``asyncio.Semaphore`` belong to the event loop
they are first used in: a holder in another loop is never woken (a
Starlette ``TestClient`` used outside a ``with`` block runs each request in
a loop of its own; a limiter shared by those requests hung).  A
:class:`Turns` is shared by every loop and thread of the process: its count
is kept under a thread lock, and a waiter is woken in its own loop
(``call_soon_threadsafe``).  Waiting holds no thread.  Turns are handed
over first come, first served; a waiter that is cancelled (a client gone,
a timeout) leaves the queue, or passes on a turn it was just handed.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager


class Turns:
    """A counting semaphore of ``limit`` turns shared by every event loop."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"Turns needs a limit of at least 1, not {limit}")
        self.limit = limit
        self._lock = threading.Lock()
        self._held = 0
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    @property
    def held(self) -> int:
        """Turns held now (including ones handed to a waiter not yet running)."""
        with self._lock:
            return self._held

    @property
    def waiting(self) -> int:
        """Callers waiting for a turn."""
        with self._lock:
            return len(self._waiters)

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._held < self.limit and not self._waiters:
                self._held += 1
                return
            fut: asyncio.Future[None] = loop.create_future()
            entry = (loop, fut)
            self._waiters.append(entry)
        try:
            await fut
        except BaseException:
            with self._lock:
                queued = entry in self._waiters
                if queued:
                    self._waiters.remove(entry)
            # Not queued: a turn was handed over.  If the future was cancelled
            # before the hand-over ran, _hand_over passes the turn on itself.
            if not queued and not fut.cancelled():
                self.release()
            raise

    def release(self) -> None:
        """Give a turn back: to the first waiter, else to the pool."""
        while True:
            with self._lock:
                if not self._waiters:
                    if self._held <= 0:
                        raise RuntimeError("Turns released more often than acquired")
                    self._held -= 1
                    return
                loop, fut = self._waiters.popleft()
            try:
                loop.call_soon_threadsafe(self._hand_over, fut)
                return
            except RuntimeError:  # that waiter's loop is closed: try the next
                continue

    def _hand_over(self, fut: asyncio.Future[None]) -> None:
        """In the waiter's loop: wake it with its turn, or pass the turn on."""
        if fut.done():  # cancelled meanwhile
            self.release()
        else:
            fut.set_result(None)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()


class InFlight:
    """How many requests of one kind are being served now (any loop or thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._n = 0

    @property
    def busy(self) -> bool:
        return self._n > 0

    @contextmanager
    def track(self) -> Iterator[None]:
        with self._lock:
            self._n += 1
        try:
            yield
        finally:
            with self._lock:
                self._n -= 1
