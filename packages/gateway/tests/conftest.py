"""Shared fixtures: a mock-platform gateway served for real on a free loopback port."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import serve

from tradewire.gateway.providers.mock import MockVenue
from tradewire.testkit.harness import ThreadGateway

START = dt.datetime(2026, 1, 5, 14, 30, tzinfo=dt.UTC)


def mock_venue(**kwargs: object) -> MockVenue:
    """A mock venue with a fixed start and a slow clock (tests tick it by hand when they need to)."""
    options: dict[str, object] = {"seed": 7, "candle_interval": 3600.0, "history_bars": 300, "start": START}
    options.update(kwargs)
    return MockVenue(**options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def gw() -> Iterator[ThreadGateway]:
    """One mock gateway per test module (state accumulates across its tests)."""
    with serve(mock_venue()) as running:
        yield running


@pytest.fixture
def fresh() -> Iterator[ThreadGateway]:
    """A mock gateway of its own for a test that needs clean state."""
    with serve(mock_venue()) as running:
        yield running


@pytest.fixture
def without_broker_plugins(monkeypatch):
    """Only the built-in providers, as in the gateway's own test environment, even where a developer's
    venv also has tradewire-brokers installed (its platforms would then be available)."""
    from importlib.metadata import entry_points

    from tradewire.gateway import providers

    def builtin_only(group: str):  # type: ignore[no-untyped-def]
        return [ep for ep in entry_points(group=group) if ep.name in providers.BUILTIN]

    monkeypatch.setattr(providers, "entry_points", builtin_only)
