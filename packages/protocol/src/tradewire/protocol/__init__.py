"""Tradewire's wire protocol: generated messages, the JSON codec, routes, the error table and the Venue interface."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tradewire.protocol import codec, errors, messages, platforms, routes
    from tradewire.protocol.venue import StreamBatch, Venue

__all__ = ["StreamBatch", "Venue", "codec", "errors", "messages", "platforms", "routes"]

_LAZY = {
    "codec": ("tradewire.protocol.codec", None),
    "errors": ("tradewire.protocol.errors", None),
    "messages": ("tradewire.protocol.messages", None),
    "platforms": ("tradewire.protocol.platforms", None),
    "routes": ("tradewire.protocol.routes", None),
    "Venue": ("tradewire.protocol.venue", "Venue"),
    "StreamBatch": ("tradewire.protocol.venue", "StreamBatch"),
}


def __getattr__(name: str) -> Any:
    # Lazy: importing the package costs nothing until a part of it is used (SDK start-up budget).
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'tradewire.protocol' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value
