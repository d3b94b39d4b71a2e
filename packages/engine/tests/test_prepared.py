"""The prepared dataset: validated once, picklable, memory-mapped, and the same run as its source."""

from __future__ import annotations

import multiprocessing
import pickle

import numpy as np
import pytest

from tradewire.engine import (
    Backtest,
    DataError,
    PreparedSeries,
    load_dataset,
    prepare_dataset,
    read_csv,
    sample_data,
    synthetic_bars,
)


class _Cross:
    """A tiny SMA-free trader: buys every 7th bar and sells every 11th (enough fills to compare)."""

    def __init__(self) -> None:
        self.n = 0

    def on_bar(self, bar) -> None:  # type: ignore[no-untyped-def]
        self.n += 1
        if self.n % 7 == 0:
            self.bt.buy(bar.symbol, 1)
        elif self.n % 11 == 0 and self.bt.position(bar.symbol) > 0:
            self.bt.sell(bar.symbol, 1)

    def on_start(self, bt) -> None:  # type: ignore[no-untyped-def]
        self.bt = bt


def _run(data) -> tuple[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    result = Backtest(data).run(_Cross())
    fills = [(f.symbol, f.side, f.quantity, f.price, f.time_ns) for f in result.fills]
    assert fills  # the comparison means something
    return str(result.end_value), fills


def test_a_synthetic_series_could_not_be_pickled_and_its_prepared_form_can():
    raw = synthetic_bars("X", 5_000)
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(raw)
    (prepared,) = prepare_dataset(raw)
    back = pickle.loads(pickle.dumps(prepared))
    assert isinstance(back, PreparedSeries) and back.prepared and back.rows == 5_000
    assert _run(back) == _run(synthetic_bars("X", 5_000))


def test_the_prepared_sample_runs_exactly_as_the_csv_it_came_from():
    prepared = prepare_dataset(sample_data(["AAPL", "MSFT"]))
    assert [s.symbol for s in prepared] == ["AAPL", "MSFT"]
    assert all(s.timeframe == "1d" and s.price_decimals == 2 for s in prepared)
    assert _run(prepared) == _run(sample_data(["AAPL", "MSFT"]))


def test_memory_mapped_columns_pickle_as_their_paths_and_are_reused_by_content(tmp_path):
    first = prepare_dataset(synthetic_bars("X", 3_000), tmp_path)
    again = prepare_dataset(synthetic_bars("X", 3_000), tmp_path)
    assert len(list(tmp_path.iterdir())) == 1  # one directory, named by the content hash
    assert isinstance(first[0].columns.arrays["close"], np.memmap)
    blob = pickle.dumps(first[0])
    assert len(blob) < 2_000  # the paths, not 3,000 rows of six int64 columns
    assert _run(pickle.loads(blob)) == _run(again) == _run(synthetic_bars("X", 3_000))
    assert _run(load_dataset(next(tmp_path.iterdir()))) == _run(first)
    detached = first[0].detached()
    assert not isinstance(detached.columns.arrays["close"], np.memmap)
    assert len(pickle.dumps(detached)) > 3_000 * 6 * 8
    assert _run(pickle.loads(pickle.dumps(detached))) == _run(first)


def _end_value(blob: bytes) -> str:
    return str(Backtest(pickle.loads(blob)).run(_Cross()).end_value)


def test_a_spawned_process_runs_the_mapped_dataset(tmp_path, monkeypatch, request):
    data = prepare_dataset(synthetic_bars("X", 2_000), tmp_path)
    # The child imports this module by the name pytest gave it (from the rootdir, with
    # --import-mode=importlib), which only the rootdir on its path makes importable; a spawned child
    # takes its path from this process's sys.path.
    monkeypatch.syspath_prepend(str(request.config.rootpath))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        # a child that cannot load the task dies and the pool would wait forever: bounded
        remote = pool.apply_async(_end_value, (pickle.dumps(data),)).get(timeout=120)
    assert remote == _end_value(pickle.dumps(data))


def test_between_slices_without_copying_and_matches_the_streamed_window(tmp_path):
    (prepared,) = prepare_dataset(synthetic_bars("X", 10_000, timeframe="1m"), tmp_path)
    window = prepared.between("2024-01-02", "2024-01-03T12:00")
    assert np.shares_memory(window.columns.arrays["close"], prepared.columns.arrays["close"])
    streamed = synthetic_bars("X", 10_000, timeframe="1m").between("2024-01-02", "2024-01-03T12:00")
    assert window.rows == streamed.prepare().rows and window.first_ts == streamed.first_ts
    assert _run(pickle.loads(pickle.dumps(window))) == _run(streamed)
    with pytest.raises(DataError, match="no rows"):
        prepared.between("2030-01-01", None)


def test_invalid_data_is_refused_when_prepared(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,open,high,low,close,volume\n2024-01-01,1,2,0.5,1,10\n2024-01-01,1,2,0.5,1,10\n")
    with pytest.raises(DataError, match=r"duplicate|not after"):
        prepare_dataset(read_csv(bad))
