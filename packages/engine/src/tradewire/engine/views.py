"""Lightweight read-only views handed to in-process strategies (no protocol objects per bar)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from tradewire.engine.core.events import Fill
from tradewire.engine.core.timestamps import ns_to_dt

if TYPE_CHECKING:
    from tradewire.engine.data.merge import Chunk
    from tradewire.engine.messages import MessageBuilder
    from tradewire.protocol import messages as m

__all__ = ["BarView", "FillView", "QuoteView", "StepView"]


class BarView:
    """The current bar of one symbol. The same object is reused bar after bar (read what you need
    during the callback; call `to_message()` to keep a copy). Floats are for signals; `decimal()`
    gives the exact price.

    Besides the named fields, these public attributes let an embedder (the SDK's in-process
    transport) read the bar straight from the engine's columns without per-bar conversions:

    Attributes:
        symbol: The symbol as the data spells it.
        sym: The symbol's index in the run (`Backtest.instruments[sym]`, `MessageBuilder` arguments).
        chunk: The column block the current bar lives in (reassigned as the run moves on). Per row:
            `ts` bar end (ns), `start` bar start (ns), `a`/`b`/`c`/`d` open/high/low/close and `e`
            volume as scaled ints, `close_f` the close as a float.
        i: The current bar's row in `chunk`.
        price_div: 10**price_decimals: a scaled price int / price_div is its float.
        volume_div: 10**quantity_decimals: a scaled volume int / volume_div is its float.
        messages: The run's `MessageBuilder` (`messages.bar(sym, start, o, h, l, c, v)` is the protocol
            Bar). `wire` is a deprecated alias, kept for one release.
        timeframe_ns: Bar size in nanoseconds.
    """

    __slots__ = ("chunk", "i", "messages", "price_div", "sym", "symbol", "timeframe_ns", "volume_div")

    def __init__(
        self,
        symbol: str,
        sym: int,
        price_scale: int,
        qty_scale: int,
        timeframe_ns: int,
        messages: MessageBuilder,
    ) -> None:
        self.symbol = symbol
        self.sym = sym
        self.i = 0
        self.chunk: Chunk | None = None
        self.price_div = 10.0**price_scale
        self.volume_div = 10.0**qty_scale
        self.timeframe_ns = timeframe_ns
        self.messages = messages

    @property
    def wire(self) -> MessageBuilder:
        """Deprecated alias of `messages`, kept for one release."""
        return self.messages

    @property
    def close(self) -> float:
        return self.chunk.close_f[self.i]  # type: ignore[union-attr,no-any-return]

    @property
    def open(self) -> float:
        return self.chunk.a[self.i] / self.price_div  # type: ignore[union-attr]

    @property
    def high(self) -> float:
        return self.chunk.b[self.i] / self.price_div  # type: ignore[union-attr]

    @property
    def low(self) -> float:
        return self.chunk.c[self.i] / self.price_div  # type: ignore[union-attr]

    @property
    def volume(self) -> float:
        return self.chunk.e[self.i] / self.volume_div  # type: ignore[union-attr]

    @property
    def start_ns(self) -> int:
        return self.chunk.start[self.i]  # type: ignore[union-attr]

    @property
    def time(self) -> dt.datetime:
        """Bar start (UTC)."""
        return ns_to_dt(self.start_ns)

    @property
    def end(self) -> dt.datetime:
        """Bar end = the simulated instant at which the strategy sees it."""
        return ns_to_dt(self.chunk.ts[self.i])  # type: ignore[union-attr]

    def decimal(self, field: str = "close") -> Decimal:
        """Exact price of `field` (open/high/low/close) as a Decimal."""
        col = {"open": "a", "high": "b", "low": "c", "close": "d"}[field]
        return Decimal(getattr(self.chunk, col)[self.i]) / Decimal(self.price_div)  # exact: power of ten

    def to_message(self) -> m.Bar:
        """This bar as a protocol Bar (a new object)."""
        c, i = self.chunk, self.i
        assert c is not None
        return self.messages.bar(self.sym, c.start[i], c.a[i], c.b[i], c.c[i], c.d[i], c.e[i])

    def __repr__(self) -> str:
        return f"BarView({self.symbol} {self.time:%Y-%m-%dT%H:%M}Z o={self.open} h={self.high} l={self.low} c={self.close})"


class QuoteView:
    """The current quote of one symbol (reused like BarView).

    Public attributes as in BarView: `symbol`, `sym`, `chunk` (per row: `ts` quote time, `a`/`b`
    bid/ask as scaled ints, `close_f` the mid as a float), `i` and `price_div`.
    """

    __slots__ = ("chunk", "i", "price_div", "sym", "symbol")

    def __init__(self, symbol: str, sym: int, price_scale: int) -> None:
        self.symbol = symbol
        self.sym = sym
        self.i = 0
        self.chunk: Chunk | None = None
        self.price_div = 10.0**price_scale

    @property
    def bid(self) -> float:
        return self.chunk.a[self.i] / self.price_div  # type: ignore[union-attr]

    @property
    def ask(self) -> float:
        return self.chunk.b[self.i] / self.price_div  # type: ignore[union-attr]

    @property
    def mid(self) -> float:
        return self.chunk.close_f[self.i]  # type: ignore[union-attr,no-any-return]

    @property
    def time(self) -> dt.datetime:
        return ns_to_dt(self.chunk.ts[self.i])  # type: ignore[union-attr]


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
