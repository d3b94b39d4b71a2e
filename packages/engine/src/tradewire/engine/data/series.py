"""One symbol's bars or quotes as a re-iterable stream of numpy column chunks, validated before use."""

# Raw chunks (float or int columns, ns timestamps) come from a source; `Series.prepare()` makes one
# validating pass that also detects the price decimals, and `Series.chunks()` then yields the same
# data as exact scaled int64 columns. Nothing holds per-bar Python objects, so memory stays flat.

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import numpy as np

from tradewire.engine.data.errors import DataError
from tradewire.engine.data.resample import aggregate, check_target, rescale
from tradewire.engine.data.timeframes import TIMEFRAME_NS, timeframe_of

__all__ = ["BAR_COLUMNS", "QUOTE_COLUMNS", "Series", "to_ns"]

BAR_COLUMNS = ("open", "high", "low", "close", "volume")
QUOTE_COLUMNS = ("bid", "ask", "bid_size", "ask_size")
MAX_DECIMALS = 9
RawChunks = Callable[[], Iterator[dict[str, np.ndarray]]]
TimeBound = int | np.integer | np.datetime64 | dt.datetime | str | None
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NAT = np.iinfo(np.int64).min


def to_ns(value: int | np.integer | np.datetime64 | dt.datetime | str) -> int:
    """Nanoseconds since the Unix epoch (UTC) of an int (returned as is), a numpy datetime64, a
    datetime (naive means UTC) or ISO 8601 / RFC 3339 UTC text. Raises ValueError for anything else."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"not a date/time: {value!r}")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, dt.datetime):
        t = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        delta = t - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
    ns: int | None = None
    if isinstance(value, np.datetime64):
        ns = int(value.astype("datetime64[ns]").astype(np.int64))
    elif isinstance(value, str):
        text = value.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1]
        elif text.endswith("+00:00"):
            text = text[: -len("+00:00")]
        try:
            ns = int(np.datetime64(text, "ns").astype(np.int64))
        except ValueError:
            ns = None
    if ns is None or ns == _NAT:
        raise ValueError(f"not a date/time: {value!r} (use YYYY-MM-DD or RFC 3339 UTC)")
    return ns


def detect_decimals(a: np.ndarray, start: int = 0) -> int:
    """Fewest decimals (>= start) that represent every value of float array `a`.

    Decimal text -> nearest float -> rint(x * 10**d) recovers the integer once d is enough; a
    relative tolerance of 1e-12 absorbs float arithmetic noise (0.1 + 0.2 is 0.3, not 17 digits).
    """
    if a.dtype.kind in "iu" or a.size == 0:
        return start
    for d in range(start, MAX_DECIMALS + 1):
        s = np.rint(a * 10.0**d) / 10.0**d
        if np.allclose(s, a, rtol=1e-12, atol=0.0):
            return d
    return MAX_DECIMALS


def to_scaled(a: np.ndarray, d: int) -> np.ndarray:
    """Float or int column -> int64 count of 10**-d units (rounded half-even to the declared decimals)."""
    if a.dtype.kind in "iu":
        out: np.ndarray = a.astype(np.int64) * int(10**d)
        return out
    scaled: np.ndarray = np.rint(a * 10.0**d).astype(np.int64)
    return scaled


class Series:
    """Bars (kind "bar") or quotes (kind "quote") of one symbol.

    Args:
        symbol: The symbol exactly as the venue spells it.
        raw: Callable returning a fresh iterator of raw chunks: dicts with "ts" (int64 ns, bar start
            or quote time) and the value columns (BAR_COLUMNS or QUOTE_COLUMNS; quote sizes optional).
        source: Name used in DataError messages.
        kind: "bar" or "quote".
        timeframe: Bar size ("1m" ... "1w"); inferred from the timestamps when None.
        price_decimals: Declared decimals; prices are rounded to them. Detected when None.
        min_price_decimals: The scale the source's own text shows (CSV "100.10" → 2): detection
            never goes below it, so prices keep the scale they were written with.
        volume_decimals: Declared volume/size decimals; detected when None.
        scaled_decimals: (price, volume) decimals when `raw`'s value columns are already int64
            counts of 10**-price and 10**-volume units (as `resample` makes them), not values.
    """

    def __init__(
        self,
        symbol: str,
        raw: RawChunks,
        *,
        source: str,
        kind: str = "bar",
        timeframe: str | None = None,
        price_decimals: int | None = None,
        volume_decimals: int | None = None,
        min_price_decimals: int = 0,
        scaled_decimals: tuple[int, int] | None = None,
    ) -> None:
        if kind not in ("bar", "quote"):
            raise ValueError("kind must be 'bar' or 'quote'")
        if timeframe is not None and timeframe not in TIMEFRAME_NS:
            raise DataError(
                source, None, f"unknown timeframe {timeframe!r} (use one of {', '.join(TIMEFRAME_NS)})"
            )
        if scaled_decimals is not None:
            price_decimals = scaled_decimals[0] if price_decimals is None else price_decimals
            volume_decimals = scaled_decimals[1] if volume_decimals is None else volume_decimals
        self.symbol = symbol
        self.kind = kind
        self.source = source
        self.timeframe = timeframe
        self.price_decimals = price_decimals
        self.min_price_decimals = min_price_decimals
        self.volume_decimals = volume_decimals
        self._raw = raw
        self._scaled = scaled_decimals
        self._declared = price_decimals is not None
        self._declared_volume = volume_decimals is not None
        self.rows = 0
        self.first_ts: int | None = None
        self.last_ts: int | None = None
        self.prepared = False

    @property
    def timeframe_ns(self) -> int:
        return TIMEFRAME_NS[self.timeframe] if self.timeframe else 0

    # ------------------------------------------------------------------ time window
    def between(self, start: TimeBound = None, end: TimeBound = None) -> Series:
        """A new Series of the rows whose time (bar start, or quote time) lies within [start, end].

        Either bound may be None (open). A bound is nanoseconds since the Unix epoch (int), a
        datetime (naive means UTC) or ISO 8601 / RFC 3339 UTC text ("2024-03-01", "2024-03-01T14:30Z").
        Rows are filtered chunk by chunk as the data streams (nothing is loaded whole); this Series
        is left unchanged. Declared decimals and a known timeframe carry over. An empty window
        raises DataError ("no rows") when the new Series is prepared.

        Raises:
            ValueError: a bound is not a date/time.
        """
        lo = None if start is None else to_ns(start)
        hi = None if end is None else to_ns(end)
        raw = self._raw

        def windowed() -> Iterator[dict[str, np.ndarray]]:
            for chunk in raw():
                ts = np.asarray(chunk["ts"], dtype=np.int64)
                mask = np.ones(len(ts), dtype=bool)
                if lo is not None:
                    mask &= ts >= lo
                if hi is not None:
                    mask &= ts <= hi
                if mask.all():
                    yield chunk
                elif mask.any():
                    yield {k: np.asarray(v)[mask] for k, v in chunk.items()}

        label = f"{start if start is not None else ''}..{end if end is not None else ''}"
        return Series(
            self.symbol,
            windowed,
            source=f"{self.source} [{label}]",
            kind=self.kind,
            timeframe=self.timeframe,
            price_decimals=self.price_decimals if self._declared else None,
            volume_decimals=self.volume_decimals if self._declared_volume else None,
            min_price_decimals=self.min_price_decimals,
            scaled_decimals=self._scaled,
        )

    # ------------------------------------------------------------------ coarser bars
    def resample(self, timeframe: str) -> Series:
        """A new Series of these bars aggregated to the coarser `timeframe` ("1m" ... "1w").

        Each bar goes to the bucket holding its start; buckets are labelled by their start (the
        new bars' timestamps) and aligned to UTC: multiples of their length since the Unix epoch for
        "1m" ... "12h", UTC midnight for "1d", Monday 00:00 UTC for "1w" (ISO weeks). An aggregated
        bar has the open of its first bar, the highest high, the lowest low, the close of its last
        bar and the summed volume, all computed on the exact scaled integers (no float rounding).
        Buckets without data are skipped, and a partial bucket at either end is included (the last
        bar of data ending mid-day still gives that day's bar). Aggregation is streamed chunk by
        chunk like the rest of the data path; this Series is validated first (one pass) and left
        unchanged. Asking for this Series' own timeframe returns this Series itself.

        Raises:
            DataError: quotes, an unknown timeframe, a timeframe finer than the data ("the data is
                1d bars; 1m bars were asked for: use data at 1m or finer"), or one that is not a
                whole number of the data's bars (2m bars to 5m), or invalid data.
        """
        if self.kind != "bar":
            raise DataError(self.source, None, "only bars can be resampled, not quotes")
        if timeframe not in TIMEFRAME_NS:
            raise DataError(
                self.source, None, f"unknown timeframe {timeframe!r} (use one of {', '.join(TIMEFRAME_NS)})"
            )
        self.prepare()
        have = self.timeframe
        assert have is not None  # prepare() infers it for bars
        check_target(self.source, have, timeframe)
        if timeframe == have:
            return self
        decimals = (self.price_decimals or 0, self.volume_decimals or 0)
        scaled = self._scaled_chunks

        def aggregated() -> Iterator[dict[str, np.ndarray]]:
            return aggregate(scaled(*decimals), timeframe)

        return Series(
            self.symbol,
            aggregated,
            source=f"{self.source} [{timeframe}]",
            kind="bar",
            timeframe=timeframe,
            scaled_decimals=decimals,
        )

    def _scaled_chunks(self, price_decimals: int, volume_decimals: int) -> Iterator[dict[str, np.ndarray]]:
        """Raw bar chunks with int64 prices and volume in 10**-price / 10**-volume units."""
        for chunk in self._raw():
            yield {
                "ts": np.asarray(chunk["ts"], dtype=np.int64),
                **{c: self._ints(np.asarray(chunk[c]), price_decimals, False) for c in BAR_COLUMNS[:4]},
                "volume": self._ints(np.asarray(chunk["volume"]), volume_decimals, True),
            }

    def _ints(self, a: np.ndarray, decimals: int, volume: bool) -> np.ndarray:
        """Raw column `a` as int64 counts of 10**-decimals units (rounded half-even)."""
        if self._scaled is None:
            return to_scaled(a, decimals)
        return rescale(a.astype(np.int64), self._scaled[1 if volume else 0], decimals)

    # ------------------------------------------------------------------ validation pass
    def prepare(self) -> Series:
        """Validate every row (streamed) and fix the decimals; raises DataError on the first bad row."""
        if self.prepared:
            return self
        cols = BAR_COLUMNS if self.kind == "bar" else QUOTE_COLUMNS[:2]
        pd_ = self.price_decimals if self.price_decimals is not None else self.min_price_decimals
        vd = self.volume_decimals or 0
        offset = 0
        last: int | None = None
        gaps: dict[int, int] = {}
        for chunk in self._raw():
            missing = [c for c in ("ts", *cols) if c not in chunk]
            if missing:
                raise DataError(self.source, None, f"missing column(s): {', '.join(missing)}")
            ts = np.asarray(chunk["ts"], dtype=np.int64)
            n = len(ts)
            if n == 0:
                continue
            self._check(chunk, ts, offset, last)
            if self.kind == "bar" and self.timeframe is None and len(gaps) < 50 and n > 1:
                d = np.diff(ts[: min(n, 2000)])
                vals, counts = np.unique(d, return_counts=True)
                for v, c in zip(vals.tolist(), counts.tolist(), strict=True):
                    gaps[v] = gaps.get(v, 0) + c
            if not self._declared:
                for c in cols[:4] if self.kind == "bar" else cols:
                    pd_ = detect_decimals(np.asarray(chunk[c]), pd_)
            if self.volume_decimals is None:
                for c in ("volume",) if self.kind == "bar" else ("bid_size", "ask_size"):
                    if c in chunk:
                        vd = detect_decimals(
                            np.asarray(chunk[c], dtype=np.float64)
                            if np.asarray(chunk[c]).dtype.kind == "f"
                            else np.asarray(chunk[c]),
                            vd,
                        )
            if self.first_ts is None:
                self.first_ts = int(ts[0])
            last = int(ts[-1])
            offset += n
        if offset == 0:
            raise DataError(self.source, None, "no rows")
        self.rows = offset
        self.last_ts = last
        self.price_decimals = pd_
        self.volume_decimals = vd
        if self.kind == "bar" and self.timeframe is None:
            step = min(gaps) if gaps else 86_400 * 10**9
            # the smallest gap is the bar size (weekends and sessions only make gaps longer)
            tf = timeframe_of(step)
            if tf is None:
                raise DataError(
                    self.source,
                    None,
                    f"cannot infer a timeframe from a {step / 1e9:g}s bar spacing; pass timeframe=",
                )
            self.timeframe = tf
        self.prepared = True
        return self

    def _check(self, chunk: dict[str, np.ndarray], ts: np.ndarray, offset: int, last: int | None) -> None:
        def fail(mask: np.ndarray, reason: Callable[..., str]) -> None:
            bad = np.flatnonzero(mask)
            if bad.size:
                i = int(bad[0])
                raise DataError(self.source, offset + i + 1, reason(i))

        if last is not None and ts[0] <= last:
            raise DataError(
                self.source, offset + 1, "timestamp is not after the previous row (unsorted or duplicate)"
            )
        d = np.diff(ts)
        fail(np.concatenate(([False], d == 0)), lambda i: "duplicate timestamp")
        fail(np.concatenate(([False], d < 0)), lambda i: "timestamps are not sorted ascending")
        names = BAR_COLUMNS if self.kind == "bar" else tuple(c for c in QUOTE_COLUMNS if c in chunk)
        for c in names:
            a = np.asarray(chunk[c])
            if a.dtype.kind == "f":
                fail(~np.isfinite(a), lambda i, c=c: f"{c} is NaN or infinite")
            elif a.dtype.kind not in "iu":
                raise DataError(self.source, offset + 1, f"{c} is not numeric ({a.dtype})")
        if self.kind == "bar":
            h, lo = np.asarray(chunk["high"]), np.asarray(chunk["low"])
            fail(h < lo, lambda i: f"high < low ({h[i]} < {lo[i]})")
            for c in ("open", "high", "low", "close"):
                a = np.asarray(chunk[c])
                fail(a <= 0, lambda i, c=c, a=a: f"{c} must be > 0 (got {a[i]})")
            v = np.asarray(chunk["volume"])
            fail(v < 0, lambda i: f"negative volume ({v[i]})")
        else:
            for c in ("bid", "ask"):
                a = np.asarray(chunk[c])
                fail(a <= 0, lambda i, c=c, a=a: f"{c} must be > 0 (got {a[i]})")
            for c in ("bid_size", "ask_size"):
                if c in chunk:
                    a = np.asarray(chunk[c])
                    fail(a < 0, lambda i, c=c, a=a: f"negative {c} ({a[i]})")

    # ------------------------------------------------------------------ scaled chunks
    def chunks(self, quantity_decimals: int) -> Iterator[dict[str, np.ndarray]]:
        """Scaled int64 chunks: "ts" (event time: bar end or quote time), "start", prices, and
        volume/sizes in 10**-quantity_decimals units (-1 for an absent quote size)."""
        self.prepare()
        pd_ = self.price_decimals or 0
        vd = self.volume_decimals or 0
        tf = self.timeframe_ns
        for chunk in self._raw():
            ts = np.asarray(chunk["ts"], dtype=np.int64)
            if len(ts) == 0:
                continue
            out = {"start": ts, "ts": ts + tf}
            if self.kind == "bar":
                for c in BAR_COLUMNS[:4]:
                    out[c] = self._ints(np.asarray(chunk[c]), pd_, False)
                out["volume"] = self._qty(np.asarray(chunk["volume"]), vd, quantity_decimals)
            else:
                out["bid"] = self._ints(np.asarray(chunk["bid"]), pd_, False)
                out["ask"] = self._ints(np.asarray(chunk["ask"]), pd_, False)
                for c in ("bid_size", "ask_size"):
                    out[c] = (
                        self._qty(np.asarray(chunk[c]), vd, quantity_decimals)
                        if c in chunk
                        else np.full(len(ts), -1, dtype=np.int64)
                    )
            yield out

    def _qty(self, a: np.ndarray, vd: int, qd: int) -> np.ndarray:
        """A volume/size column in 10**-qd units, rounded to the fewer of its and qd's decimals."""
        if self._scaled is not None:
            return rescale(a.astype(np.int64), self._scaled[1], qd)
        s = to_scaled(a, min(vd, qd))
        out: np.ndarray = s * int(10 ** (qd - min(vd, qd)))
        return out
