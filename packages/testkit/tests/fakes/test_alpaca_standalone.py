"""`python -m tradewire.testkit.fakes.alpaca --print-env`: env lines that reach it, one line on Ctrl-C."""

from __future__ import annotations

import httpx
from standalone_fake import ctrl_c, start


def test_print_env_then_ctrl_c_exits_cleanly() -> None:
    process = start("tradewire.testkit.fakes.alpaca", "--port", "0", "--print-env", "--tick", "0")
    try:
        assert process.stdout is not None
        env = dict(process.stdout.readline().strip().split("=", 1) for _ in range(6))
        assert set(env) == {
            "APCA_API_KEY_ID",
            "APCA_API_SECRET_KEY",
            "APCA_API_BASE_URL",
            "APCA_API_DATA_URL",
            "TRADEWIRE_ALPACA_STREAM_URL",
            "TRADEWIRE_ALPACA_DATA_STREAM_URL",
        }
        headers = {
            "APCA-API-KEY-ID": env["APCA_API_KEY_ID"],
            "APCA-API-SECRET-KEY": env["APCA_API_SECRET_KEY"],
        }
        assert env["APCA_API_BASE_URL"].startswith("http://127.0.0.1:")
        assert httpx.get(env["APCA_API_BASE_URL"] + "/v2/account", headers=headers).status_code == 200
        quote = httpx.get(env["APCA_API_DATA_URL"] + "/v2/stocks/AAPL/quotes/latest", headers=headers)
        assert quote.json()["symbol"] == "AAPL"
    finally:
        err = ctrl_c(process)
    assert process.returncode == 0
    assert err.strip().splitlines()[-1] == "fake alpaca stopped" and "Traceback" not in err
