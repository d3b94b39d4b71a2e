"""Pins the report of a backtest over the wire: `run(..., report=True)` and `tradewire run --report`
against a real gateway on 127.0.0.1 give the in-process report, but for what only the gateway knows
(its cost models and slippage)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tradewire.sdk import backtest, run
from tradewire.sdk.cli import app

ROOT = Path(__file__).resolve().parents[3]
SYMBOLS = ["AAPL", "MSFT", "BTC/USD"]  # what the backtest gateway serves by default


def _shared(html: str) -> str:
    """The report without what a client cannot know: the gateway's settings and the slippage."""
    html = re.sub(r'<section id="parameters">.*?</section>', "", html, flags=re.S)
    return re.sub(r"<tr><td>slippage</td><td>[^<]*</td></tr>", "", html)


def test_the_wire_report_is_the_inprocess_report(gateway: Any, example: Any) -> None:
    cls = example("sma_crossover")
    # the gateway serves SYMBOLS; the strategy asks for AAPL and MSFT, and in-process loads just those
    local = backtest(cls(), sample=True).report
    with gateway("--platform", "backtest") as url:
        remote = run(cls(), platform="backtest", gateway=url, report=True).report
    assert remote is not None and local.round_trips
    np.testing.assert_array_equal(remote.equity_ts, local.equity_ts)
    np.testing.assert_array_equal(remote.equity, local.equity)
    assert remote.prices.keys() == local.prices.keys()
    for s in local.prices:
        np.testing.assert_array_equal(remote.prices[s], local.prices[s])
    assert [(t.symbol, t.quantity, t.entry_time_ns, t.pnl) for t in remote.round_trips] == [
        (t.symbol, t.quantity, t.entry_time_ns, t.pnl) for t in local.round_trips
    ]
    assert remote.open_positions == local.open_positions
    assert remote.final_value == local.final_value and remote.start_value == local.start_value
    assert remote.parameters == local.parameters and remote.parameters["fast"] == "10"
    mine, theirs = local.metrics.to_dict(), remote.metrics.to_dict()
    assert theirs.pop("slippage") is None and mine.pop("slippage") == 0.0
    assert theirs == mine
    assert _shared(remote.html("SMA")) == _shared(local.html("SMA"))
    assert "not reported over the wire" in remote.html() and "set on the gateway" in remote.html()


def test_tradewire_run_report_writes_it(gateway: Any, tmp_path: Path) -> None:
    report = tmp_path / "wire" / "report.html"
    with gateway("--platform", "backtest") as url:
        code = app(
            [
                "run",
                str(ROOT / "examples" / "sma_crossover.py"),
                "--platform",
                "backtest",
                "--gateway",
                url,
                "--no-progress",
                "--report",
                str(report),
            ]
        )
    assert code == 0
    text = report.read_text(encoding="utf-8")
    assert "<title>SmaCrossover on backtest</title>" in text and 'id="trades-table"' in text
    assert report.with_suffix(".json").is_file()


def test_tradewire_run_report_is_tradewire_backtest_report(
    gateway: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same command both ways: the gateway also streams BTC/USD (24/7), which the strategy never
    asked for; its weekend candles must not become samples (they turned the annualisation 24/7)."""
    import json

    sma = str(ROOT / "examples" / "sma_crossover.py")
    assert app(["backtest", sma, "--sample", "--no-progress", "--report", str(tmp_path / "a.html")]) == 0
    local_bars = _summary_row(capsys.readouterr().out, "bars")
    with gateway("--platform", "backtest") as url:
        wire = ["run", sma, "--platform", "backtest", "--gateway", url, "--no-progress"]
        assert app([*wire, "--report", str(tmp_path / "b.html")]) == 0
    assert _summary_row(capsys.readouterr().out, "bars") == local_bars == "1,044"  # AAPL and MSFT only
    local, remote = (json.loads((tmp_path / f"{n}.json").read_text()) for n in "ab")
    assert remote["equity"] == local["equity"] and remote["prices"] == local["prices"]
    assert remote["symbols"] == local["symbols"] == ["AAPL", "MSFT"]
    assert remote["metrics"].pop("slippage") is None and local["metrics"].pop("slippage") == 0.0
    assert remote["metrics"] == local["metrics"] and local["metrics"]["calendar"] == "sessions"
    html = [(tmp_path / f"{n}.html").read_text(encoding="utf-8") for n in "ab"]
    titles = ("SmaCrossover backtest", "SmaCrossover on backtest")
    assert _shared(html[1]).replace(titles[1], "T") == _shared(html[0]).replace(titles[0], "T")


def _summary_row(out: str, name: str) -> str:
    """The value of summary row `name` in the printed table."""
    row = next(line for line in out.splitlines() if line.strip("│ ").startswith(name + " "))
    return row.split("│")[2].strip()


def test_samples_follow_instants_across_frames_and_symbols() -> None:
    from tradewire.protocol import messages as m
    from tradewire.sdk.market import Candle
    from tradewire.sdk.transports.wire_samples import WireSamples

    day = 86_400 * 10**9

    def bar(symbol: str, start: int, close: float) -> Candle:
        return Candle(symbol, "1d", start, close, close, close, close, 1.0)

    s = WireSamples()
    s.observe([bar("AAPL", 0, 10.0)])
    s.observe([m.OrderEvent()])  # a later batch of the same instant: no new sample
    s.observe([bar("MSFT", day, 20.0)])  # one event a frame: the instant's candles arrive apart
    s.observe([bar("AAPL", day, 11.0)])
    assert s.ts.tolist() == [day, 2 * day]
    assert s.marks["AAPL"].tolist() == [10.0, 11.0]
    assert np.isnan(s.marks["MSFT"][0]) and s.marks["MSFT"][1] == 20.0
    assert not s.quotes
    s.observe([m.QuoteEvent()])
    assert s.quotes  # the wire report refuses these (candles only) rather than mark them wrongly


def test_only_the_strategys_symbols_make_a_sample_instant() -> None:
    from tradewire.sdk.market import Candle
    from tradewire.sdk.transports.wire_samples import WireSamples

    day = 86_400 * 10**9
    s = WireSamples(frozenset({"AAPL"}))
    s.observe([Candle("BTC/USD", "1d", 0, 5.0, 5.0, 5.0, 5.0, 1.0)])  # a Saturday of BTC alone
    assert s.ts.tolist() == []
    s.observe([Candle("AAPL", "1d", day, 10.0, 10.0, 10.0, 10.0, 1.0)])
    assert s.ts.tolist() == [2 * day] and s.marks["BTC/USD"].tolist() == [5.0]  # its mark is kept


def test_a_run_stopped_by_its_strategy_keeps_its_report(gateway: Any) -> None:
    import pytest

    from tradewire.sdk import Candle, Strategy
    from tradewire.sdk.failures import StrategyError

    class Fails(Strategy):
        symbols = ("AAPL",)
        seen = 0

        def on_candle(self, bar: Candle) -> None:
            self.seen += 1
            if self.seen == 1:
                self.buy("AAPL", 1)
            elif self.seen == 20:
                raise RuntimeError("boom")

    with pytest.raises(StrategyError) as here:
        backtest(Fails(), sample=True)
    with gateway("--platform", "backtest") as url, pytest.raises(StrategyError) as info:
        run(Fails(), platform="backtest", gateway=url, report=True)
    local, partial = here.value.result, info.value.result
    assert local is not None and local.report is not None
    assert partial is not None and partial.partial and partial.report is not None
    assert len(partial.report.fills) == 1  # its report up to the failing bar, as in-process
    np.testing.assert_array_equal(partial.report.equity_ts, local.report.equity_ts)
    np.testing.assert_array_equal(partial.report.equity, local.report.equity)
