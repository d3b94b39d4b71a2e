"""An asyncio event loop that polls its sockets for a short while before it sleeps, for lock-step backtests.

A backtest over the wire is a ping-pong: the gateway sends a step, waits for the ack, sends the next
one. Each side spends most of a step asleep in `epoll_wait`, and on virtual machines waking a halted
CPU for the reply costs tens of microseconds, more than encoding and handling the step together
(measured on the project's 2-core VM: a bare Python socket ping-pong takes 70 µs per round trip
when both sides block and 10 µs when both poll). Spinning for a bounded time before blocking trades
a little CPU for that latency, the way kernel busy-polling (`SO_BUSY_POLL`) does for NICs. When
nothing comes within the budget the loop blocks as usual, so an idle process costs at most one
budget per wake-up.

uvloop has no selector to replace: there the loop is kept turning by a callback that re-schedules
itself (`Spinner`) for `budget_s` after each `poke()`, which the application calls when it expects a
reply (the gateway after writing a step); a turning loop polls its sockets without blocking.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable

__all__ = ["DEFAULT_BUDGET_S", "BusyPollSelector", "Spinner", "loop_factory", "poke"]

#: Spin budget that covers a strategy's reply to a step on a loaded machine without burning idle time.
DEFAULT_BUDGET_S = 0.001


class BusyPollSelector(selectors.DefaultSelector):
    """The platform's default selector, polled without blocking for up to `budget_s` before each block."""

    def __init__(self, budget_s: float = DEFAULT_BUDGET_S) -> None:
        super().__init__()
        self.budget_s = budget_s

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        poll = super().select
        ready: list[tuple[selectors.SelectorKey, int]] = poll(0)
        if ready or (timeout is not None and timeout <= 0):
            return ready
        spin = self.budget_s if timeout is None else min(self.budget_s, timeout)
        clock = time.perf_counter
        start = clock()
        end = start + spin
        while clock() < end:
            ready = poll(0)
            if ready:
                return ready
        if timeout is not None:
            timeout = max(timeout - (clock() - start), 0.0)
        return poll(timeout)


def loop_factory(
    budget_s: float = DEFAULT_BUDGET_S, kind: str = "asyncio"
) -> Callable[[], asyncio.AbstractEventLoop]:
    """A factory for `asyncio.Runner(loop_factory=...)`: an event loop that busy-polls for `budget_s`.

    `kind` "asyncio" gives a selector loop that polls in its selector; "uvloop" (uvloop installed)
    a uvloop loop that spins after each `poke()`. A budget of 0 gives the plain loop of that kind.
    """
    if kind == "uvloop":
        import uvloop

        if budget_s <= 0:
            return uvloop.new_event_loop

        def new_uvloop() -> asyncio.AbstractEventLoop:
            loop = uvloop.new_event_loop()
            install_spinner(loop, budget_s)
            return loop

        return new_uvloop
    if kind != "asyncio":
        raise ValueError(f"unknown event loop kind: {kind!r}")
    if budget_s <= 0:
        return asyncio.new_event_loop

    def new_loop() -> asyncio.AbstractEventLoop:
        return asyncio.SelectorEventLoop(BusyPollSelector(budget_s))

    return new_loop


class Spinner:
    """Keeps a loop turning (polling without blocking) for `budget_s` after each `poke`, on any loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, budget_s: float = DEFAULT_BUDGET_S) -> None:
        self.loop = loop
        self.budget_s = budget_s
        self.deadline = 0.0
        self.spinning = False

    def poke(self) -> None:
        """Spin for the budget from now (a reply is expected)."""
        self.deadline = time.perf_counter() + self.budget_s
        if not self.spinning:
            self.spinning = True
            self.loop.call_soon(self._turn)

    def _turn(self) -> None:
        # a ready callback makes the next loop iteration poll with a zero timeout
        if time.perf_counter() < self.deadline:
            self.loop.call_soon(self._turn)
        else:
            self.spinning = False


#: The process's spinner, when its loop busy-polls that way (one server loop per process).
_spinner: Spinner | None = None


def install_spinner(loop: asyncio.AbstractEventLoop, budget_s: float) -> Spinner:
    """Make `poke()` spin `loop` for `budget_s` (for loops that cannot poll in a selector: uvloop)."""
    global _spinner
    _spinner = Spinner(loop, budget_s)
    return _spinner


def poke() -> None:
    """Tell a spinning loop a reply is expected soon; nothing on a busy-polling selector or a plain loop."""
    spinner = _spinner
    # only the loop it was made for (a closed loop of an earlier run in the same process is ignored)
    if spinner is not None and spinner.loop is asyncio.get_running_loop():
        spinner.poke()
