"""Kernel event records -> wire JSON text, written straight from scaled ints for market data."""

# A backtest over the wire spends most of its per-event cost turning records into protocol objects
# (betterproto construction, datetimes) only to serialise them at once. Candles and quotes, nearly
# every event of a run, are written here from per-instrument templates instead; every other record
# goes through `MessageBuilder` and the codec. The output is the codec's, byte for byte: each template
# is checked against the codec when it is built, and an instrument whose check fails (a schema
# change this module does not know of) keeps the codec path.

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from tradewire.engine.core.events import K_CANDLE, K_COMPLETE, K_QUOTE
from tradewire.engine.core.instrument import Instrument
from tradewire.engine.core.numbers import fmt_qty, fmt_scaled, ratio_text
from tradewire.engine.core.timestamps import ns_to_dt
from tradewire.engine.data.timeframes import timeframe_enum
from tradewire.engine.messages import MessageBuilder
from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.protocol.venue import EncodedBatch

__all__ = ["JsonRenderer", "ns_text"]

_TEXTS: dict[int, str] = {}
_CACHE_MAX = 4096

#: A template: (event number, instant, record payload) -> message text.
_Render = Callable[[int, int, Any], str]


def ns_text(ns: int) -> str:
    """Simulated time (ns since epoch) as the codec writes the timestamp `ns_to_dt(ns)`.

    Memoised: the events of a step share its instant, and a bar's start is the previous close.
    """
    text = _TEXTS.get(ns)
    if text is None:
        if len(_TEXTS) >= _CACHE_MAX:
            _TEXTS.clear()
        text = _TEXTS[ns] = codec.timestamp_text(ns_to_dt(ns))
    return text


class JsonRenderer:
    """Renders event records as wire JSON text: templates for candles and quotes, the codec otherwise."""

    def __init__(self, builder: MessageBuilder) -> None:
        self.builder = builder
        instruments = builder.k.instruments
        quantity = _quantity_text(builder.k.qs)
        provider = _json(builder.provider)
        self._candles: list[_Render | None] = [None] * len(instruments)
        self._quotes: list[_Render | None] = [None] * len(instruments)
        for sym, ins in enumerate(instruments):
            candle = _candle_template(ins, provider, quantity)
            if candle is not None and _same(builder, candle, (K_CANDLE, 7, _PROBE_NOW, _probe_bar(sym))):
                self._candles[sym] = candle
            quote = _quote_template(ins, provider, quantity)
            if _same(builder, quote, (K_QUOTE, 7, _PROBE_NOW, _probe_quote(sym))) and _same(
                builder, quote, (K_QUOTE, 8, _PROBE_NOW, _probe_quote(sym, sizes=False))
            ):
                self._quotes[sym] = quote

    def text(self, rec: tuple[int, int, int, Any]) -> str:
        """One record as the JSON text of its stream message."""
        kind, n = rec[0], rec[1]
        render: _Render | None = None
        if n:
            if kind == K_CANDLE:
                render = self._candles[rec[3][0]]
            elif kind == K_QUOTE:
                render = self._quotes[rec[3][0]]
        if render is not None:
            return render(n, rec[2], rec[3])
        return codec.encode(self.builder.message(rec)).decode()

    def batch(self, step: int, recs: list[tuple[int, int, int, Any]], ids: list[str | None]) -> EncodedBatch:
        """A step's records (at least one) and their ids as an `EncodedBatch`."""
        candles = self._candles
        text = self.text
        texts = []
        for r in recs:
            # candles inline (nearly every record of a run), the rest through `text`
            render = candles[r[3][0]] if r[0] == K_CANDLE else None
            texts.append(render(r[1], r[2], r[3]) if render is not None else text(r))
        return EncodedBatch(
            step=step,
            texts=texts,
            event_ids=ids,
            timestamp=ns_text(recs[0][2]),
            complete_id=ids[-1] if recs[-1][0] == K_COMPLETE else None,
        )


def _quantity_text(scale: int) -> Callable[[int], str]:
    if scale == 0:
        return str  # whole units: `fmt_qty(n, 0)` is the plain integer
    return lambda n: fmt_qty(n, scale)


def _json(text: str) -> str:
    return orjson.dumps(text).decode()


def _candle_template(ins: Instrument, provider: str, quantity: Callable[[int], str]) -> _Render | None:
    if not ins.timeframe:
        return None  # no timeframe: the codec refuses the candle, and so must this path
    timeframe = codec.enum_spelling(m.Timeframe(timeframe_enum(ins.timeframe)))
    ps = ins.price_scale
    head = (
        f'{{"type":"candle","bar":{{"symbol":{_json(ins.symbol)},"provider":{provider},'
        f'"timeframe":{_json(timeframe)},"timestamp":"'
    )
    ts = ns_text

    def candle(n: int, now: int, p: tuple[Any, ...]) -> str:
        _, start, o, h, lo, c, v = p
        return (
            f'{head}{ts(start)}","open":"{fmt_scaled(o, ps)}","high":"{fmt_scaled(h, ps)}",'
            f'"low":"{fmt_scaled(lo, ps)}","close":"{fmt_scaled(c, ps)}","volume":"{quantity(v)}"}},'
            f'"timestamp":"{ts(now)}","event_id":"evt-{n}"}}'
        )

    if not 1 <= ps <= _MAX_TABLE_SCALE or quantity is not str:
        return candle
    # The usual case (a few decimals, whole-unit volumes, prices >= 0) without any call per price:
    # integer part and a table of fraction texts, a third of `fmt_scaled`'s cost.
    unit = 10**ps
    frac = _fractions(ps)

    def candle_fast(n: int, now: int, p: tuple[Any, ...]) -> str:
        _, start, o, h, lo, c, v = p
        if o < 0 or h < 0 or lo < 0 or c < 0:
            return candle(n, now, p)
        return (
            f'{head}{ts(start)}","open":"{o // unit}.{frac[o % unit]}","high":"{h // unit}.{frac[h % unit]}",'
            f'"low":"{lo // unit}.{frac[lo % unit]}","close":"{c // unit}.{frac[c % unit]}","volume":"{v}"}},'
            f'"timestamp":"{ts(now)}","event_id":"evt-{n}"}}'
        )

    return candle_fast


#: Largest price scale written from a table of fraction texts (10**scale strings each).
_MAX_TABLE_SCALE = 4
_FRACTIONS: dict[int, tuple[str, ...]] = {}


def _fractions(scale: int) -> tuple[str, ...]:
    table = _FRACTIONS.get(scale)
    if table is None:
        table = _FRACTIONS[scale] = tuple(f"{i:0{scale}d}" for i in range(10**scale))
    return table


def _quote_template(ins: Instrument, provider: str, quantity: Callable[[int], str]) -> _Render:
    ps = ins.price_scale
    head = f'{{"type":"quote","quote":{{"symbol":{_json(ins.symbol)},"provider":{provider},'
    ts = ns_text

    def quote(n: int, now: int, p: tuple[Any, ...]) -> str:
        _, at, bid, ask, bsz, asz, last = p
        # the same choices as MessageBuilder.quote: sizes only when known, `last` else the mid
        bid_size = "" if bsz is None or bsz < 0 else f',"bid_size":"{quantity(bsz)}"'
        ask_size = "" if asz is None or asz < 0 else f',"ask_size":"{quantity(asz)}"'
        last_text = fmt_scaled(last, ps) if last is not None else ratio_text(bid + ask, 2, ps, 1)
        return (
            f'{head}"bid":"{fmt_scaled(bid, ps)}"{bid_size},"ask":"{fmt_scaled(ask, ps)}"{ask_size},'
            f'"last":"{last_text}","timestamp":"{ts(at)}"}},"timestamp":"{ts(now)}","event_id":"evt-{n}"}}'
        )

    return quote


# Probe records for the construction-time check: a fractional instant and values of every shape.
_PROBE_NOW = 1_709_303_460_123_456_000


def _probe_bar(sym: int) -> tuple[int, ...]:
    return (sym, _PROBE_NOW - 60_000_000_000, 10_050, 10_099, 9_901, 10_007, 51_200)


def _probe_quote(sym: int, sizes: bool = True) -> tuple[Any, ...]:
    if sizes:
        return (sym, _PROBE_NOW - 1_000, 10_050, 10_052, 300, 0, 10_051)
    return (sym, _PROBE_NOW, 10_050, 10_053, None, -1, None)


def _same(builder: MessageBuilder, render: _Render, rec: Any) -> bool:
    try:
        return render(rec[1], rec[2], rec[3]) == codec.encode(builder.message(rec)).decode()
    except Exception:  # any failure of the probe means: use the codec
        return False
