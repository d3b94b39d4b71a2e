"""`tradewire backtest`: run a strategy file in-process on historical data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from cyclopts import Parameter

from tradewire.sdk.cli import _ui

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
    report: Annotated[
        Path | None, Parameter(help="write the HTML report here (results JSON beside it)")
    ] = None,
    events: Annotated[
        Path | None, Parameter(help="write every event batch's wire JSON here, one per line")
    ] = None,
    strategy: Annotated[str | None, Parameter(help="class name, when the file defines several")] = None,
    param: Annotated[list[str] | None, Parameter(help="strategy parameter NAME=VALUE (repeatable)")] = None,
    progress: Annotated[bool, Parameter(help="show the live progress line")] = True,
    strict: Annotated[
        bool,
        Parameter(help="stop at the first refused order (default: log it, deliver ORDER_REJECTED, go on)"),
    ] = False,
) -> int:
    """Backtest STRATEGY_FILE in this process (nothing to start) and print its summary.

    Example: tradewire backtest examples/sma_crossover.py --sample --report out/report.html
    """
    from tradewire.sdk.loader import instantiate, load_strategy_class, parse_params
    from tradewire.sdk.runner import backtest as run_backtest
    from tradewire.sdk.runner import load_data

    try:
        cls = load_strategy_class(strategy_file, strategy)
        instance = instantiate(cls, parse_params(param))
        wanted = list(symbols or cls.symbols) or None
        series = load_data(data, sample=sample or data is None, symbols=wanted)
        log = open(events, "wb") if events is not None else None
        try:
            with _ui.progress_bar(progress and _ui.err.is_terminal) as update:
                result, failure = _ui.outcome(
                    lambda: run_backtest(
                        instance,
                        series,
                        start=start,
                        end=end,
                        cash=cash,
                        progress=update,
                        events_log=log,
                        strict=strict,
                    )
                )
        finally:
            if log is not None:
                log.close()
        title = _ui.titled(f"{cls.__name__} backtest", failure)
        _ui.console.print(_ui.summary_table(result, title))
        if report is not None:
            from tradewire.sdk.cli.report import save_report

            html, saved = save_report(result, report, title=title)
            _ui.console.print(f"report: [bold]{html}[/]  results: {saved}")
        if events is not None:
            _ui.console.print(f"events: {events}")
        if failure is not None:
            return 1
    except _ui.USER_ERRORS() as e:
        return _ui.fail(e)
    return 0
