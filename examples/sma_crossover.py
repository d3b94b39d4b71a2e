"""SMA crossover: long when the fast average crosses above the slow one, flat when it crosses below.

Run it on the bundled sample data:

    tradewire backtest examples/sma_crossover.py --sample --report out/report.html
"""

from __future__ import annotations

from decimal import Decimal

from tradewire.sdk import SMA, Candle, Strategy


class SmaCrossover(Strategy):
    """Classic two-average trend follower on daily bars, a fixed quantity per entry."""

    symbols = ("AAPL", "MSFT")
    timeframe = "1d"
    fast = 10
    slow = 30
    quantity = Decimal("50")

    def on_start(self) -> None:
        self.averages = {s: (SMA(self.fast), SMA(self.slow)) for s in self.symbols}
        self.previous: dict[str, float] = {}

    def on_candle(self, bar: Candle) -> None:
        fast, slow = self.averages[bar.symbol]
        f, s = fast.update(bar.close), slow.update(bar.close)
        if f is None or s is None:
            return
        diff = f - s
        prev = self.previous.get(bar.symbol)
        self.previous[bar.symbol] = diff
        if prev is None:
            return
        held = self.position(bar.symbol)
        if not held and diff > 0 >= prev:
            self.buy(bar.symbol, self.quantity)
        elif held > 0 and diff < 0 <= prev:
            self.sell(bar.symbol, held)
