"""Market data both runs replay: the bundled sample, or seeded synthetic bars written as one CSV file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

__all__ = ["DataSet", "synthetic_csv"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class DataSet:
    """What to backtest on, identically in-process and behind the gateway.

    Attributes:
        csv: Long-format CSV text (timestamp, symbol, open, high, low, close, volume); None for the
            bundled sample (the engine's `sample_data`, which the gateway serves without `--data`).
        options: Engine settings (`BacktestConfig` field names, decimal text), e.g. {"fill_at": "close"}.
        label: A short description for messages.
    """

    csv: str | None = field(default=None, repr=False)
    options: Mapping[str, str] = field(default_factory=dict)
    label: str = "sample"

    @classmethod
    def sample(cls, **options: str) -> DataSet:
        """The bundled daily sample (AAPL, MSFT, BTC/USD, 2023-2024)."""
        return cls(None, options, "sample")

    @classmethod
    def synthetic(
        cls,
        symbols: Sequence[str],
        bars: int,
        *,
        seed: int = 1,
        timeframe: str = "1m",
        volatility: float = 0.002,
        prices: Sequence[float] | None = None,
        offsets: Sequence[int] | None = None,
        **options: str,
    ) -> DataSet:
        """Seeded random-walk bars of `symbols` (symbol i starts `offsets[i]` bars late at `prices[i]`)."""
        text = synthetic_csv(
            symbols,
            bars,
            seed=seed,
            timeframe=timeframe,
            volatility=volatility,
            prices=prices,
            offsets=offsets,
        )
        label = f"synthetic {','.join(symbols)} x{bars} {timeframe} seed={seed}"
        if prices:
            label += f" prices={','.join(f'{p:g}' for p in prices)}"
        if offsets and any(offsets):
            label += f" offsets={','.join(map(str, offsets))}"
        return cls(text, options, label)

    @contextmanager
    def files(self) -> Iterator[tuple[str, ...]]:
        """The data as files for the gateway's `--data` and for `backtest(strategy, path)` (none: sample)."""
        if self.csv is None:
            yield ()
            return
        with TemporaryDirectory(prefix="tradewire-differential-") as tmp:
            path = Path(tmp) / "bars.csv"
            path.write_text(self.csv)
            yield (str(path),)


def _rfc3339(ns: int) -> str:
    return (_EPOCH + dt.timedelta(microseconds=ns // 1000)).isoformat().replace("+00:00", "Z")


def synthetic_csv(
    symbols: Sequence[str],
    bars: int,
    *,
    seed: int = 1,
    timeframe: str = "1m",
    volatility: float = 0.002,
    prices: Sequence[float] | None = None,
    offsets: Sequence[int] | None = None,
) -> str:
    """Long-format CSV of `tradewire.engine.synthetic_bars`, rows in time order, prices as exact text."""
    from tradewire.engine import synthetic_bars

    rows: list[tuple[int, int, str]] = []
    for i, symbol in enumerate(symbols):
        price = prices[i] if prices else 100.0
        skip = offsets[i] if offsets else 0
        series = synthetic_bars(
            symbol, bars + skip, seed=seed, timeframe=timeframe, price=price, volatility=volatility
        )
        scale = series.price_decimals or 0
        for chunk in series.chunks(0):
            columns = [chunk[c].tolist() for c in ("start", "open", "high", "low", "close", "volume")]
            for n, (start, *values) in enumerate(zip(*columns, strict=True)):
                if n < skip:
                    continue
                prices_text = [str(Decimal(v).scaleb(-scale)) for v in values[:4]]
                rows.append((start, i, ",".join([_rfc3339(start), symbol, *prices_text, str(values[4])])))
    rows.sort()
    return "timestamp,symbol,open,high,low,close,volume\n" + "".join(r[2] + "\n" for r in rows)
