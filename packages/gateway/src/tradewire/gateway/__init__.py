"""Tradewire gateway: serves any `tradewire.protocol.Venue` over the REST + WebSocket wire API."""

from tradewire.gateway.app import create_app
from tradewire.gateway.runtime import Gateway
from tradewire.gateway.settings import GatewaySettings, load_settings
from tradewire.gateway.version import GIT_SHA, __version__

__all__ = ["GIT_SHA", "Gateway", "GatewaySettings", "__version__", "create_app", "load_settings"]
