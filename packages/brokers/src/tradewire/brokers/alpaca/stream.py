"""Alpaca's `trade_updates` stream: order events and fills exactly once, across reconnects and resyncs.

One task owns the socket (authenticate, listen, read: JSON in binary frames, text accepted too) and
never blocks on consumers: what it emits goes onto an unbounded queue the venue's `stream()` drains.
On a loss `_live.user_stream.ResyncingStream` reconnects; once a new socket listens, the REST resync of
alpaca.md §12 runs while the `_live.resync.Sequencer` holds the new socket's updates: each tracked
non-terminal order (`GET /v2/orders/{id}`), the FILL activities since the gap, then positions and
the account; only then BROKER_RECONNECTED (mapping.md §8). Positions and the balance are read over
REST after fills (Alpaca's stream has no account events), debounced.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import websockets
from websockets.asyncio.client import ClientConnection

from tradewire.brokers._live import jsondecimal
from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers._live.resync import FillUpdate, OrderUpdate, Update
from tradewire.brokers._live.store import Store
from tradewire.brokers._live.user_stream import ResyncingStream, StreamClosed, utc_now
from tradewire.brokers.alpaca import legs, mapping, netting
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.http import AlpacaHttp, BrokerBody
from tradewire.protocol.errors import AuthenticationError, OrderNotFound, ProviderUnavailable, TradewireError
from tradewire.protocol.messages import (
    AccountEvent,
    AccountEventType,
    OrderEvent,
    Position,
    PositionEvent,
    ServerMessage,
    TradeEvent,
    TradeEventType,
)
from tradewire.protocol.venue import StreamBatch

__all__ = ["Change", "StreamClosed", "TradeStream"]

log = logging.getLogger(__name__)

#: Seconds to wait for the authorization and listening replies.
_HANDSHAKE: Final = 10.0
#: Seconds to wait for the close handshake: a broker that never answers it must not hold up a shutdown.
_CLOSE: Final = 2.0
#: Fills arriving this close together share one positions + account refresh.
_DEBOUNCE: Final = 0.2
#: Activities are read from this long before the loss: clocks differ, a fill may be stamped earlier.
_GAP_MARGIN: Final = dt.timedelta(seconds=5)
_ZERO: Final = Decimal(0)


@dataclass(frozen=True, slots=True)
class Change:
    """The payload of one sequenced update: a trade_updates `data` (or a resync's stand-in for one)
    or, for fills found by the resync, a FILL activity."""

    #: "event" (a trade_updates data object) or "activity" (a FILL account activity).
    kind: str
    data: BrokerBody


class TradeStream(ResyncingStream[Change]):
    """The trading stream task and the state it emits from.

    Args:
        config: The stream URL and keys.
        http: The REST client for resyncs and position / account refreshes.
        store: Seen fill ids are loaded from and saved to it (exactly once across restarts too).
        broker: The name connection events carry (`alpaca-paper`).
        emit: Called with each batch, in order; must not block (the venue puts it on a queue).
    """

    label = "Alpaca trading stream"
    lost_reason = "trading stream closed"

    def __init__(
        self,
        config: AlpacaConfig,
        http: AlpacaHttp,
        store: Store,
        broker: str,
        emit: Callable[[StreamBatch], None],
        *,
        policy: Backoff | None = None,
        draw: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        super().__init__(store, broker, emit, policy=policy, draw=draw, clock=clock, sleep=sleep)
        self.config = config
        self.http = http
        #: Non-terminal orders we know of: the resync reads each back (the list filter misses them).
        self.open_orders: set[str] = set()
        #: Orders reported created, so a later `new` / `accepted` is a status change.
        self._created: set[str] = set()
        #: Cumulative filled quantity last reported per order (a fill's size is the increase).
        self._filled: dict[str, Decimal] = {}
        #: Signed quantity and last broker body per position symbol (Alpaca's position form).
        self._positions: dict[str, tuple[Decimal, BrokerBody]] = {}
        self._refresh_due: asyncio.Event = asyncio.Event()
        self._refresher: asyncio.Task[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Seed state from REST, connect (an auth failure raises here), catch up on what Alpaca did
        while no venue ran, then run in the background.

        The catch-up reads, from the store's mark on (`Store.caught_up_to`: the broker time of the last
        update emitted), the open orders that changed, the fills, and the orders submitted and closed
        meanwhile; each missed order state and fill is emitted once, in broker order, before this
        returns (before the venue reports connected). The new socket's updates wait meanwhile.

        Raises:
            AuthenticationError: Alpaca refused the keys on the stream.
            ProviderUnavailable: the first connection failed.
        """
        mark = self.store.caught_up_to()
        missed: list[BrokerBody] = []
        # Flat: a bracket whose entry filled is not in the nested list, its working exits only here.
        for body in await self.http.list_orders("open", nested=False):
            if mark is not None and mapping.time_ns(_text(body, "updated_at")) > mark:
                missed.append(body)  # changed while no venue ran: news, emitted by the catch-up
            else:
                self._seed(body)
        for body in await self.http.positions():
            self._positions[str(body["symbol"])] = (jsondecimal.decimal_field(body, "qty"), body)
        self.sequencer.begin_gap()
        try:
            ws = await self._open()
        except (OSError, StreamClosed, websockets.exceptions.WebSocketException) as e:
            raise ProviderUnavailable(f"Alpaca's trading stream cannot be reached: {e}") from e
        reader = asyncio.create_task(self._read(ws))
        try:
            if mark is None:  # a new store: from now on (Alpaca's clock, the time its updates carry)
                self.store.set_caught_up_to(mapping.time_ns(_text(await self.http.clock(), "timestamp")))
                snapshot: list[Update[Change]] = []
            else:
                snapshot = await self._catch_up(mark, missed)
            self._release(self.sequencer.finish(snapshot))
        except BaseException:
            reader.cancel()
            with contextlib.suppress(Exception):
                await ws.close()
            raise
        self.link.up(self._clock())
        self.connected.set()
        self._task = asyncio.create_task(self._keep_up(reader), name="alpaca-trade-updates")
        self._refresher = asyncio.create_task(self._refresh_loop(), name="alpaca-refresh")

    def _background(self) -> tuple[asyncio.Task[None] | None, ...]:
        return (self._task, self._refresher)

    def track(self, body: BrokerBody) -> None:
        """An order the venue placed or read: resynced after a gap while it is not terminal."""
        order_id = str(body["id"])
        if str(body.get("status")) in mapping.TERMINAL:
            self.open_orders.discard(order_id)
        else:
            self.open_orders.add(order_id)

    def _seed(self, body: BrokerBody) -> None:
        # Known at start: its current state is not news (no event), later changes are.
        order_id = str(body["id"])
        self.track(body)
        self._created.add(order_id)
        self._filled[order_id] = jsondecimal.optional_decimal(body, "filled_qty") or _ZERO
        self.sequencer.versions[order_id] = mapping.order_version(body)

    # -- the socket -----------------------------------------------------------------------------
    async def _open(self) -> ClientConnection:
        """Connect, authenticate and listen (alpaca.md §10).

        Raises:
            AuthenticationError: the keys were refused (not retried: they will not improve).
            StreamClosed: anything else went wrong.
        """
        ws = await websockets.connect(
            self.config.stream_url,
            open_timeout=_HANDSHAKE,
            close_timeout=_CLOSE,
            max_size=2**22,
            logger=self.config.wire_logger(),
        )
        try:
            keys = self.config.credentials
            await ws.send(
                json.dumps(
                    {
                        "action": "authenticate",
                        "data": {"key_id": keys.key_id.reveal(), "secret_key": keys.secret.reveal()},
                    }
                )
            )
            reply = await self._reply(ws)
            if reply.get("stream") != "authorization" or reply.get("data", {}).get("status") != "authorized":
                raise AuthenticationError("Alpaca refused the API keys on the trading stream")
            await ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
            reply = await self._reply(ws)
            if reply.get("stream") != "listening":
                raise StreamClosed(f"Alpaca did not confirm listening: {reply.get('stream')!r}")
        except BaseException:
            await ws.close()
            raise
        self._ws = ws
        return ws

    async def _reply(self, ws: ClientConnection) -> dict[str, Any]:
        async with asyncio.timeout(_HANDSHAKE):
            frame = await ws.recv()
        parsed = jsondecimal.loads(frame)
        if not isinstance(parsed, dict):
            raise StreamClosed("unexpected frame in the stream handshake")
        return parsed

    def _on_message(self, message: dict[str, Any]) -> bool:
        if message.get("stream") == "trade_updates":
            try:
                self._on_update(message.get("data") or {})
            except (jsondecimal.BrokerJsonError, KeyError, ValueError) as e:
                # One malformed update must not take the stream down; the resync repairs state.
                log.warning("Alpaca trade update skipped: %s: %s", type(e).__name__, e)
        return True

    async def _snapshot(self, lost_at: dt.datetime) -> list[Update[Change]]:
        """What the gap hid, from REST: each tracked order's state, then the fills since the loss."""
        since = lost_at - _GAP_MARGIN
        updates: list[Update[Change]] = []
        for order_id in sorted(self.open_orders):
            try:
                body = await self.http.get_order(order_id)
            except OrderNotFound:
                self.open_orders.discard(order_id)
                continue
            event = mapping.event_of_status(str(body.get("status")))
            data = {"event": event, "timestamp": body.get("updated_at"), "order": body}
            updates.append(self._order_update(data))
        after = since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for activity in await self.http.fill_activities(after):
            key = mapping.fill_key(str(activity["order_id"]), jsondecimal.decimal_field(activity, "cum_qty"))
            at = mapping.time_ns(str(activity.get("transaction_time") or ""))
            updates.append(FillUpdate(key, str(activity["order_id"]), at, Change("activity", activity)))
        return updates

    async def _catch_up(self, mark: int, missed: list[BrokerBody]) -> list[Update[Change]]:
        """What Alpaca did after `mark` while no venue ran: `missed` open orders, fills, and the orders
        submitted and finished meanwhile (an older order finished meanwhile without a fill is not
        found: Alpaca lists orders by submission time)."""
        updates: list[Update[Change]] = []
        done: set[str] = set()
        for body in missed:
            done.add(str(body["id"]))
            updates += self._found(body, mark)
        since = dt.datetime.fromtimestamp(mark / 1e9, dt.UTC) - _GAP_MARGIN
        for activity in await self.http.fill_activities(since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")):
            order_id = str(activity["order_id"])
            key = mapping.fill_key(order_id, jsondecimal.decimal_field(activity, "cum_qty"))
            at = mapping.time_ns(str(activity.get("transaction_time") or ""))
            updates.append(FillUpdate(key, order_id, at, Change("activity", activity)))
            if order_id not in done:
                done.add(order_id)
                with contextlib.suppress(OrderNotFound):
                    body = await self.http.get_order(order_id)
                    if mapping.time_ns(_text(body, "updated_at")) > mark:
                        updates += self._found(body, mark)
        after = dt.datetime.fromtimestamp(mark / 1e9, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for body in await self.http.list_orders("closed", after=after, direction="asc"):
            if str(body["id"]) not in done:
                done.add(str(body["id"]))
                updates += self._found(body, mark)
        return updates

    def _found(self, body: BrokerBody, mark: int) -> list[Update[Change]]:
        """One order's state found by the catch-up, preceded by its creation when that came after `mark`
        too (Alpaca shows only the current state: the creation is that order as it was submitted)."""
        self.track(body)
        status = str(body.get("status") or "")
        submitted = _text(body, "submitted_at") or _text(body, "created_at")
        updates: list[Update[Change]] = []
        if mapping.time_ns(submitted) <= mark:
            self._created.add(str(body["id"]))  # created before the stop: reported then
        elif mapping.event_of_status(status) not in ("new", "accepted", "pending_new"):
            first = {**body, "status": "new", "filled_qty": "0", "filled_avg_price": None}
            first["updated_at"] = submitted
            updates.append(self._order_update({"event": "new", "timestamp": submitted, "order": first}))
        event = mapping.event_of_status(status)
        data = {"event": event, "timestamp": body.get("updated_at"), "order": body}
        updates.append(self._order_update(data))
        return updates

    # -- updates → messages -------------------------------------------------------------------------
    def _order_update(self, data: BrokerBody) -> OrderUpdate[Change]:
        order = data["order"]
        at = mapping.time_ns(str(data.get("timestamp") or order.get("updated_at") or ""))
        return OrderUpdate(str(order["id"]), mapping.order_version(order), at, Change("event", data))

    def _on_update(self, data: BrokerBody) -> None:
        event = str(data.get("event") or "")
        order = data.get("order")
        if not isinstance(order, dict) or "id" not in order:
            return
        if event in ("order_cancel_rejected", "order_replace_rejected"):
            # No event for clients: the cancel / replace call itself answers (mapping.md §6).
            log.info("Alpaca %s for order %s", event, order["id"])
            return
        updates: list[Update[Change]] = []
        if event in ("fill", "partial_fill"):
            key = mapping.fill_key(str(order["id"]), jsondecimal.decimal_field(order, "filled_qty"))
            at = mapping.time_ns(str(data.get("timestamp") or ""))
            updates.append(FillUpdate(key, str(order["id"]), at, Change("event", data)))
        updates.append(self._order_update(data))
        released: list[Update[Change]] = []
        for update in updates:
            released += self.sequencer.feed(update)
        self._release(released)

    def _release(self, updates: list[Update[Change]]) -> None:
        """Emit released updates. events.md's order for one fill: the order (fill), the trade, the
        position; the balance follows from the debounced refresh. The sequencer puts a fill before the
        order state it produced, so a fill's messages wait for that order's message."""
        messages: list[ServerMessage] = []
        fills: list[str] = []
        waiting: dict[str, list[ServerMessage]] = {}
        for update in updates:
            if isinstance(update, FillUpdate):
                fill = [self._trade_message(update), *self._position_messages(update.payload)]
                waiting.setdefault(update.order_id, []).extend(fill)
                fills.append(update.execution_id)
            else:
                message = self._order_message(update.payload.data)
                if message is not None:
                    messages.append(message)
                messages += waiting.pop(update.order_id, [])
        for rest in waiting.values():
            messages += rest
        if fills:
            self.store.remember_fills(fills)
            self._refresh_due.set()
        if updates:
            self.store.set_caught_up_to(max(update.at_ns for update in updates))
        if messages:
            self._emit(StreamBatch(messages))

    def _trade_message(self, update: FillUpdate[Change]) -> ServerMessage:
        change = update.payload
        if change.kind == "activity":
            trade = mapping.trade_from_activity(change.data)
            cum = jsondecimal.decimal_field(change.data, "cum_qty")
        else:
            trade = mapping.trade_from_fill(change.data, self._filled.get(update.order_id))
            cum = jsondecimal.decimal_field(change.data["order"], "filled_qty")
        self._filled[update.order_id] = max(cum, self._filled.get(update.order_id, _ZERO))
        return ServerMessage(
            trade=TradeEvent(event=TradeEventType.TRADE_FILLED, trade=trade, timestamp=utc_now())
        )

    def _order_message(self, data: BrokerBody) -> ServerMessage | None:
        order_body = data["order"]
        order_id = str(order_body["id"])
        event = str(data.get("event") or "")
        self.track(order_body)
        if event == "replaced":
            # The replacement's own `new` (its `replaces` names this order) reports the change.
            self._created.add(order_id)
            return None
        created_before = order_id in self._created
        if event in ("new", "accepted", "pending_new") and order_body.get("replaces") and not created_before:
            kind = mapping.order_event_type(
                "replaced", created_before=True, bracket=mapping.is_bracket(order_body)
            )
        else:
            kind = mapping.order_event_type(
                event, created_before=created_before, bracket=mapping.is_bracket(order_body)
            )
        self._created.add(order_id)
        if kind is None:
            return None
        legs.remember(self.store, order_body)
        parent = legs.parent_of(self.store, order_id)
        # with Alpaca's client order id: the exit rules follow it (the venue shows clients theirs)
        order = mapping.order_from_broker(order_body, parent_id=parent)
        stamp = mapping.timestamp(str(data.get("timestamp") or "")) or utc_now()
        return ServerMessage(
            order=OrderEvent(event=kind, order=order, parent_order_id=parent, timestamp=stamp)
        )

    def _position_messages(self, change: Change) -> list[ServerMessage]:
        """The position events of one stream fill, from its `position_qty` (mapping.md §6). A fill the
        resync found (an activity, no `position_qty`) is left to the resync's REST refresh."""
        position_qty = jsondecimal.optional_decimal(change.data, "position_qty")
        if change.kind != "event" or position_qty is None:
            return []
        order = change.data["order"]
        key = mapping.position_id(str(order["symbol"]))
        before, old = self._positions.get(key, (_ZERO, None))
        body = netting.after_fill(
            old,
            before,
            symbol=key,
            asset_class=str(order.get("asset_class") or ""),
            price=jsondecimal.decimal_field(change.data, "price"),
            position_qty=position_qty,
        )
        if body is None:
            self._positions.pop(key, None)
        else:
            self._positions[key] = (position_qty, body)
        return self._position_events(before, old, position_qty, body)

    def _position_events(
        self, before: Decimal, old: BrokerBody | None, after: Decimal, body: BrokerBody | None
    ) -> list[ServerMessage]:
        messages = []
        for kind in mapping.position_event_type(before, after):
            if kind.name == "POSITION_CLOSED":
                position = _closed(mapping.position_from_broker(old)) if old is not None else None
            else:
                position = mapping.position_from_broker(body) if body is not None else None
            if position is not None:
                messages.append(
                    ServerMessage(position=PositionEvent(event=kind, position=position, timestamp=utc_now()))
                )
        return messages

    # -- positions and balance ------------------------------------------------------------------
    async def _refresh_loop(self) -> None:
        while True:
            await self._refresh_due.wait()
            await self._sleep(_DEBOUNCE)
            if not self._refresh_due.is_set():
                continue  # a resync refreshed meanwhile
            self._refresh_due.clear()
            try:
                # The fills' position events went out with them; a REST read only refreshes the rest.
                await self._refresh(positions=False)
            except TradewireError as e:  # the next fill or resync tries again
                log.warning("Alpaca position / account refresh failed: %s", e)

    async def _refresh(self, *, positions: bool = True) -> None:
        """BALANCE_UPDATED (mapping.md §6), after position events for every position REST shows changed
        (after a resync: its fills carry no `position_qty`). With `positions` False the positions are
        only re-read: one whose quantity is still the last fill's takes the fresh body (prices)."""
        bodies = {str(b["symbol"]): b for b in await self.http.positions()}
        messages: list[ServerMessage] = []
        for symbol in sorted(set(bodies) | set(self._positions)):
            before, old = self._positions.get(symbol, (_ZERO, None))
            body = bodies.get(symbol)
            after = _ZERO if body is None else jsondecimal.decimal_field(body, "qty")
            if not positions:
                if body is not None and after == before:
                    self._positions[symbol] = (after, body)
                continue
            messages += self._position_events(before, old, after, body)
            if body is None:
                self._positions.pop(symbol, None)
            else:
                self._positions[symbol] = (after, body)
        unrealized = sum(
            (jsondecimal.optional_decimal(b, "unrealized_pl") or _ZERO for b in bodies.values()), _ZERO
        )
        account = mapping.account_from_broker(await self.http.account(), unrealized)
        messages.append(
            ServerMessage(
                account=AccountEvent(
                    event=AccountEventType.BALANCE_UPDATED, account=account, timestamp=utc_now()
                )
            )
        )
        self._emit(StreamBatch(messages))

    async def _after_resync(self) -> None:
        await self._refresh()
        self._refresh_due.clear()  # this refresh covered the released fills


def _text(body: BrokerBody, key: str) -> str | None:
    value = body.get(key)
    return None if value is None else str(value)


def _closed(position: Position) -> Position:
    position.quantity = "0"
    position.unrealized_pnl = "0"
    return position
