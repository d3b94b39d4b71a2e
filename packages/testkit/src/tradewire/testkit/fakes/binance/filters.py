"""exchangeInfo filters enforced on a new order (binance.md §6): -1013 `Filter failure: <NAME>`."""

from __future__ import annotations

from decimal import Decimal

from tradewire.testkit.fakes.binance import errors
from tradewire.testkit.fakes.binance.config import SymbolSpec
from tradewire.testkit.fakes.binance.state import LIMIT_TYPES, Order

MIN_TRAILING_DELTA, MAX_TRAILING_DELTA = 10, 2000
ICEBERG_PARTS = 10


def _on_grid(value: Decimal, step: Decimal) -> bool:
    return step == 0 or value % step == 0


def check(order: Order, spec: SymbolSpec, last: Decimal) -> None:
    """Raise the first filter the order breaks, in the order Binance checks them."""
    prices = [p for p in (order.price, order.stop_price) if p]
    for price in prices:
        if price < spec.min_price or price > spec.max_price or not _on_grid(price, spec.tick_size):
            raise errors.filter_failure("PRICE_FILTER")
    if order.type in LIMIT_TYPES and order.price:
        if order.price > last * spec.multiplier_up or order.price < last * spec.multiplier_down:
            raise errors.filter_failure("PERCENT_PRICE_BY_SIDE")
    quantities = ([] if order.quote_qty else [order.qty]) + ([order.iceberg_qty] if order.iceberg_qty else [])
    for qty in quantities:
        if qty < spec.min_qty or qty > spec.max_qty or not _on_grid(qty, spec.step_size):
            raise errors.filter_failure("LOT_SIZE")
    if order.type == "MARKET" and order.qty:
        market_max = spec.market_max_qty if spec.market_max_qty is not None else spec.max_qty
        if order.qty > market_max:
            raise errors.filter_failure("MARKET_LOT_SIZE")
    if order.iceberg_qty and -(-order.qty // order.iceberg_qty) > ICEBERG_PARTS:
        raise errors.filter_failure("ICEBERG_PARTS")
    if order.trailing_delta is not None and not (
        MIN_TRAILING_DELTA <= order.trailing_delta <= MAX_TRAILING_DELTA
    ):
        raise errors.filter_failure("TRAILING_DELTA")
    market = order.type in ("MARKET", "STOP_LOSS", "TAKE_PROFIT")
    notional = order.quote_qty or order.qty * (last if market or not order.price else order.price)
    if notional < spec.min_notional or (not market and notional > spec.max_notional):
        raise errors.filter_failure("NOTIONAL")
