"""The HTML report at 2 M bars: build time, file size and headless-chromium draw time per candidate.

    python benchmarks/engine/bench_report.py --bars 2000000
    python benchmarks/engine/bench_report.py --bars 2000000 --candidates plotly bokeh plotly-undecimated

Candidates: `plotly` is the shipped report (every section, lines min-max decimated for drawing);
`plotly-undecimated` draws the equity and price lines with every point (WebGL); `plotly-two-charts`
and `bokeh` draw only those two lines, decimated, with plotly.js or BokehJS inlined. Draw time is chromium's wall time for a screenshot of the
file less that of an empty page (its start-up), one run each after a warm-up.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from tradewire.engine import Backtest, from_arrays
from tradewire.engine.results import analysis


class Trader:
    """A round trip every 1,000 bars: 4,000 fills on 2 M bars."""

    def __init__(self) -> None:
        self.n = 0

    def on_start(self, bt: Any) -> None:
        self.bt = bt

    def on_bar(self, bar: Any) -> None:
        self.n += 1
        if self.n % 1000 == 1:
            self.bt.buy("BTC/USD", 1)
        elif self.n % 1000 == 501:
            self.bt.sell("BTC/USD", 1)


def make_result(bars: int) -> Any:
    rng = np.random.default_rng(11)
    close = np.round(30_000 * np.exp(np.cumsum(rng.normal(0, 0.0006, bars))), 2)
    ts = np.datetime64("2022-01-01", "ns") + np.arange(bars) * np.timedelta64(60, "s")
    series = from_arrays(
        "BTC/USD",
        ts,
        open=close,
        high=close + 0.5,
        low=close - 0.5,
        close=close,
        volume=np.ones(bars),
        timeframe="1m",
        price_decimals=2,
    )
    return Backtest(series, cash="100000").run(Trader())


def plotly_undecimated(r: Any) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    x = r.equity_ts.astype("datetime64[ns]")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True)
    fig.add_trace(go.Scattergl(x=x, y=r.equity, name="equity"), row=1, col=1)
    fig.add_trace(go.Scattergl(x=x, y=r.prices["BTC/USD"], name="BTC/USD"), row=2, col=1)
    text: str = fig.to_html(include_plotlyjs=True, full_html=True)
    return text


def plotly_two_charts(r: Any) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True)
    for row, ys in ((1, r.equity), (2, r.prices["BTC/USD"])):
        t, y = analysis.decimate(r.equity_ts, ys, 4000)
        fig.add_trace(go.Scatter(x=t.astype("datetime64[ns]"), y=y), row=row, col=1)
    text: str = fig.to_html(include_plotlyjs=True, full_html=True)
    return text


def bokeh_decimated(r: Any) -> str:
    from bokeh.embed import file_html
    from bokeh.layouts import column
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    plots = []
    for ys in (r.equity, r.prices["BTC/USD"]):
        t, y = analysis.decimate(r.equity_ts, ys, 4000)
        p = figure(x_axis_type="datetime", width=1100, height=320)
        p.line(t.astype("datetime64[ms]"), y)
        plots.append(p)
    text: str = file_html(column(*plots), INLINE, "bokeh")
    return text


def draw_seconds(chromium: str, path: Path) -> float:
    with tempfile.TemporaryDirectory() as profile:
        flags = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1280,3000",
            f"--screenshot={Path(profile) / 'shot.png'}",
            path.resolve().as_uri(),
        ]
        t = time.perf_counter()
        subprocess.run(flags, capture_output=True, check=True, timeout=600)
        return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bars", type=int, default=2_000_000)
    ap.add_argument("--candidates", nargs="+", default=["plotly", "plotly-undecimated", "bokeh"])
    args = ap.parse_args()
    t = time.perf_counter()
    r = make_result(args.bars)
    _ = r.metrics
    print(f"{args.bars:,} bars, {len(r.fills):,} fills: run + results {time.perf_counter() - t:.2f} s")
    build = {
        "plotly": lambda: r.html(),
        "plotly-undecimated": lambda: plotly_undecimated(r),
        "plotly-two-charts": lambda: plotly_two_charts(r),
        "bokeh": lambda: bokeh_decimated(r),
    }
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    out = Path(tempfile.mkdtemp())
    base = 0.0
    if chromium:
        blank = out / "blank.html"
        blank.write_text("<!DOCTYPE html><title>x</title>")
        draw_seconds(chromium, blank)  # warm-up
        base = draw_seconds(chromium, blank)
    print("| candidate | build (s) | file (MB) | chromium draw (s) |\n|---|---|---|---|")
    for name in args.candidates:
        t = time.perf_counter()
        text = build[name]()
        built = time.perf_counter() - t
        path = out / f"{name}.html"
        path.write_text(text, encoding="utf-8")
        drawn = f"{draw_seconds(chromium, path) - base:.2f}" if chromium else "n/a"
        print(f"| {name} | {built:.2f} | {path.stat().st_size / 1e6:.1f} | {drawn} |")
    shutil.rmtree(out)


if __name__ == "__main__":
    main()
