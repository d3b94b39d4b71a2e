"""The `tradewire.venues` entry point of `binance-testnet` and `binance-live`: builds, never connects."""

from __future__ import annotations

from typing import Protocol

from tradewire.brokers._live.config import ConfigError
from tradewire.brokers.binance.config import BinanceConfig
from tradewire.brokers.binance.venue import BinanceVenue
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
    """The Binance venue for `settings.platform` (`binance-testnet` or `binance-live`), configured from
    the environment (`config.BinanceConfig`). Testnet and live differ only in URLs and keys; live
    needs both opt-ins, checked by the gateway by `Venue.live` and again in `connect()`.

    Raises:
        ValueError: not a Binance platform, a key missing or a URL malformed (the gateway's command
            line prints the message and exits 2, no traceback).
    """
    platform = platforms.member(settings.platform)
    if platform not in (TradingPlatform.BINANCE_TESTNET, TradingPlatform.BINANCE_LIVE):
        raise ValueError(
            f"the Binance provider serves binance-testnet and binance-live, not {settings.platform!r}"
        )
    testnet = platform == TradingPlatform.BINANCE_TESTNET
    try:
        config = BinanceConfig.from_env(testnet=testnet)
    except ConfigError as e:
        raise ValueError(f"{settings.platform}: {e}") from e
    return BinanceVenue(config, platform, allow_live_orders=settings.live_orders_flag)
