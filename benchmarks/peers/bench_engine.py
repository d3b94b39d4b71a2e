"""The engine's own in-process path in the peer benchmark (no SDK layer): SMA(10)/SMA(30) crossover
on the peers' synthetic 1-minute bars, written directly against `tradewire.engine.Backtest`.

  python benchmarks/peers/bench_engine.py --bars 1000000

It is the floor under `bench_tradewire.py --mode inprocess` (the same strategy through the SDK's
Strategy class), and it also reports memory: RSS after the data is generated, and the peak RSS
while the engine loads and runs (VmHWM reset after generation), so the engine's own footprint is
visible apart from the peers' data arrays. Prints one `RESULT:{json}` line (gen_data.emit).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections import deque
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SYMBOL = "SYN"


def _rss_mb(field: str) -> float | None:
    """VmRSS / VmHWM of this process in MB (Linux), else None."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset VmHWM so the peak covers only what follows (Linux >= 4.0: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class SmaCross:
    """Running-sum SMAs over floats (the same arithmetic as the peers), trading through the engine's
    synchronous API; the position is read from the engine, as the peers read their broker."""

    __slots__ = ("bt", "fast", "fq", "fs", "position", "prev", "qty", "slow", "sq", "ss")

    def __init__(self, fast: int, slow: int, qty: int) -> None:
        self.fast, self.slow, self.qty = fast, slow, qty
        self.fq: deque[float] = deque()
        self.sq: deque[float] = deque()
        self.fs = self.ss = 0.0
        self.prev: float | None = None

    def on_start(self, bt: Any) -> None:
        self.bt = bt
        self.position = bt.position

    def on_bar(self, bar: Any) -> None:
        x = bar.close
        fq, sq = self.fq, self.sq
        fq.append(x)
        sq.append(x)
        fs = self.fs + x
        ss = self.ss + x
        if len(sq) > self.slow:
            fs -= fq.popleft()
            ss -= sq.popleft()
        elif len(fq) > self.fast:
            fs -= fq.popleft()
        self.fs, self.ss = fs, ss
        if len(sq) < self.slow:
            return
        diff = fs / self.fast - ss / self.slow
        prev, self.prev = self.prev, diff
        if prev is None:
            return
        if diff > 0:
            if prev <= 0 and not self.position(SYMBOL):
                self.bt.buy(SYMBOL, self.qty)
        elif diff < 0 and prev >= 0:
            pos = self.position(SYMBOL)
            if pos > 0:
                self.bt.sell(SYMBOL, pos)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--peers-dir", default=None)
    ap.add_argument("--check", action="store_true", help="also compute the numpy reference trade count")
    ap.add_argument("--profile", default=None, help="write a pyinstrument text profile of the run phase here")
    a = ap.parse_args()
    peers = (
        a.peers_dir
        or os.environ.get("TRADEWIRE_PEERS_DIR")
        or str(REPO.parent / "shared" / "bench" / "peers")
    )
    sys.path.insert(0, str(Path(peers).resolve()))
    import gen_data

    import tradewire.engine as te

    t = gen_data.Timer()
    arr = gen_data.make_arrays(a.bars, a.seed)
    gen_s = t.mark("gen")
    gc.collect()
    rss_data = _rss_mb("VmRSS")  # interpreter + imports + the peers' generated arrays
    peak_reset = _reset_peak()
    t.mark("gen")  # keep the bookkeeping above out of load_s
    series = te.from_arrays(
        SYMBOL,
        arr["ts"],
        open=arr["open"],
        high=arr["high"],
        low=arr["low"],
        close=arr["close"],
        volume=arr["volume"],
        timeframe="1m",
        price_decimals=gen_data.PRICE_DECIMALS,
    )
    bt = te.Backtest(series, cash=str(int(gen_data.START_CASH)), quantity_decimals=0)  # validates the data
    load_s = t.mark("load")
    profiler = None
    if a.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    result = bt.run(SmaCross(gen_data.FAST, gen_data.SLOW, gen_data.QTY))
    run_s = t.mark("run")
    if profiler is not None:
        profiler.stop()
        Path(a.profile).write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    peak = _rss_mb("VmHWM") if peak_reset else None
    res = {
        "framework": "tradewire-engine",
        "version": te.__version__,
        "mode": "inprocess-engine",
        "bars": a.bars,
        "gen_s": gen_s,
        "load_s": load_s,
        "run_s": run_s,
        "entries": result.buys,
        "exits": result.sells,
        "final_value": float(result.final_value),
        "final_value_exact": str(result.final_value),
        "rss_after_data_mb": rss_data,
        "peak_rss_load_run_mb": peak,
        "engine_increment_mb": None if peak is None or rss_data is None else peak - rss_data,
    }
    if a.check:
        res["reference"] = gen_data.reference_trades(arr["close"])
    gen_data.emit(res)


if __name__ == "__main__":
    main()
