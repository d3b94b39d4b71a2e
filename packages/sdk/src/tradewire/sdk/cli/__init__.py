"""The `tradewire` command: backtest, run and report (cyclopts + rich)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["app", "main"]


def _build() -> object:
    from cyclopts import App

    from tradewire.sdk.cli import backtest, report, run
    from tradewire.sdk.cli import sweep as sweeps

    application = App(
        name="tradewire",
        help="Write a strategy once; backtest it here, run it on Alpaca or Binance through a gateway.",
        version="0.1.0",
    )
    application.command(backtest.backtest)
    application.command(run.run)
    application.command(report.report)
    application.command(sweeps.sweep)
    return application


def app(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit status."""
    application = _build()
    try:
        result = application(list(argv) if argv is not None else None, result_action="return_value")  # type: ignore[operator]
    except SystemExit as e:
        return int(e.code or 0) if not isinstance(e.code, str) else 2
    return int(result or 0) if isinstance(result, int) else 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
