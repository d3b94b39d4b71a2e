"""Carries out `managed.ExitManager`'s actions through an adapter's `ExitPort`, one at a time, in order.

The manager decides, this runs: a worker task executes places, cancels and emits in the order they
were decided, and a poll task feeds the prices of symbols with armed stop triggers. An adapter
implements `ExitPort` (five calls), routes its broker's events through `feed`, and calls `recover`
once after it connects; the Binance adapter reuses it unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final, Protocol

from tradewire.brokers._live.managed import Action, Cancel, Emit, ExitManager, Place
from tradewire.protocol.errors import (
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    TradewireError,
)
from tradewire.protocol.messages import Order, ServerMessage, SubmitOrderRequest

__all__ = ["ExitPort", "HoldAsTrigger", "ManagedExits"]

log = logging.getLogger(__name__)

#: Failures that say nothing about the exit itself (the broker busy, unreachable, or its answer lost):
#: the place is tried again, after these pauses (or the broker's Retry-After, when longer), before the
#: leg ends REJECTED. Places are idempotent, so a retry never makes a second order.
_TRANSIENT: Final = (RateLimited, ProviderUnavailable, ProviderError)
_RETRY_PAUSES: Final = (1.0, 2.0, 4.0)


class HoldAsTrigger(Exception):
    """Raised by `ExitPort.place_exit` for a stop the broker will not rest (the market is already past
    its price, or a resting sibling claims the quantity): the gateway holds it as a trigger instead."""


class ExitPort(Protocol):
    """What the manager needs of an adapter."""

    async def place_exit(self, client_order_id: str, request: SubmitOrderRequest) -> Order:
        """Send an exit under `client_order_id` so that at most one order results (`submit_idempotent`):
        a resend after a restart adopts the order the first send made.

        Raises:
            HoldAsTrigger: a stop the broker will not rest; the manager holds it (`ExitManager.held`).
            TradewireError: the broker refused it otherwise (the leg ends REJECTED).
        """
        ...

    async def cancel_exit(self, order_id: str) -> None:
        """Cancel the broker's order `order_id`; one that has ended already is not an error."""
        ...

    async def find_exit(self, client_order_id: str) -> Order | None:
        """The broker's order sent under `client_order_id`, or None (a restart reads states back)."""
        ...

    async def latest_prices(self, symbols: Iterable[str]) -> Mapping[str, tuple[Decimal, Decimal]]:
        """(bid, ask) of each symbol now."""
        ...

    def emit(self, messages: list[ServerMessage]) -> None:
        """Send events to clients (the adapter's stream)."""
        ...


class ManagedExits:
    """The running side of the manager: `start()` after connecting, `close()` before disconnecting.

    Args:
        manager: The venue's exit rules.
        port: The adapter.
        poll_seconds: How often the prices of symbols with an armed trigger are read.
    """

    def __init__(self, manager: ExitManager, port: ExitPort, poll_seconds: float = 1.0) -> None:
        self.manager = manager
        self._port = port
        self._poll = poll_seconds
        self._actions: asyncio.Queue[Action] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        #: Transient failures so far per leg, and the places waiting to be retried.
        self._failures: dict[str, int] = {}
        self._retries: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work()), asyncio.create_task(self._watch_prices())]

    async def close(self) -> None:
        for task in list(self._retries):
            task.cancel()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def submit(self, actions: Iterable[Action]) -> None:
        """Queue actions (from a client request the adapter handled)."""
        for action in actions:
            self._idle.clear()
            self._actions.put_nowait(action)

    def feed(self, messages: list[ServerMessage]) -> list[ServerMessage]:
        """The broker's events: their effect on the rules is queued; returns them as clients see them."""
        labelled = self.manager.label(messages)
        self.submit(self.manager.watch(messages))
        return labelled

    async def recover(self) -> None:
        """After a restart: read back the broker's state of every order a rule waits on, then redo what
        was left half done. Places are idempotent, so nothing is sent twice."""
        for client_id in self.manager.to_refresh():
            try:
                order = await self._port.find_exit(client_id)
            except TradewireError as e:
                log.warning("managed exits: could not read order %s back: %s", client_id, e)
                continue
            if order is not None:
                self.submit(self.manager.on_order(order))
        self.submit(self.manager.resume())

    async def idle(self) -> None:
        """Wait until every queued action has run (tests, shutdown)."""
        await self._idle.wait()

    async def _work(self) -> None:
        while True:
            action = await self._actions.get()
            try:
                await self._run(action)
            except Exception:  # a broken action must not stop the exits of every other rule
                log.exception("managed exits: %s failed", action)
            if self._actions.empty():
                self._idle.set()

    async def _run(self, action: Action) -> None:
        if isinstance(action, Emit):
            self._port.emit([action.message])
        elif isinstance(action, Cancel):
            try:
                await self._port.cancel_exit(action.order_id)
            except TradewireError as e:
                log.info("managed exits: cancel of %s: %s", action.order_id, e)
        elif isinstance(action, Place):
            try:
                order = await self._port.place_exit(action.leg_id, action.request)
            except HoldAsTrigger:
                self.submit(self.manager.held(action.leg_id))
            except TradewireError as e:
                if not self._retry_later(action, e):
                    self.submit(self.manager.failed(action.leg_id, f"{e.code}: {e}"))
            else:
                self._failures.pop(action.leg_id, None)
                self.submit(self.manager.placed(action.leg_id, order))

    def _retry_later(self, action: Place, error: TradewireError) -> bool:
        """Queue `action` again after a pause if `error` is transient and tries are left."""
        tries = self._failures.get(action.leg_id, 0)
        if not isinstance(error, _TRANSIENT) or tries >= len(_RETRY_PAUSES):
            self._failures.pop(action.leg_id, None)
            return False
        self._failures[action.leg_id] = tries + 1
        pause = max(_RETRY_PAUSES[tries], (error.retry_after or 0) if isinstance(error, RateLimited) else 0)
        log.warning(
            "managed exit %s: %s: %s; trying again in %.1f s", action.leg_id, error.code, error, pause
        )
        task = asyncio.create_task(self._place_later(action, pause))
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)
        return True

    async def _place_later(self, action: Place, pause: float) -> None:
        await asyncio.sleep(pause)
        if self.manager.is_managed(action.leg_id):  # not cancelled or ended meanwhile
            self.submit([action])

    async def _watch_prices(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            symbols = self.manager.trigger_symbols()
            if not symbols:
                continue
            try:
                prices = await self._port.latest_prices(symbols)
            except TradewireError as e:
                log.warning("managed exits: no prices for %s: %s", ", ".join(symbols), e)
                continue
            for symbol, (bid, ask) in prices.items():
                self.submit(self.manager.on_price(symbol, bid, ask))
