"""REST route handlers, one module per resource."""

from tradewire.gateway.rest import account, docs, market, orders, positions, probes, venue_info

ROUTES = [
    *account.ROUTES,
    *orders.ROUTES,
    *positions.ROUTES,
    *market.ROUTES,
    *venue_info.ROUTES,
    *probes.ROUTES,
    *docs.ROUTES,
]

__all__ = ["ROUTES"]
