"""Regenerate the bundled sample data (src/tradewire/engine/data/sample_daily.csv.gz) with a fixed seed.

Run from packages/engine: python scripts/make_sample_data.py
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src/tradewire/engine/data/sample_daily.csv.gz"
SEED = 20240101
SYMBOLS = {  # symbol: (start price, daily volatility, drift, trades weekends, volume range)
    "AAPL": (130.0, 0.016, 0.0008, False, (40_000_000, 120_000_000)),
    "MSFT": (240.0, 0.015, 0.0007, False, (15_000_000, 45_000_000)),
    "BTC/USD": (16_500.0, 0.03, 0.0015, True, (10_000, 60_000)),
}


def main() -> None:
    days = np.arange(np.datetime64("2023-01-02"), np.datetime64("2025-01-01"))
    rows = []
    rng = np.random.default_rng(SEED)
    for sym, (p0, vol, drift, weekends, (vlo, vhi)) in SYMBOLS.items():
        d = days if weekends else days[np.is_busday(days)]
        n = len(d)
        close = p0 * np.exp(np.cumsum(rng.normal(drift, vol, n)))
        open_ = np.concatenate(([p0], close[:-1])) * np.exp(rng.normal(0, vol / 4, n))
        high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, vol / 2, n)))
        low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, vol / 2, n)))
        volume = rng.integers(vlo, vhi, n)
        for i in range(n):
            rows.append((str(d[i]), sym, open_[i], high[i], low[i], close[i], volume[i]))
    rows.sort(key=lambda r: (r[0], list(SYMBOLS).index(r[1])))
    lines = ["timestamp,symbol,open,high,low,close,volume"]
    for t, sym, o, h, lo, c, v in rows:
        lines.append(f"{t}T00:00:00Z,{sym},{o:.2f},{h:.2f},{lo:.2f},{c:.2f},{v}")
    # mtime=0: the committed file is byte-identical on every regeneration
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:
        fh.write(("\n".join(lines) + "\n").encode())
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(rows)} rows)")


if __name__ == "__main__":
    main()
