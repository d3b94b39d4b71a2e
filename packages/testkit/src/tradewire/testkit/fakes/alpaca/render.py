"""Alpaca's JSON shapes for the fake's records (trading API: every decimal a string)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from tradewire.testkit.fakes.alpaca.assets import Asset
from tradewire.testkit.fakes.alpaca.state import Account, Activity, Order, Position
from tradewire.testkit.fakes.alpaca.wire import Json, dec, dec_or_none, ts6

_RATIO = Decimal("0.0000000000000001")  # Alpaca writes P&L ratios with up to 16 decimals


def _ts(ns: int | None) -> str | None:
    return None if ns is None else ts6(ns)


def order(o: Order, legs: Callable[[Order], Iterable[Order]] | None = None) -> dict[str, Json]:
    """One order; with `legs` (nested=true) its bracket/oco/oto children roll up under `legs`."""
    return {
        "id": o.id,
        "client_order_id": o.client_order_id,
        "created_at": ts6(o.submitted_ns),
        "updated_at": ts6(o.updated_ns or o.submitted_ns),
        "submitted_at": ts6(o.submitted_ns),
        "filled_at": _ts(o.filled_ns),
        "expired_at": _ts(o.expired_ns),
        "expires_at": None,
        "canceled_at": _ts(o.canceled_ns),
        "failed_at": _ts(o.failed_ns),
        "replaced_at": _ts(o.replaced_ns),
        "replaced_by": o.replaced_by,
        "replaces": o.replaces,
        "asset_id": o.asset.id,
        "symbol": o.asset.symbol,
        "asset_class": o.asset.asset_class,
        "notional": dec_or_none(o.notional),
        "qty": dec_or_none(o.qty),
        "filled_qty": dec(o.filled_qty),
        "filled_avg_price": dec_or_none(o.filled_avg_price),
        "order_class": o.order_class,
        "order_type": o.type,
        "type": o.type,
        "side": o.side,
        "position_intent": o.position_intent,
        "time_in_force": o.time_in_force,
        "limit_price": dec_or_none(o.limit_price),
        "stop_price": dec_or_none(o.stop_price),
        "status": o.status,
        "extended_hours": o.extended_hours,
        "legs": None if legs is None or not o.leg_ids else [order(leg) for leg in legs(o)],
        "trail_percent": dec_or_none(o.trail_percent),
        "trail_price": dec_or_none(o.trail_price),
        "hwm": dec_or_none(o.hwm),
    }


def _ratio(num: Decimal, den: Decimal) -> str:
    return dec((num / den).quantize(_RATIO)) if den else "0"


def position(p: Position, price: Decimal, held: Decimal) -> dict[str, Json]:
    """One position at `price`; `held` is what open closing orders already reserve."""
    cost = p.qty * p.avg_entry_price
    value = p.qty * price
    pl = value - cost
    intraday = (price - p.lastday_price) * p.qty
    return {
        "asset_id": p.asset.id,
        "symbol": p.asset.position_symbol,
        "exchange": p.asset.exchange,
        "asset_class": p.asset.asset_class,
        "asset_marginable": p.asset.marginable,
        "qty": dec(p.qty),
        "avg_entry_price": dec(p.avg_entry_price),
        "side": "long" if p.qty > 0 else "short",
        "market_value": dec(value),
        "cost_basis": dec(cost),
        "unrealized_pl": dec(pl),
        "unrealized_plpc": _ratio(pl, abs(cost)),
        "unrealized_intraday_pl": dec(intraday),
        "unrealized_intraday_plpc": _ratio(intraday, abs(p.qty * p.lastday_price)),
        "current_price": dec(price),
        "lastday_price": dec(p.lastday_price),
        "change_today": _ratio(price - p.lastday_price, p.lastday_price),
        "qty_available": dec(abs(p.qty) - held),
    }


def account(a: Account, long_value: Decimal, short_value: Decimal, buying_power: Decimal) -> dict[str, Json]:
    """`GET /v2/account`. The day-trading fields Alpaca dropped in 2026 (PDT flag, day-trade count and
    buying power) are absent, as in its responses now."""
    equity = a.cash + long_value + short_value
    margin = (long_value - short_value) / Decimal(a.multiplier) if a.multiplier != "1" else long_value
    return {
        "id": a.id,
        "account_number": a.account_number,
        "status": "ACTIVE",
        "crypto_status": "ACTIVE",
        "options_approved_level": 0,
        "options_trading_level": 0,
        "currency": "USD",
        "buying_power": dec(buying_power),
        "regt_buying_power": dec(buying_power),
        "non_marginable_buying_power": dec(max(a.cash, Decimal(0))),
        "options_buying_power": dec(max(a.cash, Decimal(0))),
        "cash": dec(a.cash),
        "accrued_fees": "0",
        "portfolio_value": dec(equity),
        "trading_blocked": False,
        "transfers_blocked": False,
        "account_blocked": False,
        "created_at": ts6(a.created_ns),
        "trade_suspended_by_user": False,
        "multiplier": a.multiplier,
        "shorting_enabled": a.shorting_enabled,
        "equity": dec(equity),
        "last_equity": dec(a.last_equity),
        "long_market_value": dec(long_value),
        "short_market_value": dec(short_value),
        "initial_margin": dec(margin),
        "maintenance_margin": dec(margin * Decimal("0.3") * 2 if a.multiplier != "1" else Decimal(0)),
        "last_maintenance_margin": "0",
        "sma": dec(a.last_equity),
    }


def asset(a: Asset) -> dict[str, Json]:
    body: dict[str, Json] = {
        "id": a.id,
        "class": a.asset_class,
        "exchange": a.exchange,
        "symbol": a.symbol,
        "name": a.name,
        "status": "active",
        "tradable": True,
        "marginable": a.marginable,
        "maintenance_margin_requirement": 100 if a.crypto else 30,
        "shortable": a.shortable,
        "easy_to_borrow": a.easy_to_borrow,
        "fractionable": a.fractionable,
        "attributes": [],
    }
    if a.crypto:
        # Alpaca writes these three as strings on crypto assets.
        body["min_order_size"] = dec_or_none(a.min_order_size)
        body["min_trade_increment"] = dec_or_none(a.min_trade_increment)
        body["price_increment"] = dec_or_none(a.price_increment)
    return body


def activity(x: Activity) -> dict[str, Json]:
    return {
        "id": x.id,
        "activity_type": "FILL",
        "transaction_time": ts6(x.ns),
        "type": x.type,
        "price": dec(x.price),
        "qty": dec(x.qty),
        "side": x.side,
        "symbol": x.symbol,
        "leaves_qty": dec(x.leaves_qty),
        "order_id": x.order_id,
        "cum_qty": dec(x.cum_qty),
        "order_status": x.order_status,
    }
