"""Which client opens the asyncio event stream: picows (`tradewire-sdk[fast]`) when installed, else websockets.

`ClientConfig.stream_client` chooses: "auto" (the default) follows `TRADEWIRE_STREAM_CLIENT` when it
is set and otherwise takes picows when it can be imported, "websockets" forces the pure-Python
fallback, "picows" requires the extra. Both drivers give the same surface; the protocol is in `_stream_core`/`_frames`.
"""

from __future__ import annotations

import importlib.util
import os
from typing import TYPE_CHECKING, Any, TypeAlias

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as websockets_connect

from tradewire.sdk.config import ENV_STREAM_CLIENT, STREAM_CLIENTS
from tradewire.sdk.errors import ConfigurationError

if TYPE_CHECKING:
    from tradewire.sdk._stream_picows import PicowsConnection

    #: What `connect` returns: either driver's connection, with the same surface.
    Connection: TypeAlias = ClientConnection | PicowsConnection

__all__ = ["connect", "driver_name"]


def driver_name(choice: str) -> str:
    """The driver a `stream_client` setting gives on this installation: "picows" or "websockets"."""
    if choice == "auto":
        choice = os.environ.get(ENV_STREAM_CLIENT, "auto").strip().lower() or "auto"
        if choice not in STREAM_CLIENTS:
            raise ConfigurationError(
                f"{ENV_STREAM_CLIENT} must be one of {', '.join(STREAM_CLIENTS)}, not {choice!r}"
            )
    if choice == "websockets":
        return "websockets"
    available = importlib.util.find_spec("picows") is not None
    if choice == "picows" and not available:
        raise ConfigurationError("stream_client='picows' needs the extra: pip install 'tradewire-sdk[fast]'")
    return "picows" if available else "websockets"


async def connect(url: str, choice: str, **options: Any) -> Connection:
    """Open the stream at `url` with the driver `choice` gives (websockets' connect options)."""
    if driver_name(choice) == "picows":
        from tradewire.sdk._stream_picows import connect as picows_connect

        return await picows_connect(url, **options)
    # entered as a context manager (the blocking websockets >= 17.1 wants that); the stream closes it
    connection: ClientConnection = await websockets_connect(url, **options).__aenter__()
    return connection
