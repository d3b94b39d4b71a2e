"""A fixed script that takes every action: each order type and TIF, a bracket, orders sized by notional,
cancel, modify, close, orders placed in on_start too."""

from tradewire.testkit.differential.scripted import Cancel, Close, Modify, Place, Script

EVERY_ACTION: Script = (
    # step 0 runs in on_start, before the first candle (at the scenario's opening prices)
    (
        0,
        (
            Place(0, "BUY", "LIMIT", "GTC", 10, offset_bps=-30),
            Place(0, "BUY", "MARKET", "GTC", 5),
            Place(0, "BUY", "MARKET", "GTC", 3, notional=True),
        ),
    ),
    (3, (Place(0, "BUY", "MARKET", "GTC", 10),)),
    (
        5,
        (
            Place(0, "BUY", "LIMIT", "GTC", 10, offset_bps=-50),
            Place(0, "SELL", "STOP", "DAY", 5, offset_bps=-80),
        ),
    ),
    (8, (Place(1, "BUY", "MARKET", "GTC", 10, bracket=(100, 150)),)),
    (10, (Modify(0, price_bps=20),)),
    (12, (Place(0, "SELL", "TRAILING_STOP", "GTC", 5, offset_bps=60, trail_percent=True),)),
    (13, (Place(1, "SELL", "TRAILING_STOP", "DAY", 5, offset_bps=90),)),
    (15, (Cancel(0),)),
    (20, (Place(0, "BUY", "STOP_LIMIT", "IOC", 10, offset_bps=30, limit_bps=10),)),
    (22, (Place(1, "SELL", "LIMIT", "FOK", 6, offset_bps=-5, bracket=(80, 40)),)),
    (25, (Close(0),)),
    (30, (Place(0, "BUY", "MARKET", "FOK", 12),)),
    (33, (Place(0, "BUY", "MARKET", "GTC", 10, notional=True), Modify(0, quantity_pct=10))),
    (35, (Place(1, "SELL", "MARKET", "IOC", 6, notional=True),)),
    (40, (Place(1, "SELL", "MARKET", "GTC", 8), Modify(1, quantity_pct=20))),
    (45, (Place(0, "BUY", "STOP", "GTC", 7, offset_bps=40), Modify(0, quantity_pct=-30))),
    (50, (Close(0), Close(1))),
    (60, (Place(0, "SELL", "MARKET", "IOC", 9),)),
)
