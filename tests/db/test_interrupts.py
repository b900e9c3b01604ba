"""Ctrl-C held during a COPY and delivered after it (copse.db.interrupts)."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from copse.db.interrupts import sigint_held


def test_sigint_inside_is_delivered_when_the_block_ends() -> None:
    before = signal.getsignal(signal.SIGINT)
    reached_end_of_block = False
    with pytest.raises(KeyboardInterrupt):
        with sigint_held():
            os.kill(os.getpid(), signal.SIGINT)
            reached_end_of_block = True  # the signal did not interrupt the block
    assert reached_end_of_block
    assert signal.getsignal(signal.SIGINT) is before


def test_without_sigint_nothing_happens_and_the_handler_is_restored() -> None:
    before = signal.getsignal(signal.SIGINT)
    with sigint_held():
        pass
    assert signal.getsignal(signal.SIGINT) is before


def test_the_previous_handler_gets_the_held_signal() -> None:
    seen: list[int] = []
    before = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        with sigint_held():
            os.kill(os.getpid(), signal.SIGINT)
            assert seen == []
        assert seen == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, before)


def test_outside_the_main_thread_the_block_just_runs() -> None:
    ran: list[bool] = []

    def work() -> None:
        with sigint_held():
            ran.append(True)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert ran == [True]
