"""The Session a scenario receives: the client, the event stream, raw wire access and stepping helpers."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.describe import describe, describe_all
from tradewire.testkit.conformance.golden import LOCAL_TYPES
from tradewire.testkit.conformance.market import Market
from tradewire.testkit.conformance.stream import Batch, EventTap, RawWireTap, kind

__all__ = ["Connection", "ScenarioSkip", "Session"]


class ScenarioSkip(Exception):
    """Raised by a scenario whose precondition a shared target does not meet (the reason says which)."""


@dataclass
class Connection:
    """What a target hands the session: a client with the SDK's methods, and how to open the stream.

    Attributes:
        client: `tradewire.sdk.AsyncClient` (wire targets) or an in-process client with the same methods.
        open_tap: Opens the default event tap (SDK stream over the wire, `venue.stream()` in process).
        base_url: Wire targets: the server's base URL.
        api_key: Wire targets: the key the server expects (None when it is open).
        venue: In-process targets: the Venue object.
        symbol: A tradeable symbol when the target has no scripted market.
        shutdown: Targets with `server_control`: begin the server's graceful shutdown.
    """

    client: Any
    open_tap: Callable[[], Awaitable[EventTap]]
    base_url: str | None = None
    api_key: str | None = None
    venue: Any = None
    symbol: str = "AAPL"
    shutdown: Callable[[], None] | None = None
    cleanup: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


class Session:
    """One scenario run on one target. Scenarios read `client`, step the `stream`, and assert.

    Backtest targets advance only when the session releases what it took: `step()` releases every
    batch taken so far and waits for the next one, so an order submitted between two `step()` calls
    acts at the instant of the held batch, on every target alike.
    """

    def __init__(
        self, target: str, capabilities: frozenset[str], conn: Connection, market: Market | None
    ) -> None:
        self.target = target
        self.capabilities = capabilities
        self.conn = conn
        self.client = conn.client
        self.market = market
        self.trace: list[Any] = []  # every event of every batch taken, in order
        self._tap: EventTap | None = None
        self._held: list[Batch] = []
        self.local: list[Any] = []  # gateway-local notices (connection, ping, staleness) seen by `take`
        self._cursor = 0  # trace position after the last event `until` matched
        self._extra: list[Any] = []

    # -- facts ----------------------------------------------------------------------------------------
    @property
    def symbol(self) -> str:
        """The scenario's main symbol: the first scripted one, else the target's."""
        return self.market.symbols[0] if self.market is not None else self.conn.symbol

    @property
    def symbols(self) -> list[str]:
        """Every scripted symbol (or the target's one)."""
        return self.market.symbols if self.market is not None else [self.conn.symbol]

    async def require_flat(self, symbol: str | None = None) -> None:
        """Skip unless the account holds no position in `symbol` (shared targets may carry earlier state)."""
        sym = symbol or self.symbol
        if await self.client.list_positions(sym):
            raise ScenarioSkip(f"needs a flat {sym} position; the target's account already holds one")

    def has(self, name: str) -> bool:
        """Whether the target has a capability."""
        return name in self.capabilities

    @property
    def paced(self) -> bool:
        """Backtest pacing (the stream waits for acks)."""
        return cap.PACING in self.capabilities

    # -- the default stream ---------------------------------------------------------------------------
    async def stream(self) -> EventTap:
        """The default tap, opened on first use."""
        if self._tap is None:
            self._tap = await self.conn.open_tap()
        return self._tap

    async def take(self, timeout: float = 5.0) -> Batch | None:
        """The next batch, held (not released); None when the stream ended."""
        tap = await self.stream()
        while True:
            try:
                batch = await tap.next_batch(timeout)
            except TimeoutError:
                raise AssertionError(
                    f"no event within {timeout}s; events so far: {describe_all(self.trace[-8:])}"
                ) from None
            if batch is None:
                return None
            self._held.append(batch)
            if all(kind(e) in LOCAL_TYPES for e in batch.events):
                self.local.extend(batch.events)  # gateway notices: kept aside, never a step
                continue
            self.trace.extend(batch.events)
            return batch

    async def release(self) -> None:
        """Release every batch taken and not yet released."""
        tap = await self.stream()
        held, self._held = self._held, []
        for b in held:
            await tap.ack(b)

    async def step(self, timeout: float = 5.0) -> Batch:
        """Release what was taken, then take the next batch (the next instant in backtest)."""
        await self.release()
        batch = await self.take(timeout)
        if batch is None:
            raise AssertionError(f"the stream ended; last events: {describe_all(self.trace[-8:])}")
        return batch

    async def until(
        self, pred: Callable[[Any], bool], what: str, *, timeout: float = 10.0, max_batches: int = 2000
    ) -> Any:
        """The next event (after the previous match) matching `pred`, stepping as needed.

        Events are consumed in order: a cursor moves past each match, so successive calls find
        successive events even when they arrived in one batch. The AssertionError names `what`
        and the events seen.
        """
        start = self._cursor
        for _ in range(max_batches):
            while self._cursor < len(self.trace):
                e = self.trace[self._cursor]
                self._cursor += 1
                if pred(e):
                    return e
            # a batch already queued (e.g. the events of an order just placed) is taken before releasing
            tap = await self.stream()
            batch = await self.take(timeout) if tap.pending() else await self._step_or_none(timeout)
            if batch is None:
                break
        seen = self.trace[start:]
        raise AssertionError(
            f"expected {what}; the stream showed {len(seen)} events: {describe_all(seen[-12:])}"
        )

    async def seen(self, pred: Callable[[Any], bool], what: str, *, timeout: float = 10.0) -> Any:
        """An event matching `pred` anywhere in the trace so far, else the next one (`until`)."""
        for e in self.trace:
            if pred(e):
                return e
        return await self.until(pred, what, timeout=timeout)

    async def _step_or_none(self, timeout: float) -> Batch | None:
        await self.release()
        return await self.take(timeout)

    async def collect(
        self, pred: Callable[[Any], bool], what: str, *, count: int, timeout: float = 10.0
    ) -> list[Any]:
        """The next `count` events matching `pred` (consumed in order, like `until`)."""
        found = []
        for i in range(count):
            found.append(await self.until(pred, f"{what} ({i + 1} of {count})", timeout=timeout))
        return found

    async def run_to_end(self, timeout: float = 10.0, max_batches: int = 100_000) -> list[Any]:
        """Backtest: release and step until `backtest_complete`; returns the events of the rest of the run."""
        start = len(self.trace)
        for _ in range(max_batches):
            tap = await self.stream()
            batch = await self.take(timeout) if tap.pending() else await self._step_or_none(timeout)
            if batch is None or any(kind(e) == "backtest_complete" for e in batch.events):
                await self.release()
                self._cursor = len(self.trace)
                return self.trace[start:]
        raise AssertionError("the run did not complete")

    def events(
        self, type_: str | None = None, event: str | None = None, order_id: str | None = None
    ) -> list[Any]:
        """Events of the trace, filtered by wire type, `event` field and order id."""
        out = []
        for e in self.trace:
            if type_ is not None and kind(e) != type_:
                continue
            if event is not None and _event_name(e) != event:
                continue
            if (
                order_id is not None
                and getattr(getattr(e, "order", None), "id", None) != order_id
                and getattr(getattr(e, "trade", None), "order_id", None) != order_id
            ):
                continue
            out.append(e)
        return out

    # -- the raw wire ---------------------------------------------------------------------------------
    def headers(self, key: str | bool | None = True) -> dict[str, str]:
        """Request headers: `True` = the right key, a string = that key, None/False = no key."""
        k = self.conn.api_key if key is True else (key or None)
        return {"Authorization": f"Bearer {k}"} if k else {}

    def http(self, key: str | bool | None = True) -> httpx.AsyncClient:
        """A bare httpx client on the base URL (closed with the session)."""
        if self.conn.base_url is None:
            raise AssertionError("this target has no wire (the scenario should require 'wire')")
        client = httpx.AsyncClient(base_url=self.conn.base_url, headers=self.headers(key), timeout=10.0)
        self._extra.append(client)
        return client

    @property
    def ws_url(self) -> str:
        """The event stream URL."""
        assert self.conn.base_url is not None
        return "ws" + self.conn.base_url[4:] + "/v1/ws"

    async def raw_stream(
        self, framing: str = "single", key: str | bool | None = True, start: bool = True
    ) -> RawWireTap:
        """A minimal compatible client on the bare WebSocket (connected; pumping when `start`)."""
        tap = RawWireTap(self.ws_url, self.headers(key), framing)
        self._extra.append(tap)
        await tap.connect()
        if start:
            await tap.start()
        return tap

    async def close(self) -> None:
        """Close everything the session opened."""
        for x in reversed(self._extra):
            with contextlib.suppress(Exception):
                await (x.aclose() if isinstance(x, httpx.AsyncClient) else x.close())
        if self._tap is not None:
            with contextlib.suppress(Exception):
                await self._tap.close()

    def describe(self, event: Any) -> str:
        """One line naming an event (for assertion messages)."""
        return describe(event)


def _event_name(e: Any) -> str | None:
    from tradewire.protocol import codec

    ev = getattr(e, "event", None)
    return codec.enum_spelling(ev) if ev is not None and not isinstance(ev, str) else ev
