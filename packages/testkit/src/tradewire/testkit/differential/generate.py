"""Hypothesis strategies for scripted scenarios: all order types and TIFs, brackets, orders sized by
notional, cancels, modifies."""

# On 1-3 symbols of seeded synthetic bars (1m, 1h or 1d; fills at the next open or at the close),
# in every read style, with and without event handlers.

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from tradewire.testkit.differential.data import DataSet
from tradewire.testkit.differential.scenario import Scenario
from tradewire.testkit.differential.scripted import (
    KINDS,
    SIDES,
    STYLES,
    TIFS,
    Action,
    Cancel,
    Close,
    Modify,
    Place,
)

__all__ = ["actions", "scenarios"]

SYMBOLS = ("AAPL", "MSFT", "BTC/USD")
#: Per-order size is at most this per mille of the budget; with MAX_STEPS x MAX_PER_STEP orders the
#: gross exposure stays well inside the starting cash, so the venue refuses nothing for want of funds.
MAX_SIZE = 15
MAX_STEPS = 10
MAX_PER_STEP = 3


def actions(symbols: int) -> st.SearchStrategy[Action]:
    """One scripted action on one of `symbols` symbols (orders twice as likely as the rest)."""
    symbol = st.integers(0, symbols - 1)
    place = st.builds(
        Place,
        symbol=symbol,
        side=st.sampled_from(SIDES),
        kind=st.sampled_from(KINDS),
        tif=st.sampled_from(TIFS),
        size=st.integers(1, MAX_SIZE),
        offset_bps=st.integers(-300, 300),
        limit_bps=st.integers(-100, 100),
        bracket=st.none() | st.tuples(st.integers(10, 400), st.integers(10, 400)),
        trail_percent=st.booleans(),
        notional=st.booleans(),
    )
    return st.one_of(
        place,
        place,
        st.builds(Cancel, which=st.integers(0, 4)),
        st.builds(
            Modify,
            which=st.integers(0, 4),
            price_bps=st.integers(-200, 200),
            quantity_pct=st.integers(-50, 50),
        ),
        st.builds(Close, symbol=symbol),
    )


@st.composite
def scenarios(draw: st.DrawFn, max_bars: int = 300) -> Scenario:
    """A scripted strategy on synthetic data (1-3 symbols, up to `max_bars` bars each)."""
    n = draw(st.integers(1, 3))
    symbols = SYMBOLS[:n]
    bars = draw(st.integers(20, max_bars))
    prices = [draw(st.sampled_from((20.0, 100.0, 450.0, 2_000.0))) for _ in symbols]
    data = DataSet.synthetic(
        symbols,
        bars,
        seed=draw(st.integers(0, 2**16)),
        timeframe=draw(st.sampled_from(("1m", "1h", "1d"))),
        prices=prices,
        offsets=[0] + [draw(st.integers(0, 10)) for _ in symbols[1:]],
        fill_at=draw(st.sampled_from(("next_open", "close"))),
    )
    steps = draw(
        st.dictionaries(
            st.integers(0, bars * n),  # 0: in on_start, before the first candle
            st.lists(actions(n), min_size=1, max_size=MAX_PER_STEP).map(tuple),
            max_size=MAX_STEPS,
        )
    )
    return Scenario(
        data=data,
        symbols=symbols,
        style=draw(st.sampled_from(STYLES)),
        events=draw(st.booleans()),
        script=tuple(sorted(steps.items())),
        opening={s: Decimal(str(p)) for s, p in zip(symbols, prices, strict=True)},
    )
