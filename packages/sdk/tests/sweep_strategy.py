"""A strategy file for the sweep tests, written into each test's directory with its switches set."""

from __future__ import annotations

from pathlib import Path

SOURCE = """
import os
import time
from decimal import Decimal

from tradewire.sdk import SMA, Candle, Strategy


class Cross(Strategy):
    symbols = ("AAPL", "MSFT")
    timeframe = "1d"
    fast = 10
    slow = 30
    quantity = Decimal("50")

    def on_start(self):
        if {trace!r}:
            with open({trace!r}, "a") as fh:
                fh.write(f"{{self.fast}},{{self.slow}}\\n")
        if self.fast == {die}:
            os._exit(3)  # the worker dies, as under the OOM killer
        time.sleep({pause})
        self.averages = {{s: (SMA(self.fast), SMA(self.slow)) for s in self.symbols}}
        self.previous = {{}}

    def on_candle(self, bar: Candle):
        if self.fast == {crash}:
            raise ZeroDivisionError("the strategy's own bug")
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
"""


def write_strategy(
    directory: Path, *, crash: int = -1, die: int = -1, pause: float = 0.0, trace: str = ""
) -> Path:
    """cross.py in `directory`: `fast == crash` raises in on_candle, `fast == die` kills the worker,
    each run sleeps `pause` seconds first and appends "fast,slow" to the file `trace`."""
    path = directory / "cross.py"
    path.write_text(SOURCE.format(crash=crash, die=die, pause=pause, trace=trace))
    return path
