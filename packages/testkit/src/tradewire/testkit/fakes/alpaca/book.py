"""Paper-style matching: the price an order fills at against the scripted quote, or None while it rests."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from tradewire.testkit.fakes.alpaca.market import SymbolMarket
from tradewire.testkit.fakes.alpaca.state import Order


def _trail(o: Order, m: SymbolMarket) -> bool:
    """Move a trailing stop's high-water mark and stop price; True once the last trade crosses it."""
    sell = o.side == "sell"
    o.hwm = m.last if o.hwm is None else (max(o.hwm, m.last) if sell else min(o.hwm, m.last))
    if o.trail_price is not None:
        stop = o.hwm - o.trail_price if sell else o.hwm + o.trail_price
    else:
        assert o.trail_percent is not None
        factor = o.trail_percent / 100
        stop = o.hwm * (1 - factor) if sell else o.hwm * (1 + factor)
    o.stop_price = stop.quantize(m.asset.tick, ROUND_HALF_EVEN)
    return m.last <= o.stop_price if sell else m.last >= o.stop_price


def fill_price(o: Order, m: SymbolMarket) -> Decimal | None:
    """Buys take the ask, sells the bid; a limit fills once the quote crosses it (paper fills)."""
    buy = o.side == "buy"
    touch = m.ask if buy else m.bid
    if o.type == "trailing_stop":
        o.triggered = o.triggered or _trail(o, m)
        return touch if o.triggered else None
    if o.type in ("stop", "stop_limit") and not o.triggered:
        assert o.stop_price is not None
        if not (m.last >= o.stop_price if buy else m.last <= o.stop_price):
            return None
        o.triggered = True
    if o.type in ("market", "stop"):
        return touch
    assert o.limit_price is not None
    crosses = touch <= o.limit_price if buy else touch >= o.limit_price
    return touch if crosses else None
