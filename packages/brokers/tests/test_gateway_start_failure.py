"""`tradewire-gateway serve` on a broker it cannot use at start: one clear line and exit 3, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

fakes = pytest.importorskip("tradewire.testkit.fakes.alpaca")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("TRADEWIRE_", "APCA_", "GATEWAY_"))}
    child_env |= env | {"TRADEWIRE_ALPACA_STORE": str(tmp_path / "gw.sqlite3")}
    return subprocess.run(
        [sys.executable, "-m", "tradewire.gateway.cli", "serve", "--platform", "alpaca-paper",
         "--port", str(_free_port())],
        env=child_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("tradewire-gateway:")]


def test_unreachable_broker_ends_the_server_with_one_line(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_free_port()}"
    env = {
        "APCA_API_KEY_ID": "PKTESTKEY0000000",
        "APCA_API_SECRET_KEY": "not-a-real-secret-0000",
        "APCA_API_BASE_URL": dead,
        "APCA_API_DATA_URL": dead,
    }
    done = _serve(env, tmp_path)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert _error_lines(done.stderr) == [
        "tradewire-gateway: cannot start alpaca-paper: Alpaca cannot be reached: ConnectError"
    ]
    assert "not-a-real-secret-0000" not in done.stderr + done.stdout


def test_refused_keys_end_the_server_with_one_line(tmp_path: Path) -> None:
    with fakes.running_fake() as running:  # its own loop: the child process reaches it
        env = {**running.fake.env(), "APCA_API_SECRET_KEY": "the-wrong-secret-0000"}
        done = _serve(env, tmp_path)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    [line] = _error_lines(done.stderr)
    assert line.startswith("tradewire-gateway: cannot start alpaca-paper: "), line
    assert "rejected" in line.lower() or "unauthorized" in line.lower() or "key" in line.lower(), line
    assert "the-wrong-secret-0000" not in done.stderr + done.stdout


def test_the_broker_gone_mid_run_is_one_warning_line_and_503s(
    tmp_path: Path, serve_alpaca: Callable[..., AbstractContextManager[str]]
) -> None:
    """A user's fake killed under a running gateway: REST answers PROVIDER_UNAVAILABLE, the log says it
    once in a line of its own (no traceback), and the gateway keeps serving."""
    log_path = tmp_path / "gateway.log"
    with fakes.running_fake() as running:
        env = {**running.fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp_path / "gw.sqlite3")}
        serving = serve_alpaca(env, log_path)
        url = serving.__enter__()
    try:  # the fake stopped
        answer = httpx.get(f"{url}/v1/account", timeout=10)
        assert answer.status_code == 503 and answer.json()["code"] == "PROVIDER_UNAVAILABLE", answer.text
        deadline = time.monotonic() + 15  # a bound against hanging, not a speed assertion
        while "Alpaca trading stream lost" not in log_path.read_text():
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        assert httpx.get(f"{url}/livez", timeout=10).status_code == 200
    finally:
        serving.__exit__(None, None, None)
    text = log_path.read_text()
    assert "Traceback" not in text
    assert len([line for line in text.splitlines() if "Alpaca trading stream lost" in line]) == 1
