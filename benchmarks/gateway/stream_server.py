"""A gateway serving a synthetic ack-paced venue (steps of N candles) for the stream benchmark."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterable

from tradewire.gateway import create_app, load_settings
from tradewire.gateway.logs import configure_logging
from tradewire.gateway.providers.mock import MockVenue
from tradewire.gateway.server import build_server
from tradewire.protocol.codec import server_message
from tradewire.protocol.messages import (
    BacktestCompleteEvent,
    Bar,
    CandleEvent,
    ServerMessage,
    Timeframe,
    TradingPlatform,
)
from tradewire.protocol.venue import PacedVenue, StreamBatch

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


class SyntheticBacktest(MockVenue, PacedVenue):
    """MockVenue's REST half with a paced stream: `steps` steps of `batch` candles each, then the end."""

    platform = TradingPlatform.BACKTEST

    def __init__(self, steps: int, batch: int) -> None:
        super().__init__(("AAPL",), candle_interval=3600, history_bars=10)
        self.steps, self.batch = steps, batch
        self._step = 0
        self._n = 0
        self._pending: set[str] = set()

    async def connect(self) -> None:  # no live clock
        pass

    def next_batch(self) -> StreamBatch | None:
        if self._pending or self._step > self.steps:
            return None
        step, self._step = self._step, self._step + 1
        now = T0 + dt.timedelta(minutes=step)
        messages, ids = [], []
        if step == self.steps:  # the run ends with one backtest_complete
            self._n += 1
            ids.append(f"evt-{self._n}")
            messages.append(
                server_message(BacktestCompleteEvent(broker="backtest", timestamp=now, event_id=ids[0]))
            )
        # One Bar per step, shared by the step's events: the benchmark measures the gateway,
        # so the synthetic venue keeps its own cost per event small.
        bar = Bar(
            symbol="AAPL",
            provider="bench",
            timeframe=Timeframe.M1,
            timestamp=now,
            open="100.00",
            high="100.50",
            low="99.50",
            close="100.25",
            volume="1200",
        )
        for _ in range(self.batch if step < self.steps else 0):
            self._n += 1
            eid = f"evt-{self._n}"
            messages.append(ServerMessage(candle=CandleEvent(bar=bar, timestamp=now, event_id=eid)))
            ids.append(eid)
        self._pending = set(ids)
        return StreamBatch(messages, step, ids)

    @property
    def finished(self) -> bool:
        return self._step > self.steps and not self._pending

    async def ack(self, event_ids: Iterable[str]) -> None:
        self._pending.difference_update(event_ids)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    settings = load_settings(port=args.port, log_level="warning")
    configure_logging("warning")
    build_server(create_app(SyntheticBacktest(args.steps, args.batch), settings), settings, tune=True).run()


if __name__ == "__main__":
    main()
