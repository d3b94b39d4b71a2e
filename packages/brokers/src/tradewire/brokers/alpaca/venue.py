"""The Alpaca `Venue`: the protocol's interface over Alpaca's REST client and trade_updates stream.

Order ids on the wire are Alpaca's own (a replace makes a new one, returned with
`previous_order_id`); client order ids are the client's, checked against Alpaca's rule, or
`tw-<session>-<n>`. Every order is recorded in the store before it leaves and sent through
`_live.submit.submit_idempotent`, so a timeout, reset or 5xx never makes a second order. Crypto
brackets / OTO and OCO groups are gateway-managed (`_live.managed`, `alpaca.exits`): the broker's
events pass through the manager, which labels them and places or cancels the exits. The plumbing
(queue, connected-only parts, status, cancels) is `_live.live_venue.LiveVenue`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Final

from tradewire.brokers._live import jsondecimal
from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers._live.config import check_live
from tradewire.brokers._live.live_venue import WORKING, LiveVenue, not_modifiable
from tradewire.brokers._live.managed import Emit, ExitManager
from tradewire.brokers._live.managed_run import ManagedExits
from tradewire.brokers._live.store import OrderIds, Store, StoreError
from tradewire.brokers._live.submit import ALPACA_CLIENT_ID, submit_idempotent
from tradewire.brokers.alpaca import legs, mapping
from tradewire.brokers.alpaca.capabilities import capabilities
from tradewire.brokers.alpaca.client_ids import as_given
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.data_stream import DataStream
from tradewire.brokers.alpaca.exits import AlpacaExits
from tradewire.brokers.alpaca.http import AlpacaHttp, BrokerBody
from tradewire.brokers.alpaca.mapping import Asset
from tradewire.brokers.alpaca.session import explain_refusal
from tradewire.brokers.alpaca.stream import TradeStream
from tradewire.protocol import order_rules, precision, reject_codes
from tradewire.protocol.errors import (
    InvalidRequest,
    OrderNotFound,
    OrderRejected,
    PositionNotFound,
    SymbolNotFound,
    TradewireError,
    ValidationError,
)
from tradewire.protocol.messages import (
    Account,
    Bar,
    CancelAllResult,
    Capabilities,
    ClosePositionRequest,
    GetBarsRequest,
    ListOrdersRequest,
    ListTradesRequest,
    ModifyOrderRequest,
    ModifyOrderResult,
    Order,
    OrderHandle,
    OrderType,
    Position,
    PositionSide,
    Quote,
    RejectReason,
    Side,
    SubmitOrderRequest,
    Timeframe,
    Trade,
    TradingPlatform,
)

__all__ = ["AlpacaVenue"]

log = logging.getLogger(__name__)

_ZERO: Final = Decimal(0)
_MINUTE: Final = dt.timedelta(minutes=1)
#: How often, and how far apart in seconds, a close waits for the exits it cancelled to end.
_END_POLLS: Final = 10
_END_POLL_S: Final = 0.2
_PLATFORMS: Final = {TradingPlatform.ALPACA_PAPER: "alpaca-paper", TradingPlatform.ALPACA_LIVE: "alpaca-live"}


def _rfc3339(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AlpacaVenue(LiveVenue[AlpacaHttp, TradeStream]):
    """Alpaca paper or live. Built by `factory.create_venue`; `connect()` opens everything.

    Args:
        config: URLs, keys and the store path.
        platform: ALPACA_PAPER or ALPACA_LIVE (`live` follows it).
        allow_live_orders: The first live opt-in, checked again in `connect()` (`check_live`).
        env: Where `check_live` reads TRADEWIRE_ALLOW_LIVE_ORDERS (the process environment by default).
        timeout: Seconds per REST request (a submit that times out is looked up, never resent blindly).
        backoff: The trading stream's reconnect policy (mapping.md §8's by default).
        exit_poll: Seconds between price reads of symbols with an armed managed stop trigger.
    """

    broker_name = "Alpaca"

    def __init__(
        self,
        config: AlpacaConfig,
        platform: TradingPlatform,
        *,
        allow_live_orders: bool = False,
        env: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        backoff: Backoff | None = None,
        exit_poll: float = 1.0,
    ) -> None:
        if platform not in _PLATFORMS:
            raise ValueError(f"not an Alpaca platform: {platform!r}")
        super().__init__(
            platform,
            ALPACA_CLIENT_ID,
            allow_live_orders=allow_live_orders,
            env=env,
            timeout=timeout,
            backoff=backoff,
            exit_poll=exit_poll,
        )
        self.config = config
        self._assets: dict[str, Asset] = {}
        self._opened: dict[str, dt.datetime] = {}
        self._data: list[DataStream] = []

    # -- lifecycle ------------------------------------------------------------------------------
    async def connect(self) -> None:
        """Check the live opt-ins, open the store, check the keys, start the trading stream.

        Raises:
            LiveOptInMissing: live without both opt-ins (nothing is opened).
            AuthenticationError: Alpaca refused the keys.
        """
        check_live(self, self._allow_live, self._env)
        self._store = Store.open(self.config.store_path)
        self.run_id = self._store.ensure_run_id()
        self._http = AlpacaHttp(self.config, timeout=self._timeout)
        try:
            await self._http.account()
            self._stream = TradeStream(
                self.config,
                self._http,
                self._store,
                _PLATFORMS[self.platform],
                self._from_broker,
                policy=self._backoff,
            )
            port = AlpacaExits(
                self._http, self._store, self._asset, self._stream.track, self._queue.put_nowait
            )
            self._exits = ManagedExits(ExitManager(self._store), port, self._exit_poll)
            await self._stream.start()
            await self._exits.recover()
            self._exits.start()
            stocks = [s for s in self.config.symbols if not mapping.is_crypto_symbol(s)]
            crypto = [s for s in self.config.symbols if mapping.is_crypto_symbol(s)]
            for url, symbols in (
                (self.config.stock_stream_url(), stocks),
                (self.config.crypto_stream_url(), crypto),
            ):
                if symbols:
                    data = DataStream(
                        self.config, url, symbols, self._from_broker, backfill=self.closed_minute_bars
                    )
                    data.start()
                    self._data.append(data)
        except BaseException:
            await self.close()
            raise

    async def _close_feeds(self) -> None:
        for data in self._data:
            await data.close()
        self._data = []

    def stale_symbols(self) -> list[str]:
        return [symbol for data in self._data for symbol in data.stale()]

    async def capabilities(self) -> Capabilities:
        return capabilities()

    # -- account ----------------------------------------------------------------------------------
    async def get_account(self) -> Account:
        positions = await self.http.positions()
        unrealized = sum(
            (jsondecimal.optional_decimal(p, "unrealized_pl") or _ZERO for p in positions), _ZERO
        )
        return mapping.account_from_broker(await self.http.account(), unrealized)

    # -- orders -----------------------------------------------------------------------------------
    async def _asset(self, symbol: str) -> Asset:
        asset = self._assets.get(symbol)
        if asset is None:
            asset = Asset.from_broker(await self.http.asset(symbol))
            self._assets[symbol] = asset
        return asset

    async def _held(self, symbol: str) -> Decimal:
        """The signed position in `symbol` (0 when flat)."""
        try:
            body = await self.http.position(mapping.position_id(symbol))
        except PositionNotFound:
            return _ZERO
        return jsondecimal.decimal_field(body, "qty")

    async def submit_order(self, request: SubmitOrderRequest) -> OrderHandle:
        order_rules.check_submit(request)
        asset = await self._asset(request.symbol)
        if not asset.tradable:
            raise reject_codes.rejected(RejectReason.SYMBOL_NOT_TRADEABLE, symbol=request.symbol)
        mapping.check_supported(request, asset)
        request = mapping.normalize_submit(request, asset)
        if request.reduce_only:
            # Not native on Alpaca: checked against the position (mapping.md §2); an order sized by
            # notional has no quantity to check, and `check_supported` refused it.
            held = await self._held(request.symbol)
            quantity = Decimal(order_rules.quantity_of(request, "alpaca"))
            reduces = (held > 0 and request.side == Side.SELL) or (held < 0 and request.side == Side.BUY)
            if not reduces or quantity > abs(held):
                raise reject_codes.rejected(RejectReason.REDUCE_ONLY_VIOLATED)
        if request.client_order_id is not None:
            client_id = ALPACA_CLIENT_ID.check(request.client_order_id)
        else:
            client_id = self._ids.next_id()
        route = mapping.managed_route(request, asset)
        if route is not None:
            return await self._submit_managed(route, request, client_id, asset)
        return await self._send(request, client_id, asset)

    async def _submit_managed(
        self, route: str, request: SubmitOrderRequest, client_id: str, asset: Asset
    ) -> OrderHandle:
        # Only the held trigger is shared (`_hold_trigger`): Binance also pairs exits into native OCO
        # lists and labels a MARKET entry filled in its answer, which Alpaca never needs.
        manager = self.exits.manager
        held = self._hold_trigger(client_id, request) if route == "oco" else None
        if held is not None:
            return held
        if route == "oco":
            manager.add_oco_member(client_id, request)
            forget = client_id
        else:
            forget = self._ids.next_id()
            manager.add_bracket(forget, client_id, request)
            request = replace(request, stop_loss=None, take_profit=None)  # the entry alone goes out
        try:
            handle = await self._send(request, client_id, asset)
        except TradewireError:
            manager.drop(forget)
            raise
        manager.sent(client_id, handle.id)
        return handle

    async def _send(self, request: SubmitOrderRequest, client_id: str, asset: Asset) -> OrderHandle:
        payload = mapping.order_payload(request, client_id, asset)
        try:
            given = request.client_order_id
            self.store.record_order(OrderIds(client_id, client_id, request.symbol, given_client_id=given))
        except StoreError:
            # The client's id of an order we sent before: the same order, not a second one.
            known = await self.http.find_by_client_id(client_id)
            if known is not None:
                return self._handle(self._same(payload, known))
        try:
            result = await submit_idempotent(self.http, client_id, payload)
        except OrderRejected as e:
            raise await explain_refusal(self.http, e, asset.crypto) from None
        body = self._same(payload, result.order) if result.adopted else result.order
        legs.remember(self.store, body)
        with contextlib.suppress(StoreError):
            self.store.set_broker_id(client_id, str(body["id"]))
        if self._stream is not None:
            self._stream.track(body)
        return self._handle(body)

    @staticmethod
    def _same(payload: Mapping[str, object], body: BrokerBody) -> BrokerBody:
        """`body` when it is the order `payload` asks for; else the client reused its id."""
        if not mapping.same_order(payload, body):
            raise ValidationError(
                "Validation error: client_order_id is already used by a different order",
                {"field": "client_order_id", "order_id": str(body.get("id"))},
            )
        return body

    async def _rows(
        self, status: str, *, after: str | None, until: str | None, symbols: str | None, side: str | None
    ) -> list[tuple[BrokerBody, str | None]]:
        """Alpaca's `nested=true` list: each order with its parent's id (None: not a leg)."""
        rows: list[tuple[BrokerBody, str | None]] = []
        for body in await self.http.list_orders(status, after=after, until=until, symbols=symbols, side=side):
            legs.remember(self.store, body)
            rows.append((body, None))
            rows += [(leg, str(body["id"])) for leg in body.get("legs") or ()]
        return rows

    async def _open_rows(
        self,
        *,
        after: str | None = None,
        until: str | None = None,
        symbols: str | None = None,
        side: str | None = None,
    ) -> list[tuple[BrokerBody, str | None]]:
        """Alpaca's working orders, each with its parent's id (None: not a leg), parents before legs.

        `nested=true` lists a bracket's legs under their parent only while the parent works: once the
        entry filled, its working exits are listed by `nested=false` alone (alpaca.md §4), so both
        lists are read, and the parent of such a leg is the one `legs` remembered from an earlier body.
        """
        rows = await self._rows("open", after=after, until=until, symbols=symbols, side=side)
        listed = {str(body["id"]) for body, _ in rows}
        flat = await self.http.list_orders(
            "open", after=after, until=until, symbols=symbols, side=side, nested=False
        )
        for body in flat:
            if str(body["id"]) not in listed:
                rows.append((body, legs.parent_of(self.store, str(body["id"]))))
        return rows

    def _order(self, body: BrokerBody, parent_id: str | None = None) -> Order:
        # rest.md: the client order id as given at submission, none when the client gave none.
        return as_given(self.store, mapping.order_from_broker(body, parent_id=parent_id))

    async def get_order(self, order_id: str) -> Order:
        manager = self.exits.manager
        held = manager.order(order_id)
        if held is not None:
            return held
        body = await self.http.get_order(manager.broker_id(order_id) or order_id)
        legs.remember(self.store, body)
        parent = legs.parent_of(self.store, str(body["id"]))
        # the manager knows its legs by the client order id the broker has: decorate, then echo as given
        return as_given(self.store, manager.decorate(mapping.order_from_broker(body, parent_id=parent)))

    async def _orders(self, status: str, request: ListOrdersRequest) -> list[Order]:
        try:
            return await self._listed(status, request)
        except SymbolNotFound:
            return []  # a filter on a symbol Alpaca does not know matches no order

    async def _listed(self, status: str, request: ListOrdersRequest) -> list[Order]:
        after, until = _rfc3339(request.since), _rfc3339(request.until)
        side = None if request.side is None else Side(request.side).name.lower()
        if status == "open":
            rows = await self._open_rows(after=after, until=until, symbols=request.symbol, side=side)
        else:
            rows = await self._rows(status, after=after, until=until, symbols=request.symbol, side=side)
        out = [mapping.order_from_broker(body, parent_id=parent) for body, parent in rows]
        manager = self.exits.manager
        out = [as_given(self.store, manager.decorate(o)) for o in out]
        if request.since is None and request.until is None and request.side is None:
            out += manager.orders(request.symbol, working=status == "open")
        wanted = set(request.status)
        out = [
            o
            for o in out
            if (not wanted or o.status in wanted)
            and (request.client_order_id is None or o.client_order_id == request.client_order_id)
        ]
        return out if request.limit is None else out[: request.limit]

    async def list_orders(self, request: ListOrdersRequest) -> list[Order]:
        return [o for o in await self._orders("open", request) if o.status in WORKING]

    async def list_order_history(self, request: ListOrdersRequest) -> list[Order]:
        return [o for o in await self._orders("closed", request) if o.status not in WORKING]

    async def modify_order(self, order_id: str, request: ModifyOrderRequest) -> ModifyOrderResult:
        order_rules.check_modify(request)
        if self.exits.manager.is_managed(order_id):
            raise mapping.managed_modify_refused(order_id)
        order = await self.get_order(order_id)
        asset = await self._asset(order.symbol)
        reference = request.limit_price or request.stop_price
        grid = mapping.grid_for(asset, None if reference is None else Decimal(reference))
        request = precision.normalize_modify(request, order.side, grid, order.trailing_type)
        body = mapping.modify_payload(request, order)
        if not body:
            return ModifyOrderResult(order=order)  # rest.md: an empty PATCH changes nothing
        if order.status not in WORKING:
            raise not_modifiable(order_id, order)
        # The replacement is a new Alpaca order: a new client order id of ours, recorded first, under
        # which the client's own id (if any) carries over to it, on the stream too.
        new_id = self._ids.next_id()
        self.store.record_order(OrderIds(new_id, new_id, order.symbol, given_client_id=order.client_order_id))
        new = await self.http.replace_order(order_id, {**body, "client_order_id": new_id})
        with contextlib.suppress(StoreError):
            self.store.set_broker_id(new_id, str(new["id"]))
        parent = legs.carry(self.store, order_id, str(new["id"]))  # a leg's replacement is the bracket's
        if self._stream is not None:
            self._stream.track(new)
        return ModifyOrderResult(order=self._order(new, parent), previous_order_id=order_id)

    async def _cancel_at_broker(self, order_id: str) -> Order:
        await self.http.cancel_order(order_id)
        # Alpaca cancels asynchronously: the order as it stands now; the final state is an event.
        return await self.get_order(order_id)

    async def cancel_all_orders(self, symbol: str | None = None) -> CancelAllResult:
        held = self.exits.manager.cancel_all(symbol)  # triggers are the gateway's own to cancel
        self.exits.submit(held)
        triggers = sum(isinstance(a, Emit) for a in held)
        if symbol is None:
            rows = await self.http.cancel_all()
            failed = [str(r.get("id")) for r in rows if r.get("status") not in (200, 204)]
            return CancelAllResult(
                cancelled_count=len(rows) - len(failed) + triggers,
                failed_count=len(failed),
                failed_order_ids=failed,
            )
        # Alpaca's cancel-all takes no symbol: cancel that symbol's open orders one by one.
        cancelled, failed = await self._cancel_rows(await self._open_rows(symbols=symbol))
        return CancelAllResult(
            cancelled_count=len(cancelled) + triggers, failed_count=len(failed), failed_order_ids=failed
        )

    async def _cancel_rows(self, rows: list[tuple[BrokerBody, str | None]]) -> tuple[list[str], list[str]]:
        """Cancel each order of `rows` (`_open_rows`); (ids cancelled, ids Alpaca refused to cancel).

        Cancelling any order of a bracket cancels its group (alpaca.md §6): the rest is not sent.
        """
        cancelled: list[str] = []
        failed: list[str] = []
        gone: set[str] = set()  # groups cancelled, by their parent's id
        for body, parent in rows:
            order_id = str(body["id"])
            group = parent or order_id
            if group not in gone:
                try:
                    await self.http.cancel_order(order_id)
                except TradewireError:
                    failed.append(order_id)
                    continue
                gone.add(group)
            cancelled.append(order_id)
        return cancelled, failed

    async def _until_ended(self, order_ids: list[str]) -> None:
        """Wait, a bounded while, until Alpaca has ended each cancelled order: a cancel is asynchronous,
        and the quantity an order holds is free only then (a close sent earlier is refused)."""
        for _ in range(_END_POLLS):
            working = []
            for order_id in order_ids:
                with contextlib.suppress(OrderNotFound):
                    if str((await self.http.get_order(order_id)).get("status")) not in mapping.TERMINAL:
                        working.append(order_id)
            if not working:
                return
            order_ids = working
            await asyncio.sleep(_END_POLL_S)

    # -- positions --------------------------------------------------------------------------------
    def _position(self, body: BrokerBody) -> Position:
        # Alpaca's positions have no opening time: the first time this process saw each one open.
        now = dt.datetime.now(dt.UTC)
        opened = self._opened.setdefault(str(body["symbol"]), now)
        return mapping.position_from_broker(body, opened_at=opened, at=now)

    async def list_positions(self, symbol: str | None = None) -> list[Position]:
        bodies = await self.http.positions()
        for gone in set(self._opened) - {str(b["symbol"]) for b in bodies}:
            del self._opened[gone]
        positions = [self._position(b) for b in bodies]
        return [p for p in positions if symbol is None or p.symbol == symbol or p.id == symbol]

    async def get_position(self, position_id: str) -> Position:
        return self._position(await self.http.position(mapping.position_id(position_id)))

    async def close_position(self, position_id: str, request: ClosePositionRequest) -> OrderHandle:
        order_rules.check_close(request)
        position = await self.get_position(position_id)
        whole = request.quantity is None or Decimal(request.quantity) >= Decimal(position.quantity)
        if whole or request.cancel_associated_orders:
            # rest.md: a closed position's exits are always cleaned up; and Alpaca refuses the close
            # while they hold its quantity (403 `held_for_orders`). Its exits: the working orders of
            # the symbol on the closing side (a bracket's legs, OCO members, any resting exit); an
            # order adding to the position is none of them and stays.
            closing = "sell" if position.side == PositionSide.LONG else "buy"
            rows = await self._open_rows(symbols=position.symbol, side=closing)
            cancelled, _ = await self._cancel_rows(rows)
            await self._until_ended(cancelled)
        if request.order_type == OrderType.LIMIT:
            # Alpaca closes at market only: a limit close is an opposite limit order for the size.
            side = Side.SELL if position.side == PositionSide.LONG else Side.BUY
            return await self.submit_order(
                SubmitOrderRequest(
                    symbol=position.symbol,
                    side=side,
                    quantity=str(
                        min(Decimal(request.quantity or position.quantity), Decimal(position.quantity))
                    ),
                    order_type=OrderType.LIMIT,
                    limit_price=request.limit_price,
                )
            )
        quantity = None  # rest.md: absent, or larger than the position, closes all of it
        if request.quantity is not None and Decimal(request.quantity) < Decimal(position.quantity):
            quantity = jsondecimal.decimal_text(Decimal(request.quantity))
        body = await self.http.close_position(position.id, quantity)
        if self._stream is not None:
            self._stream.track(body)
        return self._handle(body)

    async def close_all_positions(self, symbol: str | None = None) -> list[OrderHandle]:
        if symbol is not None:
            try:
                return [await self.close_position(mapping.position_id(symbol), ClosePositionRequest())]
            except PositionNotFound:
                return []
        handles = []
        self.exits.submit(self.exits.manager.cancel_all())
        for row in await self.http.close_all(cancel_orders=True):
            body = row.get("body")
            if isinstance(body, dict) and "id" in body and row.get("status") == 200:
                if self._stream is not None:
                    self._stream.track(body)
                handles.append(self._handle(body))
            else:
                log.warning("Alpaca did not close %s: %s", row.get("symbol"), body)
        return handles

    # -- fills and market data --------------------------------------------------------------------
    async def list_trades(self, request: ListTradesRequest) -> list[Trade]:
        activities = await self.http.fill_activities(_rfc3339(request.since))
        manager = self.exits.manager
        trades = [mapping.trade_from_activity(a) for a in activities]
        trades = [replace(t, order_id=manager.trade_order_id(t.order_id)) for t in trades]
        trades = [
            t
            for t in trades
            if (request.symbol is None or t.symbol == request.symbol)
            and (request.order_id is None or t.order_id == request.order_id)
            and (request.until is None or t.timestamp is None or t.timestamp <= request.until)
        ]
        trades.reverse()  # newest first
        return trades if request.limit is None else trades[: request.limit]

    async def get_quote(self, symbol: str) -> Quote:
        quote = await self.http.latest_quote(symbol, mapping.is_crypto_symbol(symbol))
        return mapping.quote_from_broker(symbol, quote)

    def _show_order(self, order: Order) -> None:
        if self._store is not None:  # else closing: nothing is delivered any more
            as_given(self._store, order)  # only the client order id the client gave (rest.md)

    async def closed_minute_bars(self, symbol: str, after: dt.datetime) -> list[Bar]:
        """The 1-minute bars that started after `after` and have closed by Alpaca's clock, oldest first."""
        clock = await self.http.clock()
        now = mapping.timestamp(str(clock.get("timestamp") or "")) or dt.datetime.now(dt.UTC)
        rows = await self.http.bars(
            symbol,
            mapping.is_crypto_symbol(symbol),
            "1Min",
            start=_rfc3339(after + _MINUTE),
            end=None,
            limit=None,
        )
        bars = [mapping.bar_from_broker(symbol, Timeframe.M1, row) for row in rows]
        # the minute still running is in the answer too: it comes by stream once it closes
        return [b for b in bars if b.timestamp is not None and after < b.timestamp <= now - _MINUTE]

    async def get_bars(self, request: GetBarsRequest) -> list[Bar]:
        timeframe = mapping.TIMEFRAMES.get(request.timeframe)
        if timeframe is None:
            raise InvalidRequest("Invalid request: timeframe is required", {"field": "timeframe"})
        bars = await self.http.bars(
            request.symbol,
            mapping.is_crypto_symbol(request.symbol),
            timeframe,
            start=_rfc3339(request.start),
            end=_rfc3339(request.end),
            limit=request.limit,
        )
        return [mapping.bar_from_broker(request.symbol, request.timeframe, b) for b in bars]
