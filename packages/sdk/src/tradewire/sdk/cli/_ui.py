"""Terminal output of the CLI: one-line errors, the live progress bar and the summary table."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

__all__ = ["USER_ERRORS", "console", "err", "fail", "outcome", "progress_bar", "summary_table", "titled"]

console = Console()
err = Console(stderr=True)


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
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    err.print(f"[bold red]error:[/] {text}", highlight=False, markup=True, soft_wrap=True)
    return 2


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
        f"[bold red]strategy error:[/] {failure.describe()}", highlight=False, markup=True, soft_wrap=True
    )
    err.print("the run stopped there: the results below are partial", highlight=False)
    from tradewire.protocol import codec

    return f"{title} (partial: the strategy raised at {codec.timestamp_text(failure.when)})"


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[Any, Any], None] | None]:
    """A live line: simulated time, bars, bars/s and equity; yields the progress callback (None if off)."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[now]}"),
        TextColumn("{task.fields[bars]} bars"),
        TextColumn("{task.fields[rate]} bars/s"),
        TextColumn("equity {task.fields[equity]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, refresh_per_second=8) as progress:
        task = progress.add_task("backtest", total=None, now="", bars="0", rate="-", equity="-")
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
                task, now=when, bars=f"{bars:,}", rate=f"{bars / (now - started):,.0f}", equity=equity
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
