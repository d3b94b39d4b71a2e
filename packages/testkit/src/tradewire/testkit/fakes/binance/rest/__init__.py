"""REST routes of the fake Binance: market data, trading, account."""
