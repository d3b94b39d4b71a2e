"""Pins the `tradewire` command: a real backtest with summary and report, and one clear line per user error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tradewire.sdk.cli import app

ROOT = Path(__file__).resolve().parents[3]
SMA = str(ROOT / "examples" / "sma_crossover.py")


def test_backtest_sample_prints_summary_and_writes_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "out" / "report.html"
    events = tmp_path / "events.jsonl"
    assert app(["backtest", SMA, "--sample", "--report", str(report), "--events", str(events)]) == 0
    out = capsys.readouterr().out
    assert "SmaCrossover backtest" in out and "109,956.50 USD" in out and str(report) in out
    assert report.read_text().lstrip().lower().startswith("<!doctype html")
    saved = json.loads(report.with_suffix(".json").read_text())
    assert saved["final_value"] == "109956.50" and len(saved["fills"]) == 35
    first = events.read_bytes()
    assert app(["backtest", SMA, "--sample", "--events", str(events)]) == 0
    assert events.read_bytes() == first  # two runs, the same bytes


def test_report_rerenders_saved_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "r.html"
    assert app(["backtest", SMA, "--sample", "--report", str(report)]) == 0
    again = tmp_path / "again.html"
    assert app(["report", str(report.with_suffix(".json")), "--out", str(again)]) == 0
    assert "109956.50" in again.read_text().replace(",", "")


def test_parameters_symbols_and_window(capsys: pytest.CaptureFixture[str]) -> None:
    code = app(
        [
            "backtest",
            SMA,
            "--sample",
            "--symbols",
            "AAPL",
            "--param",
            "fast=5",
            "--start",
            "2023-06-01",
            "--end",
            "2024-06-30",
            "--cash",
            "50000",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "50,000" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backtest", "missing.py", "--sample"], "strategy file not found: missing.py"),
        (["backtest", "{empty}", "--sample"], "no Strategy subclass found"),
        (["backtest", "{broken}", "--sample"], "syntax error"),
        (["backtest", SMA, "--data", "{bad_csv}"], "low is not a number"),
        (["backtest", SMA, "--data", "nowhere.csv"], "data file not found"),
        (["backtest", SMA, "--sample", "--param", "nope=1"], "has no parameter 'nope'"),
        (["run", SMA, "--platform", "backtest", "--gateway", "http://127.0.0.1:9"], "unreachable"),
        (["run", SMA, "--platform", "alpaca-live", "--gateway", "http://127.0.0.1:9"], "--allow-live-orders"),
        (["run", SMA, "--platform", "nasdaq"], "unknown platform"),
        (["report", "nowhere.json"], "results file not found"),
        (["report", "{not_result}"], "not a saved backtest result"),
        (["backtest", SMA, "--sample", "--start", "someday"], "not a date/time: 'someday'"),
    ],
)
def test_user_errors_are_one_line_and_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    files = {
        "{empty}": tmp_path / "empty.py",
        "{broken}": tmp_path / "broken.py",
        "{bad_csv}": tmp_path / "bad.csv",
        "{not_result}": tmp_path / "other.json",
    }
    files["{not_result}"].write_text('{"currency": "USD"}')
    files["{empty}"].write_text("x = 1\n")
    files["{broken}"].write_text("def (\n")
    files["{bad_csv}"].write_text(
        "timestamp,symbol,open,high,low,close,volume\n2024-01-01T00:00:00Z,AAPL,1,2,x,1,1\n"
    )
    argv = [str(files[a]) if a in files else a for a in args]
    assert app(argv) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in captured.err


def test_wrong_key_is_one_line(gateway: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with gateway("--platform", "backtest", key="right") as url:
        import os

        os.environ["TRADING_GATEWAY_API_KEY"] = "wrong"
        try:
            assert app(["run", SMA, "--platform", "backtest", "--gateway", url]) == 2
        finally:
            del os.environ["TRADING_GATEWAY_API_KEY"]
    err = capsys.readouterr().err
    assert "Invalid API key" in err and "Traceback" not in err
    # the 401 says where the key comes from: the names the gateway reads too
    for name in (
        "TRADEWIRE_API_KEY",
        "TEKTII_TRADING_GATEWAY_API_KEY",
        "TRADING_GATEWAY_API_KEY",
        "GATEWAY_API_KEY",
    ):
        assert name in err


def test_run_backtest_over_the_wire(gateway: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with gateway("--platform", "backtest") as url:
        assert app(["run", SMA, "--platform", "backtest", "--gateway", url]) == 0
    out = capsys.readouterr().out
    assert "109,956.50 USD" in out and "backtest (wire)" in out


def test_help_lists_only_the_installed_platforms(capsys: pytest.CaptureFixture[str]) -> None:
    from tradewire.protocol import platforms

    installed = platforms.installed()
    assert "backtest" in installed and "mock" in installed  # the gateway is installed for these tests
    assert app(["--help"]) == 0
    top = " ".join(capsys.readouterr().out.split())
    assert app(["run", "--help"]) == 0
    run_help = " ".join(capsys.readouterr().out.split())
    for name in platforms.PLATFORMS:
        assert (name in run_help) == (name in installed), name
        if name != "backtest":
            assert (name in top) == (name in installed), name


def test_console_script_entry_point() -> None:
    script = Path(sys.executable).parent / "tradewire"
    if not script.exists():
        pytest.skip("console script not installed")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "backtest" in done.stdout and "report" in done.stdout


def test_a_restarted_gateway_stops_a_run_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading
    import time

    from tradewire.testkit.harness import free_port, running_gateway

    marker = tmp_path / "up"
    strategy = tmp_path / "waiter.py"
    strategy.write_text(
        "from pathlib import Path\n"
        "from tradewire.sdk import Strategy\n\n\n"
        "class Waiter(Strategy):\n"
        "    symbols = ('AAPL',)\n\n"
        "    def on_candle(self, bar):\n"
        f"        Path({str(marker)!r}).touch()\n"
    )
    port = free_port()
    mock = {"symbols": ("AAPL",), "candle_interval": 0.05}
    status: list[int] = []
    with running_gateway("mock", port=port, mock=mock) as gw:
        argv = ["run", str(strategy), "--platform", "mock", "--gateway", gw.url, "--no-progress"]
        worker = threading.Thread(target=lambda: status.append(app(argv)), daemon=True)
        worker.start()
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists()
    with running_gateway("mock", port=port, mock=mock):
        worker.join(30)
    assert status == [2]
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    # the drop and each reconnect attempt are announced; then one line says why the run stopped
    assert lines[0].startswith("connection to the gateway lost: ")
    assert all(line.startswith(("reconnecting in ", "reconnected (")) for line in lines[1:-1])
    assert len(lines) >= 3
    assert "the gateway restarted: run " in lines[-1] and "Traceback" not in err
