"""The Binance Spot `Venue`: the protocol's interface over the signed REST client and the user-data stream.

Order ids on the wire are `<SYMBOL>-<orderId>` (Binance's ids are per-symbol integers, so the id
carries the symbol every call needs); a modify is a cancelReplace, answered with the new order and
`previous_order_id` (a pure size cut keeps the id: amend keepPriority). Every order is recorded in
the store before it leaves and sent through `_live.submit.submit_idempotent`. Symbols are Binance's
own spelling (`BTCUSDT`); `BTC/USDT` is accepted on input. Exits on an entry other than a plain LIMIT,
and OCO groups a client forms with `oco_group_id`, are gateway-managed (`_live.managed`,
`binance.exits`): the broker's events pass through the manager, which labels them and places or
cancels the exits. The plumbing (queue, connected-only parts, status, cancels) is
`_live.live_venue.LiveVenue`'s.
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
from tradewire.brokers._live.submit import BINANCE_CLIENT_ID, submit_idempotent
from tradewire.brokers.binance import errors, mapping
from tradewire.brokers.binance.capabilities import capabilities
from tradewire.brokers.binance.client_ids import GivenIds, with_list_exits
from tradewire.brokers.binance.config import BinanceConfig
from tradewire.brokers.binance.data_stream import MarketStream
from tradewire.brokers.binance.exits import BinanceExits, OcoPair
from tradewire.brokers.binance.filters import SymbolRules
from tradewire.brokers.binance.http import BinanceHttp, BrokerBody, OrderPath
from tradewire.brokers.binance.positions import PositionBook
from tradewire.brokers.binance.stream import LIFETIME, UserStream
from tradewire.protocol import codec, order_rules, precision, reject_codes
from tradewire.protocol.errors import (
    InvalidRequest,
    OrderNotFound,
    OrderNotModifiable,
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
    Quote,
    RejectReason,
    Side,
    SubmitOrderRequest,
    TimeInForce,
    Trade,
    TradingPlatform,
)

__all__ = ["BinanceVenue"]

log = logging.getLogger(__name__)

_PLATFORMS: Final = {
    TradingPlatform.BINANCE_TESTNET: "binance-testnet",
    TradingPlatform.BINANCE_LIVE: "binance-live",
}
#: exchangeInfo is read again this often (binance.md §6: filters change).
_RULES_REFRESH: Final = 3600.0


class BinanceVenue(LiveVenue[BinanceHttp, UserStream]):
    """Binance Spot testnet or live. Built by `factory.create_venue`; `connect()` opens everything.

    Args:
        config: URLs, keys, the store path, quote assets, streamed symbols.
        platform: BINANCE_TESTNET or BINANCE_LIVE (`live` follows it).
        allow_live_orders: The first live opt-in, checked again in `connect()` (`check_live`).
        env: Where `check_live` reads TRADEWIRE_ALLOW_LIVE_ORDERS (the process environment by default).
        timeout: Seconds per REST request (an order that times out is looked up, never resent blindly).
        backoff: The user-data stream's reconnect policy (mapping.md §8's by default).
        lifetime: Seconds before the user-data socket is rotated (Binance closes it at 24 h).
        exit_poll: Seconds between price reads of symbols with an armed managed stop trigger.
        rules_refresh: Seconds between reads of exchangeInfo (filters and rate limits change).
    """

    broker_name = "Binance"

    def __init__(
        self,
        config: BinanceConfig,
        platform: TradingPlatform,
        *,
        allow_live_orders: bool = False,
        env: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        backoff: Backoff | None = None,
        lifetime: float = LIFETIME,
        exit_poll: float = 1.0,
        rules_refresh: float = _RULES_REFRESH,
    ) -> None:
        if platform not in _PLATFORMS:
            raise ValueError(f"not a Binance platform: {platform!r}")
        super().__init__(
            platform,
            BINANCE_CLIENT_ID,
            allow_live_orders=allow_live_orders,
            env=env,
            timeout=timeout,
            backoff=backoff,
            exit_poll=exit_poll,
        )
        self.config = config
        self._lifetime = lifetime
        self._rules_refresh = rules_refresh
        self._rules: dict[str, SymbolRules] = {}
        self._book: PositionBook | None = None
        self._market: MarketStream | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._port: BinanceExits | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    async def connect(self) -> None:
        """Check the live opt-ins, open the store, sync the clock, load the symbol rules, subscribe.

        Raises:
            LiveOptInMissing: live without both opt-ins (nothing is opened).
            AuthenticationError: Binance refused the key or signature.
        """
        check_live(self, self._allow_live, self._env)
        self._store = Store.open(self.config.store_path)
        # The account outlives the process: a restart on this store continues the same run.
        self.run_id = self._store.ensure_run_id()
        self._http = BinanceHttp(self.config, timeout=self._timeout)
        try:
            await self._http.sync_time()
            self._book = PositionBook(self._store, self.config.quote_assets, self.config.assets)
            await self._load_rules()
            self._stream = UserStream(
                self.config,
                self._http,
                self._store,
                self._book,
                _PLATFORMS[self.platform],
                self._from_broker,
                policy=self._backoff,
                lifetime=self._lifetime,
            )
            self._port = BinanceExits(
                self._http,
                self._store,
                self._stream.given,
                self._symbol_rules,
                self._stream.adopt,
                self._queue.put_nowait,
            )
            self._exits = ManagedExits(ExitManager(self._store), self._port, self._exit_poll)
            await self._stream.start()
            await self._exits.recover()
            self._exits.start()
            await self._rebuild_bases()
            if self.config.symbols:
                self._market = MarketStream(
                    self.config,
                    self.config.symbols,
                    self._from_broker,
                    lambda symbol, interval, start: self.http.klines(symbol, interval, start=start),
                    on_price=self.book.prices.__setitem__,
                    policy=self._backoff,
                    now_ms=self.http.timestamp,
                    tick=self._tick,
                )
                self._market.start()
            self._refresher = asyncio.create_task(self._refresh_rules(), name="binance-exchange-info")
        except BaseException:
            await self.close()
            raise

    async def _close_feeds(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._refresher
            self._refresher = None
        if self._market is not None:
            await self._market.close()
            self._market = None

    def _with_exits(self, order: Order, client_id: str | None = None) -> Order:
        if self._store is None:
            return order
        return with_list_exits(self._store, order, client_id)

    @property
    def port(self) -> BinanceExits:
        return self._connected(self._port)

    @property
    def book(self) -> PositionBook:
        return self._connected(self._book)

    @property
    def user_stream(self) -> UserStream:
        return self._connected(self._stream)

    def stale_symbols(self) -> list[str]:
        return [] if self._market is None else self._market.stale()

    async def capabilities(self) -> Capabilities:
        return capabilities()

    # -- symbol rules ---------------------------------------------------------------------------
    async def _load_rules(self, symbols: tuple[str, ...] = ()) -> None:
        info = await self.http.exchange_info(symbols)
        for body in info.get("symbols") or ():
            rules = SymbolRules.from_broker(body)
            self._rules[rules.symbol] = rules
            if self._book is not None:  # dust below LOT_SIZE's minimum is no position, then or now
                self._book.min_quantity[rules.symbol] = rules.min_quantity
        for limit in info.get("rateLimits") or ():
            kind, interval = limit.get("rateLimitType"), (limit.get("interval"), limit.get("intervalNum"))
            if kind == "ORDERS" and interval == ("SECOND", 10):
                self.http.set_order_limit(int(limit.get("limit") or 0))
            elif kind == "REQUEST_WEIGHT" and interval == ("MINUTE", 1):
                self.http.limiter.limit = max(1, int(limit.get("limit") or 0))

    async def _refresh_rules(self) -> None:
        while True:
            await asyncio.sleep(self._rules_refresh)
            try:
                await self._load_rules()
            except TradewireError as e:  # the cached rules stay in force; the next round tries again
                log.warning("Binance exchangeInfo refresh failed: %s", e)

    async def _symbol_rules(self, symbol: str) -> SymbolRules:
        rules = self._rules.get(symbol)
        if rules is None:
            await self._load_rules((symbol,))
            rules = self._rules.get(symbol)
        if rules is None:
            raise SymbolNotFound(f"Symbol not found: {symbol}", {"symbol": symbol})
        return rules

    async def _reference(self, symbol: str) -> Decimal | None:
        """A recent price: the streamed mid, else the REST bookTicker's."""
        price = self.book.prices.get(symbol)
        if price is None:
            with contextlib.suppress(TradewireError, jsondecimal.BrokerJsonError):
                quote = mapping.quote_from_book(symbol, await self.http.book_ticker(symbol))
                price = Decimal(quote.last) if Decimal(quote.last) > 0 else None
        return price

    async def _rebuild_bases(self) -> None:
        """First start: average entry prices from `myTrades` for held assets with no persisted basis."""
        for asset in list(self.book.balances):
            if not self.book.is_position_asset(asset) or self.book.held(asset) == 0:
                continue
            if self.book.basis(asset) is not None:
                continue
            symbol = self.book.symbol_of(asset)
            if symbol not in self._rules:
                continue
            try:
                self.book.rebuild(asset, await self.http.trades_since(symbol, 0))
            except TradewireError as e:
                log.warning("Binance: no average entry for %s (%s)", asset, e)

    # -- account ----------------------------------------------------------------------------------
    async def _refresh_balances(self) -> None:
        rows = (await self.http.account()).get("balances") or ()
        self.book.set_balances(rows, replace=True)
        for position in self.book.positions():
            if position.symbol not in self.book.prices and position.symbol in self._rules:
                price = await self._reference(position.symbol)
                if price is not None:
                    self.book.prices[position.symbol] = price

    async def get_account(self) -> Account:
        await self._refresh_balances()
        return self.book.account()

    # -- orders -----------------------------------------------------------------------------------
    async def submit_order(self, request: SubmitOrderRequest) -> OrderHandle:
        order_rules.check_submit(request)
        symbol = mapping.venue_symbol(request.symbol)
        rules = await self._symbol_rules(symbol)
        if rules.status != "TRADING":
            raise reject_codes.rejected(RejectReason.MARKET_CLOSED, symbol=symbol, status=rules.status)
        request = replace(request, symbol=symbol)
        mapping.check_supported(request, rules)
        market = OrderType(request.order_type) == OrderType.MARKET
        request = precision.normalize_submit(request, rules.grid(market=market))
        if request.notional is not None:
            amount = rules.quote_amount(Decimal(request.notional))
            if amount != Decimal(request.notional):
                request = replace(request, notional=codec.dec(amount))
        rules.check(mapping.figures(request, await self._reference(symbol)))
        if request.reduce_only:
            self._check_reduce_only(request, rules)
        if request.client_order_id is not None:
            client_id = BINANCE_CLIENT_ID.check(request.client_order_id)
        else:
            client_id = self._ids.next_id()
        try:
            self.store.record_order(OrderIds(client_id, client_id, symbol))
        except StoreError:
            # The client's id of an order we sent before: the same request is that order (idempotent),
            # another one is refused (mapping.md §7), never sent as a second order under the same id.
            sent = self.store.order_by_client_id(client_id)
            known = None if sent is None else await self.http.find_order(sent.symbol, client_id)
            wanted = dict(mapping.order_params(request, client_id, symbol))
            if sent is not None and known is None and sent.symbol == symbol:
                pass  # it never reached Binance: this is the retry
            elif known is None or not mapping.same_order(wanted, known):
                raise ValidationError(
                    "Validation error: client_order_id is already used by a different order",
                    {"field": "client_order_id"},
                ) from None
            else:
                return self._handle(known)
        self.given.record(client_id, request.client_order_id)
        route = mapping.managed_route(request, rules)
        if route is not None:
            return await self._submit_managed(route, request, client_id, rules)
        return await self._send(request, client_id, symbol)

    async def _submit_managed(
        self, route: str, request: SubmitOrderRequest, client_id: str, rules: SymbolRules
    ) -> OrderHandle:
        # Only the held trigger is shared with Alpaca (`_hold_trigger`): native OCO lists, the stop
        # as a trigger or a resting order, and the answer fed to the manager are Binance's own.
        manager = self.exits.manager
        symbol = rules.symbol
        if route == "oco" and OrderType(request.order_type) == OrderType.LIMIT:
            native = await self._native_oco(request, client_id, rules)
            if native is not None:
                return native
        held = self._hold_trigger(client_id, request) if route == "oco" else None
        if held is not None:
            return held
        if route == "oco":
            manager.add_oco_member(client_id, request)
            forget = client_id
        else:
            forget = self._ids.next_id()
            pair = await self._bracket_pair(forget, request, rules)
            # A lone stop-loss rests at Binance (STOP_LOSS); with a take-profit, only a native OCO list
            # lets both rest (two orders would each reserve the balance): else the stop is a trigger.
            native_stop = request.take_profit is None or pair is not None
            manager.add_bracket(forget, client_id, request, stop_trigger=not native_stop)
            if pair is not None:
                self.port.pair(pair)
            request = replace(request, stop_loss=None, take_profit=None)  # the entry alone goes out
        try:
            handle, body = await self._send_body(request, client_id, symbol)
        except TradewireError:
            manager.drop(forget)
            raise
        manager.sent(client_id, handle.id)
        # A MARKET entry has filled by its answer, possibly before the manager knew its id.
        self.exits.submit(manager.on_order(mapping.order_from_broker(body)))
        return handle

    async def _bracket_pair(
        self, group: str, request: SubmitOrderRequest, rules: SymbolRules
    ) -> OcoPair | None:
        """The exits of bracket `group` as one native OCO list, when Binance's OCO rules take them at
        today's price (an entry that fills near it); None: managed (the stop a gateway trigger)."""
        if request.take_profit is None or request.stop_loss is None or not rules.oco_allowed:
            return None
        take, stop = Decimal(request.take_profit), Decimal(request.stop_loss)
        exit_side = Side.SELL if Side(request.side) == Side.BUY else Side.BUY
        if not mapping.oco_fits(exit_side, take, stop, await self._reference(rules.symbol)):
            return None
        return OcoPair(f"{group}-tp", take, f"{group}-sl", stop)

    async def _native_oco(
        self, request: SubmitOrderRequest, client_id: str, rules: SymbolRules
    ) -> OrderHandle | None:
        """The LIMIT member of an OCO group whose other member, a STOP / STOP_LIMIT the gateway holds (not
        yet sent), pairs with it under Binance's OCO rules: both go out as one `orderList/oco`, the stop
        under its own id (the manager follows it at Binance from then on). None: managed pairing."""
        manager = self.exits.manager
        held = [o for o in manager.orders(rules.symbol) if o.oco_group_id == request.oco_group_id]
        if len(held) != 1 or not rules.oco_allowed:
            return None
        stop = held[0]
        plain = not (request.post_only or request.display_quantity or request.reduce_only)
        if (
            not plain
            or stop.side != request.side
            or Decimal(stop.quantity) != Decimal(order_rules.quantity_of(request, "binance"))
            or (request.time_in_force not in (None, TimeInForce.GTC))
            or stop.time_in_force != TimeInForce.GTC
            or stop.stop_price is None
            or not mapping.oco_fits(
                Side(request.side),
                Decimal(str(request.limit_price)),
                Decimal(stop.stop_price),
                await self._reference(rules.symbol),
            )
        ):
            return None
        path, params = mapping.oco_params(
            rules.symbol,
            Side(request.side),
            Decimal(order_rules.quantity_of(request, "binance")),
            (client_id, Decimal(str(request.limit_price))),
            (
                stop.id,
                Decimal(stop.stop_price),
                None if stop.limit_price is None else Decimal(stop.limit_price),
            ),
        )
        manager.add_oco_member(client_id, request)
        try:
            result = await submit_idempotent(
                OrderPath(self.http, rules.symbol, path), client_id, dict(params)
            )
        except TradewireError:
            manager.drop(client_id)
            raise
        body = result.order
        reports = [r for r in body.get("orderReports") or () if isinstance(r, dict)] or [body]
        mine = body
        for report in reports:
            sent_as = str(report["clientOrderId"])
            our_id = mapping.order_id(rules.symbol, int(report["orderId"]))
            with contextlib.suppress(StoreError):
                self.store.set_broker_id(sent_as, our_id)
            if sent_as == client_id:
                mine = report
                manager.sent(client_id, our_id)
            else:
                self.exits.submit(manager.hand_over(sent_as, mapping.order_from_broker(report)))
            self.user_stream.adopt(report)
        return self._handle(mine)

    async def _send(self, request: SubmitOrderRequest, client_id: str, symbol: str) -> OrderHandle:
        return (await self._send_body(request, client_id, symbol))[0]

    async def _send_body(
        self, request: SubmitOrderRequest, client_id: str, symbol: str
    ) -> tuple[OrderHandle, BrokerBody]:
        legs: list[BrokerBody] = []
        try:
            if request.stop_loss is not None or request.take_profit is not None:
                exits = f"{request.stop_loss or ''}|{request.take_profit or ''}"
                self.store.set_value(f"exits:{client_id}", exits)
                body, legs = await self._submit_list(request, client_id, symbol)
                self.store.set_value(f"exits:{mapping.order_id(symbol, int(body['orderId']))}", exits)
            else:
                params = dict(mapping.order_params(request, client_id, symbol))
                result = await submit_idempotent(OrderPath(self.http, symbol), client_id, params)
                body = result.order
        except OrderRejected as e:
            if errors.code_of(e.details.get("broker") if isinstance(e.details, dict) else None) == -1013:
                # A filter we did not know of refused it: Binance's rules changed, read them again.
                await self._load_rules((symbol,))
            raise
        our_id = mapping.order_id(symbol, int(body["orderId"]))
        with contextlib.suppress(StoreError):
            self.store.set_broker_id(client_id, our_id)
        for placed in (body, *legs):
            self.user_stream.adopt(placed)
        return self._handle(body), body

    async def _submit_list(
        self, request: SubmitOrderRequest, client_id: str, symbol: str
    ) -> tuple[BrokerBody, list[BrokerBody]]:
        """A LIMIT entry with exits as OTO / OTOCO: the entry (working) order and the exit legs."""
        leg_ids = (self._ids.next_id(), self._ids.next_id())
        for leg in leg_ids:
            self.given.record(leg, None)
        self.user_stream.expect_list(client_id, leg_ids)
        path, params = mapping.list_params(request, client_id, symbol, leg_ids)
        result = await submit_idempotent(OrderPath(self.http, symbol, path), client_id, dict(params))
        body = result.order
        if "orderReports" not in body:
            return body, []  # adopted: the working order, found by its client order id
        reports = [r for r in body.get("orderReports") or () if isinstance(r, dict)]
        working = [r for r in reports if r.get("clientOrderId") == client_id]
        if not working:
            raise ValidationError("Binance's order list answer has no working order")
        return working[0], [r for r in reports if r.get("clientOrderId") != client_id]

    def _check_reduce_only(self, request: SubmitOrderRequest, rules: SymbolRules) -> None:
        # Spot is long-only: a reduce-only order is a sell of at most the held base asset (mapping.md §2).
        # A sell by notional has no quantity before it fills: it needs a holding, and Binance refuses
        # one that would sell more than the balance holds (-2010 insufficient balance).
        held = self.book.held(rules.base)
        if Side(request.side) != Side.SELL or held <= 0:
            raise reject_codes.rejected(RejectReason.REDUCE_ONLY_VIOLATED)
        if request.quantity is not None and Decimal(request.quantity) > held:
            raise reject_codes.rejected(RejectReason.REDUCE_ONLY_VIOLATED)

    @property
    def given(self) -> GivenIds:
        return self.user_stream.given

    def _show_order(self, order: Order) -> None:
        if self._stream is not None:  # else closing: nothing is delivered any more
            # only the client order id the client gave (rest.md: echo when given)
            order.client_order_id = self.given.shown(order.client_order_id)

    def _where(self, order_id: str) -> tuple[str, int]:
        parsed = mapping.parse_order_id(order_id)
        if parsed is None:
            raise OrderNotFound(f"Order not found: {order_id}", {"resource": "order", "id": order_id})
        return parsed

    def _order(self, body: BrokerBody) -> Order:
        our_id = mapping.order_id(str(body["symbol"]), int(body["orderId"]))
        parent = None if self._stream is None else self._stream.parents.get(our_id)
        order = mapping.order_from_broker(body, parent)
        # the manager knows its legs by the client order id Binance has: decorate, then show as given
        if self._exits is not None:
            order = self._exits.manager.decorate(order)
        self._with_exits(order, order.client_order_id)
        order.client_order_id = self.given.shown(order.client_order_id)
        return order

    async def get_order(self, order_id: str) -> Order:
        manager = self.exits.manager
        held = manager.order(order_id)
        if held is not None:  # a trigger the gateway holds (or held: its order's id follows)
            return held
        order_id = manager.broker_id(order_id) or order_id
        symbol, broker_id = self._where(order_id)
        return self._order(await self.http.get_order(symbol, broker_id, ident=order_id))

    def _filtered(self, orders: list[Order], request: ListOrdersRequest) -> list[Order]:
        wanted = set(request.status)
        side = None if request.side is None else Side(request.side)
        out = [
            o
            for o in orders
            if (not wanted or o.status in wanted)
            and (side is None or o.side == side)
            and (request.client_order_id is None or o.client_order_id == request.client_order_id)
            and (request.since is None or o.created_at is None or o.created_at >= request.since)
            and (request.until is None or o.created_at is None or o.created_at <= request.until)
        ]
        out.sort(key=lambda o: o.created_at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
        return out if request.limit is None else out[: request.limit]

    async def list_orders(self, request: ListOrdersRequest) -> list[Order]:
        symbol = None if request.symbol is None else mapping.venue_symbol(request.symbol)
        if symbol is not None and symbol not in self._rules:
            return []  # a filter on a symbol Binance does not know matches no order
        orders = [self._order(b) for b in await self.http.open_orders(symbol)]
        orders += self.exits.manager.orders(symbol, working=True)
        return self._filtered([o for o in orders if o.status in WORKING], request)

    async def list_order_history(self, request: ListOrdersRequest) -> list[Order]:
        if request.symbol is not None:
            symbols = {mapping.venue_symbol(request.symbol)} & set(self._rules)
        else:
            symbols = {ids.symbol for ids in self.store.orders()}
        orders: list[Order] = []
        for symbol in sorted(symbols):
            orders += [self._order(b) for b in await self.http.all_orders(symbol)]
        orders += self.exits.manager.orders(
            request.symbol and mapping.venue_symbol(request.symbol), working=False
        )
        return self._filtered([o for o in orders if o.status not in WORKING], request)

    async def modify_order(self, order_id: str, request: ModifyOrderRequest) -> ModifyOrderResult:
        order_rules.check_modify(request)
        if self.exits.manager.is_managed(order_id):
            raise mapping.managed_modify_refused(order_id)
        order = await self.get_order(order_id)
        if order.status not in WORKING:
            raise not_modifiable(order_id, order)
        mapping.check_modifiable(request, order)
        if request.stop_loss is not None or request.take_profit is not None:
            raise mapping.unsupported(
                "moving the exits of an order list (cancel it and place a new one)", "stop_loss"
            )
        rules = await self._symbol_rules(order.symbol)
        request = precision.normalize_modify(request, order.side, rules.grid(), order.trailing_type)
        symbol, broker_id = self._where(order_id)
        prices_same = all(
            getattr(request, f) is None
            or Decimal(str(getattr(request, f))) == Decimal(str(getattr(order, f) or 0))
            for f in ("limit_price", "stop_price", "trailing_distance")
        )
        if prices_same and request.quantity is None:
            return ModifyOrderResult(order=order)  # nothing changes
        filled = Decimal(order.filled_quantity)
        if request.quantity is not None and Decimal(request.quantity) < filled:
            # rest.md: the new total must be at least what has filled.
            raise ValidationError(
                f"Validation error: quantity {request.quantity} is below the filled {order.filled_quantity}",
                {"field": "quantity", "filled_quantity": order.filled_quantity},
            )
        if request.quantity is not None and Decimal(request.quantity) == filled:
            # The whole new total has filled: nothing is left to work.
            return ModifyOrderResult(order=(await self.cancel_order(order_id)).order)
        if (
            prices_same
            and request.quantity is not None
            and Decimal(request.quantity) < Decimal(order.quantity)
            and rules.amend_allowed
        ):
            # A size cut keeps the order id and its queue place (binance.md §5.3).
            await self.http.amend_keep_priority(
                symbol, broker_id, jsondecimal.decimal_text(Decimal(request.quantity)), ident=order_id
            )
            return ModifyOrderResult(order=await self.get_order(order_id))
        if not rules.cancel_replace_allowed:
            raise mapping.unsupported(f"modifying orders on {symbol}", "order_id")
        new_request = SubmitOrderRequest(
            symbol=symbol,
            side=order.side,
            # The old order keeps its fills; the new one works what is left of the new total.
            quantity=(
                jsondecimal.decimal_text(Decimal(request.quantity) - filled)
                if request.quantity is not None
                else order.remaining_quantity
            ),
            order_type=order.order_type,
            time_in_force=order.time_in_force,
            limit_price=request.limit_price or order.limit_price,
            stop_price=request.stop_price or order.stop_price,
            trailing_distance=request.trailing_distance or order.trailing_distance,
            trailing_type=order.trailing_type,
            post_only=order.post_only,
            display_quantity=order.display_quantity,
        )
        rules.check(mapping.figures(new_request, await self._reference(symbol)))
        client_id = self._ids.next_id()
        params = mapping.order_params(new_request, client_id, symbol)
        params += [("cancelReplaceMode", "STOP_ON_FAILURE"), ("cancelOrderId", str(broker_id))]
        stream = self.user_stream
        stream.replacing[order_id] = client_id
        stream.replacements[client_id] = order_id
        self.store.record_order(OrderIds(client_id, client_id, symbol))
        self.given.record(client_id, order.client_order_id)  # the replacement shows the original's
        try:
            body = await self.http.cancel_replace(params, ident=order_id)
        except BaseException:
            stream.replacing.pop(order_id, None)
            stream.replacements.pop(client_id, None)
            raise
        new = body["newOrderResponse"]
        with contextlib.suppress(StoreError):
            self.store.set_broker_id(client_id, mapping.order_id(symbol, int(new["orderId"])))
        stream.adopt(new)
        return ModifyOrderResult(order=self._order(new), previous_order_id=order_id)

    async def _cancel_at_broker(self, order_id: str) -> Order:
        symbol, broker_id = self._where(order_id)
        return self._order(await self.http.cancel_order(symbol, broker_id, ident=order_id))

    async def cancel_all_orders(self, symbol: str | None = None) -> CancelAllResult:
        held = self.exits.manager.cancel_all(None if symbol is None else mapping.venue_symbol(symbol))
        self.exits.submit(held)  # triggers are the gateway's own to cancel
        triggers = sum(isinstance(a, Emit) for a in held)
        if symbol is not None:
            symbols = {mapping.venue_symbol(symbol)} & set(self._rules)
        else:
            symbols = {str(b["symbol"]) for b in await self.http.open_orders()}
        cancelled, failed = 0, []
        for name in sorted(symbols):
            try:
                rows = await self.http.cancel_open_orders(name)
            except OrderNotFound:
                continue  # nothing open there any more
            except TradewireError:
                failed.append(name)
                continue
            for row in rows:
                reports = row.get("orderReports")
                cancelled += len(reports) if isinstance(reports, list) else 1
        return CancelAllResult(
            cancelled_count=cancelled + triggers, failed_count=len(failed), failed_order_ids=failed
        )

    # -- positions --------------------------------------------------------------------------------
    async def list_positions(self, symbol: str | None = None) -> list[Position]:
        await self._refresh_balances()
        positions = self.book.positions()
        wanted = None if symbol is None else mapping.venue_symbol(symbol)
        return [p for p in positions if wanted is None or p.symbol == wanted]

    async def get_position(self, position_id: str) -> Position:
        wanted = mapping.venue_symbol(position_id)
        for position in await self.list_positions():
            if position.id == wanted:
                return position
        raise PositionNotFound(
            f"Position not found: {position_id}", {"resource": "position", "id": position_id}
        )

    async def close_position(self, position_id: str, request: ClosePositionRequest) -> OrderHandle:
        order_rules.check_close(request)
        position = await self.get_position(position_id)
        whole = request.quantity is None or Decimal(request.quantity) >= Decimal(position.quantity)
        if whole or request.cancel_associated_orders:
            # rest.md: a closed position's exits are always cleaned up; and they lock the asset they
            # would sell, so only what they leave free could be sold while they stand.
            await self._cancel_exits(position.symbol)
        rules = await self._symbol_rules(position.symbol)
        # Closable now = the free balance (binance.md §11), floored to the step by submit_order.
        free = self.book.free(rules.base)
        quantity = min(Decimal(request.quantity), free) if request.quantity is not None else free
        if quantity <= 0:
            raise reject_codes.rejected(RejectReason.INSUFFICIENT_BALANCE, symbol=position.symbol)
        limit = request.order_type == OrderType.LIMIT
        return await self.submit_order(
            SubmitOrderRequest(
                symbol=position.symbol,
                side=Side.SELL,
                quantity=codec.dec(quantity),
                order_type=OrderType.LIMIT if limit else OrderType.MARKET,
                limit_price=request.limit_price if limit else None,
            )
        )

    async def _cancel_exits(self, symbol: str) -> None:
        """Cancel the working sells of `symbol`: a long position's exits (spot is long-only), resting at
        Binance or held by the gateway as triggers; then read the balances they unlocked."""
        for order in await self.list_orders(ListOrdersRequest(symbol=symbol, side=Side.SELL)):
            # cancelling one member of a list cancels the list: its siblings are then gone already
            with contextlib.suppress(OrderNotFound, OrderNotModifiable):
                await self.cancel_order(order.id)
        await self._refresh_balances()

    async def close_all_positions(self, symbol: str | None = None) -> list[OrderHandle]:
        await self.cancel_all_orders(symbol)
        handles = []
        for position in await self.list_positions(symbol):
            try:
                handles.append(await self.close_position(position.id, ClosePositionRequest()))
            except TradewireError as e:  # dust below the minimum cannot be sold
                log.warning("Binance did not close %s: %s", position.symbol, e)
        return handles

    # -- fills and market data --------------------------------------------------------------------
    async def list_trades(self, request: ListTradesRequest) -> list[Trade]:
        if request.order_id is not None:
            symbol, broker_id = self._where(request.order_id)
            rows = await self.http.my_trades(symbol, order_id=broker_id)
        else:
            if request.symbol is not None:
                symbols = {mapping.venue_symbol(request.symbol)} & set(self._rules)
            else:
                symbols = {ids.symbol for ids in self.store.orders()}
            rows = []
            for symbol in sorted(symbols):
                rows += await self.http.my_trades(symbol)
        manager = self.exits.manager
        trades = [mapping.trade_from_my_trade(r) for r in rows]
        trades = [replace(t, order_id=manager.trade_order_id(t.order_id)) for t in trades]
        trades = [
            t
            for t in trades
            if (request.since is None or t.timestamp is None or t.timestamp >= request.since)
            and (request.until is None or t.timestamp is None or t.timestamp <= request.until)
        ]
        trades.sort(key=lambda t: t.timestamp or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
        return trades if request.limit is None else trades[: request.limit]

    async def get_quote(self, symbol: str) -> Quote:
        name = mapping.venue_symbol(symbol)
        return mapping.quote_from_book(name, await self.http.book_ticker(name), tick=self._tick(name))

    def _tick(self, symbol: str) -> Decimal | None:
        rules = self._rules.get(symbol)
        return None if rules is None else rules.tick

    async def get_bars(self, request: GetBarsRequest) -> list[Bar]:
        interval = mapping.INTERVALS.get(request.timeframe)
        if interval is None:
            raise InvalidRequest(
                "Invalid request: timeframe is required (Binance has no 2- or 10-minute bars)",
                {"field": "timeframe"},
            )
        symbol = mapping.venue_symbol(request.symbol)
        rows = await self.http.klines(
            symbol,
            interval,
            start=_ms(request.start),
            end=_ms(request.end),
            limit=request.limit or 500,
        )
        return [mapping.bar_from_kline(symbol, request.timeframe, row) for row in rows]


def _ms(value: dt.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)
