"""RunResult: its repr stays small however many fills a run made."""

from __future__ import annotations

import asyncio

from tradewire.protocol import messages as m
from tradewire.sdk import RunResult


def _result(fills: int) -> RunResult:
    trade = m.Trade(id="t-1", order_id="o-1", symbol="AAPL", side=m.Side.BUY, quantity="1", price="1")
    result = RunResult(strategy="S", platform="backtest", transport="wire", bars=fills)
    result.trades = [trade] * fills
    return result


def test_repr_leaves_out_the_fills() -> None:
    text = repr(_result(10_000))
    assert "Trade(" not in text
    assert "strategy='S'" in text and "bars=10000" in text
    assert len(text) < 400


def test_runner_returns_the_result_without_rendering_the_fills() -> None:
    # asyncio.Runner reprs the finished main task (its result included) when it restores SIGINT;
    # count the reprs of a fill to see that the result's repr does not reach them
    rendered = 0

    class CountedTrade(m.Trade):
        def __repr__(self) -> str:
            nonlocal rendered
            rendered += 1
            return "CountedTrade"

    async def main() -> RunResult:
        result = _result(0)
        result.trades = [CountedTrade(id="t-1")] * 100
        return result

    with asyncio.Runner() as runner:
        result = runner.run(main())
    assert len(result.trades) == 100
    assert rendered == 0
