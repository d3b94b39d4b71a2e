"""Pure price rules: does a working order trade against this bar or quote, and at what price."""

# Bars: market orders fill at the open; limits and stops trigger on the high/low, and a price that
# gaps through the level fills at the open (never better than the market allowed). Quotes: buys take
# the ask, sells hit the bid.

from __future__ import annotations

from tradewire.engine.core.orders import BUY, LIMIT, MARKET, STOP, STOP_LIMIT, TRAILING_STOP, OrderState

__all__ = ["bar_price", "quote_price", "trail_stop"]

_PCT_SCALE = 100_000_000  # trailing percent stored in 1e-6 % units: 100 % = 1e8


def trail_stop(order: OrderState) -> int | None:
    """Current stop level of a trailing stop from its anchor (high-water mark for sells, low for buys)."""
    a, d = order.trail_anchor, order.trail
    if a is None or d is None:
        return None
    if order.trail_type == 2:  # PERCENT
        move = a * d // _PCT_SCALE if order.side != BUY else -((-a * d) // _PCT_SCALE)
    else:
        move = d
    return a + move if order.side == BUY else a - move


def _limit_bar(is_buy: bool, limit: int, o: int, h: int, lo: int) -> int | None:
    if is_buy:
        if o <= limit:
            return o
        return limit if lo <= limit else None
    if o >= limit:
        return o
    return limit if h >= limit else None


def _stop_bar(is_buy: bool, stop: int, o: int, h: int, lo: int) -> int | None:
    if is_buy:
        if o >= stop:
            return o
        return stop if h >= stop else None
    if o <= stop:
        return o
    return stop if lo <= stop else None


def bar_price(order: OrderState, o: int, h: int, lo: int) -> tuple[int, bool] | None:
    """(fill price, is_maker) for `order` on a bar with open/high/low, or None when it does not trade.

    Mutates trigger state: a stop-limit that triggers becomes a working limit; a trailing stop
    ratchets its anchor after the bar has been checked against the previous level.
    """
    is_buy = order.side == BUY
    t = order.otype
    if t == MARKET:
        return o, False
    if t == LIMIT:
        px = _limit_bar(is_buy, order.limit, o, h, lo)  # type: ignore[arg-type]
        # a resting limit that fills at its level provides liquidity; a gap fill at the open takes it
        return None if px is None else (px, px == order.limit)
    if t == STOP:
        px = _stop_bar(is_buy, order.stop, o, h, lo)  # type: ignore[arg-type]
        return None if px is None else (px, False)
    if t == STOP_LIMIT:
        if not order.triggered:
            trig = _stop_bar(is_buy, order.stop, o, h, lo)  # type: ignore[arg-type]
            if trig is None:
                return None
            order.triggered = True
            limit = order.limit
            assert limit is not None
            # after the trigger the order is a limit for the rest of the bar: it fills at the trigger
            # price if that respects the limit, else at the limit if the bar reaches it
            if (is_buy and trig <= limit) or (not is_buy and trig >= limit):
                return trig, False
            reach = lo <= limit if is_buy else h >= limit
            return (limit, True) if reach else None
        px = _limit_bar(is_buy, order.limit, o, h, lo)  # type: ignore[arg-type]
        return None if px is None else (px, px == order.limit)
    if t == TRAILING_STOP:
        stop = trail_stop(order)
        res = None
        if stop is not None:
            px = _stop_bar(is_buy, stop, o, h, lo)
            if px is not None:
                res = (px, False)
        if res is None:
            a = order.trail_anchor
            order.trail_anchor = (
                (lo if a is None or lo < a else a) if is_buy else (h if a is None or h > a else a)
            )
        return res
    return None


def quote_price(order: OrderState, bid: int, ask: int) -> tuple[int, bool] | None:
    """(fill price, is_maker) for `order` against a quote, or None. Buys trade at the ask, sells at the bid."""
    is_buy = order.side == BUY
    px = ask if is_buy else bid
    t = order.otype
    if t == MARKET:
        return px, False
    if t == LIMIT or (t == STOP_LIMIT and order.triggered):
        ok = px <= order.limit if is_buy else px >= order.limit  # type: ignore[operator]
        return (px, False) if ok else None
    if t == STOP:
        hit = px >= order.stop if is_buy else px <= order.stop  # type: ignore[operator]
        return (px, False) if hit else None
    if t == STOP_LIMIT:
        hit = px >= order.stop if is_buy else px <= order.stop  # type: ignore[operator]
        if not hit:
            return None
        order.triggered = True
        ok = px <= order.limit if is_buy else px >= order.limit  # type: ignore[operator]
        return (px, False) if ok else None
    if t == TRAILING_STOP:
        stop = trail_stop(order)
        if stop is not None and (px >= stop if is_buy else px <= stop):
            return px, False
        mid_ref = bid if not is_buy else ask
        a = order.trail_anchor
        if is_buy:
            order.trail_anchor = mid_ref if a is None or mid_ref < a else a
        else:
            order.trail_anchor = mid_ref if a is None or mid_ref > a else a
        return None
    return None
