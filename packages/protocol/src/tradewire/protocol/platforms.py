"""Tradewire's platforms: spellings and aliases, which spend real money, and the live opt-in guard."""

from __future__ import annotations

import os
from collections.abc import Mapping

from tradewire.protocol._generated.wire_table import ENUMS
from tradewire.protocol.messages import TradingPlatform

__all__ = [
    "ALIASES",
    "ENV_ALLOW_LIVE",
    "FLAG_ALLOW_LIVE",
    "LIVE",
    "PLATFORMS",
    "PROVIDER_GROUP",
    "RESERVED",
    "LiveOptInMissing",
    "canonical",
    "check_live_opt_in",
    "installed",
    "is_live",
    "member",
]

#: The command-line flag that is the first live opt-in.
FLAG_ALLOW_LIVE = "--allow-live-orders"
#: The environment variable that must be "true" as the second live opt-in. It is read only here: the
#: gateway never takes the first opt-in (the flag) from the environment, so no env file holds both.
ENV_ALLOW_LIVE = "TRADEWIRE_ALLOW_LIVE_ORDERS"

_TABLE = ENUMS["TradingPlatform"]
#: Member → the spelling Tradewire emits (the wire table generated from enums.proto).
_SPELLING: dict[TradingPlatform, str] = {TradingPlatform(n): s for n, s in _TABLE["emit"].items()}
#: Every accepted spelling, aliases included → member.
_MEMBERS: dict[str, TradingPlatform] = {s: TradingPlatform(n) for s, n in _TABLE["accept"].items()}

# Tradewire offers five execution modes and the mock (enums.md); the enum's other values are the
# upstream API's, accepted on input and reserved. The proto has no option marking them, so the offered
# members are listed here, once.
_OFFERED = (
    TradingPlatform.BACKTEST,
    TradingPlatform.ALPACA_PAPER,
    TradingPlatform.ALPACA_LIVE,
    TradingPlatform.BINANCE_TESTNET,
    TradingPlatform.BINANCE_LIVE,
    TradingPlatform.MOCK,
)

#: The platforms Tradewire offers, in the enum's order.
PLATFORMS: tuple[str, ...] = tuple(_SPELLING[p] for p in _OFFERED)
#: The entry-point group of the gateway's venue providers (its own mock and backtest, tradewire-brokers',
#: third parties'): a platform is installed when a provider for it is registered there.
PROVIDER_GROUP = "tradewire.venues"


def installed() -> tuple[str, ...]:
    """The offered platforms a gateway in this environment can serve, in PLATFORMS order (empty when
    no gateway is installed here)."""
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group=PROVIDER_GROUP)}
    return tuple(p for p in PLATFORMS if p in names)


#: Upstream platform values that are accepted but not offered.
RESERVED: tuple[str, ...] = tuple(s for p, s in _SPELLING.items() if p not in _OFFERED)
#: Accepted alias → the spelling Tradewire emits (`tektii` → `backtest`).
ALIASES: Mapping[str, str] = {a: _SPELLING[p] for a, p in _MEMBERS.items() if a != _SPELLING[p]}
# The spec names every real-money value `<venue>-live` (paper ones are -paper, -testnet, -practice,
# -sim): that suffix is the rule, and the protocol tests pin the resulting set.
#: Every platform whose orders spend real money, offered or reserved.
LIVE: frozenset[str] = frozenset(s for s in _SPELLING.values() if s.endswith("-live"))


class LiveOptInMissing(Exception):
    """A real-money platform was requested without both opt-ins; the message names the missing ones.

    Callers map it to their own error (the gateway's PlatformError, the SDK's LiveTradingNotAllowed).
    """

    def __init__(self, platform: str, missing: tuple[str, ...]) -> None:
        super().__init__(
            f"platform {platform!r} places real-money orders; refusing without " + " and ".join(missing)
        )
        self.platform = platform
        self.missing = missing


def member(name: str) -> TradingPlatform | None:
    """The enum member for a platform spelling or alias (any case, spaces trimmed); None if unknown."""
    return _MEMBERS.get(name.strip().lower())


def canonical(name: str) -> str:
    """The spelling Tradewire emits for `name` (`tektii` → `backtest`).

    An unknown name comes back trimmed and lower-cased, so a plugin venue's own name passes through.
    """
    found = member(name)
    return name.strip().lower() if found is None else _SPELLING[found]


def _spelling(platform: str | TradingPlatform) -> str:
    if isinstance(platform, TradingPlatform):
        return _SPELLING.get(platform, "")  # "" for UNSPECIFIED, which has no spelling
    return canonical(platform)


def is_live(platform: str | TradingPlatform) -> bool:
    """Whether orders on `platform` (a member, spelling or alias) spend real money."""
    return _spelling(platform) in LIVE


def check_live_opt_in(
    platform: str | TradingPlatform,
    allow_live_orders: bool,
    *,
    live: bool | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Refuse a real-money platform unless `--allow-live-orders` was given AND
    `TRADEWIRE_ALLOW_LIVE_ORDERS=true` is in the environment.

    Args:
        platform: The platform, as a member, spelling or alias (a plugin venue's name).
        allow_live_orders: The first opt-in (the flag or its setting).
        live: Whether the platform spends real money; by default `is_live(platform)`. A plugin venue
            passes its own `Venue.live`.
        env: Where to read `TRADEWIRE_ALLOW_LIVE_ORDERS`; `os.environ` by default.

    Raises:
        LiveOptInMissing: live, and at least one opt-in is missing.
    """
    if not (is_live(platform) if live is None else live):
        return
    env_ok = (os.environ if env is None else env).get(ENV_ALLOW_LIVE, "").strip().lower() == "true"
    missing: list[str] = []
    if not allow_live_orders:
        missing.append(f"the {FLAG_ALLOW_LIVE} flag")
    if not env_ok:
        missing.append(f"the environment variable {ENV_ALLOW_LIVE}=true")
    if missing:
        raise LiveOptInMissing(_spelling(platform), tuple(missing))
