"""`tradewire-gateway serve` on a broker it cannot use at start: one clear line and exit 3, no traceback."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

fakes = pytest.importorskip("tradewire.testkit.fakes.alpaca")

#: `serve_to_exit` (conftest): (platform, env) -> (exit code, error lines, output).
Serve = Callable[[str, Mapping[str, str]], tuple[int, list[str], str]]


def test_unreachable_broker_ends_the_server_with_one_line(dead_address: str, serve_to_exit: Serve) -> None:
    dead = f"http://{dead_address}"
    env = {
        "APCA_API_KEY_ID": "PKTESTKEY0000000",
        "APCA_API_SECRET_KEY": "not-a-real-secret-0000",
        "APCA_API_BASE_URL": dead,
        "APCA_API_DATA_URL": dead,
    }
    code, errors, output = serve_to_exit("alpaca-paper", env)
    assert code == 3, output
    assert "Traceback" not in output
    assert errors == ["tradewire-gateway: cannot start alpaca-paper: Alpaca cannot be reached: ConnectError"]
    assert "not-a-real-secret-0000" not in output


def test_refused_keys_end_the_server_with_one_line(serve_to_exit: Serve) -> None:
    with fakes.running_fake() as running:  # its own loop: the child process reaches it
        env = {**running.fake.env(), "APCA_API_SECRET_KEY": "the-wrong-secret-0000"}
        code, errors, output = serve_to_exit("alpaca-paper", env)
    assert code == 3, output
    assert "Traceback" not in output
    [line] = errors
    assert line.startswith("tradewire-gateway: cannot start alpaca-paper: "), line
    assert "rejected" in line.lower() or "unauthorized" in line.lower() or "key" in line.lower(), line
    assert "the-wrong-secret-0000" not in output


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
