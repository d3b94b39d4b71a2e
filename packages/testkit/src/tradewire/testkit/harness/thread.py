"""Mode "thread": the gateway's own app and server class, on an event loop of its own in a background thread."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from tradewire.testkit.harness.ready import GatewayStartError, failure, wait_live
from tradewire.testkit.harness.running import RunningGateway

if TYPE_CHECKING:
    from tradewire.gateway.runtime import Gateway
    from tradewire.gateway.server import GatewayServer
    from tradewire.protocol.venue import Venue

__all__ = ["ThreadGateway", "start_thread"]

_STOP_TIMEOUT_S = 15.0
# Start-up failures are logged by uvicorn (a lifespan error, a bind error) or by the gateway itself.
_LOGGERS = ("uvicorn", "tradewire")


class ThreadGateway(RunningGateway):
    """A gateway served by this process: its server, and its event loop for `call`."""

    def __init__(
        self, url: str, api_key: str | None, server: GatewayServer, thread: threading.Thread
    ) -> None:
        super().__init__(url, api_key)
        self.server = server
        self.thread = thread

    @property
    def gateway(self) -> Gateway:
        """The gateway's runtime state (hub, sessions, stopping flag)."""
        gateway = self.server.gateway
        assert gateway is not None, "a harness server always serves a gateway"
        return gateway

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the gateway runs on."""
        return self.server.servers[0].get_loop()

    def call(self, fn: Callable[[], Any], timeout: float = 5) -> Any:
        """Run `fn()` on the gateway's loop (awaiting it when it returns a coroutine); its result."""

        async def run() -> Any:
            result = fn()
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def stop(self) -> None:
        self.server.should_exit = True

    def close(self) -> None:
        self.stop()
        self.thread.join(_STOP_TIMEOUT_S)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(_STOP_TIMEOUT_S)


def start_thread(
    venue: Venue | None, config: Mapping[str, Any], api_key: str | None, timeout: float
) -> ThreadGateway:
    """Serve `venue` (None: the one `config`'s platform names, as the console script builds it).

    Raises:
        GatewayStartError: the server thread ended, or `/livez` did not answer within `timeout` seconds.
    """
    from pydantic import SecretStr

    from tradewire.gateway import create_app, load_settings
    from tradewire.gateway.providers import create_venue
    from tradewire.gateway.server import build_server

    settings = load_settings(
        **{"port": 0, **config}, api_key=SecretStr(api_key) if api_key is not None else None
    )
    served = venue if venue is not None else create_venue(settings)
    server = build_server(create_app(served, settings), settings, log_level=settings.log_level)
    errors: list[BaseException] = []

    def main() -> None:
        try:
            server.run()
        except BaseException as e:  # uvicorn exits on a bind error: hand it to the caller
            errors.append(e)

    thread = threading.Thread(target=main, name="tradewire-gateway", daemon=True)
    deadline = time.monotonic() + timeout
    with _Recorder() as recorded:
        thread.start()
        try:
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    reason = (
                        "its thread ended" if not thread.is_alive() else f"not listening after {timeout}s"
                    )
                    if server.start_error is not None:  # the venue did not connect
                        reason = f"the venue did not connect: {server.start_error}"
                    raise GatewayStartError(failure(reason, recorded.text()))
                time.sleep(0.005)
            port = server.servers[0].sockets[0].getsockname()[1]
            running = ThreadGateway(f"http://{settings.host}:{port}", api_key, server, thread)
            wait_live(
                running.url,
                deadline,
                lambda: None if thread.is_alive() else "its thread ended",
                recorded.text,
            )
        except GatewayStartError as e:
            server.should_exit = True
            thread.join(_STOP_TIMEOUT_S)
            raise e from (errors[0] if errors else server.start_error)
    return running


class _Recorder(logging.Handler):
    """What the gateway and uvicorn log while it starts, for the error when it does not."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines)

    def __enter__(self) -> _Recorder:
        for name in _LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in _LOGGERS:
            logging.getLogger(name).removeHandler(self)
