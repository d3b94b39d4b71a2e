"""A backtest gateway on 127.0.0.1 and a free port, for one wire run (the testkit's harness, thread mode)."""

# A thread rather than a process: starting one costs milliseconds, so each generated example can have
# its own (a backtest gateway replays its data once).

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from tradewire.testkit.harness import ThreadGateway, running_gateway

__all__ = ["backtest_gateway"]

_ACK_TIMEOUT_S = 120.0


@contextmanager
def backtest_gateway(
    data: Sequence[str] = (), options: Mapping[str, str] | None = None, symbols: Sequence[str] = ()
) -> Iterator[ThreadGateway]:
    """Serve the backtest platform on `data` files (none: the bundled sample) with engine `options`,
    only `symbols` of it when given (as an in-process backtest loads only the strategy's symbols)."""
    with running_gateway(
        "backtest",
        api_key="tk-" + secrets.token_hex(8),
        shutdown_grace=0.1,
        # a run whose client stops acknowledging ends with an error instead of hanging the test
        ack_timeout=_ACK_TIMEOUT_S,
        backtest={"data": tuple(data), "options": dict(options or {}), "symbols": tuple(symbols)},
    ) as gateway:
        yield gateway
