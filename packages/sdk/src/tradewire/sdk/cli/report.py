"""`tradewire report`: re-render the HTML report of a saved backtest result."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

from cyclopts import Parameter

from tradewire.sdk.cli import _ui

__all__ = ["report", "save_report", "save_report_atomically", "write_file"]


def write_file(path: Path, text: str) -> None:
    """Every file the report commands write goes through here (folders made as needed; written under
    a temporary name and renamed, so a failure leaves no half file)."""
    from tradewire.sdk.cli._files import atomic

    with atomic(path) as part:
        part.write_text(text, encoding="utf-8")


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


def save_report_atomically(result: Any, html: Path, title: str) -> tuple[Path, Path]:
    """`save_report`, written under temporary names and renamed once both files are whole (so a
    failure leaves neither a 0-byte nor a half-written report)."""
    from tradewire.sdk.cli._files import temporary

    part = temporary(html)
    try:
        save_report(result, part, title)
        os.replace(part.with_suffix(".json"), html.with_suffix(".json"))
        os.replace(part, html)
    except BaseException:
        part.unlink(missing_ok=True)
        part.with_suffix(".json").unlink(missing_ok=True)
        raise
    return html, html.with_suffix(".json")


def report(
    results: Path,
    /,
    *,
    out: Annotated[Path | None, Parameter(help="HTML file to write (default: RESULTS with .html)")] = None,
    title: Annotated[str | None, Parameter(help="report title")] = None,
) -> int:
    """Re-render the HTML report from RESULTS (the .json that `tradewire backtest --report` saves)."""
    try:
        from tradewire.sdk.cli._files import check_output
        from tradewire.sdk.transports.inprocess.reports import load_saved, render_saved

        saved = load_saved(results)
        target = check_output(out or results.with_suffix(".html"), "--out")
        write_file(target, render_saved(saved, title))
        _ui.console.print(f"report: [bold]{target}[/]")
    except _ui.USER_ERRORS() as e:
        return _ui.fail(e)
    return 0
