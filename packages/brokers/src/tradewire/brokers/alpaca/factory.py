"""The `tradewire.venues` entry point of `alpaca-paper` and `alpaca-live`: builds, never connects."""

from __future__ import annotations

from typing import Protocol

from tradewire.brokers._live.config import ConfigError
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.venue import AlpacaVenue
from tradewire.protocol import platforms
from tradewire.protocol.messages import TradingPlatform
from tradewire.protocol.venue import Venue

__all__ = ["VenueSettings", "create_venue"]


class VenueSettings(Protocol):
    """What the factory reads of the gateway's settings (the brokers never import the gateway)."""

    @property
    def platform(self) -> str: ...

    @property
    def live_orders_flag(self) -> bool: ...


def create_venue(settings: VenueSettings) -> Venue:
    """The Alpaca venue for `settings.platform` (`alpaca-paper` or `alpaca-live`), configured from the
    environment (`config.AlpacaConfig`). The gateway checks the live opt-ins by `Venue.live` before
    `connect()`, which checks them again.

    Raises:
        ValueError: the platform is not an Alpaca one, a key is missing or a URL malformed (the
            gateway's command line prints a ValueError's message and exits 2, no traceback).
    """
    platform = platforms.member(settings.platform)
    if platform not in (TradingPlatform.ALPACA_PAPER, TradingPlatform.ALPACA_LIVE):
        raise ValueError(
            f"the Alpaca provider serves alpaca-paper and alpaca-live, not {settings.platform!r}"
        )
    paper = platform == TradingPlatform.ALPACA_PAPER
    try:
        config = AlpacaConfig.from_env(paper=paper)
    except ConfigError as e:
        raise ValueError(f"{settings.platform}: {e}") from e
    return AlpacaVenue(config, platform, allow_live_orders=settings.live_orders_flag)
