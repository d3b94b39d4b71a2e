"""Protocol ↔ broker shapes, exactly per mapping.md: order types, TIF, statuses, events, symbols.

Required. Pure functions, no I/O, unit-tested table by table:
- a `SubmitOrderRequest` → the broker's order payload (after `tradewire.protocol.precision` brought
  prices and quantities onto the broker's increments; decimals with `_live.jsondecimal.decimal_text`),
  refusing what the broker lacks with `UnsupportedOperation` before anything is sent;
- a broker order → `Order`; an unknown broker status is logged and mapped by quantities, never a crash;
- a stream event → `resync.FillUpdate` / `resync.OrderUpdate` with the broker's time and version.
"""

from __future__ import annotations

from collections.abc import Mapping

from tradewire.brokers._template.errors import TemplateNotFilled
from tradewire.protocol.messages import Order, SubmitOrderRequest

__all__ = ["order_from_broker", "order_payload"]


def order_payload(request: SubmitOrderRequest, client_order_id: str) -> Mapping[str, object]:
    """The broker's submit payload for `request` (required)."""
    raise TemplateNotFilled("order_payload", "mapping")


def order_from_broker(body: Mapping[str, object]) -> Order:
    """One broker order as the protocol's `Order` (required)."""
    raise TemplateNotFilled("order_from_broker", "mapping")
