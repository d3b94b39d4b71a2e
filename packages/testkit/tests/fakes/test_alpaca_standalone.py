"""`python -m tradewire.testkit.fakes.alpaca --print-env`: env lines that reach it, one line on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx


def _default_sigint() -> None:
    """In the child, before exec: SIGINT as a terminal's foreground job has it. A shell that starts
    this test run in the background sets SIGINT to ignored, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_print_env_then_ctrl_c_exits_cleanly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tradewire.testkit.fakes.alpaca", "--port", "0", "--print-env", "--tick", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
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
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()  # the failure is this test's, not a leaked process in the next one's
            process.communicate()
            raise
    assert process.returncode == 0
    assert err.strip().splitlines()[-1] == "fake alpaca stopped" and "Traceback" not in err
