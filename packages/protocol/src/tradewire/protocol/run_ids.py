"""Run ids: a fresh, time-ordered name for each start of a gateway (its CONNECTED `run_id`)."""

# A run id names one life of a gateway's state: a restart is a new run, and venues whose orders live in
# the process (the backtest and the mock) put it into their order and trade ids, so an id of an earlier
# run is never the id of a later one. 48 bits of milliseconds since the epoch come first, so run ids
# sort by start time; 16 random bits follow, so two runs started in the same millisecond still differ.
# 64 bits are 13 characters of Crockford's base32 in lower case: no i, l, o or u, nothing to escape
# in a URL path.

from __future__ import annotations

import secrets
import time

__all__ = ["LENGTH", "new_run_id"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
#: Characters in a run id (64 bits, 5 per character).
LENGTH = 13


def new_run_id(now_ms: int | None = None) -> str:
    """A new run id: `now_ms` (default: the wall clock, in ms since the epoch) and 16 random bits."""
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (ms & (1 << 48) - 1) << 16 | secrets.randbits(16)
    chars = []
    for _ in range(LENGTH):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
