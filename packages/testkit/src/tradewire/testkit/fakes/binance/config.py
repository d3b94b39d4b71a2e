"""What a fake Binance is started with: keys, symbols and their filters, balances, book, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class SymbolSpec:
    """One spot symbol: its assets, filters, opening price and the shape of the scripted book."""

    symbol: str
    base: str
    quote: str
    price: Decimal  # the opening last price
    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal = Decimal("5")
    max_notional: Decimal = Decimal("9000000")
    min_price: Decimal = Decimal("0.01")
    max_price: Decimal = Decimal("1000000")
    market_max_qty: Decimal | None = None  # MARKET_LOT_SIZE maxQty (None: LOT_SIZE's)
    #: quoteAssetPrecision: the decimals a `quoteOrderQty` may have (more: -1111).
    quote_precision: int = 8
    #: quoteOrderQtyMarketAllowed: MARKET orders may be sized by `quoteOrderQty`.
    quote_market_allowed: bool = True
    #: PERCENT_PRICE_BY_SIDE: the price band around the last price, for either side.
    multiplier_up: Decimal = Decimal("5")
    multiplier_down: Decimal = Decimal("0.2")
    #: The book: `levels` levels a side, `level_gap` apart from the last price, `level_qty` each.
    levels: int = 5
    level_gap: Decimal = Decimal("1")
    level_qty: Decimal = Decimal("1")
    #: The size of the market trade each price step prints (trade stream, klines).
    trade_qty: Decimal = Decimal("0.01")


def default_symbols() -> list[SymbolSpec]:
    return [
        SymbolSpec(
            "BTCUSDT", "BTC", "USDT", Decimal("60000.00"), Decimal("0.01"), Decimal("0.00001"),
            Decimal("0.00001"), Decimal("9000"), level_gap=Decimal("1.00"), level_qty=Decimal("0.5"),
        ),
        SymbolSpec(
            "ETHUSDT", "ETH", "USDT", Decimal("3000.00"), Decimal("0.01"), Decimal("0.0001"),
            Decimal("0.0001"), Decimal("9000"), level_gap=Decimal("0.10"), level_qty=Decimal("5"),
            trade_qty=Decimal("0.1"),
        ),
    ]  # fmt: skip


def default_balances() -> dict[str, Decimal]:
    return {"USDT": Decimal("100000"), "BTC": Decimal("1"), "ETH": Decimal("10")}


@dataclass
class FakeConfig:
    #: The HMAC-SHA256 key pair (Binance's most common kind; the secret signs, the key identifies).
    api_key: str = "FAKEBINANCEKEY" + "0" * 50  # 64 characters, as Binance's keys
    api_secret: str = "fake-binance-secret"  # noqa: S105 - the fake's own made-up key, not a secret
    #: An Ed25519 API key: its name, and the public key in PEM (None: no Ed25519 key is accepted).
    ed25519_api_key: str = "FAKEBINANCEED25519KEY" + "0" * 43
    ed25519_public_pem: bytes | None = None
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port, read back from FakeBinance.port
    symbols: list[SymbolSpec] = field(default_factory=default_symbols)
    balances: dict[str, Decimal] = field(default_factory=default_balances)
    maker_commission: Decimal = Decimal("0.001")
    taker_commission: Decimal = Decimal("0.001")
    #: Request weight a minute (shared by REST and the WS API) and orders per 10 s / per day.
    weight_limit: int = 6000
    orders_10s: int = 50
    orders_1d: int = 160000
    #: Seconds an IP stays banned (418) after it kept sending through a 429 (Binance: 2 min to 3 days).
    ban_seconds: float = 120.0
    #: WebSocket heartbeat: a ping every `ping_interval` s; a client silent `pong_timeout` s is dropped.
    ping_interval: float = 20.0
    pong_timeout: float = 60.0
    #: Seconds a WebSocket connection lives (Binance: 24 h), shortened by a test.
    max_lifetime: float = 24 * 3600.0
    #: Start the clock frozen at this epoch ms instead of following the wall clock.
    frozen_ms: int | None = None
    #: Seconds between automatic steps of every scripted price path (None: the test steps them).
    tick_interval: float | None = None
