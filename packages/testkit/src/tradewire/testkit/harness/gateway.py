"""`running_gateway`: the one way a test starts a gateway, in a background thread or a child process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from tradewire.testkit.harness.process import ProcessGateway, start_process
from tradewire.testkit.harness.ready import LOOPBACK
from tradewire.testkit.harness.running import RunningGateway
from tradewire.testkit.harness.thread import ThreadGateway, start_thread

if TYPE_CHECKING:
    from tradewire.protocol.venue import Venue

__all__ = ["GatewayHarness", "Mode", "running_gateway"]

Mode = Literal["thread", "process"]
G = TypeVar("G", bound=RunningGateway)

#: Settings every harnessed gateway starts with unless the test says otherwise.
DEFAULTS: dict[str, Any] = {"json_logs": False, "log_level": "warning"}


class GatewayHarness(Generic[G]):
    """A gateway for the length of a `with` block; `async with` waits for start and stop in a worker
    thread, so the caller's event loop keeps serving its own connections meanwhile."""

    def __init__(self, start: Callable[[], G]) -> None:
        self._start = start
        self._running: G | None = None

    def __enter__(self) -> G:
        self._running = self._start()
        return self._running

    def __exit__(self, *exc: object) -> None:
        if self._running is not None:
            running, self._running = self._running, None
            running.close()

    async def __aenter__(self) -> G:
        return await asyncio.to_thread(self.__enter__)

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.__exit__, *exc)


@overload
def running_gateway(
    venue: Venue | str = ...,
    *,
    api_key: str | None = ...,
    mode: Literal["thread"] = ...,
    start_timeout: float = ...,
    **settings: Any,
) -> GatewayHarness[ThreadGateway]: ...


@overload
def running_gateway(
    venue: str = ...,
    *,
    api_key: str | None = ...,
    mode: Literal["process"],
    extra_args: Sequence[str] = ...,
    env: Mapping[str, str] | None = ...,
    start_timeout: float = ...,
    **settings: Any,
) -> GatewayHarness[ProcessGateway]: ...


def running_gateway(
    venue: Venue | str = "mock",
    *,
    api_key: str | None = None,
    mode: Mode = "thread",
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    start_timeout: float = 30.0,
    **settings: Any,
) -> GatewayHarness[ThreadGateway] | GatewayHarness[ProcessGateway]:
    """Serve `venue` on 127.0.0.1 until the block ends; ready once `/livez` answers 200.

    Args:
        venue: A platform name (built as the console script builds it), or in mode "thread" a Venue
            object to serve as it is.
        api_key: The key the gateway demands; None serves it open.
        mode: "thread" (the default: starts in milliseconds, and `call` reaches the gateway's loop)
            or "process" (the console script in a child process: for signals, exit codes and the
            command line).
        extra_args: mode "process" only: flags for `tradewire-gateway serve` (they win over `settings`).
        env: mode "process" only: variables for the child's environment, verbatim (a venue's own
            settings, such as the APCA_* lines of the fake Alpaca).
        start_timeout: Seconds to wait for `/livez`.
        **settings: GatewaySettings fields (`port=0`, the default, takes a free port;
            `backtest={"data": [...], "timeframe": "1d"}`, `ack_timeout=0.5`, ...).

    Raises:
        GatewayStartError (on entering the block): the gateway did not come up; the message holds what
            it logged (a process's stderr, a thread's warnings and errors).
    """
    if settings.get("host", LOOPBACK) != LOOPBACK:
        raise ValueError("the harness serves on 127.0.0.1 only")
    config = {**DEFAULTS, **settings, "host": LOOPBACK}
    if mode == "process":
        if not isinstance(venue, str):
            raise TypeError(
                "mode='process' serves a platform by name; serve a Venue object with mode='thread'"
            )
        process_config = {**config, "platform": venue}
        return GatewayHarness(lambda: start_process(process_config, api_key, extra_args, start_timeout, env))
    if mode != "thread":
        raise ValueError(f"mode must be 'thread' or 'process', not {mode!r}")
    if extra_args:
        raise TypeError("extra_args are command-line flags: mode='process' only")
    if env:
        raise TypeError("env is the child process's environment: mode='process' only")
    # A busy-polling loop would contend for the GIL with the test itself; a process may busy-poll.
    config.setdefault("busy_poll", 0)
    if isinstance(venue, str):
        config["platform"] = venue
        return GatewayHarness(lambda: start_thread(None, config, api_key, start_timeout))
    return GatewayHarness(lambda: start_thread(venue, config, api_key, start_timeout))
