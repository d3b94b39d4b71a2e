"""The shared driver: data series -> instruments + kernel, and the step loop both shells use."""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterator, Sequence

from tradewire.engine.config import BacktestConfig
from tradewire.engine.core.events import K_CANDLE, K_COMPLETE, K_QUOTE
from tradewire.engine.core.instrument import Instrument
from tradewire.engine.core.kernel import Kernel
from tradewire.engine.data.merge import Chunk, merged_chunks
from tradewire.engine.data.series import Series
from tradewire.engine.data.sources import as_series_list

__all__ = ["Simulation"]

NS = 1_000_000_000


class Simulation:
    """Instruments, the kernel and the market stream of one run. Not re-runnable: make a new one."""

    def __init__(
        self,
        data: Series | Sequence[Series],
        config: BacktestConfig | None = None,
        keep_history: bool = False,
        run_id: str = "",
    ) -> None:
        self.config = config or BacktestConfig()
        self.series = as_series_list(data)
        if not self.series:
            raise ValueError("no market data")
        for s in self.series:
            s.prepare()  # every source is validated before the run starts
        index: dict[str, int] = {}
        scale: dict[str, int] = {}
        tf: dict[str, Series] = {}
        for s in self.series:
            index.setdefault(s.symbol, len(index))
            scale[s.symbol] = max(scale.get(s.symbol, 0), s.price_decimals or 0)
            if s.kind == "bar":
                if s.symbol in tf:
                    raise ValueError(f"two bar series for {s.symbol}")
                tf[s.symbol] = s
        for s in self.series:
            s.price_decimals = scale[s.symbol]  # one price scale per symbol
        self.instruments = [
            Instrument(
                i,
                sym,
                scale[sym],
                tf[sym].timeframe if sym in tf else None,
                tf[sym].timeframe_ns if sym in tf else 0,
            )
            for sym, i in index.items()
        ]
        self.symbols = index
        self.kernel = Kernel(self.config, self.instruments, run_id)
        # before the first step the clock stands at the start of the data (the first bar's start)
        self.kernel.now = min(s.first_ts for s in self.series if s.first_ts is not None)
        self.series_sym = [index[s.symbol] for s in self.series]
        self.keep_history = keep_history
        self.history: list[deque[tuple[int, int, int, int, int, int]]] = [
            deque(maxlen=self.config.history_bars) for _ in self.instruments
        ]
        self.prev_chunk: Chunk | None = None  # fast path: recent bars are read back from these
        self.cur_chunk: Chunk | None = None
        # The equity curve's samples in compact columns (8 bytes a value; 2 M one-symbol bars: 32 MB):
        # the time and each symbol's mark (scaled int, 0 before its first price). Equity itself is
        # rebuilt from these and the fill log once the run is over (results/curve.py), so a step
        # pays two appends, not an account valuation.
        self.eq_ts = array("q")
        self.px_raw = [array("q") for _ in self.instruments]
        self._every = self.config.equity_every * NS
        self.every_step = self._every == 0
        self.next_sample = 0
        self.steps = 0
        self.start_ns: int | None = None
        self.finished = False

    # ------------------------------------------------------------------ bookkeeping
    def sample_equity(self, force: bool = False) -> None:
        """Record an equity sample (time and marks) at every step (`equity_every` 0, the default), or
        once per `equity_every` window at the first step of the window."""
        k = self.kernel
        now = k.now
        if force or now >= self.next_sample:
            if force and self.eq_ts and self.eq_ts[-1] == now:
                return
            self.eq_ts.append(now)
            for s in range(len(self.instruments)):
                self.px_raw[s].append(k.mark(s) if k.has_price[s] else 0)
            self.next_sample = (now // self._every + 1) * self._every if self._every else now + 1

    def recent_bars(self, sym: int) -> list[tuple[int, int, int, int, int, int]]:
        """Up to `history_bars` completed bars of `sym`, oldest first, as (start, o, h, l, c, v)."""
        if self.keep_history:
            return list(self.history[sym])
        out: list[tuple[int, int, int, int, int, int]] = []
        row = self.kernel.row[sym]
        for ch, upto in ((self.prev_chunk, None), (self.cur_chunk, row)):
            if ch is None or (ch is self.cur_chunk and upto is None):
                continue
            end = ch.n if upto is None else upto + 1
            out.extend(
                (ch.start[r], ch.a[r], ch.b[r], ch.c[r], ch.d[r], ch.e[r])
                for r in range(end)
                if ch.sym[r] == sym and ch.kind[r] == 0
            )
        return out[-self.config.history_bars :]

    def chunks(self) -> Iterator[Chunk]:
        qs = self.kernel.qs
        for ch in merged_chunks(self.series, qs):
            if len(self.series_sym) > 1 or self.series_sym[0] != 0:
                ch.sym = [self.series_sym[s] for s in ch.sym]
            yield ch

    def switch_chunk(self, ch: Chunk) -> Chunk:
        """Keep each symbol's last bar reachable when its rows move to a new chunk."""
        k = self.kernel
        for s, cols in enumerate(k.cols):
            if cols is not None and k.row[s] >= 0:
                k.cols[s] = Chunk.one_row(cols, k.row[s])
                k.row[s] = 0
        return ch

    # ------------------------------------------------------------------ the general step loop
    def steps_iter(self) -> Iterator[tuple[Chunk, int, int]]:
        """Advance one instant per iteration: market events first, then matching, margin and equity.
        Yields (chunk, first row, end row) of the instant; the caller then lets the strategy act."""
        k = self.kernel
        hist = self.history if self.keep_history else None
        for ch in self.chunks():
            cols = self.switch_chunk(ch)
            self.cur_chunk = ch
            ts, sym, kind = ch.ts, ch.sym, ch.kind
            # every column is needed on this path: list them once per chunk, not per row
            start, a, b, c, d, e, f = ch.start, ch.a, ch.b, ch.c, ch.d, ch.e, ch.f
            row, quote_mark, has_price, marks = k.row, k.quote_mark, k.has_price, k.marks
            n = ch.n
            i = 0
            while i < n:
                t = ts[i]
                j = i + 1
                while j < n and ts[j] == t:
                    j += 1
                k.now = t
                k.market_version += 1
                if self.start_ns is None:
                    self.start_ns = t
                rec = k.rec
                for r in range(i, j):
                    s = sym[r]
                    k.evt += 1
                    if kind[r] == 0:
                        k.cols[s] = cols
                        row[s] = r
                        quote_mark[s] = False
                        has_price[s] = True
                        if rec is not None or hist is not None:
                            bar = (start[r], a[r], b[r], c[r], d[r], e[r])
                            if rec is not None:
                                rec.append((K_CANDLE, k.evt, t, (s, *bar)))
                            if hist is not None:
                                hist[s].append(bar)
                    else:
                        bsz = e[r] if e[r] >= 0 else None
                        asz = f[r] if f[r] >= 0 else None
                        k.quote[s] = (t, a[r], b[r], bsz, asz)
                        quote_mark[s] = True
                        marks[s] = (a[r] + b[r]) // 2
                        has_price[s] = True
                        if rec is not None:
                            last = k.cols[s].d[row[s]] if k.cols[s] is not None and row[s] >= 0 else None
                            rec.append((K_QUOTE, k.evt, t, (s, t, a[r], b[r], bsz, asz, last)))
                if k.n_working:
                    for r in range(i, j):
                        s = sym[r]
                        if k.working[s]:
                            if kind[r] == 0:
                                k._match_bar(s, start[r], a[r], b[r], c[r], e[r])
                            else:
                                k._match_quote(s)
                if k.watch:
                    k.check_margin()
                if t >= self.next_sample:
                    self.sample_equity()
                self.steps += 1
                yield ch, i, j
                i = j
            self.prev_chunk = ch

    def complete(self) -> None:
        """The final `backtest_complete` event (with an id) at the last simulated instant."""
        k = self.kernel
        if self.finished:
            return
        self.finished = True
        self.sample_equity(force=True)
        k.evt += 1
        if k.rec is not None:
            k.rec.append((K_COMPLETE, k.evt, k.now, None))
