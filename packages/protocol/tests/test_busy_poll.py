"""The busy-polling event loop: same results as the standard loop, timers honoured, sockets served."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from tradewire.protocol import busy_poll

T = TypeVar("T")


def _run(budget: float, coro_fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    with asyncio.Runner(loop_factory=busy_poll.loop_factory(budget)) as runner:
        return runner.run(coro_fn())


def test_zero_budget_is_the_standard_loop() -> None:
    assert busy_poll.loop_factory(0) is asyncio.new_event_loop


def test_selector_is_the_busy_polling_one() -> None:
    async def selector() -> object:
        return asyncio.get_running_loop()._selector  # type: ignore[attr-defined]

    sel = _run(0.002, selector)
    assert isinstance(sel, busy_poll.BusyPollSelector)
    assert sel.budget_s == 0.002


def test_timers_fire_on_time_with_a_budget_longer_than_the_timer() -> None:
    # A 5 ms budget must not delay a 1 ms timer past it, nor fire it early.
    async def sleeps() -> list[float]:
        out = []
        for _ in range(20):
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            out.append(time.perf_counter() - t)
        return out

    took = _run(0.005, sleeps)
    assert min(took) >= 0.001
    assert sorted(took)[len(took) // 2] < 0.004  # median: not held for the whole budget


def test_ping_pong_over_a_socket_pair() -> None:
    async def ping_pong() -> int:
        a, b = socket.socketpair()
        ra, wa = await asyncio.open_connection(sock=a)
        rb, wb = await asyncio.open_connection(sock=b)

        async def echo() -> None:
            while data := await rb.read(100):
                wb.write(data)
                await wb.drain()
            wb.close()

        task = asyncio.create_task(echo())
        rounds = 0
        for i in range(500):
            wa.write(b"%d;" % i)
            await wa.drain()
            assert await ra.readexactly(len(b"%d;" % i)) == b"%d;" % i
            rounds += 1
        wa.close()
        await task
        return rounds

    assert _run(0.001, ping_pong) == 500


def test_idle_wait_blocks_after_the_budget() -> None:
    # Waiting 50 ms with a 1 ms budget must not spin for 50 ms: CPU time stays well below wall time.
    async def idle() -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.sleep(0.05)
        return time.perf_counter() - wall, time.process_time() - cpu

    wall, cpu = _run(0.001, idle)
    assert wall >= 0.05
    assert cpu < 0.03


def test_uvloop_kind_spins_after_a_poke_then_blocks_again() -> None:
    """uvloop has no selector to poll in: a poke keeps it turning for the budget, then it sleeps."""
    uvloop = pytest.importorskip("uvloop")

    async def poke_then_idle() -> tuple[bool, bool, bool, float, float]:
        loop = asyncio.get_running_loop()
        busy_poll.poke()
        spinning = busy_poll._spinner is not None and busy_poll._spinner.spinning
        await asyncio.sleep(0.01)  # past the 1 ms budget
        stopped = busy_poll._spinner is not None and not busy_poll._spinner.spinning
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.sleep(0.05)  # no poke: the loop blocks
        return (
            isinstance(loop, uvloop.Loop),
            spinning,
            stopped,
            time.perf_counter() - wall,
            time.process_time() - cpu,
        )

    with asyncio.Runner(loop_factory=busy_poll.loop_factory(0.001, kind="uvloop")) as runner:
        is_uvloop, spinning, stopped, wall, cpu = runner.run(poke_then_idle())
    assert is_uvloop and spinning and stopped
    assert wall >= 0.05 and cpu < 0.03
    # a later loop in the same process is not the spinner's: poke leaves it alone
    _run(0.001, _poke_elsewhere)


async def _poke_elsewhere() -> None:
    busy_poll.poke()


def test_uvloop_kind_serves_a_socket_ping_pong() -> None:
    pytest.importorskip("uvloop")

    async def ping_pong() -> int:
        a, b = socket.socketpair()
        ra, wa = await asyncio.open_connection(sock=a)
        rb, wb = await asyncio.open_connection(sock=b)
        rounds = 0
        for i in range(200):
            wa.write(b"%d;" % i)
            busy_poll.poke()
            data = await rb.readexactly(len(b"%d;" % i))
            wb.write(data)
            assert await ra.readexactly(len(data)) == data
            rounds += 1
        wa.close()
        wb.close()
        return rounds

    with asyncio.Runner(loop_factory=busy_poll.loop_factory(0.001, kind="uvloop")) as runner:
        assert runner.run(ping_pong()) == 200


def test_unknown_loop_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event loop"):
        busy_poll.loop_factory(0.001, kind="trio")
