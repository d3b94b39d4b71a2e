"""The broker's order-event stream: its socket dialect on `_live.user_stream.ResyncingStream`.

Required. Subclass `ResyncingStream`: it reads frames (never blocking on consumers: a slow reader gets
the broker to drop us), and on a loss drives `_live.backoff.Reconnector` (each `Step`'s notices become
connection events), holds the new socket's updates in the `_live.resync.Sequencer` from `begin_gap()`
until `finish(snapshot)` returns every missed order event and fill once, in broker order, and only then
reports BROKER_RECONNECTED (mapping.md §8). What is the broker's is the hooks below, and `start()`:
seed from REST, `_open()` (an auth failure raises there), catch up, then run `_keep_up(reader)` in a
task. Seen fill ids go to the store (`Store.remember_fills`) as `_release` emits them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from websockets.asyncio.client import ClientConnection

from tradewire.brokers._live.resync import Update
from tradewire.brokers._live.user_stream import ResyncingStream
from tradewire.brokers._template.errors import TemplateNotFilled

__all__ = ["Change", "TemplateStream"]

#: The payload of one sequenced update (a stream event or a REST stand-in for one); Alpaca and Binance
#: use a small frozen dataclass of kind + broker body.
Change = dict[str, Any]


def _todo(hook: str) -> TemplateNotFilled:
    return TemplateNotFilled(f"TemplateStream.{hook}", "stream")


class TemplateStream(ResyncingStream[Change]):
    """The stream task (required): the hooks `ResyncingStream` calls, and `start`."""

    label = "Template stream"
    lost_reason = "stream closed"

    async def start(self) -> None:
        """Seed from REST, connect, catch up on what the broker did while no venue ran, then run."""
        raise _todo("start")

    async def _open(self) -> ClientConnection:
        raise _todo("_open")

    def _on_message(self, message: dict[str, Any]) -> bool:
        raise _todo("_on_message")

    async def _snapshot(self, lost_at: dt.datetime) -> list[Update[Change]]:
        raise _todo("_snapshot")

    def _release(self, updates: list[Update[Change]]) -> None:
        raise _todo("_release")

    async def _after_resync(self) -> None:
        raise _todo("_after_resync")
