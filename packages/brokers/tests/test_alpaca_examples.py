"""Every example in examples/ runs unchanged on alpaca-paper: the SDK's wire client through the gateway to the
fake Alpaca, daily candles from the fake's scripted prices (one simulated day per step), for a bounded run.

Each run (strict: a refused order fails it) must place orders (and exit some: bracket_breakout's exits are the gateway-managed crypto
bracket's, its stops fired by the gateway), deliver no refusal or error, and end with accounting that matches the fake:
every fill reported once, each position equal to the net of its fills, the cash equal to the fake's.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tradewire.protocol.messages import Side
from tradewire.sdk.loader import instantiate, load_strategy_class
from tradewire.sdk.result import RunResult
from tradewire.sdk.runner import run
from tradewire.sdk.strategy import Strategy

fakes = pytest.importorskip("tradewire.testkit.fakes.alpaca")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
#: The fake's frozen clock starts a minute before a UTC midnight: each step is the next day's minute.
START_NS = int(dt.datetime(2026, 1, 5, 23, 59, 30, tzinfo=dt.UTC).timestamp()) * 1_000_000_000
DAY_S = 86_400
#: (base price, phase in days, decimals) of each symbol's scripted path: a drift and a 25-day swing.
PATHS = {"AAPL": (187.5, 0, 2), "MSFT": (410.0, 9, 2), "BTC/USD": (65000.0, 17, 0)}
#: (example, symbols it trades, days it runs).
RUNS = [
    ("sma_crossover", ("AAPL", "MSFT"), 90),
    ("rsi_mean_reversion", ("AAPL", "MSFT"), 60),
    ("multi_symbol_rotation", ("AAPL", "MSFT", "BTC/USD"), 60),
    ("bracket_breakout", ("BTC/USD",), 70),
]


def price(symbol: str, day: int) -> Decimal:
    base, phase, places = PATHS[symbol]
    value = base * (1 + 0.004 * day + 0.12 * math.sin(2 * math.pi * (day + phase) / 25))
    return Decimal(f"{value:.{places}f}")


class Progress:
    """What the SDK's run had handled when it last called back (it runs on another thread; the result
    object itself changes before the handlers have run)."""

    def __init__(self) -> None:
        self.bars = 0
        self.trades = 0

    def __call__(self, result: RunResult, strategy: object) -> None:
        self.trades = len(result.trades)
        self.bars = result.bars


def until(check: Callable[[], object], why: Callable[[], object], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout  # a bound against hanging, not a speed assertion
    while not check():
        assert time.monotonic() < deadline, why()
        time.sleep(0.02)


def fills_at(fake: Any) -> list[Any]:
    return list(fake.broker.activities)


def settled(fake: Any) -> tuple[int, dict[str, Decimal]] | None:
    """(fills, positions) at the fake once no market order is left to fill, else None."""
    if any(o.open and o.type == "market" for o in fake.broker.orders.values()):
        return None
    return len(fake.broker.activities), {s: p.qty for s, p in fake.broker.positions.items()}


@pytest.mark.parametrize(("name", "symbols", "days"), RUNS, ids=[r[0] for r in RUNS])
def test_example_runs_unchanged_on_alpaca_paper(
    name: str,
    symbols: tuple[str, ...],
    days: int,
    tmp_path: Path,
    serve_alpaca: Callable[..., AbstractContextManager[str]],
) -> None:
    with fakes.running_fake(frozen_ns=START_NS) as thread:
        fake = thread.fake
        env = {
            **fake.env(),
            "TRADEWIRE_ALPACA_STORE": str(tmp_path / "gw.sqlite3"),
            "TRADEWIRE_ALPACA_SYMBOLS": ",".join(symbols),
        }
        day = 0

        def next_day() -> None:
            nonlocal day
            day += 1

            def move() -> None:
                fake.clock.advance(DAY_S)
                for symbol in symbols:  # each trade closes the previous day's minute bar
                    fake.set_price(symbol, price(symbol, day))

            thread.call(move)

        with serve_alpaca(env, tmp_path / "gateway.log") as url:
            strategy = instantiate(load_strategy_class(EXAMPLES / f"{name}.py"), {})
            progress, events, outcome = Progress(), io.BytesIO(), []

            def go() -> None:
                try:
                    outcome.append(run(strategy, platform="alpaca-paper", gateway=url, progress=progress, strict=True,
                                       events_log=events))  # fmt: skip
                except BaseException as e:  # reported below, on the test's thread
                    outcome.append(e)

            runner = threading.Thread(target=go, name=f"sdk-{name}")
            runner.start()
            deadline = time.monotonic() + 30
            while progress.bars == 0:  # until the SDK listens
                assert runner.is_alive() and time.monotonic() < deadline, outcome
                next_day()
                time.sleep(0.2)

            def caught_up() -> bool:
                # This day's orders filled, and their fills and positions reached the strategy.
                at_fake = thread.call(settled, fake)
                if at_fake is None or progress.trades != at_fake[0]:
                    return False
                return all(strategy.position(s) == q for s, q in at_fake[1].items())

            def state() -> object:
                return day, thread.call(settled, fake), progress.trades, runner.is_alive(), outcome

            for _ in range(days):
                seen = progress.bars
                next_day()
                until(lambda seen=seen: progress.bars >= seen + len(symbols), state)  # type: ignore[misc]
                until(caught_up, state)
            time.sleep(0.5)  # a stop the last quote reached fires now, and must reach the strategy too
            until(caught_up, state)
            # The base class's stop(): bracket_breakout names a price factor `stop`.
            Strategy.stop(strategy)
            thread.call(lambda: [fake.set_price(s, price(s, day)) for s in symbols])  # a quote, no new day
            runner.join(30)
            assert not runner.is_alive()
            positions = httpx.get(f"{url}/v1/positions", timeout=10).json()
        [result] = outcome
        assert isinstance(result, RunResult), result
        frames = events.getvalue()
        assert b'"ORDER_REJECTED"' not in frames and b'"type":"error"' not in frames
        assert result.orders > 0 and {t.side for t in result.trades} == {Side.BUY, Side.SELL}
        # Every fill once, and positions and cash exactly as the fake holds them.
        fills = thread.call(fills_at, fake)
        assert sorted((Decimal(t.quantity), Decimal(t.price)) for t in result.trades) == sorted(
            (f.qty, f.price) for f in fills
        ), ([(t.order_id, t.quantity, t.price) for t in result.trades], fills)
        net: dict[str, Decimal] = {}
        for t in result.trades:
            signed = Decimal(t.quantity) if t.side == Side.BUY else -Decimal(t.quantity)
            net[t.symbol] = net.get(t.symbol, Decimal(0)) + signed
        held = {s: p.qty for s, p in fake.broker.positions.items() if p.qty}
        assert {s: q for s, q in net.items() if q} == held
        assert {p["symbol"]: Decimal(p["quantity"]) for p in positions} == {
            s: abs(q) for s, q in held.items()
        }
        assert result.account is not None
        assert Decimal(result.account.balance) == fake.broker.account.cash
