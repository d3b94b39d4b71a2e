"""Pins the HTML report: every section parsed from the file, charts light at any run length
(decimated lines, aggregated markers), offline, deterministic, and drawn by a headless chromium."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys
import zlib
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from tradewire.engine import Backtest, BacktestConfig, PercentOfNotional, from_arrays, sample_data
from tradewire.engine.results import analysis

pytest.importorskip("plotly")

SECTIONS = (
    "metrics",
    "equity",
    "drawdown",
    "returns",
    "rolling",
    "worst-drawdowns",
    "distribution",
    "trades",
    "prices",
    "parameters",
)


class Swing:
    """Round trips on two symbols: in every 30 steps, out 15 steps later; from step 480 it only buys."""

    def __init__(self) -> None:
        self.n = 0

    def on_start(self, bt: Backtest) -> None:
        self.bt = bt

    def on_step(self, step: object) -> None:
        self.n += 1
        if self.n % 30 == 1:
            self.bt.buy("AAPL", 40)
            self.bt.buy("MSFT", 10)
        elif self.n % 30 == 16 and self.n < 480:
            self.bt.close_all()


class _Parse(HTMLParser):
    """Sections (id -> heading), tables (id -> rows of cell text), chart divs, scripts and links."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.divs: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.links = 0
        self._section: str | None = None
        self._in_h2 = False
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self._section = a.get("id")
        elif tag == "h2":
            self._in_h2 = True
        elif tag == "table":
            self._table = a.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "div" and (a.get("id") or "").startswith("chart-"):
            self.divs.append(a["id"] or "")
        elif tag == "script":
            self.scripts.append(a)
        elif tag == "link":
            self.links += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False
        elif tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._in_h2 and self._section:
            self.sections[self._section] = data
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def result():
    config = BacktestConfig(cash="100000", commission=PercentOfNotional(Decimal("0.05")))
    r = Backtest(sample_data(["AAPL", "MSFT"]), config=config).run(Swing())
    r.parameters = {"entry_every": "30", "hold": "15"}
    return r


@pytest.fixture(scope="module")
def page(result) -> tuple[str, _Parse]:
    text = result.html("Swing")
    p = _Parse()
    p.feed(text)
    return text, p


def test_every_section_is_there(page) -> None:
    _, p = page
    assert list(p.sections) == list(SECTIONS)
    assert p.divs == [
        "chart-equity",
        "chart-drawdown",
        "chart-rolling",
        "chart-distribution",
        "chart-price-0",
        "chart-price-1",
    ]


def test_the_tables_hold_the_figures(page, result) -> None:
    _, p = page
    metrics = {row[0]: row[1] for row in p.tables["metrics"][1:]}
    for name in (
        "CAGR",
        "Sharpe",
        "Sortino",
        "Calmar",
        "max drawdown",
        "win rate",
        "profit factor",
        "average win",
        "average loss",
        "exposure",
        "risk-free rate",
        "annualised by",
        "commission",
        "slippage",
    ):
        assert name in metrics
    assert metrics["commission"].endswith(" USD") and metrics["slippage"] == "none (0.00 USD)"
    assert metrics["risk-free rate"] == "0.00 % a year"
    months = p.tables["returns-table"]
    assert months[0][:3] == ["year", "Jan", "Feb"] and months[0][-1] == "year %"
    assert [row[0] for row in months[1:]] == ["2023", "2024", "2025"]
    assert all(len(row) == 14 for row in months)
    drawdowns = p.tables["drawdowns-table"]
    assert drawdowns[0] == ["#", "peak", "trough", "recovered", "depth", "length"] and len(drawdowns) > 2
    trades = p.tables["trades-table"]
    assert trades[0][3:] == ["entry", "entry price", "exit", "exit price", "P&L", "fees", "held"]
    assert len(trades) - 1 == len(result.round_trips) > 10
    assert trades[1][9].endswith(("d 0h", "h")) and trades[1][7].endswith(" USD")
    params = {row[0]: row[1] for row in p.tables["parameters-table"][1:]}
    assert params["entry_every"] == "30" and params["commission"].startswith("PercentOfNotional")


def test_the_benchmark_open_positions_and_offline(page, result) -> None:
    text, p = page
    assert '"name":"buy and hold AAPL, MSFT"' in text
    assert result.open_positions == {"AAPL": Decimal(80), "MSFT": Decimal(20)}
    assert "Open at the end: AAPL 80, MSFT 20." in text  # quantities without trailing zeros
    # one inline script carries plotly; nothing is fetched when the file opens
    assert p.links == 0 and all("src" not in s for s in p.scripts)
    assert text.count("plotly.js v") == 1
    from plotly.offline import get_plotlyjs

    ours = text.replace(get_plotlyjs(), "")  # the bundle itself names plotly's site in its link texts
    assert len(ours) < len(text) - 4_000_000 and not re.search(r"""(src|href)=["']?https?:""", ours)


def test_the_report_is_deterministic_and_survives_json(result, tmp_path) -> None:
    from tradewire.engine import BacktestResult

    back = BacktestResult.from_json(result.to_json(tmp_path / "r.json"))
    assert back.parameters == result.parameters and back.settings == result.settings
    assert back.html("Swing") == result.html("Swing")


def test_without_plotly_the_error_says_what_to_install(result, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    with pytest.raises(ImportError, match=r"pip install 'plotly>=6'"):
        result.html()


def test_decimation_keeps_every_extreme() -> None:
    rng = np.random.default_rng(3)
    ys = np.cumsum(rng.normal(0, 1, 2_000_003))
    ts = np.arange(ys.size, dtype=np.int64)
    x, y = analysis.decimate(ts, ys, 4000)
    assert y.size <= 4003 and y.min() == ys.min() and y.max() == ys.max()
    assert x[0] == 0 and x[-1] == ys.size - 1 and np.all(np.diff(x) > 0)
    np.testing.assert_array_equal(y, ys[x])


def _minute_run(n: int):
    rng = np.random.default_rng(5)
    close = np.round(100 * np.exp(np.cumsum(rng.normal(0, 0.0005, n))), 2)
    ts = np.datetime64("2024-01-01", "ns") + np.arange(n) * np.timedelta64(60, "s")
    series = from_arrays(
        "BTC/USD",
        ts,
        open=close,
        high=close + 0.01,
        low=close - 0.01,
        close=close,
        volume=np.ones(n),
        timeframe="1m",
        price_decimals=2,
    )

    return Backtest(series).run(_Every50())


class _Every50:
    def __init__(self) -> None:
        self.n = 0

    def on_start(self, bt: Backtest) -> None:
        self.bt = bt

    def on_bar(self, bar: object) -> None:
        self.n += 1
        if self.n % 50 == 1:
            self.bt.buy("BTC/USD", 1)
        elif self.n % 50 == 26:
            self.bt.sell("BTC/USD", 1)


def test_a_long_busy_run_draws_light_charts() -> None:
    r = _minute_run(300_000)  # 12,000 fills
    text = r.html()
    figures = [
        json.loads(m.group(1))
        for m in re.finditer(r'Plotly\.newPlot\(\s*"chart-[^"]+",\s*(\[.*?\]),\s*\{', text, re.S)
    ]
    assert len(figures) == 5
    for traces in figures:
        for trace in traces:
            x = trace.get("x")
            count = len(x) if isinstance(x, list) else 0
            assert count <= 4003
    price = figures[-1]
    markers = [t for t in price if t.get("mode") == "markers"]
    assert {t["name"] for t in markers} == {"buys", "sells"}
    assert sum(len(t["x"]) for t in markers) <= 400  # aggregated, not 12,000 triangles
    assert sum(int(s.split(" ")[0]) for t in markers for s in t["text"]) == len(r.fills)
    assert len(text) < 7_000_000  # plotly's bundle (4.8 MB) and light data


def test_time_axes_are_dates_with_few_ticks(page) -> None:
    """Sane axis ticks at any length: time on a date axis (ISO text, which plotly ticks by calendar),
    never raw nanoseconds, and a capped number of ticks on every axis."""
    text, _ = page
    charts = re.finditer(
        r'Plotly\.newPlot\(\s*"(chart-[^"]+)",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{"displaylogo"', text, re.S
    )
    seen = set()
    for match in charts:
        name, traces, layout = match.group(1), json.loads(match.group(2)), json.loads(match.group(3))
        seen.add(name)
        axes = {k: v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))}
        assert axes["xaxis"]["nticks"] <= 10 and all(
            v["nticks"] <= 8 for k, v in axes.items() if k != "xaxis"
        )
        if name != "chart-distribution":  # the one chart whose x is a return, not a time
            for trace in traces:
                assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", x) for x in trace["x"]), name
    assert {"chart-equity", "chart-drawdown", "chart-rolling", "chart-distribution"} <= seen


def _png_is_drawn(path: Path, width: int, height: int) -> bool:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(idat)
    return (w, h) == (width, height) and len(set(pixels)) > 64  # a blank page has a handful of values


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_chromium_draws_the_report_offline(result, tmp_path) -> None:
    report = result.to_html(tmp_path / "report.html", title="Swing")
    flags = [
        _chromium() or "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--hide-scrollbars",
        "--virtual-time-budget=10000",
    ]
    url = report.resolve().as_uri()
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # plotly ran from the embedded bundle and drew every chart (its SVG roots carry "main-svg")
    assert dom.stdout.count('class="main-svg"') >= 6
    shot = tmp_path / "report.png"
    done = subprocess.run(
        [*flags, "--window-size=1280,2400", f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert _png_is_drawn(shot, 1280, 2400)


def test_results_saved_before_the_columns_still_render(result) -> None:
    """Results saved with one equity object per sample and the old metrics render again."""
    from tradewire.engine import BacktestResult

    data = json.loads(json.dumps(result.to_dict()))
    ns = data["equity"]["time_ns"]
    data["equity"] = [
        {"time": str(np.datetime64(t, "ns")) + "Z", "equity": v}
        for t, v in zip(ns, data["equity"]["value"], strict=True)
    ]
    for key in ("calmar", "avg_win", "avg_loss", "slippage", "risk_free_rate", "periods_per_year"):
        del data["metrics"][key]
    del data["parameters"], data["settings"]
    back = BacktestResult.from_dict(data)
    assert back.equity_ts.tolist() == ns and back.equity.tolist() == result.equity.tolist()
    p = _Parse()
    p.feed(back.html())
    assert list(p.sections) == list(SECTIONS)
