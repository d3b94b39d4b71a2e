"""The `tradewire.venues` entry point: `create_venue(settings) -> Venue`, building without connecting.

Required. Read the configuration (`config.TemplateConfig.from_env`), build the venue, return it; the
gateway calls `connect()` later and checks the live opt-ins by `Venue.live` first. `settings` is the
gateway's settings object: read only what the protocol defines from it (the platform name), as the
brokers never import the gateway. Register the finished adapter's platforms in
packages/brokers/pyproject.toml under `[project.entry-points."tradewire.venues"]`; the template itself
is never registered.
"""

from __future__ import annotations

from tradewire.brokers._template.errors import TemplateNotFilled
from tradewire.protocol.venue import Venue

__all__ = ["create_venue"]


def create_venue(settings: object) -> Venue:
    """The venue for the gateway (required)."""
    raise TemplateNotFilled("create_venue", "factory")
