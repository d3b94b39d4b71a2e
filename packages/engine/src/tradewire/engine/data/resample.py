"""Bars aggregated to a coarser timeframe: exact integer arithmetic, UTC-aligned buckets, streamed."""

# Buckets are labelled by their start. Intraday sizes and "1d" are multiples of their length counted
# from the Unix epoch (UTC midnight for "1d"); "1w" starts on Monday 00:00 UTC (ISO weeks), and the
# epoch was a Thursday, hence the 4-day offset. A bar belongs to the bucket holding its start.

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from tradewire.engine.data.errors import DataError
from tradewire.engine.data.timeframes import TIMEFRAME_NS

__all__ = ["aggregate", "bucket_starts", "check_target", "rescale"]

_DAY = 86_400 * 10**9
_MONDAY = 4 * _DAY  # 1970-01-05T00:00Z, the first Monday after the epoch
_COLUMNS = ("ts", "open", "high", "low", "close", "volume")


def bucket_starts(ts: np.ndarray, timeframe: str) -> np.ndarray:
    """The start (ns, UTC) of the `timeframe` bucket holding each time in `ts` (int64 ns)."""
    step = TIMEFRAME_NS[timeframe]
    offset = _MONDAY if timeframe == "1w" else 0
    # numpy's % takes the divisor's sign, so times before the epoch floor correctly too
    starts: np.ndarray = ts - (ts - offset) % step
    return starts


def check_target(source: str, have: str, want: str) -> None:
    """Refuse aggregating `have` bars to `want`: unknown, finer, or not a whole number of `have` bars.

    Raises:
        DataError: one line saying what is wrong and what would work.
    """
    if want not in TIMEFRAME_NS:
        raise DataError(source, None, f"unknown timeframe {want!r} (use one of {', '.join(TIMEFRAME_NS)})")
    have_ns, want_ns = TIMEFRAME_NS[have], TIMEFRAME_NS[want]
    if want_ns < have_ns:
        raise DataError(
            source, None, f"the data is {have} bars; {want} bars were asked for: use data at {want} or finer"
        )
    if want_ns % have_ns:
        raise DataError(
            source,
            None,
            f"{have} bars cannot be aggregated to {want}: {want} is not a whole number of {have} bars",
        )


def aggregate(chunks: Iterator[dict[str, np.ndarray]], timeframe: str) -> Iterator[dict[str, np.ndarray]]:
    """Aggregate time-ordered bar chunks of int64 columns ("ts" = bar start, open, high, low, close,
    volume) to `timeframe`: open of the first bar, highest high, lowest low, close of the last bar,
    summed volume, "ts" the bucket start. A bucket may span chunks; the last one is yielded even when
    the data ends inside it."""
    held: dict[str, np.ndarray] | None = None  # the last bucket seen: the next chunk may extend it
    done: dict[str, np.ndarray] | None = None  # finished buckets, yielded one chunk late with the last
    for chunk in chunks:
        ts = chunk["ts"]
        n = len(ts)
        if n == 0:
            continue
        key = bucket_starts(ts, timeframe)
        first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        last = np.append(first[1:] - 1, n - 1)
        out = {
            "ts": key[first],
            "open": chunk["open"][first],
            "high": np.maximum.reduceat(chunk["high"], first),
            "low": np.minimum.reduceat(chunk["low"], first),
            "close": chunk["close"][last],
            "volume": np.add.reduceat(chunk["volume"], first),
        }
        if held is not None:
            if held["ts"][0] == out["ts"][0]:
                out["open"][0] = held["open"][0]
                out["high"][0] = max(held["high"][0], out["high"][0])
                out["low"][0] = min(held["low"][0], out["low"][0])
                out["volume"][0] += held["volume"][0]
            else:
                out = {c: np.concatenate((held[c], out[c])) for c in _COLUMNS}
        held = {c: out[c][-1:] for c in _COLUMNS}
        if done is not None:
            yield done
        done = {c: out[c][:-1] for c in _COLUMNS} if len(out["ts"]) > 1 else None
    if held is not None:
        yield held if done is None else {c: np.concatenate((done[c], held[c])) for c in _COLUMNS}


def rescale(a: np.ndarray, have: int, want: int) -> np.ndarray:
    """Int64 counts of 10**-have units as counts of 10**-want units, rounded half to even."""
    if want >= have:
        up: np.ndarray = a * int(10 ** (want - have))
        return up
    f = int(10 ** (have - want))
    q, r = np.divmod(a, f)
    rounded: np.ndarray = q + ((2 * r > f) | ((2 * r == f) & (q % 2 == 1)))
    return rounded
