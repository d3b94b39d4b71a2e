"""The fake account's operations: submit, replace, cancel, close, fills from the price paths, events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tradewire.testkit.fakes.alpaca import book, errors, render
from tradewire.testkit.fakes.alpaca.assets import Asset, Assets
from tradewire.testkit.fakes.alpaca.clock import Clock
from tradewire.testkit.fakes.alpaca.config import FakeConfig
from tradewire.testkit.fakes.alpaca.market import Bar, SymbolMarket, Trade
from tradewire.testkit.fakes.alpaca.prices import PricePath
from tradewire.testkit.fakes.alpaca.state import Account, Activity, Order, Position
from tradewire.testkit.fakes.alpaca.submit import Draft, check_price
from tradewire.testkit.fakes.alpaca.wire import Json, dec, new_id, parse_decimal, ts9

#: (trade_updates `data`, is a fill) -> delivered to the trading stream
Publish = Callable[[dict[str, Json], bool], None]
#: (symbol, quote, trade, closed minute bar) -> delivered to the data stream
Tick = Callable[[SymbolMarket, Trade, Bar | None], None]
_ZERO = Decimal(0)


class Broker:
    def __init__(
        self, config: FakeConfig, clock: Clock, schedule: Callable[[Callable[[], None]], object]
    ) -> None:
        self.config, self.clock, self._schedule = config, clock, schedule
        self.assets = Assets(config.assets)
        now = clock.now_ns()
        self.markets = {
            a.symbol: SymbolMarket(a, config.spreads[a.asset_class], a.price, now) for a in self.assets
        }
        for m in self.markets.values():
            m.tick(m.asset.price, now)  # a first trade, so latest trades and bars exist from the start
        self.paths: dict[str, PricePath] = {}
        #: most a single order fills per matching pass, per symbol (None: all of it): partial fills
        self.liquidity: dict[str, Decimal] = {}
        self.orders: dict[str, Order] = {}
        self.by_client_id: dict[str, Order] = {}
        self.positions: dict[str, Position] = {}
        self.activities: list[Activity] = []
        self.account = Account(
            id=str(uuid.uuid4()),
            account_number="PA3FAKE0ACCT",
            cash=config.cash,
            created_ns=now,
            multiplier=config.multiplier,
            shorting_enabled=config.shorting_enabled,
            last_equity=config.cash,
        )
        self.publish: list[Publish] = []
        self.on_tick: list[Tick] = []
        self._match_pending = False

    # --- lookups -------------------------------------------------------------------------------

    def asset(self, key: str) -> Asset:
        found = self.assets.find(key)
        if found is None:
            raise errors.not_found(f"asset not found for {key}")
        return found

    def order(self, order_id: str) -> Order:
        found = self.orders.get(order_id)
        if found is None:
            raise errors.not_found(f"order not found for {order_id}")
        return found

    def legs(self, o: Order) -> list[Order]:
        return [self.orders[i] for i in o.leg_ids]

    def order_json(self, o: Order, nested: bool = False) -> dict[str, Json]:
        return render.order(o, self.legs if nested else None)

    def _group(self, o: Order) -> list[Order]:
        parent = self.orders[o.parent_id] if o.parent_id else o
        return [parent, *self.legs(parent)]

    # --- money ---------------------------------------------------------------------------------

    def price(self, asset: Asset) -> Decimal:
        return self.markets[asset.symbol].last

    def values(self) -> tuple[Decimal, Decimal]:
        """(long market value, short market value <= 0)."""
        long = short = _ZERO
        for p in self.positions.values():
            value = p.qty * self.price(p.asset)
            long, short = (long + value, short) if value > 0 else (long, short + value)
        return long, short

    def _reserved(self, crypto: bool) -> Decimal:
        total = _ZERO
        for o in self.orders.values():
            if o.open and o.side == "buy" and o.status != "held" and o.asset.crypto == crypto:
                m = self.markets[o.asset.symbol]
                price = o.limit_price or m.ask
                total += o.notional - o.filled_value if o.notional is not None else o.remaining(price) * price
        return total

    def buying_power(self) -> Decimal:
        long, short = self.values()
        equity = self.account.cash + long + short
        margin = equity * Decimal(self.account.multiplier) - long + short
        return max(_ZERO, min(margin, equity * Decimal(self.account.multiplier)) - self._reserved(False))

    def account_json(self) -> dict[str, Json]:
        long, short = self.values()
        return render.account(self.account, long, short, self.buying_power())

    def held(self, asset: Asset, side: str) -> Decimal:
        """Quantity open orders of `side` already claim: exits still `held` claim nothing yet, and
        the two exits of one bracket or OCO claim the quantity once."""
        groups: set[str] = set()
        total = _ZERO
        for o in self.orders.values():
            if not o.open or o.asset is not asset or o.side != side or o.qty is None or o.status == "held":
                continue
            group = o.parent_id or o.id
            if group not in groups:
                groups.add(group)
                total += o.qty - o.filled_qty
        return total

    def position_json(self, p: Position) -> dict[str, Json]:
        return render.position(p, self.price(p.asset), self.held(p.asset, "sell" if p.qty > 0 else "buy"))

    def position(self, key: str) -> Position:
        asset = self.assets.find(key)
        found = self.positions.get(asset.symbol) if asset else None
        if found is None:
            raise errors.not_found("position does not exist")
        return found

    # --- orders --------------------------------------------------------------------------------

    def _intent(self, asset: Asset, side: str) -> str:
        held = self.positions.get(asset.symbol)
        q = held.qty if held else _ZERO
        if side == "buy":
            return "buy_to_close" if q < 0 else "buy_to_open"
        return "sell_to_close" if q > 0 else "sell_to_open"

    def _check_funds(self, d: Draft, exits_only: bool) -> None:
        asset, m = d.asset, self.markets[d.asset.symbol]
        held = self.positions.get(asset.symbol)
        q = held.qty if held else _ZERO
        qty = d.qty if d.qty is not None else (d.notional or _ZERO) / (m.ask if d.side == "buy" else m.bid)
        if d.side == "buy":
            price = d.limit_price or d.stop_price or m.ask
            cost = d.notional if d.notional is not None else qty * price
            power = self.account.cash - self._reserved(True) if asset.crypto else self.buying_power()
            if q >= 0 and cost > power:
                raise errors.forbidden(
                    "insufficient buying power", buying_power=str(power), cost_basis=str(cost)
                )
            if q < 0:
                available = -q - self.held(asset, "buy")
                if qty > available:
                    raise self._qty_error(asset, qty, -q, available)
            return
        if q > 0 or exits_only:
            available = q - self.held(asset, "sell")
            if qty > available:
                raise self._qty_error(asset, qty, q, available)
            return
        if asset.crypto:
            raise errors.forbidden(
                f"insufficient balance for {asset.symbol.split('/')[0]} (requested: {qty}, available: 0)"
            )
        if not self.account.shorting_enabled:
            raise errors.forbidden("account is not allowed to short")
        if not asset.shortable:
            raise errors.forbidden(f"asset {asset.symbol} cannot be sold short")
        if qty != qty.to_integral_value():
            raise errors.forbidden("fractional orders cannot be sold short")

    def _qty_error(
        self, asset: Asset, qty: Decimal, existing: Decimal, available: Decimal
    ) -> errors.AlpacaError:
        return errors.forbidden(
            f"insufficient qty available for order (requested: {qty}, available: {max(available, _ZERO)})",
            symbol=asset.position_symbol,
            existing_qty=str(abs(existing)),
            held_for_orders=str(abs(existing) - max(available, _ZERO)),
            available=str(max(available, _ZERO)),
        )

    def _new(self, d: Draft, **fields: Any) -> Order:
        now = self.clock.now_ns()
        o = Order(
            id=new_id(),
            client_order_id=fields.pop("client_order_id", None) or new_id(),
            asset=d.asset,
            side=d.side,
            type=d.type,
            time_in_force=d.time_in_force,
            qty=d.qty,
            notional=d.notional,
            submitted_ns=now,
            updated_ns=now,
            order_class=d.order_class,
            limit_price=d.limit_price,
            stop_price=d.stop_price,
            trail_price=d.trail_price,
            trail_percent=d.trail_percent,
            extended_hours=d.extended_hours,
            position_intent=self._intent(d.asset, d.side),
        )
        for key, value in fields.items():
            setattr(o, key, value)
        if o.type == "trailing_stop":
            book.fill_price(o, self.markets[o.asset.symbol])  # sets hwm and the first stop price
        self.orders[o.id] = o
        self.by_client_id[o.client_order_id] = o
        return o

    def _routable(self, asset: Asset) -> bool:
        return asset.crypto or self.clock.market_open

    def submit(self, d: Draft) -> Order:
        if d.client_order_id is not None and d.client_order_id in self.by_client_id:
            raise errors.duplicate_client_order_id()
        self._check_funds(d, exits_only=d.order_class == "oco")
        status = "new" if self._routable(d.asset) else "accepted"
        parent = self._new(d, client_order_id=d.client_order_id, status=status)
        exit_side = "sell" if d.side == "buy" else "buy"
        leg_status = status if d.order_class == "oco" else "held"
        legs: list[Order] = []
        if d.take_profit is not None and d.order_class != "oco":
            tp = Draft(**{**d.__dict__, "side": exit_side, "type": "limit", "limit_price": d.take_profit})
            tp.stop_price = tp.trail_price = tp.trail_percent = None
            legs.append(self._new(tp, status=leg_status, parent_id=parent.id))
        if d.stop_loss_stop is not None:
            side = d.side if d.order_class == "oco" else exit_side
            kind = "stop" if d.stop_loss_limit is None else "stop_limit"
            sl = Draft(**{**d.__dict__, "side": side, "type": kind, "stop_price": d.stop_loss_stop})
            sl.limit_price, sl.trail_price, sl.trail_percent = d.stop_loss_limit, None, None
            legs.append(self._new(sl, status=leg_status, parent_id=parent.id))
        parent.leg_ids = [leg.id for leg in legs]
        self._event(status, parent)
        if d.order_class == "oco":
            for leg in legs:
                self._event(status, leg)
        self.request_match()
        return parent

    def cancel(self, order_id: str) -> None:
        o = self.order(order_id)
        if not o.open:
            raise errors.unprocessable(f'order is already in "{o.status}" state')
        for member in self._group(o) if (o.parent_id or o.leg_ids) else [o]:
            if member.open:
                self._close(member, "canceled")

    def cancel_all(self) -> list[dict[str, Json]]:
        answers: list[dict[str, Json]] = []
        for o in list(self.orders.values()):
            if o.open and not (o.parent_id and self.orders[o.parent_id].open):
                self.cancel(o.id)
                answers.append({"id": o.id, "status": 200, "body": self.order_json(o)})
        return answers

    def replace(self, order_id: str, body: object) -> Order:
        o = self.order(order_id)
        if not isinstance(body, dict):
            raise errors.malformed("request body format is invalid")
        if not o.open or o.status in ("pending_replace", "pending_cancel", "held"):
            raise errors.unprocessable(f'order is not replaceable in "{o.status}" state')
        if o.order_class == "oto":
            raise errors.unprocessable("oto orders cannot be replaced")
        if o.type == "trailing_stop" and set(body) - {"trail", "client_order_id"}:
            raise errors.invalid("only trail can be replaced on a trailing stop order")
        if o.type != "trailing_stop" and "trail" in body:
            raise errors.invalid("trail is only for trailing_stop orders")

        def field(name: str, current: Decimal | None) -> Decimal | None:
            try:
                value = parse_decimal(body.get(name))
            except (ValueError, ArithmeticError):
                raise errors.invalid(f"invalid {name}") from None
            return current if value is None else value

        qty = field("qty", None)
        if qty is not None and qty <= 0:
            raise errors.invalid("qty must be > 0")
        limit, stop = field("limit_price", o.limit_price), field("stop_price", o.stop_price)
        check_price(o.asset, "limit_price", limit)
        check_price(o.asset, "stop_price", stop)
        tif = body.get("time_in_force", o.time_in_force)
        cid = body.get("client_order_id")
        if cid is not None and cid in self.by_client_id:
            raise errors.duplicate_client_order_id()
        trail = field("trail", None)
        draft = Draft(
            asset=o.asset,
            side=o.side,
            type=o.type,
            time_in_force=tif,
            qty=qty if qty is not None else (o.qty - o.filled_qty if o.qty is not None else None),
            notional=o.notional,
            limit_price=limit,
            stop_price=None if o.type == "trailing_stop" else stop,
            trail_price=trail if trail is not None and o.trail_price is not None else o.trail_price,
            trail_percent=trail if trail is not None and o.trail_percent is not None else o.trail_percent,
            extended_hours=o.extended_hours,
            client_order_id=cid,
            order_class=o.order_class,
        )
        self._event("pending_replace", o, status="pending_replace")
        new = self._new(draft, client_order_id=cid, status=o.status if o.status == "held" else "new")
        new.replaces, new.parent_id, new.leg_ids = o.id, o.parent_id, o.leg_ids
        if o.parent_id:
            parent = self.orders[o.parent_id]
            parent.leg_ids = [new.id if i == o.id else i for i in parent.leg_ids]
        for leg in self.legs(new):
            leg.parent_id = new.id
        o.replaced_by, o.replaced_ns = new.id, self.clock.now_ns()
        self._close(o, "replaced")
        self._event("new", new)
        self.request_match()
        return new

    def close_position(self, key: str, qty: str | None, percentage: str | None) -> Order:
        p = self.position(key)
        try:
            amount = parse_decimal(qty) if qty else None
            share = parse_decimal(percentage) if percentage else None
        except (ValueError, ArithmeticError):
            raise errors.invalid("invalid qty or percentage") from None
        whole = abs(p.qty)
        if share is not None:
            amount = (whole * share / 100).quantize(Decimal("0.000000001"), rounding="ROUND_DOWN")
        amount = whole if amount is None else amount
        side = "sell" if p.qty > 0 else "buy"
        draft = Draft(
            asset=p.asset,
            side=side,
            type="market",
            time_in_force="gtc" if p.asset.crypto else "day",
            qty=amount,
            notional=None,
            limit_price=None,
            stop_price=None,
            trail_price=None,
            trail_percent=None,
            extended_hours=False,
            client_order_id=None,
            order_class="",
        )
        available = whole - self.held(p.asset, side)
        if amount > available or amount <= 0:
            raise self._qty_error(p.asset, amount, p.qty, available)
        return self.submit(draft)

    def close_all(self, cancel_orders: bool) -> list[dict[str, Json]]:
        if cancel_orders:
            self.cancel_all()
        answers: list[dict[str, Json]] = []
        for p in list(self.positions.values()):
            try:
                o = self.close_position(p.asset.symbol, None, None)
                answers.append({"symbol": p.asset.position_symbol, "status": 200, "body": self.order_json(o)})
            except errors.AlpacaError as e:
                answers.append({"symbol": p.asset.position_symbol, "status": e.status, "body": e.body()})
        return answers

    # --- prices and matching -------------------------------------------------------------------

    def set_path(self, symbol: str, path: PricePath) -> None:
        self.paths[self.asset(symbol).symbol] = path

    def set_price(self, symbol: str, price: Decimal | str) -> None:
        """Trade `symbol` at `price` now: quote and trade to the data stream, then matching."""
        m = self.markets[self.asset(symbol).symbol]
        trade, closed = m.tick(Decimal(str(price)), self.clock.now_ns())
        for listener in self.on_tick:
            listener(m, trade, closed)
        self.match()

    def step(self, symbol: str | None = None) -> None:
        """Advance one scripted path (or every one) by one price."""
        for name in [self.asset(symbol).symbol] if symbol else list(self.paths):
            path = self.paths.get(name)
            price = path.next() if path else None
            if price is not None:
                self.set_price(name, price)

    def request_match(self) -> None:
        """Match soon, after the current answer is written (Alpaca answers `new`, fills follow)."""
        if not self._match_pending:
            self._match_pending = True
            self._schedule(self.match)

    def match(self) -> None:
        self._match_pending = False
        for o in list(self.orders.values()):
            if not o.open or o.status in ("held", "pending_cancel", "pending_replace"):
                continue
            if not self._routable(o.asset) or o.time_in_force in ("opg", "cls"):
                continue
            self._try_fill(o)

    def _try_fill(self, o: Order, at: Decimal | None = None) -> None:
        m = self.markets[o.asset.symbol]
        price = at if at is not None else book.fill_price(o, m)
        if price is None:
            if o.time_in_force in ("ioc", "fok"):
                self._close(o, "canceled")
            return
        rest = o.remaining(price)
        cap = self.liquidity.get(o.asset.symbol)
        size = rest if cap is None else min(rest, cap)
        if o.time_in_force == "fok" and size < rest:
            self._close(o, "canceled")
            return
        if size > 0:
            self.fill(o.id, size, price)
        if o.open and o.time_in_force == "ioc":
            self._close(o, "canceled")

    def fill(
        self, order_id: str, qty: Decimal | str | None = None, price: Decimal | str | None = None
    ) -> None:
        """Execute `qty` of an order at `price` (default: all that is left, at the touch)."""
        o = self.order(order_id)
        m = self.markets[o.asset.symbol]
        at = Decimal(str(price)) if price is not None else (m.ask if o.side == "buy" else m.bid)
        size = Decimal(str(qty)) if qty is not None else o.remaining(at)
        size = min(size, o.remaining(at))
        if not o.open or size <= 0:
            return
        now = self.clock.now_ns()
        o.filled_qty += size
        o.filled_value += size * at
        done = o.remaining(at) <= 0
        o.status, o.updated_ns = ("filled", now) if done else ("partially_filled", now)
        if done:
            o.filled_ns = now
        position_qty = self._book(o.asset, o.side, size, at)
        self.activities.append(
            Activity(
                id=datetime.fromtimestamp(now // 1_000_000_000, UTC).strftime("%Y%m%d%H%M%S")
                + f"{(now // 1_000_000) % 1000:03d}::{uuid.uuid4()}",
                ns=now,
                type="fill" if done else "partial_fill",
                price=at,
                qty=size,
                side=o.side,
                symbol=o.asset.symbol,
                leaves_qty=o.remaining(at),
                cum_qty=o.filled_qty,
                order_id=o.id,
                order_status=o.status,
            )
        )
        fill: dict[str, Any] = {
            "execution_id": new_id(),
            "price": at,
            "qty": size,
            "position_qty": position_qty,
        }
        self._event("fill" if done else "partial_fill", o, **fill)
        if done:
            self._after_fill(o)

    def _after_fill(self, o: Order) -> None:
        if o.leg_ids and o.order_class in ("bracket", "oto"):
            for leg in self.legs(o):
                if leg.status == "held":
                    leg.status = "new" if self._routable(leg.asset) else "accepted"
                    leg.position_intent = self._intent(leg.asset, leg.side)
                    self._event(leg.status, leg)
            self.request_match()
        elif o.parent_id or (o.order_class == "oco" and o.leg_ids):
            for sibling in self._group(o):
                if sibling is not o and sibling.open and (sibling.parent_id or o.order_class == "oco"):
                    self._close(sibling, "canceled")

    def _book(self, asset: Asset, side: str, size: Decimal, price: Decimal) -> Decimal:
        """Net the fill into the position and cash; returns the signed position after it."""
        signed = size if side == "buy" else -size
        self.account.cash -= signed * price
        p = self.positions.get(asset.symbol)
        if p is None:
            p = self.positions[asset.symbol] = Position(asset, _ZERO, price, self.markets[asset.symbol].last)
        new = p.qty + signed
        if p.qty == 0 or (p.qty > 0) == (signed > 0):
            p.avg_entry_price = (
                ((abs(p.qty) * p.avg_entry_price + size * price) / abs(new))
                .quantize(Decimal("0.000000001"))
                .normalize()
            )
        elif new != 0 and (new > 0) != (p.qty > 0):
            p.avg_entry_price = price  # flipped through zero: the rest opened at this price
        p.qty = new
        if new == 0:
            del self.positions[asset.symbol]
        return new

    def _close(self, o: Order, status: str) -> None:
        now = self.clock.now_ns()
        o.status, o.updated_ns = status, now
        if status == "canceled":
            o.canceled_ns = now
        elif status == "expired":
            o.expired_ns = now
        self._event(status, o)
        if status in ("canceled", "expired") and o.leg_ids and o.order_class != "oco":
            for leg in self.legs(o):
                if leg.open and leg.status == "held":
                    self._close(leg, "canceled")

    def _event(self, event: str, o: Order, status: str | None = None, **fill: Any) -> None:
        if status is not None:
            o.status, o.updated_ns = status, self.clock.now_ns()
        data: dict[str, Json] = {"event": event}
        if fill:
            data["execution_id"] = fill["execution_id"]
        data["timestamp"] = ts9(self.clock.now_ns())
        if fill:
            data.update({key: dec(fill[key]) for key in ("price", "qty", "position_qty")})
        data["order"] = self.order_json(o, nested=bool(o.leg_ids))
        for publish in self.publish:
            publish(data, bool(fill))

    # --- the session ---------------------------------------------------------------------------

    def open_market(self) -> None:
        """The opening auction: queued equity orders go `new`, `opg` orders fill at the touch."""
        self.clock.set_open(True)
        for o in list(self.orders.values()):
            if o.open and not o.asset.crypto and o.status == "accepted":
                self._event("new", o, status="new")
        for o in list(self.orders.values()):
            if o.open and o.time_in_force == "opg" and o.status != "held":
                self._try_fill(o, at=self._auction_price(o))
                if o.open:
                    self._close(o, "canceled")
        self.match()

    def close_market(self) -> None:
        """The closing auction fills `cls` orders; every equity `day` order still open expires."""
        for o in list(self.orders.values()):
            if o.open and o.time_in_force == "cls" and o.status != "held":
                self._try_fill(o, at=self._auction_price(o))
        for o in list(self.orders.values()):
            if o.open and not o.asset.crypto and o.time_in_force in ("day", "cls", "opg"):
                if not (o.parent_id and self.orders[o.parent_id].open):
                    self._close(o, "expired")
        self.clock.set_open(False)

    def _auction_price(self, o: Order) -> Decimal | None:
        last = self.markets[o.asset.symbol].last
        if o.type == "limit":
            assert o.limit_price is not None
            if (o.side == "buy" and last > o.limit_price) or (o.side == "sell" and last < o.limit_price):
                return None
        return last
