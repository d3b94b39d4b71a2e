"""`tradewire report`: re-render the HTML report of a saved backtest result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from cyclopts import Parameter

from tradewire.sdk.cli import _ui

__all__ = ["report", "save_report", "write_file"]


def write_file(path: Path, text: str) -> None:
    """Every file the report commands write goes through here (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def save_report(result: Any, html: Path, title: str) -> tuple[Path, Path]:
    """Write the engine's HTML report to `html` and the results beside it (`<name>.json`)."""
    from tradewire.sdk.errors import ConfigurationError
    from tradewire.sdk.transports.inprocess.reports import render

    engine_result = result.report
    if engine_result is None:
        raise ConfigurationError("this run has no engine results to report (reports come from backtests)")
    engine_result.title = title
    saved = html.with_suffix(".json")
    write_file(html, render(engine_result))
    write_file(saved, json.dumps(engine_result.to_dict(), indent=1))  # what `from_json` restores
    return html, saved


def report(
    results: Path,
    /,
    *,
    out: Annotated[Path | None, Parameter(help="HTML file to write (default: RESULTS with .html)")] = None,
    title: Annotated[str | None, Parameter(help="report title")] = None,
) -> int:
    """Re-render the HTML report from RESULTS (the .json that `tradewire backtest --report` saves)."""
    try:
        from tradewire.sdk.transports.inprocess.reports import load_saved, render_saved

        saved = load_saved(results)
        target = out or results.with_suffix(".html")
        write_file(target, render_saved(saved, title))
        _ui.console.print(f"report: [bold]{target}[/]")
    except _ui.USER_ERRORS() as e:
        return _ui.fail(e)
    return 0
