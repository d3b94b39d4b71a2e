"""Binance user data over the WebSocket API: order events and fills exactly once, across gaps and rotations.

The listenKey stream is gone (binance.md §7): one socket to the WebSocket API subscribes with
`userDataStream.subscribe.signature` (any key type) and receives `{"subscriptionId","event"}` frames.
Before the 24-hour limit, or at once on `serverShutdown`, a second socket subscribes first and the
old one closes after (overlap; the `_live.resync.Sequencer` drops what both deliver: trade ids and
order versions). A socket lost unexpectedly is recovered by `_live.user_stream.ResyncingStream`: once a
new one is subscribed, the REST resync of binance.md §12 runs while the new socket's events are held (each
tracked order, its trades, then the account), and only then BROKER_RECONNECTED (mapping.md §8).
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
from tradewire.brokers._live.user_stream import LINK_ERRORS, ResyncingStream, StreamClosed, utc_now
from tradewire.brokers.binance import mapping, signing
from tradewire.brokers.binance.client_ids import GivenIds, with_list_exits
from tradewire.brokers.binance.config import BinanceConfig
from tradewire.brokers.binance.errors import error_from_response
from tradewire.brokers.binance.http import BinanceHttp, BrokerBody
from tradewire.brokers.binance.positions import PositionBook
from tradewire.protocol.errors import AuthenticationError, OrderNotFound, ProviderUnavailable
from tradewire.protocol.messages import (
    AccountEvent,
    AccountEventType,
    Order,
    OrderEvent,
    OrderEventType,
    OrderStatus,
    PositionEvent,
    ServerMessage,
    TradeEvent,
    TradeEventType,
)
from tradewire.protocol.venue import StreamBatch

__all__ = ["LIFETIME", "Change", "StreamClosed", "UserStream"]

log = logging.getLogger(__name__)

_HANDSHAKE: Final = 10.0
_CLOSE: Final = 2.0
#: Binance closes a connection after 24 h: rotate 10 minutes before (binance.md §12).
LIFETIME: Final = 23 * 3600 + 50 * 60
#: How long the old socket stays open after the new one subscribed (its last events are deduped).
_OVERLAP: Final = 1.0
_ZERO: Final = Decimal(0)


@dataclass(frozen=True, slots=True)
class Change:
    """The payload of one sequenced update: an `executionReport` ("report"), a REST order ("order") or a
    `myTrades` row ("trade")."""

    kind: str
    data: BrokerBody


@dataclass(slots=True)
class Tracked:
    """An order this process follows until it is finished (the resync reads it back)."""

    symbol: str
    broker_id: int


class UserStream(ResyncingStream[Change]):
    """The user-data socket(s), the state it emits from, and the resync.

    Args:
        config: The WebSocket API URL and the key.
        http: REST for the resync and the account.
        store: Seen fill ids (exactly once across restarts too).
        book: Balances and cost bases; position and balance events come from it.
        broker: The name connection events carry (`binance-testnet`).
        emit: Called with each batch, in order; must not block.
        lifetime: Seconds before a socket is rotated (Binance's limit is 24 h).
    """

    label = "Binance user data"
    lost_reason = "user data stream closed"

    def __init__(
        self,
        config: BinanceConfig,
        http: BinanceHttp,
        store: Store,
        book: PositionBook,
        broker: str,
        emit: Callable[[StreamBatch], None],
        *,
        policy: Backoff | None = None,
        draw: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        lifetime: float = LIFETIME,
        answer_grace: float = 0.5,
    ) -> None:
        super().__init__(store, broker, emit, policy=policy, draw=draw, clock=clock, sleep=sleep)
        self.config = config
        self.http = http
        self.book = book
        self.lifetime = lifetime
        #: The client order ids answers show (the client's own, rest.md).
        self.given = GivenIds(store)
        #: Our order id → where it lives, for every order not yet finished.
        self.open_orders: dict[str, Tracked] = {}
        self._created: set[str] = set()
        #: Orders being replaced by cancelReplace (their CANCELED is not news) → the new client id.
        self.replacing: dict[str, str] = {}
        #: New client order id of a cancelReplace → the order it replaces (its NEW is ORDER_MODIFIED).
        self.replacements: dict[str, str] = {}
        #: Exit legs of an order list → the entry's order id.
        self.parents: dict[str, str] = {}
        #: Client order id of an exit leg → the entry's client order id (before the legs have ids).
        self.leg_parents: dict[str, str] = {}
        #: Client order ids of order-list entries (their creation is BRACKET_ORDER_CREATED).
        self._entries: set[str] = set()
        self._orders_by_client: dict[str, str] = {}
        self._rotate = asyncio.Event()
        #: Seconds a submit's own answer waits for the stream's reports of the same order.
        self.answer_grace = answer_grace
        self._answers: set[asyncio.TimerHandle] = set()
        self._next_id = 0

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Catch up on what happened while no venue ran, subscribe (a refused key raises here), and run
        in the background. Orders of a previous run that were still working are read back with their
        trades: what changed meanwhile is emitted once (the store knows what was emitted before).

        Raises:
            AuthenticationError: Binance refused the key or signature.
            ProviderUnavailable: the first connection failed.
        """
        self._load_emitted()
        for body in await self.http.open_orders():
            our_id = mapping.order_id(str(body["symbol"]), int(body["orderId"]))
            if our_id not in self.open_orders:
                self._seed(body)
        self.book.set_balances((await self.http.account()).get("balances") or (), replace=True)
        self.sequencer.begin_gap()  # the new socket's events wait for the catch-up
        try:
            ws = await self._open()
        except (OSError, StreamClosed, TimeoutError, websockets.exceptions.WebSocketException) as e:
            raise ProviderUnavailable(f"Binance's WebSocket API cannot be reached: {e}") from e
        self.link.up(self._clock())
        self._task = asyncio.create_task(self._run(ws), name="binance-user-data")
        self._release(self.sequencer.finish(await self._snapshot()))
        self.connected.set()

    def _load_emitted(self) -> None:
        """The last state emitted of each order of earlier runs; unfinished ones are followed again."""
        for ids in self.store.orders():
            parsed = None if ids.broker_id is None else mapping.parse_order_id(ids.broker_id)
            text = None if ids.broker_id is None else self.store.value(f"v:{ids.broker_id}")
            if parsed is None or text is None or ids.broker_id is None:
                continue
            version = mapping.version_from_text(text)
            self.sequencer.versions[ids.broker_id] = version
            self._created.add(ids.broker_id)
            self._orders_by_client[ids.client_order_id] = ids.broker_id
            if not mapping.version_is_final(version):
                self.open_orders[ids.broker_id] = Tracked(*parsed)

    async def close(self) -> None:
        for handle in self._answers:
            handle.cancel()
        await super().close()

    def track(self, body: BrokerBody) -> None:
        """An order the venue placed or read: followed (and resynced) until it is finished."""
        our_id = mapping.order_id(str(body["symbol"]), int(body["orderId"]))
        client = str(body.get("clientOrderId") or "")
        if client:
            self._orders_by_client[client] = our_id
            parent_client = self.leg_parents.get(client)
            if parent_client is not None and parent_client in self._orders_by_client:
                self.parents[our_id] = self._orders_by_client[parent_client]
        if str(body.get("status")) in mapping.TERMINAL:
            self.open_orders.pop(our_id, None)
        else:
            self.open_orders[our_id] = Tracked(str(body["symbol"]), int(body["orderId"]))

    def _seed(self, body: BrokerBody) -> None:
        # Known at start: its current state is not news, later changes are.
        our_id = mapping.order_id(str(body["symbol"]), int(body["orderId"]))
        self.track(body)
        self._created.add(our_id)
        self.sequencer.versions[our_id] = _rest_version(body)

    def expect_list(self, entry_client_id: str, leg_client_ids: tuple[str, ...]) -> None:
        """An order list is about to be sent: its legs' parent and its entry's creation event."""
        self._entries.add(entry_client_id)
        for leg in leg_client_ids:
            self.leg_parents[leg] = entry_client_id

    def rotate_now(self) -> None:
        """Open a fresh socket now and retire the current one (serverShutdown, tests)."""
        self._rotate.set()

    # -- the socket -----------------------------------------------------------------------------
    def _request_id(self) -> str:
        self._next_id += 1
        return f"tw-{self._next_id}"

    async def _open(self) -> ClientConnection:
        """Connect and subscribe to user data (binance.md §7).

        Raises:
            AuthenticationError: the key or signature was refused (not retried).
            StreamClosed: anything else went wrong.
        """
        ws = await websockets.connect(
            self.config.ws_api_url,
            open_timeout=_HANDSHAKE,
            close_timeout=_CLOSE,
            max_size=2**22,
            logger=self.config.wire_logger(),
        )
        try:
            params: dict[str, object] = {
                "apiKey": self.config.credentials.key_id.reveal(),
                "recvWindow": self.config.recv_window,
                "timestamp": self.http.timestamp(),
            }
            params["signature"] = self.http.signer.sign(signing.ws_payload(params))
            ident = self._request_id()
            await ws.send(
                json.dumps({"id": ident, "method": "userDataStream.subscribe.signature", "params": params})
            )
            async with asyncio.timeout(_HANDSHAKE):
                while True:
                    reply = jsondecimal.loads(await ws.recv())
                    if isinstance(reply, dict) and reply.get("id") == ident:
                        break
            status = int(reply.get("status") or 0)
            if status != 200:
                error = error_from_response(status, reply.get("error"), "account")
                if isinstance(error, AuthenticationError):
                    raise error
                raise StreamClosed(f"subscription refused: {reply.get('error')}")
        except BaseException:
            await ws.close()
            raise
        self._ws = ws
        return ws

    def _on_message(self, message: dict[str, Any]) -> bool:
        event = message.get("event")
        if not isinstance(event, dict):
            return True  # a response to a request of ours
        try:
            self._on_event(event)
        except (jsondecimal.BrokerJsonError, KeyError, ValueError, TypeError) as e:
            # One malformed event must not take the stream down; the resync repairs state.
            log.warning("Binance user data event skipped: %s: %s", type(e).__name__, e)
        return event.get("e") != "eventStreamTerminated"

    async def _run(self, ws: ClientConnection) -> None:
        # Not `ResyncingStream._keep_up`: besides recovering a lost socket (its `_recover`), this one
        # retires a healthy socket on schedule, the new one subscribed first (Binance's 24-hour limit).
        reader: asyncio.Task[None] | None = asyncio.create_task(self._read(ws))
        current = ws
        while reader is not None:
            rotate = asyncio.create_task(self._rotate.wait())
            done, _ = await asyncio.wait(
                {reader, rotate}, timeout=self.lifetime, return_when=asyncio.FIRST_COMPLETED
            )
            rotate.cancel()
            if reader in done:
                self.connected.clear()
                reader = await self._recover()
                if self._ws is not None:
                    current = self._ws
                continue
            self._rotate.clear()
            try:
                fresh = await self._open()
            except LINK_ERRORS as e:
                log.warning("Binance user data: rotating the socket failed (%s); keeping the old one", e)
                continue
            new_reader = asyncio.create_task(self._read(fresh))
            await self._sleep(_OVERLAP)  # both deliver meanwhile: the sequencer drops repeats
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
            with contextlib.suppress(Exception):
                await current.close()
            reader, current = new_reader, fresh
            log.info("Binance user data: socket rotated")
        # Gave up: BROKER_CONNECTION_FAILED was sent and the stream stays down.

    async def _snapshot(self, lost_at: dt.datetime | None = None) -> list[Update[Change]]:
        """What the gap hid (binance.md §12): each tracked order's state and its trades, then every open
        order and open order list member not followed yet (placed meanwhile, here or by another client
        of the account), then the trades since the last one reported of orders that finished unseen.
        Orders carry their own versions and trades their ids, so the time of the loss is not needed."""
        updates: list[Update[Change]] = []
        followed = set(self.open_orders)
        for our_id, where in sorted(self.open_orders.items()):
            try:
                body = await self.http.get_order(where.symbol, where.broker_id)
            except OrderNotFound:
                self.open_orders.pop(our_id, None)
                continue
            if (jsondecimal.optional_decimal(body, "executedQty") or _ZERO) > 0:
                for row in await self.http.my_trades(where.symbol, order_id=where.broker_id):
                    updates.append(self._trade_update(row))
            updates.append(self._rest_order_update(body))
        for body in await self.http.open_orders():
            our_id = mapping.order_id(str(body["symbol"]), int(body["orderId"]))
            if our_id not in followed:
                followed.add(our_id)
                updates += await self._unfollowed(body)
        # binance.md §12: the open order lists too. Their members are open orders, so openOrders
        # normally named them already; one it did not (an OTO's pending order) is read here.
        for listed in await self.http.open_order_lists():
            for member in listed.get("orders") or ():
                symbol, broker_id = str(member["symbol"]), int(member["orderId"])
                if mapping.order_id(symbol, broker_id) in followed:
                    continue
                followed.add(mapping.order_id(symbol, broker_id))
                with contextlib.suppress(OrderNotFound):
                    updates += await self._unfollowed(await self.http.get_order(symbol, broker_id))
        return updates + await self._trades_since_last(followed)

    async def _unfollowed(self, body: BrokerBody) -> list[Update[Change]]:
        """An order the resync found that nobody followed: followed from now on; its fills and state."""
        self.track(body)
        updates: list[Update[Change]] = []
        if (jsondecimal.optional_decimal(body, "executedQty") or _ZERO) > 0:
            for row in await self.http.my_trades(str(body["symbol"]), order_id=int(body["orderId"])):
                updates.append(self._trade_update(row))
        updates.append(self._rest_order_update(body))
        return updates

    async def _trades_since_last(self, done: set[str]) -> list[Update[Change]]:
        """binance.md §12: `myTrades` from the last trade id reported, per symbol: the fills of orders
        nobody followed that finished during the gap (placed by another client of the account), each
        with its order's state. Orders in `done` were read with their trades already."""
        updates: list[Update[Change]] = []
        for symbol in sorted({ids.symbol for ids in self.store.orders()}):
            last = self._last_trade(symbol)
            if last is None:
                continue
            by_order: dict[int, list[BrokerBody]] = {}
            for row in await self.http.trades_since(symbol, last + 1):
                by_order.setdefault(int(row["orderId"]), []).append(row)
            for broker_id, rows in sorted(by_order.items()):
                if mapping.order_id(symbol, broker_id) in done:
                    continue
                updates += [self._trade_update(row) for row in rows]
                with contextlib.suppress(OrderNotFound):
                    body = await self.http.get_order(symbol, broker_id)
                    self.track(body)
                    updates.append(self._rest_order_update(body))
        return updates

    def _last_trade(self, symbol: str) -> int | None:
        text = self.store.value(f"last-trade:{symbol}")
        return None if text is None else int(text)

    def _note_last_trades(self, execution_ids: list[str]) -> None:
        """The highest trade id reported per symbol (`<SYMBOL>-t<id>`), where the next resync reads on."""
        highest: dict[str, int] = {}
        for key in execution_ids:
            symbol, _, digits = key.rpartition("-t")
            if symbol and digits.isdigit():
                highest[symbol] = max(highest.get(symbol, -1), int(digits))
        for name, trade_id in highest.items():
            last = self._last_trade(name)
            if last is None or trade_id > last:
                self.store.set_value(f"last-trade:{name}", str(trade_id))

    # -- events → updates -------------------------------------------------------------------------
    def _trade_update(self, row: BrokerBody) -> FillUpdate[Change]:
        symbol = str(row["symbol"])
        key = f"{symbol}-t{row['id']}"
        at = int(row.get("time") or 0) * 1_000_000
        return FillUpdate(key, mapping.order_id(symbol, int(row["orderId"])), at, Change("trade", row))

    def _rest_order_update(self, body: BrokerBody) -> OrderUpdate[Change]:
        our_id = mapping.order_id(str(body["symbol"]), int(body["orderId"]))
        at_ms = int(body.get("updateTime") or body.get("transactTime") or body.get("time") or 0)
        return OrderUpdate(our_id, _rest_version(body), at_ms * 1_000_000, Change("order", body))

    def adopt(self, body: BrokerBody) -> None:
        """An order as a submit or modify answered it: followed now, and its state and fills (a FULL
        answer's `fills`) emitted `answer_grace` seconds later unless the stream did meanwhile. The
        stream's reports come first when they come (one per fill, so each fill is reported in events.md's
        order); a socket that dropped before its reports loses nothing, and nothing is repeated."""
        self.track(body)

        def fire() -> None:
            self._answers.discard(handle)
            self._feed_answer(body)

        handle = asyncio.get_running_loop().call_later(self.answer_grace, fire)
        self._answers.add(handle)

    def _feed_answer(self, body: BrokerBody) -> None:
        updates: list[Update[Change]] = [self._trade_update(row) for row in _fill_rows(body)]
        updates.append(self._rest_order_update(body))
        released: list[Update[Change]] = []
        for update in updates:
            released += self.sequencer.feed(update)
        self._release(released)

    def _on_event(self, event: BrokerBody) -> None:
        kind = event.get("e")
        if kind == "executionReport":
            self._on_report(event)
        elif kind == "outboundAccountPosition":
            self._on_balances(event.get("B") or ())
        elif kind == "listStatus":
            self._on_list(event)
        elif kind == "serverShutdown":
            log.info("Binance announced a server shutdown: rotating the user data socket")
            self.rotate_now()
        elif kind == "balanceUpdate":
            log.info("Binance balance update for %s", event.get("a"))

    def _on_report(self, event: BrokerBody) -> None:
        symbol = str(event["s"])
        our_id = mapping.order_id(symbol, int(event["i"]))
        at_ms = int(event.get("T") or event.get("E") or 0)
        updates: list[Update[Change]] = []
        if event.get("x") == "TRADE":
            updates.append(
                FillUpdate(f"{symbol}-t{event['t']}", our_id, at_ms * 1_000_000, Change("report", event))
            )
        filled = jsondecimal.optional_decimal(event, "z") or _ZERO
        version = mapping.order_version(
            filled, str(event.get("X") or ""), jsondecimal.decimal_field(event, "q")
        )
        updates.append(OrderUpdate(our_id, version, at_ms * 1_000_000, Change("report", event)))
        released: list[Update[Change]] = []
        for update in updates:
            released += self.sequencer.feed(update)
        self._release(released)

    def _on_list(self, event: BrokerBody) -> None:
        orders = [o for o in event.get("O") or () if isinstance(o, dict)]
        entry = None
        for o in orders:
            client = str(o.get("c") or "")
            if client and client not in self.leg_parents:
                entry = mapping.order_id(str(o["s"]), int(o["i"]))
                self._orders_by_client.setdefault(client, entry)
        for o in orders:
            parent_client = self.leg_parents.get(str(o.get("c") or ""))
            if parent_client is not None:
                parent = self._orders_by_client.get(parent_client, entry)
                if parent is not None:
                    self.parents[mapping.order_id(str(o["s"]), int(o["i"]))] = parent

    def _on_balances(self, rows: Any) -> None:
        before = dict(self.book.balances)
        changes = self.book.set_balances(rows)
        if changes or self.book.balances != before:
            # Fills already reported their own position and balance: only a difference is news.
            self._emit(StreamBatch(self._balance_messages(changes)))

    def _balance_messages(self, changes: list[tuple[str, Decimal, Decimal]]) -> list[ServerMessage]:
        now = utc_now()
        messages: list[ServerMessage] = []
        for asset, before, after in changes:
            for kind in mapping.position_event_type(before, after):
                position = self.book.position(asset, now, quantity=after)
                messages.append(
                    ServerMessage(position=PositionEvent(event=kind, position=position, timestamp=now))
                )
        account = self.book.account()
        messages.append(
            ServerMessage(
                account=AccountEvent(event=AccountEventType.BALANCE_UPDATED, account=account, timestamp=now)
            )
        )
        return messages

    async def _after_resync(self) -> None:
        await self.refresh()

    async def refresh(self) -> None:
        """Balances from REST (after a resync): position events for changed holdings, then BALANCE_UPDATED."""
        rows = (await self.http.account()).get("balances") or ()
        self._emit(StreamBatch(self._balance_messages(self.book.set_balances(rows, replace=True))))

    # -- updates → messages -------------------------------------------------------------------------
    def _release(self, updates: list[Update[Change]]) -> None:
        """Emit released updates. events.md: for one fill, its order's message, then the trade, the
        position and the balance; the sequencer releases a fill before the order state it produced, so
        a fill waits here for that state's message."""
        messages: list[ServerMessage] = []
        fills: list[str] = []
        states = {u.order_id: u for u in reversed(updates) if isinstance(u, OrderUpdate)}
        state_follows: list[bool] = []
        pending_states: set[str] = set()
        for update in reversed(updates):
            state_follows.append(isinstance(update, FillUpdate) and update.order_id in pending_states)
            if isinstance(update, OrderUpdate):
                pending_states.add(update.order_id)
        state_follows.reverse()
        waiting: dict[str, list[FillUpdate[Change]]] = {}
        for update, wait in zip(updates, state_follows, strict=True):
            first_news = update.order_id not in self._created and update.order_id in states
            if first_news and not (isinstance(update, OrderUpdate) and _creates(update.payload)):
                # Its creation was lost with a socket: report it before anything that happened to it.
                created = self._created_message(states[update.order_id].payload)
                if created is not None:
                    messages.append(created)
            if isinstance(update, FillUpdate):
                if wait:
                    waiting.setdefault(update.order_id, []).append(update)
                else:
                    messages += self._fill_messages(update.payload)
                    fills.append(update.execution_id)
                continue
            message = self._order_message(update.payload)
            if message is not None:
                messages.append(message)
            # What a restart compares against (only our own orders have a store row).
            self.store.set_value(f"v:{update.order_id}", mapping.version_text(update.version))
            for fill in waiting.pop(update.order_id, []):
                messages += self._fill_messages(fill.payload)
                fills.append(fill.execution_id)
        if fills:
            self.store.remember_fills(fills)
            self._note_last_trades(fills)
        if messages:
            self._emit(StreamBatch(messages))

    def _fill_messages(self, change: Change) -> list[ServerMessage]:
        """TRADE_FILLED, then the position it changed, then BALANCE_UPDATED (events.md)."""
        trade_message = self._trade_message(change)
        trade = trade_message.trade.trade if trade_message.trade is not None else None
        base = None if trade is None else self.book.asset_of(trade.symbol)
        if trade is None or base is None:
            return [trade_message]  # not against the account currency: outboundAccountPosition tells
        held = self.book.held(base)
        quantity, price = Decimal(trade.quantity), Decimal(trade.price)
        self.book.apply_fill_balances(
            base,
            trade.side.name == "BUY",
            quantity,
            quantity * price,
            Decimal(trade.commission or "0"),
            trade.commission_currency,
        )
        after = self.book.held(base)
        return [trade_message, *self._balance_messages([(base, held, after)] if held != after else [])]

    def _created_message(self, change: Change) -> ServerMessage | None:
        """ORDER_CREATED for an order first seen in a later state (as it was when it was placed)."""
        order = self._order_of(change)
        if order.client_order_id and order.client_order_id in self.replacements:
            return None  # a replacement is reported as ORDER_MODIFIED by its own state
        self._created.add(order.id)
        order.status = OrderStatus.OPEN
        order.filled_quantity = "0"
        if order.notional is not None:
            # Sized by notional: no quantity before its first fill (rest.md), as a live NEW report shows.
            order.quantity = "0"
        order.remaining_quantity = order.quantity
        order.average_fill_price = None
        with_list_exits(self.store, order, order.client_order_id)
        return ServerMessage(
            order=OrderEvent(
                event=OrderEventType.ORDER_CREATED,
                order=order,
                parent_order_id=order.parent_order_id,
                timestamp=utc_now(),
            )
        )

    def _order_of(self, change: Change) -> Order:
        data = change.data
        if change.kind == "report":
            our_id = mapping.order_id(str(data["s"]), int(data["i"]))
            return mapping.order_from_report(data, self.parents.get(our_id))
        our_id = mapping.order_id(str(data["symbol"]), int(data["orderId"]))
        return mapping.order_from_broker(data, self.parents.get(our_id))

    def _trade_message(self, change: Change) -> ServerMessage:
        data = change.data
        if change.kind == "report":
            trade = mapping.trade_from_report(data)
        else:
            trade = mapping.trade_from_my_trade(data)
        base = self.book.asset_of(trade.symbol)
        if base is not None:
            self.book.apply_fill(
                base,
                trade.side.name == "BUY",
                Decimal(trade.quantity),
                Decimal(trade.price),
                Decimal(trade.commission or "0"),
                trade.commission_currency,
            )
            self.book.prices[trade.symbol] = Decimal(trade.price)
        return ServerMessage(
            trade=TradeEvent(event=TradeEventType.TRADE_FILLED, trade=trade, timestamp=utc_now())
        )

    def _order_message(self, change: Change) -> ServerMessage | None:
        data = change.data
        if change.kind == "report":
            our_id = mapping.order_id(str(data["s"]), int(data["i"]))
            order = mapping.order_from_report(data, self.parents.get(our_id))
            execution, status = str(data.get("x") or ""), str(data.get("X") or "")
        else:
            our_id = mapping.order_id(str(data["symbol"]), int(data["orderId"]))
            order = mapping.order_from_broker(data, self.parents.get(our_id))
            status = str(data.get("status") or "")
            execution = mapping.exec_of_status(status)
        self._follow(our_id, order, status)
        if execution == "CANCELED" and our_id in self.replacing:
            return None  # the cancel half of a cancelReplace: its NEW reports the change
        client = order.client_order_id or ""
        if execution == "NEW" and client in self.replacements and our_id not in self._created:
            kind: OrderEventType | None = OrderEventType.ORDER_MODIFIED
        else:
            kind = mapping.order_event_type(execution, status, created_before=our_id in self._created)
            if kind == OrderEventType.ORDER_CREATED and client in self._entries:
                kind = OrderEventType.BRACKET_ORDER_CREATED  # the working order of an OTO / OTOCO
        self._created.add(our_id)
        if kind is None:
            return None
        with_list_exits(self.store, order, client)
        # The client order id stays the one Binance has: the exit rules know an entry by it until
        # the submit's answer names Binance's id; BinanceVenue._show_order shows it as given.
        return ServerMessage(
            order=OrderEvent(
                event=kind, order=order, parent_order_id=order.parent_order_id, timestamp=utc_now()
            )
        )

    def _follow(self, our_id: str, order: Order, status: str) -> None:
        if order.client_order_id:
            self._orders_by_client[order.client_order_id] = our_id
        if status in mapping.TERMINAL:
            self.open_orders.pop(our_id, None)
        else:
            symbol, _, number = our_id.rpartition("-")
            self.open_orders[our_id] = Tracked(symbol, int(number))


def _creates(change: Change) -> bool:
    """Whether this state is itself an order's creation (NEW, a pending leg, a rejection)."""
    if change.kind == "report":
        return change.data.get("x") in ("NEW", "REJECTED")
    status = change.data.get("status")
    untouched = not (jsondecimal.optional_decimal(change.data, "executedQty") or _ZERO)
    return status in ("NEW", "PENDING_NEW", "REJECTED") and untouched


def _rest_version(body: BrokerBody) -> tuple[int | Decimal, ...]:
    filled = jsondecimal.optional_decimal(body, "executedQty") or _ZERO
    return mapping.order_version(
        filled, str(body.get("status") or ""), jsondecimal.decimal_field(body, "origQty")
    )


def _fill_rows(body: BrokerBody) -> list[BrokerBody]:
    """A FULL answer's `fills` as `myTrades` rows (same trade ids, so each fill is emitted once)."""
    rows = []
    for fill in body.get("fills") or ():
        rows.append(
            {
                "symbol": body["symbol"],
                "id": fill["tradeId"],
                "orderId": body["orderId"],
                "price": fill["price"],
                "qty": fill["qty"],
                "commission": fill.get("commission"),
                "commissionAsset": fill.get("commissionAsset"),
                "time": body.get("transactTime"),
                "isBuyer": body.get("side") == "BUY",
                "isMaker": False,
            }
        )
    return rows
