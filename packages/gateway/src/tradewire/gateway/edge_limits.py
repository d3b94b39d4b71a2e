"""Concurrent connections counted in total and per client address, for the edge's connection limits."""

from __future__ import annotations


class Slot:
    """One admitted connection; `release` gives its place back (once, however often it is called)."""

    __slots__ = ("_registry", "host")

    def __init__(self, registry: ConnectionRegistry, host: str) -> None:
        self._registry: ConnectionRegistry | None = registry
        self.host = host

    def release(self) -> None:
        registry, self._registry = self._registry, None
        if registry is not None:
            registry._release(self.host)


class ConnectionRegistry:
    """Open connections per client address, refusing past `total` overall or `per_client` for one address.

    Used from the event loop only, so it needs no lock. An address leaves the table with its last
    connection, so a flood from many addresses leaves nothing behind.
    """

    def __init__(self, total: int, per_client: int) -> None:
        self.total = total
        self.per_client = per_client
        self._count = 0
        self._by_host: dict[str, int] = {}

    def acquire(self, host: str) -> Slot | None:
        """A slot for a new connection from `host`, or None when a limit is reached."""
        held = self._by_host.get(host, 0)
        if self._count >= self.total or held >= self.per_client:
            return None
        self._by_host[host] = held + 1
        self._count += 1
        return Slot(self, host)

    def _release(self, host: str) -> None:
        self._count -= 1
        held = self._by_host[host] - 1
        if held:
            self._by_host[host] = held
        else:
            del self._by_host[host]

    def __len__(self) -> int:
        return self._count

    def held_by(self, host: str) -> int:
        """Open connections from `host`."""
        return self._by_host.get(host, 0)
