"""The HTML report: plotly charts (its JS embedded once, so the file opens offline) and tables."""

# Sections, each a <section id=...>: metrics, equity (with buy-and-hold), drawdown, monthly and yearly
# returns, rolling Sharpe and volatility, worst drawdowns, return distribution, trades, prices with
# aggregated trade markers, parameters and costs. Lines are min-max decimated for drawing only
# (analysis.decimate); the choice of plotly and its measured size and speed are in the README.

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

import numpy as np

from tradewire.engine.core.timestamps import ns_to_dt
from tradewire.engine.results import analysis
from tradewire.engine.results.metrics import Metrics, returns_of
from tradewire.engine.results.records import FillRecord, RoundTrip

__all__ = ["REPORT_HINT", "ReportSource", "render_html"]

#: What to install when plotly is missing: a command that works from a clone too (the internal
#: distributions are not on PyPI), and the extra that brings it.
REPORT_HINT = "the HTML report needs plotly: pip install 'plotly>=6' (the tradewire-engine[report] extra)"
MAX_POINTS = 4000  # per drawn line: enough for a full-width chart, light at any run length
MAX_TRADE_ROWS = 500
MARKER_BUCKETS = 200  # per side and price chart: one marker stands for every fill in its slice of time
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class ReportSource(Protocol):
    """What the report reads from a run's result (`BacktestResult` is one)."""

    @property
    def symbols(self) -> Sequence[str]: ...
    @property
    def currency(self) -> str: ...
    @property
    def steps(self) -> int: ...
    @property
    def start_value(self) -> Decimal: ...
    @property
    def final_value(self) -> Decimal: ...
    @property
    def equity_ts(self) -> np.ndarray: ...
    @property
    def equity(self) -> np.ndarray: ...
    @property
    def drawdown(self) -> np.ndarray: ...
    @property
    def prices(self) -> Mapping[str, np.ndarray]: ...
    @property
    def fills(self) -> Sequence[FillRecord]: ...
    @property
    def round_trips(self) -> Sequence[RoundTrip]: ...
    @property
    def open_positions(self) -> Mapping[str, Decimal]: ...
    @property
    def metrics(self) -> Metrics: ...
    @property
    def parameters(self) -> Mapping[str, str]: ...
    @property
    def settings(self) -> Mapping[str, str]: ...


def _plotly() -> tuple[Any, Any, str]:
    try:
        import plotly.graph_objects as go  # type: ignore[import-untyped]
        import plotly.io as pio  # type: ignore[import-untyped]
        from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]
    except ImportError:
        raise ImportError(REPORT_HINT) from None
    return go, pio, get_plotlyjs()


# ----------------------------------------------------------------------------------- formatting
def _e(text: object) -> str:
    return html.escape(str(text))


def _pct(v: float | None, signed: bool = False) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    return f"{v * 100:{'+' if signed else ''}.2f} %"


def _num(v: float | None) -> str:
    if v is None:
        return "n/a"
    return "∞" if math.isinf(v) else f"{v:.2f}"


def _money(v: float | Decimal | None, currency: str) -> str:
    return "n/a" if v is None else f"{Decimal(str(v)).quantize(Decimal('0.01')):,} {currency}"


def _cost(v: float | None, currency: str) -> str:
    if v is None:
        return "not reported over the wire"
    return _money(v, currency) if v else f"none ({_money(0, currency)})"


def _when(ns: int) -> str:
    return f"{ns_to_dt(ns):%Y-%m-%d %H:%M}"


def _held(ns: int) -> str:
    minutes = ns // 60_000_000_000
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins}m" if hours else f"{mins}m"


def _qty(q: Decimal) -> str:
    text = f"{q:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _marker_size(count: int) -> float:
    return min(14.0, 6.0 + 2.0 * math.log2(count))


def _dates(ts: np.ndarray) -> np.ndarray:
    return ts.astype("datetime64[ns]")


def _table(table_id: str, head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    attrs = f'id="{table_id}"' + (f' class="{cls}"' if cls else "")
    return f"<table {attrs}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _section(sid: str, title: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{_e(title)}</h2>{body}</section>'


# ----------------------------------------------------------------------------------- charts
class _Charts:
    def __init__(self, go: Any, pio: Any) -> None:
        self.go, self.pio = go, pio

    def render(self, div_id: str, fig: Any, height: int = 320) -> str:
        fig.update_layout(
            height=height,
            margin={"l": 70, "r": 20, "t": 30, "b": 40},
            template="plotly_white",
            hovermode="x unified",
            legend={"orientation": "h", "y": 1.12, "x": 0},
        )
        fig.update_xaxes(nticks=10, showspikes=True)
        fig.update_yaxes(nticks=8, separatethousands=True)
        config = {"displaylogo": False, "responsive": True}
        text: str = self.pio.to_html(
            fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=config
        )
        return text

    def line(self, ts: np.ndarray, ys: np.ndarray, name: str, **kw: Any) -> Any:
        x, y = analysis.decimate(ts, ys, MAX_POINTS)
        return self.go.Scatter(x=_dates(x), y=y, name=name, mode="lines", **kw)


def _equity_chart(c: _Charts, r: ReportSource) -> str:
    fig = c.go.Figure()
    fig.add_trace(c.line(r.equity_ts, r.equity, "strategy", line={"color": "#2563eb", "width": 1.6}))
    bench = analysis.benchmark(r.prices, float(r.start_value))
    if bench is not None:
        label = "buy and hold " + ", ".join(r.prices)
        fig.add_trace(c.line(r.equity_ts, bench, label, line={"color": "#9ca3af", "width": 1.2}))
    fig.update_yaxes(title_text=r.currency, tickformat=",.0f")
    return c.render("chart-equity", fig, 360)


def _drawdown_chart(c: _Charts, r: ReportSource) -> str:
    fig = c.go.Figure()
    fig.add_trace(
        c.line(r.equity_ts, r.drawdown * 100, "drawdown", fill="tozeroy", line={"color": "#dc2626"})
    )
    fig.update_yaxes(title_text="%", ticksuffix=" %")
    return c.render("chart-drawdown", fig, 240)


def _rolling_chart(c: _Charts, r: ReportSource, rets: np.ndarray) -> tuple[str, int]:
    m = r.metrics
    window = analysis.rolling_window(m.periods_per_year, rets.size)
    rf = (1 + m.risk_free_rate) ** (1 / m.periods_per_year) - 1 if m.periods_per_year > 0 else 0.0
    sharpe, vol = analysis.rolling_sharpe_vol(rets, window, m.periods_per_year, rf)
    fig = c.go.Figure()
    fig.add_trace(c.line(r.equity_ts, sharpe, "Sharpe", line={"color": "#7c3aed"}))
    fig.add_trace(c.line(r.equity_ts, vol * 100, "volatility %", yaxis="y2", line={"color": "#f59e0b"}))
    fig.update_layout(
        yaxis={"title": {"text": "Sharpe"}},
        yaxis2={"title": {"text": "volatility %"}, "overlaying": "y", "side": "right", "tickformat": ".1f"},
    )
    return c.render("chart-rolling", fig, 280), window


def _distribution_chart(c: _Charts, rets: np.ndarray) -> str:
    counts, centres = analysis.histogram(rets)
    fig = c.go.Figure()
    fig.add_trace(c.go.Bar(x=centres * 100, y=counts, name="samples", marker={"color": "#2563eb"}))
    fig.update_xaxes(title_text="return per sample (%)", ticksuffix=" %")
    fig.update_layout(hovermode="closest", bargap=0.02)
    return c.render("chart-distribution", fig, 260)


def _price_chart(c: _Charts, r: ReportSource, sym: str, px: np.ndarray, n: int) -> str:
    ts = r.equity_ts
    fig = c.go.Figure()
    fig.add_trace(c.line(ts, px, sym, line={"color": "#374151", "width": 1.1}))
    if ts.size:
        marks = analysis.marker_buckets(r.fills, sym, int(ts[0]), int(ts[-1]), MARKER_BUCKETS)
        for side, symbol, color in (("BUY", "triangle-up", "#16a34a"), ("SELL", "triangle-down", "#dc2626")):
            mine = [mk for mk in marks if mk[2] == side]
            if not mine:
                continue
            fig.add_trace(
                c.go.Scatter(
                    x=_dates(np.array([mk[0] for mk in mine], dtype=np.int64)),
                    y=[mk[1] for mk in mine],
                    mode="markers",
                    name=side.lower() + "s",
                    marker={"symbol": symbol, "color": color, "size": [_marker_size(mk[3]) for mk in mine]},
                    text=[f"{mk[3]} {side.lower()}{'s' if mk[3] > 1 else ''}" for mk in mine],
                    hovertemplate="%{text} at %{y:,.2f}<extra></extra>",
                )
            )
        # the markers' size must not widen the time axis past the data
        fig.update_xaxes(range=[_dates(ts[:1])[0], _dates(ts[-1:])[0]])
    return c.render(f"chart-price-{n}", fig, 320)


# ----------------------------------------------------------------------------------- tables
def _metrics_table(r: ReportSource) -> str:
    m, cur = r.metrics, r.currency
    cal = {"24/7": "24/7 market", "sessions": "exchange sessions", "calendar": "calendar year"}
    rows = [
        ("start value", _money(m.start_value, cur)),
        ("final value", _money(r.final_value, cur)),
        ("total return", _pct(m.total_return, True)),
        ("CAGR", _pct(m.cagr, True)),
        ("volatility (annual)", _pct(m.volatility)),
        ("Sharpe", _num(m.sharpe)),
        ("Sortino", _num(m.sortino)),
        ("Calmar", _num(m.calmar)),
        ("max drawdown", _pct(m.max_drawdown)),
        ("longest drawdown", f"{m.max_drawdown_days:,.1f} days"),
        ("risk-free rate", f"{_pct(m.risk_free_rate)} a year"),
        ("annualised by", f"{cal.get(m.calendar, m.calendar)}, {m.periods_per_year:,.6g} periods a year"),
        ("round trips", f"{m.trades:,}"),
        ("win rate", _pct(m.win_rate)),
        ("profit factor", _num(m.profit_factor)),
        ("average win", _money(m.avg_win, cur)),
        ("average loss", _money(m.avg_loss, cur)),
        ("exposure", _pct(m.exposure)),
        ("turnover", f"{m.turnover:.2f}×"),
        ("commission", _cost(m.fees, cur)),
        ("slippage", _cost(m.slippage, cur)),
        ("samples", f"{m.samples:,}"),
    ]
    return _table("metrics", ("metric", "value"), [(_e(k), _e(v)) for k, v in rows], "kv")


def _cell(v: float | None) -> str:
    if v is None:
        return ""
    alpha = min(0.85, abs(v) * 8 + 0.08)
    color = f"rgba(22,163,74,{alpha:.2f})" if v >= 0 else f"rgba(220,38,38,{alpha:.2f})"
    return f'<span class="heat" style="background:{color}">{v * 100:+.1f}</span>'


def _returns_table(r: ReportSource) -> str:
    months = analysis.period_returns(r.equity_ts, r.equity, float(r.start_value), "M")
    years = analysis.period_returns(r.equity_ts, r.equity, float(r.start_value), "Y")
    rows = []
    for year, total in years.items():
        cells = [_cell(months.get(f"{year}-{i:02d}")) for i in range(1, 13)]
        rows.append([f"<b>{_e(year)}</b>", *cells, _cell(total)])
    return _table("returns-table", ("year", *_MONTHS, "year %"), rows, "heatmap")


def _episodes_table(r: ReportSource) -> str:
    values = np.concatenate(([float(r.start_value)], r.equity))
    ts = np.concatenate((r.equity_ts[:1], r.equity_ts)) if r.equity_ts.size else r.equity_ts
    rows = []
    for i, ep in enumerate(analysis.drawdown_episodes(ts, values), 1):
        end = ep.recovery_ns if ep.recovery_ns is not None else int(ts[-1])
        rows.append(
            [
                str(i),
                _e(_when(ep.peak_ns)),
                _e(_when(ep.trough_ns)),
                _e(_when(ep.recovery_ns)) if ep.recovery_ns is not None else "not recovered",
                _e(_pct(ep.depth)),
                _e(_held(end - ep.peak_ns)),
            ]
        )
    if not rows:
        return "<p>No drawdown: equity never fell below a previous high.</p>"
    return _table("drawdowns-table", ("#", "peak", "trough", "recovered", "depth", "length"), rows)


def _trades_table(r: ReportSource) -> str:
    trips = list(r.round_trips)
    shown = trips if len(trips) <= MAX_TRADE_ROWS else trips[:250] + trips[-250:]
    rows = [
        [
            _e(t.symbol),
            _e(t.side),
            _e(_qty(t.quantity)),
            _e(_when(t.entry_time_ns)),
            _e(f"{t.entry_price:,.2f}"),
            _e(_when(t.exit_time_ns)),
            _e(f"{t.exit_price:,.2f}"),
            f'<span class="{"pos" if t.pnl >= 0 else "neg"}">{_e(_money(t.pnl, r.currency))}</span>',
            _e(_money(t.fees, r.currency)),
            _e(_held(t.exit_time_ns - t.entry_time_ns)),
        ]
        for t in shown
    ]
    head = ("symbol", "side", "qty", "entry", "entry price", "exit", "exit price", "P&L", "fees", "held")
    note = ""
    if len(trips) > len(shown):
        note = f"<p>{len(trips):,} round trips: the first and last 250 are listed (all are in the JSON).</p>"
    if not trips:
        note = "<p>No round trips: no position went back to flat.</p>"
    opened = [(s, q) for s, q in r.open_positions.items() if q]
    if opened:
        held = ", ".join(f"{_e(s)} {_e(_qty(q))}" for s, q in opened)
        note += f'<p id="open-positions">Open at the end: {held}.</p>'
    return note + (_table("trades-table", head, rows) if rows else "")


def _parameters_table(r: ReportSource) -> str:
    rows = [(_e(k), _e(v)) for k, v in r.parameters.items()]
    rows += [(_e(k), _e(v)) for k, v in r.settings.items()]
    if not rows:
        return "<p>No parameters recorded.</p>"
    return _table("parameters-table", ("name", "value"), rows, "kv")


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;
color:#1d2330;background:#fff;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}p.sub{color:#5b6475;margin:0 0 18px}h2{font-size:17px;margin:26px 0 8px}
table{border-collapse:collapse;font-size:13px}td,th{padding:4px 10px;border-bottom:1px solid #e3e6ec;
text-align:right;font-variant-numeric:tabular-nums}th{background:#f5f6f8}
table.kv td:first-child{text-align:left}.cols{display:flex;gap:28px;flex-wrap:wrap}
.heat{display:inline-block;min-width:44px;padding:1px 4px;border-radius:3px}
.pos{color:#15803d}.neg{color:#b91c1c}#trades-table{display:block;max-height:480px;overflow:auto}
"""


def render_html(result: ReportSource, title: str = "Tradewire backtest") -> str:
    """The report as one HTML string (needs plotly: the `report` extra)."""
    go, pio, plotly_js = _plotly()
    r = result
    c = _Charts(go, pio)
    ts = r.equity_ts
    rets = returns_of(r.equity, float(r.start_value))
    period = f"{_when(int(ts[0]))} → {_when(int(ts[-1]))} UTC" if ts.size else "no data"
    sub = (
        f"{_e(', '.join(r.symbols))} · {period} · {r.steps:,} steps · {len(r.fills):,} fills · "
        f"final value {_e(_money(r.final_value, r.currency))}"
    )
    rolling, window = _rolling_chart(c, r, rets)
    prices = "".join(_price_chart(c, r, s, px, i) for i, (s, px) in enumerate(r.prices.items()))
    sections = [
        _section("metrics", "Metrics", _metrics_table(r)),
        _section("equity", "Equity and buy-and-hold benchmark", _equity_chart(c, r)),
        _section("drawdown", "Drawdown", _drawdown_chart(c, r)),
        _section("returns", "Monthly and yearly returns (%)", _returns_table(r)),
        _section("rolling", f"Rolling Sharpe and volatility ({window:,} samples)", rolling),
        _section("worst-drawdowns", "Worst drawdowns", _episodes_table(r)),
        _section("distribution", "Return distribution", _distribution_chart(c, rets)),
        _section("trades", "Trades", _trades_table(r)),
        _section("prices", "Prices and trades", prices or "<p>No prices saved.</p>"),
        _section("parameters", "Parameters and costs", _parameters_table(r)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{plotly_js}</script></head><body>'
        f'<h1>{_e(title)}</h1><p class="sub">{sub}</p>'
        f"{''.join(sections)}</body></html>\n"
    )
