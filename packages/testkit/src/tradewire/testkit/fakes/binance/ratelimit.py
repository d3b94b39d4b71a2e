"""Request weight per minute and order counts (binance.md §9), the 429 → 418 escalation, the headers."""

from __future__ import annotations

import time

from tradewire.testkit.fakes.binance import errors


class RateLimiter:
    def __init__(self, weight_limit: int, orders_10s: int, orders_1d: int, ban_seconds: float) -> None:
        self.weight_limit, self.orders_10s, self.orders_1d = weight_limit, orders_10s, orders_1d
        self.ban_seconds = ban_seconds
        self._minute, self.used = 0, 0
        self._orders: list[float] = []  # times of new orders today
        self.limited_until = 0.0  # a 429 told the client to wait until then
        self.banned_until = 0.0

    def gate(self) -> None:
        """Refuse while banned; ban a client that sends while told to wait (418)."""
        now = time.time()
        if now < self.banned_until or now < self.limited_until:
            if now >= self.banned_until:
                self.banned_until = now + self.ban_seconds
            wait = max(1, int(self.banned_until - now + 0.999))
            raise errors.banned(int(self.banned_until * 1000), wait)

    def limited(self, retry_after: float) -> errors.BinanceError:
        """A 429: the client must wait `retry_after` seconds (sending sooner gets it banned)."""
        self.limited_until = time.time() + retry_after
        return errors.too_much_weight(self.weight_limit, max(1, int(retry_after + 0.999)))

    def retry_after_ms(self) -> int:
        """When a refused client may send again (the WS API's `retryAfter`, epoch ms)."""
        return int(max(self.limited_until, self.banned_until) * 1000)

    def spend(self, weight: int) -> None:
        now = time.time()
        minute = int(now // 60)
        if minute != self._minute:
            self._minute, self.used = minute, 0
        self.used += weight
        if self.used > self.weight_limit:
            raise self.limited(60 - now % 60)

    def refund(self, weight: int) -> None:
        self.used = max(0, self.used - weight)

    def new_order(self) -> None:
        now = time.time()
        self._orders = [t for t in self._orders if now - t < 86400]
        recent = sum(1 for t in self._orders if now - t < 10)
        if recent >= self.orders_10s:
            raise errors.too_many_orders(self.orders_10s, "10 SECOND", 10)
        if len(self._orders) >= self.orders_1d:
            raise errors.too_many_orders(self.orders_1d, "DAY", 86400)
        self._orders.append(now)

    def headers(self, orders: bool) -> dict[str, str]:
        out = {"X-MBX-USED-WEIGHT-1M": str(self.used)}
        if orders:
            now = time.time()
            out["X-MBX-ORDER-COUNT-10S"] = str(sum(1 for t in self._orders if now - t < 10))
            out["X-MBX-ORDER-COUNT-1D"] = str(len(self._orders))
        return out

    def rate_limits(self) -> list[dict[str, object]]:
        """The WS API's `rateLimits` of an answer."""
        return [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                 "limit": self.weight_limit, "count": self.used}]  # fmt: skip

    def exchange_info(self) -> list[dict[str, object]]:
        def limit(kind: str, interval: str, num: int, value: int) -> dict[str, object]:
            return {"rateLimitType": kind, "interval": interval, "intervalNum": num, "limit": value}

        return [
            limit("REQUEST_WEIGHT", "MINUTE", 1, self.weight_limit),
            limit("ORDERS", "SECOND", 10, self.orders_10s),
            limit("ORDERS", "DAY", 1, self.orders_1d),
            limit("RAW_REQUESTS", "MINUTE", 5, 300000),
        ]
