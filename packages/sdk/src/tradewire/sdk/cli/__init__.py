"""The `tradewire` command: backtest, run, report, init and sweep (cyclopts + rich)."""

from tradewire.sdk.cli.command import app, main

__all__ = ["app", "main"]
