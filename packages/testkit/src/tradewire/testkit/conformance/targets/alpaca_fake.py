"""The `gateway-alpaca-fake` target: `tradewire-gateway serve --platform alpaca-paper` against the fake Alpaca.

Each scenario gets a fresh fake (`python -m tradewire.testkit.fakes.alpaca --print-env`, as a user
starts it) and a fresh gateway child process pointed at it by the printed `NAME=value` lines, both on
127.0.0.1; both are torn down after the scenario. The fake walks its own prices (the suite has no
market control) and streams minute bars, as Alpaca does.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Final

from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.market import Market
from tradewire.testkit.conformance.session import Connection
from tradewire.testkit.conformance.targets.base import Target, TargetUnavailable, needs
from tradewire.testkit.conformance.targets.gateway import sdk_connection

__all__ = ["AlpacaFakeTarget", "running_fake_process"]

#: The symbol the scenarios trade, streamed by the gateway (quotes and minute bars).
SYMBOL: Final = "AAPL"
#: Seconds between the fake's price steps: each step is a quote on the stream, which scenarios wait on.
TICK: Final = "0.2"
_START_TIMEOUT: Final = 30.0
_STOP_TIMEOUT: Final = 10.0


@contextlib.contextmanager
def running_fake_process(*args: str) -> Iterator[dict[str, str]]:
    """`python -m tradewire.testkit.fakes.alpaca --port 0 --print-env ARGS` until the block ends.

    Yields the `NAME=value` lines it printed, as a dict (the adapter's environment).

    Raises:
        TargetUnavailable: the fake did not start (its output is in the message).
    """
    with tempfile.TemporaryDirectory(prefix="tradewire-fake-alpaca-") as tmp:
        out, err = Path(tmp) / "env", Path(tmp) / "log"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            # S603: this interpreter, the testkit's own module and the target's constants.
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "tradewire.testkit.fakes.alpaca", "--port", "0", "--print-env", *args],
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
            )
        try:
            # It writes the environment lines first, then says it serves (on stderr).
            deadline = time.monotonic() + _START_TIMEOUT
            while b"serving on" not in err.read_bytes():
                if process.poll() is not None or time.monotonic() > deadline:
                    log = err.read_text(errors="replace")
                    raise TargetUnavailable(f"the fake Alpaca did not start:\n{log}")
                time.sleep(0.02)
            lines = out.read_text().splitlines()
            yield dict(line.split("=", 1) for line in lines if "=" in line)
        finally:
            process.terminate()
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class AlpacaFakeTarget(Target):
    """The Alpaca adapter behind the gateway, on the fake: the live pacing, Alpaca's capabilities."""

    name = "gateway-alpaca-fake"

    def __init__(self) -> None:
        needs("tradewire.gateway", "tradewire-gateway (pip install 'tradewire-testkit[gateway]')")
        needs("aiohttp", "the fake brokers (pip install 'tradewire-testkit[fakes]')")
        # The adapter is found as the gateway finds it, by its entry point (never imported here).
        if not entry_points(group="tradewire.venues", name="alpaca-paper"):
            raise TargetUnavailable("no alpaca-paper venue; install tradewire-brokers[alpaca]")
        self._caps: frozenset[str] | None = None

    async def capabilities(self) -> frozenset[str]:
        if self._caps is None:
            base = {cap.WIRE, cap.LIVE, cap.AUTH, cap.SERVER_CONTROL, cap.HEARTBEAT}
            async with self.connect(None) as conn:
                reported = cap.from_venue(await conn.client.capabilities())
            self._caps = frozenset(base | reported)
        return self._caps

    @asynccontextmanager
    async def connect(
        self, market: Market | None, server: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Connection]:
        from tradewire.testkit.harness import GatewayStartError, running_gateway

        key = "tk-" + secrets.token_hex(8)
        with (
            tempfile.TemporaryDirectory(prefix="tradewire-conformance-") as tmp,
            running_fake_process("--tick", TICK) as fake_env,
        ):
            env = {
                **fake_env,
                "TRADEWIRE_ALPACA_SYMBOLS": SYMBOL,
                "TRADEWIRE_ALPACA_STORE": os.path.join(tmp, "alpaca.sqlite3"),
            }
            try:
                harness = running_gateway(
                    "alpaca-paper",
                    mode="process",
                    api_key=key,
                    env=env,
                    shutdown_grace=0.1,
                    ws_ping_interval=1.0,
                    **(server or {}),
                )
                async with harness as gateway:
                    conn = await sdk_connection(gateway.url, key, SYMBOL)
                    conn.shutdown = gateway.stop
                    try:
                        yield conn
                    finally:
                        for fn in conn.cleanup:
                            await fn()
            except GatewayStartError as e:
                raise TargetUnavailable(f"tradewire-gateway serve --platform alpaca-paper: {e}") from e
