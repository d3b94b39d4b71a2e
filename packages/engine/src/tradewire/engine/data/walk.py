"""A seeded random walk of exact Decimal prices: live 1m candles and history for every timeframe."""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from collections import deque
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from tradewire.protocol.messages import Timeframe

TICK = Decimal("0.01")
START_PRICES = {
    "AAPL": Decimal("190.00"),
    "MSFT": Decimal("410.00"),
    "SPY": Decimal("520.00"),
    "BTC/USD": Decimal("65000.00"),
    "ETH/USD": Decimal("3400.00"),
}
MINUTES = {
    Timeframe.M1: 1,
    Timeframe.M2: 2,
    Timeframe.M5: 5,
    Timeframe.M10: 10,
    Timeframe.M15: 15,
    Timeframe.M30: 30,
    Timeframe.H1: 60,
    Timeframe.H2: 120,
    Timeframe.H4: 240,
    Timeframe.H12: 720,
    Timeframe.D1: 1440,
    Timeframe.W1: 10080,
}
#: Per-minute volatility of the walk (a fraction of price).
MINUTE_VOL = 0.0008
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MONDAY = dt.datetime(1970, 1, 5, tzinfo=dt.UTC)  # weekly bars start on Mondays
LIVE_KEEP = 100_000  # live 1m bars kept per symbol


@dataclass(slots=True, frozen=True)
class Candle:
    """One bar of the walk (exact decimals)."""

    start: dt.datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


def _q(price: float | Decimal) -> Decimal:
    value = Decimal(str(price)).quantize(TICK, rounding=ROUND_HALF_EVEN)
    return max(value, TICK)


def bucket_start(t: dt.datetime, minutes: int) -> dt.datetime:
    """Start of the `minutes`-wide bar holding `t` (weekly bars aligned to Monday 00:00 UTC)."""
    origin = _MONDAY if minutes == 10080 else _EPOCH
    seconds = minutes * 60
    return origin + dt.timedelta(seconds=(int((t - origin).total_seconds()) // seconds) * seconds)


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


class PriceWalk:
    """The synthetic market of one symbol: pre-start history per timeframe, then live 1m bars.

    Args:
        symbol: Instrument name.
        seed: Seed of the whole mock; each symbol derives its own stream from it.
        start: Simulated time at which live bars begin (aligned to a minute).
        history_bars: Bars of history generated per timeframe before `start`.
    """

    def __init__(self, symbol: str, seed: int, start: dt.datetime, history_bars: int) -> None:
        self.symbol = symbol
        self.seed = seed
        self.start = start
        self.history_bars = history_bars
        self.anchor = START_PRICES.get(symbol, Decimal("100.00"))
        self.last = self.anchor
        self._rng = random.Random(_seed(seed, symbol, "live"))
        self.live: deque[Candle] = deque(maxlen=LIVE_KEEP)
        self._history: dict[Timeframe, list[Candle]] = {}

    def next_minute(self, start: dt.datetime) -> Candle:
        """The live 1m bar starting at `start`; advances the walk."""
        rng = self._rng
        price = float(self.last)
        path = [price]
        for _ in range(4):
            price *= math.exp(rng.gauss(0.0, MINUTE_VOL / 2))
            path.append(price)
        candle = Candle(
            start=start,
            open=self.last,
            high=max(_q(max(path)), self.last),
            low=min(_q(min(path)), self.last),
            close=_q(path[-1]),
            volume=Decimal(rng.randint(100, 5000)),
        )
        self.last = candle.close
        self.live.append(candle)
        return candle

    def history(self, timeframe: Timeframe) -> list[Candle]:
        """Bars before `start` for `timeframe`, oldest first, ending at the anchor price (cached)."""
        cached = self._history.get(timeframe)
        if cached is not None:
            return cached
        minutes = MINUTES[timeframe]
        rng = random.Random(_seed(self.seed, self.symbol, minutes))
        vol = MINUTE_VOL * math.sqrt(minutes)
        width = dt.timedelta(minutes=minutes)
        first_live = bucket_start(self.start, minutes)
        bars: list[Candle] = []
        close = float(self.anchor)
        for k in range(1, self.history_bars + 1):
            bar_start = first_live - k * width
            if bar_start.year < 1971:
                break
            open_ = close / math.exp(rng.gauss(0.0, vol))
            wick = abs(rng.gauss(0.0, vol / 2))
            o, c = _q(open_), _q(close)
            bars.append(
                Candle(
                    start=bar_start,
                    open=o,
                    high=max(o, c, _q(max(open_, close) * (1 + wick))),
                    low=min(o, c, _q(min(open_, close) * (1 - wick))),
                    close=c,
                    volume=Decimal(rng.randint(100, 5000) * minutes),
                )
            )
            close = open_
        bars.reverse()
        self._history[timeframe] = bars
        return bars

    def completed(self, timeframe: Timeframe, now: dt.datetime) -> list[Candle]:
        """Every completed bar of `timeframe` at simulated time `now`, oldest first."""
        minutes = MINUTES[timeframe]
        bars = list(self.history(timeframe))
        if minutes == 1:
            bars.extend(self.live)
            return bars
        width = dt.timedelta(minutes=minutes)
        bucket: list[Candle] = []
        current: dt.datetime | None = None
        for candle in self.live:
            b = bucket_start(candle.start, minutes)
            if current is not None and b != current and bucket:
                bars.append(_merge(current, bucket))
                bucket = []
            current = b
            bucket.append(candle)
        if bucket and current is not None and current + width <= now:
            bars.append(_merge(current, bucket))
        return bars


def _merge(start: dt.datetime, minutes: list[Candle]) -> Candle:
    return Candle(
        start=start,
        open=minutes[0].open,
        high=max(c.high for c in minutes),
        low=min(c.low for c in minutes),
        close=minutes[-1].close,
        volume=sum((c.volume for c in minutes), Decimal(0)),
    )


def spread_of(price: Decimal) -> Decimal:
    """Half the bid/ask spread around `price`: one basis point, at least a tick."""
    return max(TICK, (price * Decimal("0.0001")).quantize(TICK))
