"""A self-contained HTML report: inline SVG charts (equity, drawdown, price with trade markers) and metrics."""

# No scripts, fonts or styles are fetched: the file opens offline in any browser.

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

import numpy as np

from tradewire.engine.core.timestamps import ns_to_dt
from tradewire.engine.results.metrics import Metrics
from tradewire.engine.results.records import FillRecord

__all__ = ["ReportSource", "render_html"]


class ReportSource(Protocol):
    """What the report reads from a run's result (`BacktestResult` is one)."""

    @property
    def symbols(self) -> Sequence[str]: ...
    @property
    def currency(self) -> str: ...
    @property
    def steps(self) -> int: ...
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
    def metrics(self) -> Metrics: ...


W, H, PAD = 900, 260, 48
PADL = 84  # room for the widest y labels ("31,752.80")


def _scale(values: np.ndarray, lo: float, hi: float, a: float, b: float) -> np.ndarray:
    span = hi - lo or 1.0
    return a + (values - lo) / span * (b - a)


def _axis_labels(t0: int, t1: int, lo: float, hi: float, fmt: str) -> str:
    parts = []
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        y = H - PAD - (H - 2 * PAD) * i / 4
        parts.append(
            f'<text x="{PADL - 6}" y="{y + 4:.1f}" text-anchor="end" class="ax">{format(v, fmt)}</text>'
            f'<line x1="{PADL}" x2="{W - PAD}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
    for i in range(5):
        t = t0 + (t1 - t0) * i // 4
        x = PADL + (W - PADL - PAD) * i / 4
        parts.append(
            f'<text x="{x:.1f}" y="{H - PAD + 18}" text-anchor="middle" class="ax">'
            f"{ns_to_dt(t):%Y-%m-%d}</text>"
        )
    return "".join(parts)


def _line_chart(
    title: str,
    ts: np.ndarray,
    ys: np.ndarray,
    css: str,
    fmt: str,
    fill_to_zero: bool = False,
    markers: list[tuple[int, float, str]] | None = None,
) -> str:
    ok = np.isfinite(ys)
    ts, ys = ts[ok], ys[ok]
    if ts.size == 0:
        return f"<figure><figcaption>{html.escape(title)}</figcaption><p>no data</p></figure>"
    t0, t1 = int(ts[0]), int(ts[-1]) if ts[-1] != ts[0] else int(ts[0]) + 1
    lo, hi = float(ys.min()), float(ys.max())
    if markers:
        lo = min(lo, *(m[1] for m in markers))
        hi = max(hi, *(m[1] for m in markers))
    if fill_to_zero:
        hi = max(hi, 0.0)
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    xs = _scale(ts.astype(np.float64), t0, t1, PADL, W - PAD)
    yy = _scale(ys, lo, hi, H - PAD, PAD)
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs.tolist(), yy.tolist(), strict=True))
    body = [_axis_labels(t0, t1, lo, hi, fmt)]
    if fill_to_zero:
        z = float(_scale(np.array([0.0]), lo, hi, H - PAD, PAD)[0])
        body.append(f'<polygon points="{xs[0]:.1f},{z:.1f} {pts} {xs[-1]:.1f},{z:.1f}" class="{css}-area"/>')
    body.append(f'<polyline points="{pts}" class="{css}"/>')
    for t, price, side in markers or []:
        x = float(_scale(np.array([float(t)]), t0, t1, PADL, W - PAD)[0])
        y = float(_scale(np.array([price]), lo, hi, H - PAD, PAD)[0])
        if side == "BUY":
            body.append(
                f'<path d="M{x:.1f},{y - 2:.1f} l-5,9 h10 z" class="buy"><title>BUY {price}</title></path>'
            )
        else:
            body.append(
                f'<path d="M{x:.1f},{y + 2:.1f} l-5,-9 h10 z" class="sell"><title>SELL {price}</title></path>'
            )
    return (
        f"<figure><figcaption>{html.escape(title)}</figcaption>"
        f'<svg viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{html.escape(title)}">'
        f"{''.join(body)}</svg></figure>"
    )


def _fmt_metric(name: str, v: float | int | str | None) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, (int, str)):
        return str(v)
    if not math.isfinite(v):
        return "∞" if v > 0 else "–"
    pct = {"total_return", "cagr", "volatility", "max_drawdown", "win_rate", "exposure"}
    if name in pct:
        return f"{v:.2%}"
    if name in ("start_value", "end_value", "fees"):
        return f"{v:,.2f}"
    return f"{v:.3f}"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 4px} p.sub{color:#5b6475;margin:0 0 18px}
figure{margin:0 0 22px} figcaption{font-weight:600;margin-bottom:4px}
svg{border:1px solid #e3e6ec;border-radius:6px;background:#fcfcfd}
.ax{font-size:11px;fill:#6b7385}.grid{stroke:#eceef3;stroke-width:1}
.eq{fill:none;stroke:#2563eb;stroke-width:1.6}.px{fill:none;stroke:#374151;stroke-width:1.2}
.dd{fill:none;stroke:#dc2626;stroke-width:1.2}.dd-area{fill:#fca5a5;opacity:.45;stroke:none}
.buy{fill:#16a34a}.sell{fill:#dc2626}
table{border-collapse:collapse;min-width:420px}td,th{padding:5px 12px;border-bottom:1px solid #e3e6ec;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
"""


def render_html(result: ReportSource, title: str = "Tradewire backtest", max_markers: int = 400) -> str:
    """The report as one HTML string."""
    ts = result.equity_ts
    rows = "".join(
        f'<tr><th>{html.escape(k.replace("_", " "))}</th><td class="num">{_fmt_metric(k, v)}</td></tr>'
        for k, v in result.metrics.to_dict().items()
    )
    charts = [
        _line_chart(f"Equity ({result.currency})", ts, result.equity, "eq", ",.0f"),
        _line_chart("Drawdown (%)", ts, result.drawdown * 100.0, "dd", ".1f", fill_to_zero=True),
    ]
    for sym, px in result.prices.items():
        fills = [f for f in result.fills if f.symbol == sym]
        step = max(1, len(fills) // max_markers)  # keep the SVG light on busy runs
        markers = [(f.time_ns, float(f.price), f.side) for f in fills[::step]]
        charts.append(_line_chart(f"{sym} price and trades", ts, px, "px", ",.2f", markers=markers))
    period = ""
    if ts.size:
        period = f"{ns_to_dt(int(ts[0])):%Y-%m-%d} → {ns_to_dt(int(ts[-1])):%Y-%m-%d}"
    sub = (
        f"{html.escape(', '.join(result.symbols))} · {period} · {result.steps:,} steps · "
        f"{len(result.fills):,} fills · final value {html.escape(str(result.final_value))} {html.escape(result.currency)}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="sub">{sub}</p>'
        f"{''.join(charts)}"
        f'<h2>Metrics</h2><table id="metrics"><tbody>{rows}</tbody></table>'
        "</body></html>\n"
    )
