"""The backtest platform: the engine's BacktestVenue behind the gateway, replaying historical data."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradewire.protocol import run_ids
from tradewire.protocol.venue import Venue

if TYPE_CHECKING:
    from tradewire.gateway.settings import BacktestSettings, GatewaySettings

EXTRA_HINT = "the backtest platform needs the engine: pip install tradewire-engine"
_SUFFIXES = (".csv", ".csv.gz", ".parquet")


def _engine() -> Any:
    try:
        import tradewire.engine as engine
    except ImportError as e:
        raise ImportError(EXTRA_HINT) from e
    if not hasattr(engine, "BacktestVenue"):
        raise ImportError(f"{EXTRA_HINT} (the installed tradewire-engine has no BacktestVenue)")
    return engine


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.name.endswith(_SUFFIXES))
    if not path.exists():
        raise FileNotFoundError(f"backtest data not found: {path}")
    return [path]


def load_series(engine: Any, b: BacktestSettings) -> list[Any]:
    """Series from `b.data` (CSV, CSV.gz, Parquet files or folders); the engine's sample when empty.

    With `b.timeframe`, bars are aggregated to it (`Series.resample`: exact, UTC-aligned buckets), so
    the venue simulates and streams that bar size; data coarser than it is refused (DataError).
    """
    if not b.data:
        series = list(engine.sample_data())
    else:
        series = []
        for entry in b.data:
            for path in _files(Path(entry)):
                if path.suffix == ".parquet":
                    series.extend(engine.read_parquet(path, price_decimals=b.price_decimals))
                else:
                    # the engine keeps the scale the CSV text shows ("100.10" stays "100.10")
                    series.extend(engine.read_csv(path, price_decimals=b.price_decimals))
    if b.symbols:
        series = [s for s in series if s.symbol in b.symbols]
        missing = sorted(set(b.symbols) - {s.symbol for s in series})
        if missing:
            raise ValueError(f"no backtest data for symbol(s): {', '.join(missing)}")
    if not series:
        raise ValueError("no backtest data: give --data files or folders")
    if b.timeframe is not None:
        series = [s.resample(b.timeframe) if s.kind == "bar" else s for s in series]
    return series


def load_config(engine: Any, b: BacktestSettings) -> Any:
    """BacktestConfig from the engine config file (TOML, BacktestConfig field names) plus `options`."""
    values: dict[str, Any] = {}
    if b.config is not None:
        path = Path(b.config)
        if not path.is_file():
            raise FileNotFoundError(f"engine config not found: {path}")
        values.update(tomllib.loads(path.read_text()))
    values.update(b.options)
    # TOML floats would be binary money; the engine wants decimal text, so pass their literal text.
    values = {k: (repr(v) if isinstance(v, float) else v) for k, v in values.items()}
    try:
        return engine.BacktestConfig(**values)
    except TypeError as e:
        raise ValueError(f"invalid engine config: {e}") from e


def create_venue(settings: GatewaySettings) -> Venue:
    """Provider entry point: a BacktestVenue over `settings.backtest` data and engine config.

    Each start is a new run (`run_ids`): its order ids never repeat an earlier start's, so a client's
    retried cancel of an order of the previous run finds nothing instead of cancelling another order.
    """
    engine = _engine()
    b = settings.backtest
    venue: Venue = engine.BacktestVenue(
        load_series(engine, b), load_config(engine, b), run_id=run_ids.new_run_id()
    )
    return venue
