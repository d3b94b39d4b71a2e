"""Shared fixtures: tiny hand-written bar/quote series and a scripted in-process strategy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tradewire.engine import Backtest, Series, from_arrays
from tradewire.engine.core.kernel import Kernel
from tradewire.protocol import codec
from tradewire.protocol import messages as m

T0 = np.datetime64("2024-03-01T14:30:00", "ns")


@pytest.fixture(autouse=True)
def _cached_totals_match_a_full_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every engine test also checks the kernel's cached account totals against a fresh pass over
    the positions at every use: a driver that moves a price without bumping `market_version`, or a
    fill that adjusts the cache wrongly, fails here."""
    cached = Kernel.totals

    def checked(self: Kernel) -> tuple[int, int, int]:
        got = cached(self)
        assert got == self.ledger.totals(self.current_marks()), "stale account totals"
        return got

    monkeypatch.setattr(Kernel, "totals", checked)


def _bars(
    symbol: str,
    rows: list[tuple[Any, ...]],
    timeframe: str = "1m",
    start: np.datetime64 = T0,
    step_s: int = 60,
) -> Series:
    """rows: (open, high, low, close[, volume]) as decimal text; one bar per `step_s` from `start`."""
    n = len(rows)
    ts = start + np.arange(n) * np.timedelta64(step_s, "s")
    cols = list(zip(*[(*r, "1000") if len(r) == 4 else r for r in rows], strict=True))
    o, h, lo, c, v = (np.array([float(x) for x in col]) for col in cols)
    scale = max(len(x.split(".")[1]) if "." in x else 0 for col in cols[:4] for x in col)
    return from_arrays(
        symbol, ts, open=o, high=h, low=lo, close=c, volume=v, timeframe=timeframe, price_decimals=scale
    )


@pytest.fixture
def bars() -> Callable[..., Series]:
    return _bars


class Script:
    """Runs `actions[i](bt)` at bar i (of the first symbol) and records every protocol event."""

    def __init__(self, actions: dict[int, Callable[[Backtest], Any]] | None = None) -> None:
        self.actions = actions or {}
        self.events: list[m.ServerMessage] = []
        self.i = -1
        self.results: dict[int, Any] = {}
        self.errors: dict[int, Exception] = {}

    def on_start(self, bt: Backtest) -> None:
        self.bt = bt

    def on_bar(self, bar: Any) -> None:
        self.i += 1
        act = self.actions.get(self.i)
        if act is not None:
            try:
                self.results[self.i] = act(self.bt)
            except Exception as e:
                self.errors[self.i] = e

    on_quote = on_bar

    def on_event(self, msg: m.ServerMessage) -> None:
        self.events.append(msg)

    def kinds(self) -> list[str]:
        """Compact event list: 'order:ORDER_FILLED', 'trade', 'position:POSITION_OPENED', ..."""
        out = []
        for e in self.events:
            p = codec.payload(e)
            d = codec.to_dict(e)
            out.append(f"{d['type']}:{d['event']}" if "event" in d and d["type"] != "trade" else d["type"])
            del p
        return out

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        return [codec.to_dict(e) for e in self.events if codec.to_dict(e)["type"] == kind]


@pytest.fixture
def script() -> type[Script]:
    return Script


def run_script(
    data: Series | list[Series], actions: dict[int, Callable[[Backtest], Any]], **cfg: Any
) -> tuple[Script, Any]:
    s = Script(actions)
    bt = Backtest(data, **cfg)
    res = bt.run(s)
    return s, res


@pytest.fixture
def run() -> Callable[..., tuple[Script, Any]]:
    return run_script
