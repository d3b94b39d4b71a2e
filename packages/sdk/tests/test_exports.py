"""Pins the public surface of `tradewire.sdk` and that importing it stays lazy and cheap."""

from __future__ import annotations

import subprocess
import sys

import tradewire.sdk as sdk

EXPECTED = {
    "ATR",
    "AsyncClient",
    "AsyncEventStream",
    "AuthenticationError",
    "BB",
    "Candle",
    "Client",
    "ClientConfig",
    "ConfigurationError",
    "ConnectionLost",
    "Delivery",
    "EMA",
    "EventStream",
    "InsecureTransport",
    "InsufficientFunds",
    "InvalidRequest",
    "KeepAliveClient",  # deprecated alias, returns Client(transport="keepalive")
    "LiveTradingNotAllowed",
    "MACD",
    "NotFound",
    "OrderNotFound",
    "OrderNotModifiable",
    "OrderRejected",
    "PLATFORMS",
    "PositionNotFound",
    "ProtocolViolation",
    "RSI",
    "RateLimited",
    "RunChanged",
    "RunResult",
    "SMA",
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
}


def test_exported_names_are_pinned() -> None:
    assert set(sdk.__all__) == EXPECTED


def test_every_export_resolves() -> None:
    for name in sdk.__all__:
        assert getattr(sdk, name) is not None


def test_errors_mirror_the_protocol_table() -> None:
    from tradewire.protocol import errors as proto

    assert sdk.OrderRejected is proto.OrderRejected
    assert issubclass(sdk.InsufficientFunds, proto.OrderRejected)
    assert sdk.NotFound is proto.NotFound and sdk.RateLimited is proto.RateLimited
    for row in proto.ERROR_TABLE:
        assert issubclass(row.exception, sdk.TradewireError)


def test_import_is_lazy() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import tradewire.sdk; dt = time.perf_counter() - t; "
        "heavy = [m for m in ('httpx', 'websockets', 'tradewire.engine', 'tradewire.protocol', 'talipp', 'rich') "
        "if m in sys.modules]; print(heavy, dt)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    heavy, seconds = out.rsplit(" ", 1)
    assert heavy == "[]"
    assert float(seconds) < 0.2


def test_async_client_has_every_sync_route_as_a_coroutine() -> None:
    import inspect

    from tradewire.sdk._surface import RestSurface
    from tradewire.sdk._surface_async import AsyncRestSurface

    sync = {n: f for n, f in vars(RestSurface).items() if callable(f) and not n.startswith("_")}
    coro = {n: f for n, f in vars(AsyncRestSurface).items() if callable(f) and not n.startswith("_")}
    assert sync.keys() == coro.keys() and len(sync) >= 25
    for name, fn in sync.items():
        assert inspect.iscoroutinefunction(coro[name]), name
        assert inspect.signature(fn) == inspect.signature(coro[name]), name
        assert fn.__doc__ == coro[name].__doc__, name
