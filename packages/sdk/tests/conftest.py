"""Shared fixtures: a real gateway subprocess on 127.0.0.1 (random port) and the examples folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
GATEWAY = Path(sys.executable).parent / "tradewire-gateway"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_gateway(*args: str, key: str | None = None, port: int | None = None) -> Iterator[str]:
    """Start `tradewire-gateway serve ARGS` on a loopback port (a free one by default); yields its base URL."""
    if not GATEWAY.exists():
        pytest.skip("tradewire-gateway is not installed")
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRADEWIRE_", "GATEWAY_"))}
    if key is not None:
        env["TRADEWIRE_API_KEY"] = key
    proc = subprocess.Popen(
        [str(GATEWAY), "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gateway exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                if httpx.get(url + "/livez", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gateway did not start")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.fixture
def gateway() -> Callable[..., object]:
    """`with gateway("--platform", "backtest") as url:` starts a fresh gateway."""
    return running_gateway


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TEKTII_TRADING_GATEWAY_URL",
        "TRADING_GATEWAY_URL",
        "TEKTII_TRADING_GATEWAY_API_KEY",
        "TRADING_GATEWAY_API_KEY",
        "TRADEWIRE_ALLOW_LIVE",
        "TRADEWIRE_ALLOW_INSECURE",
    ):
        monkeypatch.delenv(name, raising=False)


def load_example(name: str) -> type:
    from tradewire.sdk.loader import load_strategy_class

    return load_strategy_class(EXAMPLES / f"{name}.py")


@pytest.fixture
def example() -> Callable[[str], type]:
    """`example("sma_crossover")` → the Strategy class of examples/sma_crossover.py."""
    return load_example
