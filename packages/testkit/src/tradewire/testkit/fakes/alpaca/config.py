"""What a fake Alpaca is started with: keys, URL base paths, account, assets, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tradewire.testkit.fakes.alpaca.assets import Asset, Assets

__all__ = ["Asset", "Assets", "FakeConfig", "Paths"]


@dataclass(frozen=True)
class Paths:
    """Base paths on the one port: Alpaca's hosts become path prefixes, so nothing collides."""

    trading: str = ""  # APCA_API_BASE_URL -> /v2/account, /v2/orders, ...
    data: str = "/data"  # APCA_API_DATA_URL -> /data/v2/stocks/..., /data/v1beta3/crypto/us/...
    trading_stream: str = "/stream"  # wss://paper-api.alpaca.markets/stream
    data_stream: str = "/data-stream"  # + /v2/{feed} or /v1beta3/crypto/us


@dataclass
class FakeConfig:
    key_id: str = "FAKEPAPERKEY"
    secret_key: str = "fake-paper-secret"  # noqa: S105 - the fake's own made-up key, not a secret
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port, read back from FakeAlpaca.port
    paths: Paths = field(default_factory=Paths)
    assets: list[Asset] | None = None  # None: AAPL, MSFT, SPY, GME (not shortable), BTC/USD, ETH/USD
    cash: Decimal = Decimal("100000")
    multiplier: str = "2"
    shorting_enabled: bool = True
    #: Trading REST requests per minute per key (Alpaca: 200); every response reports the window.
    rate_limit: int = 200
    #: Seconds a data-stream client has to authenticate before `404 auth timeout`.
    auth_timeout: float = 10.0
    #: Quote spread per asset class: bid = price - spread/2, ask = price + spread/2.
    spreads: dict[str, Decimal] = field(
        default_factory=lambda: {"us_equity": Decimal("0.02"), "crypto": Decimal("2")}
    )
    market_open: bool = True
    #: Start the fake's clock frozen here (epoch ns) instead of following the wall clock.
    frozen_ns: int | None = None
    #: Seconds between automatic steps of every scripted price path (None: the test steps them).
    tick_interval: float | None = None
