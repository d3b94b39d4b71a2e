"""Pins the report files of `tradewire backtest --report`: every section, the strategy's parameters,
and one clear line that says what to install when plotly is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tradewire.sdk.cli import app

ROOT = Path(__file__).resolve().parents[3]
SMA = str(ROOT / "examples" / "sma_crossover.py")


def test_the_report_has_the_strategy_parameters(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    assert app(["backtest", SMA, "--sample", "--param", "fast=5", "--report", str(report)]) == 0
    text = report.read_text(encoding="utf-8")
    for section in ("metrics", "equity", "returns", "trades", "parameters"):
        assert f'<section id="{section}">' in text
    assert "<tr><td>fast</td><td>5</td></tr>" in text and "<tr><td>slow</td><td>30</td></tr>" in text
    assert "<tr><td>symbols</td><td>AAPL, MSFT</td></tr>" in text


def test_without_plotly_one_line_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    assert app(["backtest", SMA, "--sample", "--no-progress", "--report", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'plotly>=6'" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()
