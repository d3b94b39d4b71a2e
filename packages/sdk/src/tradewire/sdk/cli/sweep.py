"""`tradewire sweep`: a strategy file's parameters tried on every core or on Ray, with walk-forward."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from cyclopts import Parameter

from tradewire.sdk.cli import _ui

if TYPE_CHECKING:
    from tradewire.sdk.sweep import Progress, SweepResult

__all__ = ["sweep"]


def sweep(
    strategy_file: Path,
    /,
    *,
    data: Annotated[Path | None, Parameter(help="CSV, CSV.gz or Parquet bars/quotes file")] = None,
    sample: Annotated[bool, Parameter(help="use the bundled sample data")] = False,
    param: Annotated[
        list[str] | None,
        Parameter(help="NAME=START:STOP[:STEP] or NAME=A,B,C (repeatable; stop included)"),
    ] = None,
    constraint: Annotated[
        str | None, Parameter(help='keep combinations where this holds ("fast < slow")')
    ] = None,
    objective: Annotated[
        str, Parameter(help="metric to maximise (sharpe, total_return, cagr, ...)")
    ] = "sharpe",
    search: Annotated[str, Parameter(help="grid, random:N or tpe:N")] = "grid",
    seed: Annotated[int, Parameter(help="fixes the trial list (random, tpe)")] = 0,
    executor: Annotated[str, Parameter(help="local[:N] (processes) or ray[:ADDRESS]")] = "local",
    out: Annotated[
        Path | None, Parameter(help="directory for trials.parquet, the data and the report")
    ] = None,
    resume: Annotated[bool, Parameter(help="skip the trials --out holds already")] = False,
    walk_forward: Annotated[
        str | None, Parameter(help="train=2y,test=6m[,step=6m][,anchored]: choose in-sample, score out")
    ] = None,
    batch_size: Annotated[int | None, Parameter(help="trials per task sent to a worker")] = None,
    shared_data: Annotated[
        str | None,
        Parameter(help="storage every worker reads (path, s3://, gs://): data published there once"),
    ] = None,
    symbols: Annotated[list[str] | None, Parameter(help="only these symbols", consume_multiple=True)] = None,
    start: Annotated[str | None, Parameter(help="first bar (YYYY-MM-DD or RFC 3339, UTC)")] = None,
    end: Annotated[str | None, Parameter(help="last bar (YYYY-MM-DD or RFC 3339, UTC)")] = None,
    cash: Annotated[str | None, Parameter(help="starting cash (decimal, default 100000)")] = None,
    strategy: Annotated[str | None, Parameter(help="class name, when the file defines several")] = None,
    heatmap: Annotated[str | None, Parameter(help="the report's heat map parameters: X,Y")] = None,
    progress: Annotated[bool, Parameter(help="show the progress line")] = True,
) -> int:
    """Try STRATEGY_FILE's parameters, print the best ones and the overfitting statistics.

    Example: tradewire sweep examples/sma_crossover.py --sample --param fast=5:50:5
    --param slow=20:200:10 --constraint "fast < slow" --out out/sweep-1
    """
    from tradewire.sdk.errors import ConfigurationError
    from tradewire.sdk.loader import load_strategy_class
    from tradewire.sdk.sweep import Sweep

    try:
        cls = load_strategy_class(strategy_file, strategy)
        params: dict[str, str] = {}
        for pair in param or ():
            name, sep, values = pair.partition("=")
            if not sep or not name or not values:
                raise ConfigurationError(f"--param needs NAME=VALUES, got {pair!r}")
            params[name.strip()] = values
        axes = tuple(heatmap.split(",")) if heatmap else None
        if axes is not None and len(axes) != 2:
            raise ConfigurationError(f"--heatmap takes two parameter names X,Y, not {heatmap!r}")
        job = Sweep(
            cls,
            data,
            params=params,
            sample=sample or data is None,
            symbols=symbols,
            start=start,
            end=end,
            cash=cash,
            constraint=constraint,
            objective=objective,
            search=search,
            seed=seed,
            walk_forward=walk_forward,
            out=out,
            resume=resume,
            batch_size=batch_size,
            shared_data=shared_data,
        )
        with _line(progress and _ui.err.is_terminal) as update:
            result = job.run(executor, progress=update)
        _summary(result, objective)
        if out is not None:
            html = result.report(out / "report.html", axes)
            _ui.console.print(f"trials: [bold]{out / 'trials.parquet'}[/]  report: [bold]{html}[/]")
        if result.interrupted:
            _ui.err.print("interrupted: the finished trials are kept; run again with --resume to go on")
            return 130
    except _ui.USER_ERRORS() as e:
        return _ui.fail(e)
    return 0


@contextmanager
def _line(enabled: bool) -> Iterator[Callable[[Progress], None] | None]:
    """One line for the whole sweep: trials done and failed, ETA, best so far."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    columns = (
        TextColumn("[bold]sweep"),
        BarColumn(bar_width=None),
        TextColumn("{task.completed}/{task.total} trials"),
        TextColumn("{task.fields[failed]} failed"),
        TextColumn("ETA {task.fields[eta]}"),
        TextColumn("best {task.fields[best]}"),
        TimeElapsedColumn(),
    )
    with Bar(*columns, console=_ui.err, transient=True, refresh_per_second=4) as bar:
        task = bar.add_task("sweep", total=None, failed=0, eta="-", best="-")
        last = [0.0]

        def update(p: Progress) -> None:
            now = time.perf_counter()
            if now - last[0] < 0.1 and p.done < p.total:
                return
            last[0] = now
            eta = "-" if p.eta_s is None else f"{p.eta_s:,.0f}s"
            best = "-" if p.best is None else f"{p.best:.4g} {p.best_params}"
            bar.update(task, total=p.total, completed=p.done, failed=p.failed, eta=eta, best=best)

        yield update


def _summary(result: SweepResult, objective: str) -> None:
    from rich.table import Table

    stats = result.statistics
    table = Table(title=f"{result.strategy} sweep", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("backtests", f"{len(result.rows):,} ({result.failed:,} failed)")
    table.add_row(
        "best parameters", ", ".join(f"{k}={v}" for k, v in (result.best_params or {}).items()) or "-"
    )
    if result.best is not None:
        table.add_row(f"best {objective}", f"{result.best['objective']:.4f}")
    scope = ", last window in-sample" if result.windows else ""  # the choice one would trade next
    if stats.deflated_sharpe is not None:
        table.add_row(
            "deflated Sharpe ratio", f"{stats.deflated_sharpe:.3f} (of {stats.trials} trials{scope})"
        )
    if stats.pbo is not None:
        table.add_row(
            "PBO (CSCV)", f"{stats.pbo:.3f} ({stats.groups} blocks of {stats.observations} days{scope})"
        )
    for w in result.windows:
        ins = "-" if w.in_sample is None else f"{w.in_sample:.3f}"
        oos = "-" if w.out_of_sample is None else f"{w.out_of_sample:.3f}"
        pbo = "" if w.statistics.pbo is None else f"  PBO {w.statistics.pbo:.2f}"
        table.add_row(f"window {w.index}", f"{w.params}  in {ins}  out {oos}{pbo}")
    if result.out_of_sample is not None:
        o = result.out_of_sample
        efficiency = "" if o.efficiency is None else f", efficiency {o.efficiency:.2f}"
        table.add_row(
            "out of sample",
            f"{o.total_return:+.2%} over {o.days:,} days, {o.positive} of {o.windows} windows up{efficiency}",
        )
    _ui.console.print(table)
