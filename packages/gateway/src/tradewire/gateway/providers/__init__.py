"""Venue providers, found through the `tradewire.venues` entry-point group (third parties plug in there).

An entry point names a callable `create_venue(settings: GatewaySettings) -> Venue`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from tradewire.protocol.venue import Venue

if TYPE_CHECKING:
    from tradewire.gateway.settings import GatewaySettings

GROUP = "tradewire.venues"
#: Accepted spellings → Tradewire's platform name (enums.md, TradingPlatform).
ALIASES = {
    "tektii": "backtest",
    "binance-spot-testnet": "binance-testnet",
    "binance-spot-live": "binance-live",
}
#: Platforms that place real-money orders: they need --allow-live-orders AND TRADEWIRE_ALLOW_LIVE=1.
LIVE = frozenset({"alpaca-live", "binance-live"})
#: Platforms of the wire spec whose providers ship in a separate issue/extra.
PLANNED = frozenset({"alpaca-paper", "alpaca-live", "binance-testnet", "binance-live"})
#: Built in, used when package metadata is missing (e.g. running from a source tree).
BUILTIN = {
    "mock": "tradewire.gateway.providers.mock:create_venue",
    "backtest": "tradewire.gateway.providers.backtest:create_venue",
}

Factory = Callable[["GatewaySettings"], Venue]


class PlatformError(RuntimeError):
    """The requested platform cannot be served; the message says why."""


def canonical(platform: str) -> str:
    """Tradewire's name for a platform spelling (`tektii` → `backtest`)."""
    name = platform.strip().lower()
    return ALIASES.get(name, name)


def available() -> dict[str, str]:
    """Installed providers: platform name → `module:attribute`."""
    found = dict(BUILTIN)
    for ep in entry_points(group=GROUP):
        found[ep.name] = ep.value
    return found


def _load(target: str) -> Factory:
    module_name, _, attr = target.partition(":")
    import importlib

    module = importlib.import_module(module_name)
    factory: Factory = getattr(module, attr)
    return factory


def check_live_opt_in(platform: str, allow_live_orders: bool) -> None:
    """Refuse a live platform unless both opt-ins are given."""
    if platform not in LIVE:
        return
    env_ok = os.environ.get("TRADEWIRE_ALLOW_LIVE") == "1"
    if not (allow_live_orders and env_ok):
        missing = []
        if not allow_live_orders:
            missing.append("the --allow-live-orders flag")
        if not env_ok:
            missing.append("the environment variable TRADEWIRE_ALLOW_LIVE=1")
        raise PlatformError(
            f"platform {platform!r} places real-money orders; refusing to start without "
            + " and ".join(missing)
        )


def create_venue(settings: GatewaySettings) -> Venue:
    """The venue for `settings.platform`.

    Raises:
        PlatformError: live platform without both opt-ins, or no provider for the platform.
    """
    platform = canonical(settings.platform)
    check_live_opt_in(platform, settings.allow_live_orders)
    target = available().get(platform)
    if target is None:
        if platform in PLANNED:
            raise PlatformError(
                f"platform {platform!r} is not available in this build: its provider ships separately "
                "(available here: " + ", ".join(sorted(available())) + ")"
            )
        raise PlatformError(f"unknown platform {platform!r} (available: {', '.join(sorted(available()))})")
    return _load(target)(settings)
