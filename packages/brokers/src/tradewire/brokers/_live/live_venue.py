"""The plumbing every live `Venue` shares: the event queue, the connected-only parts, status, cancels.

A broker's venue subclasses `LiveVenue[ItsHttp, ItsStream]` and fills in `connect`, `_order` (a broker
order as the protocol's `Order`), `_cancel_at_broker` and the protocol's calls; `close` takes the
shared parts down in order, the broker's market-data feeds first through `_close_feeds`.
"""

from __future__ import annotations

import abc
import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar, Final, Generic, Protocol, TypeVar

from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers._live.managed import TRIGGER_TYPES
from tradewire.brokers._live.managed_run import ManagedExits
from tradewire.brokers._live.store import Store
from tradewire.brokers._live.submit import ClientIdFactory, ClientIdRule
from tradewire.brokers._live.user_stream import ResyncingStream
from tradewire.protocol.errors import OrderNotModifiable, ProviderUnavailable
from tradewire.protocol.messages import (
    CancelOrderResult,
    ConnectionStatus,
    Order,
    OrderHandle,
    OrderStatus,
    OrderType,
    ServerMessage,
    SubmitOrderRequest,
    TradingPlatform,
)
from tradewire.protocol.venue import StreamBatch, Venue

__all__ = ["WORKING", "LiveVenue", "not_modifiable"]

#: The statuses in which an order still works at the broker (cancelable, modifiable).
WORKING: Final = frozenset(
    {OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED, OrderStatus.PENDING_CANCEL}
)


class _Client(Protocol):
    async def aclose(self) -> None: ...


HttpT = TypeVar("HttpT", bound=_Client)
StreamT = TypeVar("StreamT", bound="ResyncingStream[Any]")
T = TypeVar("T")


def not_modifiable(order_id: str, order: Order) -> OrderNotModifiable:
    """The error for a cancel or modify of an order that no longer works."""
    return OrderNotModifiable(
        f"Order not modifiable: {order_id} is {order.status.name}", {"order_id": order_id}
    )


class LiveVenue(Venue, Generic[HttpT, StreamT]):
    """A broker venue's shared state and the parts of the `Venue` that do not depend on the broker.

    Args:
        platform: The broker's `TradingPlatform` member (`live` follows it).
        client_ids: The broker's client order id rule (ids of our own are made under it).
        allow_live_orders: The first live opt-in, checked again in `connect()` (`check_live`).
        env: Where `check_live` reads TRADEWIRE_ALLOW_LIVE_ORDERS (the process environment by default).
        timeout: Seconds per REST request.
        backoff: The order stream's reconnect policy (mapping.md §8's by default).
        exit_poll: Seconds between price reads of symbols with an armed managed stop trigger.
    """

    #: How errors name the broker ("the Alpaca venue is not connected").
    broker_name: ClassVar[str]

    def __init__(
        self,
        platform: TradingPlatform,
        client_ids: ClientIdRule,
        *,
        allow_live_orders: bool,
        env: Mapping[str, str] | None,
        timeout: float,
        backoff: Backoff | None,
        exit_poll: float,
    ) -> None:
        self.platform = platform
        self._allow_live = allow_live_orders
        self._env = env
        self._timeout = timeout
        self._backoff = backoff
        self._queue: asyncio.Queue[StreamBatch | None] = asyncio.Queue()
        self._ids = ClientIdFactory(secrets.token_hex(4), client_ids)
        self._store: Store | None = None
        self._http: HttpT | None = None
        self._stream: StreamT | None = None
        self._exit_poll = exit_poll
        self._exits: ManagedExits | None = None

    # -- the broker's hooks -----------------------------------------------------------------------
    @abc.abstractmethod
    def _order(self, body: dict[str, Any]) -> Order:
        """One broker order as clients see it (managed labels, the client order id as given)."""

    @abc.abstractmethod
    async def _cancel_at_broker(self, order_id: str) -> Order:
        """Cancel a working order at the broker; the order as it stands after."""

    async def _close_feeds(self) -> None:
        """Stop what the broker adds besides the order stream (market data, timers); none by default."""

    # -- lifecycle ------------------------------------------------------------------------------
    async def close(self) -> None:
        if self._exits is not None:
            await self._exits.close()
            self._exits = None
        await self._close_feeds()
        if self._stream is not None:
            await self._stream.close()
            self._stream = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._store is not None:
            self._store.close()
            self._store = None
        self._queue.put_nowait(None)

    def _from_broker(self, batch: StreamBatch) -> None:
        # The broker's events as clients see managed orders; their effect on the exit rules is queued.
        messages = batch.messages if self._exits is None else self._exits.feed(batch.messages)
        self._queue.put_nowait(StreamBatch(self._for_clients(messages), batch.step, batch.event_ids))

    def _for_clients(self, messages: list[ServerMessage]) -> list[ServerMessage]:
        """The stream's messages as clients see them, once the exit rules have seen them as the broker
        sent them: each order shown by `_show_order`."""
        for m in messages:
            if m.order is not None and m.order.order is not None:
                self._show_order(m.order.order)
        return messages

    def _show_order(self, order: Order) -> None:
        """Make a streamed order what clients see; nothing by default. An adapter that hides its own
        client order ids does it here, not before: the exit rules know an order they sent by that id
        before the broker's answer names it."""

    def _connected(self, part: T | None) -> T:
        """`part`, which exists only while the venue is connected."""
        if part is None:
            raise ProviderUnavailable(f"the {self.broker_name} venue is not connected")
        return part

    @property
    def exits(self) -> ManagedExits:
        return self._connected(self._exits)

    @property
    def http(self) -> HttpT:
        return self._connected(self._http)

    @property
    def store(self) -> Store:
        return self._connected(self._store)

    async def stream(self) -> AsyncIterator[StreamBatch]:
        while True:
            batch = await self._queue.get()
            if batch is None:
                return
            yield batch

    async def status(self) -> ConnectionStatus:
        connected = self._stream is not None and self._stream.connected.is_set()
        return ConnectionStatus(connected=connected, latency_ms=0, last_heartbeat=dt.datetime.now(dt.UTC))

    # -- orders -----------------------------------------------------------------------------------
    def _handle(self, body: dict[str, Any]) -> OrderHandle:
        order = self._order(body)
        return OrderHandle(id=order.id, client_order_id=order.client_order_id, status=order.status)

    def _hold_trigger(self, client_id: str, request: SubmitOrderRequest) -> OrderHandle | None:
        """A STOP / STOP_LIMIT member of an OCO group, held by the gateway until it triggers; None for
        any other order."""
        if OrderType(request.order_type) not in TRIGGER_TYPES:
            return None
        manager = self.exits.manager
        held = manager.order(client_id)
        if held is None:  # a repeated client order id is the same trigger, not a second one
            self.exits.submit(manager.add_oco_member(client_id, request))
            held = manager.order(client_id)
        assert held is not None
        return OrderHandle(id=held.id, client_order_id=request.client_order_id, status=held.status)

    async def cancel_order(self, order_id: str) -> CancelOrderResult:
        manager = self.exits.manager
        if manager.order(order_id) is not None:  # a trigger the gateway holds: nothing at the broker
            self.exits.submit(manager.cancel(order_id) or ())
            held = manager.order(order_id)
            assert held is not None
            return CancelOrderResult(success=True, order=held)
        order_id = manager.broker_id(order_id) or order_id
        order = await self.get_order(order_id)
        if order.status == OrderStatus.CANCELLED:
            return CancelOrderResult(success=True, order=order)  # idempotent
        if order.status not in WORKING:
            raise not_modifiable(order_id, order)
        return CancelOrderResult(success=True, order=await self._cancel_at_broker(order_id))
