"""A cap on how many large client-API requests are decoded at once, per server process.

A one-step upload (``upload_entire_database``) of B bytes needs about five
times B of memory while it is decoded and applied.  Eight tablets uploading
50 MB at once would need ~2 GB; the gate lets at most
``max_large_uploads`` requests of at least ``large_upload_bytes`` in at a
time (by body size: the declared Content-Length, before the body is read,
so a waiting request holds no memory; or the size read, for a chunked
body).  The others wait their turn for up to ``large_upload_wait_seconds``
and are then answered ``success:0`` with a "server busy, try again" error,
having changed nothing.  Small requests never wait.

This is deliberately per *process*: the house rule against in-process-only
state is about state that must agree across workers (sessions, batches,
locks, which all live in the database).  Memory is per process, so a cap
on one process's memory belongs to that process; with N workers the
machine-wide bound is N times this one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from copse.config import Settings
from copse.turns import Turns


class ServerBusy(Exception):
    """No turn for a large request within the waiting time."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            "Server busy: too many large uploads at once "
            f"(max_large_uploads={settings.max_large_uploads}, waited "
            f"large_upload_wait_seconds={settings.large_upload_wait_seconds}); "
            "nothing was changed, try again in a few minutes"
        )


class LargeRequestGate:
    """Admits at most ``max_large_uploads`` large requests at once (any event loop)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._turns = Turns(max(1, settings.max_large_uploads))

    def is_large(self, size: int) -> bool:
        return size >= self.settings.large_upload_bytes

    @asynccontextmanager
    async def turn(self, size: int) -> AsyncIterator[None]:
        """Hold a turn while a request of ``size`` bytes is read, decoded and served."""
        if not self.is_large(size):
            yield
            return
        got = False
        with anyio.move_on_after(self.settings.large_upload_wait_seconds):
            await self._turns.acquire()
            got = True
        if not got:
            raise ServerBusy(self.settings)
        try:
            yield
        finally:
            self._turns.release()
