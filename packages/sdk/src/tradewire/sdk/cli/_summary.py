"""The summary table's rows: the run's key figures and, after a backtest, the engine's metrics."""

from __future__ import annotations

import math
from typing import Any

from tradewire.sdk.display import money_text, percent_text, quantity_text

__all__ = ["summary_rows"]


def _ratio(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "∞" if math.isinf(value) else f"{value:.2f}"


def _cost(amount: float | None, currency: str) -> str:
    if amount is None:
        return "not reported over the wire"
    text = money_text(amount, currency)
    return text if amount else f"none ({text})"


def _metric_rows(metrics: Any, currency: str, open_positions: dict[str, Any]) -> list[tuple[str, str]]:
    m = metrics
    days = f" ({m.max_drawdown_days:,.1f} days)" if m.max_drawdown < 0 else ""
    calendar = {"24/7": "24/7 market", "sessions": "exchange sessions", "calendar": "calendar year"}
    basis = calendar.get(m.calendar, m.calendar or "unknown")
    held = ", ".join(f"{s} {quantity_text(q)}" for s, q in open_positions.items() if q)
    return [
        ("CAGR", percent_text(m.cagr, signed=True)),
        ("volatility (annual)", percent_text(m.volatility)),
        ("Sharpe", _ratio(m.sharpe)),
        ("Sortino", _ratio(m.sortino)),
        ("Calmar", _ratio(m.calmar)),
        ("max drawdown", percent_text(m.max_drawdown) + days),
        ("risk-free rate", f"{percent_text(m.risk_free_rate)} a year"),
        ("annualised by", f"{basis}, {m.periods_per_year:,.6g} periods a year"),
        ("round trips", f"{m.trades:,}"),
        ("win rate", percent_text(m.win_rate, places=1)),
        ("profit factor", _ratio(m.profit_factor)),
        ("average win", "n/a" if m.avg_win is None else money_text(m.avg_win, currency)),
        ("average loss", "n/a" if m.avg_loss is None else money_text(m.avg_loss, currency)),
        ("exposure", percent_text(m.exposure, places=1)),
        ("commission", _cost(m.fees, currency)),
        ("slippage", _cost(m.slippage, currency)),
        ("open at the end", held or "none"),
    ]


def summary_rows(result: Any) -> list[tuple[str, str]]:
    """(label, value) rows in display order, each label once."""
    rows = dict(result.summary())
    elapsed = rows.pop("elapsed", None)
    report = result.report
    if report is not None:
        extra = _metric_rows(report.metrics, report.currency, dict(report.open_positions))
        rows.update((k, v) for k, v in extra if k not in rows)
    if elapsed is not None:
        rows["elapsed"] = elapsed
    return list(rows.items())
