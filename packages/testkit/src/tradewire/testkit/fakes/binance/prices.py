"""Scripted price paths: a fixed list, or a seeded random walk, stepped by the test or a timer."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_EVEN, Decimal


class PricePath:
    """The next trade prices of one symbol; once a list is used up the price holds."""

    def __init__(self, prices: Iterable[Decimal | str | int]) -> None:
        self._prices: Iterator[Decimal] = (Decimal(str(p)) for p in prices)

    @classmethod
    def walk(
        cls, start: Decimal | str, seed: int, step: Decimal | str = "0.001", tick: Decimal | str = "0.01"
    ) -> PricePath:
        """An endless random walk: each step moves by up to `step` (a fraction), rounded to `tick`."""
        rng = random.Random(seed)
        scale, size, price = Decimal(str(tick)), Decimal(str(step)), Decimal(str(start))

        def steps() -> Iterator[Decimal]:
            nonlocal price
            while True:
                move = Decimal(rng.randint(-1000, 1000)) / 1000 * size
                price = max(scale, (price * (1 + move)).quantize(scale, ROUND_HALF_EVEN))
                yield price

        path = cls(())
        path._prices = steps()
        return path

    def next(self) -> Decimal | None:
        return next(self._prices, None)
