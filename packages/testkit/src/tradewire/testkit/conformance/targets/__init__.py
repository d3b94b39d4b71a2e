"""Targets: where the scenarios run (`--target engine | gateway-backtest | gateway-mock |
gateway-alpaca-fake | gateway-binance-fake | url=http://…`)."""

from __future__ import annotations

from tradewire.testkit.conformance.targets.base import Target, TargetUnavailable

__all__ = ["NAMES", "Target", "TargetUnavailable", "resolve"]

#: The offline targets: no network beyond 127.0.0.1, no account.
NAMES = ("engine", "gateway-backtest", "gateway-mock", "gateway-alpaca-fake", "gateway-binance-fake")


def resolve(
    spec: str,
    *,
    api_key: str | None = None,
    symbol: str = "AAPL",
    backtest_data: str = "csv",
    allow_live_orders: bool = False,
) -> Target:
    """The target named by a `--target` value."""
    if spec == "engine":
        from tradewire.testkit.conformance.targets.engine import EngineTarget

        return EngineTarget()
    if spec in ("gateway-backtest", "gateway-mock"):
        from tradewire.testkit.conformance.targets.gateway import GatewayTarget

        return GatewayTarget(spec.split("-", 1)[1], data=backtest_data)
    if spec == "gateway-alpaca-fake":
        from tradewire.testkit.conformance.targets.alpaca_fake import AlpacaFakeTarget

        return AlpacaFakeTarget()
    if spec == "gateway-binance-fake":
        from tradewire.testkit.conformance.targets.binance_fake import BinanceFakeTarget

        return BinanceFakeTarget()
    if spec.startswith("url="):
        from tradewire.testkit.conformance.targets.url import UrlTarget

        return UrlTarget(spec[4:], api_key=api_key, symbol=symbol, allow_live_orders=allow_live_orders)
    raise ValueError(f"unknown target {spec!r}: choose one of {', '.join(NAMES)} or url=http://host:port")
