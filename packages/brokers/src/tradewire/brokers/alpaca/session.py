"""The equity session from Alpaca's market clock (`GET /v2/clock`): why a refused stock order was refused.

mapping.md §2 sends DAY as `day` and leaves the session to Alpaca: outside it Alpaca queues a stock
order (`accepted`, OPEN) for the next open, and a DAY order still open at the close expires. What
Alpaca refuses while the market is closed is ORDER_REJECTED `MARKET_CLOSED` (§7, "403/422"): its
words for that vary, so a refusal they do not explain is checked against the clock instead.
"""

from __future__ import annotations

from tradewire.brokers.alpaca.http import AlpacaHttp
from tradewire.protocol import reject_codes
from tradewire.protocol.errors import OrderRejected, TradewireError
from tradewire.protocol.messages import RejectReason

__all__ = ["explain_refusal"]


async def explain_refusal(http: AlpacaHttp, error: OrderRejected, crypto: bool) -> OrderRejected:
    """`error`, or MARKET_CLOSED when it names no reason, the order is a stock's and the clock says closed.

    Crypto trades around the clock; a reason Alpaca's words gave (funds, price, ...) stands.
    """
    if crypto or error.details.get(reject_codes.KEY) != reject_codes.UNKNOWN:
        return error
    try:
        clock = await http.clock()
    except TradewireError:
        return error  # the refusal stands as Alpaca gave it
    if clock.get("is_open") is not False:
        return error
    closed = reject_codes.rejected(RejectReason.MARKET_CLOSED)
    closed.details = {**error.details, **closed.details, "next_open": str(clock.get("next_open"))}
    return closed
