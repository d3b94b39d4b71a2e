"""Loads the engine for in-process runs, or says in one line which extra installs it."""

# The only SDK package that imports `tradewire.engine` (lazily; install `tradewire-sdk[backtest]`).

from __future__ import annotations

from typing import Any

from tradewire.sdk.errors import ConfigurationError

__all__ = ["engine"]


def engine() -> Any:
    """The engine module (`tradewire.engine`), or a one-line error naming the extra to install.

    This package uses only the engine's documented public API: the names `tradewire.engine`
    exports and the members they document (see `Backtest`'s embedding API and `BarView`).
    tests/test_engine_seam.py fails on any private engine name here.
    """
    try:
        import tradewire.engine as te
    except ImportError as e:
        raise ConfigurationError(
            f"in-process backtests need the engine: pip install 'tradewire-sdk[backtest]' ({e})"
        ) from None
    return te
