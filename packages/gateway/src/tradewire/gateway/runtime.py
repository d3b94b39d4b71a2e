"""The running gateway's state: its venue, settings, run id, stream hub and stopping state."""

from __future__ import annotations

import asyncio

from tradewire.gateway.connections import Connections
from tradewire.gateway.settings import GatewaySettings
from tradewire.gateway.stream.hub import Hub
from tradewire.protocol import run_ids
from tradewire.protocol.errors import ShuttingDown
from tradewire.protocol.venue import Venue


class Gateway:
    """The running gateway: its venue, settings, run id, stream hub and stopping state.

    Args:
        venue: The venue to serve.
        settings: Gateway settings (auth, limits, stream timing).

    Attributes:
        run_id: This start's run (CONNECTED's and `/health`'s `run_id`): the venue's own once it is
            connected (the backtest's and the mock's, a broker's from its store), else a fresh one.
    """

    def __init__(self, venue: Venue, settings: GatewaySettings) -> None:
        self.venue = venue
        self.settings = settings
        self.run_id = venue.run_id or run_ids.new_run_id()
        self.hub = Hub(venue, settings, self.run_id)
        #: The server's live connections (attached by the server), to abort a client that stops reading.
        self.connections = Connections()
        self.connected = False
        self.draining = False
        self.stopping = False

    def refuse_if_stopping(self) -> None:
        """Raise SHUTTING_DOWN (503) once shutdown has begun: no new orders."""
        if self.stopping:
            raise ShuttingDown("Gateway is shutting down")

    async def start(self) -> None:
        """Connect the venue and start the stream hub; once only (the server may start it before the
        app's lifespan does)."""
        if self.connected:
            return
        await self.venue.connect()  # a venue that fails to connect closes what it opened
        if self.venue.run_id:  # a broker venue's run is in its store, known once connected
            self.run_id = self.hub.run_id = self.venue.run_id
        self.connected = True
        self.hub.start()

    async def drain(self) -> None:
        """Answer /readyz 503 for `drain_seconds` while serving as usual, so load balancers stop
        routing here before clients are told and the listener closes."""
        if self.draining or self.stopping:
            return
        self.draining = True
        if self.settings.drain_seconds > 0:
            await asyncio.sleep(self.settings.drain_seconds)

    async def begin_shutdown(self) -> None:
        """Stop taking orders, tell every client DISCONNECTING, close their sockets 1001."""
        if self.stopping:
            return
        self.stopping = True
        self.hub.stopping = True
        await self.hub.shutdown(self.settings.shutdown_grace)

    async def stop(self) -> None:
        """Final cleanup after the server stopped: hub tasks and the venue connection."""
        self.stopping = True
        await self.hub.stop()
        if self.connected:
            self.connected = False
            await self.venue.close()
