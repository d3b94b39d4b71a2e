"""Run a strategy: `backtest()` in this process, or `run()` against a gateway on any platform."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tradewire.protocol import platforms
from tradewire.sdk._frames import StreamState
from tradewire.sdk.errors import ConfigurationError, LiveTradingNotAllowed
from tradewire.sdk.result import RunResult
from tradewire.sdk.strategy import Strategy

if TYPE_CHECKING:
    from tradewire.sdk.transports.wire_samples import WireSamples

__all__ = [
    "ENV_ALLOW_LIVE",
    "LIVE_PLATFORMS",
    "PLATFORMS",
    "backtest",
    "check_live_allowed",
    "load_data",
    "run",
    "starting_cash",
]

#: The platforms a strategy can run on (the spec's Tradewire TradingPlatform values).
PLATFORMS = platforms.PLATFORMS
#: Platforms where orders spend real money.
LIVE_PLATFORMS = platforms.LIVE
#: Accepted aliases (enums.md).
ALIASES = platforms.ALIASES
#: Environment opt-in for live platforms, required in addition to `allow_live_orders=True`.
ENV_ALLOW_LIVE = platforms.ENV_ALLOW_LIVE


def canonical_platform(name: str) -> str:
    """The platform's canonical spelling; ConfigurationError for one Tradewire does not offer."""
    value = platforms.canonical(name)
    if value not in PLATFORMS:
        raise ConfigurationError(f"unknown platform {name!r} (choose one of: {', '.join(PLATFORMS)})")
    return value


def check_live_allowed(platform: str, allow_live_orders: bool, env: Mapping[str, str] | None = None) -> None:
    """Refuse a live platform unless both opt-ins are given: the flag and
    `TRADEWIRE_ALLOW_LIVE_ORDERS=true`."""
    try:
        platforms.check_live_opt_in(platform, allow_live_orders, env=env)
    except platforms.LiveOptInMissing as e:
        raise LiveTradingNotAllowed(str(e)) from e


def load_data(
    path: str | Path | None = None,
    *,
    sample: bool = False,
    symbols: Sequence[str] | None = None,
    timeframe: str | None = None,
) -> list[Any]:
    """Market data for an in-process backtest: the bundled sample, or a CSV / CSV.gz / Parquet file.

    Raises:
        ConfigurationError: no data chosen, file missing, or none of `symbols` in it.
        tradewire.engine.DataError: the file's content is invalid (bad row, unsorted time, ...).
    """
    from tradewire.sdk.transports.inprocess.data import load_data as load

    return load(path, sample=sample, symbols=symbols, timeframe=timeframe)


def starting_cash(cash: str | int | Decimal) -> str:
    """`cash` as decimal text; ConfigurationError unless it is a number more than zero."""
    try:
        value = Decimal(str(cash).strip().replace("_", ""))
    except InvalidOperation:
        raise ConfigurationError(f"cash must be a decimal amount such as 100000, not {cash!r}") from None
    if not value.is_finite() or value <= 0:
        raise ConfigurationError(f"cash must be more than zero, not {cash}")
    return format(value, "f")  # 1e6 → "1000000": the summary shows plain amounts


def backtest(
    strategy: Strategy,
    data: Any = None,
    *,
    sample: bool = False,
    symbols: Sequence[str] | None = None,
    symbol: str | None = None,
    start: str | None = None,
    end: str | None = None,
    cash: str | int | None = None,
    config: Any = None,
    progress: Callable[[RunResult, Strategy], None] | None = None,
    events_log: IO[bytes] | None = None,
    strict: bool = False,
    **overrides: Any,
) -> RunResult:
    """Backtest `strategy` in this process (no gateway, no sockets) and return its result.

    Args:
        strategy: The strategy instance.
        data: Engine Series (or a list), a pandas DataFrame, or a path to CSV / CSV.gz / Parquet;
            or `sample=True`. A DataFrame has a DatetimeIndex or a timestamp column
            (timezone-aware times are converted to UTC; naive ones are UTC) and OHLCV columns.
            Bars finer than the timeframe the strategy declares are aggregated to it; coarser
            ones are refused (ConfigurationError). Without a declared timeframe they run as they are.
        symbols: Only these symbols (default: `strategy.symbols`, else everything in the data).
        symbol: The symbol of a DataFrame without a `symbol` column (default: the strategy's one symbol).
        start, end: Only bars whose start is within [start, end] (RFC 3339 or YYYY-MM-DD, UTC).
        cash: Starting cash (decimal text or int, more than zero).
        config: A `tradewire.engine.BacktestConfig`; `overrides` change its fields.
        progress: Called now and then with the running result.
        events_log: Binary file receiving every batch's wire JSON, one per line.
        strict: Raise when the venue refuses an order (`OrderRejected`, `SymbolNotFound`, ...)
            instead of delivering ORDER_REJECTED to `on_order`, logging a warning and going on.
    """
    from tradewire.sdk.transports.inprocess import run_inprocess
    from tradewire.sdk.transports.inprocess.data import prepare

    data = prepare(data, strategy, sample=sample, symbols=symbols, symbol=symbol, start=start, end=end)
    if cash is not None:
        overrides["cash"] = starting_cash(cash)
    return run_inprocess(
        strategy, data, config=config, progress=progress, events_log=events_log, strict=strict, **overrides
    )


def run(
    strategy: Strategy,
    *,
    platform: str = "backtest",
    gateway: str | None = None,
    api_key: str | None = None,
    allow_live_orders: bool = False,
    progress: Callable[[RunResult, Strategy], None] | None = None,
    events_log: IO[bytes] | None = None,
    busy_poll: float | None = None,
    strict: bool = False,
    report: bool = False,
    max_reconnects: int | None = None,
    on_connection: Callable[[StreamState], None] | None = None,
    **options: Any,
) -> RunResult:
    """Run `strategy` against a gateway (`tradewire-gateway serve --platform ...`) until its stream ends.

    The gateway's reported platform must match `platform` (so a paper run can never reach a live
    account by a wrong URL); live platforms also need `allow_live_orders=True` and
    `TRADEWIRE_ALLOW_LIVE_ORDERS=true`.
    `busy_poll` is the seconds the event loop and REST reads poll the socket before sleeping: by default 1 ms on
    the backtest platform (each step is a round trip, and waking a sleeping CPU dominates it), off
    elsewhere. `strict` raises when the venue refuses an order (see `backtest`). `report` (backtest
    platform, needs the `backtest` extra) keeps what the engine's results need: `result.report` is then
    the same BacktestResult, and the same HTML report, as the run in-process.
    `max_reconnects` bounds the reconnect attempts in a row after the gateway goes away (None: no
    bound), then ConnectionLost; `on_connection` sees every connection change as it happens. A
    finished backtest (`backtest_complete`) is never reconnected to.
    """
    from tradewire.sdk.client_sync import Client
    from tradewire.sdk.config import ClientConfig
    from tradewire.sdk.transports.wire import run_wire

    wanted = canonical_platform(platform)
    check_live_allowed(wanted, allow_live_orders)
    config = ClientConfig.resolve(gateway, api_key, **options)
    with Client(config=config) as probe:
        health = probe.health()
    if health.providers:
        from tradewire.protocol import codec

        actual = codec.enum_spelling(health.providers[0].platform)
        if actual != wanted:
            raise ConfigurationError(f"the gateway at {config.base_url} serves {actual}, not {wanted}")
        check_live_allowed(actual, allow_live_orders)
    # Reconnecting is right on every platform: a live stream resumes (state re-read over REST), and a
    # backtest gateway resends the unreleased batch of the current instant (events.md, rule 9).
    from tradewire.protocol import busy_poll as polling

    if busy_poll is None:
        busy_poll = polling.DEFAULT_BUDGET_S if wanted == "backtest" else 0.0
    if report and wanted != "backtest":
        raise ConfigurationError(f"reports come from backtests, not from {wanted}")
    from tradewire.sdk.failures import Interrupted, StrategyError
    from tradewire.sdk.transports.wire_samples import WireSamples

    samples = WireSamples(frozenset(strategy.symbols) or None) if report else None
    try:
        with asyncio.Runner(loop_factory=polling.loop_factory(busy_poll)) as runner:
            result = runner.run(
                run_wire(
                    strategy,
                    config=config,
                    reconnect=True,
                    progress=progress,
                    events_log=events_log,
                    busy_poll_s=busy_poll,
                    strict=strict,
                    samples=samples,
                    max_reconnects=max_reconnects,
                    on_connection=on_connection,
                )
            )
    except (Interrupted, StrategyError) as e:
        # a stopped run's result carries its report up to where it stopped, as in-process
        if samples is not None and e.result is not None:
            with contextlib.suppress(ConfigurationError):  # stopped before the account was read
                e.result.report = _wire_report(samples, e.result, strategy)
        raise
    if samples is not None:
        result.report = _wire_report(samples, result, strategy)
    return result


def _wire_report(samples: WireSamples, result: RunResult, strategy: Strategy) -> Any:
    """The engine's BacktestResult of a backtest run over the wire (its report)."""
    from tradewire.sdk.parameters import strategy_parameters
    from tradewire.sdk.transports.inprocess.reports import from_wire

    return from_wire(samples, result, strategy_parameters(strategy))
