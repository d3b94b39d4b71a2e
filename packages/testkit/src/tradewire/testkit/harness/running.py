"""A gateway being served for a test: where it listens, the key it wants, and how to stop it."""

from __future__ import annotations

import abc
from typing import Any

import httpx

from tradewire.protocol import routes

__all__ = ["RunningGateway"]


class RunningGateway(abc.ABC):
    """What every mode hands the test: the base URL, the API key (None: open), and shutdown."""

    def __init__(self, url: str, api_key: str | None) -> None:
        self.url = url
        self.api_key = api_key

    @property
    def ws_url(self) -> str:
        """The event stream's URL."""
        return "ws" + self.url.removeprefix("http") + routes.WS

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header the gateway wants (empty when it has no key)."""
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key is not None else {}

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client on the base URL, sending the key; `headers=` adds to it."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 10)
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)

    @abc.abstractmethod
    def stop(self) -> None:
        """Begin the gateway's graceful shutdown (what SIGTERM does) and return at once."""

    @abc.abstractmethod
    def close(self) -> None:
        """Shut the gateway down and wait for it; force it when the graceful shutdown overruns."""
