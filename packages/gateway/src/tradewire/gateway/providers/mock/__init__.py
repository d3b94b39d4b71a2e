"""The mock platform: the engine's kernel on random-walk prices, no credentials needed (see
`tradewire.gateway.providers.backtest.mock`, where it is built, inside the engine's one provider)."""

from tradewire.gateway.providers.backtest.mock import DEFAULT_SYMBOLS, MockVenue, create_venue

__all__ = ["DEFAULT_SYMBOLS", "MockVenue", "create_venue"]
