"""Terminal output of the CLI: one-line errors, the live progress bar and the summary table."""

from __future__ import annotations

import signal
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

__all__ = [
    "USER_ERRORS",
    "checking",
    "connection_lines",
    "console",
    "err",
    "fail",
    "interrupted",
    "interruptible",
    "notices",
    "outcome",
    "progress_bar",
    "set_debug",
    "summary_table",
    "titled",
]

console = Console()
err = Console(stderr=True)
_debug = [False]


def set_debug(on: bool) -> None:
    """`--debug`: user errors print their traceback as well as their line."""
    _debug[0] = on


def _user_errors() -> tuple[type[BaseException], ...]:
    from tradewire.sdk.errors import TradewireError

    errors: list[type[BaseException]] = [
        TradewireError,
        FileNotFoundError,
        PermissionError,
        IsADirectoryError,
    ]
    from tradewire.sdk.transports.inprocess.data import data_errors

    errors.extend(data_errors())
    return tuple(errors)


USER_ERRORS = _user_errors


def fail(error: BaseException) -> int:
    """Print one clear line for a user error; returns the exit status (2)."""
    if _debug[0]:
        err.file.write("".join(traceback.format_exception(error)))  # unwrapped, as Python prints it
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    err.print(f"[bold red]error:[/] {escape(text)}", highlight=False, markup=True, soft_wrap=True)
    return 2


def _notice(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    err.print(f"[bold yellow]notice:[/] {escape(str(message))}", highlight=False, markup=True, soft_wrap=True)


@contextmanager
def notices() -> Iterator[None]:
    """The data readers' notices (an ignored `Adj Close` column, ...) as one `notice:` line each."""
    from tradewire.sdk.transports.inprocess.data import data_notices

    kinds = data_notices()
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if kinds and issubclass(category, kinds):
                _notice(message, category)
            else:
                shown(message, category, *args, **kwargs)

        warnings.showwarning = show
        for kind in kinds:
            warnings.simplefilter("always", kind)
        yield


@contextmanager
def checking(label: str) -> Iterator[None]:
    """A labelled phase before the run (reading and validating the data), shown on a terminal."""
    if not err.is_terminal:
        yield
        return
    with err.status(f"[bold]checking data[/] {label}", spinner="dots"):
        yield


@contextmanager
def interruptible(strategy: Any) -> Iterator[None]:
    """Ctrl-C stops `strategy`'s run at the current instant (the run raises Interrupted with its
    partial result); a second Ctrl-C, or one before the run started, stops at once. Restores the
    previous handler after."""
    from tradewire.sdk.strategy import interrupt

    asked = [False]

    def on_sigint(signum: int, frame: Any) -> None:
        if asked[0] or not interrupt(strategy):
            raise KeyboardInterrupt
        asked[0] = True

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: Ctrl-C keeps its default
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def outcome(run: Callable[[], Any]) -> tuple[Any, Any]:
    """`run()`'s result and None, or, when the strategy raised, its partial result and the StrategyError."""
    from tradewire.sdk.failures import StrategyError

    try:
        return run(), None
    except StrategyError as e:
        if e.result is None:
            raise
        return e.result, e


def titled(title: str, failure: Any) -> str:
    """The summary's title; when the strategy raised, print where (its own line, the event, the
    simulated time) and say in the title that the results are partial."""
    if failure is None:
        return title
    err.print(
        f"[bold red]strategy error:[/] {escape(failure.describe())}",
        highlight=False,
        markup=True,
        soft_wrap=True,
    )
    err.print("the run stopped there: the results below are partial", highlight=False)
    from tradewire.protocol import codec

    return f"{title} (partial: the strategy raised at {codec.timestamp_text(failure.when)})"


def connection_lines(limit: int) -> Callable[[Any], None]:
    """A callback printing one line for each drop and reconnect attempt of a run's stream: the error,
    then the wait before each of the `limit` attempts."""

    def show(state: Any) -> None:
        if state.state == "disconnected":
            err.print(f"connection to the gateway lost: {escape(state.error or 'closed')}", highlight=False)
        elif state.state == "reconnecting":
            err.print(
                f"reconnecting in {state.delay:.1f} s (attempt {state.attempt} of {limit})", highlight=False
            )
        elif state.state == "connected" and state.attempt > 0:
            err.print(f"reconnected (attempt {state.attempt} of {limit})", highlight=False)

    return show


def interrupted(title: str, stopped: Any) -> str:
    """Say where Ctrl-C stopped the run; the summary's title, marked partial."""
    from tradewire.protocol import codec

    when = codec.timestamp_text(stopped.when) if stopped.when is not None else "the start"
    err.print(f"interrupted at {when}", highlight=False)
    return f"{title} (partial: interrupted at {when})"


@contextmanager
def progress_bar(enabled: bool, total: int | None = None) -> Iterator[Callable[[Any, Any], None] | None]:
    """A live line: simulated time, bars, bars/s and equity, plus percentage and time left when the
    bar count `total` is known; yields the progress callback (None if off)."""
    if not enabled:
        yield None
        return
    columns: list[Any] = [TextColumn("[bold]{task.description}")]
    if total:
        columns += [BarColumn(bar_width=None), TextColumn("{task.percentage:>3.0f}%")]
    else:
        columns.append(BarColumn(bar_width=None))
    columns += [
        TextColumn("{task.fields[now]}"),
        TextColumn("{task.fields[bars]} bars"),
        TextColumn("{task.fields[rate]} bars/s"),
        TextColumn("equity {task.fields[equity]}"),
        TimeElapsedColumn(),
    ]
    if total:
        columns += [TextColumn("ETA"), TimeRemainingColumn()]
    with Progress(*columns, console=err, transient=True, refresh_per_second=8) as progress:
        task = progress.add_task("backtest", total=total or None, now="", bars="0", rate="-", equity="-")
        started = time.perf_counter()
        last = [0.0]

        def update(result: Any, strategy: Any) -> None:
            now = time.perf_counter()
            if now - last[0] < 0.1:
                return
            last[0] = now
            bars = result.bars
            try:
                equity = f"{strategy.equity:,.2f}"
                when = strategy.now.strftime("%Y-%m-%d %H:%M")
            except Exception:
                equity, when = "-", ""
            progress.update(
                task,
                completed=min(bars, total) if total else None,
                now=when,
                bars=f"{bars:,}",
                rate=f"{bars / (now - started):,.0f}",
                equity=equity,
            )

        yield update


def summary_table(result: Any, title: str = "Result") -> Table:
    """The result's key figures (and the engine's metrics, when there are any) as a table."""
    from tradewire.sdk.cli._summary import summary_rows

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in summary_rows(result):
        table.add_row(key, value)
    return table
