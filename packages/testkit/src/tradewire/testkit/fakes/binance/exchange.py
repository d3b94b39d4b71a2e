"""The matching engine and the account: orders, lists, fills against the scripted book, balances, events."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from tradewire.testkit.fakes.binance import errors, filters, render
from tradewire.testkit.fakes.binance.clock import Clock
from tradewire.testkit.fakes.binance.config import FakeConfig, SymbolSpec
from tradewire.testkit.fakes.binance.market import Level, MarketTrade, SymbolMarket
from tradewire.testkit.fakes.binance.prices import PricePath
from tradewire.testkit.fakes.binance.state import LIMIT_TYPES, Fill, Order, OrderList
from tradewire.testkit.fakes.binance.wire import ZERO, Json, d8

CLIENT_ID = re.compile(r"^[a-zA-Z0-9\-_]{1,36}$")
_BPS = Decimal(10000)
MARKET_TYPES = frozenset({"MARKET", "STOP_LOSS", "TAKE_PROFIT"})

#: A user-data event (the `event` of a WS API subscription frame).
UserListener = Callable[[dict[str, Json]], None]
#: A market tick: the symbol's market, the trade it printed (None: only the book changed).
MarketListener = Callable[[SymbolMarket, MarketTrade | None], None]


@dataclass
class Balance:
    free: Decimal = ZERO
    locked: Decimal = ZERO


@dataclass
class Placed:
    """What a new order came to: the order and the fills it made on arrival."""

    order: Order
    fills: list[Fill] = field(default_factory=list)


class Exchange:
    def __init__(self, config: FakeConfig, clock: Clock) -> None:
        self.config, self.clock = config, clock
        self.specs: dict[str, SymbolSpec] = {s.symbol: s for s in config.symbols}
        self.markets: dict[str, SymbolMarket] = {}
        for spec in config.symbols:
            market = SymbolMarket(spec, spec.price)
            market.rebuild_book()
            market.print_trade(clock.now_ms(), spec.price, spec.trade_qty, False)
            self.markets[spec.symbol] = market
        self.balances: dict[str, Balance] = {a: Balance(v) for a, v in config.balances.items()}
        self.orders: dict[tuple[str, int], Order] = {}
        self.lists: dict[int, OrderList] = {}
        self.fills: list[Fill] = []
        self.next_order_id: dict[str, int] = {s: 1 for s in self.specs}
        self.next_list_id = 1
        self.next_execution_id = 1
        self._cancel_ids = 0
        #: Per symbol: the most an order fills per step while resting (None: no cap).
        self.liquidity: dict[str, Decimal] = {}
        #: Per symbol: exchangeInfo's `status`; anything but TRADING refuses new orders.
        self.status: dict[str, str] = {s: "TRADING" for s in self.specs}
        self.user_listeners: list[UserListener] = []
        self.market_listeners: list[MarketListener] = []
        self._changed: dict[str, None] = {}  # assets whose balance changed in this operation

    # --- lookups ----------------------------------------------------------------------------

    def market(self, symbol: str) -> SymbolMarket:
        found = self.markets.get(symbol)
        if found is None:
            raise errors.bad_symbol()
        return found

    def find(self, symbol: str, order_id: int | None, client_id: str | None) -> Order:
        self.market(symbol)
        if order_id is not None:
            found = self.orders.get((symbol, order_id))
        else:
            candidates = [o for o in self.orders.values() if o.symbol == symbol and o.client_id == client_id]
            found = max(candidates, key=lambda o: o.order_id) if candidates else None
        if found is None:
            raise errors.no_such_order()
        return found

    def open_orders(self, symbol: str | None) -> list[Order]:
        return [o for o in self.orders.values() if not o.terminal and (symbol is None or o.symbol == symbol)]

    def balance(self, asset: str) -> Balance:
        return self.balances.setdefault(asset, Balance())

    # --- events -----------------------------------------------------------------------------

    def now(self) -> int:
        return self.clock.now_ms()

    def _emit(self, event: dict[str, Json]) -> None:
        for listener in list(self.user_listeners):
            listener(event)

    def _report(self, order: Order, exec_type: str, fill: Fill | None = None, **kw: Json) -> None:
        execution_id = self.next_execution_id
        self.next_execution_id += 1
        self._emit(render.execution_report(order, self.now(), exec_type, execution_id, fill, **kw))

    def _touch(self, asset: str) -> None:
        self._changed[asset] = None

    def flush(self) -> None:
        """End of one operation: one `outboundAccountPosition` with every asset it changed."""
        if not self._changed:
            return
        changed = {a: (self.balance(a).free, self.balance(a).locked) for a in self._changed}
        self._changed.clear()
        self._emit(render.account_position(self.now(), changed))

    def deposit(self, asset: str, amount: Decimal) -> None:
        """A deposit (negative: a withdrawal): `balanceUpdate`, then the account position."""
        self.balance(asset).free += amount
        self._touch(asset)
        now = self.now()
        self._emit({"e": "balanceUpdate", "E": now, "a": asset, "d": d8(amount), "T": now})
        self.flush()

    # --- locks ------------------------------------------------------------------------------

    def _lock_need(self, order: Order) -> Decimal:
        if order.terminal or order.status == "PENDING_NEW" or order.type == "MARKET":
            return ZERO  # a MARKET order runs at once: it is paid from free, checked on arrival
        if order.shares_lock and order.sibling is not None:
            sibling = self.orders.get((order.symbol, order.sibling))
            if sibling is not None and not sibling.terminal:
                return ZERO  # an OCO's legs share one lock, carried by the other leg
        if order.side == "SELL":
            return order.remaining
        price = self._lock_price(order)
        if order.sibling is not None and not order.shares_lock:
            sibling = self.orders.get((order.symbol, order.sibling))
            if sibling is not None and not sibling.terminal:
                price = max(price, self._lock_price(sibling))
        return order.remaining * price

    def _lock_price(self, order: Order) -> Decimal:
        if order.type in LIMIT_TYPES:
            return order.price
        if order.stop_price:
            return order.stop_price
        return self.markets[order.symbol].last

    def _relock(self, order: Order) -> None:
        """Hold exactly what the order still needs: more from free, or the surplus back to free."""
        need = self._lock_need(order)
        if need == order.locked:
            return
        bal = self.balance(order.lock_asset)
        delta = need - order.locked
        bal.free -= delta
        bal.locked += delta
        order.locked = need
        self._touch(order.lock_asset)

    def _spend(self, order: Order, asset: str, amount: Decimal) -> None:
        """Pay `amount` of `asset` for a fill: from the order's lock first, then from free."""
        bal = self.balance(asset)
        from_lock = min(order.locked, amount) if asset == order.lock_asset else ZERO
        order.locked -= from_lock
        bal.locked -= from_lock
        bal.free -= amount - from_lock
        self._touch(asset)

    # --- placing ----------------------------------------------------------------------------

    def validate(self, order: Order) -> None:
        """Everything that rejects a new order before it is accepted (binance.md §13 rules)."""
        spec = self.specs.get(order.symbol)
        if spec is None:
            raise errors.bad_symbol()
        market = self.markets[order.symbol]
        if self.status[order.symbol] != "TRADING":
            raise errors.rejected(errors.MARKET_CLOSED)
        if not CLIENT_ID.match(order.client_id):
            raise errors.illegal_client_id("newClientOrderId")
        if any(o.client_id == order.client_id for o in self.open_orders(order.symbol)):
            raise errors.rejected(errors.DUPLICATE_ORDER)
        if order.quote_qty:
            if not spec.quote_market_allowed:
                raise errors.rejected(errors.QUOTE_QTY_NOT_ALLOWED)
            unit = Decimal(1).scaleb(-spec.quote_precision)
            if order.quote_qty != order.quote_qty.quantize(unit, ROUND_DOWN):
                raise errors.too_much_precision("quoteOrderQty")
        filters.check(order, spec, market.last)
        if order.is_stop and order.trailing_delta is None and self._triggers(order, market.last):
            raise errors.rejected(errors.WOULD_TRIGGER)
        if order.type == "LIMIT_MAKER" and self._crosses(order, market):
            raise errors.rejected(errors.WOULD_TAKE)

    def _need_on_arrival(self, order: Order, market: SymbolMarket) -> Decimal:
        if order.type != "MARKET":
            return self._lock_need(order)
        if order.side == "BUY":
            if order.quote_qty:
                return order.quote_qty
            levels, _ = self._walk(market.asks, order.qty, None, None)
            return sum((q * p for p, q in levels), ZERO)
        if order.quote_qty:
            levels, _ = self._walk(market.bids, None, order.quote_qty, None)
            return sum((q for _, q in levels), ZERO)
        return order.qty

    def place(self, order: Order) -> Placed:
        """Validate, accept (NEW), take liquidity, then rest, expire or finish. Raises BinanceError."""
        self.validate(order)
        spec, market = self.specs[order.symbol], self.markets[order.symbol]
        order.lock_asset = spec.quote if order.side == "BUY" else spec.base
        if self.balance(order.lock_asset).free < self._need_on_arrival(order, market):
            raise errors.rejected(errors.INSUFFICIENT_BALANCE)
        self._accept(order)
        placed = Placed(order)
        if order.is_stop:
            if order.trailing_delta is not None and not order.stop_price:
                order.trail_extreme = market.last
        else:
            placed.fills = self._arrive(order, market)
        self.flush()
        return placed

    def _accept(self, order: Order) -> None:
        now = self.now()
        order.order_id = self.next_order_id[order.symbol]
        self.next_order_id[order.symbol] += 1
        order.time = order.update_time = now
        order.working = not order.is_stop
        order.working_time = now if order.working else -1
        self.orders[(order.symbol, order.order_id)] = order
        self._relock(order)
        self._report(order, "NEW")

    def _arrive(self, order: Order, market: SymbolMarket) -> list[Fill]:
        """A working order meets the book as a taker; what is left rests or expires."""
        if order.tif == "FOK" and not self._fok_fillable(order, market):
            self._expire(order, "UNFILLED_FOK_ORDER_EXPIRED")
            return []
        limit = order.price if order.type in LIMIT_TYPES else None
        fills = self._take(order, market, limit)
        if order.terminal:
            return fills
        if order.type in MARKET_TYPES:  # a MARKET, or a stop that triggered into one
            self._expire(order, "INSUFFICIENT_LIQUIDITY")
        elif order.tif == "IOC":
            self._expire(order, "UNFILLED_IOC_QUANTITY_EXPIRED")
        return fills

    # --- matching ---------------------------------------------------------------------------

    @staticmethod
    def _walk(
        levels: list[Level],
        qty: Decimal | None,
        quote: Decimal | None,
        limit: Decimal | None,
        buy: bool = True,
    ) -> tuple[list[tuple[Decimal, Decimal]], Decimal]:
        """(price, qty) per level a taker would take, best first, and the quote left unspent."""
        taken: list[tuple[Decimal, Decimal]] = []
        for level in levels:
            if (qty is not None and qty <= 0) or (quote is not None and quote <= 0):
                break
            if limit is not None and (level.price > limit if buy else level.price < limit):
                break
            if level.qty <= 0:
                continue
            q = level.qty if qty is None else min(level.qty, qty)
            if quote is not None:
                q = min(q, quote / level.price)
            taken.append((level.price, q))
            qty = None if qty is None else qty - q
            quote = None if quote is None else quote - q * level.price
        return taken, quote or ZERO

    def _take(self, order: Order, market: SymbolMarket, limit: Decimal | None) -> list[Fill]:
        buy = order.side == "BUY"
        levels = market.asks if buy else market.bids
        step = self.specs[order.symbol].step_size
        quote = order.quote_qty - order.cum_quote if order.quote_qty else None
        taken, _ = self._walk(levels, None if quote is not None else order.remaining, quote, limit, buy)
        if quote is not None:
            # A quote-quantity MARKET buys whole steps; its origQty is what it bought.
            taken = [(p, q.quantize(step, ROUND_DOWN) if step else q) for p, q in taken]
            taken = [(p, q) for p, q in taken if q > 0]
            order.qty = sum((q for _, q in taken), ZERO)
        fills: list[Fill] = []
        for price, qty in taken:
            for level in levels:
                if level.price == price:
                    level.qty -= qty
            fills.append(self._fill(order, qty, price, maker=False))
        if fills:
            market.book_update_id += 1
            self._book_changed(market)
        return fills

    def _fill(self, order: Order, qty: Decimal, price: Decimal, maker: bool) -> Fill:
        spec, market = self.specs[order.symbol], self.markets[order.symbol]
        rate = self.config.maker_commission if maker else self.config.taker_commission
        now = self.now()
        notional = qty * price
        if order.side == "BUY":
            commission, asset = qty * rate, spec.base
            self._spend(order, spec.quote, notional)
            self.balance(spec.base).free += qty - commission
        else:
            commission, asset = notional * rate, spec.quote
            self._spend(order, spec.base, qty)
            self.balance(spec.quote).free += notional - commission
        self._touch(spec.base)
        self._touch(spec.quote)
        order.executed += qty
        order.cum_quote += notional
        order.update_time = now
        order.status = "FILLED" if order.remaining <= 0 else "PARTIALLY_FILLED"
        fill = Fill(
            order.symbol, market.next_trade_id, order.order_id, order.list_id, price, qty,
            commission, asset, now, order.side == "BUY", maker,
        )  # fmt: skip
        market.next_trade_id += 1
        self.fills.append(fill)
        self._relock(order)
        self._report(order, "TRADE", fill)
        if order.sibling is not None:
            self._oco_triggered(order)
        if order.status == "FILLED":
            self._finished(order)
        return fill

    def _fok_fillable(self, order: Order, market: SymbolMarket) -> bool:
        buy = order.side == "BUY"
        taken, _ = self._walk(market.asks if buy else market.bids, order.qty, None, order.price or None, buy)
        return sum((q for _, q in taken), ZERO) >= order.qty

    def _crosses(self, order: Order, market: SymbolMarket) -> bool:
        if order.side == "BUY":
            ask = market.best_ask()
            return ask.qty > 0 and order.price >= ask.price
        bid = market.best_bid()
        return bid.qty > 0 and order.price <= bid.price

    @staticmethod
    def _triggers(order: Order, last: Decimal) -> bool:
        """A stop's trigger condition: STOP_LOSS BUY / TAKE_PROFIT SELL at or above, the others below."""
        above = (order.type.startswith("STOP_LOSS")) == (order.side == "BUY")
        return last >= order.stop_price if above else last <= order.stop_price

    def _trail(self, order: Order, last: Decimal) -> bool:
        """Track a trailing order's extreme; True once the price came back `trailingDelta` bps from it."""
        if order.trail_extreme is None:
            # With a stopPrice the trail starts once the plain stop would have triggered.
            if not self._triggers(order, last):
                return False
            order.trail_extreme = last
        delta = Decimal(order.trailing_delta or 0) / _BPS
        if order.side == "SELL":
            order.trail_extreme = max(order.trail_extreme, last)
            return last <= order.trail_extreme * (1 - delta)
        order.trail_extreme = min(order.trail_extreme, last)
        return last >= order.trail_extreme * (1 + delta)

    # --- order lifecycle ----------------------------------------------------------------------

    def _expire(self, order: Order, reason: str, exec_type: str = "EXPIRED") -> None:
        order.status = "EXPIRED"
        order.expiry_reason = reason
        order.update_time = self.now()
        self._relock(order)
        self._report(order, exec_type)
        self._finished(order)

    def _finished(self, order: Order) -> None:
        """An order reached a final state: place an OTO's pending legs, close its list when all are done."""
        if order.status == "FILLED":
            for pending_id in order.pending:
                leg = self.orders[(order.symbol, pending_id)]
                if leg.status != "PENDING_NEW":
                    continue
                leg.status, leg.update_time = "NEW", self.now()
                leg.working = not leg.is_stop
                leg.working_time = self.now() if leg.working else -1
                if leg.trailing_delta is not None and not leg.stop_price:
                    leg.trail_extreme = self.markets[leg.symbol].last
                self._relock(leg)
                self._relock_sibling(leg)
                self._report(leg, "NEW")
        elif order.pending:
            for pending_id in order.pending:
                leg = self.orders[(order.symbol, pending_id)]
                if leg.status == "PENDING_NEW":
                    leg.status, leg.expiry_reason = "EXPIRED", "OTO_PHASE_ONE_EXPIRED"
                    self._report(leg, "EXPIRED")
        if order.list_id >= 0:
            self._list_update(self.lists[order.list_id])

    def _relock_sibling(self, order: Order) -> None:
        if order.sibling is not None:
            self._relock(self.orders[(order.symbol, order.sibling)])

    def _oco_triggered(self, order: Order) -> None:
        """One OCO leg triggered or filled: the other expires (`eR=OCO_TRIGGER`), its lock moves here."""
        sibling_id, order.sibling = order.sibling, None
        if sibling_id is None:
            return
        sibling = self.orders[(order.symbol, sibling_id)]
        sibling.sibling = None
        if not sibling.terminal:
            sibling.status, sibling.expiry_reason = "EXPIRED", "OCO_TRIGGER"
            sibling.update_time = self.now()
            self._relock(sibling)
            self._report(sibling, "EXPIRED")
        order.shares_lock = False
        self._relock(order)

    def _list_update(self, lst: OrderList) -> None:
        orders = [self.orders[(lst.symbol, i)] for i in lst.order_ids]
        if all(o.terminal for o in orders) and lst.order_status != "ALL_DONE":
            lst.status_type = lst.order_status = "ALL_DONE"
            self._emit(render.list_status(lst, orders, self.now()))

    def cancel(self, order: Order, cancel_client_id: str | None = None) -> list[Order]:
        """Cancel an open order (and every order of its list); returns what was canceled."""
        if order.terminal:
            raise errors.cancel_rejected()
        targets = [order]
        if order.list_id >= 0:
            lst = self.lists[order.list_id]
            targets = [o for i in lst.order_ids if not (o := self.orders[(lst.symbol, i)]).terminal]
        for target in targets:
            target.sibling = None
            target.status, target.update_time = "CANCELED", self.now()
        for target in targets:
            self._relock(target)
            self._cancel_ids += 1
            cid = cancel_client_id or f"cancel{self._cancel_ids:012d}"
            self._report(target, "CANCELED", client_id=cid, orig_client_id=target.client_id)
        if order.list_id >= 0:
            self._list_update(self.lists[order.list_id])
        self.flush()
        return targets

    def amend(self, order: Order, new_qty: Decimal, client_id: str) -> None:
        """Keep-priority amend: a smaller quantity, same id and queue place (`x=REPLACED`)."""
        if order.terminal or not new_qty < order.qty or new_qty <= order.executed:
            raise errors.amend_rejected()
        if order.amends >= 10:
            raise errors.amend_rejected(too_many=True)
        orig_client_id = order.client_id
        order.qty, order.amends, order.update_time = new_qty, order.amends + 1, self.now()
        order.client_id = client_id
        self._relock(order)
        self._report(order, "REPLACED", orig_client_id=orig_client_id)
        self.flush()

    # --- order lists --------------------------------------------------------------------------

    def place_list(self, contingency: str, client_id: str, legs: list[Order], shape: str) -> OrderList:
        """Accept a list: `shape` is `OCO` (two legs), `OTO` (working + pending) or `OTOCO` (+ two)."""
        for leg in legs:
            self.validate(leg)
        symbol = legs[0].symbol
        market = self.markets[symbol]
        if sum(1 for x in self.lists.values() if x.symbol == symbol and x.order_status == "EXECUTING") >= 20:
            raise errors.too_many_lists()
        spec = self.specs[symbol]
        lst = OrderList(self.next_list_id, symbol, contingency, client_id, [], self.now())
        working = legs[0] if shape != "OCO" else None
        oco = legs if shape == "OCO" else legs[1:] if shape == "OTOCO" else []
        if shape == "OCO" and not self._oco_prices_ok(legs, market.last):
            raise errors.oco_bad_prices()
        for leg in legs:
            leg.lock_asset = spec.quote if leg.side == "BUY" else spec.base
        need = self._list_need(legs, shape)
        if working is not None and working.lock_asset != legs[1].lock_asset:
            need = self._lock_need(working)
        if self.balance(legs[0].lock_asset).free < need:
            raise errors.rejected(errors.INSUFFICIENT_BALANCE)
        self.next_list_id += 1
        self.lists[lst.list_id] = lst
        if len(oco) == 2:
            oco[1].shares_lock = True
        pending = legs[1:] if working is not None else []
        for leg in legs:
            leg.list_id = lst.list_id
            if leg in pending:
                leg.status = "PENDING_NEW"
            now = self.now()
            leg.order_id = self.next_order_id[symbol]
            self.next_order_id[symbol] += 1
            leg.time = leg.update_time = now
            leg.working = leg.status != "PENDING_NEW" and not leg.is_stop
            leg.working_time = now if leg.working else -1
            self.orders[(symbol, leg.order_id)] = leg
            lst.order_ids.append(leg.order_id)
        if len(oco) == 2:
            oco[0].sibling, oco[1].sibling = oco[1].order_id, oco[0].order_id
        if working is not None:
            working.pending = [leg.order_id for leg in pending]
        self._emit(render.list_status(lst, legs, self.now()))
        for leg in legs:
            if leg.trailing_delta is not None and not leg.stop_price and leg.status != "PENDING_NEW":
                leg.trail_extreme = market.last
            self._relock(leg)
            self._report(leg, "NEW")
        if working is not None:
            self._arrive(working, market)
        else:
            for leg in legs:
                if not leg.is_stop and not leg.terminal and self._crosses(leg, market):
                    self._arrive(leg, market)
        self.flush()
        return lst

    def _list_need(self, legs: list[Order], shape: str) -> Decimal:
        first = legs[0]
        if shape == "OCO":
            prices = [self._lock_price(leg) for leg in legs]
            return first.qty if first.side == "SELL" else first.qty * max(prices)
        return self._lock_need(first) if first.side == "SELL" else first.qty * self._lock_price(first)

    @staticmethod
    def _oco_prices_ok(legs: list[Order], last: Decimal) -> bool:
        above, below = legs
        top, bottom = above.stop_price or above.price, below.stop_price or below.price
        return (not top or top > last) and (not bottom or bottom < last)

    # --- market --------------------------------------------------------------------------------

    def _book_changed(self, market: SymbolMarket, trade: MarketTrade | None = None) -> None:
        for listener in list(self.market_listeners):
            listener(market, trade)

    def set_path(self, symbol: str, path: PricePath) -> None:
        self.market(symbol).path = path

    def set_book(
        self, symbol: str, bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]]
    ) -> None:
        market = self.market(symbol)
        market.set_book(bids, asks)
        self._book_changed(market)
        self._match_resting(market)
        self.flush()

    def step(self, symbol: str | None = None) -> None:
        """Every (or one) symbol's path moves one price: a trade prints, the book rebuilds, orders match."""
        for market in [self.market(symbol)] if symbol else list(self.markets.values()):
            price = market.path.next() if market.path is not None else None
            if price is not None:
                self.set_price(market.symbol, price)

    def set_price(self, symbol: str, price: Decimal | str) -> None:
        market = self.market(symbol)
        value = Decimal(str(price))
        buyer_maker = value < market.last
        market.last = value
        market.rebuild_book()
        trade = market.print_trade(self.now(), value, market.spec.trade_qty, buyer_maker)
        self._book_changed(market, trade)
        self._match_resting(market)
        self.flush()

    def _match_resting(self, market: SymbolMarket) -> None:
        """Stops trigger (and trail) on the last price; resting limits fill when the price reaches them."""
        last = market.last
        for order in sorted(self.open_orders(market.symbol), key=lambda o: (o.time, o.order_id)):
            if order.terminal or order.status == "PENDING_NEW":
                continue
            if not order.triggered:
                hit = (
                    self._trail(order, last)
                    if order.trailing_delta is not None
                    else self._triggers(order, last)
                )
                if not hit:
                    continue
                order.working, order.working_time = True, self.now()
                if order.sibling is not None:
                    self._oco_triggered(order)
                self._arrive(order, market)
                continue
            if order.type not in LIMIT_TYPES:
                continue
            crossed = last <= order.price if order.side == "BUY" else last >= order.price
            if crossed:
                cap = self.liquidity.get(market.symbol)
                qty = order.remaining if cap is None else min(cap, order.remaining)
                if qty > 0:
                    self._fill(order, qty, order.price, maker=True)

    def fill(
        self, symbol: str, order_id: int, qty: Decimal | None = None, price: Decimal | None = None
    ) -> None:
        """Fill an open order now (a test control): all that remains, or `qty`, at its price or `price`."""
        order = self.find(symbol, order_id, None)
        if order.terminal or order.status == "PENDING_NEW":
            raise ValueError(f"order {order_id} is not open")
        at = price if price is not None else order.price or self.markets[symbol].last
        self._fill(order, qty if qty is not None else order.remaining, at, maker=order.type in LIMIT_TYPES)
        self.flush()
