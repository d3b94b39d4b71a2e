"""The timeframe a strategy declares, and the wire runner's candles brought to that timeframe."""

# In-process the engine aggregates the data once, before the run (transports/inprocess/data.py).
# Over the wire the gateway's configuration fixes what is streamed (events.md); when it streams
# finer candles than the strategy declares, `CandleTimeframe` aggregates them here with the same
# rule as the engine (buckets by bar start, UTC-aligned, exact decimals), and drops what it cannot
# make. Fills are still simulated on the gateway's own bars, hence the warning that says so.

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk._candles import WireCandle, wire_candle
from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.market import Candle
from tradewire.sdk.strategy import Strategy

__all__ = ["TIMEFRAME_S", "CandleTimeframe", "candle_timeframe", "declared_timeframe"]

_log = logging.getLogger("tradewire.sdk.timeframes")
_NS = 1_000_000_000
_DAY = 86_400
#: The spec's bar sizes (enums.md Timeframe) in seconds.
TIMEFRAME_S: dict[str, int] = {
    "1m": 60,
    "2m": 120,
    "5m": 300,
    "10m": 600,
    "15m": 900,
    "30m": 1800,
    "1h": 3600,
    "2h": 7200,
    "4h": 14400,
    "12h": 43200,
    "1d": _DAY,
    "1w": 7 * _DAY,
}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def declared_timeframe(strategy: Strategy) -> str | None:
    """The timeframe `strategy` declares itself (a subclass attribute or a constructor parameter),
    or None when it keeps the base class default (then the data's own timeframe is delivered).

    Raises:
        ConfigurationError: the declared timeframe is not one of the spec's (`"1m"` ... `"1w"`).
    """
    value: Any = None
    if "timeframe" in vars(strategy):
        value = vars(strategy)["timeframe"]
    else:
        for cls in type(strategy).__mro__:
            if cls is Strategy:
                return None
            if "timeframe" in vars(cls):
                value = vars(cls)["timeframe"]
                break
        else:
            return None
    if value not in TIMEFRAME_S:
        raise ConfigurationError(
            f"{type(strategy).__name__} declares timeframe {value!r}: use one of {', '.join(TIMEFRAME_S)}"
        )
    return str(value)


def bucket_start(ts: int, timeframe: str) -> int:
    """The start (ns) of the `timeframe` bucket holding `ts`: the engine's `Series.resample` rule
    (multiples since the epoch, UTC midnight for 1d, Monday 00:00 UTC for 1w)."""
    step = TIMEFRAME_S[timeframe] * _NS
    offset = 4 * _DAY * _NS if timeframe == "1w" else 0  # the epoch was a Thursday
    return ts - (ts - offset) % step


class _Bucket:
    """One symbol's current bucket so far: prices and volume as the venue's exact decimal text."""

    __slots__ = ("at", "close", "high", "low", "open", "provider", "start", "volume")

    def __init__(self, start: int, bar: m.Bar, at: int) -> None:
        self.start = start
        self.provider = bar.provider
        self.open = bar.open
        self.high = bar.high
        self.low = bar.low
        self.close = bar.close
        self.volume = Decimal(bar.volume)
        self.at = at

    def add(self, bar: m.Bar, at: int) -> None:
        # compared as decimals, kept as text: the bar shows the venue's own digits
        if Decimal(bar.high) > Decimal(self.high):
            self.high = bar.high
        if Decimal(bar.low) < Decimal(self.low):
            self.low = bar.low
        self.close = bar.close
        self.volume += Decimal(bar.volume)
        self.at = at

    def candle(self, symbol: str, timeframe: str) -> Candle:
        bar = m.Bar(
            symbol=symbol,
            provider=self.provider,
            timeframe=codec.parse_enum(m.Timeframe, timeframe),
            timestamp=_time(self.start),
            open=self.open,
            high=self.high,
            low=self.low,
            close=self.close,
            volume=format(self.volume, "f"),
        )
        return wire_candle(m.CandleEvent(bar=bar, timestamp=_time(self.at)))


def _time(ns: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=ns // 1000)


class CandleTimeframe:
    """Brings a wire run's candles to the timeframe its strategy declares.

    Candles of that timeframe pass. Finer ones, when it is a whole number of them, are aggregated
    (open of the first, highest high, lowest low, close of the last, summed volume; labelled by the
    bucket start). A bucket's candle is delivered when a candle reaches its end, when a candle of a
    later bucket arrives, or when the backtest completes. Anything else is dropped: coarser candles,
    sizes that do not divide it, and finer ones of a symbol that also streams the declared one.
    Each kind of change is logged once per run, as one warning line.
    """

    def __init__(self, timeframe: str, strategy_name: str) -> None:
        self.timeframe = timeframe
        self.who = strategy_name
        self.step = TIMEFRAME_S[timeframe] * _NS
        self.buckets: dict[str, _Bucket] = {}
        self.native: set[str] = set()  # symbols streamed at the declared timeframe already
        self.told: set[tuple[str, str]] = set()

    def __call__(self, events: list[Any], complete: bool = False) -> list[Any]:
        """The events of one delivery with its candles brought to the timeframe, in order."""
        out: list[Any] = []
        for ev in events:
            if type(ev) is m.CandleEvent:
                ev = wire_candle(ev)
            if not isinstance(ev, Candle):
                if complete and type(ev) is m.BacktestCompleteEvent:
                    self._flush(out)
                out.append(ev)
                continue
            tf = ev.timeframe
            if tf == self.timeframe:
                if ev.symbol not in self.native:
                    self.native.add(ev.symbol)
                    self.buckets.pop(ev.symbol, None)
                out.append(ev)
            elif tf not in TIMEFRAME_S or self.step % (TIMEFRAME_S[tf] * _NS):
                self._tell("drop", tf)
            elif ev.symbol in self.native:
                self._tell("beside", tf)
            else:
                self._tell("aggregate", tf)
                self._add(ev, TIMEFRAME_S[tf] * _NS, out)
        if complete:
            self._flush(out)
        return out

    def _add(self, candle: Candle, size: int, out: list[Any]) -> None:
        symbol = candle.symbol
        start = bucket_start(candle.ts, self.timeframe)
        at = candle.at if isinstance(candle, WireCandle) else candle.ts + size
        bar = candle.exact
        held = self.buckets.get(symbol)
        if held is not None and held.start != start:
            held.at = at  # delivered now, at this candle's instant
            out.append(held.candle(symbol, self.timeframe))
            held = None
        if held is None:
            held = self.buckets[symbol] = _Bucket(start, bar, at)
        else:
            held.add(bar, at)
        if candle.ts + size >= start + self.step:
            out.append(held.candle(symbol, self.timeframe))
            del self.buckets[symbol]

    def _flush(self, out: list[Any]) -> None:
        for symbol, held in self.buckets.items():
            out.append(held.candle(symbol, self.timeframe))
        self.buckets.clear()

    def _tell(self, what: str, tf: str) -> None:
        if (what, tf) in self.told:
            return
        self.told.add((what, tf))
        want, who = self.timeframe, self.who
        if what == "aggregate":
            text = (
                f"the gateway streams {tf} candles; aggregating them to {want} as {who} declares (fills "
                f"are still simulated on {tf} bars: serve the backtest with --timeframe {want} to match)"
            )
        elif what == "beside":
            text = f"the gateway streams {tf} candles beside {want}; dropping them as {who} declares {want}"
        else:
            text = f"the gateway streams {tf} candles; dropping them: {who} declares {want}"
        _log.warning(text)


def candle_timeframe(strategy: Strategy) -> CandleTimeframe | None:
    """The wire runner's candle filter for `strategy`, or None when it declares no timeframe."""
    timeframe = declared_timeframe(strategy)
    return None if timeframe is None else CandleTimeframe(timeframe, type(strategy).__name__)
