"""Tradewire SDK: write a strategy once, run it in a backtest, on Alpaca or on Binance."""

# The public surface is listed here and loaded lazily, so `import tradewire.sdk` stays cheap: a run
# imports only what it uses (httpx and websockets for the wire, the engine for in-process backtests).

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tradewire.sdk._frames import Delivery, StreamState
    from tradewire.sdk.client_async import AsyncClient
    from tradewire.sdk.client_keepalive import KeepAliveClient
    from tradewire.sdk.client_sync import Client
    from tradewire.sdk.config import ClientConfig
    from tradewire.sdk.errors import (
        AuthenticationError,
        ConfigurationError,
        ConnectionLost,
        InsecureTransport,
        InsufficientFunds,
        InvalidRequest,
        LiveTradingNotAllowed,
        NotFound,
        OrderNotFound,
        OrderNotModifiable,
        OrderRejected,
        PositionNotFound,
        ProtocolViolation,
        RateLimited,
        RunChanged,
        SymbolNotFound,
        TradewireError,
    )
    from tradewire.sdk.failures import StrategyError
    from tradewire.sdk.indicators import ATR, BB, EMA, MACD, RSI, SMA, Stoch
    from tradewire.sdk.market import Candle, Tick
    from tradewire.sdk.result import RunResult
    from tradewire.sdk.runner import PLATFORMS, backtest, run
    from tradewire.sdk.state import TradingState
    from tradewire.sdk.strategy import Strategy, on
    from tradewire.sdk.stream import AsyncEventStream
    from tradewire.sdk.stream_sync import EventStream

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # strategies
    "Strategy": "tradewire.sdk.strategy",
    "on": "tradewire.sdk.strategy",
    "Candle": "tradewire.sdk.market",
    "Tick": "tradewire.sdk.market",
    "TradingState": "tradewire.sdk.state",
    "RunResult": "tradewire.sdk.result",
    "backtest": "tradewire.sdk.runner",
    "run": "tradewire.sdk.runner",
    "PLATFORMS": "tradewire.sdk.runner",
    # indicators
    "SMA": "tradewire.sdk.indicators",
    "EMA": "tradewire.sdk.indicators",
    "RSI": "tradewire.sdk.indicators",
    "BB": "tradewire.sdk.indicators",
    "MACD": "tradewire.sdk.indicators",
    "ATR": "tradewire.sdk.indicators",
    "Stoch": "tradewire.sdk.indicators",
    # clients
    "Client": "tradewire.sdk.client_sync",
    "AsyncClient": "tradewire.sdk.client_async",
    "KeepAliveClient": "tradewire.sdk.client_keepalive",  # deprecated: Client(transport="keepalive")
    "ClientConfig": "tradewire.sdk.config",
    "EventStream": "tradewire.sdk.stream_sync",
    "AsyncEventStream": "tradewire.sdk.stream",
    "Delivery": "tradewire.sdk._frames",
    "StreamState": "tradewire.sdk._frames",
    # errors
    "TradewireError": "tradewire.sdk.errors",
    "AuthenticationError": "tradewire.sdk.errors",
    "ConfigurationError": "tradewire.sdk.errors",
    "ConnectionLost": "tradewire.sdk.errors",
    "InsecureTransport": "tradewire.sdk.errors",
    "InsufficientFunds": "tradewire.sdk.errors",
    "InvalidRequest": "tradewire.sdk.errors",
    "LiveTradingNotAllowed": "tradewire.sdk.errors",
    "NotFound": "tradewire.sdk.errors",
    "OrderNotFound": "tradewire.sdk.errors",
    "OrderNotModifiable": "tradewire.sdk.errors",
    "OrderRejected": "tradewire.sdk.errors",
    "PositionNotFound": "tradewire.sdk.errors",
    "ProtocolViolation": "tradewire.sdk.errors",
    "RateLimited": "tradewire.sdk.errors",
    "RunChanged": "tradewire.sdk.errors",
    "SymbolNotFound": "tradewire.sdk.errors",
    "StrategyError": "tradewire.sdk.failures",
}

__all__ = [
    "ATR",
    "BB",
    "EMA",
    "MACD",
    "PLATFORMS",
    "RSI",
    "SMA",
    "AsyncClient",
    "AsyncEventStream",
    "AuthenticationError",
    "Candle",
    "Client",
    "ClientConfig",
    "ConfigurationError",
    "ConnectionLost",
    "Delivery",
    "EventStream",
    "InsecureTransport",
    "InsufficientFunds",
    "InvalidRequest",
    "KeepAliveClient",
    "LiveTradingNotAllowed",
    "NotFound",
    "OrderNotFound",
    "OrderNotModifiable",
    "OrderRejected",
    "PositionNotFound",
    "ProtocolViolation",
    "RateLimited",
    "RunChanged",
    "RunResult",
    "Stoch",
    "Strategy",
    "StrategyError",
    "StreamState",
    "SymbolNotFound",
    "Tick",
    "TradewireError",
    "TradingState",
    "__version__",
    "backtest",
    "on",
    "run",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tradewire.sdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
