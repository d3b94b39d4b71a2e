"""A backtest gateway on 127.0.0.1 and a free port, served from a background thread for one wire run."""

# The gateway's own app and server class, served by the conformance suite's `serve` (the testkit's one
# way of running a gateway): a thread rather than a process, so starting one costs milliseconds and
# each generated example can have its own (a backtest gateway replays its data once).

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Endpoint", "backtest_gateway"]

_START_TIMEOUT_S = 30.0
_ACK_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Endpoint:
    """Where the gateway listens, and the API key it wants."""

    url: str
    api_key: str


@contextmanager
def backtest_gateway(
    data: Sequence[str] = (), options: Mapping[str, str] | None = None, symbols: Sequence[str] = ()
) -> Iterator[Endpoint]:
    """Serve the backtest platform on `data` files (none: the bundled sample) with engine `options`,
    only `symbols` of it when given (as an in-process backtest loads only the strategy's symbols)."""
    from pydantic import SecretStr

    from tradewire.gateway import create_app, load_settings
    from tradewire.gateway.providers.backtest import create_venue
    from tradewire.gateway.server import build_server
    from tradewire.testkit.conformance.targets.server import serve

    key = "tk-" + secrets.token_hex(8)
    settings = load_settings(
        platform="backtest",
        api_key=SecretStr(key),
        host="127.0.0.1",
        port=0,
        json_logs=False,
        log_level="warning",
        shutdown_grace=0.1,
        # a run whose client stops acknowledging ends with an error instead of hanging the test
        ack_timeout=_ACK_TIMEOUT_S,
        backtest={"data": tuple(data), "options": dict(options or {}), "symbols": tuple(symbols)},
    )
    server = build_server(create_app(create_venue(settings), settings), settings, log_level="warning")
    running = _Running()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        running.stop = lambda: loop.call_soon_threadsafe(stop.set)
        async with serve(server=server) as served:
            running.url = served.url
            running.ready.set()
            await stop.wait()

    def thread_main() -> None:
        try:
            asyncio.run(main())
        except BaseException as e:  # handed to the caller: a failed start must not hang the test
            running.error = e
        finally:
            running.ready.set()

    thread = threading.Thread(target=thread_main, name="differential-gateway", daemon=True)
    thread.start()
    if not running.ready.wait(_START_TIMEOUT_S):
        raise RuntimeError("the backtest gateway did not start")
    if running.url is None or running.stop is None:
        raise RuntimeError("the backtest gateway failed to start") from running.error
    try:
        yield Endpoint(running.url, key)
    finally:
        running.stop()
        thread.join(_START_TIMEOUT_S)


class _Running:
    """What the server thread hands back: its URL once listening, how to stop it, or its error."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.url: str | None = None
        self.stop: Callable[[], object] | None = None
        self.error: BaseException | None = None
