"""The trial list, drawn on the driver from the space, the search and the seed (never by a worker)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.sweep.constraint import compile_constraint
from tradewire.sdk.sweep.space import Parameter

__all__ = ["Constraint", "Search", "Trial", "grid", "parse_search", "trial_list"]

Constraint = str | Callable[[Mapping[str, Any]], bool] | None


@dataclass(frozen=True, slots=True)
class Trial:
    """One parameter set; `id` orders and keys every result, whatever ran it."""

    id: int
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Search:
    """`grid`, `random` (`count` draws without replacement from the grid) or `tpe` (`count` trials)."""

    kind: str
    count: int | None = None


def parse_search(text: str) -> Search:
    """`"grid"`, `"random:500"`, `"tpe:300"`.

    Raises:
        ConfigurationError: another spelling, or a count that is not a positive integer.
    """
    kind, sep, count = text.strip().partition(":")
    if kind == "grid" and not sep:
        return Search("grid")
    if kind in ("random", "tpe") and sep and count.isdigit() and int(count) > 0:
        return Search(kind, int(count))
    raise ConfigurationError(f"--search is grid, random:N or tpe:N (N > 0), not {text!r}")


def _accepts(constraint: Constraint) -> Callable[[Mapping[str, Any]], bool]:
    if constraint is None:
        return lambda params: True
    if callable(constraint):
        return constraint
    return compile_constraint(constraint)


def grid(space: Sequence[Parameter], constraint: Constraint = None) -> list[dict[str, Any]]:
    """Every combination of the values, the first parameter varying slowest, that `constraint` accepts."""
    accepts = _accepts(constraint)
    names = [p.name for p in space]
    combos = (
        dict(zip(names, values, strict=True)) for values in itertools.product(*(p.values for p in space))
    )
    return [c for c in combos if accepts(c)]


def trial_list(
    space: Sequence[Parameter], search: Search, seed: int, constraint: Constraint = None
) -> list[Trial]:
    """The trials of a grid or random search, ids 0, 1, ... in the order they were drawn.

    Raises:
        ConfigurationError: the constraint rejects every combination.
    """
    points = grid(space, constraint)
    if not points:
        raise ConfigurationError("the constraint leaves no parameter combination to try")
    if search.kind == "random" and search.count is not None and search.count < len(points):
        rng = np.random.default_rng(seed)
        picks = rng.choice(len(points), size=search.count, replace=False)
        points = [points[int(i)] for i in picks]
    return [Trial(i, p) for i, p in enumerate(points)]
