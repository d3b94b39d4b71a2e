"""Shared helpers: `tradewire-gateway serve --platform alpaca-paper` as a child process on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest


@contextlib.contextmanager
def alpaca_gateway(env: Mapping[str, str], log_path: Path) -> Iterator[str]:
    """The gateway pointed at a fake Alpaca by `env` (its `env()` plus the store); yields its URL once
    ready and terminates it at the end. For a fake on another thread (`running_fake`): this blocks."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("TRADEWIRE_", "APCA_", "GATEWAY_"))}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tradewire.gateway.cli", "serve", "--platform", "alpaca-paper",
             "--port", str(port)],
            env={**child_env, **env}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30  # a bound against hanging, not a speed assertion
        while True:
            assert process.poll() is None, log_path.read_text()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(15)


@pytest.fixture
def serve_alpaca() -> Callable[[Mapping[str, str], Path], AbstractContextManager[str]]:
    """`with serve_alpaca(env, log_path) as url:` (see `alpaca_gateway`)."""
    return alpaca_gateway
