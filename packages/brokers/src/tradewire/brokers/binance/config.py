"""Binance's settings from the environment: the key pair, the three base URLs (testnet or live), the store."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tradewire.brokers._live.config import ConfigError, Credentials, env_credentials, env_url, redacted_logger

__all__ = [
    "ASSETS_VAR",
    "KEY_VAR",
    "QUOTES_VAR",
    "RECV_WINDOW_VAR",
    "REST_URL_VAR",
    "SECRET_VAR",
    "STORE_VAR",
    "STREAM_URL_VAR",
    "SYMBOLS_VAR",
    "WIRE_LOGGER",
    "WS_API_URL_VAR",
    "BinanceConfig",
]

#: The names Binance's own connectors read. The secret is an HMAC secret or an Ed25519 PKCS#8 PEM key.
KEY_VAR: Final = "BINANCE_API_KEY"
SECRET_VAR: Final = "BINANCE_API_SECRET"  # noqa: S105 - the variable name, not a secret
#: The three base URLs (the testkit's fake prints these names): REST (`/api/v3/...` follow), the
#: WebSocket API (the full URL), the market streams' base (`/stream?streams=` is appended).
REST_URL_VAR: Final = "BINANCE_API_URL"
WS_API_URL_VAR: Final = "BINANCE_WS_API_URL"
STREAM_URL_VAR: Final = "BINANCE_STREAM_URL"
#: Where the adapter keeps its SQLite file (ids, seen fills, average entry prices).
STORE_VAR: Final = "TRADEWIRE_BINANCE_STORE"
#: Symbols whose bookTicker and 1-minute klines are streamed, comma-separated (`BTCUSDT,ETH/USDT`).
SYMBOLS_VAR: Final = "TRADEWIRE_BINANCE_SYMBOLS"
#: Assets that are cash, not positions (binance.md §11); comma-separated, the first is the account's.
QUOTES_VAR: Final = "TRADEWIRE_BINANCE_QUOTE_ASSETS"
#: Only these base assets become positions (testnet seeds many); empty: every non-quote asset.
ASSETS_VAR: Final = "TRADEWIRE_BINANCE_ASSETS"
#: recvWindow in ms (binance.md §2: default 5000, at most 60000).
RECV_WINDOW_VAR: Final = "TRADEWIRE_BINANCE_RECV_WINDOW"
#: The logger the WebSocket connections write their frame log to (debug level). The user-data
#: subscription's frame carries the API key, so every record on it passes a filter of the keys.
WIRE_LOGGER: Final = "tradewire.brokers.binance.wire"

_REST: Final = {True: "https://testnet.binance.vision", False: "https://api.binance.com"}
_WS_API: Final = {
    True: "wss://ws-api.testnet.binance.vision/ws-api/v3",
    False: "wss://ws-api.binance.com:443/ws-api/v3",
}
_STREAM: Final = {True: "wss://stream.testnet.binance.vision", False: "wss://stream.binance.com:9443"}
_DEFAULT_QUOTES: Final = ("USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USD", "EUR")
_MAX_RECV_WINDOW: Final = 60_000


def _names(text: str) -> tuple[str, ...]:
    return tuple(s.strip().upper() for s in text.split(",") if s.strip())


@dataclass(frozen=True, slots=True)
class BinanceConfig:
    """What the venue needs to start. Its repr shows no secret (`Credentials` redacts them)."""

    credentials: Credentials
    #: True for `binance-testnet`: the testnet URLs are the defaults (testnet and live keys differ too).
    testnet: bool
    rest_url: str
    ws_api_url: str
    stream_url: str
    store_path: Path
    symbols: tuple[str, ...] = ()
    quote_assets: tuple[str, ...] = _DEFAULT_QUOTES
    assets: tuple[str, ...] = ()
    recv_window: int = 5000

    @classmethod
    def from_env(cls, testnet: bool, env: Mapping[str, str] | None = None) -> BinanceConfig:
        """Read the configuration; unset URLs default to Binance's real ones for testnet or live.

        Raises:
            tradewire.brokers._live.config.ConfigError: a key is missing, a URL or a number malformed.
        """
        source = os.environ if env is None else env
        window_text = source.get(RECV_WINDOW_VAR, "").strip() or "5000"
        if not window_text.isdigit() or not 0 < int(window_text) <= _MAX_RECV_WINDOW:
            raise ConfigError(f"{RECV_WINDOW_VAR}: expected milliseconds from 1 to {_MAX_RECV_WINDOW}")
        default_store = "tradewire-binance-testnet.sqlite3" if testnet else "tradewire-binance-live.sqlite3"
        ws = ("wss", "ws")
        return cls(
            credentials=env_credentials(KEY_VAR, SECRET_VAR, env),
            testnet=testnet,
            rest_url=env_url(REST_URL_VAR, _REST[testnet], env=env),
            ws_api_url=env_url(WS_API_URL_VAR, _WS_API[testnet], ws, env=env),
            stream_url=env_url(STREAM_URL_VAR, _STREAM[testnet], ws, env=env),
            store_path=Path(source.get(STORE_VAR, "").strip() or default_store),
            symbols=tuple(s.replace("/", "") for s in _names(source.get(SYMBOLS_VAR, ""))),
            quote_assets=_names(source.get(QUOTES_VAR, "")) or _DEFAULT_QUOTES,
            assets=_names(source.get(ASSETS_VAR, "")),
            recv_window=int(window_text),
        )

    def wire_logger(self) -> logging.Logger:
        """The logger to hand `websockets.connect`: its debug lines of the signed frames show no key."""
        return redacted_logger(WIRE_LOGGER, self.credentials)
