"""RSI mean reversion: buy an oversold stock, sell once it has recovered (RSI from talipp).

tradewire backtest examples/rsi_mean_reversion.py --sample
"""

from __future__ import annotations

from decimal import Decimal

from tradewire.protocol.messages import OrderEvent, OrderEventType
from tradewire.sdk import RSI, Candle, Strategy


class RsiMeanReversion(Strategy):
    """Long when RSI(14) drops under `oversold`, flat when it climbs over `recovered`."""

    symbols = ("AAPL", "MSFT")
    timeframe = "1d"
    period = 14
    oversold = 35.0
    recovered = 55.0
    quantity = Decimal("40")

    def on_start(self) -> None:
        self.rsi = {s: RSI(self.period) for s in self.symbols}
        self.filled = 0

    def on_candle(self, bar: Candle) -> None:
        value = self.rsi[bar.symbol].update(bar.close)
        if value is None:
            return
        held = self.position(bar.symbol)
        working = any(o.symbol == bar.symbol for o in self.open_orders.values())
        if working:
            return
        if not held and value < self.oversold:
            self.buy(bar.symbol, self.quantity)
        elif held > 0 and value > self.recovered:
            self.sell(bar.symbol, held)

    def on_order(self, event: OrderEvent) -> None:
        if event.event == OrderEventType.ORDER_FILLED:
            self.filled += 1
