"""Momentum rotation: every `every` trading days hold the one symbol with the best `lookback` return.

tradewire backtest examples/multi_symbol_rotation.py --sample
"""

from __future__ import annotations

from collections import deque
from decimal import ROUND_DOWN, Decimal
from typing import ClassVar

from tradewire.sdk import Candle, Strategy


class MomentumRotation(Strategy):
    """Rank the symbols by momentum on each rebalance day; switch to the leader.

    The first symbol's candles are the rebalancing clock (by default AAPL's: the stock calendar), so the
    same code rotates any set of symbols, e.g. `--param symbols=BTCUSDT,ETHUSDT` on Binance.
    """

    symbols = ("AAPL", "MSFT", "BTC/USD")
    timeframe = "1d"
    lookback = 20
    every = 10
    budget = Decimal("20000")  # notional per holding, in account currency
    steps: ClassVar[dict[str, Decimal]] = {
        "AAPL": Decimal("1"),
        "MSFT": Decimal("1"),
        "BTC/USD": Decimal("0.0001"),
    }
    default_step = Decimal("0.0001")  # quantity step of a symbol `steps` does not list

    def on_start(self) -> None:
        self.closes = {s: deque(maxlen=self.lookback + 1) for s in self.symbols}
        self.last_price: dict[str, Decimal] = {}
        self.days = 0
        self.rebalances = 0

    def on_candle(self, bar: Candle) -> None:
        self.closes[bar.symbol].append(bar.close)
        self.last_price[bar.symbol] = bar.decimal("close")
        if bar.symbol == self.symbols[0]:
            self.rebalance()

    def rebalance(self) -> None:
        self.days += 1
        if self.days % self.every or any(len(c) <= self.lookback for c in self.closes.values()):
            return
        momentum = {s: c[-1] / c[0] - 1 for s, c in self.closes.items()}
        leader = max(sorted(momentum), key=lambda s: momentum[s])
        self.rebalances += 1
        for symbol in self.symbols:
            if symbol != leader and self.position(symbol):
                self.close_position(symbol)
        if not self.position(leader):
            step = self.steps.get(leader, self.default_step)
            quantity = (self.budget / self.last_price[leader]).quantize(step, ROUND_DOWN)
            if quantity > 0:
                self.buy(leader, quantity)
