"""`tradewire-gateway serve --platform binance-testnet` when Binance cannot be used: at start one clear line
and exit 3, no traceback, the secret nowhere; Binance gone mid-run: the gateway stays up and says so."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

fakes = pytest.importorskip("tradewire.testkit.fakes.binance")

SECRET = "the-wrong-secret-0000"
#: `serve_to_exit` (conftest): (platform, env) -> (exit code, error lines, output).
Serve = Callable[[str, Mapping[str, str]], tuple[int, list[str], str]]


def test_unreachable_binance_ends_the_server_with_one_line(dead_address: str, serve_to_exit: Serve) -> None:
    dead = dead_address
    env = {
        "BINANCE_API_KEY": "K" * 64,
        "BINANCE_API_SECRET": SECRET,
        "BINANCE_API_URL": f"http://{dead}",
        "BINANCE_WS_API_URL": f"ws://{dead}/ws-api/v3",
        "BINANCE_STREAM_URL": f"ws://{dead}",
    }
    code, errors, output = serve_to_exit("binance-testnet", env)
    assert code == 3, output
    assert "Traceback" not in output
    assert errors == [
        "tradewire-gateway: cannot start binance-testnet: Binance cannot be reached: ConnectError"
    ]
    assert SECRET not in output


@pytest.mark.parametrize("wrong", ["BINANCE_API_SECRET", "BINANCE_API_KEY"])
def test_refused_keys_end_the_server_with_one_line(serve_to_exit: Serve, wrong: str) -> None:
    with fakes.running_fake() as running:  # its own loop: the child process reaches it
        code, errors, output = serve_to_exit("binance-testnet", {**running.fake.env(), wrong: SECRET})
    assert code == 3, output
    assert "Traceback" not in output
    assert errors == [
        "tradewire-gateway: cannot start binance-testnet: Binance refused the API key or signature"
    ]
    assert SECRET not in output


def test_binance_gone_mid_run_is_reported_without_a_traceback(
    tmp_path: Path, serve_binance: Callable[..., AbstractContextManager[str]]
) -> None:
    log = tmp_path / "gateway.log"
    with fakes.running_fake() as running:
        env = {
            **running.fake.env(),
            "TRADEWIRE_BINANCE_STORE": str(tmp_path / "gw.sqlite3"),
            "TRADEWIRE_BINANCE_SYMBOLS": "BTCUSDT",
        }
        secret = env["BINANCE_API_SECRET"]
        with serve_binance(env, log) as url:
            assert httpx.get(f"{url}/v1/status", timeout=10).json()["connected"] is True
            # The fake Binance goes away under the running gateway (its sockets closed, its port shut).
            asyncio.run_coroutine_threadsafe(running.fake.stop(), running.loop).result(10)
            deadline = time.monotonic() + 20  # a bound against hanging, not a speed assertion
            while httpx.get(f"{url}/v1/status", timeout=10).json()["connected"]:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            answer = httpx.get(f"{url}/v1/account", timeout=10)
            assert answer.status_code == 503 and answer.json()["code"] == "PROVIDER_UNAVAILABLE"
            time.sleep(1.5)  # a few reconnect attempts get logged
    text = log.read_text()
    assert "Traceback" not in text and secret not in text
    assert "Binance market stream down" in text
