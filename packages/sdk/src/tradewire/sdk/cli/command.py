"""The `tradewire` command itself: its subcommands in one cyclopts app, run with one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["app", "main"]


def _build() -> object:
    from cyclopts import App

    from tradewire.protocol import platforms
    from tradewire.sdk.cli import backtest, init, report, run
    from tradewire.sdk.cli import sweep as sweeps

    remote = [p for p in platforms.installed() if p != "backtest"]
    where = f" ({', '.join(remote)} installed here)" if remote else ""
    application = App(
        name="tradewire",
        help=(
            f"Write a strategy once; backtest it here, run it through a gateway{where}.\n\n"
            "Add --debug to any command to see the traceback behind an error."
        ),
        version="0.1.0",
        # Ctrl-C outside a run (loading, checking data) reaches app(), which says so in one line;
        # cyclopts would otherwise exit 130 without a word.
        suppress_keyboard_interrupt=False,
    )
    application.command(backtest.backtest)
    application.command(run.run)
    application.command(report.report)
    application.command(init.init)
    application.command(sweeps.sweep)
    return application


def app(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit status. `--debug` anywhere adds the
    traceback to a user error's one line."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        # the imports too: Ctrl-C while they load is one line, not a traceback through them
        from tradewire.sdk.cli import _ui

        _ui.set_debug("--debug" in args)
        args = [a for a in args if a != "--debug"]
        application = _build()
        with _ui.notices():
            result = application(args, result_action="return_value")  # type: ignore[operator]
    except SystemExit as e:
        return int(e.code or 0) if not isinstance(e.code, str) else 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    return int(result or 0) if isinstance(result, int) else 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
