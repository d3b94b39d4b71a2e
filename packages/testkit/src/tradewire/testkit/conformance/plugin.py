"""The pytest plugin (entry point `pytest11`): `--target` and the other options of the conformance suite."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

__all__ = ["pytest_addoption"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tradewire-conformance", "Tradewire conformance suite")
    group.addoption(
        "--target",
        default="engine",
        help="venue to run the conformance scenarios on: engine, gateway-backtest, gateway-mock, "
        "gateway-alpaca-fake, gateway-binance-fake, or url=http://host:port (default: engine)",
    )
    group.addoption("--api-key", default=None, help="API key of a url= target (enables the auth scenarios)")
    group.addoption("--symbol", default="AAPL", help="a symbol a url= target trades (default: AAPL)")
    group.addoption(
        "--target-factory",
        default=None,
        metavar="MODULE:CALLABLE",
        help="build the target by calling MODULE:CALLABLE (returns a tradewire.testkit Target); "
        "for venues under development, tested in process",
    )
    group.addoption(
        "--allow-live-orders",
        action="store_true",
        default=False,
        help="let a url= target on a real-money platform run, with TRADEWIRE_ALLOW_LIVE_ORDERS=true "
        "(the scenarios place orders)",
    )
    group.addoption(
        "--backtest-data",
        default="csv",
        choices=("csv", "memory"),
        help="gateway-backtest: give the scripted market to the gateway's backtest provider as CSV files "
        "(default: the operator's path) or build the venue from memory",
    )
    group.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden traces of deterministic scenarios from this run",
    )


@pytest.fixture(scope="session")
def conformance_target(request: pytest.FixtureRequest) -> Any:
    """(target, capabilities) chosen with `--target`; skips everything when the target cannot run here."""
    from tradewire.testkit.conformance.targets import TargetUnavailable, resolve

    opt = request.config.getoption
    try:
        if opt("--target-factory"):
            target = _factory(opt("--target-factory"))()
        else:
            target = resolve(
                opt("--target"),
                api_key=opt("--api-key"),
                symbol=opt("--symbol"),
                backtest_data=opt("--backtest-data"),
                allow_live_orders=opt("--allow-live-orders"),
            )
    except TargetUnavailable as e:
        pytest.skip(f"target {opt('--target')} unavailable: {e}")
    try:
        caps = asyncio.run(target.capabilities())
    except TargetUnavailable as e:  # e.g. a real-money platform without --allow-live-orders
        pytest.exit(f"target {opt('--target')} refused: {e}", returncode=4)
    return target, caps


def _factory(spec: str) -> Any:
    import importlib

    module, _, attr = spec.partition(":")
    if not attr:
        raise pytest.UsageError(f"--target-factory wants MODULE:CALLABLE, got {spec!r}")
    return getattr(importlib.import_module(module), attr)
