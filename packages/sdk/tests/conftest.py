"""Shared fixtures: a real gateway process on 127.0.0.1 (a free port) and the examples folder."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tradewire.testkit.harness import running_gateway

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"


@contextmanager
def gateway_process(*args: str, key: str | None = None, port: int = 0) -> Iterator[str]:
    """`tradewire-gateway serve ARGS` in a process of its own, on `port` (0: a free one); its base URL.

    A process, as an operator runs it: the SDK is tested against the command line's platforms and
    flags, and a test may stop one gateway and start another on the same port.
    """
    with running_gateway(mode="process", api_key=key, port=port, extra_args=args) as gateway:
        yield gateway.url


@pytest.fixture
def gateway() -> Callable[..., object]:
    """`with gateway("--platform", "backtest") as url:` starts a fresh gateway."""
    return gateway_process


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TEKTII_TRADING_GATEWAY_URL",
        "TRADING_GATEWAY_URL",
        "TEKTII_TRADING_GATEWAY_API_KEY",
        "TRADING_GATEWAY_API_KEY",
        "TRADEWIRE_API_KEY",
        "GATEWAY_API_KEY",
        "TRADEWIRE_ALLOW_LIVE",
        "TRADEWIRE_ALLOW_LIVE_ORDERS",
        "TRADEWIRE_ALLOW_INSECURE",
        "TRADEWIRE_STREAM_CLIENT",
    ):
        monkeypatch.delenv(name, raising=False)


def load_example(name: str) -> type:
    from tradewire.sdk.loader import load_strategy_class

    return load_strategy_class(EXAMPLES / f"{name}.py")


@pytest.fixture
def example() -> Callable[[str], type]:
    """`example("sma_crossover")` → the Strategy class of examples/sma_crossover.py."""
    return load_example


#: The asyncio stream's drivers installed here: the pure-`websockets` fallback, and picows (`[fast]`).
STREAM_DRIVERS = ["websockets"] + (["picows"] if importlib.util.find_spec("picows") else [])


@pytest.fixture(params=STREAM_DRIVERS)
def stream_driver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each installed stream driver in turn, chosen the way users force one (TRADEWIRE_STREAM_CLIENT)."""
    driver: str = request.param
    monkeypatch.setenv("TRADEWIRE_STREAM_CLIENT", driver)
    return driver
