"""A deliberately broken venue for the testkit's own tests: it fills buy limits through their price."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tradewire.engine import BacktestVenue
from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.protocol.venue import StreamBatch
from tradewire.testkit.conformance.targets.engine import EngineTarget


class LimitThroughVenue(BacktestVenue):
    """Buy limits are worked as if their limit were 1 000 higher (so they fill at the market), yet
    every order message still shows the limit the client asked for — the bug a conformance suite
    must catch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked: dict[str, str] = {}

    async def submit_order(self, request: m.SubmitOrderRequest) -> m.OrderHandle:
        if request.order_type == m.OrderType.LIMIT and request.side == m.Side.BUY and request.limit_price:
            asked = request.limit_price
            request.limit_price = codec.dec(int(float(asked)) + 1000)
            handle = await super().submit_order(request)
            self.asked[handle.id] = asked
            return handle
        return await super().submit_order(request)

    def _hide(self, order: m.Order | None) -> None:
        if order is not None and order.id in self.asked:
            order.limit_price = self.asked[order.id]

    async def stream(self) -> AsyncIterator[StreamBatch]:  # type: ignore[override]
        async for batch in super().stream():
            for msg in batch.messages:
                if msg.order is not None:
                    self._hide(msg.order.order)
            yield batch

    async def get_order(self, order_id: str) -> m.Order:
        order = await super().get_order(order_id)
        self._hide(order)
        return order


def target() -> EngineTarget:
    """`--target-factory broken_venue:target`: the engine target running the broken venue."""
    return EngineTarget(venue_class=LimitThroughVenue)
