"""The thin async REST client: httpx, auth headers or signatures, the rate limiter, exact decimals.

Required. One `httpx.AsyncClient` per venue with the configured base URL. Every call:
1. `await limiter.acquire(cost)` (`_live.ratelimit`; Binance: the endpoint's weight);
2. send, with the keys from `config.credentials` (`reveal()` only here);
3. `limiter.observe(<broker>_observation(status, headers, time.time()))`;
4. parse with `_live.jsondecimal.loads` (never `response.json()`: it makes floats);
5. errors through `errors.error_from_response`; timeouts, resets and 5xx on a submit as
   `_live.submit.OutcomeUnknown`.

`submit` and `find_by_client_id` make it a `_live.submit.BrokerOrders`, so the venue submits with
`submit_idempotent`; `aclose` is what `LiveVenue.close` calls.
"""

from __future__ import annotations

from collections.abc import Mapping

from tradewire.brokers._template.errors import TemplateNotFilled

__all__ = ["TemplateHttp"]


class TemplateHttp:
    """The broker's REST calls (required)."""

    async def submit(self, payload: Mapping[str, object]) -> Mapping[str, object]:
        """POST one order; the broker's order as decoded JSON."""
        raise TemplateNotFilled("TemplateHttp.submit", "http")

    async def find_by_client_id(self, client_order_id: str) -> Mapping[str, object] | None:
        """The order with this client order id, None when the broker has none."""
        raise TemplateNotFilled("TemplateHttp.find_by_client_id", "http")

    async def aclose(self) -> None:
        """Close the httpx client."""
        raise TemplateNotFilled("TemplateHttp.aclose", "http")
