"""Pins the public surface of tradewire.engine (what other packages may import)."""

from __future__ import annotations

import tradewire.engine as te

EXPECTED = {
    "PBO",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "probability_of_backtest_overfitting",
    "return_moments",
    "Window",
    "walk_forward_windows",
    "dataset_key",
    "Backtest",
    "BacktestConfig",
    "BacktestResult",
    "BacktestVenue",
    "BarView",
    "CommissionModel",
    "DataError",
    "DataNotice",
    "Embedding",
    "FillRecord",
    "FillView",
    "FixedBps",
    "LiveKernelVenue",
    "MakerTaker",
    "Metrics",
    "PreparedSeries",
    "NoCommission",
    "NoSlippage",
    "PerOrder",
    "PerShare",
    "PercentOfNotional",
    "QuoteView",
    "RoundTrip",
    "Series",
    "SlippageModel",
    "SpreadSlippage",
    "StepView",
    "__version__",
    "correlation_id",
    "from_arrays",
    "from_dataframe",
    "load_dataset",
    "prepare_dataset",
    "SharedDataset",
    "open_shared_dataset",
    "publish_dataset",
    "read_csv",
    "read_parquet",
    "sample_data",
    "synthetic_bars",
}


def test_exported_members():
    assert set(te.__all__) == EXPECTED
    for name in te.__all__:
        assert getattr(te, name) is not None


def test_core_has_no_io_threads_or_wall_clock():
    import ast
    import pathlib

    core = pathlib.Path(te.__file__).parent / "core"
    banned_modules = {"socket", "threading", "asyncio", "time", "os", "subprocess", "io", "pathlib"}
    for f in core.glob("*.py"):
        tree = ast.parse(f.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not {n.split(".")[0] for n in names} & banned_modules, f"{f.name} imports {names}"
            if isinstance(node, ast.Attribute) and node.attr in (
                "now",
                "utcnow",
                "today",
                "time",
                "perf_counter",
            ):
                owner = ast.unparse(node.value)
                assert owner.split(".")[-1] not in ("datetime", "dt", "date", "time"), (
                    f"{f.name} reads the wall clock ({owner}.{node.attr})"
                )
            if isinstance(node, ast.Name) and node.id == "open":
                raise AssertionError(f"{f.name} opens files")


def test_backtest_is_the_embedding_protocol() -> None:
    """What the SDK's in-process transport may use is a Protocol `Backtest` implements (mypy checks the
    same statically: the SDK is typed against `Embedding`)."""
    import typing

    import tradewire.engine as te

    members = {
        name for name in dir(te.Embedding) if not name.startswith("_") and name not in dir(typing.Protocol)
    } | set(te.Embedding.__annotations__)
    bt = te.Backtest(te.sample_data(["AAPL"]))
    missing = sorted(name for name in members if not hasattr(bt, name))
    assert not missing
    assert {"open_order_snapshots", "instrument_index", "messages", "operations"} <= members
