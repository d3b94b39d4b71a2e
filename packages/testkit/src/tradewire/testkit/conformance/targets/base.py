"""The Target interface: a name, its capabilities, and a fresh connection per scenario."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from tradewire.testkit.conformance.market import Market
from tradewire.testkit.conformance.session import Connection

__all__ = ["Target", "TargetUnavailable", "needs"]


class TargetUnavailable(RuntimeError):
    """The target cannot run here (a package is missing); the message says what to install."""


def needs(module: str, extra: str) -> None:
    """Import `module` or raise TargetUnavailable naming what to install."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as e:
        raise TargetUnavailable(f"{module} is not importable ({e}); install {extra}") from None


class Target(abc.ABC):
    """A venue the suite runs against."""

    name: str

    @abc.abstractmethod
    async def capabilities(self) -> frozenset[str]:
        """What this target can do (static facts plus what the venue reports)."""

    @abc.abstractmethod
    def connect(
        self, market: Market | None, server: Mapping[str, Any] | None = None
    ) -> AbstractAsyncContextManager[Connection]:
        """A fresh venue (with `market` when the target has market control) and a client on it.

        `server`: gateway settings a scenario asks for (targets with `server_control` apply them).
        """

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release what the target keeps between scenarios."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
