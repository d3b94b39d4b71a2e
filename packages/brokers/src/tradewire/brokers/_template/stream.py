"""The broker's event stream: websockets, the reconnect state machine, resync, exactly-once emission.

Required. One task reads the socket and never blocks on consumers (a slow reader gets the broker to
drop us). On a loss it drives `_live.backoff.Reconnector` (emit what each `Step` says, sleep
`retry_in`), re-authenticates and resubscribes, then resyncs over REST: the `_live.resync.Sequencer`
holds stream updates from `begin_gap()` until `finish(snapshot)` returns every missed order event and
fill once, in broker order; only then `resynced()` and BROKER_RECONNECTED (mapping.md §8). Seen fill ids
go to the store (`Store.remember_fills`) as they are emitted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from tradewire.brokers._template.errors import TemplateNotFilled
from tradewire.protocol.venue import StreamBatch

__all__ = ["TemplateStream"]


class TemplateStream:
    """The stream task (required)."""

    def batches(self) -> AsyncIterator[StreamBatch]:
        """The venue's `stream()`: order events, fills, positions, balances, connection events."""
        raise TemplateNotFilled("TemplateStream.batches", "stream")
