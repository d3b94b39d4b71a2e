"""Serve an ASGI app with uvicorn on 127.0.0.1 and a free port, inside the running event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

__all__ = ["Served", "serve"]


class Served:
    """A running server: its base URL, and `stop()` to begin a graceful shutdown early."""

    def __init__(self, server: Any, url: str) -> None:
        self.server = server
        self.url = url

    def stop(self) -> None:
        """Ask the server to shut down (as SIGTERM would)."""
        self.server.should_exit = True


@asynccontextmanager
async def serve(
    app: Any = None, *, server: Any = None, startup_timeout: float = 10.0
) -> AsyncIterator[Served]:
    """Run `app` (or a ready uvicorn `server`) until the block exits."""
    import uvicorn

    if server is None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="on",
            ws="websockets-sansio",
            access_log=False,
            ws_per_message_deflate=False,
        )
        server = uvicorn.Server(config)
    if server.config.host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the testkit serves on loopback only")
    server.install_signal_handlers = lambda: None  # the test process keeps its own signal handling
    server.capture_signals = _no_signals
    task = asyncio.create_task(server.serve())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + startup_timeout
    while not server.started:
        if task.done():
            task.result()  # raises the start-up error
            raise RuntimeError("uvicorn exited during start-up")
        if loop.time() > deadline:
            task.cancel()
            raise RuntimeError("uvicorn did not start")
        await asyncio.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Served(server, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), 15)
        except (TimeoutError, asyncio.CancelledError):
            server.force_exit = True
            task.cancel()


class _NoSignals:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _no_signals() -> _NoSignals:
    return _NoSignals()
