"""Venue providers, found through the `tradewire.venues` entry-point group (third parties plug in there).

An entry point names a callable `create_venue(settings: GatewaySettings) -> Venue`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from tradewire.protocol import platforms
from tradewire.protocol.venue import Venue

if TYPE_CHECKING:
    from tradewire.gateway.settings import GatewaySettings

GROUP = platforms.PROVIDER_GROUP
#: Built in, used when package metadata is missing (e.g. running from a source tree).
BUILTIN = {
    "mock": "tradewire.gateway.providers.mock:create_venue",
    "backtest": "tradewire.gateway.providers.backtest:create_venue",
}

#: Platforms of the wire spec whose providers ship separately (not built in).
PLANNED = frozenset(platforms.PLATFORMS) - frozenset(BUILTIN)

Factory = Callable[["GatewaySettings"], Venue]


class PlatformError(RuntimeError):
    """The requested platform cannot be served; the message says why."""


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


def check_live_opt_in(
    platform: str,
    settings: GatewaySettings,
    *,
    live: bool | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Refuse a real-money platform unless both opt-ins are given (`tradewire.protocol.platforms`): the
    flag (or the dangerous config-file key) in `settings`, and TRADEWIRE_ALLOW_LIVE_ORDERS=true in `env`
    (the process environment by default).

    Raises:
        PlatformError: live (by its name, or `live=True`) and an opt-in is missing.
    """
    try:
        platforms.check_live_opt_in(platform, settings.live_orders_flag, live=live, env=env)
    except platforms.LiveOptInMissing as e:
        raise PlatformError(str(e)) from e


def guard_venue(venue: Venue, settings: GatewaySettings, env: Mapping[str, str] | None = None) -> None:
    """Refuse to serve any venue that declares itself live (`Venue.live`, whatever its platform name)
    without both opt-ins; the error names `settings.platform`, the name it was asked for by.

    Raises:
        PlatformError: `venue.live` and an opt-in is missing.
    """
    if venue.live:
        check_live_opt_in(platforms.canonical(settings.platform), settings, live=True, env=env)


def create_venue(settings: GatewaySettings) -> Venue:
    """The venue for `settings.platform`.

    Raises:
        PlatformError: live platform or live venue without both opt-ins, or no provider for the platform.
    """
    platform = platforms.canonical(settings.platform)
    # A live name is refused before any provider code is loaded.
    check_live_opt_in(platform, settings)
    target = available().get(platform)
    if target is None:
        if platform in PLANNED:
            raise PlatformError(
                f"platform {platform!r} is not available in this build: its provider ships separately "
                "(available here: " + ", ".join(sorted(available())) + ")"
            )
        raise PlatformError(f"unknown platform {platform!r} (available: {', '.join(sorted(available()))})")
    venue = _load(target)(settings)
    # A plugin under any name says whether it trades real money; a factory only builds (the gateway
    # calls `connect()` later), so refusing here has opened nothing.
    guard_venue(venue, settings)
    return venue
