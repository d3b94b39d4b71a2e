"""MockVenue: the engine's kernel on a random-walk clock, for trying clients without an account."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tradewire.engine.config import BacktestConfig
from tradewire.engine.live import LiveKernelVenue
from tradewire.protocol.messages import TradingPlatform

if TYPE_CHECKING:
    from tradewire.gateway.settings import GatewaySettings

__all__ = ["DEFAULT_SYMBOLS", "MockVenue", "create_venue"]

PROVIDER = "mock"
DEFAULT_SYMBOLS = ("AAPL", "MSFT", "SPY", "BTC/USD", "ETH/USD")


class MockVenue(LiveKernelVenue):
    """Seeded random-walk market whose orders fill in the backtest's kernel (one fill model).

    Simulated time starts at the current minute and advances one minute per `candle_interval`
    wall-clock seconds; every timestamp the mock emits is simulated time.

    Args:
        symbols: Instruments to quote and stream.
        seed: Seed of the random walk (same seed, same prices).
        candle_interval: Wall-clock seconds per 1m candle.
        history_bars: Bars of history per timeframe before the start.
        starting_balance: Account cash (decimal text).
        currency: Account currency.
        start: Simulated start time (default: now, floored to the minute).
        run_id: The run in the order ids (default: a fresh one, so a restart never repeats an id).
    """

    platform = TradingPlatform.MOCK

    def __init__(
        self,
        symbols: Sequence[str] = DEFAULT_SYMBOLS,
        *,
        seed: int = 7,
        candle_interval: float = 1.0,
        history_bars: int = 1000,
        starting_balance: str = "100000",
        currency: str = "USD",
        start: dt.datetime | None = None,
        run_id: str | None = None,
    ) -> None:
        config = BacktestConfig(cash=starting_balance, currency=currency, provider=PROVIDER)
        super().__init__(
            symbols,
            seed=seed,
            tick_interval=candle_interval,
            history_bars=history_bars,
            config=config,
            start=start,
            run_id=run_id,
        )


def create_venue(settings: GatewaySettings) -> MockVenue:
    """Provider entry point: a MockVenue configured from `settings.mock`."""
    m = settings.mock
    return MockVenue(
        m.symbols,
        seed=m.seed,
        candle_interval=m.candle_interval,
        history_bars=m.history_bars,
        starting_balance=m.starting_balance,
        currency=m.currency,
    )
