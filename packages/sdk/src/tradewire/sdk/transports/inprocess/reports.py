"""Backtest reports: the engine's HTML of a result, and reloading the JSON `--report` saves beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.transports.inprocess.loader import engine

__all__ = ["load_saved", "render", "render_saved"]


def load_saved(path: Path) -> Any:
    """A saved results JSON, restored as the engine's `BacktestResult` (`BacktestResult.from_json`)."""
    te = engine()
    if not path.is_file():
        raise ConfigurationError(f"results file not found: {path}")
    try:
        return te.BacktestResult.from_json(path)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigurationError(f"{path}: not a saved backtest result ({type(e).__name__}: {e})") from None


def render(engine_result: Any, title: str | None = None) -> str:
    """The engine's HTML report of `engine_result` (its own title unless `title` is given);
    ConfigurationError with the install hint when plotly is missing."""
    try:
        return str(engine_result.html(title))
    except ImportError as e:
        raise ConfigurationError(str(e)) from None


def render_saved(saved: Any, title: str | None = None) -> str:
    """The engine's HTML report of a loaded result (its saved title unless `title` is given)."""
    return render(saved, title)
