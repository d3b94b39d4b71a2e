"""`run_inprocess`: a Strategy backtested by the engine in this process, no sockets, no JSON."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import IO, Any

from tradewire.protocol import messages as m
from tradewire.sdk.failures import HandlerFailed, Interrupted, StrategyError, describe_event, strategy_frame
from tradewire.sdk.parameters import strategy_parameters
from tradewire.sdk.refusals import Refusals
from tradewire.sdk.result import RunResult
from tradewire.sdk.router import Router
from tradewire.sdk.strategy import Strategy, unbind
from tradewire.sdk.transports.inprocess.adapters import CandleAdapter, EventAdapter, RunContext
from tradewire.sdk.transports.inprocess.engine_state import EngineState
from tradewire.sdk.transports.inprocess.loader import engine

__all__ = ["run_inprocess"]

#: Handlers that need the engine's event messages (EventAdapter); without them candles and the engine-backed
#: state suffice (CandleAdapter), for one symbol or many.
_EVENT_HANDLERS = (
    "on_order",
    "on_trade",
    "on_position",
    "on_account",
    "on_margin_warning",
    "on_error",
    "on_quote",
)


def run_inprocess(
    strategy: Strategy,
    data: Any,
    *,
    config: Any = None,
    progress: Callable[[RunResult, Strategy], None] | None = None,
    events_log: IO[bytes] | None = None,
    strict: bool = False,
    **overrides: Any,
) -> RunResult:
    """Backtest `strategy` on `data` in this process and return the result.

    Args:
        strategy: The strategy instance.
        data: Engine market data: a Series or list of Series (`tradewire.engine.read_csv`, ...).
        config: A `tradewire.engine.BacktestConfig`; `overrides` change its fields (`cash="1e6"`).
        progress: Called now and then with the running result and the strategy.
        events_log: A binary file that receives every batch as its wire JSON frame, one per line.
        strict: Raise the venue's error when it refuses an order, instead of delivering
            ORDER_REJECTED and going on (see `tradewire.sdk.refusals`).
    """
    Backtest = engine().Backtest
    router = Router(strategy)
    general = (
        events_log is not None
        or router.simple_candle is None
        or any(getattr(type(strategy), h) is not getattr(Strategy, h) for h in _EVENT_HANDLERS)
    )
    adapter_box: list[EventAdapter] = []

    def sink(message: m.ServerMessage) -> None:
        adapter_box[0].sink(message)

    bt = Backtest(data, config, event_log=sink if events_log is not None else None, **overrides)
    result = RunResult(type(strategy).__name__, "backtest", "inprocess")
    result.start_cash = Decimal(str(bt.config.cash))
    refusals = Refusals(strict, lambda: strategy.now, queue=general)
    run = RunContext(strategy, bt, result, progress, refusals, router)
    if general:
        strategy.state.load(bt.account(), [], [])
        adapter: Any = EventAdapter(run, events_log)
        adapter_box.append(adapter)
    else:
        strategy.state = EngineState(bt)
        adapter = CandleAdapter(run)
    failed: HandlerFailed | None = None
    interrupted: Interrupted | None = None
    when = strategy.now
    try:
        report = bt.run(adapter)
    except HandlerFailed as e:
        failed, when = e, strategy.now
        report = bt.result()  # ends at the instant the strategy raised
    except Interrupted as e:
        interrupted, when = e, strategy.now
        report = bt.result()  # ends at the instant the run was stopped
    finally:
        unbind(strategy)
        run.router.close()
    result.elapsed_s = time.perf_counter() - run.started
    if not general:
        result.bars = adapter.bars or bt.steps  # one symbol: a bar per instant, not counted
        result.steps = bt.steps
        result.events = result.bars
        wire, fills = bt.messages, bt.fill_log
        buys = sum(1 for f in fills if f.side == 1)
        result.trades_from(lambda: [wire.trade(f) for f in fills], buys, len(fills) - buys)
    result.account = bt.account()
    result.orders = run.transport.submitted
    report.parameters = strategy_parameters(strategy)
    result.report = report
    if interrupted is not None:
        result.partial = True
        interrupted.when, interrupted.result = when, result
        raise interrupted
    if failed is not None:
        result.partial = True
        raise StrategyError(
            failed.error,
            failed.handler,
            when,
            describe_event(failed.event),
            strategy_frame(failed.error),
            result,
        ) from failed.error
    return result
