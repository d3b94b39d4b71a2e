"""`tradewire run`: connect a strategy file to a gateway on any platform."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from cyclopts import Parameter

from tradewire.sdk.cli import _ui

__all__ = ["run"]


def run(
    strategy_file: Path,
    /,
    *,
    platform: Annotated[
        str, Parameter(help="backtest, alpaca-paper, alpaca-live, binance-testnet, binance-live, mock")
    ],
    gateway: Annotated[
        str | None, Parameter(help="gateway URL (default: TRADING_GATEWAY_URL, else http://localhost:8080)")
    ] = None,
    allow_live_orders: Annotated[
        bool,
        Parameter(help="required (with TRADEWIRE_ALLOW_LIVE_ORDERS=true) for alpaca-live / binance-live"),
    ] = False,
    events: Annotated[Path | None, Parameter(help="write every frame's wire JSON here, one per line")] = None,
    report: Annotated[
        Path | None,
        Parameter(help="backtest platform: write the HTML report here (results JSON beside it)"),
    ] = None,
    strategy: Annotated[str | None, Parameter(help="class name, when the file defines several")] = None,
    param: Annotated[list[str] | None, Parameter(help="strategy parameter NAME=VALUE (repeatable)")] = None,
    progress: Annotated[bool, Parameter(help="show the live progress line")] = True,
    strict: Annotated[
        bool,
        Parameter(help="stop at the first refused order (default: log it, deliver ORDER_REJECTED, go on)"),
    ] = False,
) -> int:
    """Run STRATEGY_FILE against a gateway until its stream ends (Ctrl-C stops a live run).

    The API key comes from TRADING_GATEWAY_API_KEY (or TEKTII_TRADING_GATEWAY_API_KEY), never a flag.
    """
    from tradewire.sdk.loader import instantiate, load_strategy_class, parse_params
    from tradewire.sdk.runner import run as run_strategy

    try:
        cls = load_strategy_class(strategy_file, strategy)
        instance = instantiate(cls, parse_params(param))
        log = open(events, "wb") if events is not None else None
        try:
            with _ui.progress_bar(progress and _ui.err.is_terminal) as update:
                result, failure = _ui.outcome(
                    lambda: run_strategy(
                        instance,
                        platform=platform,
                        gateway=gateway,
                        allow_live_orders=allow_live_orders,
                        progress=update,
                        events_log=log,
                        strict=strict,
                        report=report is not None,
                    )
                )
        finally:
            if log is not None:
                log.close()
        title = _ui.titled(f"{cls.__name__} on {result.platform}", failure)
        _ui.console.print(_ui.summary_table(result, title))
        if report is not None and result.report is not None:
            from tradewire.sdk.cli.report import save_report

            html, saved = save_report(result, report, title=title)
            _ui.console.print(f"report: [bold]{html}[/]  results: {saved}")
        if failure is not None:
            return 1
    except KeyboardInterrupt:
        _ui.err.print("stopped")
        return 130
    except _ui.USER_ERRORS() as e:
        return _ui.fail(e)
    return 0
