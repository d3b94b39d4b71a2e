"""Backtest reports: the engine's HTML of a result, and reloading the JSON `--report` saves beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.transports.inprocess.loader import engine

if TYPE_CHECKING:
    from tradewire.sdk.result import RunResult
    from tradewire.sdk.transports.wire_samples import WireSamples

__all__ = ["from_wire", "load_saved", "render", "render_saved"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


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


def from_wire(samples: WireSamples, result: RunResult, parameters: dict[str, str]) -> Any:
    """The engine's BacktestResult of a backtest run over the wire, from its candles (`samples`) and
    trades: the same round trips, curve, metrics and report as the run in-process. The run's
    settings (commission and slippage models, account) stay on the gateway: the report says so."""
    import numpy as np

    from tradewire.protocol import messages as m

    te = engine()
    if samples.quotes:
        raise ConfigurationError(
            "a report over the wire is rebuilt from candles, and this backtest streamed quotes: "
            "run it in-process (tradewire backtest ... --report) for its report"
        )
    if result.account is None or result.start_cash is None:
        raise ConfigurationError("the run ended before the gateway reported its account: no results")
    fills = [
        te.FillRecord(
            t.id,
            t.order_id,
            t.symbol,
            "BUY" if t.side == m.Side.BUY else "SELL",
            Decimal(t.quantity),
            Decimal(t.price),
            Decimal(t.commission or "0"),
            bool(t.is_maker),
            _ns(t.timestamp),
        )
        for t in result.trades
    ]
    ts = np.frombuffer(samples.ts, dtype=np.int64).copy() if len(samples.ts) else np.array([], np.int64)
    # the strategy's symbols and those it traded, as in-process (a gateway streams all it serves)
    shown = None if samples.only is None else samples.only | {f.symbol for f in fills}
    prices = {
        s: np.frombuffer(v, dtype=np.float64).copy()
        for s, v in samples.marks.items()
        if shown is None or s in shown
    }
    engine_result = te.BacktestResult.from_records(
        symbols=list(prices),
        currency=result.account.currency,
        start_value=result.start_cash,
        final_value=Decimal(result.account.equity),
        steps=len(samples.ts),
        fills=fills,
        sample_ts=ts,
        prices=prices,
        slippage=None,
        settings={"settings": "set on the gateway (not visible to a client)"},
    )
    engine_result.parameters = dict(parameters)
    return engine_result


def _ns(when: dt.datetime | None) -> int:
    if when is None:
        return 0
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
