"""The blocking event stream's client: websockets' threading client (picows drives asyncio streams only)."""

from __future__ import annotations

from typing import Any

from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as websockets_connect

__all__ = ["Connection", "connect"]

Connection = ClientConnection


def connect(url: str, choice: str, **options: Any) -> Connection:
    """Open the stream at `url`; `choice` (ClientConfig.stream_client) has no other driver to pick here."""
    # entered as a context manager (websockets >= 17.1 wants that); the stream closes it
    connection: ClientConnection = websockets_connect(url, **options).__enter__()
    return connection
