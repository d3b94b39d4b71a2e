"""Breakout with a bracket: buy a new 20-day high with a protective stop and a profit target.

tradewire backtest examples/bracket_breakout.py --sample
"""

from __future__ import annotations

from collections import deque
from decimal import ROUND_DOWN, Decimal

from tradewire.protocol.messages import PositionEvent
from tradewire.sdk import Candle, Strategy

CENT = Decimal("0.01")


class BracketBreakout(Strategy):
    """Enter when the close exceeds the highest high of the last `lookback` bars; the venue holds the exits."""

    symbols = ("BTC/USD",)
    timeframe = "1d"
    lookback = 20
    quantity = Decimal("0.5")
    stop = Decimal("0.95")  # stop-loss at 95 % of the close
    target = Decimal("1.10")  # take-profit at 110 % of the close

    def on_start(self) -> None:
        self.highs: deque[float] = deque(maxlen=self.lookback)
        self.round_trips = 0

    def on_candle(self, bar: Candle) -> None:
        breakout = len(self.highs) == self.lookback and bar.close > max(self.highs)
        self.highs.append(bar.high)
        if not breakout or self.position(bar.symbol) or self.open_orders:
            return
        close = bar.decimal("close")  # exact, never a float, for prices sent to the venue
        self.bracket(
            bar.symbol,
            "BUY",
            self.quantity,
            stop_loss=(close * self.stop).quantize(CENT, ROUND_DOWN),
            take_profit=(close * self.target).quantize(CENT, ROUND_DOWN),
        )

    def on_position(self, event: PositionEvent) -> None:
        if event.position is not None and event.position.quantity == "0":
            self.round_trips += 1
