"""Saved backtest results: reload the JSON that `tradewire backtest --report` writes and render its HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.transports.inprocess.loader import engine

__all__ = ["load_saved", "render_saved"]


def load_saved(path: Path) -> Any:
    """A saved results JSON, restored as the engine's `BacktestResult` (`BacktestResult.from_json`)."""
    te = engine()
    if not path.is_file():
        raise ConfigurationError(f"results file not found: {path}")
    try:
        return te.BacktestResult.from_json(path)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigurationError(f"{path}: not a saved backtest result ({type(e).__name__}: {e})") from None


def render_saved(saved: Any, title: str | None = None) -> str:
    """The engine's HTML report of a loaded result (its saved title unless `title` is given)."""
    return str(saved.html(title))
