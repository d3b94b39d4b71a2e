"""The server's live connections, so that a WebSocket client that stops reading can be cut off."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class _Abortable(Protocol):
    def abort(self) -> None: ...


@runtime_checkable
class _ServedConnection(Protocol):
    """What a server's connection object offers here: uvicorn's HTTP and WebSocket protocols do."""

    scope: Any
    transport: Any


class Connections:
    """The connections of the server running the app, found by ASGI scope to abort one.

    ASGI gives an application no way to drop a connection whose close frame cannot be written
    (the peer's receive window stays shut, so the server's write buffer never drains and its
    `close` waits for it forever). The server that runs the app attaches its set of live
    connections here: uvicorn's protocol objects, each with the `scope` it serves and its
    asyncio `transport`. Those two attributes are the whole contract with the server.
    """

    def __init__(self) -> None:
        self._live: Collection[object] = ()

    def attach(self, live: Collection[object]) -> None:
        """Use `live`, the server's (mutable) collection of connection protocols."""
        self._live = live

    def abort(self, scope: Mapping[str, Any]) -> bool:
        """Reset the TCP connection serving `scope` at once, unsent data dropped; False if not found."""
        for conn in list(self._live):
            # a connection still in its handshake may not have the attributes yet
            if isinstance(conn, _ServedConnection) and conn.scope is scope:
                if isinstance(conn.transport, _Abortable):
                    conn.transport.abort()
                    return True
        return False
