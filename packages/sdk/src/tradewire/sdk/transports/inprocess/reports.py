"""Saved backtest results: reload the JSON that `tradewire backtest --report` writes and render its HTML."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.transports.inprocess import engine

__all__ = ["load_saved", "render_saved"]


class _Saved:
    """A saved result with the attributes the engine's report renderer reads."""

    def __init__(self, data: dict[str, Any]) -> None:
        import numpy as np

        from tradewire.engine import FillRecord
        from tradewire.engine.results.metrics import Metrics, drawdown

        def ns(text: str) -> int:
            return int(np.datetime64(text.rstrip("Z"), "ns").astype(np.int64))

        self.currency = data["currency"]
        self.symbols = data.get("symbols") or sorted({f["symbol"] for f in data["fills"]})
        self.steps = data["steps"]
        self.start_value = Decimal(data["start_value"])
        self.final_value = self.end_value = Decimal(data["final_value"])
        self.fills = [
            FillRecord(
                f["id"],
                f["order_id"],
                f["symbol"],
                f["side"],
                Decimal(f["quantity"]),
                Decimal(f["price"]),
                Decimal(f["commission"]),
                f["is_maker"],
                ns(f["time"]),
            )
            for f in data["fills"]
        ]
        self.equity_ts = np.array([ns(e["time"]) for e in data["equity"]], dtype=np.int64)
        self.equity = np.array([float(e["equity"]) for e in data["equity"]])
        self.drawdown = drawdown(self.equity)
        self.prices = {s: np.array(v, dtype=np.float64) for s, v in (data.get("prices") or {}).items()}
        values: dict[str, Any] = {
            k: float(v) if isinstance(v, str) else v for k, v in data["metrics"].items()
        }
        self.metrics = Metrics(**values)
        self.title = data.get("title", "Tradewire backtest")


def load_saved(path: Path) -> Any:
    """A saved results JSON, as an object the report renderer takes."""
    engine()
    if not path.is_file():
        raise ConfigurationError(f"results file not found: {path}")
    try:
        return _Saved(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError) as e:
        raise ConfigurationError(f"{path}: not a saved backtest result ({type(e).__name__}: {e})") from None


def render_saved(saved: Any, title: str | None = None) -> str:
    """The engine's HTML report of a loaded result."""
    from tradewire.engine.results.report import render_html

    return str(render_html(saved, title or saved.title))
