"""`tradewire backtest`: run a strategy file in-process on historical data."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

from cyclopts import Parameter

from tradewire.sdk.cli import _files, _ui
from tradewire.sdk.transports.inprocess.costs import COMMISSION_HELP, SLIPPAGE_HELP

__all__ = ["backtest"]


def backtest(
    strategy_file: Path,
    /,
    *,
    data: Annotated[Path | None, Parameter(help="CSV, CSV.gz or Parquet bars/quotes file")] = None,
    sample: Annotated[
        bool, Parameter(help="use the bundled sample data (daily AAPL, MSFT, BTC/USD)")
    ] = False,
    symbols: Annotated[
        list[str] | None,
        Parameter(help="only these symbols (default: the strategy's)", consume_multiple=True),
    ] = None,
    start: Annotated[str | None, Parameter(help="first bar (YYYY-MM-DD or RFC 3339, UTC)")] = None,
    end: Annotated[str | None, Parameter(help="last bar (YYYY-MM-DD or RFC 3339, UTC)")] = None,
    cash: Annotated[str | None, Parameter(help="starting cash (decimal, default 100000)")] = None,
    commission: Annotated[str | None, Parameter(help=COMMISSION_HELP)] = None,
    slippage: Annotated[str | None, Parameter(help=SLIPPAGE_HELP)] = None,
    report: Annotated[
        Path | None, Parameter(help="write the HTML report here (results JSON beside it)")
    ] = None,
    events: Annotated[
        Path | None, Parameter(help="write every event batch's wire JSON here, one per line")
    ] = None,
    strategy: Annotated[str | None, Parameter(help="class name, when the file defines several")] = None,
    param: Annotated[
        list[str] | None,
        Parameter(help="strategy parameter NAME=VALUE, typed like the class attribute (repeatable)"),
    ] = None,
    progress: Annotated[bool, Parameter(help="show the live progress line")] = True,
    strict: Annotated[
        bool,
        Parameter(help="stop at the first refused order (default: log it, deliver ORDER_REJECTED, go on)"),
    ] = False,
) -> int:
    """Backtest STRATEGY_FILE in this process (nothing to start) and print its summary.

    Ctrl-C stops at the current instant and prints the partial summary (and report).

    Example: tradewire backtest examples/sma_crossover.py --sample --report out/report.html
    """
    from tradewire.sdk.failures import Interrupted
    from tradewire.sdk.loader import instantiate, load_strategy_class, parse_params
    from tradewire.sdk.runner import backtest as run_backtest
    from tradewire.sdk.runner import starting_cash
    from tradewire.sdk.transports.inprocess.costs import commission_model, slippage_model
    from tradewire.sdk.transports.inprocess.data import prepare

    try:
        # everything a user can get wrong is checked before the first bar
        cls = load_strategy_class(strategy_file, strategy)
        instance = instantiate(cls, parse_params(param, cls))
        costs: dict[str, Any] = {}
        if cash is not None:
            costs["cash"] = starting_cash(cash)
        if commission is not None:
            costs["commission"] = commission_model(commission)
        if slippage is not None:
            costs["slippage"] = slippage_model(slippage)
        if report is not None:
            _files.check_output(report, "--report")
        if events is not None:
            _files.check_output(events, "--events")
        with _ui.checking(str(data) if data is not None else "(the bundled sample)"):
            series = prepare(
                data, instance, sample=sample or data is None, symbols=symbols, start=start, end=end
            )
            total = _bars(series)
        with ExitStack() as files:
            log = None
            if events is not None:
                log = files.enter_context(open(files.enter_context(_files.atomic(events)), "wb"))
            with (
                _ui.interruptible(instance),
                _ui.progress_bar(progress and _ui.err.is_terminal, total) as update,
            ):
                try:
                    result, failure = _ui.outcome(
                        lambda: run_backtest(
                            instance,
                            series,
                            symbols=symbols,
                            progress=update,
                            events_log=log,
                            strict=strict,
                            **costs,
                        )
                    )
                    interrupted = None
                except Interrupted as e:
                    if e.result is None:
                        raise
                    result, failure, interrupted = e.result, None, e
        title = _ui.titled(f"{cls.__name__} backtest", failure)
        if interrupted is not None:
            title = _ui.interrupted(title, interrupted)
        _ui.console.print(_ui.summary_table(result, title))
        if report is not None:
            from tradewire.sdk.cli.report import save_report_atomically

            html, saved = save_report_atomically(result, report, title=title)
            _ui.console.print(f"report: [bold]{html}[/]  results: {saved}")
        if events is not None:
            # a stopped run's log is whole up to the instant it stopped at, and says so here
            stopped = " (partial: the run stopped early)" if result.partial else ""
            _ui.console.print(f"events: {events}{stopped}")
        if interrupted is not None:
            return 130
        if failure is not None:
            return 1
    except _ui.USER_ERRORS() as e:
        return _ui.fail(e)
    return 0


def _bars(series: list[Any]) -> int | None:
    """Bars the run will deliver (for a percentage), or None with quotes in the data."""
    total = 0
    for s in series:
        if s.kind != "bar":
            return None
        total += s.prepare().rows
    return total
