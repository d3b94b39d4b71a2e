"""Pins each bundled example's exact, deterministic result on the bundled sample data (in-process)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from tradewire.sdk import backtest

#: (example, fills, buys, sells, final equity): computed once, then pinned.
EXPECTED = [
    ("sma_crossover", 35, 18, 17, "109956.50"),
    ("rsi_mean_reversion", 12, 6, 6, "101873.20"),
    ("bracket_breakout", 50, 25, 25, "101613.04"),
    ("multi_symbol_rotation", 51, 26, 25, "111835.922449"),
]


@pytest.mark.parametrize(("name", "fills", "buys", "sells", "equity"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_example_result_is_pinned(
    name: str, fills: int, buys: int, sells: int, equity: str, example: Any
) -> None:
    result = backtest(example(name)(), sample=True)
    assert (len(result.trades), result.entries, result.exits) == (fills, buys, sells)
    assert result.final_equity == Decimal(equity)
    assert result.account is not None and result.account.equity == equity


def test_examples_use_their_event_handlers(example: Any) -> None:
    rsi = example("rsi_mean_reversion")()
    backtest(rsi, sample=True)
    assert rsi.filled == 12  # on_order saw every ORDER_FILLED
    bracket = example("bracket_breakout")()
    backtest(bracket, sample=True)
    assert bracket.round_trips == 25  # on_position saw every close; exits came from the bracket legs
    rotation = example("multi_symbol_rotation")()
    backtest(rotation, sample=True)
    assert rotation.rebalances > 0


def test_event_log_is_byte_identical_run_to_run(example: Any) -> None:
    logs = []
    for _ in range(2):
        buf = io.BytesIO()
        backtest(example("bracket_breakout")(), sample=True, events_log=buf)
        logs.append(buf.getvalue())
    assert logs[0] == logs[1]
    lines = logs[0].splitlines()
    assert lines[0].startswith(b'{"type":"batch","batch_id":"b-1"')
    assert b'"type":"backtest_complete"' in lines[-1]
    assert sum(line.count(b'"type":"trade"') for line in lines) == 50
