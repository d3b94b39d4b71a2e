"""`tradewire run`: connect a strategy file to a gateway on any platform."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

from cyclopts import Parameter

from tradewire.sdk.cli import _files, _ui

__all__ = ["RECONNECTS", "run"]


def _platforms_help() -> str:
    from tradewire.protocol import platforms

    here = platforms.installed()
    if not here:
        return "the platform the gateway serves (no gateway is installed here to list them)"
    return f"the platform the gateway serves: {', '.join(here)} (installed here)"


def _live_help() -> str:
    from tradewire.protocol import platforms

    live = [p for p in platforms.installed() if platforms.is_live(p)]
    return "required (with TRADEWIRE_ALLOW_LIVE_ORDERS=true) for the real-money platforms" + (
        f": {', '.join(live)}" if live else ""
    )


#: Reconnect attempts in a row before `tradewire run` gives up (about a minute with the back-off).
RECONNECTS = 5


def run(
    strategy_file: Path,
    /,
    *,
    platform: Annotated[str, Parameter(help=_platforms_help())],
    gateway: Annotated[
        str | None, Parameter(help="gateway URL (default: TRADING_GATEWAY_URL, else http://localhost:8080)")
    ] = None,
    allow_live_orders: Annotated[
        bool,
        Parameter(help=_live_help()),
    ] = False,
    events: Annotated[Path | None, Parameter(help="write every frame's wire JSON here, one per line")] = None,
    report: Annotated[
        Path | None,
        Parameter(help="backtest platform: write the HTML report here (results JSON beside it)"),
    ] = None,
    strategy: Annotated[str | None, Parameter(help="class name, when the file defines several")] = None,
    param: Annotated[list[str] | None, Parameter(help="strategy parameter NAME=VALUE (repeatable)")] = None,
    progress: Annotated[bool, Parameter(help="show the live progress line")] = True,
    reconnects: Annotated[
        int, Parameter(help="reconnect attempts in a row before giving up when the gateway goes away")
    ] = RECONNECTS,
    strict: Annotated[
        bool,
        Parameter(help="stop at the first refused order (default: log it, deliver ORDER_REJECTED, go on)"),
    ] = False,
) -> int:
    """Run STRATEGY_FILE against a gateway until its stream ends (Ctrl-C stops it).

    When the gateway goes away, up to --reconnects attempts follow (each announced with its delay),
    then the run stops with one line and exit status 2; a finished backtest is never reconnected to.
    The API key comes from the first set of TRADEWIRE_API_KEY, TEKTII_TRADING_GATEWAY_API_KEY,
    TRADING_GATEWAY_API_KEY and GATEWAY_API_KEY (the names the gateway reads), never a flag.
    """
    from tradewire.sdk.failures import Interrupted
    from tradewire.sdk.loader import instantiate, load_strategy_class, parse_params
    from tradewire.sdk.runner import canonical_platform
    from tradewire.sdk.runner import run as run_strategy

    try:
        cls = load_strategy_class(strategy_file, strategy)
        instance = instantiate(cls, parse_params(param, cls))
        if reconnects < 0:
            from tradewire.sdk.errors import ConfigurationError

            raise ConfigurationError(f"--reconnects must be 0 or more, not {reconnects}")
        if events is not None:
            _files.check_output(events, "--events")
        if report is not None:
            if canonical_platform(platform) != "backtest":  # before any folder is made or a connection
                from tradewire.sdk.errors import ConfigurationError

                raise ConfigurationError(f"--report: reports come from backtests, not from {platform}")
            _files.check_output(report, "--report")
        interrupted = None
        with ExitStack() as files:
            log = None
            if events is not None:
                log = files.enter_context(open(files.enter_context(_files.atomic(events)), "wb"))
            with _ui.interruptible(instance), _ui.progress_bar(progress and _ui.err.is_terminal) as update:
                try:
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
                            max_reconnects=reconnects,
                            on_connection=_ui.connection_lines(reconnects),
                        )
                    )
                except Interrupted as e:
                    if e.result is None:
                        raise
                    result, failure, interrupted = e.result, None, e
        title = _ui.titled(f"{cls.__name__} on {result.platform}", failure)
        if interrupted is not None:
            title = _ui.interrupted(title, interrupted)
        _ui.console.print(_ui.summary_table(result, title))
        if report is not None and result.report is not None:
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
