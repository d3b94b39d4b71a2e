"""BacktestResult: fills, round trips, equity curve and metrics as Python objects, DataFrames and files."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tradewire.engine.core.numbers import fmt_qty, fmt_scaled
from tradewire.engine.core.timestamps import ns_to_dt
from tradewire.engine.results.curve import equity_curve, marks_of
from tradewire.engine.results.metrics import Metrics, compute_metrics, drawdown
from tradewire.engine.results.records import FillRecord, RoundTrip
from tradewire.engine.results.report import render_html
from tradewire.engine.results.trips import round_trips

if TYPE_CHECKING:
    from tradewire.engine.simulation import Simulation

__all__ = ["BacktestResult"]


class BacktestResult:
    """What a run produced. Fills, round trips and metrics are computed on first use (a run's
    timing never pays for reports nobody reads); `*_frame()` need pandas.

    `to_json` / `to_dict` save it; `BacktestResult.from_json` / `from_dict` restore a saved result
    (fills, round trips, equity curve, prices, metrics, values) so that its reports can be
    rendered again (`html()`, `to_html()`, `summary()`, the frames).

    Attributes:
        title: The report title (None: the default), saved and restored with the result.
        parameters: The strategy's parameters (name -> text) shown in the report; the SDK fills them.
        settings: The run's settings that shape its numbers (costs, account, fills, risk-free rate).
    """

    def __init__(self, sim: Simulation) -> None:
        k = sim.kernel
        self._sim: Simulation | None = sim
        self.title: str | None = None
        self.parameters: dict[str, str] = {}
        self.settings = _settings(sim)
        self.symbols = [i.symbol for i in k.instruments]
        self.currency = sim.config.currency
        self.steps = sim.steps
        self.liquidations = k.liquidations
        self.start_value = _money(_start_cash(sim), k.ms)
        self.end_value = _money(k.equity(), k.ms)
        self._computed = False

    @property
    def buys(self) -> int:
        """Number of BUY fills."""
        if self._sim is None:
            return sum(1 for f in self.fills if f.side == "BUY")
        return self._sim.kernel.fills.count_side(1)

    @property
    def sells(self) -> int:
        """Number of SELL fills."""
        if self._sim is None:
            return sum(1 for f in self.fills if f.side == "SELL")
        return self._sim.kernel.fills.count_side(2)

    def __getattr__(self, name: str) -> Any:
        if name in (
            "fills",
            "round_trips",
            "equity_ts",
            "equity",
            "prices",
            "metrics",
            "open_positions",
        ) and not self.__dict__.get("_computed", True):
            self._compute()
            return getattr(self, name)
        raise AttributeError(name)

    @classmethod
    def from_simulation(cls, sim: Simulation) -> BacktestResult:
        return cls(sim)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BacktestResult:
        """Restore a result from what `to_dict` returned (or `to_json` wrote, parsed).

        Results saved without "symbols" take them from the fills; without "prices", the report
        has no price charts.

        Raises:
            KeyError, TypeError, ValueError: `data` is not a saved result.
        """
        if not isinstance(data, dict):
            raise TypeError(f"a saved result is a JSON object, not {type(data).__name__}")
        try:
            return cls._restore(data)
        except InvalidOperation:
            raise ValueError("a saved decimal field is not a decimal number") from None

    @classmethod
    def _restore(cls, data: dict[str, Any]) -> BacktestResult:
        self = cls.__new__(cls)
        self._sim = None
        self.title = data.get("title")
        self.parameters = {str(k): str(v) for k, v in (data.get("parameters") or {}).items()}
        self.settings = {str(k): str(v) for k, v in (data.get("settings") or {}).items()}
        self.currency = data["currency"]
        self.steps = int(data["steps"])
        self.liquidations = int(data.get("liquidations", 0))
        self.start_value = Decimal(data["start_value"])
        self.end_value = Decimal(data["final_value"])
        self.fills = [
            FillRecord(
                f["id"],
                f["order_id"],
                f["symbol"],
                f["side"],
                Decimal(f["quantity"]),
                Decimal(f["price"]),
                Decimal(f["commission"]),
                bool(f["is_maker"]),
                _parse_ns(f["time"]),
            )
            for f in data["fills"]
        ]
        self.round_trips = [
            RoundTrip(
                r["symbol"],
                r["side"],
                Decimal(r["quantity"]),
                _parse_ns(r["entry_time"]),
                _parse_ns(r["exit_time"]),
                Decimal(r["entry_price"]),
                Decimal(r["exit_price"]),
                Decimal(r["pnl"]),
                Decimal(r["fees"]),
            )
            for r in data.get("round_trips", [])
        ]
        symbols = data.get("symbols")
        self.symbols = list(symbols) if symbols else sorted({f.symbol for f in self.fills})
        equity = data["equity"]
        if isinstance(equity, dict):  # columns: the compact form to_dict writes
            self.equity_ts = np.array(equity["time_ns"], dtype=np.int64)
            self.equity = np.array(equity["value"], dtype=np.float64)
        else:  # one object per sample, as older results saved it
            self.equity_ts = np.array([_parse_ns(e["time"]) for e in equity], dtype=np.int64)
            self.equity = np.array([float(e["equity"]) for e in equity], dtype=np.float64)
        self.prices = {
            s: np.array([float(x) for x in v], dtype=np.float64)
            for s, v in (data.get("prices") or {}).items()
        }
        names = set(Metrics.__dataclass_fields__)
        values: dict[str, Any] = {
            k: float(v) if isinstance(v, str) and k != "calendar" else v
            for k, v in data["metrics"].items()
            if k in names
        }
        self.metrics = Metrics(**values)
        self.open_positions = {s: Decimal(q) for s, q in (data.get("open_positions") or {}).items()}
        self._computed = True
        return self

    @classmethod
    def from_json(cls, path: str | Path) -> BacktestResult:
        """Restore a result from the file `to_json` wrote (see `from_dict`).

        Raises:
            OSError: the file cannot be read.
            KeyError, TypeError, ValueError: it is not a saved result (ValueError: not JSON).
        """
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def from_records(
        cls,
        *,
        symbols: Sequence[str],
        currency: str,
        start_value: Decimal,
        final_value: Decimal,
        steps: int,
        fills: Sequence[FillRecord],
        sample_ts: np.ndarray,
        prices: Mapping[str, np.ndarray],
        risk_free_rate: float = 0.0,
        slippage: float | None = 0.0,
        settings: Mapping[str, str] | None = None,
        liquidations: int = 0,
    ) -> BacktestResult:
        """A result from what a run showed: its fills, and each symbol's mark at every sample time
        (NaN before its first price). The SDK builds one from a backtest seen over the wire; round
        trips, the equity curve, metrics and the report come from the same code as in-process."""
        self = cls.__new__(cls)
        self._sim = None
        self.title = None
        self.parameters = {}
        self.settings = dict(settings or {})
        self.symbols = list(symbols)
        self.currency = currency
        self.steps = steps
        self.liquidations = liquidations
        self.start_value = start_value
        self.end_value = final_value
        self._derive(list(fills), sample_ts, dict(prices), risk_free_rate, slippage)
        return self

    def _compute(self) -> None:
        sim = self._sim
        assert sim is not None
        k = sim.kernel
        ms, qs = k.ms, k.qs
        ins = k.instruments
        fills = [
            FillRecord(
                f.id,
                f.order_id,
                ins[f.sym].symbol,
                "BUY" if f.side == 1 else "SELL",
                Decimal(fmt_qty(f.qty, qs)),
                Decimal(fmt_scaled(f.price, ins[f.sym].price_scale)),
                _money(f.commission, ms),
                f.is_maker,
                f.ts,
            )
            for f in k.fills
        ]
        ts = (
            np.frombuffer(sim.eq_ts, dtype=np.int64).copy()
            if len(sim.eq_ts)
            else np.array([], dtype=np.int64)
        )
        prices = {i.symbol: marks_of(sim.px_raw[i.index], i.price_scale) for i in ins}
        slippage = float(Decimal(k.slippage_cost).scaleb(-ms))
        self._derive(fills, ts, prices, float(sim.config.risk_free_rate), slippage)

    def _derive(
        self,
        fills: list[FillRecord],
        ts: np.ndarray,
        prices: dict[str, np.ndarray],
        risk_free_rate: float,
        slippage: float | None,
    ) -> None:
        """Round trips, the equity curve and the metrics from the fills and the sampled marks."""
        end_ns = int(ts[-1]) if ts.size else 0
        stats = round_trips(fills, end_ns)
        eq = equity_curve(ts, prices, fills, self.start_value)
        span = end_ns - int(ts[0]) if ts.size else 0
        metrics = compute_metrics(
            ts,
            eq,
            float(self.start_value),
            [float(t.pnl) for t in stats.trips],
            stats.exposed_ns / span if span > 0 else 0.0,
            float(stats.notional),
            float(sum((f.commission for f in fills), Decimal(0))),
            slippage=slippage,
            risk_free_rate=risk_free_rate,
        )
        self.fills, self.round_trips, self.equity_ts, self.equity = fills, stats.trips, ts, eq
        self.prices, self.metrics, self.open_positions = prices, metrics, stats.open_positions
        self._computed = True

    # ------------------------------------------------------------------ views
    @property
    def final_value(self) -> Decimal:
        """Exact equity at the end (cash + positions at their last price)."""
        return self.end_value

    @property
    def drawdown(self) -> np.ndarray:
        return drawdown(self.equity)

    def summary(self) -> str:
        m = self.metrics
        sharpe = "n/a" if m.sharpe is None else f"{m.sharpe:.2f}"
        return (
            f"{self.steps} steps, {len(self.fills)} fills, {m.trades} round trips; "
            f"final value {self.end_value} {self.currency} ({m.total_return:+.2%}), "
            f"Sharpe {sharpe} (risk-free {m.risk_free_rate:.2%}), max drawdown {m.max_drawdown:.2%}"
        )

    def fills_frame(self) -> Any:
        import pandas as pd  # type: ignore[import-untyped]

        rows = [asdict(f) for f in self.fills]
        df = pd.DataFrame(rows, columns=[f for f in FillRecord.__slots__])
        df["time"] = pd.to_datetime(df.pop("time_ns"), unit="ns", utc=True)
        return df

    def round_trips_frame(self) -> Any:
        import pandas as pd

        df = pd.DataFrame([asdict(t) for t in self.round_trips], columns=list(RoundTrip.__slots__))
        df["entry_time"] = pd.to_datetime(df.pop("entry_time_ns"), unit="ns", utc=True)
        df["exit_time"] = pd.to_datetime(df.pop("exit_time_ns"), unit="ns", utc=True)
        return df

    def equity_frame(self) -> Any:
        import pandas as pd

        idx = pd.DatetimeIndex(pd.to_datetime(self.equity_ts, unit="ns", utc=True), name="time")
        return pd.DataFrame({"equity": self.equity, "drawdown": self.drawdown}, index=idx)

    def metrics_frame(self) -> Any:
        import pandas as pd

        return pd.Series(self.metrics.to_dict(), name="value").to_frame()

    # ------------------------------------------------------------------ exports
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: decimals as text, times as RFC 3339, non-finite floats as text
        ("nan", "inf"). `from_dict` restores it."""

        def t(ns: int) -> str:
            return ns_to_dt(ns).isoformat().replace("+00:00", "Z")

        def num(v: Any) -> Any:
            return str(v) if isinstance(v, float) and not math.isfinite(v) else v

        out: dict[str, Any] = {} if self.title is None else {"title": self.title}
        return out | {
            "parameters": dict(self.parameters),
            "settings": dict(self.settings),
            "currency": self.currency,
            "start_value": str(self.start_value),
            "final_value": str(self.end_value),
            "steps": self.steps,
            "metrics": {k: num(v) for k, v in self.metrics.to_dict().items()},
            "fills": [
                {
                    "id": f.id,
                    "order_id": f.order_id,
                    "symbol": f.symbol,
                    "side": f.side,
                    "quantity": str(f.quantity),
                    "price": str(f.price),
                    "commission": str(f.commission),
                    "is_maker": f.is_maker,
                    "time": t(f.time_ns),
                }
                for f in self.fills
            ],
            "round_trips": [
                {
                    "symbol": r.symbol,
                    "side": r.side,
                    "quantity": str(r.quantity),
                    "entry_time": t(r.entry_time_ns),
                    "exit_time": t(r.exit_time_ns),
                    "entry_price": str(r.entry_price),
                    "exit_price": str(r.exit_price),
                    "pnl": str(r.pnl),
                    "fees": str(r.fees),
                }
                for r in self.round_trips
            ],
            # columns, not an object per sample: a 2 M-bar run's curve stays a few tens of MB
            "equity": {"time_ns": self.equity_ts.tolist(), "value": self.equity.tolist()},
            "symbols": list(self.symbols),
            "liquidations": self.liquidations,
            "open_positions": {s: str(q) for s, q in self.open_positions.items()},
            "prices": {s: [num(float(x)) for x in v] for s, v in self.prices.items()},
        }

    def to_json(self, path: str | Path) -> Path:
        """Write `to_dict()` as JSON to `path` (`from_json` reads it back)."""
        p = Path(path)
        p.write_text(json.dumps(self.to_dict(), indent=1))
        return p

    def to_parquet(self, directory: str | Path) -> list[Path]:
        """fills.parquet, round_trips.parquet, equity.parquet and metrics.parquet in `directory`
        (needs pandas and pyarrow: the `parquet` and `pandas` extras)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out = []
        for name, df in (
            ("fills", self.fills_frame()),
            ("round_trips", self.round_trips_frame()),
            ("equity", self.equity_frame()),
            ("metrics", self.metrics_frame()),
        ):
            df = df.copy()
            for c in df.columns:
                if df[c].dtype == object:
                    df[c] = df[c].astype(str)  # decimals travel as exact text
            path = d / f"{name}.parquet"
            df.to_parquet(path)
            out.append(path)
        return out

    def html(self, title: str | None = None) -> str:
        """The self-contained HTML report as text (title: `title`, else `self.title`, else the default)."""
        return render_html(self, title or self.title or "Tradewire backtest")

    def to_html(self, path: str | Path, title: str | None = None) -> Path:
        """Write the self-contained HTML report (plotly charts with its JS embedded: nothing is
        downloaded when it opens) to `path`. Needs plotly, the `report` extra."""
        p = Path(path)
        p.write_text(self.html(title), encoding="utf-8")
        return p


def _parse_ns(text: str) -> int:
    """Nanoseconds since the epoch of the RFC 3339 UTC text `to_dict` writes."""
    return int(np.datetime64(text.rstrip("Zz"), "ns").astype(np.int64))


def _money(n: int, scale: int) -> Decimal:
    """Exact money Decimal without trailing zeros past the cents."""
    from tradewire.engine.core.numbers import fmt_money

    return Decimal(fmt_money(n, scale))


def _settings(sim: Simulation) -> dict[str, str]:
    """The config fields that shape a run's numbers, as text for the report."""
    c = sim.config
    return {
        "commission": repr(c.commission),
        "slippage": repr(c.slippage),
        "account": c.account,
        "leverage": str(c.leverage),
        "fill at": c.fill_at,
        "risk-free rate": f"{Decimal(c.risk_free_rate):%}" if Decimal(c.risk_free_rate) else "0 %",
    }


def _start_cash(sim: Simulation) -> int:
    from tradewire.engine.core.numbers import parse_scaled

    return parse_scaled(Decimal(sim.config.cash), sim.kernel.ms)
