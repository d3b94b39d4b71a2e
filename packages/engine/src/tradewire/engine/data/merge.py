"""Merge many symbols' series into one time-ordered stream of row chunks (vectorised, bounded memory)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from tradewire.engine.data.series import Series

__all__ = ["Chunk", "merged_chunks"]

_FIELDS = ("ts", "start", "a", "b", "c", "d", "e", "f")


class Chunk:
    """Rows of consecutive market events in time order, as Python lists for a tight loop.

    Per row: `ts` event time (bar end / quote time, ns), `sym` index, `kind` 0 bar / 1 quote,
    `start` (bar start), and a..f: bars open, high, low, close, volume, 0; quotes bid, ask, 0, 0,
    bid_size, ask_size (scaled ints). `close_f` holds close (bars) or mid (quotes) as float.
    Only `ts`, `d` and `close_f` are listed eagerly; the other columns on first use (most bars
    never need them).
    """

    __slots__ = ("_a", "_b", "_c", "_cols", "_e", "_f", "_kind", "_start", "_sym", "close_f", "d", "n", "ts")

    def __init__(
        self, cols: dict[str, np.ndarray], sym: np.ndarray, kind: np.ndarray, div: np.ndarray
    ) -> None:
        self.n = len(cols["ts"])
        self._cols = {"sym": sym, "kind": kind, **cols}
        self.ts = cols["ts"].tolist()
        self.d = cols["d"].tolist()
        self._a = self._b = self._c = self._e = self._f = self._start = self._sym = self._kind = None
        # float closes for strategies: exact int / 10**scale is the correctly rounded float of the decimal
        if len(div) == 1 and not kind.any():
            px = cols["d"] / div[0]
        else:
            px = np.where(kind == 0, cols["d"], (cols["a"] + cols["b"]) / 2) / div[sym]
        self.close_f = px.tolist()

    @classmethod
    def one_row(cls, src: Chunk, r: int) -> Chunk:
        """A 1-row chunk holding row `r` of `src` (keeps a symbol's last bar across chunk switches)."""
        cols = {k: v[r : r + 1] for k, v in src._cols.items()}
        sym, kind = cols.pop("sym"), cols.pop("kind")
        out = cls.__new__(cls)
        out.n = 1
        out._cols = {"sym": sym, "kind": kind, **cols}
        out.ts = cols["ts"].tolist()
        out.d = cols["d"].tolist()
        out.close_f = [src.close_f[r]]
        out._a = out._b = out._c = out._e = out._f = out._start = out._sym = out._kind = None
        return out

    def _list(self, slot: str, key: str) -> list[int]:
        v = getattr(self, slot)
        if v is None:
            v = self._cols[key].tolist()
            setattr(self, slot, v)
        return v  # type: ignore[no-any-return]

    @property
    def a(self) -> list[int]:
        return self._list("_a", "a")

    @property
    def b(self) -> list[int]:
        return self._list("_b", "b")

    @property
    def c(self) -> list[int]:
        return self._list("_c", "c")

    @property
    def e(self) -> list[int]:
        return self._list("_e", "e")

    @property
    def f(self) -> list[int]:
        return self._list("_f", "f")

    @property
    def start(self) -> list[int]:
        return self._list("_start", "start")

    @property
    def sym(self) -> list[int]:
        return self._list("_sym", "sym")

    @sym.setter
    def sym(self, value: list[int]) -> None:
        self._sym = value  # type: ignore[assignment]
        self._cols["sym"] = np.asarray(value, dtype=np.int64)

    @property
    def kind(self) -> list[int]:
        return self._list("_kind", "kind")


def _normalise(raw: dict[str, np.ndarray], kind: str) -> dict[str, np.ndarray]:
    n = len(raw["ts"])
    z = np.zeros(n, dtype=np.int64)
    if kind == "bar":
        return {
            "ts": raw["ts"],
            "start": raw["start"],
            "a": raw["open"],
            "b": raw["high"],
            "c": raw["low"],
            "d": raw["close"],
            "e": raw["volume"],
            "f": z,
        }
    return {
        "ts": raw["ts"],
        "start": raw["start"],
        "a": raw["bid"],
        "b": raw["ask"],
        "c": z,
        "d": z,
        "e": raw["bid_size"],
        "f": raw["ask_size"],
    }


def merged_chunks(series: list[Series], quantity_decimals: int) -> Iterator[Chunk]:
    """All rows of all series in (event time, bars before quotes, symbol order) order."""
    div = np.array([10.0 ** (s.price_decimals or 0) for s in series])
    if len(series) == 1:
        s = series[0]
        k = 0 if s.kind == "bar" else 1
        for raw in s.chunks(quantity_decimals):
            cols = _normalise(raw, s.kind)
            n = len(cols["ts"])
            yield Chunk(cols, np.zeros(n, dtype=np.int64), np.full(n, k, dtype=np.int64), div)
        return
    iters = [s.chunks(quantity_decimals) for s in series]
    kinds = [0 if s.kind == "bar" else 1 for s in series]
    bufs: list[dict[str, np.ndarray] | None] = [None] * len(series)
    done = [False] * len(series)

    def refill(i: int) -> None:
        while bufs[i] is None and not done[i]:
            nxt = next(iters[i], None)
            if nxt is None:
                done[i] = True
            elif len(nxt["ts"]):
                bufs[i] = _normalise(nxt, series[i].kind)

    while True:
        for i in range(len(series)):
            refill(i)
        live = [i for i in range(len(series)) if bufs[i] is not None]
        if not live:
            return
        # everything up to the earliest buffer end is final: no other source can still go before it
        cut = min(int(bufs[i]["ts"][-1]) for i in live)  # type: ignore[index]
        parts, syms, knds = [], [], []
        for i in live:
            b = bufs[i]
            assert b is not None
            m = int(np.searchsorted(b["ts"], cut, side="right"))
            if m == 0:
                continue
            parts.append({f: b[f][:m] for f in _FIELDS})
            syms.append(np.full(m, i, dtype=np.int64))
            knds.append(np.full(m, kinds[i], dtype=np.int64))
            bufs[i] = None if m == len(b["ts"]) else {f: b[f][m:] for f in _FIELDS}
        cols = {f: np.concatenate([p[f] for p in parts]) for f in _FIELDS}
        sym = np.concatenate(syms)
        kind = np.concatenate(knds)
        order = np.lexsort((sym, kind, cols["ts"]))
        yield Chunk({f: a[order] for f, a in cols.items()}, sym[order], kind[order], div)
