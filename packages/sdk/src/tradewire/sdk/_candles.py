"""Candle stream messages decoded straight from their JSON into the Candles a Strategy sees."""

# A strategy only ever sees a Candle, so building the protocol CandleEvent and Bar first (and the
# datetimes in them) is wasted work on the hot path of a backtest: the Bar is decoded from the kept
# JSON object only when someone asks for `candle.exact`. Anything off the canonical shape (a timeframe
# alias, a timestamp with an offset, a decimal sent as a number, a missing field) goes through the
# codec instead, so values, errors and the exact-digits retry stay the codec's.

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk.market import Candle, ns_of

__all__ = ["WireCandle", "candle_from_json", "wire_candle"]

_DEC = re.compile(r"-?[0-9]+(?:\.[0-9]+)?").fullmatch  # the codec's decimal grammar
# the codec's own output form; other RFC 3339 spellings take the slow path
_CANONICAL_TS = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z"
).fullmatch
_fromiso = dt.datetime.fromisoformat

# Every event of a step shares its envelope time, and every bar of a step its bar time.
_NS: dict[str, int] = {}
_NS_MAX = 4096
_TF: dict[str, str] = {}


class WireCandle(Candle):
    """A Candle decoded from a stream message: same values as `Candle`, the protocol Bar made on demand.

    Like the in-process EngineCandle it converts `close` at once and the other prices when read
    (most strategies read only `close`), from the message's `bar` object kept as `_bar`. `_at` is the
    message's envelope time (the simulated step time in a backtest), in nanoseconds.
    """

    __slots__ = ("_at", "_bar")

    def __init__(self, symbol: str, timeframe: str, ts: int, close: float, bar: Any, at: int) -> None:
        self.symbol = symbol
        self.timeframe = timeframe
        self.ts = ts
        self.close = close
        self._exact = None
        self._bar = bar
        self._at = at

    @property
    def at(self) -> int:
        """The message's envelope time (the simulated step time in a backtest), ns since the epoch."""
        return self._at

    @property
    def open(self) -> float:  # type: ignore[override]
        return float(self._bar["open"])

    @property
    def high(self) -> float:  # type: ignore[override]
        return float(self._bar["high"])

    @property
    def low(self) -> float:  # type: ignore[override]
        return float(self._bar["low"])

    @property
    def volume(self) -> float:  # type: ignore[override]
        return float(self._bar["volume"])

    @property
    def exact(self) -> m.Bar:
        """The bar as the protocol `Bar` message, with exact decimal text."""
        value = self._exact
        if value is None:
            value = self._exact = codec.from_dict(m.Bar, self._bar)
        return value  # type: ignore[no-any-return]


def _ns(text: str) -> int | None:
    """Nanoseconds of a canonical timestamp text (as `ns_of` gives them); None for anything else."""
    if not _CANONICAL_TS(text):
        return None
    try:
        ns = ns_of(_fromiso(text))
    except ValueError:  # the right shape but no such date or time: the codec names the error
        return None
    _NS[text] = ns
    if len(_NS) > _NS_MAX:
        _NS.clear()
    return ns


def _timeframe(text: str) -> str | None:
    try:
        spelling = _TF[text] = codec.enum_spelling(codec.parse_enum(m.Timeframe, text))
    except codec.DecodeError:
        return None
    return spelling


def candle_from_json(item: dict[str, Any]) -> WireCandle:
    """The WireCandle of one `candle` stream message (a parsed JSON object).

    Raises:
        codec.DecodeError: the message is not a valid candle (the codec's error).
    """
    bar = item.get("bar")
    if type(bar) is dict:
        g = bar.get
        symbol, tf, ts, at = g("symbol"), g("timeframe"), g("timestamp"), item.get("timestamp")
        o, h, lo, c, v = g("open"), g("high"), g("low"), g("close"), g("volume")
        eid = item.get("event_id")
        # the caches hold only str keys: a value of another type is never found, then fails below
        if type(tf) is str:
            tf = _TF.get(tf) or _timeframe(tf)
        if type(ts) is str:
            ts = _NS.get(ts) or _ns(ts)
        if type(at) is str:
            at = _NS.get(at) or _ns(at)
        if (
            type(tf) is str
            and type(ts) is int
            and type(at) is int
            and type(symbol) is str
            and type(g("provider")) is str
            and (eid is None or type(eid) is str)
            and type(o) is str
            and type(h) is str
            and type(lo) is str
            and type(c) is str
            and type(v) is str
            and _DEC(o)
            and _DEC(h)
            and _DEC(lo)
            and _DEC(c)
            and _DEC(v)
        ):
            return WireCandle(symbol, tf, ts, float(c), bar, at)
    return wire_candle(codec.from_dict(m.CandleEvent, item))


def wire_candle(event: m.CandleEvent) -> WireCandle:
    """The WireCandle of a decoded protocol candle event."""
    b = event.bar
    assert b is not None and b.timestamp is not None and event.timestamp is not None
    prices = {"open": b.open, "high": b.high, "low": b.low, "volume": b.volume}
    candle = WireCandle(
        b.symbol,
        codec.enum_spelling(b.timeframe),
        ns_of(b.timestamp),
        float(b.close),
        prices,
        ns_of(event.timestamp),
    )
    candle._exact = b
    return candle
