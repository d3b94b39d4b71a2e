"""`tradewire-gateway serve` on a broker it cannot use at start: one clear line and exit 3, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

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
