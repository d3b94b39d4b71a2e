"""A handler's exception names the strategy's own line, the event and the simulated time; results stay, partial."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tradewire.protocol import codec
from tradewire.sdk import Candle, Strategy, StrategyError, backtest, run
from tradewire.testkit.differential.ids import without_run


def divide(a: float, b: float) -> float:
    return a / b  # the line the error must point at


LINE = divide.__code__.co_firstlineno + 1


class Boom(Strategy):
    """Buys 10 AAPL on the 3rd bar and raises on the 40th."""

    symbols = ("AAPL",)
    timeframe = "1d"

    def on_start(self) -> None:
        self.n = 0

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        if self.n == 3:
            self.buy("AAPL", 10)
        if self.n == 40:
            divide(bar.close, 0)


class BoomWithEvents(Boom):
    """The same on the general in-process path (an order handler is defined)."""

    def on_order(self, event: Any) -> None:
        pass


class BoomOnFill(Boom):
    """Raises in on_trade instead: the event named is the fill."""

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        if self.n == 3:
            self.buy("AAPL", 10)

    def on_trade(self, event: Any) -> None:
        raise RuntimeError("bad fill handler")


def _check(error: StrategyError, handler: str = "on_candle") -> None:
    assert isinstance(error.error, ZeroDivisionError) or handler != "on_candle"
    assert error.handler == handler
    assert error.result is not None and error.result.partial
    text = str(error)
    if handler == "on_candle":
        assert f"test_failures.py:{LINE} in divide" in text
        assert "a / b" in text
        assert error.event.startswith("candle AAPL 1d 2023-02-24T00:00:00Z")
        assert codec.timestamp_text(error.when) == "2023-02-25T00:00:00Z"
        assert len(error.result.trade_dicts()) == 1  # the fill before the failure is kept


@pytest.mark.parametrize("cls", [Boom, BoomWithEvents])
def test_in_process_failure_names_the_strategys_line(cls: type[Boom]) -> None:
    with pytest.raises(StrategyError) as failed:
        backtest(cls(), sample=True)
    _check(failed.value)
    report = failed.value.result.report  # type: ignore[union-attr]
    assert report is not None and report.steps == 40  # ends at the instant it raised


def test_failure_in_an_event_handler_names_the_event() -> None:
    with pytest.raises(StrategyError) as failed:
        backtest(BoomOnFill(), sample=True)
    assert failed.value.handler == "on_trade"
    assert failed.value.event.startswith("TRADE_FILLED AAPL trade")
    assert "test_failures.py" in failed.value.location


def test_wire_failure_says_the_same(gateway: Any) -> None:
    with pytest.raises(StrategyError) as local:
        backtest(Boom(), sample=True)
    with gateway("--platform", "backtest") as url, pytest.raises(StrategyError) as remote:
        run(Boom(), platform="backtest", gateway=url)
    _check(remote.value)
    assert (remote.value.location, remote.value.event, remote.value.when) == (
        local.value.location,
        local.value.event,
        local.value.when,
    )
    assert remote.value.result is not None and local.value.result is not None
    remote_trades = without_run(remote.value.result.trade_dicts(), remote.value.result.run_id)
    assert remote_trades == local.value.result.trade_dicts()


def test_cli_prints_the_line_and_writes_the_partial_report(tmp_path: Path) -> None:
    strategy = tmp_path / "boom.py"
    strategy.write_text(
        "from tradewire.sdk import Strategy\n"
        "class Boom(Strategy):\n"
        "    symbols = ('AAPL',)\n"
        "    timeframe = '1d'\n"
        "    n = 0\n"
        "    def on_candle(self, bar):\n"
        "        self.n += 1\n"
        "        if self.n == 40:\n"
        "            {}['missing']\n"
    )
    out = tmp_path / "out" / "report.html"
    cli = Path(sys.executable).parent / "tradewire"
    done = subprocess.run(
        [str(cli), "backtest", str(strategy), "--sample", "--report", str(out), "--no-progress"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "KeyError: 'missing'" in done.stderr
    assert "boom.py:9 in on_candle" in done.stderr
    assert "2023-02-25T00:00:00Z" in done.stderr
    assert out.exists() and "partial" in out.read_text()
