"""The offline HTML sweep report: objective heat map, its distribution, walk-forward and the statistics."""

# One self-contained file (inline SVG and CSS, no script, nothing fetched), readable from disk.

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tradewire.sdk.sweep.result import SweepResult

__all__ = ["render_report", "write_report"]

_W, _H = 640, 260
_CSS = """body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:980px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}table{border-collapse:collapse}
td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}th{background:#f6f6f6}
td:first-child,th:first-child{text-align:left}svg text{font:11px system-ui,sans-serif}
.note{color:#666;font-size:12px}"""


def _color(t: float) -> str:
    """Red (0) through yellow to green (1)."""
    t = min(max(t, 0.0), 1.0)
    r, g = (255, int(510 * t)) if t < 0.5 else (int(510 * (1 - t)), 200)
    return f"rgb({r},{g},60)"


def _finite(values: Sequence[Any]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def _heatmap(result: SweepResult, rows: Sequence[dict[str, Any]], x: str, y: str) -> str:
    """The best objective for each (x, y) pair over every other parameter."""
    xs = next(p.values for p in result.space if p.name == x)
    ys = next(p.values for p in result.space if p.name == y)
    cells: dict[tuple[Any, Any], float] = {}
    for r in rows:
        v = r["objective"]
        if r["status"] == "ok" and v is not None and math.isfinite(v):
            k = (r[x], r[y])
            cells[k] = max(cells.get(k, -math.inf), v)
    if not cells:
        return "<p>no finished trial to map</p>"
    lo, hi = min(cells.values()), max(cells.values())
    cw, ch = max(14, min(48, 560 // len(xs))), max(12, min(32, 360 // len(ys)))
    width, height = 70 + cw * len(xs), 40 + ch * len(ys)
    parts = [f'<svg width="{width}" height="{height}" role="img">']
    for j, yv in enumerate(reversed(ys)):
        parts.append(
            f'<text x="64" y="{20 + ch * j + ch * 0.7}" text-anchor="end">{html.escape(str(yv))}</text>'
        )
        for i, xv in enumerate(xs):
            v = cells.get((xv, yv))
            fill = "#eee" if v is None else _color((v - lo) / (hi - lo) if hi > lo else 1.0)
            tip = f"{x}={xv} {y}={yv}: " + ("not run" if v is None else f"{v:.4f}")
            parts.append(
                f'<rect x="{70 + cw * i}" y="{20 + ch * j}" width="{cw - 1}" height="{ch - 1}" fill="{fill}">'
                f"<title>{html.escape(tip)}</title></rect>"
            )
    for i, xv in enumerate(xs):
        if len(xs) <= 20 or i % math.ceil(len(xs) / 20) == 0:
            parts.append(
                f'<text x="{70 + cw * i + cw / 2}" y="{height - 6}" text-anchor="middle">{html.escape(str(xv))}</text>'
            )
    caption = f"<p>{html.escape(y)} (rows) by {html.escape(x)} (columns): red {lo:.4g}, green {hi:.4g}</p>"
    return caption + "".join(parts) + "</svg>"


def _histogram(values: Sequence[float], label: str) -> str:
    if not values:
        return "<p>no finished trial</p>"
    lo, hi = min(values), max(values)
    bins = max(5, min(40, int(math.sqrt(len(values))) + 1))
    width = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / width))] += 1
    top = max(counts)
    bw = (_W - 60) / bins
    parts = [f'<svg width="{_W}" height="{_H}" role="img">']
    for i, c in enumerate(counts):
        h = (_H - 50) * c / top
        parts.append(
            f'<rect x="{50 + i * bw}" y="{_H - 30 - h}" width="{bw - 1}" height="{h}" fill="#4a7bd0">'
            f"<title>{lo + i * width:.4g} … {lo + (i + 1) * width:.4g}: {c}</title></rect>"
        )
    parts.append(f'<text x="50" y="{_H - 12}">{lo:.4g}</text>')
    parts.append(f'<text x="{_W - 10}" y="{_H - 12}" text-anchor="end">{hi:.4g}</text>')
    parts.append(
        f'<text x="50" y="14">{html.escape(label)}: {len(values)} trials, most {top} in a bin</text>'
    )
    return "".join(parts) + "</svg>"


def _lines(series: Sequence[tuple[str, str, Sequence[float]]], title: str) -> str:
    """Polylines (name, color, values) on one scale, x by index."""
    values = [v for _, _, vs in series for v in vs]
    if not values:
        return "<p>no data</p>"
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    n = max(len(vs) for _, _, vs in series)
    parts = [f'<svg width="{_W}" height="{_H}" role="img"><text x="50" y="14">{html.escape(title)}</text>']
    for k, (name, color, vs) in enumerate(series):
        pts = " ".join(
            f"{50 + (_W - 60) * i / max(n - 1, 1):.1f},{_H - 30 - (_H - 60) * (v - lo) / span:.1f}"
            for i, v in enumerate(vs)
        )
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{pts}"/>')
        parts.append(
            f'<text x="{_W - 10}" y="{30 + 14 * k}" text-anchor="end" fill="{color}">{html.escape(name)}</text>'
        )
    parts.append(f'<text x="46" y="{_H - 30}" text-anchor="end">{lo:.4g}</text>')
    parts.append(f'<text x="46" y="34" text-anchor="end">{hi:.4g}</text>')
    return "".join(parts) + "</svg>"


def _table(header: Sequence[str] | None, rows: Sequence[Sequence[Any]]) -> str:
    if header is None:
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows
        )
        return f"<table>{body}</table>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1 else f"{value:.4f}"
    return "-" if value is None else str(value)


def _day(ns: int) -> str:
    import datetime as dt

    return (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=ns // 1000)).strftime("%Y-%m-%d")


def render_report(result: SweepResult, heatmap: tuple[str, str] | None = None) -> str:
    """The report as one HTML document."""
    names = [p.name for p in result.space]
    scored = [r for r in result.rows if r["phase"] == ("train" if result.windows else "full")]
    if result.windows:
        scored = [r for r in scored if r["window"] == len(result.windows) - 1]
    out = [f"<!doctype html><meta charset=utf-8><title>{html.escape(result.strategy)} sweep</title>"]
    out.append(
        f"<style>{_CSS}</style><h1>{html.escape(result.strategy)} sweep: {html.escape(result.objective)}</h1>"
    )
    s = result.statistics
    stats = [
        ("backtests", f"{len(result.rows)} ({result.failed} failed)"),
        ("best parameters", ", ".join(f"{k}={v}" for k, v in (result.best_params or {}).items()) or "-"),
        (f"best {result.objective}", None if result.best is None else result.best["objective"]),
        ("deflated Sharpe ratio (best trial)", s.deflated_sharpe),
        ("probability of backtest overfitting (CSCV)", s.pbo),
        ("trials / daily observations / CSCV blocks", f"{s.trials} / {s.observations} / {s.groups}"),
    ]
    if result.interrupted:
        stats.append(("interrupted", "yes: the table holds the trials that finished"))
    out.append("<h2>Summary</h2>" + _table(None, stats))
    if result.windows:
        out.append(
            '<p class="note">The statistics above and the map are over the last window\'s in-sample '
            "trials (the parameters one would trade next); each window's own are in the walk-forward "
            "table.</p>"
        )
    out.append(
        '<p class="note">Deflated Sharpe ratio: the probability that the best trial\'s true Sharpe ratio is '
        "above zero, given how many trials it was chosen from (Bailey &amp; López de Prado 2014). PBO: how "
        "often the in-sample best ranks in the lower half out of sample (Bailey et al. 2017); near 0.5 or "
        "above means the choice is no better than chance.</p>"
    )
    if len(names) >= 2:
        x, y = heatmap or (names[0], names[1])
        out.append(f"<h2>{html.escape(result.objective)} over {html.escape(x)} × {html.escape(y)}</h2>")
        out.append(_heatmap(result, scored, x, y))
    out.append("<h2>Distribution of the objective</h2>")
    out.append(_histogram(_finite([r["objective"] for r in scored if r["status"] == "ok"]), result.objective))
    if result.windows:
        out.append("<h2>Walk-forward</h2>")
        wrows = [
            (
                w.index,
                _day(w.train_start),
                _day(w.test_start),
                _day(w.test_end - 1),
                w.params,
                w.in_sample,
                w.out_of_sample,
                w.statistics.deflated_sharpe,
                w.statistics.pbo,
            )
            for w in result.windows
        ]
        heads = ["window", "train from", "test from", "test to", "chosen", "in-sample", "out-of-sample"]
        out.append(_table([*heads, "deflated Sharpe", "PBO"], wrows))
        oos = result.out_of_sample
        if oos is not None:
            efficiency = "-" if oos.efficiency is None else f"{oos.efficiency:.2f}"
            summary = [
                ("windows scored out of sample", oos.windows),
                ("windows with a positive out-of-sample objective", f"{oos.positive} of {oos.windows}"),
                ("out-of-sample days (stitched)", oos.days),
                ("out-of-sample return (compounded)", f"{oos.total_return:.2%}"),
                ("out-of-sample daily Sharpe ratio", oos.sharpe),
                ("walk-forward efficiency (mean out / mean in)", efficiency),
            ]
            out.append(_table(None, summary))
        ins = [w.in_sample for w in result.windows if w.in_sample is not None]
        outs = [w.out_of_sample for w in result.windows if w.out_of_sample is not None]
        out.append(
            _lines(
                [("in-sample", "#4a7bd0", ins), ("out-of-sample", "#d0704a", outs)],
                f"{result.objective} per window",
            )
        )
        equity, value = [], 1.0
        for w in result.windows:
            for r in w.test_returns:
                value *= 1.0 + r
                equity.append(value)
        out.append(
            _lines(
                [("out-of-sample equity (stitched)", "#2a9d4a", equity)],
                "growth of 1, out-of-sample days only",
            )
        )
    best = sorted(
        (r for r in scored if r["status"] == "ok" and r["objective"] is not None),
        key=lambda r: (-r["objective"], r["trial_id"]),
    )[:20]
    cols = ["trial_id", *names, "objective", "total_return", "sharpe", "max_drawdown", "trades"]
    out.append("<h2>Top trials</h2>" + _table(cols, [[r[c] for c in cols] for r in best]))
    failed = [r for r in result.rows if r["status"] != "ok"][:20]
    if failed:
        cols = ["trial_id", "window", "phase", *names, "error"]
        out.append("<h2>Failed trials</h2>" + _table(cols, [[r[c] for c in cols] for r in failed]))
    return "".join(out)


def write_report(result: SweepResult, path: Path, heatmap: tuple[str, str] | None = None) -> Path:
    """Write the report to `path` (parents created) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(result, heatmap), encoding="utf-8")
    return path
