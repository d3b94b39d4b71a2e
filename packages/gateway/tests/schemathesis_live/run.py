"""Schemathesis against a live mock gateway, every check and every phase: what `nox -s schemathesis` runs.

    python packages/gateway/tests/schemathesis_live/run.py [SCHEMATHESIS RUN OPTIONS...]

Starts `tradewire-gateway serve --platform mock` on a free loopback port with a throwaway API key,
opens positions with resting exits (so the position routes have data from the first phase on), runs
`schemathesis run` on the served document with schemathesis.toml beside this file, and stops the
gateway. Extra arguments go to `schemathesis run` and win over the defaults (e.g. `--seed 7`,
`--max-examples 100`). Exits with schemathesis's status: any failure or warning fails.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
BIN = Path(sys.executable).parent
#: Bounds that keep the run to about a minute on a CI machine (a hung run is killed at RUN_TIMEOUT).
DEFAULTS = ("--max-examples", "30", "--seed", "1", "--request-timeout", "10")
RUN_TIMEOUT = 600
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def call(url: str, key: str, method: str = "GET", body: object = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait_ready(url: str, gateway: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if gateway.poll() is not None:
            sys.exit(f"the gateway exited with status {gateway.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the gateway was not ready within {START_TIMEOUT} s")


#: symbol → the id its position must have: AAPL's is the one the spec's examples use; MSFT's is in
#: schemathesis.toml, for moving exits (the AAPL exits go with the example DELETE /v1/orders?symbol=AAPL).
POSITIONS = {"AAPL": "pos-AAPL", "MSFT": "pos-MSFT"}


def open_position(url: str, key: str, symbol: str) -> str:
    """A long position in `symbol` with a resting stop-loss and take-profit; its id."""
    quote = call(f"{url}/v1/quotes/{symbol}", key)
    assert isinstance(quote, dict)
    last = Decimal(quote["last"])
    order = {
        "symbol": symbol,
        "side": "BUY",
        "quantity": "10",
        "order_type": "MARKET",
        "stop_loss": str((last / 2).quantize(Decimal("0.01"))),
        "take_profit": str((last * 2).quantize(Decimal("0.01"))),
    }
    call(f"{url}/v1/orders", key, "POST", order)
    positions = call(f"{url}/v1/positions?symbol={symbol}", key)
    assert isinstance(positions, list) and len(positions) == 1
    return str(positions[0]["id"])


def options(extra: list[str]) -> list[str]:
    """DEFAULTS, minus any option `extra` gives itself, then `extra`."""
    given = {arg.split("=", 1)[0] for arg in extra if arg.startswith("-")}
    out: list[str] = []
    for name, value in zip(DEFAULTS[::2], DEFAULTS[1::2], strict=True):
        if name not in given:
            out += [name, value]
    return out + extra


def main(extra: list[str]) -> int:
    key = secrets.token_urlsafe(24)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The key travels in the environment, never on a command line (schemathesis.toml reads it too).
    env = {**os.environ, "TRADEWIRE_API_KEY": key}
    serve = [str(BIN / "tradewire-gateway"), "serve", "--platform", "mock", "--port", str(port)]
    gateway = subprocess.Popen([*serve, "--log-level", "warning"], env=env)
    try:
        wait_ready(url, gateway)
        for symbol, expected in POSITIONS.items():
            if (got := open_position(url, key, symbol)) != expected:
                sys.exit(f"the mock's {symbol} position is {got!r}, not {expected!r}: update POSITIONS")
        command = [
            str(BIN / "schemathesis"),
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            f"{url}/api-docs/openapi.json",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            *options(extra),
        ]
        print("+", " ".join(command), flush=True)
        # Run from the repository root: schemathesis.toml names its hooks file from there.
        return subprocess.run(command, env=env, cwd=ROOT, timeout=RUN_TIMEOUT, check=False).returncode
    finally:
        gateway.terminate()
        try:
            gateway.wait(15)
        except subprocess.TimeoutExpired:
            gateway.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
