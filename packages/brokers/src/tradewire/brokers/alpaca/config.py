"""Alpaca's settings from its own environment names: keys, the five base URLs (paper or live), the store."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tradewire.brokers._live.config import ConfigError, Credentials, env_credentials, env_url, redacted_logger

__all__ = [
    "DATA_STREAM_URL_VAR",
    "DATA_URL_VAR",
    "FEED_VAR",
    "KEY_VAR",
    "REST_URL_VAR",
    "SECRET_VAR",
    "STORE_VAR",
    "STREAM_URL_VAR",
    "SYMBOLS_VAR",
    "WIRE_LOGGER",
    "AlpacaConfig",
]

#: Alpaca's own variable names (its SDKs and docs use them), so its documentation applies unchanged.
KEY_VAR: Final = "APCA_API_KEY_ID"
SECRET_VAR: Final = "APCA_API_SECRET_KEY"  # noqa: S105 - the variable name, not a secret
REST_URL_VAR: Final = "APCA_API_BASE_URL"
DATA_URL_VAR: Final = "APCA_API_DATA_URL"
#: Alpaca names no variables for its two streams: these are Tradewire's (the testkit's fake prints them).
STREAM_URL_VAR: Final = "TRADEWIRE_ALPACA_STREAM_URL"
#: The market-data stream's base: `/v2/{feed}` (stocks) and `/v1beta3/crypto/us` are appended.
DATA_STREAM_URL_VAR: Final = "TRADEWIRE_ALPACA_DATA_STREAM_URL"
#: The stock data feed: `iex` (free plans), `sip` (paid) or `delayed_sip`.
FEED_VAR: Final = "TRADEWIRE_ALPACA_FEED"
#: Where the adapter keeps its SQLite file (ids, managed exits, seen fills).
STORE_VAR: Final = "TRADEWIRE_ALPACA_STORE"
#: Symbols whose quotes and minute bars are streamed, comma-separated (`AAPL,BTC/USD`); none by default.
SYMBOLS_VAR: Final = "TRADEWIRE_ALPACA_SYMBOLS"

#: The logger both WebSocket connections write their frame log to (debug level). Their first frames carry
#: the keys (alpaca.md §2), so every record on it passes a `RedactingFilter` of them.
WIRE_LOGGER: Final = "tradewire.brokers.alpaca.wire"

_FEEDS: Final = frozenset({"iex", "sip", "delayed_sip", "test"})
# alpaca.md §1: only the trading API differs between paper and live; market data is one service.
_REST: Final = {False: "https://api.alpaca.markets", True: "https://paper-api.alpaca.markets"}
_STREAM: Final = {False: "wss://api.alpaca.markets/stream", True: "wss://paper-api.alpaca.markets/stream"}
_DATA: Final = "https://data.alpaca.markets"
_DATA_STREAM: Final = "wss://stream.data.alpaca.markets"


@dataclass(frozen=True, slots=True)
class AlpacaConfig:
    """What the venue needs to start. Its repr shows no secret (`Credentials` redacts them)."""

    credentials: Credentials
    #: True for `alpaca-paper`: the paper URLs are the defaults (paper and live keys differ too).
    paper: bool
    rest_url: str
    data_url: str
    stream_url: str
    data_stream_url: str
    feed: str
    store_path: Path
    #: Streamed market data (stocks and crypto pairs).
    symbols: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, paper: bool, env: Mapping[str, str] | None = None) -> AlpacaConfig:
        """Read the configuration; unset URLs default to Alpaca's real ones for `paper` or live.

        Raises:
            tradewire.brokers._live.config.ConfigError: a key is missing, a URL or the feed is malformed.
        """
        source = os.environ if env is None else env
        feed = source.get(FEED_VAR, "").strip() or "iex"
        if feed not in _FEEDS:
            raise ConfigError(f"{FEED_VAR}: expected one of {', '.join(sorted(_FEEDS))}, got {feed!r}")
        default_store = "tradewire-alpaca-paper.sqlite3" if paper else "tradewire-alpaca-live.sqlite3"
        ws = ("wss", "ws")
        return cls(
            credentials=env_credentials(KEY_VAR, SECRET_VAR, env),
            paper=paper,
            rest_url=env_url(REST_URL_VAR, _REST[paper], env=env),
            data_url=env_url(DATA_URL_VAR, _DATA, env=env),
            stream_url=env_url(STREAM_URL_VAR, _STREAM[paper], ws, env=env),
            data_stream_url=env_url(DATA_STREAM_URL_VAR, _DATA_STREAM, ws, env=env),
            feed=feed,
            store_path=Path(source.get(STORE_VAR, "").strip() or default_store),
            symbols=tuple(s.strip() for s in source.get(SYMBOLS_VAR, "").split(",") if s.strip()),
        )

    def stock_stream_url(self) -> str:
        """The stock data stream of the configured feed."""
        return f"{self.data_stream_url}/v2/{self.feed}"

    def crypto_stream_url(self) -> str:
        """The crypto data stream."""
        return f"{self.data_stream_url}/v1beta3/crypto/us"

    def wire_logger(self) -> logging.Logger:
        """The logger to hand `websockets.connect`: its debug lines of the auth frames show no key."""
        return redacted_logger(WIRE_LOGGER, self.credentials)
