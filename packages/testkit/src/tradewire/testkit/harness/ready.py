"""Readiness: a free loopback port, and `/livez` answering 200 before a deadline."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx

from tradewire.protocol import routes

__all__ = ["LOOPBACK", "GatewayStartError", "failure", "free_port", "wait_live"]

LOOPBACK = "127.0.0.1"


class GatewayStartError(RuntimeError):
    """The gateway did not come up; the message ends with what it logged."""


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def wait_live(url: str, deadline: float, exited: Callable[[], str | None], logs: Callable[[], str]) -> None:
    """Poll `url`/livez until it answers 200.

    Raises:
        GatewayStartError: `exited()` gave a reason (the gateway is gone) or the deadline passed; the
            message carries `logs()`.
    """
    while True:
        reason = exited()
        if reason is None and time.monotonic() > deadline:
            reason = f"{url}{routes.LIVEZ} did not answer 200 in time"
        if reason is not None:
            raise GatewayStartError(failure(reason, logs()))
        try:
            # trust_env=False: a proxy from the environment must not stand between the test and loopback
            if httpx.get(url + routes.LIVEZ, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.02)


def failure(reason: str, logs: str) -> str:
    """`reason`, then the gateway's output when it wrote any."""
    logs = logs.strip()
    return f"the gateway did not start: {reason}" + (f"\n--- gateway output ---\n{logs}" if logs else "")
