"""Every example in examples/ runs unchanged on binance-testnet: the SDK's wire client through the gateway to
the fake Binance, on symbols Binance lists (the strategy's `symbols` parameter, overridden at run time),
daily candles from the fake's scripted prices (one simulated day per step), for a bounded run.

Each run (strict: a refused order fails it) must receive candles, place orders both ways (bracket_breakout's
exits are the gateway-managed bracket's: one native OCO list placed once its MARKET entry filled), deliver no refusal or error, and end with accounting that matches the fake: every fill reported
once, each position equal to the net of its fills (less the fee the fake takes in the base asset on a buy),
the cash equal to the fake's.

The fake is funded for the examples' fixed sizes (50 and 40 units of each symbol) and its book is deep
enough for them; its filters are Binance's defaults for these symbols (steps of 0.00001 BTC / 0.0001 ETH,
5 USDT minimum notional), which every example's size meets.
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
from tradewire.sdk import StreamState
from tradewire.sdk.loader import instantiate, load_strategy_class
from tradewire.sdk.result import RunResult
from tradewire.sdk.runner import run
from tradewire.sdk.strategy import Strategy

fakes = pytest.importorskip("tradewire.testkit.fakes.binance")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SYMBOLS = ("BTCUSDT", "ETHUSDT")
#: The fake's frozen clock starts half a minute before a UTC midnight: each step is the next day's minute.
START_MS = int(dt.datetime(2026, 1, 5, 23, 59, 30, tzinfo=dt.UTC).timestamp()) * 1000
DAY_S = 86_400
#: (base price, phase in days) of each symbol's scripted path: a drift and a 25-day swing.
PATHS = {"BTCUSDT": (60000.0, 17), "ETHUSDT": (3000.0, 9)}
#: (example, days it runs, whether it trades on these symbols).
RUNS = [
    ("sma_crossover", 90, True),
    ("rsi_mean_reversion", 60, True),
    ("multi_symbol_rotation", 70, True),  # its clock is its first symbol's candles: BTCUSDT here
    ("bracket_breakout", 70, True),
]


def price(symbol: str, day: int) -> Decimal:
    base, phase = PATHS[symbol]
    value = base * (1 + 0.004 * day + 0.12 * math.sin(2 * math.pi * (day + phase) / 25))
    return Decimal(f"{value:.2f}")


def fake_config() -> Any:
    """Funds for 50 BTC at the path's top, and books 5 levels of 100 units a side (a 50-unit MARKET
    order fills within them). Each symbol starts at its path's day 0: the first candle is on the path."""
    spec = fakes.SymbolSpec
    return fakes.FakeConfig(
        symbols=[
            spec("BTCUSDT", "BTC", "USDT", price("BTCUSDT", 0), Decimal("0.01"), Decimal("0.00001"),
                 Decimal("0.00001"), Decimal("9000"), level_gap=Decimal("1.00"), level_qty=Decimal("100")),
            spec("ETHUSDT", "ETH", "USDT", price("ETHUSDT", 0), Decimal("0.01"), Decimal("0.0001"),
                 Decimal("0.0001"), Decimal("9000"), level_gap=Decimal("0.10"), level_qty=Decimal("100"),
                 trade_qty=Decimal("0.1")),
        ],
        balances={"USDT": Decimal("10000000")},
        frozen_ms=START_MS,
    )  # fmt: skip


class Progress:
    """What the SDK's run had handled when it last called back (it runs on another thread)."""

    def __init__(self) -> None:
        self.bars = 0
        self.trades = 0

    def __call__(self, result: RunResult, strategy: object) -> None:
        self.trades = len(result.trades)
        self.bars = result.bars


def until(check: Callable[[], object], why: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout  # a bound against hanging, not a speed assertion
    while not check():
        assert time.monotonic() < deadline, why()
        time.sleep(0.02)


def held(fake: Any) -> dict[str, Decimal]:
    """Base assets the fake's account holds (free + locked), by symbol; dust below the symbol's LOT_SIZE
    minimum (what selling a fee-reduced balance floored to the step leaves) is no position."""
    out = {}
    for spec in fake.config.symbols:
        balance = fake.exchange.balances.get(spec.base)
        if balance is not None and balance.free + balance.locked >= spec.min_qty:
            out[spec.symbol] = balance.free + balance.locked
    return out


def settled(fake: Any, exits: bool = False) -> tuple[int, dict[str, Decimal]] | None:
    """(fills, holdings) at the fake once no MARKET order is left working, else None. `exits`: a bracket
    strategy's holdings are settled only once their exits rest at the fake (the gateway places them after
    the entry's fill: the next simulated day must not begin, days early, while it does)."""
    orders = fake.exchange.orders.values()
    if any(not o.terminal and o.type == "MARKET" for o in orders):
        return None
    holdings = held(fake)
    selling = {o.symbol for o in orders if not o.terminal and o.side == "SELL"}
    if exits and not set(holdings) <= selling:
        return None
    return len(fake.exchange.fills), holdings


def cash(fake: Any) -> Decimal:
    """The fake's USDT as its account endpoint shows it: Binance writes balances with eight decimals."""
    balance = fake.exchange.balance("USDT")
    return Decimal(balance.free + balance.locked).quantize(Decimal("1e-8"))


@pytest.mark.parametrize(("name", "days", "trades"), RUNS, ids=[r[0] for r in RUNS])
def test_example_runs_unchanged_on_binance_testnet(
    name: str,
    days: int,
    trades: bool,
    tmp_path: Path,
    serve_binance: Callable[..., AbstractContextManager[str]],
) -> None:
    with fakes.running_fake(fake_config()) as thread:
        fake = thread.fake
        env = {
            **fake.env(),
            "TRADEWIRE_BINANCE_STORE": str(tmp_path / "gw.sqlite3"),
            "TRADEWIRE_BINANCE_SYMBOLS": ",".join(SYMBOLS),
        }
        day = 0

        def next_day() -> None:
            nonlocal day
            day += 1

            def move() -> None:
                fake.clock.advance(DAY_S)
                for symbol in SYMBOLS:  # each trade closes the previous day's minute bar
                    fake.set_price(symbol, price(symbol, day))

            thread.call(move)

        with serve_binance(env, tmp_path / "gateway.log") as url:
            strategy = instantiate(load_strategy_class(EXAMPLES / f"{name}.py"), {"symbols": SYMBOLS})
            progress, events, outcome = Progress(), io.BytesIO(), []
            listening = threading.Event()

            def connection(state: StreamState) -> None:
                if state.state == "connected":
                    listening.set()

            def go() -> None:
                try:
                    outcome.append(run(strategy, platform="binance-testnet", gateway=url, progress=progress,
                                       strict=True, events_log=events, on_connection=connection))  # fmt: skip
                except BaseException as e:  # reported below, on the test's thread
                    outcome.append(e)

            runner = threading.Thread(target=go, name=f"sdk-{name}")
            runner.start()
            # No simulated day passes before the SDK is connected: the strategy sees the path from its
            # start whatever the machine's speed (a slow start skipped days, and the RSI never dipped).
            assert listening.wait(30), outcome
            deadline = time.monotonic() + 30
            while progress.bars == 0:  # until its first candle arrives
                assert runner.is_alive() and time.monotonic() < deadline, outcome
                next_day()
                time.sleep(0.2)

            brackets = name == "bracket_breakout"

            def caught_up() -> bool:
                # This day's orders filled, and their fills and positions reached the strategy.
                at_fake = thread.call(settled, fake, brackets)
                if at_fake is None or progress.trades != at_fake[0]:
                    return False
                return all(strategy.position(s) == q for s, q in at_fake[1].items())

            def state() -> object:
                return day, thread.call(settled, fake, brackets), progress.trades, runner.is_alive(), outcome

            for _ in range(days):
                seen = progress.bars
                next_day()
                until(lambda seen=seen: progress.bars >= seen + len(SYMBOLS), state)  # type: ignore[misc]
                until(caught_up, state)
            time.sleep(1.5)  # a stop the last quote reached fires now (the gateway's price poll)
            until(caught_up, state)
            # The base class's stop(): bracket_breakout names a price factor `stop`.
            Strategy.stop(strategy)
            thread.call(lambda: [fake.set_price(s, price(s, day)) for s in SYMBOLS])  # a quote, no new day
            runner.join(30)
            assert not runner.is_alive()
            positions = httpx.get(f"{url}/v1/positions", timeout=10).json()
        [result] = outcome
        assert isinstance(result, RunResult), result
        assert result.bars >= days * len(SYMBOLS)  # it received candles of both symbols
        frames = events.getvalue()
        for bad in (b'"ORDER_REJECTED"', b'"type":"error"'):
            at = frames.find(bad)
            assert at < 0, frames[max(0, at - 1500) : at + 500]
        if not trades:
            assert result.orders == 0 and not result.trades
            return
        assert result.orders > 0 and {t.side for t in result.trades} == {Side.BUY, Side.SELL}
        # Every fill once, and holdings and cash exactly as the fake holds them.
        fills = thread.call(lambda: list(fake.exchange.fills))
        if name == "bracket_breakout":
            # Exits both ways, each pair one native OCO list placed after the MARKET entry filled: a
            # take-profit filled, and a stop fired at the fake.
            sells = thread.call(
                lambda: {(o.type, o.status) for o in fake.exchange.orders.values() if o.side == "SELL"}
            )
            assert {("LIMIT_MAKER", "FILLED"), ("STOP_LOSS", "FILLED")} <= sells, sells
        assert sorted((Decimal(t.quantity), Decimal(t.price)) for t in result.trades) == sorted(
            (f.qty, f.price) for f in fills
        ), ([(t.order_id, t.quantity, t.price) for t in result.trades], fills)
        bases = {s.symbol: s.base for s in fake.config.symbols}
        net: dict[str, Decimal] = {}
        for t in result.trades:
            signed = Decimal(t.quantity) if t.side == Side.BUY else -Decimal(t.quantity)
            if t.commission_currency == bases[t.symbol]:
                signed -= Decimal(t.commission)  # the fee on a buy arrives as less of the base asset
            net[t.symbol] = net.get(t.symbol, Decimal(0)) + signed
        holdings = thread.call(held, fake)
        minimum = {spec.symbol: spec.min_qty for spec in fake.config.symbols}
        assert {s: q for s, q in net.items() if q >= minimum[s]} == holdings  # the fills net to the holdings
        assert {p["symbol"]: Decimal(p["quantity"]) for p in positions} == holdings
        assert result.account is not None
        assert Decimal(result.account.balance) == thread.call(cash, fake)
