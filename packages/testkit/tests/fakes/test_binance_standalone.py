"""`python -m tradewire.testkit.fakes.binance --print-env`: the env lines reach it; one line on Ctrl-C."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import httpx
from standalone_fake import ctrl_c, start
from websockets.sync.client import connect

from tradewire.testkit.fakes.binance import env, running_fake


def test_print_env_then_ctrl_c_exits_cleanly() -> None:
    process = start("tradewire.testkit.fakes.binance", "--port", "0", "--print-env", "--tick", "0.05")
    try:
        assert process.stdout is not None
        values = dict(process.stdout.readline().strip().split("=", 1) for _ in range(len(env.NAMES)))
        assert list(values) == list(env.NAMES)
        assert values["BINANCE_API_URL"].startswith("http://127.0.0.1:")
        query = urlencode({"timestamp": int(time.time() * 1000)})
        signature = hmac.new(
            values["BINANCE_API_SECRET"].encode(), query.encode(), hashlib.sha256
        ).hexdigest()
        account = httpx.get(
            f"{values['BINANCE_API_URL']}/api/v3/account?{query}&signature={signature}",
            headers={"X-MBX-APIKEY": values["BINANCE_API_KEY"]},
        )
        assert account.status_code == 200 and account.json()["accountType"] == "SPOT"
        with connect(f"{values['BINANCE_STREAM_URL']}/ws/btcusdt@trade") as ws:
            assert json.loads(ws.recv(timeout=5))["e"] == "trade"  # the seeded walk ticks
        with connect(values["BINANCE_WS_API_URL"]) as ws:
            ws.send(json.dumps({"id": "t", "method": "time"}))
            assert json.loads(ws.recv(timeout=5))["status"] == 200
    finally:
        err = ctrl_c(process)
    assert process.returncode == 0
    assert err.strip().splitlines()[-1] == "fake binance stopped" and "Traceback" not in err


def test_running_fake_serves_blocking_clients_from_a_thread() -> None:
    with running_fake() as handle:
        fake = handle.fake
        assert httpx.get(f"{fake.base_url}/api/v3/ping").json() == {}
        handle.call(fake.set_price, "BTCUSDT", "61000.00")
        ticker = httpx.get(f"{fake.base_url}/api/v3/ticker/bookTicker", params={"symbol": "BTCUSDT"}).json()
        assert ticker["bidPrice"] == "60999.00000000"
