"""Shared helpers: `tradewire-gateway serve --platform alpaca-paper | binance-testnet` as a child process on 127.0.0.1, and
Binance payloads from binance.md for the unit tests (shapes as the documentation shows them)."""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tradewire.brokers._live import jsondecimal

# The tests' own helper modules (binance_live) import by name, as in the testkit's tests.
sys.path.insert(0, str(Path(__file__).parent))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: Environment variables a gateway child takes from the test's environment only when a test gives them.
_BROKER_PREFIXES = ("TRADEWIRE_", "APCA_", "BINANCE_", "GATEWAY_")


def _child_env(env: Mapping[str, str]) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(_BROKER_PREFIXES)}, **env}


@pytest.fixture
def dead_address() -> str:
    """`127.0.0.1:<port>` with nothing listening (a broker that cannot be reached)."""
    return f"127.0.0.1:{_free_port()}"


@pytest.fixture
def serve_to_exit(tmp_path: Path) -> Callable[[str, Mapping[str, str]], tuple[int, list[str], str]]:
    """`serve_to_exit(platform, env)`: `tradewire-gateway serve` run until it ends (a start that fails);
    its exit code, its `tradewire-gateway:` lines, and everything it printed."""

    def run(platform: str, env: Mapping[str, str]) -> tuple[int, list[str], str]:
        stores = {
            f"TRADEWIRE_{b}_STORE": str(tmp_path / f"{b.lower()}.sqlite3") for b in ("ALPACA", "BINANCE")
        }
        done = subprocess.run(
            [sys.executable, "-m", "tradewire.gateway.cli", "serve", "--platform", platform,
             "--port", str(_free_port())],
            env=_child_env({**stores, **env}), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        errors = [line for line in done.stderr.splitlines() if line.startswith("tradewire-gateway:")]
        return done.returncode, errors, done.stderr + done.stdout

    return run


@contextlib.contextmanager
def serve_platform(
    platform: str, env: Mapping[str, str], log_path: Path, *, kill: bool = False
) -> Iterator[str]:
    """`tradewire-gateway serve --platform <platform>` pointed at a fake by `env` (its `env()` plus the
    store); yields its URL once ready and stops it at the end (`kill`: SIGKILL, no shutdown at all).
    For a fake on another thread (`running_fake`): this blocks."""
    port = _free_port()
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tradewire.gateway.cli", "serve", "--platform", platform,
             "--port", str(port)],
            env=_child_env(env), stdout=log, stderr=subprocess.STDOUT,
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
        if kill:
            process.kill()
        else:
            process.terminate()
        process.wait(15)


def alpaca_gateway(
    env: Mapping[str, str], log_path: Path, *, kill: bool = False
) -> AbstractContextManager[str]:
    """The gateway serving alpaca-paper (see `serve_platform`)."""
    return serve_platform("alpaca-paper", env, log_path, kill=kill)


@pytest.fixture(scope="session")  # a plain function: module-scoped fixtures may start a gateway with it
def serve_alpaca() -> Callable[[Mapping[str, str], Path], AbstractContextManager[str]]:
    """`with serve_alpaca(env, log_path[, kill=True]) as url:` (see `serve_platform`)."""
    return alpaca_gateway


@pytest.fixture
def serve_binance() -> Callable[..., AbstractContextManager[str]]:
    """`with serve_binance(env, log_path[, kill=True]) as url:` binance-testnet (see `serve_platform`)."""
    return functools.partial(serve_platform, "binance-testnet")


BTCUSDT: dict[str, Any] = jsondecimal.loads(
    """{"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","baseAssetPrecision":8,"quoteAsset":"USDT",
    "quoteAssetPrecision":8,"orderTypes":["LIMIT","LIMIT_MAKER","MARKET","STOP_LOSS","STOP_LOSS_LIMIT",
    "TAKE_PROFIT","TAKE_PROFIT_LIMIT"],"icebergAllowed":true,"ocoAllowed":true,"otoAllowed":true,
    "quoteOrderQtyMarketAllowed":true,"allowTrailingStop":true,"cancelReplaceAllowed":true,
    "amendAllowed":true,
    "isSpotTradingAllowed":true,"filters":[
    {"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000",
    "tickSize":"0.01000000"},
    {"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"},
    {"filterType":"ICEBERG_PARTS","limit":10},
    {"filterType":"MARKET_LOT_SIZE","minQty":"0.00000000","maxQty":"100.00000000","stepSize":"0.00000000"},
    {"filterType":"TRAILING_DELTA","minTrailingAboveDelta":10,"maxTrailingAboveDelta":2000,
     "minTrailingBelowDelta":10,"maxTrailingBelowDelta":2000},
    {"filterType":"PERCENT_PRICE_BY_SIDE","bidMultiplierUp":"5","bidMultiplierDown":"0.2",
    "askMultiplierUp":"5",
     "askMultiplierDown":"0.2","avgPriceMins":5},
    {"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true,
    "maxNotional":"9000000.00000000",
     "applyMaxToMarket":false,"avgPriceMins":5}]}"""
)

REPORT: dict[str, Any] = jsondecimal.loads(
    """{"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY",
    "o":"LIMIT",
    "f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"TRADE",
    "X":"PARTIALLY_FILLED","r":"NONE","i":4293153,"l":"0.40000000","z":"0.40000000","L":"0.10264410",
    "n":"0.00040000","N":"ETH","T":1499405658657,"t":5012,"I":8641984,"w":true,"m":true,"M":false,
    "O":1499405658657,"Z":"0.04105764","Y":"0.04105764","Q":"0.00000000","W":1499405658657,"V":"NONE"}"""
)

FULL: dict[str, Any] = jsondecimal.loads(
    """{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"6gCrw2kRUAF9CvJDGP16IP",
    "transactTime":1507725176595,"price":"0.00000000","origQty":"1.00000000","executedQty":"1.00000000",
    "origQuoteOrderQty":"0.000000","cummulativeQuoteQty":"4000.00000000","status":"FILLED",
    "timeInForce":"GTC",
    "type":"MARKET","side":"SELL","workingTime":1507725176595,"selfTradePreventionMode":"NONE",
    "fills":[{"price":"4000.00000000","qty":"1.00000000","commission":"4.00000000","commissionAsset":"USDT",
    "tradeId":56}]}"""
)


@pytest.fixture
def btcusdt() -> dict[str, Any]:
    """exchangeInfo's BTCUSDT."""
    return BTCUSDT


@pytest.fixture
def report() -> dict[str, Any]:
    """binance.md §7's executionReport (a partial fill)."""
    return dict(REPORT)


@pytest.fixture
def full() -> dict[str, Any]:
    """binance.md §5.1's FULL answer of a filled market order."""
    return dict(FULL)
