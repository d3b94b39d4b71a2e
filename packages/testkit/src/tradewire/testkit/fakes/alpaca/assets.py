"""The tradable assets the fake knows, with the increments Alpaca enforces per asset class."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Asset:
    symbol: str  # `AAPL`, or `BTC/USD` for crypto (orders, assets and data)
    asset_class: str  # `us_equity` | `crypto`
    exchange: str
    name: str
    price: Decimal  # the first scripted price, until a path moves it
    fractionable: bool = True
    shortable: bool = True
    easy_to_borrow: bool = True
    marginable: bool = True
    min_order_size: Decimal | None = None
    min_trade_increment: Decimal | None = None
    price_increment: Decimal | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def crypto(self) -> bool:
        return self.asset_class == "crypto"

    @property
    def position_symbol(self) -> str:
        """Positions list crypto without the slash (`BTCUSD`)."""
        return self.symbol.replace("/", "")

    @property
    def tick(self) -> Decimal:
        """The price step quotes move by."""
        return self.price_increment if self.price_increment is not None else Decimal("0.01")


def default_assets() -> list[Asset]:
    return [
        Asset("AAPL", "us_equity", "NASDAQ", "Apple Inc. Common Stock", Decimal("187.50")),
        Asset("MSFT", "us_equity", "NASDAQ", "Microsoft Corporation Common Stock", Decimal("410.00")),
        Asset("SPY", "us_equity", "ARCA", "SPDR S&P 500 ETF Trust", Decimal("520.00")),
        Asset(
            "GME",
            "us_equity",
            "NYSE",
            "GameStop Corp.",
            Decimal("25.00"),
            shortable=False,
            easy_to_borrow=False,
        ),
        Asset(
            "BTC/USD",
            "crypto",
            "CRYPTO",
            "Bitcoin  / US Dollar",
            Decimal("65000"),
            shortable=False,
            easy_to_borrow=False,
            marginable=False,
            min_order_size=Decimal("0.0001"),
            min_trade_increment=Decimal("0.000000001"),
            price_increment=Decimal("1"),
        ),
        Asset(
            "ETH/USD",
            "crypto",
            "CRYPTO",
            "Ethereum / US Dollar",
            Decimal("3200"),
            shortable=False,
            easy_to_borrow=False,
            marginable=False,
            min_order_size=Decimal("0.001"),
            min_trade_increment=Decimal("0.000000001"),
            price_increment=Decimal("0.1"),
        ),
    ]


class Assets:
    """Lookup by symbol, by the slash-less crypto form (`BTCUSD`) or by asset id."""

    def __init__(self, assets: list[Asset] | None = None) -> None:
        self._by_symbol = {a.symbol: a for a in (assets if assets is not None else default_assets())}
        self._aliases = {a.position_symbol: a for a in self._by_symbol.values()}
        self._aliases.update({a.id: a for a in self._by_symbol.values()})

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_symbol.values())

    def find(self, key: str) -> Asset | None:
        return self._by_symbol.get(key) or self._aliases.get(key)
