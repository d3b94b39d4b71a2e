"""Soak load: clients that submit, modify and cancel orders over REST and record what was accepted."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

import httpx

SYMBOLS = ("AAPL", "MSFT", "SPY")
#: Attempts per request on a transport error or timeout; submits retry with the same client_order_id.
ATTEMPTS = 4


@dataclass
class Tally:
    """What one trader saw: accepted orders by client_order_id, request latencies and refusals."""

    accepted: dict[str, str] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    retries: int = 0
    stopped_by: str = ""


class Stop(Exception):
    """The gateway is shutting down or gone: this trader is done."""


class Trader:
    """One client: a kept-alive connection placing market, limit, modify and cancel requests.

    Args:
        url: Gateway base URL.
        key: API key.
        name: Prefix of this trader's client order ids (unique per trader).
        seed: Seed of its choices, so a soak run's request mix is repeatable.
    """

    def __init__(self, url: str, key: str, name: str, seed: int) -> None:
        self.client = httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=httpx.Timeout(10.0)
        )
        self.name = name
        self.random = random.Random(seed)
        self.tally = Tally()
        self.count = 0

    async def _request(self, method: str, path: str, body: object | None = None) -> httpx.Response:
        last: Exception | None = None
        for attempt in range(ATTEMPTS):
            if attempt:
                self.tally.retries += 1
            start = time.perf_counter()
            try:
                response = await self.client.request(method, path, json=body)
            except (httpx.TransportError, httpx.TimeoutException) as e:
                last = e
                await asyncio.sleep(0.05 * (attempt + 1))
                continue
            self.tally.latencies.append(time.perf_counter() - start)
            self.tally.statuses[response.status_code] = self.tally.statuses.get(response.status_code, 0) + 1
            if response.status_code == 503:
                raise Stop(response.json().get("code", "503"))
            if response.status_code == 429:
                await asyncio.sleep(float(response.headers.get("Retry-After", "0.1")))
                continue
            return response
        raise Stop(f"{type(last).__name__}: {last}" if last else "rate limited throughout")

    async def _submit(self, order: dict[str, str]) -> str | None:
        self.count += 1
        order["client_order_id"] = f"{self.name}-{self.count}"
        response = await self._request("POST", "/v1/orders", order)
        if response.status_code != 201:
            return None
        order_id = str(response.json()["id"])
        previous = self.tally.accepted.setdefault(order["client_order_id"], order_id)
        if previous != order_id:
            raise AssertionError(f"{order['client_order_id']} accepted twice: {previous}, {order_id}")
        return order_id

    async def step(self) -> None:
        """One round: a market order, or a resting limit that is modified and then cancelled."""
        symbol = self.random.choice(SYMBOLS)
        side = self.random.choice(("BUY", "SELL"))
        quantity = str(self.random.randint(1, 5))
        if self.random.random() < 0.5:
            await self._submit({"symbol": symbol, "side": side, "quantity": quantity, "order_type": "MARKET"})
            return
        # Far from the market so it rests: the modify and cancel then act on a working order.
        quote = (await self._request("GET", f"/v1/quotes/{symbol}")).json()
        last = Decimal(quote["last"])
        far = (last * Decimal("0.5" if side == "BUY" else "1.5")).quantize(Decimal("0.01"))
        order_id = await self._submit(
            {
                "symbol": symbol,
                "side": side,
                "quantity": quantity,
                "order_type": "LIMIT",
                "limit_price": str(far),
            }
        )
        if order_id is None:
            return
        nearer = (far * Decimal("1.01" if side == "BUY" else "0.99")).quantize(Decimal("0.01"))
        await self._request("PATCH", f"/v1/orders/{order_id}", {"limit_price": str(nearer)})
        await self._request("DELETE", f"/v1/orders/{order_id}")

    async def run(self, until: asyncio.Event) -> Tally:
        """Step until `until` is set or the gateway stops taking orders."""
        try:
            while not until.is_set():
                await self.step()
        except Stop as e:
            self.tally.stopped_by = str(e)
        finally:
            await self.client.aclose()
        return self.tally
