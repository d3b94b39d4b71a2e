"""What a backtest over the wire shows of its equity curve: each instant's time and every symbol's mark."""

# The engine samples its equity at every step from the time and each symbol's mark; a client sees the
# same from the candles it is sent (a bar's instant is its end, its mark the close). With the trades,
# the engine's BacktestResult.from_records rebuilds the in-process report from them (reports.py).

from __future__ import annotations

import math
from array import array

from tradewire.protocol import messages as m
from tradewire.sdk._timeframes import TIMEFRAME_S
from tradewire.sdk.market import Candle

__all__ = ["WireSamples"]

_NS = 1_000_000_000


class WireSamples:
    """Sample times (ns) and, per symbol, the last close at each (NaN before its first), compactly.

    `only`: the strategy's symbols (None: all). A gateway streams every symbol it serves; the run
    in-process loads only the strategy's, so only their candles make a sample instant (a 24/7 symbol
    the strategy never asked for would add weekend samples and change the annualisation)."""

    def __init__(self, only: frozenset[str] | None = None) -> None:
        self.only = only
        self.ts = array("q")
        self.marks: dict[str, array[float]] = {}
        self._last: dict[str, float] = {}
        self.quotes = False  # quotes were streamed: their marks are not rebuilt here (candles only)

    def observe(self, events: list[object]) -> None:
        """Take one delivery's events (candles as `Candle`s); other events are ignored."""
        end = None
        for ev in events:
            if isinstance(ev, Candle):
                # every symbol's mark is kept: a fill in one the strategy did not declare is valued
                self._last[ev.symbol] = ev.close
                if self.only is None or ev.symbol in self.only:
                    end = ev.ts + TIMEFRAME_S[ev.timeframe] * _NS
            elif type(ev) is m.QuoteEvent:
                self.quotes = True
        if end is None:
            return
        # one instant can span deliveries (one event a frame): its sample is then updated in place
        if not self.ts or self.ts[-1] != end:
            self.ts.append(end)
            for column in self.marks.values():
                column.append(math.nan)
        n = len(self.ts)
        for symbol, close in self._last.items():
            if symbol not in self.marks:
                self.marks[symbol] = array("d", [math.nan] * n)
            self.marks[symbol][n - 1] = close
