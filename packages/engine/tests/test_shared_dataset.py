"""Datasets published as Parquet named by their content hash: fetched once per machine, checked, reused."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyarrow", reason="needs tradewire-engine[parquet]")

from tradewire.engine import (
    Backtest,
    DataError,
    SharedDataset,
    dataset_key,
    open_shared_dataset,
    prepare_dataset,
    publish_dataset,
    sample_data,
)


def _fills(data) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    class Trader:
        def on_start(self, bt) -> None:  # type: ignore[no-untyped-def]
            self.bt, self.n = bt, 0

        def on_bar(self, bar) -> None:  # type: ignore[no-untyped-def]
            self.n += 1
            if self.n % 5 == 0:
                self.bt.buy(bar.symbol, 1)
            elif self.n % 9 == 0 and self.bt.position(bar.symbol) > 0:
                self.bt.sell(bar.symbol, 1)

    result = Backtest(data).run(Trader())
    assert result.fills  # the comparison means something
    return [(f.symbol, f.side, f.quantity, f.price, f.time_ns) for f in result.fills]


@pytest.mark.parametrize("as_uri", [False, True], ids=["path", "file-uri"])
def test_a_published_dataset_opens_as_the_same_columns_mapped_from_the_local_cache(
    tmp_path: Path, as_uri: bool
) -> None:
    prepared = prepare_dataset(sample_data(["AAPL", "MSFT"]))
    location = (tmp_path / "shared").as_uri() if as_uri else str(tmp_path / "shared")
    shared = publish_dataset(prepared, location)
    assert shared.key == dataset_key(prepared)
    assert sorted(p.name for p in (tmp_path / "shared" / shared.key).iterdir()) == [
        "0.parquet",
        "1.parquet",
        "dataset.json",
    ]
    # What a worker receives: the location and the hash, a few bytes, never the columns.
    shipped = pickle.loads(pickle.dumps(shared))
    assert len(pickle.dumps(shared)) < 300
    opened = open_shared_dataset(shipped, tmp_path / "cache")
    assert [s.symbol for s in opened] == ["AAPL", "MSFT"]
    for a, b in zip(prepared, opened, strict=True):
        assert (a.timeframe, a.price_decimals, a.volume_decimals) == (
            b.timeframe,
            b.price_decimals,
            b.volume_decimals,
        )
        for name, column in a.columns.arrays.items():
            assert np.array_equal(column, b.columns.arrays[name])
            assert isinstance(
                b.columns.arrays[name], np.memmap
            )  # mapped from the cache, one copy per machine
    assert _fills(opened) == _fills(prepared)


def test_the_cache_is_filled_once_and_then_storage_is_not_read(tmp_path: Path) -> None:
    prepared = prepare_dataset(sample_data(["AAPL"]))
    shared = publish_dataset(prepared, str(tmp_path / "shared"))
    open_shared_dataset(shared, tmp_path / "cache")
    for f in (tmp_path / "shared" / shared.key).iterdir():
        f.unlink()  # storage gone: the machine's cache still serves it
    assert _fills(open_shared_dataset(shared, tmp_path / "cache")) == _fills(prepared)


def test_publishing_the_same_content_twice_reuses_it(tmp_path: Path) -> None:
    prepared = prepare_dataset(sample_data(["AAPL"]))
    first = publish_dataset(prepared, str(tmp_path / "shared"))
    marker = tmp_path / "shared" / first.key / "dataset.json"
    written = marker.stat().st_mtime_ns
    again = publish_dataset(prepare_dataset(sample_data(["AAPL"])), str(tmp_path / "shared"))
    assert again == first and marker.stat().st_mtime_ns == written


def test_content_that_does_not_match_its_hash_is_refused(tmp_path: Path) -> None:
    aapl, msft = prepare_dataset(sample_data(["AAPL", "MSFT"]))
    shared = publish_dataset([aapl], str(tmp_path / "shared"))
    other = publish_dataset([msft], str(tmp_path / "other"))
    # Another dataset's file under this hash (a torn copy, a wrong sync): refused, not simulated.
    (tmp_path / "other" / other.key / "0.parquet").replace(tmp_path / "shared" / shared.key / "0.parquet")
    with pytest.raises(DataError, match="does not match the hash"):
        open_shared_dataset(shared, tmp_path / "cache")
    assert not (tmp_path / "cache" / shared.key).exists()


def test_an_unfinished_or_missing_dataset_is_a_clear_error(tmp_path: Path) -> None:
    prepared = prepare_dataset(sample_data(["AAPL"]))
    shared = publish_dataset(prepared, str(tmp_path / "shared"))
    (tmp_path / "shared" / shared.key / "dataset.json").unlink()  # a publisher that died before the marker
    with pytest.raises(DataError, match="not a published dataset"):
        open_shared_dataset(shared, tmp_path / "cache")
    with pytest.raises(DataError, match="not a published dataset"):
        open_shared_dataset(SharedDataset(str(tmp_path / "nowhere"), "0" * 24), tmp_path / "cache")
    # Publishing again finishes it.
    assert publish_dataset(prepared, str(tmp_path / "shared")) == shared
    assert _fills(open_shared_dataset(shared, tmp_path / "cache")) == _fills(prepared)


def test_a_location_that_cannot_be_opened_is_a_data_error(tmp_path: Path) -> None:
    prepared = prepare_dataset(sample_data(["AAPL"]))
    with pytest.raises(DataError, match="cannot open this location"):
        publish_dataset(prepared, "nosuchscheme://bucket/prefix")
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DataError, match="cannot publish"):
        publish_dataset(prepared, str(blocker))
