"""An asyncio event loop that polls its sockets for a short while before it sleeps, for lock-step backtests.

A backtest over the wire is a ping-pong: the gateway sends a step, waits for the ack, sends the next
one. Each side spends most of a step asleep in `epoll_wait`, and on virtual machines waking a halted
CPU for the reply costs tens of microseconds, more than encoding and handling the step together
(measured on the project's 2-core VM: a bare Python socket ping-pong takes 70 µs per round trip
when both sides block and 10 µs when both poll). Spinning for a bounded time before blocking trades
a little CPU for that latency, the way kernel busy-polling (`SO_BUSY_POLL`) does for NICs. When
nothing comes within the budget the loop blocks as usual, so an idle process costs at most one
budget per wake-up.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable

__all__ = ["DEFAULT_BUDGET_S", "BusyPollSelector", "loop_factory"]

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


def loop_factory(budget_s: float = DEFAULT_BUDGET_S) -> Callable[[], asyncio.AbstractEventLoop]:
    """A factory for `asyncio.Runner(loop_factory=...)`: a selector loop that busy-polls for `budget_s`.

    A budget of 0 gives the standard event loop.
    """
    if budget_s <= 0:
        return asyncio.new_event_loop

    def new_loop() -> asyncio.AbstractEventLoop:
        return asyncio.SelectorEventLoop(BusyPollSelector(budget_s))

    return new_loop
