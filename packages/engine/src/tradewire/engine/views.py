"""Lightweight read-only views handed to in-process strategies (no protocol objects per bar)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from tradewire.engine.core.events import Fill
from tradewire.engine.wire import ns_to_dt

if TYPE_CHECKING:
    from tradewire.engine.data.merge import Chunk
    from tradewire.engine.wire import WireBuilder
    from tradewire.protocol import messages as m

__all__ = ["BarView", "FillView", "QuoteView", "StepView"]


class BarView:
    """The current bar of one symbol. The same object is reused bar after bar (read what you need
    during the callback; call `to_message()` to keep a copy). Floats are for signals; `decimal()`
    gives the exact price."""

    __slots__ = ("_c", "_div", "_qdiv", "_wire", "i", "sym", "symbol", "timeframe_ns")

    def __init__(
        self, symbol: str, sym: int, price_scale: int, qty_scale: int, timeframe_ns: int, wire: WireBuilder
    ) -> None:
        self.symbol = symbol
        self.sym = sym
        self.i = 0
        self._c: Chunk | None = None
        self._div = 10.0**price_scale
        self._qdiv = 10.0**qty_scale
        self.timeframe_ns = timeframe_ns
        self._wire = wire

    @property
    def close(self) -> float:
        return self._c.close_f[self.i]  # type: ignore[union-attr,no-any-return]

    @property
    def open(self) -> float:
        return self._c.a[self.i] / self._div  # type: ignore[union-attr]

    @property
    def high(self) -> float:
        return self._c.b[self.i] / self._div  # type: ignore[union-attr]

    @property
    def low(self) -> float:
        return self._c.c[self.i] / self._div  # type: ignore[union-attr]

    @property
    def volume(self) -> float:
        return self._c.e[self.i] / self._qdiv  # type: ignore[union-attr]

    @property
    def start_ns(self) -> int:
        return self._c.start[self.i]  # type: ignore[union-attr]

    @property
    def time(self) -> dt.datetime:
        """Bar start (UTC)."""
        return ns_to_dt(self.start_ns)

    @property
    def end(self) -> dt.datetime:
        """Bar end = the simulated instant at which the strategy sees it."""
        return ns_to_dt(self._c.ts[self.i])  # type: ignore[union-attr]

    def decimal(self, field: str = "close") -> Decimal:
        """Exact price of `field` (open/high/low/close) as a Decimal."""
        col = {"open": "a", "high": "b", "low": "c", "close": "d"}[field]
        return Decimal(getattr(self._c, col)[self.i]) / Decimal(self._div)  # exact: power of ten

    def to_message(self) -> m.Bar:
        """This bar as a protocol Bar (a new object)."""
        c, i = self._c, self.i
        assert c is not None
        return self._wire.bar(self.sym, c.start[i], c.a[i], c.b[i], c.c[i], c.d[i], c.e[i])

    def __repr__(self) -> str:
        return f"BarView({self.symbol} {self.time:%Y-%m-%dT%H:%M}Z o={self.open} h={self.high} l={self.low} c={self.close})"


class QuoteView:
    """The current quote of one symbol (reused like BarView)."""

    __slots__ = ("_c", "_div", "i", "sym", "symbol")

    def __init__(self, symbol: str, sym: int, price_scale: int) -> None:
        self.symbol = symbol
        self.sym = sym
        self.i = 0
        self._c: Chunk | None = None
        self._div = 10.0**price_scale

    @property
    def bid(self) -> float:
        return self._c.a[self.i] / self._div  # type: ignore[union-attr]

    @property
    def ask(self) -> float:
        return self._c.b[self.i] / self._div  # type: ignore[union-attr]

    @property
    def mid(self) -> float:
        return self._c.close_f[self.i]  # type: ignore[union-attr,no-any-return]

    @property
    def time(self) -> dt.datetime:
        return ns_to_dt(self._c.ts[self.i])  # type: ignore[union-attr]


class StepView:
    """Everything that happened at one simulated instant: its bars and quotes."""

    __slots__ = ("bars", "quotes", "time_ns")

    def __init__(self) -> None:
        self.bars: list[BarView] = []
        self.quotes: list[QuoteView] = []
        self.time_ns = 0

    @property
    def time(self) -> dt.datetime:
        return ns_to_dt(self.time_ns)


class FillView:
    """One fill with exact Decimal fields (built only for strategies that define on_fill)."""

    __slots__ = ("commission", "id", "is_maker", "order_id", "price", "quantity", "side", "symbol", "time")

    def __init__(self, f: Fill, symbol: str, price_scale: int, qty_scale: int, money_scale: int) -> None:
        self.id = f.id
        self.order_id = f.order_id
        self.symbol = symbol
        self.side = "BUY" if f.side == 1 else "SELL"
        self.quantity = Decimal(f.qty).scaleb(-qty_scale)
        self.price = Decimal(f.price).scaleb(-price_scale)
        self.commission = Decimal(f.commission).scaleb(-money_scale)
        self.is_maker = f.is_maker
        self.time = ns_to_dt(f.ts)

    def __repr__(self) -> str:
        return f"FillView({self.side} {self.quantity} {self.symbol} @ {self.price})"
