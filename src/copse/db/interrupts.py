"""Holding Ctrl-C back while a driver cannot be interrupted cleanly.

psycopg answers Ctrl-C during an ordinary query by cancelling it, which
leaves the connection usable.  During a ``COPY ... FROM STDIN`` it cannot:
interrupted between sending the command and its data, the connection stays
in the copy state, the rollback that follows fails ("another command is
already in progress") and the pool logs a traceback as the program exits.
A COPY of one batch takes well under a second, so a SIGINT that arrives
during one is held and delivered, to whatever handler was there, when the
COPY is over: the usual ``KeyboardInterrupt`` then unwinds from a state the
driver can roll back.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def sigint_held() -> Iterator[None]:
    """Within the block, a SIGINT is held; it is delivered when the block ends.

    Only in the main thread (the only one Python delivers signals to); elsewhere
    the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[FrameType | None] = []

    def note(signum: int, frame: FrameType | None) -> None:
        held.append(frame)

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            if callable(previous):
                previous(signal.SIGINT, held[0])
            elif previous == signal.SIG_DFL:
                os.kill(os.getpid(), signal.SIGINT)
