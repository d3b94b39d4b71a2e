"""Pins the engine's public seam for embedders (the SDK's in-process transport): `Series.between`,
`BacktestResult.from_json` / `from_dict`, `correlation_id`, the public attributes of `BarView` /
`QuoteView` and `Backtest`'s embedding API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

import tradewire.engine as te
from tradewire.engine import Backtest, BacktestResult, DataError, from_arrays, sample_data, synthetic_bars
from tradewire.protocol import messages as m

MINUTE = 60 * 10**9


def _ts(series: te.Series) -> list[int]:
    return [t for ch in series.chunks(0) for t in (ch["start"]).tolist()]


# ---------------------------------------------------------------------- Series.between
def test_between_keeps_rows_within_the_bounds_across_chunks() -> None:
    s = synthetic_bars("X", 1000, chunk_rows=64, timeframe="1m")
    all_ts = _ts(s)
    lo, hi = all_ts[100], all_ts[700]
    w = s.between(lo, hi)
    assert w is not s and w.symbol == "X" and w.kind == "bar"
    assert _ts(w) == all_ts[100:701]
    w.prepare()
    assert (w.rows, w.first_ts, w.last_ts) == (601, lo, hi)
    assert len(_ts(s)) == 1000  # the original is unchanged


def test_between_bounds_are_optional_and_take_text_and_datetimes() -> None:
    s = synthetic_bars("X", 300, chunk_rows=50, timeframe="1m")
    all_ts = _ts(s)
    assert _ts(s.between()) == all_ts
    assert _ts(s.between(start=all_ts[250])) == all_ts[250:]
    assert _ts(s.between(end=all_ts[9])) == all_ts[:10]
    t = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=all_ts[20] // 1000)
    text = t.isoformat().replace("+00:00", "Z")
    assert _ts(s.between(text, t)) == [all_ts[20]]
    assert _ts(s.between(t.replace(tzinfo=None))) == all_ts[20:]  # naive means UTC
    day = str(np.datetime64(all_ts[0], "ns").astype("datetime64[D]"))
    assert _ts(s.between(day))[0] == all_ts[0]
    assert _ts(s.between(np.int64(all_ts[5]), np.datetime64(all_ts[6], "ns"))) == all_ts[5:7]


def test_between_rejects_bad_bounds_and_empty_windows() -> None:
    s = synthetic_bars("X", 100, timeframe="1m")
    with pytest.raises(ValueError, match="not a date/time"):
        s.between("yesterday")
    for bad in (True, "", "NaT", np.datetime64("NaT"), 1.5):
        with pytest.raises(ValueError, match="not a date/time"):
            s.between(bad)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="no rows"):
        s.between(0, 1).prepare()


def test_between_carries_declared_decimals_and_backtests_the_window() -> None:
    ts = np.datetime64("2024-03-01T14:30", "ns") + np.arange(10) * np.timedelta64(1, "m")
    px = np.array([100.0 + i for i in range(10)])
    s = from_arrays("A", ts, open=px, high=px, low=px, close=px, volume=px, timeframe="1m", price_decimals=2)
    w = s.between("2024-03-01T14:33Z", "2024-03-01T14:35:00Z")
    assert w.price_decimals == 2 and w.timeframe == "1m"
    closes: list[float] = []
    Backtest(w).run(lambda bar: closes.append(bar.close))
    assert closes == [103.0, 104.0, 105.0]


# ---------------------------------------------------------------------- BacktestResult.from_json
class _Trend:
    def __init__(self) -> None:
        self.n = 0

    def on_start(self, bt: Backtest) -> None:
        self.bt = bt

    def on_step(self, step: Any) -> None:
        self.n += 1
        if self.n == 1:
            self.bt.buy("AAPL", 100)
            self.bt.sell("MSFT", 50)
        if self.n == 100:
            self.bt.close_position("AAPL", 50)
            self.bt.close_position("MSFT")


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    r = Backtest(sample_data(["AAPL", "MSFT"]), cash="100000", commission=te.PerOrder(Decimal("1.25"))).run(
        _Trend()
    )
    r.title = "Trend"
    return r


def test_from_json_restores_what_to_json_wrote(result: BacktestResult, tmp_path: Any) -> None:
    back = BacktestResult.from_json(result.to_json(tmp_path / "r.json"))
    assert back.title == "Trend" and back.currency == result.currency
    assert back.symbols == result.symbols == ["AAPL", "MSFT"]
    assert (back.steps, back.liquidations) == (result.steps, result.liquidations)
    assert (back.start_value, back.final_value) == (result.start_value, result.final_value)
    assert back.fills == result.fills and len(back.fills) == 4
    assert any(f.commission for f in back.fills)
    assert back.round_trips == result.round_trips
    assert back.open_positions == result.open_positions == {"AAPL": Decimal(50)}
    assert (back.buys, back.sells) == (result.buys, result.sells)
    assert back.equity_ts.tolist() == result.equity_ts.tolist()
    assert back.equity.tolist() == result.equity.tolist()
    assert back.drawdown.tolist() == result.drawdown.tolist()
    assert back.prices.keys() == result.prices.keys()
    for s in back.prices:
        np.testing.assert_array_equal(back.prices[s], result.prices[s])
    assert back.metrics == result.metrics
    assert back.summary() == result.summary()
    assert back.to_dict() == result.to_dict()
    assert back.html() == result.html()
    assert "<title>Trend</title>" in back.html() and "<title>Other</title>" in back.html("Other")
    out = back.to_html(tmp_path / "r.html")
    assert out.read_text(encoding="utf-8") == result.html()


def test_from_dict_takes_results_saved_without_symbols_or_prices(result: BacktestResult) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    for key in ("symbols", "prices", "open_positions", "liquidations", "title"):
        del data[key]
    back = BacktestResult.from_dict(data)
    assert back.symbols == ["AAPL", "MSFT"] and back.prices == {} and back.title is None
    assert back.fills == result.fills and back.metrics == result.metrics
    assert back.html().lstrip().lower().startswith("<!doctype html")


def test_from_dict_rejects_what_is_not_a_result() -> None:
    with pytest.raises(KeyError):
        BacktestResult.from_dict({"currency": "USD"})
    with pytest.raises(TypeError):
        BacktestResult.from_dict([])  # type: ignore[arg-type]


def test_from_dict_reports_a_bad_decimal_as_value_error(result: BacktestResult) -> None:
    data = result.to_dict()
    data["final_value"] = "lots"
    with pytest.raises(ValueError, match="not a decimal"):
        BacktestResult.from_dict(data)


# ---------------------------------------------------------------------- correlation_id, views
def test_correlation_id_is_the_one_the_messages_carry() -> None:
    seen: dict[str, Any] = {}

    class S:
        def on_start(self, bt: Backtest) -> None:
            self.bt = bt

        def on_bar(self, bar: Any) -> None:
            if "order" not in seen:
                o = self.bt.buy(bar.symbol, 1)
                seen["order"] = o
                seen["handle"] = self.bt.operations.handle(o)
                seen["message"] = self.bt.order(o.id)

    Backtest(synthetic_bars("X", 5, timeframe="1m")).run(S())
    cid = te.correlation_id(seen["order"].id)
    assert cid == seen["handle"].correlation_id == seen["message"].correlation_id
    assert cid == te.correlation_id(seen["order"].id) and len(cid) == 36


def test_bar_view_public_attributes_read_the_bar() -> None:
    checked: list[int] = []

    class S:
        def on_start(self, bt: Backtest) -> None:
            self.bt = bt

        def on_bar(self, bar: Any) -> None:
            inst = self.bt.instruments[bar.sym]
            assert inst.symbol == bar.symbol and self.bt.bar_views[bar.sym] is bar
            ch, i = bar.chunk, bar.i
            assert ch.close_f[i] == bar.close and ch.d[i] / bar.price_div == bar.close
            assert (ch.a[i] / bar.price_div, ch.b[i] / bar.price_div, ch.c[i] / bar.price_div) == (
                bar.open,
                bar.high,
                bar.low,
            )
            assert ch.e[i] / bar.volume_div == bar.volume and ch.start[i] == bar.start_ns
            assert bar.messages.bar(bar.sym, ch.start[i], ch.a[i], ch.b[i], ch.c[i], ch.d[i], ch.e[i]) == (
                bar.to_message()
            )
            checked.append(bar.sym)

    bt = Backtest([synthetic_bars("A", 20, timeframe="1m"), synthetic_bars("B", 20, seed=2, timeframe="1m")])
    assert bt.bar_views[0].price_div == 10.0 ** bt.instruments[0].price_scale
    assert bt.bar_views[0].volume_div == 10.0**bt.config.quantity_decimals
    bt.run(S())
    assert sorted(set(checked)) == [0, 1] and len(checked) == 40


def test_quote_view_public_attributes_and_last_close() -> None:
    t0 = np.datetime64("2024-03-01T14:30", "ns")
    ts = t0 + np.arange(3) * np.timedelta64(1, "m")
    px = np.array([10.5, 10.6, 10.7])
    bars = from_arrays("A", ts, open=px, high=px, low=px, close=px, volume=px, timeframe="1m")
    quotes = from_arrays("A", ts + np.timedelta64(90, "s"), bid=[10.0] * 3, ask=[10.2] * 3)
    seen: list[tuple[float, float, float | None]] = []

    class S:
        def on_start(self, bt: Backtest) -> None:
            self.bt = bt
            assert bt.last_close(0) is None

        def on_quote(self, q: Any) -> None:
            assert self.bt.quote_views[q.sym] is q
            ch, i = q.chunk, q.i
            assert ch.a[i] / q.price_div == q.bid and ch.b[i] / q.price_div == q.ask
            seen.append((q.bid, q.ask, self.bt.last_close(q.sym)))

    Backtest([bars, quotes]).run(S())
    assert seen == [(10.0, 10.2, 10.5), (10.0, 10.2, 10.6), (10.0, 10.2, 10.7)]


# ---------------------------------------------------------------------- Backtest embedding API
def test_backtest_embedding_api() -> None:
    got: list[Any] = []
    data = synthetic_bars("X", 50, timeframe="1m")

    class S:
        def on_start(self, bt: Backtest) -> None:
            self.bt = bt
            assert bt.records is None  # nobody records events
            bt.fill_listeners.append(got.append)

        def on_bar(self, bar: Any) -> None:
            bt = self.bt
            assert bt.now_ns == bar.chunk.ts[bar.i]
            assert bt.messages.account(bt.account_snapshot()) == bt.account()
            if bar.i in (3, 10):
                bt.buy("X", 2) if bar.i == 3 else bt.sell("X", 2)
            snap = bt.position_snapshot(0)
            if snap[1]:
                assert bt.messages.position(snap) == bt.get_position("X")

    bt = Backtest(data)
    assert bt.series == [data] and bt.steps == 0
    bt.run(S())
    assert bt.steps == 50
    assert len(bt.fill_log) == len(bt.fills) == len(got) == 2
    assert [f.id for f in bt.fill_log] == [f.id for f in got] == [f.id for f in bt.fills]
    assert isinstance(bt.messages.trade(bt.fill_log[0]), m.Trade)


def test_the_old_embedding_names_are_aliases_for_one_release() -> None:
    bt = Backtest(synthetic_bars("X", 3, timeframe="1m"))
    assert bt.broker is bt.operations and bt.wire is bt.messages
    assert bt.bar_views[0].wire is bt.bar_views[0].messages is bt.messages


def test_records_are_the_pending_events_when_recording() -> None:
    pending: list[int] = []

    class S:
        def on_start(self, bt: Backtest) -> None:
            self.bt = bt

        def on_bar(self, bar: Any) -> None:
            if bar.i == 1:
                self.bt.buy(bar.symbol, 1)
                recs = self.bt.records
                assert recs is not None
                pending.append(len(recs))
                assert all(self.bt.messages.message(r) is not None for r in recs)

        def on_event(self, message: Any) -> None:
            pass

    Backtest(synthetic_bars("X", 5, timeframe="1m")).run(S())
    assert pending and pending[0] >= 1
