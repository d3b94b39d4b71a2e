"""The mock platform: the engine's kernel on random-walk prices, no credentials needed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradewire.gateway.providers.mock.venue import MockVenue

if TYPE_CHECKING:
    from tradewire.gateway.settings import GatewaySettings

__all__ = ["MockVenue", "create_venue"]


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
