"""copse.turns: a semaphore shared by every event loop of the process."""

from __future__ import annotations

import asyncio
import threading

import pytest

from copse.turns import Turns


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Turns(0)


def test_turns_in_one_loop_first_come_first_served() -> None:
    async def main() -> list[int]:
        turns = Turns(1)
        order: list[int] = []
        await turns.acquire()
        waiters = [asyncio.create_task(_take(turns, i, order)) for i in range(3)]
        while turns.waiting < 3:
            await asyncio.sleep(0)
        turns.release()
        await asyncio.gather(*waiters)
        assert (turns.held, turns.waiting) == (0, 0)
        return order

    assert asyncio.run(main()) == [0, 1, 2]


async def _take(turns: Turns, i: int, order: list[int]) -> None:
    async with turns.turn():
        order.append(i)


def test_a_cancelled_waiter_gives_up_its_place() -> None:
    async def main() -> None:
        turns = Turns(1)
        await turns.acquire()
        waiter = asyncio.create_task(turns.acquire())
        while turns.waiting < 1:
            await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert (turns.held, turns.waiting) == (1, 0)
        turns.release()
        assert turns.held == 0

    asyncio.run(main())


def test_a_waiter_cancelled_after_the_hand_over_passes_its_turn_on() -> None:
    async def main() -> None:
        turns = Turns(1)
        await turns.acquire()
        first = asyncio.create_task(turns.acquire())
        second = asyncio.create_task(turns.acquire())
        while turns.waiting < 2:
            await asyncio.sleep(0)
        turns.release()  # handed to `first` (its wake-up is scheduled, not run)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        await asyncio.wait_for(second, timeout=10)  # the turn went on to `second`
        assert (turns.held, turns.waiting) == (1, 0)
        turns.release()
        assert turns.held == 0

    asyncio.run(main())


def test_a_turn_released_in_one_loop_wakes_a_waiter_in_another() -> None:
    turns = Turns(1)
    held = threading.Event()
    waiting = threading.Event()
    got: list[str] = []

    async def holder() -> None:
        await turns.acquire()
        held.set()
        while turns.waiting < 1:  # the other loop's waiter has queued
            await asyncio.sleep(0.001)
        waiting.set()
        turns.release()

    async def waiter() -> None:
        async with turns.turn():
            got.append("turn")

    a = threading.Thread(target=asyncio.run, args=(holder(),))
    a.start()
    assert held.wait(10)
    b = threading.Thread(target=asyncio.run, args=(waiter(),))
    b.start()
    a.join(10)
    b.join(10)
    assert not a.is_alive() and not b.is_alive(), "a waiter in another loop was never woken"
    assert waiting.is_set() and got == ["turn"]
    assert (turns.held, turns.waiting) == (0, 0)


def test_releasing_more_than_acquired_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="more often"):
        Turns(2).release()
