"""The REST half of a venue whose orders live in the engine's kernel: the backtest's and the live mock's."""

from __future__ import annotations

from tradewire.engine.operations import ProtocolOperations
from tradewire.protocol import messages as m

__all__ = ["KernelOperations"]


class KernelOperations:
    """Every order, position, fill and quote call of the `Venue` interface, answered by the kernel's
    `ProtocolOperations`. A call that can emit events ends with `_after_command`, which the venue
    defines to hand them to its stream (a paced batch, or a live one)."""

    operations: ProtocolOperations

    def _after_command(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ account and orders
    async def get_account(self) -> m.Account:
        return self.operations.account()

    async def submit_order(self, request: m.SubmitOrderRequest) -> m.OrderHandle:
        try:
            return self.operations.handle(self.operations.submit_request(request))
        finally:
            self._after_command()

    async def get_order(self, order_id: str) -> m.Order:
        return self.operations.get_order(order_id)

    async def list_orders(self, request: m.ListOrdersRequest) -> list[m.Order]:
        return self.operations.list_orders(request, terminal=False)

    async def list_order_history(self, request: m.ListOrdersRequest) -> list[m.Order]:
        return self.operations.list_orders(request, terminal=True)

    async def modify_order(self, order_id: str, request: m.ModifyOrderRequest) -> m.ModifyOrderResult:
        try:
            return self.operations.modify(order_id, request)
        finally:
            self._after_command()

    async def cancel_order(self, order_id: str) -> m.CancelOrderResult:
        try:
            return self.operations.cancel(order_id)
        finally:
            self._after_command()

    async def cancel_all_orders(self, symbol: str | None = None) -> m.CancelAllResult:
        try:
            return self.operations.cancel_all(symbol)
        finally:
            self._after_command()

    # ------------------------------------------------------------------ positions
    async def list_positions(self, symbol: str | None = None) -> list[m.Position]:
        return self.operations.list_positions(symbol)

    async def get_position(self, position_id: str) -> m.Position:
        return self.operations.get_position(position_id)

    async def close_position(self, position_id: str, request: m.ClosePositionRequest) -> m.OrderHandle:
        try:
            return self.operations.close_position(position_id, request)
        finally:
            self._after_command()

    async def close_all_positions(self, symbol: str | None = None) -> list[m.OrderHandle]:
        try:
            return self.operations.close_all(symbol)
        finally:
            self._after_command()

    async def modify_position_exits(
        self, position_id: str, request: m.ModifyPositionExitsRequest
    ) -> m.ModifyPositionExitsResult:
        try:
            return self.operations.modify_exits(position_id, request)
        finally:
            self._after_command()

    # ------------------------------------------------------------------ fills and quotes
    async def list_trades(self, request: m.ListTradesRequest) -> list[m.Trade]:
        return self.operations.list_trades(request)

    async def get_quote(self, symbol: str) -> m.Quote:
        return self.operations.quote(symbol)
